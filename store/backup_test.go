package store

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestBackup(t *testing.T) {
	db, _ := openTestStore(t)
	ctx := t.Context()
	mustCreate(t, db, testShipment("B1"))
	path := filepath.Join(t.TempDir(), "backups", "shipdesk-backup.db")
	if err := db.BackupFile(ctx, path); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, db, testShipment("B2")) // after the backup
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 { // no Unix modes on NTFS
		t.Errorf("backup mode %04o, want 0600", st.Mode().Perm())
	}
	bk, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { checkAndClose(t, bk) })
	if _, err := bk.Shipment(ctx, "B1"); err != nil {
		t.Errorf("backup lacks B1: %v", err)
	}
	if _, err := bk.Shipment(ctx, "B2"); err == nil {
		t.Error("backup has B2, written after it")
	}
	var buf bytes.Buffer
	n, err := db.Backup(ctx, &buf)
	if err != nil || n != int64(buf.Len()) || n == 0 {
		t.Errorf("Backup = %d, %v (buffer %d)", n, err, buf.Len())
	}
}
