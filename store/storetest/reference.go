package storetest

import (
	"context"
	"errors"
	"shipdesk/store"
	"slices"
	"strings"
	"testing"
	"time"
)

func testShipmentsByReference(t *testing.T, op Opener) {
	db, clk := openStore(t, op)
	ctx := context.Background()
	for _, s := range []struct{ wb, ref, order string }{
		{"R1", "PJ20261126-001", "SD20261126-000001"},
		{"R2", "PJ20261126-002", "SD20261126-000002"},
		{"R3", "PJ20261126-001", "SD20261126-000003"}, // the same glasses order sent again
		{"R4", "PJ20261126-0010", "SD20261126-000004"},
		{"R5", "", "SD20261126-000005"},
		{"R6", "SD20261126-000006", "SD20261126-000006"}, // reference equal to the order id
		{"R7", "", ""},
	} {
		sh := testShipment(s.wb)
		sh.Reference, sh.OrderID = s.ref, s.order
		mustCreate(t, db, sh)
		clk.Add(time.Minute)
	}
	tests := []struct {
		q     string
		limit int
		want  []string
	}{
		{"PJ20261126-001", 0, []string{"R3", "R1"}},
		{"PJ20261126-001", 1, []string{"R3"}},
		{" pj20261126001\r\n", 0, []string{"R3", "R1"}}, // scanner Enter, no dash, lower case
		{"ＰＪ２０２６１１２６－００２", 0, []string{"R2"}},           // full-width input method
		{"PJ20261126 - 0010", 0, []string{"R4"}},
		{"SD20261126-000002", 0, []string{"R2"}},
		{"sd20261126000005", 0, []string{"R5"}},
		{"SD20261126-000006", 0, []string{"R6"}},
		{"PJ20261126-00", 0, nil}, // a prefix is not a match
		{"PJ20261126-003", 0, nil},
		{"R1", 0, nil}, // waybills are not references
	}
	for _, tc := range tests {
		got, err := db.ShipmentsByReference(ctx, tc.q, tc.limit)
		if err != nil {
			t.Fatalf("ShipmentsByReference(%q): %v", tc.q, err)
		}
		if w := waybills(got); !slices.Equal(w, tc.want) && !(len(w) == 0 && len(tc.want) == 0) {
			t.Errorf("ShipmentsByReference(%q, %d) = %v, want %v", tc.q, tc.limit, w, tc.want)
		}
	}
	for _, q := range []string{"", "  ", " - \t"} {
		if _, err := db.ShipmentsByReference(ctx, q, 0); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("ShipmentsByReference(%q) err = %v, want store.ErrInvalid", q, err)
		}
	}
	// Two entries each for R1-R4, one for R5 (no reference) and R6 (reference
	// equal to the order id), none for R7.
}

func testUpdateShipmentMovesReferenceIndex(t *testing.T, op Opener) {
	db, clk := openStore(t, op)
	ctx := context.Background()
	mustCreate(t, db, testShipment("U1"))
	clk.Add(time.Minute)
	if _, err := db.UpdateShipment(ctx, "U1", func(s *store.Shipment) error {
		s.Reference = "PJ20261127-009"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	find := func(q string) []string {
		t.Helper()
		got, err := db.ShipmentsByReference(ctx, q, 0)
		if err != nil {
			t.Fatal(err)
		}
		return waybills(got)
	}
	if w := find("PJ20261126-001"); len(w) != 0 {
		t.Errorf("old reference still finds %v", w)
	}
	if w := find("PJ20261127-009"); !slices.Equal(w, []string{"U1"}) {
		t.Errorf("new reference finds %v", w)
	}
	if _, err := db.UpdateShipment(ctx, "U1", func(s *store.Shipment) error {
		s.Reference = ""
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if w := find("PJ20261127-009"); len(w) != 0 {
		t.Errorf("cleared reference still finds %v", w)
	}
	if w := find("SD20261126-000001"); !slices.Equal(w, []string{"U1"}) {
		t.Errorf("order id finds %v", w)
	}
	// A rejected update leaves the index alone.
	boom := errors.New("boom")
	if _, err := db.UpdateShipment(ctx, "U1", func(s *store.Shipment) error {
		s.OrderID = "SD20261127-000009"
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if w := find("SD20261127-000009"); len(w) != 0 {
		t.Errorf("rejected update indexed %v", w)
	}
}

func testReferenceKeyEdges(t *testing.T, op Opener) {
	db, _ := openStore(t, op)
	ctx := context.Background()
	long := "PJ" + strings.Repeat("长", 200) // 602 bytes, beyond maxRefKey
	odd := "PJ\x00\x01-7\u2014A"            // NUL and control characters never reach the key
	for i, ref := range []string{long, odd} {
		s := testShipment(string(rune('X' + i)))
		s.Reference, s.OrderID = ref, ""
		mustCreate(t, db, s)
	}
	if got, err := db.ShipmentsByReference(ctx, long, 0); err != nil || !slices.Equal(waybills(got), []string{"X"}) {
		t.Errorf("long reference: %v, %v", waybills(got), err)
	}
	if got, err := db.ShipmentsByReference(ctx, "pj7a", 0); err != nil || !slices.Equal(waybills(got), []string{"Y"}) {
		t.Errorf("reference with control characters: %v, %v", waybills(got), err)
	}
}
