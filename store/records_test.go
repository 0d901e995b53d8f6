package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestEvents(t *testing.T) {
	db, clk := openTestStore(t)
	ctx := context.Background()
	mustCreate(t, db, testShipment("E1"))
	t0 := clk.Now()
	evs := []TrackingEvent{
		{Time: t0, Context: "【天津市】快件已揽收", Area: "天津市", Milestone: MilestonePickedUp, RawState: "1"},
		{Time: t0.Add(2 * time.Hour), Context: "快件已发往北京转运中心", Location: "天津分拨中心", Milestone: MilestoneInTransit},
		{Time: t0.Add(2 * time.Hour), Context: "快件已发往北京转运中心", Milestone: MilestoneInTransit}, // duplicate in the batch
	}
	added, err := db.AddEvents(ctx, "E1", evs)
	if err != nil || added != 2 {
		t.Fatalf("AddEvents = %d, %v; want 2, nil", added, err)
	}
	// Same instant in another zone, plus one new event (older than stored).
	again := []TrackingEvent{
		{Time: t0.UTC(), Context: "【天津市】快件已揽收", Milestone: MilestonePickedUp},
		{Time: t0.Add(-time.Hour), Context: "已下单", Milestone: MilestoneOrdered},
	}
	if added, err = db.AddEvents(ctx, "E1", again); err != nil || added != 1 {
		t.Fatalf("AddEvents again = %d, %v; want 1, nil", added, err)
	}
	got, err := db.Events(ctx, "E1")
	if err != nil {
		t.Fatal(err)
	}
	var ctxs []string
	for _, e := range got {
		ctxs = append(ctxs, e.Context)
	}
	if want := []string{"快件已发往北京转运中心", "【天津市】快件已揽收", "已下单"}; !slices.Equal(ctxs, want) {
		t.Errorf("Events = %v, want %v", ctxs, want)
	}
	if !got[1].Time.Equal(t0) || got[1].Area != "天津市" || got[1].RawState != "1" || got[0].Location != "天津分拨中心" || got[0].Milestone != MilestoneInTransit {
		t.Errorf("event fields lost: %+v", got)
	}
	if _, err := db.AddEvents(ctx, "nope", evs); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown waybill: %v", err)
	}
	// One bad event rejects the whole batch.
	mixed := []TrackingEvent{{Time: t0.Add(time.Hour), Context: "新的一条", Milestone: MilestoneInTransit}, {Time: t0, Context: ""}}
	if _, err := db.AddEvents(ctx, "E1", mixed); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "events[1].context") {
		t.Errorf("empty context: %v", err)
	}
	if got, _ := db.Events(ctx, "E1"); len(got) != 3 {
		t.Errorf("rejected batch was written: %d events", len(got))
	}
	mustCreate(t, db, testShipment("E2"))
	if got, err := db.Events(ctx, "E2"); err != nil || len(got) != 0 {
		t.Errorf("Events(no events) = %v, %v", got, err)
	}
	if _, err := db.Events(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Events(unknown) err = %v", err)
	}
}

func TestOrders(t *testing.T) {
	db, clk := openTestStore(t)
	ctx := context.Background()
	var ids []string
	for range 3 {
		o := &Order{Recipient: Party{Name: "王芳"}, Carrier: "zhongtong"}
		if err := db.SaveOrder(ctx, o); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, o.ID)
	}
	if want := []string{"SD20261126-000001", "SD20261126-000002", "SD20261126-000003"}; !slices.Equal(ids, want) {
		t.Errorf("ids = %v, want %v", ids, want)
	}
	clk.Add(24 * time.Hour)
	o := &Order{}
	db.SaveOrder(ctx, o)
	if o.ID != "SD20261127-000001" {
		t.Errorf("next day id = %s", o.ID)
	}
	created := o.CreatedAt
	clk.Add(time.Minute)
	o.Step, o.Waybill = StepWaybilled, "7300000001"
	if err := db.SaveOrder(ctx, o); err != nil {
		t.Fatal(err)
	}
	got, err := db.Order(ctx, o.ID)
	if err != nil || got.Waybill != "7300000001" || !got.CreatedAt.Equal(created) || !got.UpdatedAt.Equal(clk.Now()) {
		t.Errorf("Order = %+v, %v", got, err)
	}
	saved, _ := db.OrdersByStep(ctx, StepSaved)
	waybilled, _ := db.OrdersByStep(ctx, StepWaybilled)
	if len(saved) != 3 || len(waybilled) != 1 || waybilled[0].ID != o.ID {
		t.Errorf("by step: saved %d waybilled %v", len(saved), waybilled)
	}
	if err := db.SaveOrder(ctx, &Order{Step: "bogus"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad step: %v", err)
	}
	if _, err := db.Order(ctx, "SD0"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing order: %v", err)
	}
}

