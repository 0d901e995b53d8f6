package sms

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"shipdesk/internal/testkit"
	"shipdesk/kuaidi100"
	"shipdesk/store"
)

// shanghai is the station's zone without depending on the tz database.
var shanghai = time.FixedZone("CST", 8*3600)

// fakeSender records what would go to the provider.
type fakeSender struct {
	mu   sync.Mutex
	reqs []kuaidi100.SMSRequest
	err  error
	// during, when set, runs inside SendSMS before it returns.
	during func(r kuaidi100.SMSRequest)
}

func (f *fakeSender) SendSMS(ctx context.Context, r kuaidi100.SMSRequest) (*kuaidi100.SMSResult, error) {
	f.mu.Lock()
	f.reqs = append(f.reqs, r)
	err, during := f.err, f.during
	f.mu.Unlock()
	if during != nil {
		during(r)
	}
	if err != nil {
		return nil, err
	}
	return &kuaidi100.SMSResult{Message: "短信发送中……"}, nil
}

func (f *fakeSender) sent() []kuaidi100.SMSRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]kuaidi100.SMSRequest(nil), f.reqs...)
}

type fixture struct {
	db     *store.DB
	clock  *testkit.Clock
	sender *fakeSender
	n      *Notifier
	logs   *testkit.Log
}

// newFixture opens a real store in a temporary folder with the default
// settings plus the delivered milestone enabled, at 10:00 Shanghai time.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	clock := testkit.NewClock(time.Date(2026, 11, 26, 10, 0, 0, 0, shanghai))
	db, err := store.Open(filepath.Join(t.TempDir(), "shipdesk.db"), store.Options{NoSync: true, Now: clock.Now, Location: shanghai})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &fixture{db: db, clock: clock, sender: &fakeSender{}, logs: &testkit.Log{}}
	f.n = New(Config{
		DB: db, Client: f.sender, Now: clock.Now, Location: shanghai,
		CallbackURL: "http://127.0.0.1:8090/kuaidi100/sms",
		Logf:        f.logs.Logf,
	})
	f.settings(t, func(s *store.SMSSettings) {
		s.Enabled = true
		for i := range s.Milestones {
			s.Milestones[i].Enabled = true
		}
	})
	return f
}

