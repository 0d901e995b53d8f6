package app

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"shipdesk/assets/i18n"
	"shipdesk/kuaidi100"
	"shipdesk/kuaidi100/sandbox"
	"shipdesk/printer"
	"shipdesk/shipping"
	"shipdesk/store"
)

// env is a UI over real parts: a bbolt store in a temporary folder, the
// Kuaidi100 sandbox behind an httptest server, the persisted print queue
// and a virtual printer that writes each label as a PNG.
type env struct {
	timers    manualTimers
	ui        *UI
	listeners []func(store.Shipment) // registered through Deps.OnChange
	db        *store.DB
	svc       *shipping.Service
	labels    string // the virtual printer's folder
}

func newEnv(t *testing.T) *env { return newEnvWith(t, envOptions{}) }

// envOptions change what newEnvWith builds.
type envOptions struct {
	// production runs the service and the window outside demo mode (a
	// manager then needs a PIN).
	production bool
	// wrap, when not nil, gives the service and the print queue this
	// store over the real one (e.db stays the real one, for the test).
	wrap func(*store.DB) store.Store
	// logf receives the window's and the service's log (nil: t.Logf).
	logf func(format string, args ...any)
	// nowait returns before the window's start-up reads have finished.
	nowait bool
	// shared is Deps.Shared (a shared store's state); nil: none.
	shared func(fn func(worker, offline string)) (cancel func())
}

