// Package storetest is the contract every store.Store engine keeps, as
// tests: the bbolt engine (package store) and the PostgreSQL engine
// (package store/postgres) run the same suite with Run.
package storetest

import (
	"context"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"shipdesk/store"
)

// Opener opens an empty store for t with the given clock and time zone
// and registers its Close (and any engine-specific check) with t.Cleanup.
type Opener func(t *testing.T, now func() time.Time, loc *time.Location) store.Store

// Run runs every contract test against the engine open opens, each as a
// subtest with a fresh store.
func Run(t *testing.T, open Opener) {
	for _, tc := range tests {
		name := runtime.FuncForPC(reflect.ValueOf(tc).Pointer()).Name()
		name = name[strings.LastIndex(name, ".")+len(".test"):]
		t.Run(name, func(t *testing.T) { tc(t, open) })
	}
}

var tests = []func(*testing.T, Opener){
	testCreateAndGetShipment, testCreateShipmentErrors, testUpdateShipmentMovesIndexesAndCounters,
	testUpdateShipmentRejects, testLookups, testShipmentsByStatePaging, testShipmentsByDayAndDue, testWalks,
	testEvents, testOrders, testJobs, testSMS, testExceptions, testAuditAndSettings,
	testShipmentsByReference, testUpdateShipmentMovesReferenceIndex, testReferenceKeyEdges,
	testCountsDays, testConcurrentUpdatesKeepCounters, testExportShipmentsCSV,
	testLockOrder, testConcurrentCreateOneWaybill, testConcurrentSaveOrderIDs, testConcurrentRaiseOnce,
}

// Clock is a settable time source.
type Clock struct {
	mu sync.Mutex // guards t
	t  time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock on by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Shanghai is China Standard Time, the zone the suite's stores use.
var Shanghai = time.FixedZone("CST", 8*3600)

// openStore opens a store with a fixed clock in China time; cleanup checks
// the counters and indexes against a full recount.
func openStore(t *testing.T, o Opener) (store.Store, *Clock) {
	t.Helper()
	clk := &Clock{t: time.Date(2026, 11, 26, 10, 0, 0, 0, Shanghai)}
	db := o(t, clk.Now, Shanghai)
	t.Cleanup(func() { CheckConsistent(t, db) })
	return db, clk
}

// CheckConsistent fails t when db's counters or indexes differ from a
// recount of its records.
func CheckConsistent(t testing.TB, db store.Store) {
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
}

func testShipment(waybill string) *store.Shipment {
	return &store.Shipment{
		Waybill:        waybill,
		Carrier:        "zhongtong",
		OrderID:        "SD20261126-000001",
		Reference:      "PJ20261126-001",
		RecipientName:  "王芳",
		RecipientPhone: "13700001111",
		RecipientAddr:  "天津市河西区友谊路32号",
		Milestone:      store.MilestoneOrdered,
	}
}

func mustCreate(t *testing.T, db store.Store, s *store.Shipment) {
	t.Helper()
	if err := db.CreateShipment(context.Background(), s); err != nil {
		t.Fatalf("CreateShipment(%s): %v", s.Waybill, err)
	}
}

func waybills(ss []store.Shipment) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Waybill
	}
	return out
}
