package app

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"shipdesk/store"
)

func TestDashboardWritesTheDaySheetAndShowsCosts(t *testing.T) {
	e := newEnv(t)
	e.shipDirect(t, 1, "zhongtong")
	e.shipDirect(t, 2, "yuantong")
	e.as(t, store.RoleManager)
	r := e.ui.dash.reports
	test.Tap(r.pdfBtn)
	e.wait()
	b, err := os.ReadFile(r.last)
	if err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) || !strings.HasSuffix(r.last, ".pdf") {
		t.Fatalf("day sheet %q: %v (%s)", r.last, err, r.msg.Text)
	}
	test.Tap(r.csvBtn)
	e.wait()
	b, err = os.ReadFile(r.last)
	if err != nil || !strings.Contains(string(b), "中通快递") || !strings.Contains(string(b), "圆通") {
		t.Fatalf("day csv %q: %v\n%s", r.last, err, b)
	}
	r.date.SetText("2026-13-40")
	test.Tap(r.pdfBtn)
	e.wait()
	if !strings.Contains(r.msg.Text, "2026-12-02") {
		t.Errorf("a bad date: %q", r.msg.Text)
	}

	test.Tap(r.costBtn)
	e.wait()
	if r.costWin == nil || len(r.costs) != 2 || len(r.chart.days) != 2 || r.chart.days[0].a != 1 {
		t.Fatalf("cost view: %+v", r.costs)
	}
	if got := costCell(r.costs[0], 1); got == "" {
		t.Error("empty carrier cell")
	}
	e.as(t, store.RoleFrontDesk)
	if !r.pdfBtn.Disabled() || !r.costBtn.Disabled() {
		t.Error("the front desk makes reports")
	}
}
