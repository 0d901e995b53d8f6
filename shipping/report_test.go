package shipping

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"
)

func TestDayReportAndCosts(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	var zt []string
	for i := range 3 {
		zt = append(zt, shipTo(t, e, i+1, "王芳", "1370000111"+string(rune('0'+i)), "天津市河西区友谊路32号").Order.Waybill)
	}
	o := testOrder(9)
	o.Carrier = "yuantong"
	o.Weight = 1.5
	if _, err := e.svc.Ship(ctx, frontDesk, o, ShipOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Cancel(ctx, frontDesk, zt[2], "患者取消"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Reprint(ctx, warehouse, zt[0], "面单污损", ""); err != nil {
		t.Fatal(err)
	}
	h, _ := e.svc.StartHandover(ctx, frontDesk, "zhongtong", "")
	if _, err := e.svc.ScanHandover(ctx, frontDesk, h, zt[0]); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.FinishHandover(ctx, frontDesk, h); err != nil {
		t.Fatal(err)
	}
	st, _ := e.db.Settings(ctx)
	st.Counter.WaybillFen = map[string]int{"zhongtong": 30, "": 25}
	if err := e.db.SaveSettings(ctx, st); err != nil {
		t.Fatal(err)
	}

	if _, err := e.svc.DayReport(ctx, frontDesk, time.Now()); err == nil {
		t.Error("the front desk reads the day sheet")
	}
	r, err := e.svc.DayReport(ctx, manager, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Carriers) != 2 || r.Carriers[0].Carrier != "zhongtong" {
		t.Fatalf("carriers %+v", r.Carriers)
	}
	z := r.Carriers[0]
	if z.Shipped != 3 || z.Cancelled != 1 || z.HandedOver != 1 || z.Reprinted != 1 || z.WaybillFen != 60 ||
		len(z.NotHanded) != 1 || z.NotHanded[0] != zt[1] || z.WeightKg != 1.0 {
		t.Errorf("zhongtong %+v", z)
	}
	if y := r.Carriers[1]; y.Shipped != 1 || y.WaybillFen != 25 || y.WeightKg != 1.5 {
		t.Errorf("yuantong %+v", y)
	}
	if r.Total.Shipped != 4 || r.Total.WaybillFen != 85 || r.Total.Reprinted != 1 {
		t.Errorf("total %+v", r.Total)
	}
	var pdf, out bytes.Buffer
	if err := WriteDayPDF(&pdf, r); err != nil || !bytes.HasPrefix(pdf.Bytes(), []byte("%PDF-")) {
		t.Fatalf("pdf: %v", err)
	}
	if err := WriteDayCSV(&out, r); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out.String(), "\ufeff"))).ReadAll()
	if err != nil || len(rows) != 4 || rows[1][1] != "中通快递" || rows[1][3] != "3" || rows[3][1] != "合计" || rows[3][8] != "0.85" {
		t.Errorf("csv %v %q", err, rows)
	}

	costs, err := e.svc.Costs(ctx, manager, 3)
	if err != nil {
		t.Fatal(err)
	}
	month := time.Now().In(ClinicTime).Format("2006-01")
	if len(costs) != 2 || costs[0].Month != month || costs[0].Carrier != "yuantong" || costs[1].Waybills != 2 || costs[1].WaybillFen != 60 {
		t.Errorf("costs %+v", costs)
	}
	out.Reset()
	if err := WriteCostsCSV(&out, costs); err != nil || !strings.Contains(out.String(), "中通快递") {
		t.Errorf("costs csv %v %s", err, out.String())
	}
}
