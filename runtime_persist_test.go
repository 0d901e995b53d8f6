package main

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	goruntime "runtime"
	"testing"
	"time"

	"shipdesk/shipping"
	"shipdesk/store"
)

// demoSession is a demo runtime running in the background.
type demoSession struct {
	rt       *wiring
	ctx      context.Context
	cancel   context.CancelFunc
	done     chan error // Run's result, once run was called
	terminal chan store.Shipment
	stop     func()
}

func startDemo(t *testing.T, dir string, speed float64) *demoSession {
	t.Helper()
	for _, env := range []string{"KUAIDI100_KEY", "KUAIDI100_CUSTOMER"} {
		t.Setenv(env, "")
	}
	rt, err := openRuntime(t.Context(), &globals{DataDir: dir}, runtimeOptions{Worker: true, SandboxSpeed: speed, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	d := &demoSession{rt: rt, ctx: ctx, cancel: cancel, terminal: make(chan store.Shipment, 16)}
	d.stop = rt.Worker.OnChange(func(s store.Shipment) {
		if s.Milestone.Terminal() {
			d.terminal <- s
		}
	})
	return d
}

func (d *demoSession) run() {
	d.done = make(chan error, 1)
	go func() { d.done <- d.rt.Run(d.ctx) }()
}

// close stops the session as closing the app does.
func (d *demoSession) close(t *testing.T) {
	t.Helper()
	d.cancel()
	if d.done != nil {
		if err := <-d.done; err != nil {
			t.Errorf("run: %v", err)
		}
		d.done = nil
	}
	d.stop()
	d.rt.Close()
}

func (d *demoSession) ship(t *testing.T) string {
	t.Helper()
	o := store.Order{Recipient: store.Party{Name: "王芳", Phone: "13700001111", Address: "天津市河西区友谊路32号"},
		Sender: d.rt.Settings.Senders[0], Carrier: "zhongtong", Items: "眼镜", Count: 1, Weight: 0.5}
	res, err := d.rt.Service.Ship(t.Context(), shipping.User{Name: "前台", Role: store.RoleFrontDesk}, o, shipping.ShipOptions{})
	if err != nil || !res.Done() {
		t.Fatalf("ship: %v %+v", err, res.Order)
	}
	return res.Order.Waybill
}

// waitTerminal waits (on the worker's change feed) until waybill is terminal.
func (d *demoSession) waitTerminal(t *testing.T, waybill string) store.Shipment {
	t.Helper()
	timeout := time.After(60 * time.Second)
	for {
		select {
		case s := <-d.terminal:
			if s.Waybill == waybill {
				return s
			}
		case <-timeout:
			sh, _ := d.rt.DB.Shipment(t.Context(), waybill)
			t.Fatalf("%s still %s after a minute (subscription %+v)", waybill, sh.Milestone, sh.Subscription)
		}
	}
}

// shipThenReopen ships one parcel in a demo session as the app runs it
// (real time, DemoCompress), closes the app, optionally lets something
// take the old push port, and reopens the same data folder with an
// accelerated sandbox (which resumes the saved clock) so the parcel
// finishes in seconds. shipped is the sandbox's time just after the order.
func shipThenReopen(t *testing.T, takePushPort bool) (first, second *demoSession, waybill string, shipped time.Time) {
	dir := t.TempDir()
	first = startDemo(t, dir, 0) // the real-time demo
	first.run()
	waybill = first.ship(t)
	shipped = first.rt.Sandbox.Now()
	first.close(t)
	fi, err := os.Stat(filepath.Join(dir, sandboxStateFile))
	if err != nil || goruntime.GOOS != "windows" && fi.Mode().Perm() != 0o600 { // no Unix modes on NTFS
		t.Fatalf("sandbox state after close: %v %v", fi, err)
	}
	if takePushPort {
		ln, err := net.Listen("tcp", first.rt.PushListen)
		if err != nil {
			t.Fatalf("take the old push port: %v", err)
		}
		// Something else answers there now: a push delivered to it fails.
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "not shipdesk", http.StatusTeapot)
		})}
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
	}
	second = startDemo(t, dir, 200000)
	t.Cleanup(func() { second.close(t) })
	if st := second.rt.Sandbox.Stats(); st.Parcels != 1 || st.Active != 1 {
		t.Fatalf("reopened sandbox knows %d parcels, %d subscriptions; want the one shipped before", st.Parcels, st.Active)
	}
	return first, second, waybill, shipped
}

