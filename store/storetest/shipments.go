package storetest

import (
	"context"
	"errors"
	"fmt"
	"shipdesk/store"
	"slices"
	"strings"
	"testing"
	"time"
)

func testCreateAndGetShipment(t *testing.T, op Opener) {
	db, clk := openStore(t, op)
	ctx := context.Background()
	s := testShipment(" 7300000001 ")
	s.PayType = "SHIPPER" // the pay type sent, which the label prints
	mustCreate(t, db, s)
	if s.Waybill != "7300000001" {
		t.Errorf("waybill not trimmed: %q", s.Waybill)
	}
	got, err := db.Shipment(ctx, "7300000001")
	if err != nil {
		t.Fatal(err)
	}
	if !got.CreatedAt.Equal(clk.Now()) || !got.UpdatedAt.Equal(clk.Now()) {
		t.Errorf("timestamps = %v %v, want %v", got.CreatedAt, got.UpdatedAt, clk.Now())
	}
	if got.MilestoneTime(store.MilestoneOrdered).IsZero() {
		t.Errorf("MilestoneAt[ordered] not set: %v", got.MilestoneAt)
	}
	if got.RecipientName != "王芳" || got.RecipientAddr != s.RecipientAddr || got.PayType != "SHIPPER" {
		t.Errorf("Shipment = %+v", got)
	}
	if _, err := db.Shipment(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Shipment(nope) err = %v, want store.ErrNotFound", err)
	}
}

func testCreateShipmentErrors(t *testing.T, op Opener) {
	db, _ := openStore(t, op)
	ctx := context.Background()
	mustCreate(t, db, testShipment("7300000001"))
	before, _ := db.Counts(ctx, time.Now(), 3)

	other := testShipment("7300000001")
	other.Carrier = "yuantong"
	bad := testShipment("7300000002")
	bad.Milestone = store.Milestone(99)
	tests := []struct {
		name  string
		s     *store.Shipment
		want  error
		field string
	}{
		{"empty waybill", testShipment("  "), store.ErrInvalid, "waybill"},
		{"space in waybill", testShipment("73 01"), store.ErrInvalid, "waybill"},
		{"empty carrier", &store.Shipment{Waybill: "7300000003"}, store.ErrInvalid, "carrier"},
		{"bad milestone", bad, store.ErrInvalid, "milestone"},
		{"other carrier", other, store.ErrDuplicate, "yuantong"},
		{"same carrier", testShipment("7300000001"), store.ErrExists, "7300000001"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := db.CreateShipment(ctx, tc.s)
			if !errors.Is(err, tc.want) {
				t.Fatalf("CreateShipment err = %v, want %v", err, tc.want)
			}
			if tc.s.MilestoneAt != nil || !tc.s.UpdatedAt.IsZero() {
				t.Errorf("failed create changed its input: %+v", tc.s)
			}
			if !strings.Contains(err.Error(), tc.field) {
				t.Errorf("error %q does not name %q", err, tc.field)
			}
		})
	}
	after, _ := db.Counts(ctx, time.Now(), 3)
	if after.Total != before.Total || fmt.Sprint(after.ByCarrier) != fmt.Sprint(before.ByCarrier) {
		t.Errorf("bad input changed counters: %+v -> %+v", before, after)
	}
	n := 0
	db.AllShipments(ctx, func(store.Shipment) error { n++; return nil })
	if n != 1 {
		t.Errorf("%d shipments stored, want 1", n)
	}
	if got, _, _ := db.ShipmentsByState(ctx, store.MilestoneOrdered, "", 10); len(got) != 1 {
		t.Errorf("state index has %d entries, want 1", len(got))
	}
}

