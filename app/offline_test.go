package app

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"fyne.io/fyne/v2/test"

	"shipdesk/kuaidi100"
	"shipdesk/kuaidi100/sandbox"
	"shipdesk/printer"
	"shipdesk/shipping"
	"shipdesk/store"
)

// dropper drops every connection while down, as a network outage does.
type dropper struct {
	down atomic.Bool
	next http.Handler
}

func (d *dropper) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if d.down.Load() {
		if c, _, err := w.(http.Hijacker).Hijack(); err == nil {
			c.Close()
		}
		return
	}
	d.next.ServeHTTP(w, r)
}

func TestShippingWhileTheNetworkIsDown(t *testing.T) {
	dir := t.TempDir()
	db, err := store.Open(filepath.Join(dir, "shipdesk.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	sb := sandbox.New(sandbox.Options{Seed: 7})
	drop := &dropper{next: sb}
	srv := httptest.NewServer(drop)
	cfg := sb.Credentials()
	cfg.BaseURL = srv.URL
	q := printer.NewQueue(db, nil)
	labels := filepath.Join(dir, "labels")
	if err := os.MkdirAll(labels, 0o700); err != nil {
		t.Fatal(err)
	}
	vp := "virtual:///" + strings.TrimPrefix(filepath.ToSlash(labels), "/")
	svc := shipping.New(shipping.Deps{DB: db, Waybills: kuaidi100.New(cfg), Queue: q, DefaultPrinter: vp, DataDir: dir, Logf: t.Logf, Accounts: shipping.SandboxAccounts(), Demo: true})
	retrier := svc.NewRetrier(0, 0)
	kicks := 0
	a := test.NewApp()
	e := &env{db: db, svc: svc, labels: labels, timers: manualTimers{fns: map[int]func(){}}}
	ui := New(Deps{App: a, Service: svc, DefaultPrinter: vp, Demo: true, Mode: "demo", DataDir: dir,
		After: e.timers.after, Logf: t.Logf, OnWaybill: retrier.Listen, RetryNow: func() { kicks++ }})
	e.ui = ui
	ui.mainMu.Lock()
	t.Cleanup(func() {
		ui.Close()
		e.wait()
		ui.mainMu.Unlock()
		srv.Close()
		db.Close()
		a.Quit()
	})
	e.wait()
	s := ui.ship
	if s.waiting.box.Visible() {
		t.Fatal("the banner shows with nothing waiting")
	}

	drop.down.Store(true)
	e.fill(t, "王芳", "13700001111", "天津市河西区友谊路32号")
	s.reference.TypedShortcut(ctrlEnter)
	e.wait()
	if s.name.Text != "" || !strings.Contains(s.status.Text, "待取号") {
		t.Fatalf("the clerk cannot move on: name %q, status %q", s.name.Text, s.status.Text)
	}
	e.fill(t, "李雷", "13900002222", "天津市和平区南京路219号")
	s.reference.TypedShortcut(ctrlEnter)
	e.wait()
	if !s.waiting.box.Visible() || s.waiting.n != 2 || !strings.Contains(s.waiting.label.Text, "2") || kicks != 2 {
		t.Fatalf("banner visible %v n %d %q, kicks %d", s.waiting.box.Visible(), s.waiting.n, s.waiting.label.Text, kicks)
	}

	// Back online: the retrier's round issues both and the labels print here.
	drop.down.Store(false)
	e.outside(func() { retrier.RetryDue(t.Context()) })
	e.wait()
	if s.waiting.box.Visible() || !strings.Contains(s.status.Text, "面单已打印") {
		t.Errorf("after the network returned: banner %v, status %q", s.waiting.box.Visible(), s.status.Text)
	}
	if n := len(e.pngs(t)); n != 2 {
		t.Errorf("%d labels printed, want 2", n)
	}
}
