package app

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"shipdesk/assets/i18n"
	"shipdesk/shipping"
	"shipdesk/store"
)

// watchedStore is the store the service works with in these tests: it
// records every call that happens on the goroutine that drives the widgets
// (the test goroutine, which plays Fyne's main goroutine: it calls New and
// test.Tap) or inside a callback handed to the main goroutine (UI.onMain;
// the headless driver runs those in place on the background goroutine). A
// bbolt call there would freeze the window; every store call must come
// from the app's background work (UI.async).
//
// block, while not nil, holds every call until it is closed (a shared
// database that does not answer), and fail makes them return
// store.ErrUnavailable (one that is away).
type watchedStore struct {
	inner store.Store
	ui    int64 // goroutine id of the test goroutine

	calls atomic.Int64
	mu    sync.Mutex
	bad   []string
	block chan struct{}
	fail  bool
}

// watch wraps db; call it on the test goroutine.
func watch(db store.Store) *watchedStore {
	return &watchedStore{inner: db, ui: goroutineID()}
}

// goroutineID is the calling goroutine's id, from its stack header
// ("goroutine 7 [running]:").
func goroutineID() int64 {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	f := strings.Fields(string(buf))
	if len(f) < 2 || f[0] != "goroutine" {
		panic(fmt.Sprintf("unexpected stack header %q", buf))
	}
	id, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		panic(err)
	}
	return id
}

// check records op when it runs where it must not, then waits while the
// store is blocked and says whether to fail.
func (ws *watchedStore) check(op string) error {
	ws.calls.Add(1)
	buf := make([]byte, 64<<10)
	stack := string(buf[:runtime.Stack(buf, false)])
	onUI := goroutineID() == ws.ui
	inMain := strings.Contains(stack, "shipdesk/app.(*UI).onMain")
	if onUI || inMain {
		ws.mu.Lock()
		ws.bad = append(ws.bad, fmt.Sprintf("store.%s on the UI goroutine (test goroutine %v, in onMain %v):\n%s", op, onUI, inMain, stack))
		ws.mu.Unlock()
		return nil // never block the goroutine that drives the widgets
	}
	ws.mu.Lock()
	block := ws.block
	ws.mu.Unlock()
	if block != nil {
		<-block
	}
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.fail {
		return fmt.Errorf("watched store %s: %w", op, store.ErrUnavailable)
	}
	return nil
}

// misplaced returns the calls recorded since the last call, and forgets
// them.
func (ws *watchedStore) misplaced() []string {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	out := ws.bad
	ws.bad = nil
	return out
}

// TestNoStoreCallOnTheUIGoroutine drives the window through start-up,
// sign-in (a first PIN and a PIN), saving the settings, shipping,
// reprinting, the printers screen, a courier pickup, the dashboard and
// closing: each step
// reaches the store (the call count moves), and never from the goroutine
// that drives the widgets.
func TestNoStoreCallOnTheUIGoroutine(t *testing.T) {
	var w *watchedStore
	wrap := func(db *store.DB) store.Store { w = watch(db); return w }
	e := newEnvWith(t, envOptions{production: true, wrap: wrap, nowait: true})
	u := e.ui
	step := func(name string, f func()) {
		t.Helper()
		before := w.calls.Load()
		f()
		e.wait()
		if w.calls.Load() == before {
			t.Errorf("%s: no store call at all (the step did not run)", name)
		}
		for _, b := range w.misplaced() {
			t.Errorf("%s: %s", name, b)
		}
	}
	step("New", func() {})
	if u.user.Name != "前台" {
		t.Fatalf("start: %+v", u.user)
	}
	step("sign in with a first PIN", func() {
		u.userSelect.SetSelected("主管")
		e.wait()
		if u.setPIN == nil {
			t.Fatal("no set-PIN dialog")
		}
		typeEnter(u.setPIN.pin, "4826")
		typeEnter(u.setPIN.repeat, "4826")
	})
	step("sign in with a PIN", func() {
		u.userSelect.SetSelected("前台")
		e.wait()
		u.userSelect.SetSelected("主管")
		e.wait()
		pins := passwordEntries(u.win)
		if len(pins) != 1 {
			t.Fatalf("no PIN dialog: %d PIN fields", len(pins))
		}
		typeEnter(pins[0], "4826")
	})
	if u.user.Name != "主管" {
		t.Fatalf("not signed in as the manager: %+v", u.user)
	}
	step("settings", func() {
		u.tabs.Select(u.tabSettings)
		e.wait()
		u.setup.defItems.SetText("隐形眼镜")
		test.Tap(u.setup.saveBtn)
	})
	if u.setup.msg.Text != i18n.T("Settings saved.") {
		t.Errorf("settings: %q", u.setup.msg.Text)
	}
	var waybill string
	step("ship", func() {
		u.tabs.Select(u.tabShip)
		e.fill(t, "王芳", "13700001111", "天津市河西区友谊路32号")
		test.Tap(u.ship.shipBtn)
		e.wait()
		jobs, err := e.db.Jobs(t.Context(), store.JobFilter{Limit: 1})
		if err != nil || len(jobs) != 1 {
			t.Fatalf("ship: %v, %d jobs (%s)", err, len(jobs), u.ship.status.Text)
		}
		waybill = jobs[0].Waybill
	})
	step("reprint", func() {
		u.tabs.Select(u.tabReprint)
		e.wait()
		r := u.reprint
		test.Type(r.search, waybill)
		r.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		e.wait()
		r.doReprint("面单撕破")
	})
	step("printers", func() {
		u.tabs.Select(u.tabPrinters)
		e.wait()
		u.printers.choose(0)
		test.Tap(u.printers.testBtn)
	})
	step("handover", func() {
		h := u.handover
		u.tabs.Select(u.tabHandover)
		e.wait()
		h.beep = func(shipping.ScanOutcome) {}
		if len(h.carrier.Options) == 0 {
			t.Fatal("handover: no carrier offered")
		}
		h.carrier.SetSelectedIndex(0)
		test.Tap(h.startBtn)
		e.wait()
		test.Type(h.scan, waybill)
		h.scan.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		e.wait()
		test.Tap(h.finishBtn)
		e.wait()
		if h.pdf == "" {
			t.Errorf("handover: no sheet (%s)", h.msg.Text)
		}
	})
	step("dashboard", func() {
		u.tabs.Select(u.tabDash)
		e.wait()
		u.dash.refresh()
	})
	u.win.Resize(fyne.NewSize(1111, 777))
	step("close", func() { u.Close() })
	st, _ := e.db.Settings(t.Context())
	if st.WindowWidth != 1111 {
		t.Errorf("the window size was not remembered: %v", st.WindowWidth)
	}
}