func testUpdateShipmentMovesIndexesAndCounters(t *testing.T, op Opener) {
	db, clk := openStore(t, op)
	ctx := context.Background()
	s := testShipment("7300000001")
	s.NextPollAt = clk.Now().Add(time.Hour)
	mustCreate(t, db, s)
	mustCreate(t, db, testShipment("7300000002"))

	clk.Add(2 * time.Hour)
	got, err := db.UpdateShipment(ctx, "7300000001", func(s *store.Shipment) error {
		s.Milestone = store.MilestoneInTransit
		s.Carrier = "yuantong"
		s.RecipientPhone = "139 0000 2222"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !got.UpdatedAt.Equal(clk.Now()) || got.MilestoneTime(store.MilestoneInTransit).IsZero() {
		t.Errorf("UpdateShipment result = %+v", got)
	}
	page, _, _ := db.ShipmentsByState(ctx, store.MilestoneOrdered, "", 10)
	if w := waybills(page); !slices.Equal(w, []string{"7300000002"}) {
		t.Errorf("ordered = %v", w)
	}
	page, _, _ = db.ShipmentsByState(ctx, store.MilestoneInTransit, "", 10)
	if w := waybills(page); !slices.Equal(w, []string{"7300000001"}) {
		t.Errorf("in transit = %v", w)
	}
	if ss, _ := db.ShipmentsByPhone(ctx, "1111", 0); len(ss) != 1 {
		t.Errorf("old phone still finds %v", waybills(ss))
	}
	if ss, _ := db.ShipmentsByPhone(ctx, "2222", 0); len(ss) != 1 || ss[0].Waybill != "7300000001" {
		t.Errorf("new phone finds %v", waybills(ss))
	}
	c, err := db.Counts(ctx, clk.Now(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if c.ByMilestone[store.MilestoneOrdered] != 1 || c.ByMilestone[store.MilestoneInTransit] != 1 || c.ByCarrier["yuantong"] != 1 || c.ByCarrier["zhongtong"] != 1 {
		t.Errorf("Counts = %+v", c)
	}
	due, _ := db.ShipmentsDue(ctx, clk.Now(), 0)
	if w := waybills(due); !slices.Equal(w, []string{"7300000001"}) {
		t.Errorf("due = %v", w)
	}

	// Delivered: counted that day, gone from the due list.
	if _, err := db.UpdateShipment(ctx, "7300000001", func(s *store.Shipment) error { s.Milestone = store.MilestoneDelivered; return nil }); err != nil {
		t.Fatal(err)
	}
	if due, _ := db.ShipmentsDue(ctx, clk.Now(), 0); len(due) != 0 {
		t.Errorf("terminal shipment still due: %v", waybills(due))
	}
	c, _ = db.Counts(ctx, clk.Now(), 1)
	if c.Delivered != 1 || c.Days[0].Delivered != 1 || c.Active != 1 || c.Total != 2 {
		t.Errorf("Counts after delivery = %+v", c)
	}
}

func testUpdateShipmentRejects(t *testing.T, op Opener) {
	db, _ := openStore(t, op)
	ctx := context.Background()
	mustCreate(t, db, testShipment("7300000001"))
	errMine := errors.New("mine")
	tests := []struct {
		name string
		fn   func(*store.Shipment) error
		want error
	}{
		{"fn error", func(s *store.Shipment) error { s.Milestone = store.MilestoneDelivered; return errMine }, errMine},
		{"waybill change", func(s *store.Shipment) error { s.Waybill = "other"; return nil }, store.ErrInvalid},
		{"bad milestone", func(s *store.Shipment) error { s.Milestone = 200; return nil }, store.ErrInvalid},
		{"empty carrier", func(s *store.Shipment) error { s.Carrier = ""; return nil }, store.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := db.UpdateShipment(ctx, "7300000001", tc.fn); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			s, _ := db.Shipment(ctx, "7300000001")
			if s.Milestone != store.MilestoneOrdered || s.Carrier != "zhongtong" {
				t.Errorf("rejected update was written: %+v", s)
			}
		})
	}
	if _, err := db.UpdateShipment(ctx, "missing", func(*store.Shipment) error { return nil }); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing: err = %v", err)
	}
}

func testLookups(t *testing.T, op Opener) {
	db, clk := openStore(t, op)
	ctx := context.Background()
	people := []struct{ wb, name, phone string }{
		{"A1", "王芳", "13700001111"},
		{"A2", "王芳芳", "13800001111"},
		{"A3", "王芳", "+86 137-0000-1111"},
		{"A4", "李四", "13900002222"},
		{"A5", "Wang Fang", "022-23346655"},
	}
	for _, p := range people {
		s := testShipment(p.wb)
		s.RecipientName, s.RecipientPhone = p.name, p.phone
		mustCreate(t, db, s)
		clk.Add(time.Minute)
	}
	tests := []struct {
		name  string
		query func() ([]store.Shipment, error)
		want  []string
	}{
		{"full phone", func() ([]store.Shipment, error) { return db.ShipmentsByPhone(ctx, "137 0000 1111", 0) }, []string{"A3", "A1"}},
		{"last4", func() ([]store.Shipment, error) { return db.ShipmentsByPhone(ctx, "1111", 0) }, []string{"A3", "A2", "A1"}},
		{"last4 limit", func() ([]store.Shipment, error) { return db.ShipmentsByPhone(ctx, "1111", 2) }, []string{"A3", "A2"}},
		{"landline", func() ([]store.Shipment, error) { return db.ShipmentsByPhone(ctx, "23346655", 0) }, []string{"A5"}},
		{"no phone", func() ([]store.Shipment, error) { return db.ShipmentsByPhone(ctx, "9999", 0) }, nil},
		{"exact name first", func() ([]store.Shipment, error) { return db.ShipmentsByName(ctx, "王芳", 0) }, []string{"A3", "A1", "A2"}},
		{"name limit", func() ([]store.Shipment, error) { return db.ShipmentsByName(ctx, "王芳", 2) }, []string{"A3", "A1"}},
		{"prefix", func() ([]store.Shipment, error) { return db.ShipmentsByName(ctx, "王", 0) }, []string{"A3", "A2", "A1"}},
		{"case", func() ([]store.Shipment, error) { return db.ShipmentsByName(ctx, "wang  FANG", 0) }, []string{"A5"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.query()
			if err != nil {
				t.Fatal(err)
			}
			if w := waybills(got); !slices.Equal(w, tc.want) && !(len(w) == 0 && len(tc.want) == 0) {
				t.Errorf("got %v, want %v", w, tc.want)
			}
		})
	}
	if _, err := db.ShipmentsByPhone(ctx, "111", 0); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("3 digits: err = %v, want store.ErrInvalid", err)
	}
}

func testShipmentsByStatePaging(t *testing.T, op Opener) {
	db, clk := openStore(t, op)
	ctx := context.Background()
	var want []string
	for i := range 23 {
		wb := fmt.Sprintf("P%03d", i)
		mustCreate(t, db, testShipment(wb))
		want = append([]string{wb}, want...) // newest first
		clk.Add(time.Second)
	}
	var got []string
	after := ""
	pages := 0
	for {
		page, next, err := db.ShipmentsByState(ctx, store.MilestoneOrdered, after, 10)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		got = append(got, waybills(page)...)
		if next == "" {
			break
		}
		after = next
	}
	if !slices.Equal(got, want) || pages != 3 {
		t.Errorf("pages = %d, got %v, want %v", pages, got, want)
	}
	if _, _, err := db.ShipmentsByState(ctx, store.MilestoneOrdered, "zz", 10); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("bad cursor: err = %v", err)
	}
}

