package postgres_test

import (
	"os"
	"testing"
	"time"

	"shipdesk/store"
	"shipdesk/store/postgres"
	"shipdesk/store/postgres/pgtest"
	"shipdesk/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// open opens a store on a fresh database of the test server.
func open(t *testing.T, dsn, station string, now func() time.Time, loc *time.Location) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(t.Context(), dsn, postgres.Options{Station: station, Now: now, Location: loc, Logf: t.Logf})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestContract runs the shared store contract against PostgreSQL, the
// same suite the bbolt engine passes.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time, loc *time.Location) store.Store {
		return open(t, pgtest.NewDatabase(t), "前台", now, loc)
	})
}
