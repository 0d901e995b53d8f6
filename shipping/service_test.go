package shipping

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"shipdesk/internal/testkit"
	"shipdesk/kuaidi100"
	"shipdesk/kuaidi100/sandbox"
	"shipdesk/printer"
	"shipdesk/printer/label"
	"shipdesk/store"
)

// The service tests use the real store (bbolt in t.TempDir()), the real
// Kuaidi100 client against the real sandbox over a loopback listener, and
// the real print queue writing to a file printer.

var (
	frontDesk = User{Name: "前台小王", Role: store.RoleFrontDesk}
	warehouse = User{Name: "仓库老李", Role: store.RoleWarehouse}
	manager   = User{Name: "主管", Role: store.RoleManager}
)

type env struct {
	t       *testing.T
	db      *store.DB
	sb      *sandbox.Server
	client  *kuaidi100.Client
	queue   *printer.Queue
	svc     *Service
	deps    Deps
	printer string // file:// folder URI
	dir     string
	logs    *testkit.Log
}

func newEnv(t *testing.T, mod func(*Deps)) *env {
	t.Helper()
	e := newEnvMod(t, mod)
	e.t = t
	return e
}

// newEnvTB is newEnv for benchmarks.
func newEnvTB(tb testing.TB) *env { return newEnvMod(tb, nil) }

