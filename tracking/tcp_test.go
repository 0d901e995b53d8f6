package tracking

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"shipdesk/internal/testkit"
	"shipdesk/kuaidi100"
	"shipdesk/kuaidi100/sandbox"
	"shipdesk/store"
)

// TestOverTCPAccelerated runs the worker the way main does in demo mode,
// over real TCP listeners: the sandbox at 50,000x speed behind an
// httptest.Server, the push receiver behind another, and the worker on the
// sandbox's clock through AcceleratedClock. It waits (on OnChange, not on
// sleeps) until every parcel is finished. Once the worker is cancelled
// and the servers and the store are closed, not one goroutine started
// during the test may be left (over real sockets, so a goroutine snapshot
// rather than a synctest bubble checks it).
func TestOverTCPAccelerated(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time test")
	}
	// Registered first, so it runs last: after the deferred closes.
	before := testkit.LiveGoroutines()
	t.Cleanup(func() { testkit.CheckGoroutines(t, before) })
	ctx := t.Context()
	o := sandbox.DefaultOptions()
	o.Speed, o.Seed, o.DailyQuota, o.Tick = 50000, 3, 0, 20*time.Millisecond
	sb := sandbox.New(o)
	sbSrv := httptest.NewServer(sb)
	defer sbSrv.Close()
	now, after := AcceleratedClock(sb.Now, o.Speed)

	db, err := store.Open(filepath.Join(t.TempDir(), "shipdesk.db"), store.Options{NoSync: true, Now: now, Location: cst})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var handler http.Handler
	var hmu sync.Mutex
	pushSrv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		hmu.Lock()
		h := handler
		hmu.Unlock()
		h.ServeHTTP(rw, r)
	}))
	defer pushSrv.Close()
	cfg := sb.Credentials()
	cfg.BaseURL = sbSrv.URL
	client := kuaidi100.New(cfg)
	w := New(Config{DB: db, Client: client, Now: now, After: after, PushURL: pushSrv.URL + "/kuaidi100/push", Logf: t.Logf})
	hmu.Lock()
	handler = w.Handler()
	hmu.Unlock()

	const n = 5
	var mu sync.Mutex
	finished := map[string]bool{}
	done := make(chan struct{})
	cancel := w.OnChange(func(s store.Shipment) {
		mu.Lock()
		defer mu.Unlock()
		if s.Milestone.Terminal() && !finished[s.Waybill] {
			finished[s.Waybill] = true
			if len(finished) == n {
				close(done)
			}
		}
	})
	defer cancel()
	stopSB := run(ctx, t, sb.Run)
	stopW := run(ctx, t, w.Run)
	for i := range n {
		res, err := client.Order(ctx, kuaidi100.OrderRequest{
			OrderID: fmt.Sprintf("SD-TCP-%d", i), Com: "yuantong", Cargo: "眼镜", Count: 1, Weight: 0.5, Account: sandboxAccount("yuantong"),
			Recipient: kuaidi100.Party{Name: "张三", Phone: "13800001111", Address: "北京市朝阳区建国路1号"},
			Sender:    kuaidi100.Party{Name: "视光中心", Phone: "022-23346655", Address: "天津市南开区复康路4号"},
		})
		if err != nil {
			t.Fatal(err)
		}
		s := store.Shipment{Waybill: res.Waybill, Carrier: "yuantong", RecipientName: "张三", RecipientPhone: "13800001111",
			Milestone: store.MilestoneOrdered, CreatedAt: now(), PrintedAt: now()}
		if err := db.CreateShipment(ctx, &s); err != nil {
			t.Fatal(err)
		}
		if err := w.Subscribe(ctx, s.Waybill); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		mu.Lock()
		t.Errorf("after 2 minutes (%v simulated) only %d of %d parcels finished", time.Duration(120*o.Speed)*time.Second, len(finished), n)
		mu.Unlock()
	}
	stopW()
	stopSB()
	st := sb.Stats()
	for k, v := range st.Violations {
		if v != 0 {
			t.Errorf("violation %s: %d", k, v)
		}
	}
	if st.Pushes["sent"] == 0 {
		t.Errorf("no push reached the receiver over TCP: %v", st.Pushes)
	}
}
