package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"shipdesk/internal/testkit"
	"shipdesk/shipping"
	"shipdesk/store"
)

// The real clock of a demo runtime under test is a testkit.Clock: it moves
// only when the test says so, pinned to a morning so that no journey
// crosses midnight.

func openDemoAt(t *testing.T, dir string, clk *testkit.Clock) *wiring {
	t.Helper()
	for _, env := range []string{"KUAIDI100_KEY", "KUAIDI100_CUSTOMER"} {
		t.Setenv(env, "")
	}
	rt, err := openRuntime(t.Context(), &globals{DataDir: dir}, runtimeOptions{Worker: true, Clock: clk.Now, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	return rt
}

// runDemo runs rt until the test ends.
func runDemo(t *testing.T, rt *wiring) {
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- rt.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
		rt.Close()
	})
}

func shipDemo(t *testing.T, rt *wiring, n int) []string {
	t.Helper()
	var out []string
	for i := range n {
		o := store.Order{Recipient: store.Party{Name: "王芳", Phone: fmt.Sprintf("137000011%02d", i), Address: "天津市河西区友谊路32号"},
			Sender: rt.Settings.Senders[0], Carrier: "zhongtong", Items: "眼镜", Count: 1, Weight: 0.5, Reference: fmt.Sprintf("R%d", i)}
		res, err := rt.Service.Ship(t.Context(), shipping.User{Name: "前台", Role: store.RoleFrontDesk}, o, shipping.ShipOptions{})
		if err != nil || !res.Done() {
			t.Fatalf("ship: %v %+v", err, res.Order)
		}
		out = append(out, res.Order.Waybill)
	}
	return out
}

// stepUntilTerminal moves the demo clock in 10-second steps, letting the
// sandbox deliver what is due (the push handler commits before it
// replies, so the store is up to date when Step returns), until every
// waybill is terminal or limit has passed. It returns the shipments.
func stepUntilTerminal(t *testing.T, rt *wiring, clk *testkit.Clock, waybills []string, limit time.Duration) []store.Shipment {
	t.Helper()
	ctx := t.Context()
	for end := clk.Now().Add(limit); ; {
		var out []store.Shipment
		for _, w := range waybills {
			sh, err := rt.DB.Shipment(ctx, w)
			if err != nil {
				t.Fatal(err)
			}
			if sh.Milestone.Terminal() {
				out = append(out, sh)
			}
		}
		if len(out) == len(waybills) {
			return out
		}
		if !clk.Now().Before(end) {
			t.Fatalf("%d of %d parcels terminal after %s of real time", len(out), len(waybills), limit)
		}
		clk.Add(10 * time.Second)
		rt.Sandbox.Step(ctx)
	}
}

// checkEvents checks that no stored event of waybill lies after now or
// before the order.
func checkEvents(t *testing.T, rt *wiring, sh store.Shipment, now time.Time) {
	t.Helper()
	evs, err := rt.DB.Events(t.Context(), sh.Waybill)
	if err != nil || len(evs) < 5 {
		t.Fatalf("%s: events %v %v", sh.Waybill, evs, err)
	}
	for _, e := range evs {
		if e.Time.After(now) || e.Time.Before(sh.CreatedAt.Add(-time.Second)) {
			t.Errorf("%s: event %q at %s; shipped %s, now %s", sh.Waybill, e.Context, e.Time, sh.CreatedAt, now)
		}
	}
}

