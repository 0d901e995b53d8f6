package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"shipdesk/store"
	"shipdesk/store/storetest"
)

// TestContract runs the shared store contract against the bbolt engine
// (store/postgres runs the same suite against PostgreSQL).
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time, loc *time.Location) store.Store {
		db, err := store.Open(filepath.Join(t.TempDir(), "data", "shipdesk.db"), store.Options{NoSync: true, Now: now, Location: loc})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() {
			if err := db.Check(context.Background()); err != nil { // t.Context is cancelled by now
				t.Errorf("bbolt check: %v", err)
			}
			if err := db.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return db
	})
}