func (f *fixture) settings(t *testing.T, change func(*store.SMSSettings)) {
	t.Helper()
	ctx := t.Context()
	st, err := f.db.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	change(&st.SMS)
	if err := f.db.SaveSettings(ctx, st); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) shipment(t *testing.T, waybill, phone string) store.Shipment {
	t.Helper()
	s := store.Shipment{
		Waybill: waybill, Carrier: "yuantong", RecipientName: "王芳", RecipientPhone: phone,
		RecipientAddr: "天津市河西区友谊路32号", Milestone: store.MilestoneOrdered, CreatedAt: f.clock.Now(),
	}
	if err := f.db.CreateShipment(t.Context(), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func (f *fixture) messages(t *testing.T, waybill string) []store.SMSMessage {
	t.Helper()
	ms, err := f.db.SMSFor(t.Context(), waybill)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func (f *fixture) notify(t *testing.T, s store.Shipment, m store.Milestone) {
	t.Helper()
	if err := f.n.Notify(t.Context(), s, m); err != nil {
		t.Fatalf("Notify(%s, %s): %v", s.Waybill, m, err)
	}
}

func TestEachEnabledMilestoneOnce(t *testing.T) {
	f := newFixture(t)
	f.settings(t, func(s *store.SMSSettings) {
		for i := range s.Milestones {
			s.Milestones[i].Enabled = s.Milestones[i].Milestone != store.MilestoneProblem
		}
	})
	ctx := t.Context()
	a := f.shipment(t, "YT1000000001", "13700001111")
	b := f.shipment(t, "YT1000000002", "13700002222")
	journey := []store.Milestone{
		store.MilestoneOrdered, store.MilestonePickedUp, store.MilestoneInTransit, store.MilestonePickedUp,
		store.MilestoneOutForDelivery, store.MilestoneProblem, store.MilestoneOutForDelivery,
		store.MilestoneDelivered, store.MilestoneDelivered,
	}
	// Two shipments interleaved, each milestone reported twice (push and poll).
	for _, m := range journey {
		for _, s := range []store.Shipment{a, b, a, b} {
			f.notify(t, s, m)
		}
	}
	want := []store.Milestone{store.MilestonePickedUp, store.MilestoneOutForDelivery, store.MilestoneDelivered}
	for _, s := range []store.Shipment{a, b} {
		ms := f.messages(t, s.Waybill)
		var got []store.Milestone
		for _, m := range ms {
			got = append(got, m.Milestone)
			if m.State != store.SMSSent {
				t.Errorf("%s %s: state %s, want sent", s.Waybill, m.Milestone, m.State)
			}
			if m.Segments != 1 || m.CostFen != 4 {
				t.Errorf("%s %s: %d segments costing %d fen, want 1 and 4", s.Waybill, m.Milestone, m.Segments, m.CostFen)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: messages for %v, want %v", s.Waybill, got, want)
		}
	}
	reqs := f.sender.sent()
	if len(reqs) != 6 {
		t.Fatalf("provider got %d messages, want 6", len(reqs))
	}
	seen := map[string]bool{}
	for _, r := range reqs {
		if seen[r.OutOrder] {
			t.Errorf("outorder %s sent twice", r.OutOrder)
		}
		seen[r.OutOrder] = true
		if r.CallbackURL != "http://127.0.0.1:8090/kuaidi100/sms" || r.Vars["name"] != "王芳" || r.Vars["carrier"] != "圆通速递" {
			t.Errorf("request %+v", r)
		}
	}
	if reqs[0].Phone != "13700001111" || reqs[0].TemplateID != "1001" || reqs[0].Vars["waybill"] != "YT1000000001" {
		t.Errorf("first request %+v", reqs[0])
	}
	count, fen, err := f.db.SMSDay(ctx, f.clock.Now())
	if err != nil || count != 6 || fen != 24 {
		t.Errorf("SMSDay = %d, %d fen, %v; want 6, 24", count, fen, err)
	}
}

func TestConcurrentNotifySendsOnce(t *testing.T) {
	f := newFixture(t)
	s := f.shipment(t, "YT1000000003", "13700003333")
	// The goroutines report with t.Error: t.Fatal must run on the test's
	// own goroutine.
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if err := f.n.Notify(t.Context(), s, store.MilestonePickedUp); err != nil {
				t.Errorf("Notify(%s): %v", s.Waybill, err)
			}
		})
	}
	wg.Wait()
	if got := len(f.sender.sent()); got != 1 {
		t.Fatalf("%d sends, want 1", got)
	}
}

func TestDisabledSendsNothing(t *testing.T) {
	f := newFixture(t)
	s := f.shipment(t, "YT1000000004", "13700004444")
	f.settings(t, func(c *store.SMSSettings) { c.Enabled = false })
	f.notify(t, s, store.MilestonePickedUp)
	f.settings(t, func(c *store.SMSSettings) {
		c.Enabled = true
		c.Milestones[0].Enabled = false
	})
	f.notify(t, s, store.MilestonePickedUp)
	if n := len(f.sender.sent()) + len(f.messages(t, s.Waybill)); n != 0 {
		t.Fatalf("disabled rule produced %d sends/records", n)
	}
	// Enabling it later sends for the next report of the milestone.
	f.settings(t, func(c *store.SMSSettings) { c.Milestones[0].Enabled = true })
	f.notify(t, s, store.MilestonePickedUp)
	if n := len(f.sender.sent()); n != 1 {
		t.Fatalf("%d sends after enabling, want 1", n)
	}
}

func TestQuietHoursHoldUntilMorning(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	s := f.shipment(t, "YT1000000005", "13700005555")
	f.clock.Set(time.Date(2026, 11, 26, 22, 30, 0, 0, shanghai))
	f.notify(t, s, store.MilestonePickedUp)
	f.notify(t, s, store.MilestonePickedUp)
	if n := len(f.sender.sent()); n != 0 {
		t.Fatalf("%d sends in quiet hours", n)
	}
	ms := f.messages(t, s.Waybill)
	morning := time.Date(2026, 11, 27, 8, 0, 0, 0, shanghai)
	if len(ms) != 1 || ms[0].State != store.SMSHeld || !ms[0].SendAfter.Equal(morning) {
		t.Fatalf("messages %+v; want one held until %s", ms, morning)
	}
	// Held messages do not count against the cap.
	if c, _, _ := f.db.SMSDay(ctx, f.clock.Now()); c != 0 {
		t.Errorf("held message counted: %d", c)
	}

	f.clock.Set(morning.Add(-time.Second))
	next, err := f.n.ReleaseDue(ctx)
	if err != nil || !next.Equal(morning) {
		t.Fatalf("ReleaseDue before morning = %s, %v; want %s", next, err, morning)
	}
	if n := len(f.sender.sent()); n != 0 {
		t.Fatalf("%d sends before quiet hours end", n)
	}
	f.clock.Set(morning)
	if next, err := f.n.ReleaseDue(ctx); err != nil || !next.IsZero() {
		t.Fatalf("ReleaseDue at morning = %s, %v", next, err)
	}
	ms = f.messages(t, s.Waybill)
	if n := len(f.sender.sent()); n != 1 || ms[0].State != store.SMSSent || !ms[0].SentAt.Equal(morning) {
		t.Fatalf("after morning: %d sends, message %+v", n, ms[0])
	}
	if c, _, _ := f.db.SMSDay(ctx, morning); c != 1 {
		t.Errorf("SMSDay on the morning = %d, want 1", c)
	}
	// Releasing again sends nothing more.
	if _, err := f.n.ReleaseDue(ctx); err != nil || len(f.sender.sent()) != 1 {
		t.Fatalf("second release: %v, %d sends", err, len(f.sender.sent()))
	}
}

func TestHeldMessageRecheckedAtRelease(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	optOut := f.shipment(t, "YT1000000006", "13700006666")
	disabled := f.shipment(t, "YT1000000007", "13700007777")
	f.clock.Set(time.Date(2026, 11, 26, 23, 0, 0, 0, shanghai))
	f.notify(t, optOut, store.MilestonePickedUp)
	f.notify(t, disabled, store.MilestoneOutForDelivery)
	// Overnight the patient opts out and the manager turns a rule off.
	if _, err := f.db.UpdateShipment(ctx, optOut.Waybill, func(s *store.Shipment) error { s.OptOutSMS = true; return nil }); err != nil {
		t.Fatal(err)
	}
	f.settings(t, func(c *store.SMSSettings) { c.Milestones[1].Enabled = false })
	// A held message whose shipment is gone from the store.
	gone := store.SMSMessage{Waybill: "GONE0001", Milestone: store.MilestonePickedUp, TemplateID: "1001", Phone: "13700000001",
		State: store.SMSHeld, SendAfter: time.Date(2026, 11, 27, 8, 0, 0, 0, shanghai), CreatedAt: f.clock.Now()}
	if err := f.db.AddSMS(ctx, &gone); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(time.Date(2026, 11, 27, 9, 0, 0, 0, shanghai))
	if _, err := f.n.ReleaseDue(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(f.sender.sent()); n != 0 {
		t.Fatalf("%d sends, want 0", n)
	}
	for wb, reason := range map[string]string{optOut.Waybill: ReplyOptedOut, disabled.Waybill: ReplyDisabled, gone.Waybill: replyNoShipment} {
		ms := f.messages(t, wb)
		if len(ms) != 1 || ms[0].State != store.SMSSkipped || ms[0].Reply != reason {
			t.Errorf("%s: %+v, want skipped %q", wb, ms, reason)
		}
	}
}

func TestQuietHoursChangedWhileHeld(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	s := f.shipment(t, "YT1000000008", "13700008888")
	f.clock.Set(time.Date(2026, 11, 26, 22, 0, 0, 0, shanghai))
	f.notify(t, s, store.MilestonePickedUp)
	// The manager moves the end of quiet hours to 09:00 overnight.
	f.settings(t, func(c *store.SMSSettings) { c.QuietEnd = "09:00" })
	f.clock.Set(time.Date(2026, 11, 27, 8, 0, 0, 0, shanghai))
	next, err := f.n.ReleaseDue(ctx)
	nine := time.Date(2026, 11, 27, 9, 0, 0, 0, shanghai)
	if err != nil || !next.Equal(nine) || len(f.sender.sent()) != 0 {
		t.Fatalf("ReleaseDue = %s, %v, %d sends; want %s and none", next, err, len(f.sender.sent()), nine)
	}
	if ms := f.messages(t, s.Waybill); ms[0].State != store.SMSHeld || !ms[0].SendAfter.Equal(nine) {
		t.Fatalf("message %+v", ms[0])
	}
}

func TestOptOutAndLandline(t *testing.T) {
	f := newFixture(t)
	f.settings(t, func(c *store.SMSSettings) { c.OptOut = []string{"137 0000 9999"} })
	listed := f.shipment(t, "YT1000000009", "+86 137-0000-9999")
	flagged := f.shipment(t, "YT1000000010", "13700001010")
	flagged.OptOutSMS = true
	landline := f.shipment(t, "YT1000000011", "022-23346655")
	noPhone := f.shipment(t, "YT1000000012", "")
	for _, s := range []store.Shipment{listed, flagged, landline, noPhone} {
		f.notify(t, s, store.MilestonePickedUp)
		f.notify(t, s, store.MilestonePickedUp)
	}
	if n := len(f.sender.sent()); n != 0 {
		t.Fatalf("%d sends, want 0", n)
	}
	for wb, reason := range map[string]string{listed.Waybill: ReplyOptedOut, flagged.Waybill: ReplyOptedOut, landline.Waybill: ReplyNoMobile} {
		ms := f.messages(t, wb)
		if len(ms) != 1 || ms[0].State != store.SMSSkipped || ms[0].Reply != reason {
			t.Errorf("%s: %+v, want one skipped %q", wb, ms, reason)
		}
	}
	if ms := f.messages(t, noPhone.Waybill); len(ms) != 0 {
		t.Errorf("no phone: %+v", ms)
	}
}

func TestEnabledRuleWithoutTemplate(t *testing.T) {
	f := newFixture(t)
	f.settings(t, func(c *store.SMSSettings) { c.Milestones[0].TemplateID = " " })
	s := f.shipment(t, "YT1000000020", "13700002020")
	f.notify(t, s, store.MilestonePickedUp)
	ms := f.messages(t, s.Waybill)
	if len(f.sender.sent()) != 0 || len(ms) != 1 || ms[0].State != store.SMSSkipped || ms[0].Reply != ReplyNoTemplate {
		t.Fatalf("%d sends, messages %+v", len(f.sender.sent()), ms)
	}
}

func TestDailyCapCount(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	f.settings(t, func(c *store.SMSSettings) { c.DailyCap = 2 })
	var ships []store.Shipment
	for i := range 4 {
		ships = append(ships, f.shipment(t, fmt.Sprintf("YT20000000%02d", i), fmt.Sprintf("137000020%02d", i)))
	}
	for _, s := range ships {
		f.notify(t, s, store.MilestonePickedUp)
	}
	if n := len(f.sender.sent()); n != 2 {
		t.Fatalf("%d sends with a cap of 2", n)
	}
	for _, s := range ships[2:] {
		ms := f.messages(t, s.Waybill)
		if len(ms) != 1 || ms[0].State != store.SMSSkipped || !strings.Contains(ms[0].Reply, "条数上限（2 条）") {
			t.Errorf("%s: %+v", s.Waybill, ms)
		}
	}
	exc, err := f.db.Exceptions(ctx, true, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(exc) != 1 || exc[0].Kind != store.ExcSMSCap || !strings.Contains(exc[0].Detail, "2026-11-26") {
		t.Fatalf("exceptions %+v; want one sms_cap", exc)
	}
	// Resolved today, the exception is not raised again today ...
	if err := f.db.ResolveException(ctx, exc[0].ID, "主管"); err != nil {
		t.Fatal(err)
	}
	late := f.shipment(t, "YT2000000099", "13700002099")
	f.notify(t, late, store.MilestonePickedUp)
	if exc, _ := f.db.Exceptions(ctx, true, 0); len(exc) != 0 {
		t.Fatalf("raised twice in a day: %+v", exc)
	}
	// ... and the next day the count starts again.
	f.clock.Set(time.Date(2026, 11, 27, 10, 0, 0, 0, shanghai))
	f.notify(t, late, store.MilestoneOutForDelivery)
	if n := len(f.sender.sent()); n != 3 {
		t.Fatalf("%d sends after midnight, want 3", n)
	}
}

func TestDailyCapMoney(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	// 10 fen a day buys two one-segment messages at 4 fen, not three.
	f.settings(t, func(c *store.SMSSettings) { c.DailyCap = 0; c.DailyCapFen = 10 })
	for i := range 3 {
		f.notify(t, f.shipment(t, fmt.Sprintf("YT30000000%02d", i), fmt.Sprintf("137000030%02d", i)), store.MilestonePickedUp)
	}
	if n := len(f.sender.sent()); n != 2 {
		t.Fatalf("%d sends with a cap of 10 fen", n)
	}
	if ms := f.messages(t, "YT3000000002"); ms[0].State != store.SMSSkipped || !strings.Contains(ms[0].Reply, "费用上限（0.10 元）") {
		t.Fatalf("third: %+v", ms[0])
	}
	if exc, _ := f.db.Exceptions(ctx, true, 0); len(exc) != 1 {
		t.Fatalf("exceptions %+v", exc)
	}
}

func TestLongTemplateCostsMore(t *testing.T) {
	f := newFixture(t)
	long := strings.Repeat("请", 80) + "{name}"
	f.settings(t, func(c *store.SMSSettings) { c.Milestones[0].Text = long })
	s := f.shipment(t, "YT1000000013", "13700001313")
	f.notify(t, s, store.MilestonePickedUp)
	m := f.messages(t, s.Waybill)[0]
	// 82 characters: two parts of 67.
	if m.Content != strings.Repeat("请", 80)+"王芳" || m.Segments != 2 || m.CostFen != 8 {
		t.Fatalf("message %+v", m)
	}
}

func TestPickupCodeFromEvents(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	s := f.shipment(t, "YT1000000014", "13700001414")
	evs := []store.TrackingEvent{
		{Time: f.clock.Now().Add(-time.Hour), Context: "快件已放入丰巢快递柜，凭取件码【111111】取件", Milestone: store.MilestoneOutForDelivery},
		{Time: f.clock.Now(), Context: "快件已放入丰巢快递柜，凭取件码【654321】取件", Milestone: store.MilestoneOutForDelivery},
		{Time: f.clock.Now().Add(-2 * time.Hour), Context: "快件到达天津分拨中心", Milestone: store.MilestoneInTransit},
	}
	if _, err := f.db.AddEvents(ctx, s.Waybill, evs); err != nil {
		t.Fatal(err)
	}
	f.settings(t, func(c *store.SMSSettings) { c.Milestones[1].Text = "{name}您好，取件码{code}" })
	f.notify(t, s, store.MilestonePickedUp)
	f.notify(t, s, store.MilestoneOutForDelivery)
	ms := f.messages(t, s.Waybill)
	if ms[0].Vars["code"] != "" {
		t.Errorf("picked up message has a code: %+v", ms[0].Vars)
	}
	if ms[1].Vars["code"] != "654321" || ms[1].Content != "王芳您好，取件码654321" {
		t.Errorf("out for delivery: vars %v content %q", ms[1].Vars, ms[1].Content)
	}
	if got := f.sender.sent()[1].Vars["code"]; got != "654321" {
		t.Errorf("provider got code %q", got)
	}
}

func TestProviderRefusalNotRetried(t *testing.T) {
	f := newFixture(t)
	s := f.shipment(t, "YT1000000015", "13700001515")
	f.sender.err = &kuaidi100.Error{Op: "sms", Code: "0", Message: "短信发送失败：余额不足"}
	if err := f.n.Notify(t.Context(), s, store.MilestonePickedUp); err == nil {
		t.Fatal("Notify hid the provider's refusal")
	}
	f.sender.err = nil
	f.notify(t, s, store.MilestonePickedUp)
	ms := f.messages(t, s.Waybill)
	if len(f.sender.sent()) != 1 || len(ms) != 1 || ms[0].State != store.SMSFailed || !strings.Contains(ms[0].Reply, "余额不足") {
		t.Fatalf("%d sends, messages %+v", len(f.sender.sent()), ms)
	}
	// Failed messages do not count against the cap.
	if c, _, _ := f.db.SMSDay(t.Context(), f.clock.Now()); c != 0 {
		t.Errorf("failed message counted: %d", c)
	}
}

func TestCancelledDuringSendStillRecorded(t *testing.T) {
	f := newFixture(t)
	s := f.shipment(t, "YT1000000016", "13700001616")
	ctx, cancel := context.WithCancel(t.Context())
	f.sender.during = func(kuaidi100.SMSRequest) { cancel() }
	f.sender.err = context.Canceled
	if err := f.n.Notify(ctx, s, store.MilestonePickedUp); !errors.Is(err, context.Canceled) {
		t.Fatalf("Notify = %v", err)
	}
	ms := f.messages(t, s.Waybill)
	if len(ms) != 1 || ms[0].State != store.SMSFailed {
		t.Fatalf("messages %+v; want one failed", ms)
	}
}

// A crash between recording the intent and the provider's answer leaves an
// intent. It is never sent again automatically.
func TestInterruptedIntentNotResent(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	s := f.shipment(t, "YT1000000017", "13700001717")
	crashed := store.SMSMessage{
		Waybill: s.Waybill, Milestone: store.MilestonePickedUp, TemplateID: "1001", Phone: s.RecipientPhone,
		State: store.SMSIntent, Segments: 1, CostFen: 4, CreatedAt: f.clock.Now(),
	}
	if err := f.db.AddSMS(ctx, &crashed); err != nil {
		t.Fatal(err)
	}
	f.notify(t, s, store.MilestonePickedUp)
	if n := len(f.sender.sent()); n != 0 {
		t.Fatalf("%d sends; the intent must block a second send", n)
	}
	// Too young to be called interrupted: left alone.
	f.clock.Set(f.clock.Now().Add(time.Minute))
	if err := f.n.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	if m := f.messages(t, s.Waybill)[0]; m.State != store.SMSIntent {
		t.Fatalf("young intent reconciled: %+v", m)
	}
	f.clock.Set(f.clock.Now().Add(2 * time.Minute))
	if err := f.n.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	m := f.messages(t, s.Waybill)[0]
	if m.State != store.SMSFailed || m.Reply != ReplyUnknown {
		t.Fatalf("after reconcile: %+v", m)
	}
	f.notify(t, s, store.MilestonePickedUp)
	if n := len(f.sender.sent()); n != 0 {
		t.Fatalf("%d sends after reconcile", n)
	}
	// A person decides to resend it.
	out, err := f.n.Resend(ctx, "前台", s.Waybill, store.MilestonePickedUp)
	if err != nil {
		t.Fatal(err)
	}
	if out.State != store.SMSSent || !strings.HasPrefix(out.Reply, "人工重发（前台）") || out.OutOrder == crashed.OutOrder {
		t.Fatalf("resend: %+v", out)
	}
	if n := len(f.sender.sent()); n != 1 {
		t.Fatalf("%d sends after resend", n)
	}
	log, err := f.db.AuditLog(ctx, 10)
	if err != nil || len(log) != 1 || log[0].Who != "前台" || log[0].Action != "sms_resend" || log[0].Target != s.Waybill {
		t.Fatalf("audit %+v, %v", log, err)
	}
}

func TestResendRules(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	s := f.shipment(t, "YT1000000018", "13700001818")
	f.notify(t, s, store.MilestonePickedUp)

	if _, err := f.n.Resend(ctx, "前台", s.Waybill, store.MilestonePickedUp); err != nil {
		t.Fatal(err)
	}
	if _, err := f.n.Resend(ctx, "前台", s.Waybill, store.MilestonePickedUp); !errors.Is(err, ErrAlreadyResent) {
		t.Errorf("second resend = %v, want ErrAlreadyResent", err)
	}
	if _, err := f.n.Resend(ctx, "前台", s.Waybill, store.MilestoneInTransit); !errors.Is(err, ErrNoTemplate) {
		t.Errorf("resend without template = %v", err)
	}
	if _, err := f.n.Resend(ctx, "前台", "NOSUCH", store.MilestonePickedUp); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("resend unknown waybill = %v", err)
	}
	// A failed manual resend may be tried again.
	f.sender.err = errors.New("connection reset")
	if _, err := f.n.Resend(ctx, "前台", s.Waybill, store.MilestoneOutForDelivery); err == nil {
		t.Fatal("failed resend reported no error")
	}
	f.sender.err = nil
	if _, err := f.n.Resend(ctx, "前台", s.Waybill, store.MilestoneOutForDelivery); err != nil {
		t.Errorf("resend after a failed one = %v", err)
	}
	// In quiet hours it waits for the morning; a second click is refused.
	f.clock.Set(time.Date(2026, 11, 26, 21, 30, 0, 0, shanghai))
	held, err := f.n.Resend(ctx, "前台", s.Waybill, store.MilestoneDelivered)
	if err != nil || held.State != store.SMSHeld {
		t.Fatalf("resend in quiet hours = %+v, %v", held, err)
	}
	if _, err := f.n.Resend(ctx, "前台", s.Waybill, store.MilestoneDelivered); !errors.Is(err, ErrPending) {
		t.Errorf("resend while held = %v", err)
	}
	// A manual message is released even if the rule is off by morning.
	f.settings(t, func(c *store.SMSSettings) { c.Milestones[2].Enabled = false })
	f.clock.Set(time.Date(2026, 11, 27, 8, 0, 0, 0, shanghai))
	if _, err := f.n.ReleaseDue(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(f.sender.sent()); n != 5 {
		t.Errorf("%d sends, want 5", n)
	}

	opted := f.shipment(t, "YT1000000019", "13700001919")
	if _, err := f.db.UpdateShipment(ctx, opted.Waybill, func(s *store.Shipment) error { s.OptOutSMS = true; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := f.n.Resend(ctx, "前台", opted.Waybill, store.MilestonePickedUp); !errors.Is(err, ErrOptedOut) {
		t.Errorf("resend to opted-out = %v", err)
	}
	f.settings(t, func(c *store.SMSSettings) { c.DailyCap = 1 })
	if _, err := f.n.Resend(ctx, "前台", s.Waybill, store.MilestoneProblem); !errors.Is(err, ErrCapReached) {
		t.Errorf("resend over the cap = %v", err)
	}
	f.settings(t, func(c *store.SMSSettings) { c.Enabled = false })
	if _, err := f.n.Resend(ctx, "前台", s.Waybill, store.MilestoneProblem); !errors.Is(err, ErrDisabled) {
		t.Errorf("resend with SMS off = %v", err)
	}
	if log, _ := f.db.AuditLog(ctx, 0); len(log) != 4 {
		t.Errorf("%d audit entries, want 4 (one per stored resend)", len(log))
	}
}