// checkTrace checks that the stored trace of waybill is the journey the
// sandbox planned when the order was placed (an unknown number would get
// a journey that began 6-96 hours before it was first seen).
func checkTrace(t *testing.T, rt *wiring, waybill string, shipped time.Time) {
	t.Helper()
	evs, err := rt.DB.Events(t.Context(), waybill)
	if err != nil || len(evs) < 5 {
		t.Fatalf("events %v %v", evs, err)
	}
	oldest := evs[0]
	for _, e := range evs {
		if e.Time.Before(oldest.Time) {
			oldest = e
		}
	}
	if oldest.RawState != "101" || oldest.Time.After(shipped) || shipped.Sub(oldest.Time) > time.Hour {
		t.Errorf("oldest event %+v; order placed before %s", oldest, shipped)
	}
}

// TestDemoRuntimeResumesAfterRestart: a parcel shipped in demo mode before
// the app was closed reaches delivered after it is reopened, through
// pushes to the same receiver address (no re-subscription).
func TestDemoRuntimeResumesAfterRestart(t *testing.T) {
	first, second, waybill, shipped := shipThenReopen(t, false)
	if second.rt.PushURL != first.rt.PushURL || second.rt.SandboxURL != first.rt.SandboxURL {
		t.Errorf("addresses not reused: push %s -> %s, sandbox %s -> %s", first.rt.PushURL, second.rt.PushURL, first.rt.SandboxURL, second.rt.SandboxURL)
	}
	second.run()
	s := second.waitTerminal(t, waybill)
	if s.Subscription.MonthCount != 1 || s.Subscription.CallbackURL != second.rt.PushURL {
		t.Errorf("terminal shipment: subscription %+v", s.Subscription)
	}
	checkTrace(t, second.rt, waybill, shipped)
	checkPushesClean(t, second.rt)
}

// TestDemoRuntimeResumesOnNewPushPort: when the old receiver port is taken
// the app listens on a new one, the sandbox's subscription follows it (no
// push is lost to the old port) and the worker's re-subscription stays
// within Kuaidi100's 4 a month.
func TestDemoRuntimeResumesOnNewPushPort(t *testing.T) {
	first, second, waybill, shipped := shipThenReopen(t, true)
	if second.rt.PushURL == first.rt.PushURL {
		t.Fatalf("push URL %s reused although the port is taken", second.rt.PushURL)
	}
	second.run()
	s := second.waitTerminal(t, waybill)
	if s.Subscription.MonthCount != 2 || s.Subscription.CallbackURL != second.rt.PushURL {
		t.Errorf("terminal shipment: subscription %+v", s.Subscription)
	}
	checkTrace(t, second.rt, waybill, shipped)
	checkPushesClean(t, second.rt)
}

// checkPushesClean: every push the sandbox sent arrived and nothing broke
// Kuaidi100's limits.
func checkPushesClean(t *testing.T, rt *wiring) {
	t.Helper()
	// The receiver reports the change before the sandbox's step that
	// pushed it has counted it; a Step waits for that one to finish.
	rt.Sandbox.Step(t.Context())
	st := rt.Sandbox.Stats()
	if st.Pushes["sent"] == 0 || st.Pushes["failed"] != 0 {
		t.Errorf("pushes %v; stats %+v", st.Pushes, st)
	}
	for k, n := range st.Violations {
		if n > 0 {
			t.Errorf("violation %s=%d", k, n)
		}
	}
}
