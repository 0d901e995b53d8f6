package app

import (
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"shipdesk/kuaidi100"
	"shipdesk/kuaidi100/sandbox"
	"shipdesk/printer"
	"shipdesk/shipping"
	"shipdesk/store"
)

// benchShipments is the size of the store the startup and search figures
// are measured on (the issue asks for 100,000).
const benchShipments = 100_000

var (
	fixtureOnce sync.Once
	fixturePath string
	fixtureErr  error
)

// benchFixture returns a database file with benchShipments shipments,
// built once and cached in os.TempDir(); callers copy it.
func benchFixture(b *testing.B) string {
	fixtureOnce.Do(func() {
		fixturePath = filepath.Join(os.TempDir(), fmt.Sprintf("shipdesk-app-bench-%d-v1.db", benchShipments))
		if _, err := os.Stat(fixturePath); err == nil {
			return
		}
		tmp := fixturePath + ".tmp"
		os.Remove(tmp)
		db, err := store.Open(tmp, store.Options{NoSync: true})
		if err != nil {
			fixtureErr = err
			return
		}
		ctx := b.Context()
		carriers := []string{"zhongtong", "yuantong", "yunda", "shunfeng", "jd", "ems"}
		start := time.Now().Add(-365 * 24 * time.Hour)
		for i := range benchShipments {
			s := store.Shipment{
				Waybill:        fmt.Sprintf("78%012d", i),
				Carrier:        carriers[i%len(carriers)],
				RecipientName:  fmt.Sprintf("患者%d", i%30000),
				RecipientPhone: fmt.Sprintf("13%09d", i%30000),
				RecipientAddr:  "天津市南开区复康路4号",
				Milestone:      store.Milestone(1 + i%5),
				CreatedAt:      start.Add(time.Duration(i) * 5 * time.Minute),
			}
			if err := db.CreateShipment(ctx, &s); err != nil {
				fixtureErr = err
				db.Close()
				return
			}
		}
		if err := db.Close(); err != nil {
			fixtureErr = err
			return
		}
		fixtureErr = os.Rename(tmp, fixturePath)
	})
	if fixtureErr != nil {
		b.Fatal(fixtureErr)
	}
	return fixturePath
}

func copyFile(b *testing.B, from, to string) {
	in, err := os.Open(from)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		b.Fatal(err)
	}
	if err := out.Close(); err != nil {
		b.Fatal(err)
	}
}

// benchService opens a copy of the fixture with the sandbox behind it.
func benchService(b *testing.B) (*shipping.Service, *store.DB) {
	dir := b.TempDir()
	path := filepath.Join(dir, "shipdesk.db")
	copyFile(b, benchFixture(b), path)
	db, err := store.Open(path, store.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	sb := sandbox.New(sandbox.Options{Seed: 1})
	srv := httptest.NewServer(sb)
	cfg := sb.Credentials()
	cfg.BaseURL = srv.URL
	q := printer.NewQueue(db, nil)
	svc := shipping.New(shipping.Deps{DB: db, Waybills: kuaidi100.New(cfg), Queue: q, DefaultPrinter: "virtual:///" + filepath.ToSlash(dir)[1:], Logf: func(string, ...any) {}, Accounts: shipping.SandboxAccounts(), Demo: true})
	b.Cleanup(func() { srv.Close(); db.Close() })
	return svc, db
}

// benchManagerUI is the main window over a copy of the fixture, signed in as
// a manager with its startup work done; it is closed when b ends.
func benchManagerUI(b *testing.B) *UI {
	svc, _ := benchService(b)
	a := test.NewApp()
	b.Cleanup(a.Quit)
	ui := New(Deps{App: a, Service: svc, Demo: true, After: noTimer})
	b.Cleanup(func() { ui.Close(); ui.Wait() })
	ui.wait() // the settings and the first user, read in the background
	ui.signIn(shipping.User{Name: "主管", Role: store.RoleManager})
	ui.wait()
	return ui
}

// BenchmarkStartup is the time from an opened store of 100,000 shipments to
// a built main window with its first preview rendered.
func BenchmarkStartup(b *testing.B) {
	svc, _ := benchService(b)
	a := test.NewApp()
	defer a.Quit()
	for b.Loop() {
		ui := New(Deps{App: a, Service: svc, Demo: true, After: noTimer})
		ui.ship.refreshPreview()
		ui.wait()
		ui.Close()
		ui.Wait()
		ui.win.Close()
	}
}

// BenchmarkSearch is one search from the reprint screen (by last four
// digits, which matches several patients) in a store of 100,000 shipments.
func BenchmarkSearch(b *testing.B) {
	ui := benchManagerUI(b)
	for b.Loop() {
		ui.reprint.find("0123", false)
		ui.wait()
	}
	if len(ui.reprint.rows) == 0 {
		b.Fatal("search found nothing")
	}
}

// BenchmarkDashboard is one dashboard refresh over 100,000 shipments.
func BenchmarkDashboard(b *testing.B) {
	ui := benchManagerUI(b)
	for b.Loop() {
		ui.dash.refresh()
		ui.wait()
	}
}

// noTimer stands in for time.AfterFunc where nothing should fire beside
// the benchmark (the preview is rendered when the benchmark asks).
func noTimer(time.Duration, func()) func() bool { return func() bool { return true } }
