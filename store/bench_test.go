package store

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"shipdesk/internal/testkit"
	"slices"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Benchmarks run against a fixture of SHIPDESK_BENCH_SHIPMENTS shipments
// (default 1,000,000) with 10 tracking events each, built once and cached
// in os.TempDir(); see fixture_test.go.

var (
	fixtureOnce  sync.Once
	fixtureLog   sync.Once
	fixtureFile  string
	fixtureBuilt time.Duration
	fixtureErr   error
)

func openFixture(b *testing.B) (*DB, int) {
	b.Helper()
	n := benchShipments()
	fixtureOnce.Do(func() { fixtureFile, fixtureBuilt, fixtureErr = ensureFixture(n) })
	if fixtureErr != nil {
		b.Fatal(fixtureErr)
	}
	if fixtureBuilt > 0 {
		fixtureLog.Do(func() { b.Logf("built %d-shipment fixture %s in %s", n, fixtureFile, fixtureBuilt.Round(time.Second)) })
	}
	db, err := Open(fixtureFile, fixtureOptions())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db, n
}

func BenchmarkOpen(b *testing.B) {
	db, n := openFixture(b)
	path := db.Path()
	db.Close()
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		db, err := Open(path, fixtureOptions())
		if err != nil {
			b.Fatal(err)
		}
		db.Close()
	}
	b.ReportMetric(float64(st.Size())/float64(n), "file-B/shipment")
	db, err = Open(path, fixtureOptions())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	used, buckets := db.usage()
	b.ReportMetric(float64(used)/float64(n), "used-B/shipment")
	for _, u := range buckets {
		b.Logf("%-14s %8.1f B/shipment (%d keys)", u.name, float64(u.bytes)/float64(n), u.keys)
	}
}

type bucketUsage struct {
	name        string
	bytes, keys int
}

// usage returns the bytes of pages in use (file high-water mark minus free
// pages) and the pages each bucket occupies.
func (db *DB) usage() (int, []bucketUsage) {
	var used int
	var out []bucketUsage
	db.bolt.View(func(tx *bolt.Tx) error {
		used = int(tx.Size()) - (db.bolt.Stats().FreePageN+db.bolt.Stats().PendingPageN)*db.bolt.Info().PageSize
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			st := b.Stats()
			out = append(out, bucketUsage{string(name), st.BranchAlloc + st.LeafAlloc, st.KeyN})
			return nil
		})
	})
	return used, out
}

func BenchmarkShipmentByWaybill(b *testing.B) {
	db, n := openFixture(b)
	ctx := b.Context()
	r := rand.New(rand.NewPCG(1, 2))
	for b.Loop() {
		if _, err := db.Shipment(ctx, fixtureWaybill(r.IntN(n))); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEvents(b *testing.B) {
	db, n := openFixture(b)
	ctx := b.Context()
	r := rand.New(rand.NewPCG(1, 2))
	for b.Loop() {
		if _, err := db.Events(ctx, fixtureWaybill(r.IntN(n))); err != nil {
			b.Fatal(err)
		}
	}
}

// queryPhones are the phones and names of random fixture shipments.
func queryPatients(n int) (phones, names []string) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 1000 {
		s, _ := fixtureShipment(r.IntN(n), n)
		phones = append(phones, s.RecipientPhone)
		names = append(names, s.RecipientName)
	}
	return phones, names
}

func BenchmarkShipmentsByPhone(b *testing.B) {
	db, n := openFixture(b)
	ctx := b.Context()
	phones, _ := queryPatients(n)
	for _, tc := range []struct {
		name  string
		query func(string) string
		limit int
	}{
		{"full", func(p string) string { return p }, 20},
		{"last4", func(p string) string { return p[len(p)-4:] }, 20},
	} {
		b.Run(tc.name, func(b *testing.B) {
			i, rows := 0, 0
			for b.Loop() {
				ss, err := db.ShipmentsByPhone(ctx, tc.query(phones[i%len(phones)]), tc.limit)
				if err != nil || len(ss) == 0 {
					b.Fatal(err, len(ss))
				}
				i++
				rows += len(ss)
			}
			b.ReportMetric(float64(rows)/float64(i), "rows/op")
		})
	}
}

func BenchmarkShipmentsByReference(b *testing.B) {
	db, n := openFixture(b)
	ctx := b.Context()
	r := rand.New(rand.NewPCG(5, 6))
	var want []Shipment
	for range 1000 {
		s, _ := fixtureShipment(r.IntN(n), n)
		want = append(want, s)
	}
	for _, tc := range []struct {
		name  string
		query func(Shipment) string
	}{
		{"reference", func(s Shipment) string { return s.Reference }},
		{"orderId", func(s Shipment) string { return s.OrderID }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			i, rows := 0, 0
			for b.Loop() {
				w := want[i%len(want)]
				ss, err := db.ShipmentsByReference(ctx, tc.query(w), 20)
				if err != nil || !slices.ContainsFunc(ss, func(s Shipment) bool { return s.Waybill == w.Waybill }) {
					b.Fatal(err, waybills(ss), w.Waybill)
				}
				i++
				rows += len(ss)
			}
			b.ReportMetric(float64(rows)/float64(i), "rows/op")
		})
	}
}

