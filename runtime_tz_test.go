package main

import (
	"strings"
	"testing"
	"time"

	"shipdesk/store"
)

// TestRuntimeKeepsClinicTime: the store's days follow the clinic's clock
// (UTC+8) whatever the machine's zone, so at 17:30 UTC on 26 November, which
// is 01:30 on the 27th in Tianjin, a new order is numbered for the 27th and
// counted on that day.
func TestRuntimeKeepsClinicTime(t *testing.T) {
	now := time.Date(2026, 11, 26, 17, 30, 0, 0, time.UTC)
	rt, err := openRuntime(t.Context(), &globals{DataDir: t.TempDir()}, runtimeOptions{Clock: func() time.Time { return now }, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	o := store.Order{Recipient: store.Party{Name: "王芳", Phone: "13700001111", Address: "天津市河西区友谊路32号"}, Carrier: "zhongtong"}
	if err := rt.DB.SaveOrder(t.Context(), &o); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(o.ID, "SD20261127-") {
		t.Fatalf("order id %q: want the Tianjin date SD20261127-…", o.ID)
	}
}
