package sandbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"image/png"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"shipdesk/kuaidi100"
	"shipdesk/kuaidi100/sandbox"
)

const salt = "pepper-盐"

var start = time.Date(2026, 11, 2, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))

// env is a sandbox on a manual clock, a client and a push/SMS receiver.
type env struct {
	t        *testing.T
	sb       *sandbox.Server
	srv      *httptest.Server
	cl       *kuaidi100.Client
	recv     *httptest.Server
	mu       sync.Mutex
	pushes   []*kuaidi100.Push
	receipts []*kuaidi100.SMSReceipt
	refuse   int // refuse the next n pushes
	onPush   func(*kuaidi100.Push)
}

func newEnv(t *testing.T, o sandbox.Options) *env {
	t.Helper()
	if o.Clock == nil {
		real := time.Unix(1_800_000_000, 0)
		o.Clock = func() time.Time { return real } // only Advance moves time
		o.Start = start
	}
	e := &env{t: t}
	e.recv = httptest.NewServer(http.HandlerFunc(e.receive))
	t.Cleanup(e.recv.Close)
	o.HTTPClient = e.recv.Client()
	e.sb = sandbox.New(o)
	e.srv = httptest.NewServer(e.sb)
	t.Cleanup(e.srv.Close)
	cfg := e.sb.Credentials()
	cfg.BaseURL, cfg.HTTPClient = e.srv.URL, e.srv.Client()
	e.cl = kuaidi100.New(cfg)
	return e
}

func (e *env) receive(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/sms") {
		rc, err := kuaidi100.ParseSMSCallback(r)
		if err != nil {
			e.t.Errorf("sms callback: %v", err)
			return
		}
		e.mu.Lock()
		e.receipts = append(e.receipts, rc)
		e.mu.Unlock()
		w.Write(kuaidi100.SMSCallbackReply)
		return
	}
	p, err := kuaidi100.ParsePushRequest(r, salt)
	if err != nil {
		e.t.Errorf("push: %v", err)
		w.Write(kuaidi100.PushReply(false, err.Error()))
		return
	}
	e.mu.Lock()
	if e.refuse > 0 {
		e.refuse--
		e.mu.Unlock()
		w.Write(kuaidi100.PushReply(false, "database busy"))
		return
	}
	e.pushes = append(e.pushes, p)
	f := e.onPush
	e.mu.Unlock()
	if f != nil {
		f(p)
	}
	w.Write(kuaidi100.PushReplyOK)
}

func (e *env) gotPushes() []*kuaidi100.Push {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]*kuaidi100.Push(nil), e.pushes...)
}

// advance moves the simulated clock by d in steps, delivering what is due.
func (e *env) advance(d, step time.Duration) {
	for done := time.Duration(0); done < d; done += step {
		e.sb.Advance(step)
		e.sb.Step(e.t.Context())
	}
}

func order(id, com string) kuaidi100.OrderRequest {
	return kuaidi100.OrderRequest{
		OrderID: id, Com: com,
		Recipient: kuaidi100.Party{Name: "王芳", Phone: "13700001111", Address: "天津市河西区友谊路32号"},
		Sender:    kuaidi100.Party{Name: "视光中心", Phone: "022-23346655", Address: "上海市杨浦区复康路4号"},
		Cargo:     "眼镜", Count: 1, Weight: 0.4, ExpType: "标准快递",
		Account: sandboxAccount(com),
	}
}

// lockedBy reports whether a query failed because the sandbox locked num:
// the client sees only "no result" (the real service has no lock code);
// the sandbox's own counters say why.
func lockedBy(sb *sandbox.Server, err error, num string) bool {
	return errors.Is(err, kuaidi100.ErrNoResult) && slices.Contains(sb.Stats().Locked, kuaidi100.NormalizeNumber(num))
}

// sandboxAccount is the account the sandbox accepts for com.
func sandboxAccount(com string) kuaidi100.Account {
	a, _ := kuaidi100.SandboxAccount(com)
	return a
}