func TestJobs(t *testing.T) {
	db, _ := openTestStore(t)
	ctx := context.Background()
	for i, wb := range []string{"J1", "J2", "J1"} {
		j := &PrintJob{Waybill: wb, PrinterURI: "virtual:///tmp", Format: "tspl", Data: []byte{byte(i), 0xff}}
		if err := db.AddJob(ctx, j); err != nil {
			t.Fatal(err)
		}
		if j.ID != uint64(i+1) || j.State != JobQueued {
			t.Errorf("job %d = %+v", i, j)
		}
	}
	j, err := db.UpdateJob(ctx, 2, func(j *PrintJob) error { j.State = JobSent; j.Attempts++; return nil })
	if err != nil || j.State != JobSent || j.Attempts != 1 {
		t.Fatalf("UpdateJob = %+v, %v", j, err)
	}
	ids := func(f JobFilter) []uint64 {
		js, err := db.Jobs(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []uint64
		for _, j := range js {
			out = append(out, j.ID)
		}
		return out
	}
	for _, tc := range []struct {
		f    JobFilter
		want []uint64
	}{
		{JobFilter{}, []uint64{3, 2, 1}},
		{JobFilter{Limit: 2}, []uint64{3, 2}},
		{JobFilter{State: JobQueued}, []uint64{3, 1}},
		{JobFilter{State: JobSent}, []uint64{2}},
		{JobFilter{Waybill: "J1"}, []uint64{3, 1}},
		{JobFilter{Waybill: "J2", State: JobQueued}, nil},
	} {
		if got := ids(tc.f); !slices.Equal(got, tc.want) {
			t.Errorf("Jobs(%+v) = %v, want %v", tc.f, got, tc.want)
		}
	}
	got, _ := db.Job(ctx, 1)
	if !slices.Equal(got.Data, []byte{0, 0xff}) {
		t.Errorf("job data = %v", got.Data)
	}
	if _, err := db.Job(ctx, 9); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing job: %v", err)
	}
	if err := db.AddJob(ctx, &PrintJob{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("no printer: %v", err)
	}
	if _, err := db.UpdateJob(ctx, 1, func(j *PrintJob) error { j.State = "lost"; return nil }); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad state: %v", err)
	}
}

