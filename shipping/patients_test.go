package shipping

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"shipdesk/store"
)

func shipTo(t *testing.T, e *env, i int, name, phone, addr string) ShipResult {
	t.Helper()
	o := testOrder(i)
	o.Recipient = store.Party{Name: name, Phone: phone, Address: addr}
	res, err := e.svc.Ship(t.Context(), frontDesk, o, ShipOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return *res
}

func TestRecipientsOfAReturningPatient(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	first := shipTo(t, e, 1, "王芳", "13700001111", "天津市河西区友谊路32号")
	shipTo(t, e, 2, "王芳", "137 0000 1111", "天津市河西区友谊路32号") // same address again
	moved := shipTo(t, e, 3, "王芳", "+86 13700001111", "天津市南开区鞍山西道100号")
	shipTo(t, e, 4, "李雷", "13900002222", "天津市和平区南京路219号")

	got, err := e.svc.Recipients(ctx, frontDesk, "137-0000-1111", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d recipients, want 2 (one per address): %+v", len(got), got)
	}
	if got[0].Address != "天津市南开区鞍山西道100号" || got[0].Waybill != moved.Order.Waybill || got[0].Count != 1 {
		t.Errorf("newest first: %+v", got[0])
	}
	if got[1].Address != "天津市河西区友谊路32号" || got[1].Count != 2 || got[1].Phone != "13700001111" {
		t.Errorf("older address: %+v", got[1])
	}
	if got[0].District != "南开区" || got[0].City != "天津市" {
		t.Errorf("region of %+v", got[0])
	}
	// The clerk typed the phone, so it is shown in full; found by name or
	// 配镜单号 it is masked for the front desk and full for a manager.
	byName, err := e.svc.Recipients(ctx, frontDesk, "王芳", 0)
	if err != nil || len(byName) != 2 || byName[0].Phone != "137****1111" {
		t.Fatalf("by name: %+v, %v", byName, err)
	}
	byRef, err := e.svc.Recipients(ctx, manager, first.Order.Reference, 0)
	if err != nil || len(byRef) != 1 || byRef[0].Phone != "13700001111" || byRef[0].Address != "天津市河西区友谊路32号" {
		t.Fatalf("by reference %s: %+v, %v", first.Order.Reference, byRef, err)
	}
	if r, err := e.svc.Recipients(ctx, warehouse, "13700001111", 0); !errors.Is(err, ErrForbidden) {
		t.Errorf("warehouse = %v, %v; only who ships uses the address book", r, err)
	}
	if r, _ := e.svc.Recipients(ctx, frontDesk, "13800009999", 0); len(r) != 0 {
		t.Errorf("unknown phone: %+v", r)
	}
}

func TestForgetMasksEveryCopyAndKeepsTheShipments(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	a := shipTo(t, e, 1, "王芳", "13700001111", "天津市河西区友谊路32号")
	b := shipTo(t, e, 2, "王芳", "13700001111", "天津市南开区鞍山西道100号")
	other := shipTo(t, e, 3, "李雷", "13900002222", "天津市和平区南京路219号")
	st, _ := e.db.Settings(ctx)
	st.SMS.OptOut = []string{"13700001111", "13900002222"}
	if err := e.db.SaveSettings(ctx, st); err != nil {
		t.Fatal(err)
	}

	if _, err := e.svc.Forget(ctx, frontDesk, "13700001111"); !errors.Is(err, ErrForbidden) {
		t.Fatalf("front desk forget: %v", err)
	}
	res, err := e.svc.Forget(ctx, manager, "137 0000 1111")
	if err != nil {
		t.Fatal(err)
	}
	if res.Shipments != 2 || res.Orders != 2 || res.PrintJobs != 2 {
		t.Errorf("result %+v", res)
	}
	for _, w := range []string{a.Order.Waybill, b.Order.Waybill} {
		sh, err := e.db.Shipment(ctx, w)
		if err != nil {
			t.Fatal(err)
		}
		if sh.RecipientName != "王*" || sh.RecipientPhone != "137****1111" || strings.Contains(sh.RecipientAddr, "路") {
			t.Errorf("shipment %s kept %q %q %q", w, sh.RecipientName, sh.RecipientPhone, sh.RecipientAddr)
		}
		o, err := e.db.Order(ctx, sh.OrderID)
		if err != nil {
			t.Fatal(err)
		}
		if o.Recipient.Name != "王*" || o.Recipient.Phone != "137****1111" || strings.Contains(o.Recipient.Address, "路") {
			t.Errorf("order %s kept %+v", o.ID, o.Recipient)
		}
		for _, j := range e.jobs(w) {
			if len(j.Data) != 0 {
				t.Errorf("job %d keeps %d label bytes", j.ID, len(j.Data))
			}
		}
	}
	if sh, _ := e.db.Shipment(ctx, other.Order.Waybill); sh.RecipientPhone != "13900002222" {
		t.Errorf("another patient changed: %+v", sh)
	}
	st, _ = e.db.Settings(ctx)
	if len(st.SMS.OptOut) != 1 || st.SMS.OptOut[0] != "13900002222" {
		t.Errorf("opt-out list %v", st.SMS.OptOut)
	}
	var csv bytes.Buffer
	if err := e.db.ExportShipmentsCSV(ctx, &csv); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(csv.String(), "13700001111") || strings.Contains(csv.String(), "友谊路") || strings.Contains(csv.String(), "王芳") {
		t.Errorf("the CSV export still has the patient:\n%s", csv.String())
	}
	if !strings.Contains(csv.String(), a.Order.Waybill) {
		t.Errorf("the CSV export lost the shipment")
	}
	log, _ := e.db.AuditLog(ctx, 10)
	if len(log) == 0 || log[0].Action != "forget_patient" || log[0].Target != "137****1111" || log[0].Who != manager.Name {
		t.Errorf("audit %+v", log)
	}
	if r, _ := e.svc.Recipients(ctx, manager, "13700001111", 0); len(r) != 0 {
		t.Errorf("the address book still offers %+v", r)
	}
	if _, err := e.svc.Forget(ctx, manager, "13700001111"); !errors.Is(err, ErrNoPatient) {
		t.Errorf("forget twice: %v", err)
	}
}

func TestRetentionMasksOldDeliveredShipments(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	e := newEnv(t, func(d *Deps) { d.Now = func() time.Time { return now } })
	ctx := t.Context()
	old := shipTo(t, e, 1, "王芳", "13700001111", "天津市河西区友谊路32号")
	recent := shipTo(t, e, 2, "李雷", "13900002222", "天津市和平区南京路219号")
	inTransit := shipTo(t, e, 3, "韩梅梅", "13600003333", "天津市南开区鞍山西道100号")
	deliver := func(w string, at time.Time) {
		if _, err := e.db.UpdateShipment(ctx, w, func(s *store.Shipment) error {
			s.Milestone = store.MilestoneDelivered
			s.SetMilestoneTime(store.MilestoneDelivered, at)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	deliver(old.Order.Waybill, now.AddDate(0, 0, -40))
	deliver(recent.Order.Waybill, now.AddDate(0, 0, -10))

	// The default keeps a year.
	if n, err := e.svc.ApplyRetention(ctx, System); err != nil || n != 0 {
		t.Fatalf("default retention masked %d, %v", n, err)
	}
	st, _ := e.db.Settings(ctx)
	days := 30
	st.Counter.RetentionDays = &days
	if err := e.svc.SaveSettings(ctx, manager, st); err != nil {
		t.Fatal(err)
	}
	n, err := e.svc.ApplyRetention(ctx, System)
	if err != nil || n != 1 {
		t.Fatalf("masked %d, %v; want 1", n, err)
	}
	if sh, _ := e.db.Shipment(ctx, old.Order.Waybill); sh.RecipientPhone != "137****1111" || sh.RecipientName != "王*" {
		t.Errorf("old delivered shipment kept %+v", sh)
	}
	for _, w := range []string{recent.Order.Waybill, inTransit.Order.Waybill} {
		if sh, _ := e.db.Shipment(ctx, w); strings.Contains(sh.RecipientPhone, "*") {
			t.Errorf("%s masked too early: %+v", w, sh)
		}
	}
	log, _ := e.db.AuditLog(ctx, 5)
	if len(log) == 0 || log[0].Action != "retention" || !strings.Contains(log[0].Detail, "shipments=1") {
		t.Errorf("audit %+v", log)
	}
	if n, _ := e.svc.ApplyRetention(ctx, System); n != 0 {
		t.Errorf("second run masked %d again", n)
	}
	never := 0
	st.Counter.RetentionDays = &never
	if err := e.svc.SaveSettings(ctx, manager, st); err != nil {
		t.Fatal(err)
	}
	deliver(inTransit.Order.Waybill, now.AddDate(-3, 0, 0))
	if n, _ := e.svc.ApplyRetention(ctx, System); n != 0 {
		t.Errorf("0 = never, masked %d", n)
	}
	if _, err := e.svc.ApplyRetention(ctx, frontDesk); !errors.Is(err, ErrForbidden) {
		t.Errorf("front desk: %v", err)
	}
}
