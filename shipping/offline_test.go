package shipping

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"shipdesk/internal/testkit"
	"shipdesk/kuaidi100"
	"shipdesk/store"
)

// cutter stands between the station and the sandbox: while down it drops
// every connection, as a network outage does.
type cutter struct {
	down atomic.Bool
	next http.Handler
	cut  atomic.Int64 // requests dropped
}

func (c *cutter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if c.down.Load() {
		c.cut.Add(1)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
		return
	}
	c.next.ServeHTTP(w, r)
}

func TestAnHourOfflineFiftyOrdersOneWaybillAndOneLabelEach(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	cut := &cutter{next: e.sb}
	srv := httptest.NewServer(cut)
	t.Cleanup(srv.Close)
	cfg := e.sb.Credentials()
	cfg.BaseURL = srv.URL
	clock := testkit.NewClock(time.Now()) // the service's clock; the test moves it
	d := e.deps
	d.Waybills = kuaidi100.New(cfg)
	d.Now = clock.Now
	d.Station = "前台1"
	svc := New(d)
	st, _ := e.db.Settings(ctx)
	st.Counter.WaitingMaxMinutes = 30
	if err := e.db.SaveSettings(ctx, st); err != nil {
		t.Fatal(err)
	}

	// The network goes; the clerk takes 50 orders over the hour.
	cut.down.Store(true)
	var ids []string
	for i := range 50 {
		res, err := svc.Ship(ctx, frontDesk, testOrder(i+1), ShipOptions{})
		var we *WaitingError
		if !errors.As(err, &we) || !errors.Is(err, ErrWaitingForNumber) || res == nil || res.Order.Waybill != "" {
			t.Fatalf("order %d while offline: %v", i, err)
		}
		if msg := Describe(err); !strings.Contains(msg, "待取号") {
			t.Fatalf("the clerk reads %q", msg)
		}
		ids = append(ids, we.OrderID)
		clock.Add(time.Minute)
	}
	waiting, err := svc.Waiting(ctx, frontDesk)
	if err != nil || len(waiting) != 50 {
		t.Fatalf("waiting %d, %v", len(waiting), err)
	}
	if waiting[0].Waiting.Station != "前台1" || waiting[0].Step != store.StepSaved {
		t.Errorf("waiting order %+v", waiting[0])
	}
	// The same order submitted again (the clerk pressed again) is the same
	// waiting order, not a 51st.
	if _, err := svc.Ship(ctx, frontDesk, testOrder(1), ShipOptions{}); !errors.Is(err, ErrWaitingForNumber) {
		t.Fatalf("again: %v", err)
	}
	if w, _ := svc.Waiting(ctx, frontDesk); len(w) != 50 {
		t.Fatalf("submitting again made %d waiting", len(w))
	}

	var done []*ShipResult
	r := svc.NewRetrier(30*time.Second, 10*time.Minute)
	r.Listen(func(res *ShipResult, err error) {
		if err != nil {
			t.Errorf("retrier: %v", err)
			return
		}
		done = append(done, res)
	})
	// The retrier keeps trying with backoff for the rest of the hour.
	rounds, waits := 0, []time.Duration{}
	for start := clock.Now(); clock.Now().Sub(start) < 20*time.Minute; rounds++ {
		w := r.RetryDue(ctx)
		waits = append(waits, w)
		clock.Add(w)
	}
	if len(done) != 0 || len(e.shipments()) != 0 {
		t.Fatalf("got numbers while offline: %d", len(done))
	}
	if waits[0] != 30*time.Second || waits[1] != time.Minute || waits[len(waits)-1] != 10*time.Minute {
		t.Errorf("backoff %v", waits)
	}
	if n, err := svc.CheckWaiting(ctx); err != nil || n != 50 {
		t.Errorf("after the manager's 30 minutes: %d exceptions, %v", n, err)
	}

	// The network is back: one round issues every number and prints every label.
	cut.down.Store(false)
	clock.Add(10 * time.Minute)
	r.RetryDue(ctx)
	if len(done) != 50 {
		t.Fatalf("%d orders done after the network returned", len(done))
	}
	seen := map[string]bool{}
	for _, res := range done {
		if res.Order.Step != store.StepDone || res.Order.Waybill == "" || res.Order.Waiting != nil || seen[res.Order.Waybill] {
			t.Fatalf("order %+v", res.Order)
		}
		seen[res.Order.Waybill] = true
		jobs := e.jobs(res.Order.Waybill)
		if len(jobs) != 1 || jobs[0].State != store.JobSent || jobs[0].Reprint {
			t.Errorf("%s: jobs %+v", res.Order.Waybill, jobs)
		}
	}
	if n := len(e.shipments()); n != 50 {
		t.Errorf("%d shipments", n)
	}
	if issued := e.logs.Count("sandbox: issued"); issued != 50 {
		t.Errorf("the sandbox issued %d waybills for 50 orders", issued)
	}
	files, err := os.ReadDir(filepath.Join(e.dir, "labels"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 50 {
		t.Errorf("the printer got %d labels", len(files))
	}
	if w, _ := svc.Waiting(ctx, frontDesk); len(w) != 0 {
		t.Errorf("still waiting: %d", len(w))
	}
	// Nothing is issued or printed twice by later rounds.
	clock.Add(time.Hour)
	r.RetryDue(ctx)
	if len(done) != 50 || len(e.shipments()) != 50 {
		t.Errorf("a later round did more: %d", len(done))
	}
	_ = ids
}