// TestDemoDeliveredToday: in demo mode the sandbox and the app share the
// real clock; parcels shipped this morning are delivered this morning,
// within minutes, through pushes, and the dashboard counts them as
// delivered today, on time.
func TestDemoDeliveredToday(t *testing.T) {
	clk := testkit.NewClock(time.Date(2026, 11, 26, 10, 0, 0, 0, time.Local))
	rt := openDemoAt(t, t.TempDir(), clk)
	if st := rt.Sandbox.Stats(); st.Speed != 1 || st.Compress != DemoCompress || !st.Now.Equal(clk.Now()) {
		t.Fatalf("demo sandbox: speed %g, compress %g, clock %s (real %s)", st.Speed, st.Compress, st.Now, clk.Now())
	}
	runDemo(t, rt)
	shipped := clk.Now()
	// Four parcels: a refused or returned journey (6 % of them) is
	// terminal without being delivered; at least one is delivered.
	waybills := shipDemo(t, rt, 4)
	final := stepUntilTerminal(t, rt, clk, waybills, 40*time.Minute)
	now := clk.Now()

	delivered := 0
	for _, sh := range final {
		checkEvents(t, rt, sh, now)
		if sh.Milestone != store.MilestoneDelivered {
			continue
		}
		delivered++
		at := sh.MilestoneTime(store.MilestoneDelivered)
		if at.YearDay() != shipped.YearDay() || at.Before(shipped) || at.Sub(shipped) > 30*time.Minute {
			t.Errorf("%s delivered at %s, shipped at %s: want the same morning, within 30 minutes", sh.Waybill, at, shipped)
		}
		if c := sh.CreatedAt; !c.Equal(shipped) {
			t.Errorf("%s created at %s, want the demo clock's %s", sh.Waybill, c, shipped)
		}
	}
	if delivered == 0 {
		t.Fatalf("none of %d parcels delivered: %+v", len(final), final)
	}
	stats, err := rt.Service.Stats(t.Context(), shipping.System, now)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Today.Day != shipped.Format("2006-01-02") || stats.Today.Delivered != delivered || stats.Today.Created != len(waybills) {
		t.Errorf("today %+v; want %d created, %d delivered", stats.Today, len(waybills), delivered)
	}
	if last := stats.PerDay[len(stats.PerDay)-1]; last.Delivered != delivered {
		t.Errorf("chart's last day %+v", last)
	}
	if len(stats.ByCarrier) != 1 || stats.ByCarrier[0].Delivered != delivered || stats.ByCarrier[0].OnTimeRate != 1 {
		t.Errorf("by carrier %+v", stats.ByCarrier)
	}
	st := rt.Sandbox.Stats()
	if st.Pushes["sent"] < len(waybills)*3 || st.Pushes["failed"] != 0 {
		t.Errorf("pushes %v", st.Pushes)
	}
	for k, n := range st.Violations {
		if n > 0 {
			t.Errorf("violation %s=%d", k, n)
		}
	}
}

// TestDemoRealTimeRestart: the demo sandbox's clock is the real one across
// a restart. Parcels shipped before the app was closed travelled while it
// was closed, as real ones do: after an hour away they are terminal with
// times between the close and the reopening, none in the future.
func TestDemoRealTimeRestart(t *testing.T) {
	dir := t.TempDir()
	clk := testkit.NewClock(time.Date(2026, 11, 26, 9, 0, 0, 0, time.Local))
	rt := openDemoAt(t, dir, clk)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- rt.Run(ctx) }()
	waybills := shipDemo(t, rt, 2)
	clk.Add(time.Minute)
	rt.Sandbox.Step(t.Context()) // the first check: ordered
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	rt.Close()
	closed := clk.Now()

	clk.Add(time.Hour)
	rt = openDemoAt(t, dir, clk)
	if now := rt.Sandbox.Now(); !now.Equal(clk.Now()) {
		t.Fatalf("reopened demo sandbox at %s, want the real clock %s (closed at %s)", now, clk.Now(), closed)
	}
	if st := rt.Sandbox.Stats(); st.Parcels != 2 || st.Active != 2 {
		t.Fatalf("reopened sandbox knows %d parcels, %d subscriptions", st.Parcels, st.Active)
	}
	runDemo(t, rt)
	// The next check (15 real seconds at most) pushes what happened meanwhile.
	final := stepUntilTerminal(t, rt, clk, waybills, 2*time.Minute)
	for _, sh := range final {
		checkEvents(t, rt, sh, clk.Now())
		if at := sh.LastEventAt; !at.After(closed) || at.After(clk.Now().Add(-2*time.Minute)) {
			t.Errorf("%s: last event at %s; closed %s, reopened %s", sh.Waybill, at, closed, clk.Now())
		}
		if sh.Subscription.MonthCount != 1 {
			t.Errorf("%s re-subscribed: %+v", sh.Waybill, sh.Subscription)
		}
	}
}
