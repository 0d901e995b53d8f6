package shipping

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"shipdesk/internal/testkit"
	"shipdesk/store"
)

func TestHandoverScansFinishesAndRecords(t *testing.T) {
	clock := testkit.NewClock(time.Now())
	e := newEnv(t, func(d *Deps) { d.Now = clock.Now })
	ctx := t.Context()
	var zt []string
	for i := range 3 {
		r := shipTo(t, e, i+1, "王芳", "1370000111"+string(rune('0'+i)), "天津市河西区友谊路32号")
		zt = append(zt, r.Order.Waybill)
		clock.Add(time.Second) // the handover lists parcels oldest first
	}
	o := testOrder(9)
	o.Carrier = "yuantong"
	yt, err := e.svc.Ship(ctx, frontDesk, o, ShipOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Cancel(ctx, frontDesk, zt[2], "患者取消"); err != nil {
		t.Fatal(err)
	}

	if _, err := e.svc.StartHandover(ctx, frontDesk, "nosuchcarrier", ""); !errors.Is(err, ErrUnknownCarrier) {
		t.Errorf("unknown carrier: %v", err)
	}
	h, err := e.svc.StartHandover(ctx, warehouse, "zhongtong", "张师傅")
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Expected) != 2 || h.Expected[0].Waybill != zt[0] || h.Expected[1].Waybill != zt[1] {
		t.Fatalf("expected %+v", h.Expected)
	}
	if p := h.Expected[0]; p.City != "天津市河西区" || p.Weight != 0.5 || p.Recipient != "王*" {
		t.Errorf("parcel %+v", p)
	}
	scan := func(code string, want ScanOutcome) ScanResult {
		t.Helper()
		r, err := e.svc.ScanHandover(ctx, warehouse, h, code)
		if err != nil {
			t.Fatal(err)
		}
		if r.Outcome != want || r.Message == "" {
			t.Errorf("scan %q = %s %q, want %s", code, r.Outcome, r.Message, want)
		}
		return r
	}
	scan(strings.ToLower(zt[0])+"\r\n", ScanOK)
	if m := h.Missing(); len(m) != 1 || m[0].Waybill != zt[1] {
		t.Errorf("missing %+v", m)
	}
	scan(zt[0], ScanAgain)
	if r := scan(yt.Order.Waybill, ScanOtherCarrier); !strings.Contains(r.Message, "圆通") {
		t.Errorf("other carrier message %q", r.Message)
	}
	scan(zt[2], ScanCancelled)
	scan("YT0000000000000", ScanUnknown)
	scan(zt[1], ScanOK)
	if len(h.Scanned) != 2 || len(h.Missing()) != 0 {
		t.Fatalf("scanned %+v missing %+v", h.Scanned, h.Missing())
	}
	if err := e.svc.FinishHandover(ctx, warehouse, h); err != nil {
		t.Fatal(err)
	}
	for _, w := range zt[:2] {
		sh, _ := e.db.Shipment(ctx, w)
		if sh.HandedOverAt.IsZero() || sh.HandoverID != h.ID {
			t.Errorf("%s not recorded: %v %q", w, sh.HandedOverAt, sh.HandoverID)
		}
	}
	if err := e.svc.FinishHandover(ctx, warehouse, h); !errors.Is(err, ErrHandoverFinished) {
		t.Errorf("finish twice: %v", err)
	}
	var pdf bytes.Buffer
	if err := e.svc.WriteHandoverPDF(warehouse, h, &pdf); err != nil || !bytes.HasPrefix(pdf.Bytes(), []byte("%PDF-")) {
		t.Fatalf("pdf: %v", err)
	}
	log, _ := e.db.AuditLog(ctx, 5)
	if len(log) == 0 || log[0].Action != "handover" || log[0].Target != h.ID || !strings.Contains(log[0].Detail, "parcels=2") {
		t.Errorf("audit %+v", log)
	}

	// The next pickup expects nothing of these, and says so when scanned.
	h2, err := e.svc.StartHandover(ctx, frontDesk, "zhongtong", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(h2.Expected) != 0 {
		t.Errorf("second pickup expects %+v", h2.Expected)
	}
	if r, _ := e.svc.ScanHandover(ctx, frontDesk, h2, zt[0]); r.Outcome != ScanHandedOver || !strings.Contains(r.Message, h.ID) {
		t.Errorf("handed over again: %+v", r)
	}
	if err := e.svc.FinishHandover(ctx, frontDesk, h2); !errors.Is(err, ErrHandoverEmpty) {
		t.Errorf("empty handover: %v", err)
	}

	// The yuantong parcel was printed and not handed over: after the
	// manager's time it is an exception, before it is not.
	day, end := clinicDay(time.Now())
	early := day.Add(time.Minute)
	clock.Set(early)
	st, _ := e.db.Settings(ctx)
	st.Counter.HandoverBy = "23:59"
	if err := e.db.SaveSettings(ctx, st); err != nil {
		t.Fatal(err)
	}
	if n, err := e.svc.CheckHandovers(ctx); err != nil || n != 0 {
		t.Errorf("before the handover time: %d, %v", n, err)
	}
	late := end.Add(-30 * time.Second)
	clock.Set(late)
	if n, err := e.svc.CheckHandovers(ctx); err != nil || n != 1 {
		t.Fatalf("after the handover time: %d, %v", n, err)
	}
	ex, _ := e.db.Exceptions(ctx, true, 10)
	if len(ex) != 1 || ex[0].Waybill != yt.Order.Waybill || ex[0].Kind != store.ExcNotHandedOver {
		t.Errorf("exceptions %+v", ex)
	}
	if n, _ := e.svc.CheckHandovers(ctx); n != 0 {
		t.Errorf("raised %d again", n)
	}
}
