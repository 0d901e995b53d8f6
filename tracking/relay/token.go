package relay

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// TokenFile is the station's file (in its data folder, owner-only like
// secrets.json) that keeps its relay token. It is a file of its own so
// that saving the Kuaidi100 credentials in 设置 never drops it.
const TokenFile = "relay-secret.json"

// ErrInsecureToken means the token file may be read by others.
var ErrInsecureToken = errors.New("relay token file is readable by others")

// LoadToken reads the station's relay token from dir; "" and nil when the
// station has none.
func LoadToken(dir string) (string, error) {
	path := filepath.Join(dir, TokenFile)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("load relay token: %w", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("load relay token: %w: %s has mode %04o; fix it with: chmod 600 %s", ErrInsecureToken, path, st.Mode().Perm(), path)
	}
	var v struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(f).Decode(&v); err != nil {
		return "", fmt.Errorf("load relay token %s: %w", path, err)
	}
	return v.Token, nil
}

// SaveToken writes the station's relay token to dir (mode 0600, replaced
// atomically); "" removes it.
func SaveToken(dir, token string) error {
	path := filepath.Join(dir, TokenFile)
	if token == "" {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove relay token: %w", err)
		}
		return nil
	}
	raw, _ := json.Marshal(struct {
		Token string `json:"token"`
	}{token})
	f, err := os.CreateTemp(dir, "."+TokenFile+".*.tmp")
	if err != nil {
		return fmt.Errorf("save relay token: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("save relay token: %w", err)
	}
	if _, err := f.Write(append(raw, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("save relay token: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("save relay token: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("save relay token: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("save relay token: %w", err)
	}
	return nil
}

// Mask shows a token safely: its station name and the last four
// characters, "clinic.****3f2a".
func Mask(token string) string {
	name, ok := StationOfToken(token)
	if !ok {
		return "****"
	}
	return name + ".****" + token[len(token)-4:]
}
