package storetest

import (
	"context"
	"errors"
	"shipdesk/store"
	"slices"
	"strings"
	"testing"
	"time"
)

func testEvents(t *testing.T, op Opener) {
	db, clk := openStore(t, op)
	ctx := context.Background()
	mustCreate(t, db, testShipment("E1"))
	t0 := clk.Now()
	evs := []store.TrackingEvent{
		{Time: t0, Context: "【天津市】快件已揽收", Area: "天津市", Milestone: store.MilestonePickedUp, RawState: "1"},
		{Time: t0.Add(2 * time.Hour), Context: "快件已发往北京转运中心", Location: "天津分拨中心", Milestone: store.MilestoneInTransit},
		{Time: t0.Add(2 * time.Hour), Context: "快件已发往北京转运中心", Milestone: store.MilestoneInTransit}, // duplicate in the batch
	}
	added, err := db.AddEvents(ctx, "E1", evs)
	if err != nil || added != 2 {
		t.Fatalf("AddEvents = %d, %v; want 2, nil", added, err)
	}
	// Same instant in another zone, plus one new event (older than stored).
	again := []store.TrackingEvent{
		{Time: t0.UTC(), Context: "【天津市】快件已揽收", Milestone: store.MilestonePickedUp},
		{Time: t0.Add(-time.Hour), Context: "已下单", Milestone: store.MilestoneOrdered},
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
	if !got[1].Time.Equal(t0) || got[1].Area != "天津市" || got[1].RawState != "1" || got[0].Location != "天津分拨中心" || got[0].Milestone != store.MilestoneInTransit {
		t.Errorf("event fields lost: %+v", got)
	}
	if _, err := db.AddEvents(ctx, "nope", evs); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown waybill: %v", err)
	}
	// One bad event rejects the whole batch.
	mixed := []store.TrackingEvent{{Time: t0.Add(time.Hour), Context: "新的一条", Milestone: store.MilestoneInTransit}, {Time: t0, Context: ""}}
	if _, err := db.AddEvents(ctx, "E1", mixed); !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), "events[1].context") {
		t.Errorf("empty context: %v", err)
	}
	if got, _ := db.Events(ctx, "E1"); len(got) != 3 {
		t.Errorf("rejected batch was written: %d events", len(got))
	}
	mustCreate(t, db, testShipment("E2"))
	if got, err := db.Events(ctx, "E2"); err != nil || len(got) != 0 {
		t.Errorf("Events(no events) = %v, %v", got, err)
	}
	if _, err := db.Events(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Events(unknown) err = %v", err)
	}
}

func testOrders(t *testing.T, op Opener) {
	db, clk := openStore(t, op)
	ctx := context.Background()
	var ids []string
	for range 3 {
		o := &store.Order{Recipient: store.Party{Name: "王芳"}, Carrier: "zhongtong"}
		if err := db.SaveOrder(ctx, o); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, o.ID)
	}
	if want := []string{"SD20261126-000001", "SD20261126-000002", "SD20261126-000003"}; !slices.Equal(ids, want) {
		t.Errorf("ids = %v, want %v", ids, want)
	}
	clk.Add(24 * time.Hour)
	o := &store.Order{}
	db.SaveOrder(ctx, o)
	if o.ID != "SD20261127-000001" {
		t.Errorf("next day id = %s", o.ID)
	}
	created := o.CreatedAt
	clk.Add(time.Minute)
	o.Step, o.Waybill = store.StepWaybilled, "7300000001"
	if err := db.SaveOrder(ctx, o); err != nil {
		t.Fatal(err)
	}
	got, err := db.Order(ctx, o.ID)
	if err != nil || got.Waybill != "7300000001" || !got.CreatedAt.Equal(created) || !got.UpdatedAt.Equal(clk.Now()) {
		t.Errorf("Order = %+v, %v", got, err)
	}
	saved, _ := db.OrdersByStep(ctx, store.StepSaved)
	waybilled, _ := db.OrdersByStep(ctx, store.StepWaybilled)
	if len(saved) != 3 || len(waybilled) != 1 || waybilled[0].ID != o.ID {
		t.Errorf("by step: saved %d waybilled %v", len(saved), waybilled)
	}
	if err := db.SaveOrder(ctx, &store.Order{Step: "bogus"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("bad step: %v", err)
	}
	if _, err := db.Order(ctx, "SD0"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing order: %v", err)
	}
}