func newEnvWith(t *testing.T, o envOptions) *env {
	t.Helper()
	dir := t.TempDir()
	db, err := store.Open(filepath.Join(dir, "shipdesk.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	var st store.Store = db
	if o.wrap != nil {
		st = o.wrap(db)
	}
	logf := o.logf
	if logf == nil {
		logf = t.Logf
	}
	sb := sandbox.New(sandbox.Options{Seed: 7})
	srv := httptest.NewServer(sb)
	cfg := sb.Credentials()
	cfg.BaseURL = srv.URL
	client := kuaidi100.New(cfg)
	q := printer.NewQueue(st, nil)
	labels := filepath.Join(dir, "labels")
	if err := os.MkdirAll(labels, 0o700); err != nil {
		t.Fatal(err)
	}
	vp := "virtual:///" + strings.TrimPrefix(filepath.ToSlash(labels), "/")
	demo := !o.production
	svc := shipping.New(shipping.Deps{DB: st, Waybills: client, Queue: q, DefaultPrinter: vp, DataDir: dir, Logf: logf, Accounts: shipping.SandboxAccounts(), Demo: demo})
	a := test.NewApp()
	e := &env{db: db, svc: svc, labels: labels, timers: manualTimers{fns: map[int]func(){}}}
	onChange := func(fn func(store.Shipment)) func() {
		e.listeners = append(e.listeners, fn)
		return func() { e.listeners = nil }
	}
	mode := "demo"
	if o.production {
		mode = "production"
	}
	ui := New(Deps{App: a, Service: svc, DefaultPrinter: vp, Demo: demo, Mode: mode, DataDir: dir, OnChange: onChange, After: e.timers.after, Logf: logf, Shared: o.shared})
	e.ui = ui
	// The test goroutine plays Fyne's main goroutine: it holds mainMu
	// except while it waits, so callbacks from background work (which the
	// headless driver runs in place) never run beside it.
	ui.mainMu.Lock()
	t.Cleanup(func() {
		ui.Close()
		e.wait()
		ui.mainMu.Unlock()
		srv.Close()
		db.Close()
		a.Quit()
	})
	if !o.nowait {
		e.wait()
	}
	return e
}

// outside runs f as another goroutine would (a worker announcing news):
// without holding mainMu.
func (e *env) outside(f func()) {
	e.ui.mainMu.Unlock()
	defer e.ui.mainMu.Lock()
	f()
}

// manualTimers stand in for time.AfterFunc: nothing fires until the test
// waits, so timers never run beside the test goroutine.
type manualTimers struct {
	mu   sync.Mutex
	fns  map[int]func()
	next int
}

func (m *manualTimers) after(_ time.Duration, f func()) func() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	id := m.next
	m.next++
	m.fns[id] = f
	return func() bool {
		m.mu.Lock()
		defer m.mu.Unlock()
		_, ok := m.fns[id]
		delete(m.fns, id)
		return ok
	}
}

// take removes and returns the scheduled funcs in the order they were set.
func (m *manualTimers) take() []func() {
	m.mu.Lock()
	defer m.mu.Unlock()
	ids := make([]int, 0, len(m.fns))
	for id := range m.fns {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var out []func()
	for _, id := range ids {
		out = append(out, m.fns[id])
		delete(m.fns, id)
	}
	return out
}

// wait lets the UI settle: background work finishes, then every timer
// fires, until nothing is left.
func (e *env) wait() {
	e.ui.mainMu.Unlock()
	defer e.ui.mainMu.Lock()
	for {
		e.ui.wait()
		fns := e.timers.take()
		if len(fns) == 0 {
			return
		}
		for _, f := range fns {
			f()
		}
	}
}

// as signs in as the default user with role.
func (e *env) as(t *testing.T, role store.Role) {
	t.Helper()
	for _, u := range e.ui.settings.Users {
		if u.Role == role {
			e.ui.signIn(shipping.User{Name: u.Name, Role: u.Role})
			e.wait()
			return
		}
	}
	t.Fatalf("no user with role %s", role)
}

func (e *env) pngs(t *testing.T) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(e.labels, "*.png"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// fill types a patient into the ship form the way a clerk would: the paste
// box, then Tab/Enter through the rest.
func (e *env) fill(t *testing.T, name, phone, addr string) {
	t.Helper()
	s := e.ui.ship
	test.Type(s.name, name)
	test.Type(s.phone, phone)
	test.Type(s.address, addr)
	test.Type(s.reference, "PJ-001")
	e.wait()
}

func TestShipCtrlEnterPrintsAndClears(t *testing.T) {
	e := newEnv(t)
	s := e.ui.ship
	if got := e.ui.win.Canvas().Focused(); got != s.name {
		t.Fatalf("focus at start = %T, want the name field", got)
	}
	e.fill(t, "王芳", "13700001111", "天津市河西区友谊路32号")
	if s.preview.Image == nil {
		t.Fatal("no live preview after filling the form")
	}
	// Ctrl+Enter in the last field ships.
	s.reference.TypedShortcut(ctrlEnter)
	e.wait()

	if s.name.Text != "" || s.phone.Text != "" || s.address.Text != "" || s.reference.Text != "" {
		t.Errorf("form not cleared: %q %q %q %q", s.name.Text, s.phone.Text, s.address.Text, s.reference.Text)
	}
	if s.items.Text != e.ui.settings.DefaultItems {
		t.Errorf("items = %q, want the default %q back", s.items.Text, e.ui.settings.DefaultItems)
	}
	jobs, err := e.db.Jobs(t.Context(), store.JobFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || jobs[0].State != store.JobSent || jobs[0].Waybill == "" {
		t.Fatalf("jobs = %+v, want one sent job", jobs)
	}
	if n := len(e.pngs(t)); n != 1 {
		t.Fatalf("virtual printer holds %d labels, want 1", n)
	}
	if !strings.Contains(s.status.Text, jobs[0].Waybill) {
		t.Errorf("status %q does not name waybill %s", s.status.Text, jobs[0].Waybill)
	}
	sh, err := e.db.Shipment(t.Context(), jobs[0].Waybill)
	if err != nil {
		t.Fatal(err)
	}
	if sh.RecipientName != "王芳" || sh.Reference != "PJ-001" {
		t.Errorf("shipment = %+v", sh)
	}
	if got := e.ui.win.Canvas().Focused(); got != s.name {
		t.Errorf("focus after shipping = %T, want the name field for the next patient", got)
	}
}

func TestShipWindowShortcutAndEnterMovesOn(t *testing.T) {
	e := newEnv(t)
	s := e.ui.ship
	c := e.ui.win.Canvas()
	c.Focus(s.name)
	test.Type(s.name, "李四")
	s.name.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if c.Focused() != s.phone {
		t.Fatalf("Enter in name moved focus to %T, want phone", c.Focused())
	}
	test.Type(s.phone, "13912345678")
	s.phone.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if c.Focused() != s.address {
		t.Fatalf("Enter in phone moved focus to %T, want address", c.Focused())
	}
	test.Type(s.address, "天津市和平区南京路219号")
	e.wait()
	// Tab leaves the multi-line paste box too.
	if s.paste.AcceptsTab() {
		t.Error("the paste box keeps the Tab key")
	}
	c.Focus(s.paste)
	test.FocusNext(c)
	if c.Focused() == s.paste {
		t.Error("Tab did not leave the paste box")
	}
	// With the focus on a select, the window's own shortcut ships.
	c.Focus(s.payType)
	c.(fyne.Shortcutable).TypedShortcut(ctrlEnter)
	e.wait()
	if n := len(e.pngs(t)); n != 1 {
		t.Fatalf("virtual printer holds %d labels, want 1", n)
	}
}

func TestShipShowsFieldErrors(t *testing.T) {
	e := newEnv(t)
	s := e.ui.ship
	test.Type(s.name, "王芳")
	test.Type(s.phone, "12")
	test.Type(s.weight, "x")
	s.submit()
	e.wait()
	if !s.errs[shipping.FieldRecipientPhone].Visible() || s.errs[shipping.FieldRecipientPhone].Text == "" {
		t.Error("no message next to the phone field")
	}
	if !s.errs[shipping.FieldRecipientAddress].Visible() {
		t.Error("no message next to the empty address")
	}
	if !s.errs[shipping.FieldWeight].Visible() {
		t.Error("no message next to the weight that is not a number")
	}
	if e.ui.win.Canvas().Focused() != s.phone {
		t.Errorf("focus = %T, want the first wrong field (phone)", e.ui.win.Canvas().Focused())
	}
	if n := len(e.pngs(t)); n != 0 {
		t.Fatalf("printed %d labels for an invalid form", n)
	}
	if s.name.Text != "王芳" {
		t.Error("the form was cleared although nothing shipped")
	}
}

func TestSmartPasteFillsFields(t *testing.T) {
	e := newEnv(t)
	s := e.ui.ship
	s.paste.SetText("收件人：张三，电话：138 1234 5678，地址：天津市和平区南京路219号")
	e.wait()
	if s.name.Text != "张三" || s.phone.Text != "13812345678" || !strings.Contains(s.address.Text, "南京路219号") {
		t.Fatalf("paste gave name=%q phone=%q address=%q", s.name.Text, s.phone.Text, s.address.Text)
	}
}

// shipOne ships a parcel through the form and returns its waybill.
func (e *env) shipOne(t *testing.T, name, phone, addr string) string {
	t.Helper()
	e.fill(t, name, phone, addr)
	e.ui.ship.submit()
	e.wait()
	jobs, err := e.db.Jobs(t.Context(), store.JobFilter{Limit: 1})
	if err != nil || len(jobs) == 0 {
		t.Fatalf("no print job after shipping: %v (status %q)", err, e.ui.ship.status.Text)
	}
	return jobs[0].Waybill
}

func TestScanAndReprintWithReason(t *testing.T) {
	e := newEnv(t)
	e.as(t, store.RoleManager)
	wb := e.shipOne(t, "王芳", "13700001111", "天津市河西区友谊路32号")
	e.shipOne(t, "李四", "13912345678", "天津市和平区南京路219号")

	e.as(t, store.RoleWarehouse)
	r := e.ui.reprint
	// A scanner types the number and presses Enter.
	test.Type(r.search, wb)
	r.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	e.wait()
	if r.selected != wb {
		t.Fatalf("scan opened %q, want %s", r.selected, wb)
	}
	if r.search.Text != "" {
		t.Errorf("search box not emptied for the next scan: %q", r.search.Text)
	}
	if !strings.Contains(r.head.Text, "王芳") {
		t.Errorf("detail = %q", r.head.Text)
	}
	if r.reprintBtn.Disabled() {
		t.Fatal("warehouse cannot press reprint")
	}
	if len(r.rows) != 1 || strings.Contains(r.rows[0].RecipientPhone, "00001111") {
		t.Errorf("warehouse sees rows %+v, want one with the phone masked", r.rows)
	}

	// No reason: refused, nothing printed.
	before := len(e.pngs(t))
	r.doReprint("")
	e.wait()
	if len(e.pngs(t)) != before {
		t.Fatal("reprinted without a reason")
	}
	r.doReprint("面单撕破")
	e.wait()
	if len(e.pngs(t)) != before+1 {
		t.Fatalf("labels = %d, want %d after the reprint", len(e.pngs(t)), before+1)
	}
	jobs, err := e.db.Jobs(t.Context(), store.JobFilter{Waybill: wb})
	if err != nil {
		t.Fatal(err)
	}
	var reprint *store.PrintJob
	for i := range jobs {
		if jobs[i].Reprint {
			reprint = &jobs[i]
		}
	}
	if reprint == nil || reprint.Reason != "面单撕破" || reprint.Who != "仓库" {
		t.Fatalf("reprint job = %+v", reprint)
	}
	// The print log lists it with who and why.
	r.log.refresh()
	e.wait()
	found := false
	for _, j := range r.log.jobs {
		if j.ID == reprint.ID {
			found = jobCell(j, 2) == "仓库" && jobCell(j, 4) == "面单撕破"
		}
	}
	if !found {
		t.Error("print log does not show the reprint with who and why")
	}
	audit, err := e.db.AuditLog(t.Context(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(audit) == 0 || audit[0].Action != "reprint" || audit[0].Who != "仓库" {
		t.Errorf("audit = %+v", audit)
	}
}

func TestDashboardMatchesStore(t *testing.T) {
	e := newEnv(t)
	e.as(t, store.RoleManager)
	e.shipOne(t, "王芳", "13700001111", "天津市河西区友谊路32号")
	e.shipOne(t, "李四", "13912345678", "天津市和平区南京路219号")
	e.shipOne(t, "赵六", "13600001234", "天津市南开区复康路4号")
	ctx := t.Context()
	wb := e.shipOne(t, "钱七", "13500005678", "北京市朝阳区建国路88号")
	if _, err := e.db.RaiseException(ctx, &store.Exception{Waybill: wb, Kind: store.ExcProblem, Detail: "地址不详", RaisedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}

	// Count independently from the records.
	today := time.Now().Format("2006-01-02")
	created, printed := 0, 0
	if err := e.db.AllShipments(ctx, func(s store.Shipment) error {
		if s.CreatedAt.Local().Format("2006-01-02") == today {
			created++
		}
		if !s.PrintedAt.IsZero() {
			printed++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	d := e.ui.dash
	e.ui.tabs.Select(e.ui.tabDash)
	e.wait()
	if d.created.Text != fmt.Sprint(created) || created != 4 {
		t.Errorf("created card = %s, store has %d", d.created.Text, created)
	}
	if d.printed.Text != fmt.Sprint(printed) {
		t.Errorf("printed card = %s, store has %d", d.printed.Text, printed)
	}
	if d.problems.Text != "1" || len(d.exceptions) != 1 || d.exceptions[0].Waybill != wb {
		t.Errorf("problems = %s, exceptions = %+v", d.problems.Text, d.exceptions)
	}
	if len(d.chart.days) != chartDays || d.chart.days[chartDays-1].a != created {
		t.Errorf("chart = %+v, want %d days ending with %d shipped", d.chart.days, chartDays, created)
	}
	// Working through the list: resolve the exception.
	d.excList.Select(0)
	d.resolve()
	e.wait()
	if d.problems.Text != "0" || len(d.exceptions) != 0 {
		t.Errorf("after resolving: problems = %s, list = %d", d.problems.Text, len(d.exceptions))
	}
	if !d.noExc.Visible() {
		t.Error("empty exceptions list does not say so")
	}

	// A parcel the worker saw delivered counts in the delivered total.
	if _, err := e.db.UpdateShipment(ctx, wb, func(s *store.Shipment) error {
		s.Milestone = store.MilestoneDelivered
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	d.refresh()
	e.wait()
	if d.deliveredAll.Text != "1" {
		t.Errorf("delivered total = %s, want 1", d.deliveredAll.Text)
	}

	// The detached window shows the same figures and follows changes.
	d.openWindow()
	e.wait()
	if d.detached == nil || d.detached.created.Text != d.created.Text {
		t.Fatal("dashboard window missing or different")
	}
	e.shipOne(t, "孙八", "13400004321", "天津市河东区大直沽八号路1号")
	if d.detached.created.Text != "5" {
		t.Errorf("dashboard window shows %s created after a new parcel, want 5", d.detached.created.Text)
	}
}

func TestRolesDecideWhatIsVisible(t *testing.T) {
	e := newEnv(t)
	has := func(tab string) bool {
		for _, it := range e.ui.tabs.Items {
			if it.Text == tab {
				return true
			}
		}
		return false
	}
	e.as(t, store.RoleManager)
	e.shipOne(t, "王芳", "13700001111", "天津市河西区友谊路32号")

	cases := []struct {
		role                       store.Role
		dashboard, settings, ship  bool
		reprint, cancel, fullPhone bool
	}{
		{store.RoleFrontDesk, false, false, true, false, true, false},
		{store.RoleWarehouse, false, false, false, true, false, false},
		{store.RoleManager, true, true, true, true, true, true},
	}
	for _, c := range cases {
		e.as(t, c.role)
		if has(e.ui.tabDash.Text) != c.dashboard || has(e.ui.tabSettings.Text) != c.settings || has(e.ui.tabShip.Text) != c.ship {
			t.Errorf("%s: tabs %v", c.role, tabNames(e.ui))
		}
		r := e.ui.reprint
		r.onSubmit("1111")
		e.wait()
		if len(r.rows) != 1 {
			t.Fatalf("%s: search by last four found %d", c.role, len(r.rows))
		}
		if full := r.rows[0].RecipientPhone == "13700001111"; full != c.fullPhone {
			t.Errorf("%s: phone shown as %q", c.role, r.rows[0].RecipientPhone)
		}
		if !strings.Contains(r.head.Text, r.rows[0].RecipientPhone) {
			t.Errorf("%s: detail %q shows another phone than the list", c.role, r.head.Text)
		}
		if r.reprintBtn.Disabled() == c.reprint || r.cancelBtn.Disabled() == c.cancel {
			t.Errorf("%s: reprint enabled=%v cancel enabled=%v", c.role, !r.reprintBtn.Disabled(), !r.cancelBtn.Disabled())
		}
		if e.ui.setup.saveBtn.Disabled() == c.settings {
			t.Errorf("%s: settings save enabled=%v", c.role, !e.ui.setup.saveBtn.Disabled())
		}
	}
	// A front-desk clerk cannot save settings even by calling the action.
	e.as(t, store.RoleFrontDesk)
	err := e.svc.SaveSettings(t.Context(), e.ui.user, e.ui.settings)
	if err == nil {
		t.Fatal("front desk saved settings")
	}
}

func TestPINGuardsAUser(t *testing.T) {
	e := newEnv(t)
	e.as(t, store.RoleManager)
	st := e.ui.settings
	for i := range st.Users {
		if st.Users[i].Role == store.RoleManager {
			st.Users[i].PINSalt = "s"
			st.Users[i].PINHash = shipping.HashPIN("s", "1234")
		}
	}
	e.ui.saveSettings(st, nil)
	e.wait()
	e.ui.setup.load() // the manager's settings screen has the PINs
	e.wait()
	if e.ui.setup.st.Users[2].PINHash == "" {
		t.Fatal("the manager's settings screen has no PIN")
	}
	e.as(t, store.RoleFrontDesk)
	e.ui.onUserChosen("主管")
	e.wait() // the service checks in the background, then asks for the PIN
	if e.ui.user.Role != store.RoleFrontDesk {
		t.Fatal("switched to the manager without the PIN")
	}
	if _, err := e.svc.CheckPIN(t.Context(), "主管", "1234"); err != nil {
		t.Fatalf("right PIN refused: %v", err)
	}
	if _, err := e.svc.CheckPIN(t.Context(), "主管", "0000"); !errors.Is(err, shipping.ErrWrongPIN) {
		t.Fatalf("wrong PIN: %v", err)
	}
	for _, usr := range append(e.ui.settings.Users, e.ui.setup.st.Users...) {
		if usr.PINHash != "" || usr.PINSalt != "" {
			t.Errorf("the front desk's window holds %s's PIN hash", usr.Name)
		}
	}
	// Saving from the PIN-less copy (as the printers screen does) keeps it.
	e.ui.user = shipping.User{Name: "主管", Role: store.RoleManager}
	e.ui.saveSettings(e.ui.settings, nil)
	e.wait()
	if _, err := e.svc.CheckPIN(t.Context(), "主管", "1234"); err != nil {
		t.Fatalf("PIN lost by saving a PIN-less copy: %v", err)
	}
}

func tabNames(u *UI) []string {
	var out []string
	for _, it := range u.tabs.Items {
		out = append(out, it.Text)
	}
	return out
}

func TestSettingsSaveAndAudit(t *testing.T) {
	e := newEnv(t)
	e.as(t, store.RoleManager)
	e.ui.tabs.Select(e.ui.tabSettings)
	s := e.ui.setup
	s.defItems.SetText("隐形眼镜")
	s.notPicked.SetText("12")
	s.save()
	e.wait()
	st, err := e.db.Settings(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if st.DefaultItems != "隐形眼镜" || st.Rules.NotPickedUpHours != 12 {
		t.Fatalf("saved %q %d", st.DefaultItems, st.Rules.NotPickedUpHours)
	}
	if e.ui.ship.items.Text != "隐形眼镜" {
		t.Errorf("ship form default items = %q after saving", e.ui.ship.items.Text)
	}
	audit, _ := e.db.AuditLog(t.Context(), 5)
	if len(audit) == 0 || audit[0].Action != "settings" || audit[0].Who != "主管" {
		t.Errorf("audit = %+v", audit)
	}
	s.noUpdate.SetText("abc")
	s.save()
	e.wait()
	if !strings.Contains(s.msg.Text, i18n.T("No update for (hours)")) {
		t.Errorf("bad number message = %q", s.msg.Text)
	}
}

func TestPrintersTestPrintAndQueue(t *testing.T) {
	e := newEnv(t)
	e.as(t, store.RoleManager)
	p := e.ui.printers
	e.ui.tabs.Select(e.ui.tabPrinters)
	e.wait()
	if len(p.rows) == 0 || p.rows[0].profile.URI != e.ui.deps.DefaultPrinter {
		t.Fatalf("printer rows = %+v", p.rows)
	}
	if p.rows[0].status == "" || p.rows[0].status == "…" {
		t.Errorf("virtual printer status not read: %q", p.rows[0].status)
	}
	p.choose(0)
	p.testPrint()
	e.wait()
	if n := len(e.pngs(t)); n != 1 {
		t.Fatalf("test print made %d labels", n)
	}
	// Save it as the default for 100x150 with darkness 10.
	p.sizes.SetSelected([]string{"100x150"})
	p.darkness.SetValue(10)
	p.save()
	e.wait()
	st, _ := e.db.Settings(t.Context())
	if len(st.Printers) != 1 || st.Printers[0].Darkness != 10 || st.Printers[0].Sizes[0] != "100x150" {
		t.Fatalf("printers = %+v", st.Printers)
	}
	// A job to a printer that is not there fails and waits in the queue.
	p.uri.SetText("tcp://127.0.0.1:1")
	p.testPrint()
	e.wait()
	p.queue.refresh()
	e.wait()
	if len(p.queue.jobs) != 1 || p.queue.jobs[0].State != store.JobFailed {
		t.Fatalf("queue = %+v", p.queue.jobs)
	}
	p.queue.table.Select(widget.TableCellID{Row: 0, Col: 0})
	if p.queue.retry.Disabled() || p.queue.cancel.Disabled() {
		t.Fatal("failed job cannot be retried or cancelled")
	}
	p.queue.doCancel()
	e.wait()
	if len(p.queue.jobs) != 0 {
		t.Fatalf("queue after cancel = %+v", p.queue.jobs)
	}
}

func TestImportCSVShipsBatchWithProgress(t *testing.T) {
	e := newEnv(t)
	csv := "收件人,电话,地址,配镜单号,快递\n" +
		"王芳,13700001111,天津市河西区友谊路32号,PJ-1,zhongtong\n" +
		"李四,13912345678,天津市和平区南京路219号,PJ-2,yuantong\n" +
		"坏行,12,,PJ-3,zhongtong\n"
	path := filepath.Join(t.TempDir(), "orders.csv")
	if err := os.WriteFile(path, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s := e.ui.ship
	s.readCSV(f) // parses, then asks (a dialog) before shipping
	e.wait()
	orders, rowErrs, err := e.svc.ImportCSV(t.Context(), e.ui.user, strings.NewReader(csv))
	if err != nil || len(orders) != 2 || len(rowErrs) == 0 {
		t.Fatalf("import: %d orders, %v, %v", len(orders), rowErrs, err)
	}
	s.shipBatch(orders)
	e.wait()
	if n := len(e.pngs(t)); n != 2 {
		t.Fatalf("batch printed %d labels, want 2", n)
	}
	if want := fmt.Sprintf(i18n.T("%d shipped, %d failed."), 2, 0); s.status.Text != want {
		t.Errorf("status = %q", s.status.Text)
	}
}

// TestWorkerChangesReachTheScreens plays the tracking worker: a shipment
// turning into a problem sends one desktop notification and refreshes the
// dashboard and the open detail.
func TestWorkerChangesReachTheScreens(t *testing.T) {
	e := newEnv(t)
	e.as(t, store.RoleManager)
	wb := e.shipOne(t, "王芳", "13700001111", "天津市河西区友谊路32号")
	e.ui.tabs.Select(e.ui.tabDash)
	e.wait()
	e.ui.reprint.onSubmit(wb)
	e.wait()
	if len(e.listeners) != 1 {
		t.Fatalf("%d listeners registered, want 1", len(e.listeners))
	}
	ctx := t.Context()
	sh, err := e.db.UpdateShipment(ctx, wb, func(s *store.Shipment) error {
		s.Milestone = store.MilestoneProblem
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.RaiseException(ctx, &store.Exception{Waybill: wb, Kind: store.ExcProblem, Detail: "地址不详", RaisedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	want := fyne.NewNotification(i18n.T("Parcel needs attention"), fmt.Sprintf("%s %s: %s", wb, "王芳", milestoneText(store.MilestoneProblem)))
	test.AssertNotificationSent(t, want, func() {
		e.outside(func() { e.listeners[0](sh) })
		e.wait()
	})
	if e.ui.dash.problems.Text != "1" {
		t.Errorf("dashboard problems = %s after the change", e.ui.dash.problems.Text)
	}
	if !strings.Contains(e.ui.reprint.head.Text, milestoneText(store.MilestoneProblem)) {
		t.Errorf("detail not refreshed: %q", e.ui.reprint.head.Text)
	}
	// More news about the same parcel: no second notification.
	test.AssertNotificationSent(t, nil, func() {
		e.outside(func() { e.listeners[0](sh) })
		e.wait()
	})
}

// TestShipBeforeTheCarrierGuessArrives: a clerk who pastes and presses
// Ctrl+Enter at once still ships, with the suggested carrier.
func TestShipBeforeTheCarrierGuessArrives(t *testing.T) {
	e := newEnv(t)
	s := e.ui.ship
	s.setCarrier("", true)
	s.name.SetText("王芳")
	s.phone.SetText("13700001111")
	s.address.SetText("天津市河西区友谊路32号")
	s.stopPreview() // no suggestion has come back yet
	s.submit()
	e.wait()
	jobs, err := e.db.Jobs(t.Context(), store.JobFilter{})
	if err != nil || len(jobs) != 1 {
		t.Fatalf("jobs = %d (%v); status %q", len(jobs), err, s.status.Text)
	}
	sh, err := e.db.Shipment(t.Context(), jobs[0].Waybill)
	if err != nil || sh.Carrier == "" {
		t.Fatalf("shipment %+v, %v", sh, err)
	}
}

func TestWindowRemembersItsSize(t *testing.T) {
	e := newEnv(t)
	e.ui.win.Resize(fyne.NewSize(1100, 700))
	e.ui.Close()
	e.wait()
	st, err := e.db.Settings(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if st.WindowWidth != 1100 || st.WindowHeight != 700 {
		t.Fatalf("remembered %vx%v, want 1100x700", st.WindowWidth, st.WindowHeight)
	}
	// The next start opens at that size.
	never := func(time.Duration, func()) func() bool { return func() bool { return true } }
	ui := New(Deps{App: e.ui.app, Service: e.svc, Demo: true, After: never})
	defer func() { ui.Close(); ui.Wait() }()
	ui.wait() // the settings are read in the background
	if sz := ui.win.Canvas().Size(); sz.Width != 1100 || sz.Height != 700 {
		t.Errorf("new window is %v", sz)
	}
}

// TestCalibrateBlackMarkFromThePrintersScreen chooses black-mark stock on
// the Printers screen and calibrates a TSPL and a ZPL printer (file
// printers, so the bytes can be read back): the job sets the label size and
// black-mark sensing (BLINE, ^MNM) before measuring, and it is audited.
func TestCalibrateBlackMarkFromThePrintersScreen(t *testing.T) {
	e := newEnv(t)
	e.as(t, store.RoleManager)
	p := e.ui.printers
	e.ui.tabs.Select(e.ui.tabPrinters)
	e.wait()
	dir := t.TempDir()
	for _, c := range []struct {
		lang string
		want []string
	}{
		{"tspl", []string{"SIZE 76 mm,130 mm", "BLINE 3 mm,0 mm", "AUTODETECT"}},
		{"zpl", []string{"^MNM", "~JC"}},
	} {
		out := filepath.Join(dir, c.lang+".prn")
		p.uri.SetText("file://" + filepath.ToSlash(out))
		p.language.SetSelected(c.lang)
		p.media.SetSelected(i18n.T("Black mark labels"))
		test.Tap(p.calBtn)
		e.wait()
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatalf("%s: nothing sent (%s): %v", c.lang, p.msg.Text, err)
		}
		for _, w := range c.want {
			if !strings.Contains(string(b), w) {
				t.Errorf("%s calibration = %q, want %q", c.lang, b, w)
			}
		}
		if strings.Contains(string(b), "GAP") || strings.Contains(string(b), "^MNY") {
			t.Errorf("%s calibration of black-mark stock sends gap sensing: %q", c.lang, b)
		}
	}
	log, err := e.svc.AuditLog(t.Context(), shipping.System, 20)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range log {
		if a.Action == "calibrate" && a.Who == e.ui.user.Name {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d calibrations audited, want 2: %+v", n, log)
	}
}

// uiGoroutines lists the goroutines (other than the caller) running code
// of package app.
func uiGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for i, g := range strings.Split(string(buf), "\n\n") {
		if i > 0 && strings.Contains(g, "shipdesk/app.(") {
			out = append(out, g)
		}
	}
	return out
}

// TestCloseEndsEveryGoroutine runs the window's background parts (the
// periodic refresh, background reads, a worker's announcement) and checks
// that Close and Wait end every goroutine the UI started.
func TestCloseEndsEveryGoroutine(t *testing.T) {
	e := newEnv(t)
	e.ui.StartRefresh(time.Hour) // its loop runs; no tick is needed
	e.ui.tabs.Select(e.ui.tabDash)
	e.ui.tabs.Select(e.ui.tabPrinters)
	e.wait()
	e.ui.Close()
	e.ui.mainMu.Unlock()
	e.ui.Wait()
	e.ui.mainMu.Lock()
	// A goroutine that has called Done may not have returned yet: it only
	// needs to be scheduled once more, so yield (never sleep) a bounded
	// number of times.
	left := uiGoroutines()
	for i := 0; i < 10000 && len(left) > 0; i++ {
		runtime.Gosched()
		left = uiGoroutines()
	}
	if len(left) > 0 {
		t.Fatalf("%d goroutines of package app outlive Close and Wait:\n%s", len(left), strings.Join(left, "\n\n"))
	}
}