// TestWindowOpensWhileTheSharedDatabaseIsAway: with a shared database that
// does not answer at start, New returns at once with a loading note and
// the database banner; while the database refuses, the note says so; once
// it is back the window reads the settings and signs in by itself.
func TestWindowOpensWhileTheSharedDatabaseIsAway(t *testing.T) {
	var w *watchedStore
	gate := make(chan struct{})
	wrap := func(db *store.DB) store.Store {
		w = watch(db)
		w.block = gate
		return w
	}
	var report func(worker, offline string)
	shared := func(fn func(worker, offline string)) func() { report = fn; return func() {} }
	e := newEnvWith(t, envOptions{wrap: wrap, nowait: true, shared: shared})
	u := e.ui
	for _, b := range w.misplaced() {
		t.Error(b)
	}
	e.outside(func() { report("none", "dial tcp 10.0.0.5:5432: i/o timeout") })
	if len(u.dbBanner.Objects) == 0 || u.tabs.Visible() || !u.loadingNote.Visible() || u.user.Name != "" || !u.userSelect.Disabled() {
		t.Fatalf("while the database does not answer: banner %d, tabs %v, note %v, user %+v",
			len(u.dbBanner.Objects), u.tabs.Visible(), u.loadingNote.Visible(), u.user)
	}

	// It answers: it is away.
	w.mu.Lock()
	w.fail, w.block = true, nil
	w.mu.Unlock()
	close(gate)
	e.wait()
	if want := shipping.Describe(store.ErrUnavailable); u.loadingNote.Text != want || u.tabs.Visible() {
		t.Fatalf("database away: note %q, want %q", u.loadingNote.Text, want)
	}

	// Back: the window starts by itself.
	w.mu.Lock()
	w.fail = false
	w.mu.Unlock()
	e.outside(func() { report("", "") })
	e.wait()
	if len(u.dbBanner.Objects) != 0 || !u.tabs.Visible() || u.loadingNote.Visible() || u.user.Name != "前台" || u.userSelect.Disabled() {
		t.Errorf("database back: banner %d, tabs %v, note %v, user %+v", len(u.dbBanner.Objects), u.tabs.Visible(), u.loadingNote.Visible(), u.user)
	}
	for _, b := range w.misplaced() {
		t.Error(b)
	}
}

// TestWatchedStoreCoversTheStore: watchedStore checks every method of
// store.Store (a method added to the interface is caught here rather than
// passed through unchecked).
func TestWatchedStoreCoversTheStore(t *testing.T) {
	want := map[string]bool{}
	af, err := parser.ParseFile(token.NewFileSet(), "../store/store.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	ast.Inspect(af, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok || ts.Name.Name != "Store" {
			return true
		}
		for _, m := range ts.Type.(*ast.InterfaceType).Methods.List {
			for _, name := range m.Names {
				want[name.Name] = true
			}
		}
		return false
	})
	if len(want) < 30 {
		t.Fatalf("found %d methods of store.Store; the scan is broken", len(want))
	}
	var s store.Store = &watchedStore{} // compiles only with every method
	_ = s
	tf, err := parser.ParseFile(token.NewFileSet(), "watchedstore_test.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	checked := map[string]bool{}
	for _, d := range tf.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Recv == nil || len(fd.Body.List) == 0 {
			continue
		}
		if firstCallIsCheck(fd) {
			checked[fd.Name.Name] = true
		}
	}
	for m := range want {
		if !checked[m] {
			t.Errorf("watchedStore.%s does not start with w.check", m)
		}
	}
}

func firstCallIsCheck(fd *ast.FuncDecl) bool {
	found := false
	ast.Inspect(fd.Body.List[0], func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok && sel.Sel.Name == "check" {
			found = true
		}
		return !found
	})
	return found
}