func testJobs(t *testing.T, op Opener) {
	db, _ := openStore(t, op)
	ctx := context.Background()
	for i, wb := range []string{"J1", "J2", "J1"} {
		j := &store.PrintJob{Waybill: wb, PrinterURI: "virtual:///tmp", Format: "tspl", Data: []byte{byte(i), 0xff}}
		if err := db.AddJob(ctx, j); err != nil {
			t.Fatal(err)
		}
		if j.ID != uint64(i+1) || j.State != store.JobQueued {
			t.Errorf("job %d = %+v", i, j)
		}
	}
	j, err := db.UpdateJob(ctx, 2, func(j *store.PrintJob) error { j.State = store.JobSent; j.Attempts++; return nil })
	if err != nil || j.State != store.JobSent || j.Attempts != 1 {
		t.Fatalf("UpdateJob = %+v, %v", j, err)
	}
	ids := func(f store.JobFilter) []uint64 {
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
		f    store.JobFilter
		want []uint64
	}{
		{store.JobFilter{}, []uint64{3, 2, 1}},
		{store.JobFilter{Limit: 2}, []uint64{3, 2}},
		{store.JobFilter{State: store.JobQueued}, []uint64{3, 1}},
		{store.JobFilter{State: store.JobSent}, []uint64{2}},
		{store.JobFilter{Waybill: "J1"}, []uint64{3, 1}},
		{store.JobFilter{Waybill: "J2", State: store.JobQueued}, nil},
	} {
		if got := ids(tc.f); !slices.Equal(got, tc.want) {
			t.Errorf("Jobs(%+v) = %v, want %v", tc.f, got, tc.want)
		}
	}
	got, _ := db.Job(ctx, 1)
	if !slices.Equal(got.Data, []byte{0, 0xff}) {
		t.Errorf("job data = %v", got.Data)
	}
	if _, err := db.Job(ctx, 9); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing job: %v", err)
	}
	if err := db.AddJob(ctx, &store.PrintJob{}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("no printer: %v", err)
	}
	if _, err := db.UpdateJob(ctx, 1, func(j *store.PrintJob) error { j.State = "lost"; return nil }); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("bad state: %v", err)
	}
}

func testSMS(t *testing.T, op Opener) {
	db, clk := openStore(t, op)
	ctx := context.Background()
	m := &store.SMSMessage{Waybill: "S1", Milestone: store.MilestonePickedUp, TemplateID: "1001", Phone: "13700001111", Segments: 1, CostFen: 4}
	if err := db.AddSMS(ctx, m); err != nil {
		t.Fatal(err)
	}
	if m.ID != 1 || m.OutOrder != "SDM20261126-1" || m.State != store.SMSIntent {
		t.Errorf("AddSMS = %+v", m)
	}
	held := &store.SMSMessage{Waybill: "S1", Milestone: store.MilestoneDelivered, Phone: "13700001111", State: store.SMSHeld, CostFen: 8}
	db.AddSMS(ctx, held)
	if n, fen, _ := db.SMSDay(ctx, clk.Now()); n != 1 || fen != 4 {
		t.Errorf("SMSDay = %d, %d; want 1, 4 (held does not count)", n, fen)
	}
	// Held until the next morning, then sent: counts on the day it is sent.
	clk.Add(24 * time.Hour)
	if _, err := db.UpdateSMS(ctx, held.ID, func(m *store.SMSMessage) error { m.State, m.SentAt = store.SMSSent, clk.Now(); return nil }); err != nil {
		t.Fatal(err)
	}
	if n, fen, _ := db.SMSDay(ctx, clk.Now()); n != 1 || fen != 8 {
		t.Errorf("SMSDay(next) = %d, %d; want 1, 8", n, fen)
	}
	// A failed message stops counting.
	if _, err := db.UpdateSMS(ctx, m.ID, func(m *store.SMSMessage) error { m.State = store.SMSFailed; return nil }); err != nil {
		t.Fatal(err)
	}
	if n, _, _ := db.SMSDay(ctx, clk.Now().AddDate(0, 0, -1)); n != 0 {
		t.Errorf("failed message still counted: %d", n)
	}
	got, err := db.SMSByOutOrder(ctx, held.OutOrder)
	if err != nil || got.ID != held.ID || got.State != store.SMSSent {
		t.Errorf("SMSByOutOrder = %+v, %v", got, err)
	}
	if ms, _ := db.SMSFor(ctx, "S1"); len(ms) != 2 || ms[0].ID != 1 {
		t.Errorf("SMSFor = %+v", ms)
	}
	if ms, _ := db.SMSInState(ctx, store.SMSFailed); len(ms) != 1 || ms[0].ID != m.ID {
		t.Errorf("SMSInState(failed) = %+v", ms)
	}
	if ms, _ := db.SMSInState(ctx, store.SMSIntent); len(ms) != 0 {
		t.Errorf("SMSInState(intent) = %+v", ms)
	}
	if err := db.AddSMS(ctx, &store.SMSMessage{Phone: "1", OutOrder: held.OutOrder}); !errors.Is(err, store.ErrExists) {
		t.Errorf("reused outOrder: %v", err)
	}
	if err := db.AddSMS(ctx, &store.SMSMessage{}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("no phone: %v", err)
	}
	if _, err := db.UpdateSMS(ctx, m.ID, func(m *store.SMSMessage) error { m.OutOrder = "x"; return nil }); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("outOrder change: %v", err)
	}
	c, _ := db.Counts(ctx, clk.Now(), 2)
	if c.SMS != 1 || c.SMSCostFen != 8 {
		t.Errorf("Counts sms = %d %d", c.SMS, c.SMSCostFen)
	}
}