func BenchmarkShipmentsByName(b *testing.B) {
	db, n := openFixture(b)
	ctx := b.Context()
	_, names := queryPatients(n)
	for _, tc := range []struct {
		name  string
		query func(string) string
	}{
		{"exact", func(s string) string { return s }},
		{"prefix", func(s string) string { return string([]rune(s)[:1]) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			i, rows := 0, 0
			for b.Loop() {
				ss, err := db.ShipmentsByName(ctx, tc.query(names[i%len(names)]), 20)
				if err != nil || len(ss) == 0 {
					b.Fatal(err, len(ss))
				}
				i++
				rows += len(ss)
			}
			b.ReportMetric(float64(rows)/float64(i), "rows/op")
		})
	}
}

func BenchmarkShipmentsByStatePage(b *testing.B) {
	db, _ := openFixture(b)
	ctx := b.Context()
	for _, m := range []Milestone{MilestoneDelivered, MilestoneInTransit} {
		b.Run(m.String(), func(b *testing.B) {
			// Walk pages from the start; wrap around at the end.
			after := ""
			for b.Loop() {
				page, next, err := db.ShipmentsByState(ctx, m, after, 50)
				if err != nil || len(page) == 0 {
					b.Fatal(err, len(page))
				}
				after = next
			}
		})
	}
}

func BenchmarkShipmentsDue(b *testing.B) {
	db, _ := openFixture(b)
	ctx := b.Context()
	rows, i := 0, 0
	for b.Loop() {
		ss, err := db.ShipmentsDue(ctx, fixtureNow, 100)
		if err != nil {
			b.Fatal(err)
		}
		rows += len(ss)
		i++
	}
	b.ReportMetric(float64(rows)/float64(i), "rows/op")
}

func BenchmarkShipmentsByDay(b *testing.B) {
	db, _ := openFixture(b)
	ctx := b.Context()
	rows, i := 0, 0
	for b.Loop() {
		ss, err := db.ShipmentsByDay(ctx, fixtureNow, fixtureNow, 0)
		if err != nil {
			b.Fatal(err)
		}
		rows += len(ss)
		i++
	}
	b.ReportMetric(float64(rows)/float64(i), "rows/op")
}

func BenchmarkCounts30Days(b *testing.B) {
	db, n := openFixture(b)
	ctx := b.Context()
	var c Counts
	for b.Loop() {
		var err error
		if c, err = db.Counts(ctx, fixtureNow, 30); err != nil {
			b.Fatal(err)
		}
	}
	if c.Total != n {
		b.Fatalf("Counts.Total = %d, want %d", c.Total, n)
	}
}

// BenchmarkCreateShipment measures the normal write path (one shipment and
// its 10 events, two transactions) into a fresh file, and the disk used per
// shipment when the file grows by ordinary writes rather than a bulk load.
func BenchmarkCreateShipment(b *testing.B) {
	for _, sync := range []bool{false, true} {
		b.Run(fmt.Sprintf("fsync=%v", sync), func(b *testing.B) {
			clk := &testkit.Clock{}
			db, err := Open(filepath.Join(b.TempDir(), "w.db"), Options{NoSync: !sync, Now: clk.Now, Location: shanghai})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			ctx := b.Context()
			const n = 1_000_000
			i := 0
			for b.Loop() {
				s, evs := fixtureShipment(i, n)
				clk.Set(s.UpdatedAt)
				if err := db.CreateShipment(ctx, &s); err != nil {
					b.Fatal(err)
				}
				if _, err := db.AddEvents(ctx, s.Waybill, evs); err != nil {
					b.Fatal(err)
				}
				i++
			}
			used, _ := db.usage()
			b.ReportMetric(float64(used)/float64(i), "used-B/shipment")
		})
	}
}

func BenchmarkUpdateShipment(b *testing.B) {
	db, _ := openTestStoreB(b)
	ctx := b.Context()
	const n = 2000
	for i := range n {
		s, evs := fixtureShipment(i, n)
		if err := db.CreateShipment(ctx, &s); err != nil {
			b.Fatal(err)
		}
		db.AddEvents(ctx, s.Waybill, evs)
	}
	i := 0
	for b.Loop() {
		_, err := db.UpdateShipment(ctx, fixtureWaybill(i%n), func(s *Shipment) error {
			s.Milestone = Milestone(i % NumMilestones)
			s.NextPollAt = fixtureNow.Add(time.Duration(i) * time.Second)
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func openTestStoreB(b *testing.B) (*DB, *testkit.Clock) {
	clk := testkit.NewClock(fixtureNow)
	db, err := Open(filepath.Join(b.TempDir(), "b.db"), Options{NoSync: true, Now: clk.Now, Location: shanghai})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db, clk
}
