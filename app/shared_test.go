package app

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"shipdesk/shipping"
	"shipdesk/store"
)

// TestSharedStoreStatusAndBanner: on a shared store the status bar names
// the tracking worker and a red strip says while the database cannot be
// reached; it goes again when the database is back, and what was on
// screen stays.
func TestSharedStoreStatusAndBanner(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "shipdesk.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := shipping.New(shipping.Deps{DB: db, Logf: t.Logf})
	a := test.NewApp()
	defer a.Quit()
	var report func(worker, offline string)
	// No timer fires (the preview would render beside the test).
	never := func(time.Duration, func()) func() bool { return func() bool { return true } }
	ui := New(Deps{App: a, Service: svc, DataDir: t.TempDir(), Logf: t.Logf, After: never,
		Shared: func(fn func(worker, offline string)) func() { report = fn; return func() {} }})
	defer func() { ui.Close(); ui.Wait() }()
	ui.wait() // the settings are read in the background
	if report == nil {
		t.Fatal("the window did not ask for the shared store's state")
	}
	bannerText := func() string {
		var out []string
		for _, o := range ui.dbBanner.Objects {
			for _, c := range test.LaidOutObjects(o) {
				if txt, ok := c.(*canvas.Text); ok {
					out = append(out, txt.Text)
				}
			}
		}
		return strings.Join(out, " ")
	}
	ui.mainMu.Lock()
	defer ui.mainMu.Unlock()
	ui.sharedChanged("仓库", "")
	if s := ui.statusBar.Text; !strings.Contains(s, "仓库") {
		t.Errorf("status bar %q does not name the worker", s)
	}
	if b := bannerText(); b != "" {
		t.Errorf("banner %q while the database is reachable", b)
	}
	ui.ship.name.SetText("王芳")
	ui.sharedChanged("none", "dial tcp 10.0.0.5:5432: connection refused")
	if b := bannerText(); !strings.Contains(b, "共享数据库") && !strings.Contains(b, "shared database") {
		t.Errorf("no banner while the database is away: %q", b)
	}
	ui.sharedChanged("", "")
	if b := bannerText(); b != "" {
		t.Errorf("banner %q stayed after the database came back", b)
	}
	if s := ui.statusBar.Text; !strings.Contains(s, "Tracking worker: this PC") && !strings.Contains(s, "跟踪：本机负责") {
		t.Errorf("status bar %q does not say this PC runs the worker", s)
	}
	if ui.ship.name.Text != "王芳" {
		t.Errorf("the form lost what was typed: %q", ui.ship.name.Text)
	}
}