func testExceptions(t *testing.T, op Opener) {
	db, _ := openStore(t, op)
	ctx := context.Background()
	e := &store.Exception{Waybill: "X1", Kind: store.ExcNoUpdate, Detail: "48h"}
	raised, err := db.RaiseException(ctx, e)
	if err != nil || !raised || e.ID != 1 || e.RaisedAt.IsZero() {
		t.Fatalf("Raise = %v, %v, %+v", raised, err, e)
	}
	dup := &store.Exception{Waybill: "X1", Kind: store.ExcNoUpdate}
	if raised, err := db.RaiseException(ctx, dup); err != nil || raised || dup.ID != 1 {
		t.Errorf("second raise = %v, %v, id %d", raised, err, dup.ID)
	}
	db.RaiseException(ctx, &store.Exception{Waybill: "X1", Kind: store.ExcProblem})
	if c, _ := db.Counts(ctx, time.Now(), 0); c.OpenExceptions != 2 {
		t.Errorf("OpenExceptions = %d", c.OpenExceptions)
	}
	if err := db.ResolveException(ctx, 1, "主管"); err != nil {
		t.Fatal(err)
	}
	open, _ := db.Exceptions(ctx, true, 0)
	all, _ := db.Exceptions(ctx, false, 0)
	if len(open) != 1 || open[0].Kind != store.ExcProblem || len(all) != 2 || all[1].ResolvedBy != "主管" {
		t.Errorf("open %+v all %+v", open, all)
	}
	// Resolved, so the same kind can be raised again.
	if raised, _ := db.RaiseException(ctx, &store.Exception{Waybill: "X1", Kind: store.ExcNoUpdate}); !raised {
		t.Error("re-raise after resolve refused")
	}
	if err := db.ResolveException(ctx, 99, "x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("resolve missing: %v", err)
	}
	if _, err := db.RaiseException(ctx, &store.Exception{Waybill: "X1"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("no kind: %v", err)
	}
}

func testAuditAndSettings(t *testing.T, op Opener) {
	db, _ := openStore(t, op)
	ctx := context.Background()
	for _, a := range []string{"reprint", "cancel", "export"} {
		if err := db.Audit(ctx, store.AuditEntry{Who: "仓库", Action: a, Target: "7300000001"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Audit(ctx, store.AuditEntry{}); !errors.Is(err, store.ErrInvalid) {
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
	s.Users = append(s.Users, store.User{Name: "x", Role: "boss"})
	if err := db.SaveSettings(ctx, s); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("bad role: %v", err)
	}
	if got, _ := db.Settings(ctx); len(got.Users) != 3 {
		t.Errorf("rejected settings were written: %d users", len(got.Users))
	}
}
