package app

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func TestSearchOpensOnTodayAndSorts(t *testing.T) {
	e := newEnv(t)
	w1 := e.shipDirect(t, 1, "zhongtong")
	w2 := e.shipDirect(t, 2, "yuantong")
	w3 := e.shipDirect(t, 3, "zhongtong")
	// Ctrl+F from a field of the ship form goes to the search.
	e.ui.ship.name.TypedShortcut(ctrlF)
	e.wait()
	r := e.ui.reprint
	if e.ui.tabs.Selected() != e.ui.tabReprint || e.ui.win.Canvas().Focused() != r.search {
		t.Fatalf("Ctrl+F: tab %v, focus %T", e.ui.tabs.Selected().Text, e.ui.win.Canvas().Focused())
	}
	if len(r.rows) != 3 || r.rows[0].Waybill != w3 || r.rows[2].Waybill != w1 {
		t.Fatalf("opened on %d rows: %+v", len(r.rows), r.rows)
	}
	// A tap on the carrier heading sorts by carrier; a second reverses.
	// 中通 (U+4E2D) sorts before 圆通 (U+5706).
	r.sortRows(1, false)
	if r.rows[0].Carrier != "zhongtong" || r.rows[2].Waybill != w2 {
		t.Errorf("sorted by carrier: %s first, %s last", r.rows[0].Carrier, r.rows[2].Waybill)
	}
	r.sortRows(1, true)
	if r.rows[0].Waybill != w2 {
		t.Errorf("reversed: %s first", r.rows[0].Carrier)
	}
	// The heading buttons drive the same sort.
	b := widget.NewButton("", nil)
	r.results.UpdateHeader(widget.TableCellID{Row: -1, Col: 0}, b)
	test.Tap(b)
	if r.sortCol != 0 || r.sortDesc {
		t.Errorf("tapping the waybill heading: col %d desc %v", r.sortCol, r.sortDesc)
	}
	test.Tap(b)
	if !r.sortDesc || r.rows[0].Waybill < r.rows[1].Waybill {
		t.Errorf("second tap: desc %v, %s before %s", r.sortDesc, r.rows[0].Waybill, r.rows[1].Waybill)
	}
	_ = fyne.KeyF
}

func TestTimesAreClinicTime(t *testing.T) {
	utc := time.Date(2026, 12, 2, 17, 30, 0, 0, time.UTC)
	if got := clinicStamp(utc); got != "12-03 01:30" {
		t.Errorf("clinicStamp = %q, want China time 12-03 01:30", got)
	}
}