func TestSMS(t *testing.T) {
	db, clk := openTestStore(t)
	ctx := context.Background()
	m := &SMSMessage{Waybill: "S1", Milestone: MilestonePickedUp, TemplateID: "1001", Phone: "13700001111", Segments: 1, CostFen: 4}
	if err := db.AddSMS(ctx, m); err != nil {
		t.Fatal(err)
	}
	if m.ID != 1 || m.OutOrder != "SDM20261126-1" || m.State != SMSIntent {
		t.Errorf("AddSMS = %+v", m)
	}
	held := &SMSMessage{Waybill: "S1", Milestone: MilestoneDelivered, Phone: "13700001111", State: SMSHeld, CostFen: 8}
	db.AddSMS(ctx, held)
	if n, fen, _ := db.SMSDay(ctx, clk.Now()); n != 1 || fen != 4 {
		t.Errorf("SMSDay = %d, %d; want 1, 4 (held does not count)", n, fen)
	}
	// Held until the next morning, then sent: counts on the day it is sent.
	clk.Add(24 * time.Hour)
	if _, err := db.UpdateSMS(ctx, held.ID, func(m *SMSMessage) error { m.State, m.SentAt = SMSSent, clk.Now(); return nil }); err != nil {
		t.Fatal(err)
	}
	if n, fen, _ := db.SMSDay(ctx, clk.Now()); n != 1 || fen != 8 {
		t.Errorf("SMSDay(next) = %d, %d; want 1, 8", n, fen)
	}
	// A failed message stops counting.
	if _, err := db.UpdateSMS(ctx, m.ID, func(m *SMSMessage) error { m.State = SMSFailed; return nil }); err != nil {
		t.Fatal(err)
	}
	if n, _, _ := db.SMSDay(ctx, clk.Now().AddDate(0, 0, -1)); n != 0 {
		t.Errorf("failed message still counted: %d", n)
	}
	got, err := db.SMSByOutOrder(ctx, held.OutOrder)
	if err != nil || got.ID != held.ID || got.State != SMSSent {
		t.Errorf("SMSByOutOrder = %+v, %v", got, err)
	}
	if ms, _ := db.SMSFor(ctx, "S1"); len(ms) != 2 || ms[0].ID != 1 {
		t.Errorf("SMSFor = %+v", ms)
	}
	if ms, _ := db.SMSInState(ctx, SMSFailed); len(ms) != 1 || ms[0].ID != m.ID {
		t.Errorf("SMSInState(failed) = %+v", ms)
	}
	if ms, _ := db.SMSInState(ctx, SMSIntent); len(ms) != 0 {
		t.Errorf("SMSInState(intent) = %+v", ms)
	}
	if err := db.AddSMS(ctx, &SMSMessage{Phone: "1", OutOrder: held.OutOrder}); !errors.Is(err, ErrExists) {
		t.Errorf("reused outOrder: %v", err)
	}
	if err := db.AddSMS(ctx, &SMSMessage{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("no phone: %v", err)
	}
	if _, err := db.UpdateSMS(ctx, m.ID, func(m *SMSMessage) error { m.OutOrder = "x"; return nil }); !errors.Is(err, ErrInvalid) {
		t.Errorf("outOrder change: %v", err)
	}
	c, _ := db.Counts(ctx, clk.Now(), 2)
	if c.SMS != 1 || c.SMSCostFen != 8 {
		t.Errorf("Counts sms = %d %d", c.SMS, c.SMSCostFen)
	}
}

func TestExceptions(t *testing.T) {
	db, _ := openTestStore(t)
	ctx := context.Background()
	e := &Exception{Waybill: "X1", Kind: ExcNoUpdate, Detail: "48h"}
	raised, err := db.RaiseException(ctx, e)
	if err != nil || !raised || e.ID != 1 || e.RaisedAt.IsZero() {
		t.Fatalf("Raise = %v, %v, %+v", raised, err, e)
	}
	dup := &Exception{Waybill: "X1", Kind: ExcNoUpdate}
	if raised, err := db.RaiseException(ctx, dup); err != nil || raised || dup.ID != 1 {
		t.Errorf("second raise = %v, %v, id %d", raised, err, dup.ID)
	}
	db.RaiseException(ctx, &Exception{Waybill: "X1", Kind: ExcProblem})
	if c, _ := db.Counts(ctx, time.Now(), 0); c.OpenExceptions != 2 {
		t.Errorf("OpenExceptions = %d", c.OpenExceptions)
	}
	if err := db.ResolveException(ctx, 1, "主管"); err != nil {
		t.Fatal(err)
	}
	open, _ := db.Exceptions(ctx, true, 0)
	all, _ := db.Exceptions(ctx, false, 0)
	if len(open) != 1 || open[0].Kind != ExcProblem || len(all) != 2 || all[1].ResolvedBy != "主管" {
		t.Errorf("open %+v all %+v", open, all)
	}
	// Resolved, so the same kind can be raised again.
	if raised, _ := db.RaiseException(ctx, &Exception{Waybill: "X1", Kind: ExcNoUpdate}); !raised {
		t.Error("re-raise after resolve refused")
	}
	if err := db.ResolveException(ctx, 99, "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("resolve missing: %v", err)
	}
	if _, err := db.RaiseException(ctx, &Exception{Waybill: "X1"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("no kind: %v", err)
	}
}

func TestAuditAndSettings(t *testing.T) {
	db, _ := openTestStore(t)
	ctx := context.Background()
	for _, a := range []string{"reprint", "cancel", "export"} {
		if err := db.Audit(ctx, AuditEntry{Who: "仓库", Action: a, Target: "7300000001"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Audit(ctx, AuditEntry{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty action: %v", err)
	}
	log, _ := db.AuditLog(ctx, 2)
	if len(log) != 2 || log[0].Action != "export" || log[0].ID != 3 || log[0].Time.IsZero() {
		t.Errorf("AuditLog = %+v", log)
	}

	s, err := db.Settings(ctx)
	if err != nil || s.Mode != "sandbox" || len(s.SMS.Milestones) == 0 {
		t.Fatalf("default settings = %+v, %v", s, err)
	}
	s.Mode, s.DefaultCarrier = "production", "shunfeng"
	if err := db.SaveSettings(ctx, s); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Settings(ctx); got.Mode != "production" || got.DefaultCarrier != "shunfeng" || got.Label != s.Label {
		t.Errorf("Settings = %+v", got)
	}
	s.Users = append(s.Users, User{Name: "x", Role: "boss"})
	if err := db.SaveSettings(ctx, s); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad role: %v", err)
	}
	if got, _ := db.Settings(ctx); len(got.Users) != 3 {
		t.Errorf("rejected settings were written: %d users", len(got.Users))
	}
}
