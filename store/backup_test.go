package store

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

func TestExportShipmentsCSV(t *testing.T) {
	db, clk := openTestStore(t)
	ctx := context.Background()
	a := testShipment("7300000001")
	a.Reference = "=HYPERLINK(\"x\")" // must not become a formula in Excel
	mustCreate(t, db, a)
	clk.Add(time.Hour)
	b := testShipment("YT2000000002")
	b.Carrier, b.RecipientName, b.RecipientPhone, b.RecipientAddr = "yuantong", "李四, \"小李\"", "13912345678", "北京市朝阳区\n建国路88号"
	b.PrintedAt = clk.Now()
	mustCreate(t, db, b)
	clk.Add(26 * time.Hour)
	db.UpdateShipment(ctx, "YT2000000002", func(s *Shipment) error {
		s.Milestone, s.EventCount, s.LastEventAt = MilestoneDelivered, 6, clk.Now()
		return nil
	})
	var buf bytes.Buffer
	if err := db.ExportShipmentsCSV(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "shipments.csv.golden")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("CSV differs from %s:\n%s", golden, buf.String())
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\xEF\xBB\xBF运单号,")) {
		t.Errorf("CSV does not start with a BOM and the header")
	}
}

func TestBackup(t *testing.T) {
	db, _ := openTestStore(t)
	ctx := context.Background()
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
	if st.Mode().Perm() != 0o600 {
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
