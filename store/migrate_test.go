package store

import (
	"path/filepath"
	"shipdesk/internal/testkit"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// rawUpdate edits a closed database file directly with bbolt.
func rawUpdate(t *testing.T, path string, fn func(tx *bolt.Tx) error) {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Update(fn); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestMigrateV1 builds a schema v1 file (the layout before the next-poll
// index existed) and checks that Open adds and fills the index.
func TestMigrateV1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, shanghai)
	opts := Options{NoSync: true, Now: func() time.Time { return now }, Location: shanghai}
	db, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	for _, s := range []*Shipment{
		{Waybill: "M1", Carrier: "zhongtong", Milestone: MilestoneInTransit, NextPollAt: now.Add(-time.Hour)},
		{Waybill: "M2", Carrier: "zhongtong", Milestone: MilestoneDelivered, NextPollAt: now.Add(-time.Hour)}, // terminal
		{Waybill: "M3", Carrier: "zhongtong", Milestone: MilestonePickedUp, NextPollAt: now.Add(time.Hour)},   // not due yet
		{Waybill: "M4", Carrier: "zhongtong", Milestone: MilestonePickedUp},                                   // never polled
	} {
		mustCreate(t, db, s)
	}
	db.Close()
	// Turn it into the v1 layout by hand (no ix_due, no ix_ref).
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		for _, name := range []string{"ix_due", "ix_ref"} {
			if err := tx.DeleteBucket([]byte(name)); err != nil {
				return err
			}
		}
		return tx.Bucket([]byte("meta")).Put([]byte("schemaVersion"), []byte{0, 0, 0, 0, 0, 0, 0, 1})
	})

	db, err = Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { checkAndClose(t, db) })
	db.bolt.View(func(tx *bolt.Tx) error {
		if v := schemaOf(tx); v != schemaVersion {
			t.Errorf("schema after Open = %d, want %d", v, schemaVersion)
		}
		return nil
	})
	due, err := db.ShipmentsDue(ctx, now, 0)
	if err != nil {
		t.Fatal(err)
	}
	if w := waybills(due); !slices.Equal(w, []string{"M1"}) {
		t.Errorf("due after migration = %v, want [M1]", w)
	}
	due, _ = db.ShipmentsDue(ctx, now.Add(2*time.Hour), 0)
	if w := waybills(due); !slices.Equal(w, []string{"M1", "M3"}) {
		t.Errorf("due later = %v, want [M1 M3]", w)
	}
}

// TestMigrateV2 builds a schema v2 file (before the reference index) and
// checks that Open adds the index and fills it from the stored shipments.
func TestMigrateV2(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v2.db")
	clk := testkit.NewClock(time.Date(2026, 11, 26, 10, 0, 0, 0, shanghai))
	opts := Options{NoSync: true, Now: clk.Now, Location: shanghai}
	db, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	for _, s := range []struct{ wb, ref, order string }{
		{"V1", "PJ20261126-001", "SD20261126-000001"},
		{"V2", "PJ20261126-001", "SD20261126-000002"}, // sent again for the same glasses
		{"V3", "", "SD20261126-000003"},
		{"V4", "", ""},
	} {
		sh := testShipment(s.wb)
		sh.Reference, sh.OrderID = s.ref, s.order
		mustCreate(t, db, sh)
		clk.Add(time.Minute)
	}
	db.Close()
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket([]byte("ix_ref")); err != nil {
			return err
		}
		return tx.Bucket([]byte("meta")).Put([]byte("schemaVersion"), []byte{0, 0, 0, 0, 0, 0, 0, 2})
	})

	db, err = Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { checkAndClose(t, db) }) // CheckIndexes: ix_ref equals what the write path stores
	db.bolt.View(func(tx *bolt.Tx) error {
		if v := schemaOf(tx); v != 3 || v != schemaVersion {
			t.Errorf("schema after Open = %d, want 3 (= schemaVersion %d)", v, schemaVersion)
		}
		return nil
	})
	for q, want := range map[string][]string{
		"PJ20261126-001":    {"V2", "V1"},
		"sd20261126000003":  {"V3"},
		"SD20261126-000001": {"V1"},
	} {
		got, err := db.ShipmentsByReference(ctx, q, 0)
		if err != nil {
			t.Fatal(err)
		}
		if w := waybills(got); !slices.Equal(w, want) {
			t.Errorf("after migration ShipmentsByReference(%q) = %v, want %v", q, w, want)
		}
	}
	// New writes keep the migrated index.
	sh := testShipment("V5")
	sh.Reference = "PJ20261126-001"
	mustCreate(t, db, sh)
	if got, _ := db.ShipmentsByReference(ctx, "PJ20261126-001", 0); !slices.Equal(waybills(got), []string{"V5", "V2", "V1"}) {
		t.Errorf("after a new shipment: %v", waybills(got))
	}
}

func TestOpenEmptyFileIsV0(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.db")
	rawUpdate(t, path, func(*bolt.Tx) error { return nil })
	db, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { checkAndClose(t, db) })
	if err := db.CreateShipment(t.Context(), testShipment("V0")); err != nil {
		t.Fatal(err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.db")
	db, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		return tx.Bucket(bMeta).Put(keySchema, u64(schemaVersion+1))
	})
	if _, err := Open(path, Options{NoSync: true}); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("Open(newer schema) err = %v", err)
	}
}