func testShipmentsByDayAndDue(t *testing.T, op Opener) {
	db, clk := openStore(t, op)
	ctx := context.Background()
	day1 := clk.Now()
	// 23:30 local on day 1 and 00:30 local on day 2 fall on different days.
	late := testShipment("D1")
	late.CreatedAt = time.Date(2026, 11, 26, 23, 30, 0, 0, Shanghai)
	early := testShipment("D2")
	early.CreatedAt = time.Date(2026, 11, 27, 0, 30, 0, 0, Shanghai)
	early.NextPollAt = day1.Add(-time.Minute)
	mid := testShipment("D0")
	mid.NextPollAt = day1.Add(time.Minute)
	for _, s := range []*store.Shipment{late, early, mid} {
		mustCreate(t, db, s)
	}
	got, _ := db.ShipmentsByDay(ctx, day1, day1, 0)
	if w := waybills(got); !slices.Equal(w, []string{"D0", "D1"}) {
		t.Errorf("day 1 = %v", w)
	}
	got, _ = db.ShipmentsByDay(ctx, day1, day1.AddDate(0, 0, 1), 0)
	if w := waybills(got); !slices.Equal(w, []string{"D0", "D1", "D2"}) {
		t.Errorf("two days = %v", w)
	}
	got, _ = db.ShipmentsDue(ctx, day1, 0)
	if w := waybills(got); !slices.Equal(w, []string{"D2"}) {
		t.Errorf("due = %v", w)
	}
	got, _ = db.ShipmentsDue(ctx, day1.Add(time.Hour), 1)
	if w := waybills(got); !slices.Equal(w, []string{"D2"}) {
		t.Errorf("due limit 1 = %v", w)
	}
	c, _ := db.Counts(ctx, day1.AddDate(0, 0, 1), 2)
	if c.Days[0].Created != 2 || c.Days[1].Created != 1 || c.Days[1].Day != "2026-11-27" {
		t.Errorf("days = %+v", c.Days)
	}
}

func testWalks(t *testing.T, op Opener) {
	db, _ := openStore(t, op)
	ctx := context.Background()
	n := 500*2 + 7 // crosses the engines' 500-record chunk boundaries
	for i := range n {
		s := testShipment(fmt.Sprintf("W%05d", i))
		if i%3 == 0 {
			s.Milestone = store.MilestoneDelivered
		}
		mustCreate(t, db, s)
	}
	all, active := 0, 0
	if err := db.AllShipments(ctx, func(store.Shipment) error { all++; return nil }); err != nil {
		t.Fatal(err)
	}
	// The callback may write: walks run outside transactions.
	err := db.ActiveShipments(ctx, func(s store.Shipment) error {
		active++
		if s.Milestone.Terminal() {
			t.Errorf("%s is terminal", s.Waybill)
		}
		_, err := db.UpdateShipment(ctx, s.Waybill, func(s *store.Shipment) error { s.PollsToday++; return nil })
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if all != n || active != n-(n+2)/3 {
		t.Errorf("all = %d active = %d, want %d %d", all, active, n, n-(n+2)/3)
	}
	stop := errors.New("stop")
	calls := 0
	if err := db.AllShipments(ctx, func(store.Shipment) error { calls++; return stop }); err != stop || calls != 1 {
		t.Errorf("stop: err = %v after %d calls", err, calls)
	}
}
