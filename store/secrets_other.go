//go:build !windows

package store

// Outside Windows the secrets file is plain JSON protected by its mode
// (0600); see secrets_windows.go for Windows.

func sealSecrets(plain []byte) ([]byte, error) { return plain, nil }

// unsealSecrets returns the file as it is; sealed is true because nothing
// needs converting.
func unsealSecrets(data []byte) (plain []byte, sealed bool, err error) { return data, true, nil }