func newEnvMod(t testing.TB, mod func(*Deps)) *env {
	t.Helper()
	e := &env{dir: t.TempDir(), logs: &testkit.Log{}}
	db, err := store.Open(filepath.Join(e.dir, "shipdesk.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e.db = db
	o := sandbox.DefaultOptions()
	o.Seed = 7
	o.DailyQuota = 0
	o.Logf = e.logs.Logf
	e.sb = sandbox.New(o)
	srv := httptest.NewServer(e.sb)
	t.Cleanup(srv.Close)
	cfg := e.sb.Credentials()
	cfg.BaseURL = srv.URL
	e.client = kuaidi100.New(cfg)
	e.queue = printer.NewQueue(db, nil)
	labels := filepath.Join(e.dir, "labels")
	if err := os.Mkdir(labels, 0o755); err != nil {
		t.Fatal(err)
	}
	e.printer = printer.PathURI("file", labels)
	e.deps = Deps{DB: db, Waybills: e.client, Queue: e.queue, DefaultPrinter: e.printer, Logf: e.logs.Logf, Accounts: SandboxAccounts()}
	if mod != nil {
		mod(&e.deps)
	}
	e.svc = New(e.deps)
	return e
}

func testOrder(i int) store.Order {
	return store.Order{
		Reference: fmt.Sprintf("PJ20261126-%03d", i),
		Recipient: store.Party{Name: "王芳", Phone: fmt.Sprintf("137%08d", i), Address: "天津市河西区友谊路32号"},
		Sender:    store.Party{Name: "天津眼科医院视光中心", Phone: "022-23346655", Address: "天津市南开区复康路4号"},
		Carrier:   "zhongtong", Items: "眼镜", Count: 1, Weight: 0.5, PayType: "MONTHLY", Product: "标准快递",
	}
}

func (e *env) shipments() []store.Shipment {
	var out []store.Shipment
	if err := e.db.AllShipments(e.t.Context(), func(s store.Shipment) error {
		out = append(out, s)
		return nil
	}); err != nil {
		e.t.Fatal(err)
	}
	return out
}

func (e *env) jobs(waybill string) []store.PrintJob {
	j, err := e.db.Jobs(e.t.Context(), store.JobFilter{Waybill: waybill})
	if err != nil {
		e.t.Fatal(err)
	}
	return j
}

func TestShipPrintsAndRecordsEveryStep(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	res, err := e.svc.Ship(ctx, frontDesk, testOrder(1), ShipOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Order.Step != store.StepDone || res.Order.LastError != "" || res.Warning != "" {
		t.Fatalf("step %s, error %q, warning %q", res.Order.Step, res.Order.LastError, res.Warning)
	}
	if !strings.HasPrefix(res.Order.ID, "SD") || res.Order.Waybill == "" {
		t.Fatalf("order %+v", res.Order)
	}
	if res.Shipment.Waybill != res.Order.Waybill || res.Shipment.Milestone != store.MilestoneOrdered || res.Shipment.OrderID != res.Order.ID {
		t.Fatalf("shipment %+v", res.Shipment)
	}
	if r := res.Shipment.Routing; r.BigPen == "" || r.SortCode == "" || r.Extra["road"] == "" || r.Extra["proName"] == "" || res.Shipment.CarrierOrder == "" {
		t.Error("no routing data stored")
	}
	if res.Job.State != store.JobSent || res.Job.PrinterURI != e.printer || res.Job.Format != "tspl" {
		t.Fatalf("job %+v", res.Job)
	}
	if res.Preview == nil {
		t.Error("no preview")
	}
	u, err := printer.ParseURI(e.printer)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(u.Path, "job-1.prn"))
	if err != nil {
		t.Fatal(err)
	}
	if len(b) == 0 || !strings.Contains(string(b), "BARCODE") {
		t.Errorf("printed file does not look like TSPL with a barcode: %.80q", b)
	}
	stored, err := e.db.Order(ctx, res.Order.ID)
	if err != nil || stored.Step != store.StepDone || stored.Waybill != res.Order.Waybill || stored.CreatedBy != frontDesk.Name {
		t.Fatalf("stored order %+v, %v", stored, err)
	}
	sh, _ := e.db.Shipment(ctx, res.Order.Waybill)
	if sh.PrintedAt.IsZero() {
		t.Error("shipment not marked printed")
	}
}

// flakyWaybills issues through the real client but loses the first answer,
// as a timeout after the service did the work would.
type flakyWaybills struct {
	Waybills
	mu     sync.Mutex
	lose   int
	issued []string
}

func (f *flakyWaybills) Order(ctx context.Context, r kuaidi100.OrderRequest) (*kuaidi100.OrderResult, error) {
	res, err := f.Waybills.Order(ctx, r)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err == nil {
		f.issued = append(f.issued, res.Waybill)
	}
	if f.lose > 0 {
		f.lose--
		return nil, context.DeadlineExceeded
	}
	return res, err
}

func TestRetryAfterTimeoutGetsTheSameWaybill(t *testing.T) {
	fw := &flakyWaybills{lose: 1}
	e := newEnv(t, func(d *Deps) { fw.Waybills = d.Waybills; d.Waybills = fw })
	ctx := t.Context()
	res, err := e.svc.Ship(ctx, frontDesk, testOrder(2), ShipOptions{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("first try: %v", err)
	}
	if res.Order.Step != store.StepSaved || res.Order.LastError == "" || res.Order.ID == "" {
		t.Fatalf("after timeout: %+v", res.Order)
	}
	stored, _ := e.db.Order(ctx, res.Order.ID)
	if stored.LastError == "" || stored.Step != store.StepSaved {
		t.Fatalf("stored after timeout: %+v", stored)
	}
	res2, err := e.svc.Resume(ctx, frontDesk, res.Order.ID, ShipOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(fw.issued) != 2 || fw.issued[0] != fw.issued[1] || res2.Order.Waybill != fw.issued[0] {
		t.Fatalf("issued %v, resumed with %s", fw.issued, res2.Order.Waybill)
	}
	if n := len(e.shipments()); n != 1 {
		t.Fatalf("%d shipments", n)
	}
	// Shipping the stored order again changes nothing.
	res3, err := e.svc.Ship(ctx, frontDesk, res2.Order, ShipOptions{})
	if err != nil || res3.Order.Waybill != res2.Order.Waybill || len(e.jobs(res2.Order.Waybill)) != 1 {
		t.Fatalf("ship again: %v %+v, %d jobs", err, res3.Order, len(e.jobs(res2.Order.Waybill)))
	}
	if e.sb.Stats().Requests["order"] != 2 {
		t.Errorf("order requests %d, want 2", e.sb.Stats().Requests["order"])
	}
}

func TestDoubleClickShipsOnce(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	o := testOrder(3)
	var wg sync.WaitGroup
	results := make([]*ShipResult, 4)
	errs := make([]error, 4)
	for i := range results {
		wg.Go(func() { results[i], errs[i] = e.svc.Ship(ctx, frontDesk, o, ShipOptions{}) })
	}
	wg.Wait()
	for i := range results {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if results[i].Order.ID != results[0].Order.ID || results[i].Order.Waybill != results[0].Order.Waybill {
			t.Fatalf("click %d: %s/%s vs %s/%s", i, results[i].Order.ID, results[i].Order.Waybill, results[0].Order.ID, results[0].Order.Waybill)
		}
	}
	if n := len(e.shipments()); n != 1 {
		t.Fatalf("%d shipments", n)
	}
	if n := len(e.jobs(results[0].Order.Waybill)); n != 1 {
		t.Fatalf("%d print jobs", n)
	}
	// A different patient is a different order.
	if r, err := e.svc.Ship(ctx, frontDesk, testOrder(4), ShipOptions{}); err != nil || r.Order.ID == results[0].Order.ID {
		t.Fatalf("second order: %v", err)
	}
}

func TestPrintFailureKeepsTheWaybill(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	missing := printer.PathURI("file", filepath.Join(e.dir, "no-such-folder", "out.prn"))
	res, err := e.svc.Ship(ctx, frontDesk, testOrder(5), ShipOptions{PrinterURI: missing})
	if err != nil {
		t.Fatalf("print failure failed the ship: %v", err)
	}
	if res.Order.Waybill == "" || res.Job.State != store.JobFailed || res.Job.Error == "" || res.Warning == "" {
		t.Fatalf("result %+v job %+v warning %q", res.Order, res.Job, res.Warning)
	}
	if res.Order.Step != store.StepDone {
		t.Errorf("step %s: a failed print is the queue's business, the order goes on", res.Order.Step)
	}
	// The clerk fixes the printer (creates the folder) and retries.
	if err := os.Mkdir(filepath.Join(e.dir, "no-such-folder"), 0o755); err != nil {
		t.Fatal(err)
	}
	j, err := e.svc.RetryJob(ctx, frontDesk, res.Job.ID)
	if err != nil || j.State != store.JobSent {
		t.Fatalf("retry: %v %+v", err, j)
	}
	if n := len(e.jobs(res.Order.Waybill)); n != 1 {
		t.Errorf("%d jobs after retry, want the same one", n)
	}
}

// failingTracker refuses to subscribe until told otherwise.
type failingTracker struct {
	mu    sync.Mutex
	fail  bool
	calls []string
}

func (f *failingTracker) Subscribe(ctx context.Context, waybill string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, waybill)
	if f.fail {
		return &kuaidi100.Error{Op: "subscribe", Code: "500", Message: "快递100服务繁忙，请稍后重试。"}
	}
	return nil
}

func TestResumeAfterSubscribeFailure(t *testing.T) {
	ft := &failingTracker{fail: true}
	e := newEnv(t, func(d *Deps) { d.Tracker = ft })
	ctx := t.Context()
	res, err := e.svc.Ship(ctx, frontDesk, testOrder(6), ShipOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Order.Step != store.StepQueued || !strings.Contains(res.Order.LastError, "繁忙") || res.Job.State != store.JobSent {
		t.Fatalf("after failed subscribe: %+v job %s", res.Order, res.Job.State)
	}
	un, err := e.svc.unfinished(ctx, frontDesk)
	if err != nil || len(un) != 1 || un[0].ID != res.Order.ID {
		t.Fatalf("unfinished: %v %v", un, err)
	}
	ft.mu.Lock()
	ft.fail = false
	ft.mu.Unlock()
	n, err := e.svc.FinishSubscriptions(ctx, System)
	if err != nil || n != 1 {
		t.Fatalf("finish: %d %v", n, err)
	}
	o, _ := e.db.Order(ctx, res.Order.ID)
	if o.Step != store.StepDone || o.LastError != "" {
		t.Fatalf("order after finish: %+v", o)
	}
	if len(e.jobs(o.Waybill)) != 1 {
		t.Error("resume printed again")
	}
	if len(ft.calls) != 2 {
		t.Errorf("subscribe calls %v", ft.calls)
	}
}

func TestResumeAfterCrashBeforeStepSaved(t *testing.T) {
	// A crash after the job was queued but before StepQueued was saved:
	// resuming must not print a second label.
	e := newEnv(t, nil)
	ctx := t.Context()
	res, err := e.svc.Ship(ctx, frontDesk, testOrder(7), ShipOptions{})
	if err != nil {
		t.Fatal(err)
	}
	o := res.Order
	o.Step = store.StepWaybilled
	if err := e.db.SaveOrder(ctx, &o); err != nil {
		t.Fatal(err)
	}
	res2, err := e.svc.Resume(ctx, frontDesk, o.ID, ShipOptions{})
	if err != nil || !res2.Done() || res2.Job.ID != res.Job.ID {
		t.Fatalf("resume: %v %+v job %d vs %d", err, res2.Order, res2.Job.ID, res.Job.ID)
	}
	if n := len(e.jobs(o.Waybill)); n != 1 {
		t.Fatalf("%d jobs", n)
	}
}

func TestValidationStopsBeforeAnything(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	o := testOrder(8)
	o.Recipient.Phone = "1234"
	o.Recipient.Address = "天津"
	o.Carrier = "nosuchcarrier"
	_, err := e.svc.Ship(ctx, frontDesk, o, ShipOptions{})
	var ve *ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, ErrInvalidOrder) {
		t.Fatalf("err %v", err)
	}
	fields := map[string]bool{}
	for _, f := range ve.Fields {
		fields[f.Field] = true
	}
	for _, f := range []string{FieldRecipientPhone, FieldRecipientAddress, FieldCarrier} {
		if !fields[f] {
			t.Errorf("no error for %s in %v", f, ve.Fields)
		}
	}
	if len(e.shipments()) != 0 || e.sb.Stats().Requests["order"] != 0 {
		t.Error("an invalid order reached the service")
	}
	if _, err := e.svc.Ship(ctx, warehouse, testOrder(9), ShipOptions{}); !errors.Is(err, ErrForbidden) {
		t.Errorf("warehouse shipped: %v", err)
	}
}

func TestReprint(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	res, err := e.svc.Ship(ctx, frontDesk, testOrder(10), ShipOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w := res.Order.Waybill
	if _, err := e.svc.Reprint(ctx, warehouse, w, " ", ""); !errors.Is(err, ErrReasonRequired) {
		t.Fatalf("no reason: %v", err)
	}
	if _, err := e.svc.Reprint(ctx, frontDesk, w, "撕坏了", ""); !errors.Is(err, ErrForbidden) {
		t.Fatalf("front desk reprint: %v", err)
	}
	// Scanned with a trailing Enter and lower case.
	j, err := e.svc.Reprint(ctx, warehouse, " "+strings.ToLower(w)+"\r\n", "面单被污损", "")
	if err != nil {
		t.Fatal(err)
	}
	if !j.Reprint || j.Reason != "面单被污损" || j.Who != warehouse.Name || j.State != store.JobSent {
		t.Fatalf("job %+v", j)
	}
	sh, _ := e.db.Shipment(ctx, w)
	if sh.ReprintCount != 1 {
		t.Errorf("reprint count %d", sh.ReprintCount)
	}
	log, _ := e.db.AuditLog(ctx, 10)
	found := false
	for _, a := range log {
		if a.Action == "reprint" && a.Target == w && a.Who == warehouse.Name && strings.Contains(a.Detail, "面单被污损") {
			found = true
		}
	}
	if !found {
		t.Errorf("no audit entry: %+v", log)
	}
	if _, err := e.svc.Reprint(ctx, warehouse, "YT0000000000000", "丢了", ""); !errors.Is(err, ErrNoWaybill) {
		t.Errorf("unknown waybill: %v", err)
	}
}

func TestCancelOnlyBeforePickup(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	a, err := e.svc.Ship(ctx, frontDesk, testOrder(11), ShipOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Cancel(ctx, warehouse, a.Order.Waybill, "填错地址"); !errors.Is(err, ErrForbidden) {
		t.Fatalf("warehouse cancel: %v", err)
	}
	if err := e.svc.Cancel(ctx, frontDesk, a.Order.Waybill, ""); !errors.Is(err, ErrReasonRequired) {
		t.Fatalf("cancel without reason: %v", err)
	}
	if err := e.svc.Cancel(ctx, frontDesk, a.Order.Waybill, "填错地址"); err != nil {
		t.Fatal(err)
	}
	sh, _ := e.db.Shipment(ctx, a.Order.Waybill)
	if sh.Milestone != store.MilestoneCancelled {
		t.Fatalf("milestone %s", sh.Milestone)
	}
	if _, err := e.svc.Reprint(ctx, warehouse, a.Order.Waybill, "再打一张", ""); !errors.Is(err, ErrCancelled) {
		t.Errorf("reprint of cancelled: %v", err)
	}
	if e.sb.Stats().Requests["cancel"] != 1 {
		t.Errorf("cancel requests %v", e.sb.Stats().Requests)
	}

	// The sandbox's parcel is picked up after a few simulated hours; the
	// store does not know yet, Kuaidi100 refuses. No code says "picked
	// up": the clerk reads the service's own words and what to do.
	b, err := e.svc.Ship(ctx, frontDesk, testOrder(12), ShipOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e.sb.Advance(72 * time.Hour)
	err = e.svc.Cancel(ctx, manager, b.Order.Waybill, "病人不要了")
	if !errors.Is(err, kuaidi100.ErrBadRequest) {
		t.Fatalf("cancel after pickup: %v", err)
	}
	if d := Describe(err); !strings.Contains(d, "快件已揽收") || !strings.Contains(d, "拦截") {
		t.Errorf("describe %q", d)
	}
	if sh, _ := e.db.Shipment(ctx, b.Order.Waybill); sh.Milestone == store.MilestoneCancelled {
		t.Error("a refused cancel marked the shipment cancelled")
	}
	// A picked-up shipment the store knows about is refused without a call.
	if _, err := e.db.UpdateShipment(ctx, b.Order.Waybill, func(s *store.Shipment) error {
		s.Milestone = store.MilestoneInTransit
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	before := e.sb.Stats().Requests["cancel"]
	if err := e.svc.Cancel(ctx, manager, b.Order.Waybill, "病人不要了"); !errors.Is(err, ErrPickedUp) {
		t.Fatalf("cancel in transit: %v", err)
	}
	if e.sb.Stats().Requests["cancel"] != before {
		t.Error("called the service for a parcel known to be in transit")
	}
}

func TestSearch(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	var ws, ids []string
	for i, name := range []string{"王芳", "王小明", "李四", "钱七"} {
		o := testOrder(20 + i) // reference PJ20261126-020 … -023
		o.Recipient.Name = name
		o.Recipient.Phone = fmt.Sprintf("1390000%04d", 1234+i)
		if name == "钱七" {
			o.Reference = "眼科A-88" // free text, not shaped like a waybill
		}
		r, err := e.svc.Ship(ctx, frontDesk, o, ShipOptions{NoPrint: true})
		if err != nil {
			t.Fatal(err)
		}
		ws = append(ws, r.Order.Waybill)
		ids = append(ids, r.Order.ID)
	}
	cases := []struct {
		q    string
		u    User
		want []string
	}{
		{ws[1], manager, []string{ws[1]}},
		{" " + strings.ToLower(ws[2]) + "\n", warehouse, []string{ws[2]}},
		{"139 0000 1234", manager, []string{ws[0]}},
		{"1235", warehouse, []string{ws[1]}},
		{"王", frontDesk, []string{ws[1], ws[0]}},
		{"王芳", frontDesk, []string{ws[0]}},
		{"李四", manager, []string{ws[2]}},
		{"赵六", manager, nil},
		{"", manager, []string{ws[0], ws[1], ws[2], ws[3]}},
		// The clinic's 配镜单号 and our order id, typed or scanned.
		{"PJ20261126-021", warehouse, []string{ws[1]}},
		{"pj20261126021\r\n", warehouse, []string{ws[1]}},
		{"ＰＪ２０２６１１２６－０２２", frontDesk, []string{ws[2]}},
		{ids[0], manager, []string{ws[0]}},
		{strings.ToLower(strings.ReplaceAll(ids[2], "-", "")), warehouse, []string{ws[2]}},
		{"眼科a-88", frontDesk, []string{ws[3]}},
		{"眼科A-8", frontDesk, nil}, // a reference matches whole, not by prefix
		{"PJ20261126-099", manager, nil},
		{"---", manager, nil},
	}
	for _, c := range cases {
		got, err := e.svc.Search(ctx, c.u, c.q, time.Time{}, time.Time{}, 0)
		if err != nil {
			t.Fatalf("search %q: %v", c.q, err)
		}
		var gw []string
		for _, s := range got {
			gw = append(gw, s.Waybill)
			masked := strings.Contains(s.RecipientPhone, "****")
			if masked == canSeePhone(c.u.Role) {
				t.Errorf("search %q as %s: phone %q", c.q, c.u.Role, s.RecipientPhone)
			}
		}
		if fmt.Sprint(sortedCopy(gw)) != fmt.Sprint(sortedCopy(c.want)) {
			t.Errorf("search %q: got %v want %v", c.q, gw, c.want)
		}
	}
	// A date range that excludes today finds nothing.
	y := time.Now().AddDate(0, 0, -3)
	if got, _ := e.svc.Search(ctx, manager, "王", y, y, 0); len(got) != 0 {
		t.Errorf("date range: %v", got)
	}
	if got, _ := e.svc.Search(ctx, manager, "王", y, time.Now(), 0); len(got) != 2 {
		t.Errorf("date range including today: %d", len(got))
	}
}

func sortedCopy(s []string) []string {
	c := append([]string(nil), s...)
	for i := range c {
		for j := i + 1; j < len(c); j++ {
			if c[j] < c[i] {
				c[i], c[j] = c[j], c[i]
			}
		}
	}
	return c
}

func TestShipBatchProgressAndCancel(t *testing.T) {
	e := newEnv(t, nil)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var orders []store.Order
	for i := range 5 {
		orders = append(orders, testOrder(40+i))
	}
	bad := testOrder(45)
	bad.Recipient.Phone = "12"
	orders = append(orders[:2], append([]store.Order{bad}, orders[2:]...)...)
	var seen []int
	res, err := e.svc.ShipBatch(ctx, frontDesk, orders, ShipOptions{NoPrint: true}, func(done, total int) {
		seen = append(seen, done)
		if total != 6 {
			t.Errorf("total %d", total)
		}
		if done == 4 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	if len(res) != 4 || fmt.Sprint(seen) != "[1 2 3 4]" {
		t.Fatalf("%d results, progress %v", len(res), seen)
	}
	if !errors.Is(res[2].Err, ErrInvalidOrder) || res[0].Err != nil || res[3].Err != nil {
		t.Fatalf("errors %v %v %v", res[0].Err, res[2].Err, res[3].Err)
	}
	if n := len(e.shipments()); n != 3 {
		t.Fatalf("%d shipments", n)
	}
}

func TestStats(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	now := time.Now()
	st, _ := e.db.Settings(ctx)
	st.PromisedDays = 2
	if err := e.svc.SaveSettings(ctx, manager, st); err != nil {
		t.Fatal(err)
	}
	// Four delivered parcels: pickup-to-delivery 10h, 20h, 30h (zhongtong)
	// and 60h (yuantong); one still in transit.
	for i, c := range []struct {
		carrier string
		hours   int
	}{{"zhongtong", 10}, {"zhongtong", 20}, {"zhongtong", 30}, {"yuantong", 60}, {"yuantong", -1}} {
		created := now.Add(-time.Duration(c.hours+5) * time.Hour)
		sh := store.Shipment{Waybill: fmt.Sprintf("7500000000%04d", i), Carrier: c.carrier, RecipientName: "王芳",
			RecipientPhone: "13700001111", Milestone: store.MilestoneOrdered, CreatedAt: created}
		if err := e.db.CreateShipment(ctx, &sh); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.UpdateShipment(ctx, sh.Waybill, func(s *store.Shipment) error {
			pick := created.Add(2 * time.Hour)
			s.SetMilestoneTime(store.MilestonePickedUp, pick)
			s.Milestone = store.MilestoneInTransit
			if c.hours >= 0 {
				s.Milestone = store.MilestoneDelivered
				s.SetMilestoneTime(store.MilestoneDelivered, pick.Add(time.Duration(c.hours)*time.Hour))
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	s, err := e.svc.Stats(ctx, manager, now)
	if err != nil {
		t.Fatal(err)
	}
	if s.Total != 5 || s.Active != 1 {
		t.Errorf("total %d active %d", s.Total, s.Active)
	}
	if s.ByMilestone[store.MilestoneDelivered].Count != 4 || s.ByMilestone[store.MilestoneInTransit].Count != 1 {
		t.Errorf("by milestone %+v", s.ByMilestone)
	}
	if s.MedianHours != 25 {
		t.Errorf("median %v, want 25", s.MedianHours)
	}
	if s.OnTimeRate != 0.75 {
		t.Errorf("on-time %v, want 0.75", s.OnTimeRate)
	}
	by := map[string]CarrierStats{}
	for _, c := range s.ByCarrier {
		by[c.Code] = c
	}
	if z := by["zhongtong"]; z.Shipments != 3 || z.Delivered != 3 || z.OnTimeRate != 1 || z.MedianHours != 20 || z.Name != "中通快递" {
		t.Errorf("zhongtong %+v", z)
	}
	if y := by["yuantong"]; y.Shipments != 2 || y.Delivered != 1 || y.OnTimeRate != 0 || y.MedianHours != 60 {
		t.Errorf("yuantong %+v", y)
	}
	if len(s.PerDay) != statsDays || s.PerDay[len(s.PerDay)-1].Day != now.Format("2006-01-02") {
		t.Errorf("per day %d, last %+v", len(s.PerDay), s.PerDay[len(s.PerDay)-1])
	}
}

func TestSettingsAndExportAreAudited(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	st, _ := e.svc.Settings(ctx, manager)
	st.DefaultCarrier = "yuantong"
	if err := e.svc.SaveSettings(ctx, frontDesk, st); !errors.Is(err, ErrForbidden) {
		t.Fatalf("front desk saved settings: %v", err)
	}
	if err := e.svc.SaveSettings(ctx, manager, st); err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	if err := e.svc.ExportCSV(ctx, warehouse, &sb); !errors.Is(err, ErrForbidden) {
		t.Fatalf("warehouse export: %v", err)
	}
	if err := e.svc.ExportCSV(ctx, manager, &sb); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Backup(ctx, manager, filepath.Join(e.dir, "backup.db")); err != nil {
		t.Fatal(err)
	}
	log, _ := e.db.AuditLog(ctx, 10)
	var actions []string
	for _, a := range log {
		actions = append(actions, a.Action+":"+a.Detail)
	}
	got := strings.Join(actions, "|")
	for _, want := range []string{"settings:changed: defaults", "export:", "backup:"} {
		if !strings.Contains(got, want) {
			t.Errorf("audit %q lacks %q", got, want)
		}
	}
	if c := e.svc.SuggestCarriers(ctx, store.Order{}); len(c) == 0 || c[0].Code != "yuantong" {
		t.Errorf("suggest: %+v", c)
	}
	if c := e.svc.SuggestCarriers(ctx, store.Order{Waybill: "YT9383342193097"}); len(c) == 0 || c[0].Code != "yuantong" {
		t.Errorf("suggest by number: %+v", c)
	}
}

func TestPreviewIsMarked(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	o := testOrder(50)
	p, err := e.svc.Preview(ctx, o, label.Size76x130, 203)
	if err != nil {
		t.Fatal(err)
	}
	o.Waybill = previewWaybill(o.Carrier)
	q, err := e.svc.Preview(ctx, o, label.Size76x130, 203)
	if err != nil {
		t.Fatal(err)
	}
	img, plain := p.Image, q.Image
	if len(p.Warnings)+len(q.Warnings) != 0 {
		t.Errorf("warnings for an order that prints every character: %v %v", p.Warnings, q.Warnings)
	}
	if img.Bounds() != plain.Bounds() {
		t.Fatalf("bounds %v vs %v", img.Bounds(), plain.Bounds())
	}
	diff := 0
	for i := range img.Pix {
		if img.Pix[i] != plain.Pix[i] {
			diff++
		}
	}
	if diff == 0 {
		t.Error("the preview is not marked as a preview")
	}
}

func TestCorrectedOrderAfterFailedWaybill(t *testing.T) {
	fw := &flakyWaybills{lose: 1}
	e := newEnv(t, func(d *Deps) { fw.Waybills = d.Waybills; d.Waybills = fw })
	ctx := t.Context()
	res, err := e.svc.Ship(ctx, frontDesk, testOrder(60), ShipOptions{NoPrint: true})
	if err == nil {
		t.Fatal("first try succeeded")
	}
	o := res.Order
	o.Recipient.Address = "天津市和平区南京路219号"
	res2, err := e.svc.Ship(ctx, frontDesk, o, ShipOptions{NoPrint: true})
	if err != nil || !res2.Done() || res2.Order.ID == o.ID {
		t.Fatalf("corrected: %v %+v", err, res2.Order)
	}
	if len(fw.issued) != 2 || fw.issued[0] == fw.issued[1] {
		t.Errorf("issued %v: the corrected order must not reuse the old orderId", fw.issued)
	}
	old, _ := e.db.Order(ctx, o.ID)
	if old.Step != store.StepDone || !strings.Contains(old.LastError, res2.Order.ID) {
		t.Errorf("old order %+v", old)
	}
	un, _ := e.svc.unfinished(ctx, frontDesk)
	if len(un) != 0 {
		t.Errorf("unfinished %v", un)
	}
	sh, _ := e.db.Shipment(ctx, res2.Order.Waybill)
	if sh.RecipientAddr != "天津市和平区南京路219号" {
		t.Errorf("shipment address %q", sh.RecipientAddr)
	}
}

// A clerk whose first click timed out (the reply was lost after Kuaidi100
// issued the waybill) and who clicks again after the double-click window
// must get that waybill back, not a second one under a new order id.
func TestRetryAfterDedupWindowGetsTheSameWaybill(t *testing.T) {
	fw := &flakyWaybills{lose: 1}
	clock := testkit.NewClock(time.Date(2026, 11, 26, 10, 0, 0, 0, time.Local))
	e := newEnv(t, func(d *Deps) { fw.Waybills = d.Waybills; d.Waybills = fw; d.Now = clock.Now })
	ctx := t.Context()
	o := testOrder(70)
	first, err := e.svc.Ship(ctx, frontDesk, o, ShipOptions{NoPrint: true})
	if err == nil {
		t.Fatal("first try succeeded")
	}
	clock.Add(10 * time.Minute)
	res, err := e.svc.Ship(ctx, frontDesk, o, ShipOptions{NoPrint: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Order.ID != first.Order.ID || len(fw.issued) != 2 || fw.issued[0] != fw.issued[1] {
		t.Fatalf("order %s (first %s), issued %v: a second waybill for one order", res.Order.ID, first.Order.ID, fw.issued)
	}
	if n := len(e.shipments()); n != 1 {
		t.Fatalf("%d shipments", n)
	}
}

// A correction of a field that goes on the waybill but is not the name,
// phone or address (sender address, insured value) must not be dropped.
func TestCorrectionOfAnyWaybillFieldIsKept(t *testing.T) {
	fw := &flakyWaybills{lose: 1}
	e := newEnv(t, func(d *Deps) { fw.Waybills = d.Waybills; d.Waybills = fw })
	ctx := t.Context()
	res, err := e.svc.Ship(ctx, frontDesk, testOrder(71), ShipOptions{NoPrint: true})
	if err == nil {
		t.Fatal("first try succeeded")
	}
	o := res.Order
	o.Sender.Address = "天津市和平区南京路219号"
	o.InsuredValue = 800
	res2, err := e.svc.Ship(ctx, frontDesk, o, ShipOptions{NoPrint: true})
	if err != nil {
		t.Fatal(err)
	}
	if res2.Order.Sender.Address != o.Sender.Address || res2.Order.InsuredValue != 800 {
		t.Fatalf("shipped sender %q insured %v: the correction was lost", res2.Order.Sender.Address, res2.Order.InsuredValue)
	}
	if res2.Order.ID == o.ID || len(fw.issued) != 2 || fw.issued[0] == fw.issued[1] {
		t.Fatalf("order %s, issued %v: the corrected order must not reuse the old orderId", res2.Order.ID, fw.issued)
	}
}

// An order closed because it was corrected has no waybill: resuming it or
// shipping it again must not report success with an empty waybill.
func TestClosedOrderIsNotAnEmptySuccess(t *testing.T) {
	fw := &flakyWaybills{lose: 1}
	e := newEnv(t, func(d *Deps) { fw.Waybills = d.Waybills; d.Waybills = fw })
	ctx := t.Context()
	res, err := e.svc.Ship(ctx, frontDesk, testOrder(72), ShipOptions{NoPrint: true})
	if err == nil {
		t.Fatal("first try succeeded")
	}
	old := res.Order
	o := old
	o.Recipient.Address = "天津市和平区南京路219号"
	res2, err := e.svc.Ship(ctx, frontDesk, o, ShipOptions{NoPrint: true})
	if err != nil || !res2.Done() {
		t.Fatalf("corrected: %v", err)
	}
	r, err := e.svc.Resume(ctx, frontDesk, old.ID, ShipOptions{})
	if err == nil {
		t.Fatalf("resume of the closed order %s succeeded with waybill %q", old.ID, r.Order.Waybill)
	}
	if d := Describe(err); !strings.Contains(d, res2.Order.ID) || !hasHan(d) {
		t.Errorf("message %q does not point to the new order", d)
	}
	// The same corrected content with the old id again (a second click)
	// is the new order.
	res3, err := e.svc.Ship(ctx, frontDesk, o, ShipOptions{NoPrint: true})
	if err != nil || res3.Order.ID != res2.Order.ID || res3.Order.Waybill != res2.Order.Waybill {
		t.Fatalf("again: %v, %+v", err, res3)
	}
	if n := len(e.shipments()); n != 1 {
		t.Fatalf("%d shipments", n)
	}
}

// hangUpWaybills cancels the caller's context once Kuaidi100 has answered
// a cancel: the window closed, or the clerk pressed Esc, just then.
type hangUpWaybills struct {
	Waybills
	hangUp     context.CancelFunc
	onOrderToo bool // also right after a waybill is issued
}

func (h *hangUpWaybills) Order(ctx context.Context, r kuaidi100.OrderRequest) (*kuaidi100.OrderResult, error) {
	res, err := h.Waybills.Order(ctx, r)
	if h.onOrderToo {
		h.hangUp()
	}
	return res, err
}

func (h *hangUpWaybills) Cancel(ctx context.Context, r kuaidi100.CancelRequest) error {
	err := h.Waybills.Cancel(ctx, r)
	h.hangUp()
	return err
}

// A waybill Kuaidi100 has cancelled must be recorded as cancelled even if
// the caller's context ends right after the call: otherwise the desk keeps
// a live-looking waybill that can be reprinted and handed to the courier.
func TestCancelIsRecordedAfterTheCallerHangsUp(t *testing.T) {
	hw := &hangUpWaybills{}
	e := newEnv(t, func(d *Deps) { hw.Waybills = d.Waybills; d.Waybills = hw })
	res, err := e.svc.Ship(t.Context(), frontDesk, testOrder(73), ShipOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	hw.hangUp = cancel
	err = e.svc.Cancel(ctx, frontDesk, res.Order.Waybill, "填错地址")
	if e.sb.Stats().Requests["cancel"] != 1 {
		t.Fatalf("cancel requests %v (err %v)", e.sb.Stats().Requests, err)
	}
	bg := t.Context()
	sh, _ := e.db.Shipment(bg, res.Order.Waybill)
	if sh.Milestone != store.MilestoneCancelled {
		t.Fatalf("cancelled at Kuaidi100 but stored as %s (err %v)", sh.Milestone, err)
	}
	log, _ := e.db.AuditLog(bg, 10)
	if len(log) == 0 || log[0].Action != "cancel" {
		t.Errorf("no audit entry for the cancel: %+v", log)
	}
	if _, err := e.svc.Reprint(bg, warehouse, res.Order.Waybill, "再打一张", ""); !errors.Is(err, ErrCancelled) {
		t.Errorf("reprint of the cancelled waybill: %v", err)
	}
}

// Ctrl-C (or the window closing) right after the waybill was issued stops
// the order before its label; shipping the same order again must finish
// that order, not issue a second waybill.
func TestShipAgainAfterInterruptAfterWaybill(t *testing.T) {
	hw := &hangUpWaybills{onOrderToo: true}
	e := newEnv(t, func(d *Deps) { hw.Waybills = d.Waybills; d.Waybills = hw; d.DedupWindow = -1 })
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	hw.hangUp = cancel
	first, err := e.svc.Ship(ctx, frontDesk, testOrder(74), ShipOptions{})
	if !errors.Is(err, context.Canceled) || first == nil || first.Order.Step != store.StepWaybilled {
		t.Fatalf("interrupted ship: %v %+v", err, first)
	}
	hw.onOrderToo = false
	res, err := e.svc.Ship(t.Context(), frontDesk, testOrder(74), ShipOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Order.ID != first.Order.ID || res.Order.Waybill != first.Order.Waybill || !res.Done() {
		t.Fatalf("shipped again as %s/%s, first %s/%s", res.Order.ID, res.Order.Waybill, first.Order.ID, first.Order.Waybill)
	}
	if n := len(e.shipments()); n != 1 {
		t.Fatalf("%d shipments", n)
	}
	if n := len(e.jobs(res.Order.Waybill)); n != 1 || res.Job.State != store.JobSent {
		t.Fatalf("%d jobs, job %+v", n, res.Job)
	}
}

// A character the label font cannot draw (an emoji, CJK Extension B) does
// not stop an order: it ships, the label prints a box in its place, and the
// result names each such character and its field, in the app's language.
func TestUndrawableCharactersShipWithWarnings(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	st, err := e.db.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.Label.FullAddresses = true // the address detail prints, 𠀀 with it
	if err := e.db.SaveSettings(ctx, st); err != nil {
		t.Fatal(err)
	}
	o := testOrder(75)
	o.Remark = "易碎😀轻放"
	o.Recipient.Address = "天津市河西区友谊路𠀀32号"
	if fe := e.svc.Validate(o); len(fe) != 0 {
		t.Fatalf("Validate refuses: %v", fe)
	}
	p, err := e.svc.Preview(ctx, o, label.Size76x130, 203)
	if err != nil {
		t.Fatal(err)
	}
	checkGlyphWarnings(t, "preview", p.Warnings)

	res, err := e.svc.Ship(ctx, frontDesk, o, ShipOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Done() || res.Order.Waybill == "" || res.Job.State != store.JobSent {
		t.Fatalf("not shipped: step %s waybill %q job %s %s", res.Order.Step, res.Order.Waybill, res.Job.State, res.Job.Error)
	}
	if res.Warning != "" || res.Order.LastError != "" {
		t.Errorf("a step failed: %q %q", res.Warning, res.Order.LastError)
	}
	checkGlyphWarnings(t, "ship", res.LabelWarnings)
	if res.Preview == nil {
		t.Fatal("no picture of the printed label")
	}
	if sh, err := e.db.Shipment(ctx, res.Order.Waybill); err != nil || sh.RecipientAddr != o.Recipient.Address {
		t.Errorf("stored address %q (%v), want it as typed", sh.RecipientAddr, err)
	}

	// With the 隐私面单 address mask (the default) the detail holding 𠀀
	// does not print, so only the remark is named.
	st.Label.FullAddresses = false
	if err := e.db.SaveSettings(ctx, st); err != nil {
		t.Fatal(err)
	}
	m, err := e.svc.Preview(ctx, o, label.Size76x130, 203)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Warnings) != 1 || m.Warnings[0].Field != FieldRemark || m.Warnings[0].Chars != "😀" {
		t.Errorf("masked address: warnings %+v, want the remark's 😀 alone", m.Warnings)
	}
}

// checkGlyphWarnings wants one warning for the remark's 😀 and one for
// the address's 𠀀, in Chinese, naming field and character.
func checkGlyphWarnings(t *testing.T, what string, ws []GlyphWarning) {
	t.Helper()
	want := []struct{ field, chars, name, code string }{
		{FieldRecipientAddress, "𠀀", "收件地址", "U+20000"},
		{FieldRemark, "😀", "备注", "U+1F600"},
	}
	if len(ws) != len(want) {
		t.Fatalf("%s: warnings %+v, want %d", what, ws, len(want))
	}
	for i, w := range want {
		g := ws[i]
		if g.Field != w.field || g.Chars != w.chars || !strings.Contains(g.Message, w.name) ||
			!strings.Contains(g.Message, w.chars) || !strings.Contains(g.Message, w.code) || !strings.Contains(g.Message, "方框") {
			t.Errorf("%s: warning %d = %+v, want field %s naming %s (%s) in Chinese", what, i, g, w.field, w.chars, w.name)
		}
	}
}

// The preview draws a box where the emoji goes: the remark with it inks
// more than the same remark without it, and the rest of the label is the
// same.
func TestPreviewDrawsTheBox(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	o := testOrder(77)
	o.Remark = "易碎😀"
	with, err := e.svc.Preview(ctx, o, label.Size76x130, 203)
	if err != nil {
		t.Fatal(err)
	}
	o.Remark = "易碎"
	without, err := e.svc.Preview(ctx, o, label.Size76x130, 203)
	if err != nil {
		t.Fatal(err)
	}
	if with.Image.Bounds() != without.Image.Bounds() {
		t.Fatalf("bounds %v vs %v", with.Image.Bounds(), without.Image.Bounds())
	}
	var added, removed int
	var box image.Rectangle
	for i := range with.Image.Pix {
		a, b := with.Image.Pix[i] < 128, without.Image.Pix[i] < 128
		switch {
		case a && !b:
			added++
			p := image.Pt(i%with.Image.Stride, i/with.Image.Stride)
			box = box.Union(image.Rectangle{p, p.Add(image.Pt(1, 1))})
		case b && !a:
			removed++
		}
	}
	// A crossed box of a 2 mm character at 203 dpi (16 dots): four sides
	// and two diagonals, well over 40 dots of ink.
	if added < 40 || removed != 0 {
		t.Fatalf("the emoji added %d and removed %d black dots; want a box and nothing else changed", added, removed)
	}
	if box.Dx() < 8 || box.Dy() < 8 || box.Dx() > 80 || box.Dy() > 80 {
		t.Errorf("new ink spans %v: not one character's box", box)
	}
}

// Numbers that are not numbers ("NaN", "Inf" parse as floats) or negative
// money must be refused by the check, not fail later in the store's JSON
// with an English message (or go to Kuaidi100).
func TestOddNumbersAreInvalid(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	for _, mod := range []func(*store.Order){
		func(o *store.Order) { o.Weight = math.NaN() },
		func(o *store.Order) { o.Weight = math.Inf(1) },
		func(o *store.Order) { o.InsuredValue = math.NaN() },
		func(o *store.Order) { o.InsuredValue = -50 },
		func(o *store.Order) { o.COD = math.Inf(-1) },
	} {
		o := testOrder(76)
		mod(&o)
		if _, err := e.svc.Ship(ctx, frontDesk, o, ShipOptions{}); !errors.Is(err, ErrInvalidOrder) {
			t.Errorf("weight %v insured %v cod %v: %v", o.Weight, o.InsuredValue, o.COD, err)
		}
	}
	csv := "收件人,电话,地址,重量,保价\n王芳,13700001111,天津市河西区友谊路32号,NaN,\n王芳,13700001111,天津市河西区友谊路32号,,Inf\n"
	st := store.DefaultSettings()
	st.Senders = []store.Party{testOrder(1).Sender}
	st.DefaultCarrier = "zhongtong"
	orders, rowErrs, err := parseOrdersCSV(strings.NewReader(csv), st)
	got := map[string]bool{}
	for _, re := range rowErrs {
		got[fmt.Sprint(re.Row, re.Field)] = true
	}
	if err != nil || len(orders) != 0 || !got["2"+FieldWeight] || !got["3"+FieldInsured] {
		t.Errorf("csv: %d orders, row errors %+v, %v", len(orders), rowErrs, err)
	}
	if n := e.sb.Stats().Requests["order"]; n != 0 {
		t.Errorf("%d waybills asked for", n)
	}
}

// emptyWaybills answers an order with success but no number.
type emptyWaybills struct{ Waybills }

func (emptyWaybills) Order(context.Context, kuaidi100.OrderRequest) (*kuaidi100.OrderResult, error) {
	return &kuaidi100.OrderResult{}, nil
}

func TestNoWaybillNumberIsExplainedInChinese(t *testing.T) {
	e := newEnv(t, func(d *Deps) { d.Waybills = emptyWaybills{d.Waybills} })
	res, err := e.svc.Ship(t.Context(), frontDesk, testOrder(77), ShipOptions{})
	if err == nil {
		t.Fatal("shipped without a waybill number")
	}
	if d := Describe(err); strings.Contains(d, "kuaidi100") || !hasHan(d) || res.Order.LastError != d {
		t.Errorf("clerk sees %q, order says %q", d, res.Order.LastError)
	}
}

// sameNumberWaybills hands out one number for every order, as a sandbox
// restarted with the same --seed does.
type sameNumberWaybills struct {
	Waybills
	num string
}

func (s sameNumberWaybills) Order(ctx context.Context, r kuaidi100.OrderRequest) (*kuaidi100.OrderResult, error) {
	res, err := s.Waybills.Order(ctx, r)
	if err == nil {
		res.Waybill = s.num
	}
	return res, err
}

// A number already stored for another order must not be taken as this
// order's waybill: the second patient would get no label (the first one's
// job is "reused") and share the first one's tracking.
func TestWaybillOfAnotherOrderIsRefused(t *testing.T) {
	e := newEnv(t, func(d *Deps) { d.Waybills = sameNumberWaybills{d.Waybills, "75000000000001"} })
	ctx := t.Context()
	a, err := e.svc.Ship(ctx, frontDesk, testOrder(78), ShipOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.svc.Ship(ctx, frontDesk, testOrder(79), ShipOptions{})
	if err == nil {
		t.Fatalf("second order %s shipped with the first order's waybill %s (job %d, first job %d)", b.Order.ID, b.Order.Waybill, b.Job.ID, a.Job.ID)
	}
	if b.Order.Waybill != "" || b.Order.Step != store.StepSaved || !hasHan(Describe(err)) {
		t.Errorf("second order %+v, clerk sees %q", b.Order, Describe(err))
	}
	sh, _ := e.db.Shipment(ctx, "75000000000001")
	if sh.OrderID != a.Order.ID {
		t.Errorf("shipment now belongs to %s", sh.OrderID)
	}
}

// An order id the store did not assign must not be used: the store hands
// out SD<day>-<seq> without looking, and a later order given the same id
// would replace this one.
func TestUnknownOrderIDIsNotKept(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	o := testOrder(80)
	o.ID = "SD" + time.Now().Format("20060102") + "-000002"
	a, err := e.svc.Ship(ctx, frontDesk, o, ShipOptions{NoPrint: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := 81; i <= 82; i++ {
		if _, err := e.svc.Ship(ctx, frontDesk, testOrder(i), ShipOptions{NoPrint: true}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := e.db.Order(ctx, a.Order.ID)
	if err != nil || got.Recipient.Phone != a.Order.Recipient.Phone || got.Waybill != a.Order.Waybill {
		t.Fatalf("order %s now holds %s/%s, want %s/%s (%v)", a.Order.ID, got.Recipient.Phone, got.Waybill, a.Order.Recipient.Phone, a.Order.Waybill, err)
	}
}
