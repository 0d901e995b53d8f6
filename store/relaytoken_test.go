package store

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestRelayTokenFile(t *testing.T) {
	dir := t.TempDir()
	if tok, err := LoadRelayToken(dir); tok != "" || err != nil {
		t.Fatalf("no file: %q %v", tok, err)
	}
	if err := SaveRelayToken(dir, " desk.0123 \n"); err != nil {
		t.Fatal(err)
	}
	if tok, err := LoadRelayToken(dir); tok != "desk.0123" || err != nil {
		t.Fatalf("saved: %q %v", tok, err)
	}
	path := filepath.Join(dir, RelayTokenFile)
	st, err := os.Stat(path)
	if err != nil || (runtime.GOOS != "windows" && st.Mode().Perm() != 0o600) {
		t.Fatalf("mode %v %v", st.Mode(), err)
	}
	// Saving the Kuaidi100 credentials leaves the token alone.
	if err := SaveSecrets(dir, Secrets{Key: "k", Customer: "c"}); err != nil {
		t.Fatal(err)
	}
	if tok, _ := LoadRelayToken(dir); tok != "desk.0123" {
		t.Fatalf("after SaveSecrets: %q", tok)
	}
	if runtime.GOOS != "windows" {
		os.Chmod(path, 0o644)
		if _, err := LoadRelayToken(dir); !errors.Is(err, ErrInsecureSecrets) {
			t.Fatalf("0644: %v", err)
		}
	}
	if err := SaveRelayToken(dir, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("after removing: %v", err)
	}
}
