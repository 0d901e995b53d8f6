package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestOpenCreatesPrivateFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	db, err := Open(filepath.Join(dir, "shipdesk.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { checkAndClose(t, db) })
	if runtime.GOOS == "windows" {
		return
	}
	for path, want := range map[string]os.FileMode{dir: 0o700, db.Path(): 0o600} {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode().Perm(); got&^want != 0 {
			t.Errorf("%s mode %04o, want at most %04o", path, got, want)
		}
	}
}

func TestCancelledContextWritesNothing(t *testing.T) {
	db, _ := openTestStore(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := db.CreateShipment(ctx, testShipment("CTX1")); !errors.Is(err, context.Canceled) {
		t.Errorf("CreateShipment err = %v, want context.Canceled", err)
	}
	if _, err := db.Shipment(t.Context(), "CTX1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("cancelled create was written: %v", err)
	}
	if _, err := db.Counts(ctx, db.now(), 1); !errors.Is(err, context.Canceled) {
		t.Errorf("Counts err = %v, want context.Canceled", err)
	}
}
