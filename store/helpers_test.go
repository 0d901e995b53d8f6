package store

import (
	"context"
	"path/filepath"
	"shipdesk/internal/testkit"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

var shanghai = time.FixedZone("CST", 8*3600)

// openTestStore opens a store in t.TempDir() with a fixed clock in China
// time. Cleanup checks the counters against a full recount, runs bbolt's
// consistency check and closes the file.
func openTestStore(t *testing.T) (*DB, *testkit.Clock) {
	t.Helper()
	clk := testkit.NewClock(time.Date(2026, 11, 26, 10, 0, 0, 0, shanghai))
	db, err := Open(filepath.Join(t.TempDir(), "data", "shipdesk.db"), Options{NoSync: true, Now: clk.Now, Location: shanghai})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { checkAndClose(t, db) })
	return db, clk
}

// checkAndClose runs from t.Cleanup, after t.Context is cancelled, so it
// brings its own context.
func checkAndClose(t *testing.T, db *DB) {
	t.Helper()
	ctx := context.Background()
	if diffs, err := db.CheckCounters(ctx); err != nil {
		t.Errorf("CheckCounters: %v", err)
	} else if len(diffs) > 0 {
		t.Errorf("counters differ from records:\n%v", diffs)
	}
	if diffs, err := db.CheckIndexes(ctx); err != nil {
		t.Errorf("CheckIndexes: %v", err)
	} else if len(diffs) > 0 {
		t.Errorf("indexes differ from records:\n%v", diffs)
	}
	if err := db.Check(ctx); err != nil {
		t.Errorf("bbolt check: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

func testShipment(waybill string) *Shipment {
	return &Shipment{
		Waybill:        waybill,
		Carrier:        "zhongtong",
		OrderID:        "SD20261126-000001",
		Reference:      "PJ20261126-001",
		RecipientName:  "王芳",
		RecipientPhone: "13700001111",
		RecipientAddr:  "天津市河西区友谊路32号",
		Milestone:      MilestoneOrdered,
	}
}

func mustCreate(t *testing.T, db *DB, s *Shipment) {
	t.Helper()
	if err := db.CreateShipment(t.Context(), s); err != nil {
		t.Fatalf("CreateShipment(%s): %v", s.Waybill, err)
	}
}

func waybills(ss []Shipment) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Waybill
	}
	return out
}

type boltTx = bolt.Tx