func TestLifecycleOrderSubscribePushShutdown(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t, sandbox.Options{Seed: 7, QueryRate: 1, SubscribeRate: 10, DailyQuota: 1000})
	res, err := e.cl.Order(ctx, order("SD20261102-0001", "zhongtong"))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^7[3-68]\d{12}$`).MatchString(res.Waybill) || res.TaskID == "" || res.Routing.BulkPen == "" {
		t.Fatalf("order result %+v", res)
	}
	again, err := e.cl.Order(ctx, order("SD20261102-0001", "zhongtong"))
	if err != nil || again.Waybill != res.Waybill || again.TaskID != res.TaskID {
		t.Fatalf("retry with the same orderId gave %+v %v, want %s", again, err, res.Waybill)
	}
	sub := kuaidi100.SubscribeRequest{Com: "zhongtong", Num: res.Waybill, Phone: "1111", CallbackURL: e.recv.URL + "/push?shipment=1", Salt: salt}
	if err := e.cl.Subscribe(ctx, sub); err != nil {
		t.Fatal(err)
	}
	if err := e.cl.Subscribe(ctx, sub); err != nil {
		t.Fatalf("second subscribe (501) must be success: %v", err)
	}
	for i := 0; i < 30*24 && e.sb.Stats().Active > 0; i++ {
		e.advance(time.Hour, time.Hour)
		if i%2 == 1 { // poll every 2 simulated hours, within the limits
			if _, err := e.cl.Query(ctx, kuaidi100.QueryRequest{Com: "zhongtong", Num: res.Waybill, Phone: "1111"}); err != nil {
				t.Fatalf("query at hour %d: %v", i, err)
			}
		}
	}
	e.advance(2*time.Hour, time.Hour)
	lastQuery, err := e.cl.Query(ctx, kuaidi100.QueryRequest{Com: "zhongtong", Num: res.Waybill, Phone: "1111"})
	if err != nil {
		t.Fatal(err)
	}
	pushes := e.gotPushes()
	if len(pushes) < 3 {
		t.Fatalf("%d pushes", len(pushes))
	}
	for i, p := range pushes {
		if p.Track.Num != res.Waybill || p.Track.Com != "zhongtong" {
			t.Errorf("push %d for %s/%s", i, p.Track.Com, p.Track.Num)
		}
		if i > 0 && len(p.Track.Events) <= len(pushes[i-1].Track.Events) {
			t.Errorf("push %d without change (%d events)", i, len(p.Track.Events))
		}
		want := kuaidi100.PushPolling
		if i == len(pushes)-1 {
			want = kuaidi100.PushShutdown
		}
		if p.Status != want {
			t.Errorf("push %d status %s, want %s", i, p.Status, want)
		}
	}
	final := pushes[len(pushes)-1].Track
	if !final.Milestone.Terminal() {
		t.Errorf("final milestone %v", final.Milestone)
	}
	// The journey passed every normal milestone in order.
	var seen []kuaidi100.Milestone
	for i := len(final.Events) - 1; i >= 0; i-- {
		m := final.Events[i].Milestone
		if len(seen) == 0 || seen[len(seen)-1] != m {
			seen = append(seen, m)
		}
		if i > 0 && final.Events[i].Time.After(final.Events[i-1].Time) {
			t.Error("events not newest first")
		}
	}
	for i, m := range []kuaidi100.Milestone{kuaidi100.MilestoneOrdered, kuaidi100.MilestonePickedUp, kuaidi100.MilestoneInTransit, kuaidi100.MilestoneOutForDelivery} {
		if i >= len(seen) || seen[i] != m {
			t.Fatalf("journey %v does not start ordered, picked up, in transit, out for delivery", seen)
		}
	}
	if lastQuery.Milestone != final.Milestone || len(lastQuery.Events) != len(final.Events) {
		t.Errorf("query says %v, push says %v", lastQuery.Milestone, final.Milestone)
	}
	st := e.sb.Stats()
	if len(st.Violations) != 0 || len(st.Locked) != 0 {
		t.Errorf("a client within limits caused violations %v, locks %v", st.Violations, st.Locked)
	}
	if st.Requests["order"] != 2 || st.Requests["subscribe"] != 2 || st.Pushes["shutdown"] != 1 || st.Responses["subscribe 501"] != 1 || st.Parcels != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestOutcomeShares(t *testing.T) {
	ctx := t.Context()
	cases := []struct {
		name string
		o    sandbox.Options
		want kuaidi100.Milestone
		via  kuaidi100.Milestone
	}{
		{"refused", sandbox.Options{RefusedShare: 1}, kuaidi100.MilestoneRefused, kuaidi100.MilestoneProblem},
		{"returned", sandbox.Options{ReturnedShare: 1}, kuaidi100.MilestoneReturned, kuaidi100.MilestoneReturning},
		{"problem", sandbox.Options{ProblemShare: 1}, kuaidi100.MilestoneDelivered, kuaidi100.MilestoneProblem},
		{"normal", sandbox.Options{}, kuaidi100.MilestoneDelivered, kuaidi100.MilestoneOutForDelivery},
	}
	for _, c := range cases {
		e := newEnv(t, c.o)
		res, err := e.cl.Order(ctx, order("O-"+c.name, "yuantong"))
		if err != nil {
			t.Fatal(err)
		}
		e.advance(20*24*time.Hour, 24*time.Hour)
		tr, err := e.cl.Query(ctx, kuaidi100.QueryRequest{Com: "yuantong", Num: res.Waybill})
		if err != nil {
			t.Fatal(err)
		}
		if tr.Milestone != c.want {
			t.Errorf("%s: milestone %v, want %v", c.name, tr.Milestone, c.want)
		}
		found := false
		for _, ev := range tr.Events {
			found = found || ev.Milestone == c.via
			if ev.Area == "" || ev.Context == "" || ev.State == "" {
				t.Errorf("%s: thin event %+v", c.name, ev)
			}
		}
		if !found {
			t.Errorf("%s: no %v event in %+v", c.name, c.via, tr.Events)
		}
	}
}

func TestQueryLocking(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t, sandbox.Options{})
	res, _ := e.cl.Order(ctx, order("L1", "yuantong"))
	q := kuaidi100.QueryRequest{Com: "yuantong", Num: res.Waybill}
	if _, err := e.cl.Query(ctx, q); err != nil {
		t.Fatal(err)
	}
	e.sb.Advance(30 * time.Minute)
	if _, err := e.cl.Query(ctx, q); err != nil {
		t.Fatalf("query after exactly 30 minutes: %v", err)
	}
	e.sb.Advance(10 * time.Minute)
	if _, err := e.cl.Query(ctx, q); !lockedBy(e.sb, err, q.Num) {
		t.Fatalf("query after 10 minutes: %v, want ErrLocked", err)
	}
	st := e.sb.Stats()
	if st.Violations["query_interval"] != 1 || len(st.Locked) != 1 || st.Locked[0] != res.Waybill {
		t.Errorf("stats %+v", st)
	}
	e.sb.Advance(23 * time.Hour)
	if _, err := e.cl.Query(ctx, q); !lockedBy(e.sb, err, q.Num) {
		t.Fatalf("query during the lock: %v", err)
	}
	e.sb.Advance(24*time.Hour + time.Minute) // 24 h quiet unlocks
	if _, err := e.cl.Query(ctx, q); err != nil {
		t.Fatalf("after 24 h quiet: %v", err)
	}
	st = e.sb.Stats()
	if st.Violations["query_locked"] != 1 || len(st.Locked) != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestGlobalRateAndQuota(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t, sandbox.Options{QueryRate: 1, DailyQuota: 3})
	a, _ := e.cl.Order(ctx, order("A", "shentong"))
	b, _ := e.cl.Order(ctx, order("B", "shentong"))
	if _, err := e.cl.Query(ctx, kuaidi100.QueryRequest{Com: "shentong", Num: a.Waybill}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.cl.Query(ctx, kuaidi100.QueryRequest{Com: "shentong", Num: b.Waybill}); !errors.Is(err, kuaidi100.ErrBusy) {
		t.Fatalf("second query in the same simulated second: %v, want ErrBusy", err)
	}
	e.sb.Advance(time.Second)
	if _, err := e.cl.Query(ctx, kuaidi100.QueryRequest{Com: "shentong", Num: b.Waybill}); !errors.Is(err, kuaidi100.ErrQuota) {
		t.Fatalf("fourth billable call: %v, want ErrQuota", err)
	}
	if _, err := e.cl.Order(ctx, order("C", "shentong")); !errors.Is(err, kuaidi100.ErrQuota) {
		t.Fatalf("order over quota: %v, want ErrQuota (30004)", err)
	}
	e.sb.Advance(24 * time.Hour)
	if _, err := e.cl.Query(ctx, kuaidi100.QueryRequest{Com: "shentong", Num: b.Waybill}); err != nil {
		t.Fatalf("next day: %v", err)
	}
	st := e.sb.Stats()
	if st.Violations["rate_query"] != 1 || st.Violations["quota"] != 2 || st.Responses["query 601"] != 1 || st.Responses["order 30004"] != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestSubscriptionMonthlyLimit(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t, sandbox.Options{})
	res, _ := e.cl.Order(ctx, order("M", "jtexpress"))
	e.sb.Advance(15 * 24 * time.Hour) // delivered long ago: every subscription ends at its first push
	sub := kuaidi100.SubscribeRequest{Com: "jtexpress", Num: res.Waybill, CallbackURL: e.recv.URL + "/push", Salt: salt}
	for i := range 4 {
		if err := e.cl.Subscribe(ctx, sub); err != nil {
			t.Fatalf("subscription %d: %v", i+1, err)
		}
		e.advance(time.Hour, time.Hour)
		if st := e.sb.Stats(); st.Active != 0 {
			t.Fatalf("subscription %d still active", i+1)
		}
	}
	// The real service answers the fifth with the same 501 as a duplicate:
	// the client sees success, the sandbox counts the violation.
	if err := e.cl.Subscribe(ctx, sub); err != nil || e.sb.Stats().Violations["subscribe_monthly"] != 1 {
		t.Fatalf("fifth subscription in a month: %v, violations %v", err, e.sb.Stats().Violations)
	}
	if got := e.gotPushes(); len(got) != 4 || got[0].Status != kuaidi100.PushShutdown {
		t.Errorf("pushes %d", len(got))
	}
	if e.sb.Stats().Violations["subscribe_monthly"] != 1 {
		t.Error("violation not counted")
	}
}

func TestPushRetriesAndAbort(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t, sandbox.Options{})
	res, _ := e.cl.Order(ctx, order("R", "yunda"))
	e.sb.Advance(15 * 24 * time.Hour)
	e.refuse = 2
	if err := e.cl.Subscribe(ctx, kuaidi100.SubscribeRequest{Com: "yunda", Num: res.Waybill, CallbackURL: e.recv.URL + "/push", Salt: salt}); err != nil {
		t.Fatal(err)
	}
	e.advance(15*time.Minute, 15*time.Minute) // first attempt, refused
	e.advance(30*time.Minute, 30*time.Minute) // too early for the retry
	if st := e.sb.Stats(); st.Pushes["failed"] != 1 {
		t.Fatalf("after 45 min: %+v", st.Pushes)
	}
	e.advance(5*time.Minute, 5*time.Minute)   // retry 1 at +35 min, refused
	e.advance(35*time.Minute, 35*time.Minute) // retry 2 accepted
	st := e.sb.Stats()
	if st.Pushes["failed"] != 2 || st.Pushes["retried"] != 2 || st.Pushes["sent"] != 1 || len(e.gotPushes()) != 1 {
		t.Errorf("pushes %+v", st.Pushes)
	}

	// A number with no trace is aborted after 3 days.
	if err := e.cl.Subscribe(ctx, kuaidi100.SubscribeRequest{Com: "zhongtong", Num: "123456789", CallbackURL: e.recv.URL + "/push", Salt: salt}); err != nil {
		t.Fatal(err)
	}
	e.advance(71*time.Hour, time.Hour)
	if n := len(e.gotPushes()); n != 1 {
		t.Fatalf("push before 3 days: %d", n)
	}
	e.advance(4*time.Hour, time.Hour)
	got := e.gotPushes()
	if len(got) != 2 || got[1].Status != kuaidi100.PushAbort || got[1].Message != "3天查询无记录" {
		t.Fatalf("abort push: %+v", got[len(got)-1])
	}
}

func TestCancelAndReprintRules(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t, sandbox.Options{})
	a, _ := e.cl.Order(ctx, order("C1", "shunfeng"))
	if err := e.cl.Cancel(ctx, kuaidi100.CancelRequest{Com: "shunfeng", Num: a.Waybill, OrderID: a.CarrierOrder, Reason: "患者取消", Account: a.Account}); err != nil {
		t.Fatal(err)
	}
	tr, err := e.cl.Query(ctx, kuaidi100.QueryRequest{Com: "shunfeng", Num: a.Waybill, Phone: "1111"})
	if err != nil || tr.Milestone != kuaidi100.MilestoneCancelled {
		t.Fatalf("cancelled parcel: %+v %v", tr, err)
	}
	b, _ := e.cl.Order(ctx, order("C2", "shunfeng"))
	e.sb.Advance(12 * time.Hour)
	if err := e.cl.Cancel(ctx, kuaidi100.CancelRequest{Com: "shunfeng", Num: b.Waybill, OrderID: b.CarrierOrder, Account: b.Account}); !errors.Is(err, kuaidi100.ErrBadRequest) || e.sb.Stats().Responses["cancel 30001"] != 1 {
		t.Fatalf("cancel after pickup: %v", err)
	}
	if err := e.cl.Cancel(ctx, kuaidi100.CancelRequest{Com: "shunfeng", Num: "SF0000000000000", Account: b.Account}); !errors.Is(err, kuaidi100.ErrBadRequest) {
		t.Fatalf("cancel unknown: %v", err)
	}
	for i := range 10 {
		if _, err := e.cl.Reprint(ctx, b.TaskID); err != nil {
			t.Fatalf("reprint %d: %v", i+1, err)
		}
	}
	if _, err := e.cl.Reprint(ctx, b.TaskID); !errors.Is(err, kuaidi100.ErrTaskNotFound) {
		t.Fatalf("11th reprint: %v", err)
	}
	c, _ := e.cl.Order(ctx, order("C3", "shunfeng"))
	e.sb.Advance(49 * time.Hour)
	if _, err := e.cl.Reprint(ctx, c.TaskID); !errors.Is(err, kuaidi100.ErrTaskNotFound) {
		t.Fatalf("reprint after 2 days: %v", err)
	}
}

func TestWrongCredentials(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t, sandbox.Options{})
	good := e.cl.Config()
	with := func(f func(*kuaidi100.Config)) *kuaidi100.Client {
		c := good
		f(&c)
		return kuaidi100.New(c)
	}
	badKey := with(func(c *kuaidi100.Config) { c.Key = "nope" })
	if _, err := badKey.Query(ctx, kuaidi100.QueryRequest{Com: "ems", Num: "1136281381675"}); !errors.Is(err, kuaidi100.ErrSignature) {
		t.Errorf("query: %v", err)
	}
	if err := badKey.Subscribe(ctx, kuaidi100.SubscribeRequest{Com: "ems", Num: "1136281381675", CallbackURL: "http://x/"}); !errors.Is(err, kuaidi100.ErrAuth) {
		t.Errorf("subscribe: %v", err)
	}
	if _, err := badKey.Order(ctx, order("X", "ems")); !errors.Is(err, kuaidi100.ErrAuth) {
		t.Errorf("order: %v", err)
	}
	if _, err := badKey.AutoNumber(ctx, "1136281381675"); !errors.Is(err, kuaidi100.ErrNotEnabled) {
		t.Errorf("autonumber: %v", err)
	}
	if _, err := badKey.SendSMS(ctx, kuaidi100.SMSRequest{Phone: "13700001111", TemplateID: "1"}); !errors.Is(err, kuaidi100.ErrSignature) {
		t.Errorf("sms: %v", err)
	}
	badSecret := with(func(c *kuaidi100.Config) { c.Secret = "nope" })
	if _, err := badSecret.Order(ctx, order("X", "ems")); !errors.Is(err, kuaidi100.ErrSignature) {
		t.Errorf("order with wrong secret: %v", err)
	}
	badCustomer := with(func(c *kuaidi100.Config) { c.Customer = "nope" })
	if _, err := badCustomer.Query(ctx, kuaidi100.QueryRequest{Com: "ems", Num: "1136281381675"}); !errors.Is(err, kuaidi100.ErrSignature) {
		t.Errorf("query with wrong customer: %v", err)
	}
	if _, err := e.cl.Query(ctx, kuaidi100.QueryRequest{Com: "nosuchcarrier", Num: "1136281381675"}); !errors.Is(err, kuaidi100.ErrBadCarrier) {
		t.Errorf("unknown carrier: %v", err)
	}
	st := e.sb.Stats()
	if st.Responses["query 503"] != 2 || st.Responses["subscribe 600"] != 1 || st.Responses["order 30003"] != 1 || st.Responses["order 30002"] != 1 {
		t.Errorf("responses %v", st.Responses)
	}
}

func TestWaybillFormatsAndDetection(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t, sandbox.Options{})
	formats := map[string]*regexp.Regexp{
		"shunfeng": regexp.MustCompile(`^SF\d{13}$`), "yuantong": regexp.MustCompile(`^YT\d{13}$`),
		"jtexpress": regexp.MustCompile(`^JT\d{13}$`), "zhongtong": regexp.MustCompile(`^7[3-68]\d{12}$`),
		"shentong": regexp.MustCompile(`^773\d{12}$`), "debangkuaidi": regexp.MustCompile(`^DPK\d{12}$`),
	}
	for _, com := range sandbox.IssuingCarriers() {
		req := order("F-"+com, com)
		req.ChildCount = 2
		res, err := e.cl.Order(ctx, req)
		if err != nil {
			t.Fatalf("%s: %v", com, err)
		}
		if re := formats[com]; re != nil && !re.MatchString(res.Waybill) {
			t.Errorf("%s waybill %s", com, res.Waybill)
		}
		if g := kuaidi100.Guess(res.Waybill); len(g) == 0 || g[0].Code != com {
			t.Errorf("%s waybill %s guessed as %+v", com, res.Waybill, g)
		}
		if len(res.ChildWaybills) != 2 || kuaidi100.Guess(res.ChildWaybills[0])[0].Code != com {
			t.Errorf("%s children %v", com, res.ChildWaybills)
		}
		c, err := e.cl.AutoNumber(ctx, res.Waybill)
		if err != nil || c[0].Code != com || c[0].Source != "autonumber" {
			t.Errorf("%s autonumber %+v %v", com, c, err)
		}
	}
	before := e.sb.Stats().Requests["order"]
	if _, err := e.cl.Order(ctx, order("F-x", "fedex")); !errors.Is(err, kuaidi100.ErrNoAccount) || e.sb.Stats().Requests["order"] != before {
		t.Errorf("carrier without e-waybill accounts: %v (refused before any request?)", err)
	}
	noRec := order("F-y", "ems")
	noRec.Recipient.Address = ""
	if _, err := e.cl.Order(ctx, noRec); !errors.Is(err, kuaidi100.ErrBadRequest) {
		t.Errorf("missing address: %v", err)
	}
	off := newEnv(t, sandbox.Options{NoAutoNumber: true})
	if _, err := off.cl.AutoNumber(ctx, "SF1342567604302"); !errors.Is(err, kuaidi100.ErrNotEnabled) {
		t.Errorf("autonumber disabled: %v", err)
	}
}

func TestPhoneRequired(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t, sandbox.Options{})
	res, _ := e.cl.Order(ctx, order("P", "zhongtong"))
	for phone, ok := range map[string]bool{"": false, "9999": false, "1111": true, "13700001111": true, "6655": true} {
		e.sb.Advance(time.Hour)
		_, err := e.cl.Query(ctx, kuaidi100.QueryRequest{Com: "zhongtong", Num: res.Waybill, Phone: phone})
		if ok && err != nil || !ok && !errors.Is(err, kuaidi100.ErrPhoneRequired) {
			t.Errorf("phone %q: %v", phone, err)
		}
	}
}

func TestSMSAndReceipts(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t, sandbox.Options{})
	for _, phone := range []string{"13700001111", "13700000000"} {
		if _, err := e.cl.SendSMS(ctx, kuaidi100.SMSRequest{Phone: phone, TemplateID: "1001", Vars: map[string]string{"快递单号": "SF1"},
			OutOrder: "out-" + phone, CallbackURL: e.recv.URL + "/sms"}); err != nil {
			t.Fatal(err)
		}
	}
	e.advance(time.Minute, time.Minute)
	e.mu.Lock()
	got := map[string]string{}
	for _, r := range e.receipts {
		got[r.OutOrder] = r.Status
	}
	e.mu.Unlock()
	if got["out-13700001111"] != kuaidi100.SMSStatusDelivered || got["out-13700000000"] != kuaidi100.SMSStatusFailed {
		t.Errorf("receipts %v", got)
	}
	bad := e.cl.Config()
	bad.SMSSeller = "别的签名"
	if _, err := kuaidi100.New(bad).SendSMS(ctx, kuaidi100.SMSRequest{Phone: "13700001111", TemplateID: "1"}); !errors.Is(err, kuaidi100.ErrSMSRejected) {
		t.Errorf("wrong seller: %v", err)
	}
	if _, err := e.cl.SendSMS(ctx, kuaidi100.SMSRequest{Phone: "12345", TemplateID: "1"}); !errors.Is(err, kuaidi100.ErrSMSRejected) {
		t.Errorf("bad phone: %v", err)
	}
}

func TestStatsEndpointAndLabelImage(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t, sandbox.Options{})
	req := order("I", "yuantong")
	req.PrintType = kuaidi100.PrintImage
	res, err := e.cl.Order(ctx, req)
	if err != nil || res.LabelURL == "" {
		t.Fatalf("%+v %v", res, err)
	}
	// Kuaidi100 renders the image asynchronously: the first fetch finds
	// it still being made.
	resp, err := e.srv.Client().Get(res.LabelURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("first fetch: %s, want 404 (still rendering)", resp.Status)
	}
	resp, err = e.srv.Client().Get(res.LabelURL)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("label image: %v", err)
	}
	if b := img.Bounds(); b.Dx() != sandbox.LabelWidth || b.Dy() != sandbox.LabelHeight {
		t.Errorf("label image %v, want %dx%d", b, sandbox.LabelWidth, sandbox.LabelHeight)
	}
	resp, err = e.srv.Client().Get(e.srv.URL + "/sandbox/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st map[string]json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"now", "requests", "responses", "violations", "locked", "pushes", "sms", "activeSubscriptions"} {
		if _, ok := st[k]; !ok {
			t.Errorf("stats lack %q: %s", k, st)
		}
	}
	var reqs map[string]int
	json.Unmarshal(st["requests"], &reqs)
	if reqs["order"] != 1 {
		t.Errorf("requests %v", reqs)
	}
}

// TestAcceleratedRealTime runs a whole parcel life on the real clock at high
// speed with Run delivering pushes: a few seconds of real time.
func TestAcceleratedRealTime(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	e := newEnv(t, sandbox.Options{Speed: 500_000, Clock: time.Now, Tick: 10 * time.Millisecond, Seed: 3})
	done := make(chan *kuaidi100.Push, 1)
	e.onPush = func(p *kuaidi100.Push) {
		if p.Status == kuaidi100.PushShutdown {
			done <- p
		}
	}
	runErr := make(chan error, 1)
	go func() { runErr <- e.sb.Run(ctx) }()
	began := time.Now()
	res, err := e.cl.Order(ctx, kuaidi100.OrderRequest{OrderID: "RT", Com: "jtexpress", Account: sandboxAccount("jtexpress"),
		Recipient: kuaidi100.Party{Name: "李雷", Phone: "13900002222", Address: "北京市朝阳区建国路1号"},
		Sender:    kuaidi100.Party{Name: "视光中心", Phone: "13800001111", Address: "天津市南开区复康路4号"}, Cargo: "隐形眼镜"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.cl.Subscribe(ctx, kuaidi100.SubscribeRequest{Com: "jtexpress", Num: res.Waybill, CallbackURL: e.recv.URL + "/push", Salt: salt}); err != nil {
		t.Fatal(err)
	}
	select {
	case p := <-done:
		if p.Track.Num != res.Waybill || !p.Track.Milestone.Terminal() {
			t.Errorf("shutdown push %+v", p.Track)
		}
		t.Logf("whole life in %v real time, %d pushes", time.Since(began), len(e.gotPushes()))
	case <-time.After(30 * time.Second):
		t.Fatal("no shutdown push within 30 s of real time")
	}
	cancel()
	if err := <-runErr; !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v", err)
	}
}

func TestStartAndStop(t *testing.T) {
	ctx := t.Context()
	sb, base, stop, err := sandbox.Start(ctx, "", sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := sb.Credentials()
	cfg.BaseURL = base
	c, err := kuaidi100.New(cfg).AutoNumber(ctx, "SF1342567604302")
	if err != nil || c[0].Code != "shunfeng" {
		t.Errorf("%+v %v", c, err)
	}
	stop()
	if _, err := kuaidi100.New(cfg).AutoNumber(ctx, "SF1342567604302"); err == nil {
		t.Error("sandbox still answering after stop")
	}
}

func TestAbortCorrectsCarrier(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t, sandbox.Options{})
	res, _ := e.cl.Order(ctx, order("W", "zhongtong"))
	// Subscribed under the wrong carrier: no trace for 3 days, then an abort
	// naming the right one.
	if err := e.cl.Subscribe(ctx, kuaidi100.SubscribeRequest{Com: "yuantong", Num: res.Waybill, CallbackURL: e.recv.URL + "/push", Salt: salt}); err != nil {
		t.Fatal(err)
	}
	e.advance(76*time.Hour, 4*time.Hour)
	got := e.gotPushes()
	if len(got) != 1 || got[0].Status != kuaidi100.PushAbort || got[0].ComNew != "zhongtong" {
		t.Fatalf("pushes %+v", got)
	}
	if _, err := e.cl.Query(ctx, kuaidi100.QueryRequest{Com: "yuantong", Num: res.Waybill}); !errors.Is(err, kuaidi100.ErrNoResult) {
		t.Errorf("query under the wrong carrier: %v", err)
	}
}
