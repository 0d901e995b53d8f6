package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shipdesk/assets/i18n"
	"shipdesk/shipping"
	"shipdesk/store"
)

func TestRuntimeModes(t *testing.T) {
	for _, env := range []string{"KUAIDI100_KEY", "KUAIDI100_CUSTOMER", "KUAIDI100_SECRET", "KUAIDI100_USERID"} {
		t.Setenv(env, "")
	}
	ctx := t.Context()
	open := func(g *globals, opt runtimeOptions) *wiring {
		t.Helper()
		rt, err := openRuntime(ctx, g, opt)
		if err != nil {
			t.Fatal(err)
		}
		return rt
	}

	// Nothing configured: demo with the built-in sandbox and the virtual printer.
	dir := t.TempDir()
	rt := open(&globals{DataDir: dir}, runtimeOptions{Worker: true})
	if !rt.Demo || rt.Sandbox == nil || !strings.HasPrefix(rt.SandboxURL, "http://127.0.0.1:") ||
		!strings.HasPrefix(rt.PushURL, "http://127.0.0.1:") || !strings.HasSuffix(rt.PushURL, "/kuaidi100/push") ||
		rt.DefaultPrinter != "virtual:///"+strings.TrimPrefix(filepath.ToSlash(filepath.Join(dir, "labels")), "/") {
		t.Errorf("demo runtime: demo=%v sandbox=%v url=%s push=%s printer=%s", rt.Demo, rt.Sandbox != nil, rt.SandboxURL, rt.PushURL, rt.DefaultPrinter)
	}
	rt.Close()

	// --api-base: that sandbox, demo credentials, push settings remembered.
	rt = open(&globals{DataDir: dir, APIBase: "http://127.0.0.1:1"}, runtimeOptions{PushListen: "127.0.0.1:8099"})
	if !rt.Demo || rt.Sandbox != nil || rt.Client.Config().BaseURL != "http://127.0.0.1:1" || rt.Client.Config().Key == "" ||
		rt.PushURL != "http://127.0.0.1:8099/kuaidi100/push" || rt.Mode != i18n.F("sandbox at %s", "http://127.0.0.1:1") {
		t.Errorf("api-base runtime: %+v push %s mode %s", rt.Client.Config().BaseURL, rt.PushURL, rt.Mode)
	}
	rt.Close()
	rt = open(&globals{DataDir: dir, APIBase: "http://127.0.0.1:1"}, runtimeOptions{})
	if rt.Settings.Tracking.PushListen != "127.0.0.1:8099" || rt.PushURL != "http://127.0.0.1:8099/kuaidi100/push" {
		t.Errorf("push address not remembered: %+v %s", rt.Settings.Tracking, rt.PushURL)
	}
	rt.Close()

	// Production: settings say so and the environment has credentials.
	db, err := store.Open(filepath.Join(dir, "shipdesk.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st, _ := db.Settings(ctx)
	st.Mode = "production"
	if err := db.SaveSettings(ctx, st); err != nil {
		t.Fatal(err)
	}
	db.Close()
	t.Setenv("KUAIDI100_KEY", "k")
	t.Setenv("KUAIDI100_CUSTOMER", "c")
	rt = open(&globals{DataDir: dir}, runtimeOptions{})
	if rt.Demo || rt.Sandbox != nil || rt.Mode != i18n.T("production") || rt.Client.Config().BaseURL != "" || rt.Client.Config().Key != "k" {
		t.Errorf("production runtime: demo=%v mode=%s base=%q", rt.Demo, rt.Mode, rt.Client.Config().BaseURL)
	}
	rt.Close()
	// --sandbox wins over everything.
	rt = open(&globals{DataDir: dir, Sandbox: true}, runtimeOptions{})
	if !rt.Demo || rt.Sandbox == nil {
		t.Error("--sandbox did not start the sandbox")
	}
	rt.Close()
}

// TestDemoRuntimeParcelMoves runs the GUI's wiring in demo mode with a very
// fast sandbox: a shipped parcel reaches a terminal state through pushes to
// the local receiver.
func TestDemoRuntimeParcelMoves(t *testing.T) {
	for _, env := range []string{"KUAIDI100_KEY", "KUAIDI100_CUSTOMER"} {
		t.Setenv(env, "")
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	rt, err := openRuntime(ctx, &globals{DataDir: t.TempDir()}, runtimeOptions{Worker: true, SandboxSpeed: 200000, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	terminal := make(chan store.Shipment, 1)
	stop := rt.Worker.OnChange(func(s store.Shipment) {
		if s.Milestone.Terminal() {
			select {
			case terminal <- s:
			default:
			}
		}
	})
	defer stop()
	done := make(chan error, 1)
	go func() { done <- rt.Run(ctx) }()
	o := store.Order{Recipient: store.Party{Name: "王芳", Phone: "13700001111", Address: "天津市河西区友谊路32号"},
		Sender: rt.Settings.Senders[0], Carrier: "zhongtong", Items: "眼镜", Count: 1, Weight: 0.5}
	res, err := rt.Service.Ship(ctx, shipping.User{Name: "前台", Role: store.RoleFrontDesk}, o, shipping.ShipOptions{})
	if err != nil || !res.Done() || res.Job.State != store.JobSent {
		t.Fatalf("ship: %v %+v %+v", err, res.Order, res.Job)
	}
	select {
	case s := <-terminal:
		if s.Waybill != res.Order.Waybill {
			t.Errorf("terminal %s, shipped %s", s.Waybill, res.Order.Waybill)
		}
	case <-time.After(60 * time.Second):
		sh, _ := rt.DB.Shipment(ctx, res.Order.Waybill)
		t.Fatalf("parcel still %s after a minute (subscription %+v)", sh.Milestone, sh.Subscription)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run: %v", err)
	}
	if v := rt.Sandbox.Stats().Violations; len(v) > 0 {
		for k, n := range v {
			if n > 0 {
				t.Errorf("violation %s=%d", k, n)
			}
		}
	}
}

// The settings' "poll only" switch turns push off whatever address is
// configured, in demo mode too: no callback URL is given to Kuaidi100 and
// no receiver listens.
func TestRuntimePollOnly(t *testing.T) {
	for _, env := range []string{"KUAIDI100_KEY", "KUAIDI100_CUSTOMER", "KUAIDI100_SECRET", "KUAIDI100_USERID"} {
		t.Setenv(env, "")
	}
	ctx := t.Context()
	dir := t.TempDir()
	db, err := store.Open(filepath.Join(dir, "shipdesk.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st, _ := db.Settings(ctx)
	st.Tracking.PollOnly = true
	st.Tracking.PushListen = "127.0.0.1:0"
	if err := db.SaveSettings(ctx, st); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, g := range []*globals{{DataDir: dir, APIBase: "http://127.0.0.1:1"}, {DataDir: dir}} {
		rt, err := openRuntime(ctx, g, runtimeOptions{Worker: true})
		if err != nil {
			t.Fatal(err)
		}
		if rt.PushURL != "" || rt.pushLn != nil {
			t.Errorf("%s: poll only, but push URL %q, listening on %q", rt.Mode, rt.PushURL, rt.PushListen)
		}
		rt.Close()
	}
}
