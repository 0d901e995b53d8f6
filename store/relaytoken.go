package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// RelayTokenFile is the station's owner-only file (beside secrets.json)
// that keeps its push-relay token (`daemon --relay-token`, or 设置). It is
// a file of its own so that saving the Kuaidi100 credentials never drops
// it.
const RelayTokenFile = "relay-secret.json"

// LoadRelayToken reads the station's relay token from dir: "" and nil
// when it has none. Outside Windows a file others may read is refused with
// ErrInsecureSecrets.
func LoadRelayToken(dir string) (string, error) {
	path := filepath.Join(dir, RelayTokenFile)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("load relay token: %w", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("load relay token: %w: %s has mode %04o; fix it with: chmod 600 %s", ErrInsecureSecrets, path, st.Mode().Perm(), path)
	}
	var v struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(f).Decode(&v); err != nil {
		return "", fmt.Errorf("load relay token %s: %w", path, err)
	}
	return strings.TrimSpace(v.Token), nil
}

// SaveRelayToken writes the station's relay token to dir (mode 0600,
// replaced atomically); "" removes it.
func SaveRelayToken(dir, token string) error {
	path := filepath.Join(dir, RelayTokenFile)
	token = strings.TrimSpace(token)
	if token == "" {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove relay token: %w", err)
		}
		return nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("save relay token: %w", err)
	}
	raw, _ := json.Marshal(struct {
		Token string `json:"token"`
	}{token})
	if err := writeAtomic(path, func(f *os.File) error {
		_, err := f.Write(append(raw, '\n'))
		return err
	}); err != nil {
		return fmt.Errorf("save relay token: %w", err)
	}
	return nil
}
