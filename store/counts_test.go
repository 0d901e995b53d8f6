package store

import (
	"testing"
)

func TestRecountRepairs(t *testing.T) {
	db, _ := openTestStore(t)
	ctx := t.Context()
	mustCreate(t, db, testShipment("R1"))
	// Break a counter behind the store's back.
	db.bolt.Update(func(tx *boltTx) error {
		return tx.Bucket(bCounters).Put([]byte(ckCarrier+"zhongtong"), u64(7))
	})
	diffs, _ := db.CheckCounters(ctx)
	if len(diffs) != 1 {
		t.Fatalf("CheckCounters = %v, want one difference", diffs)
	}
	// And an index entry.
	db.bolt.Update(func(tx *boltTx) error { return tx.Bucket(bPhone).Put([]byte("1234\x00ghost"), nil) })
	if diffs, _ := db.CheckIndexes(ctx); len(diffs) != 1 {
		t.Errorf("CheckIndexes = %v, want one stale entry", diffs)
	}
	db.bolt.Update(func(tx *boltTx) error { return tx.Bucket(bPhone).Delete([]byte("1234\x00ghost")) })
	if err := db.Recount(ctx); err != nil {
		t.Fatal(err)
	}
	if diffs, _ := db.CheckCounters(ctx); len(diffs) != 0 {
		t.Errorf("after Recount: %v", diffs)
	}
}
