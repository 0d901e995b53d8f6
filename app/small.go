package app

import (
	"context"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"shipdesk/assets/i18n"
	"shipdesk/shipping"
	"shipdesk/store"
)

// ctrlF focuses the search box of 补打与查询 from any screen.
var ctrlF = &desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierControl}

// registerCounterShortcuts installs the window-wide shortcuts of the
// counter's day: Ctrl+F jumps to the search.
func (u *UI) registerCounterShortcuts() {
	u.win.Canvas().AddShortcut(ctrlF, func(fyne.Shortcut) { u.focusSearch() })
}

func (u *UI) focusSearch() {
	if !slices.Contains(u.tabs.Items, u.tabReprint) {
		return
	}
	if u.tabs.Selected() != u.tabReprint {
		u.tabs.Select(u.tabReprint)
	}
	u.win.Canvas().Focus(u.reprint.search)
}

// openToday fills the results with today's shipments, newest first, when
// nothing was searched yet, so the screen never opens on an empty table.
func (r *reprintScreen) openToday() {
	if r.lastQuery != nil {
		return
	}
	empty := ""
	r.lastQuery = &empty
	now := r.ui.now()
	day := now.In(shipping.ClinicTime)
	from := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, shipping.ClinicTime)
	var (
		rows []store.Shipment
		err  error
	)
	r.ui.async(func(ctx context.Context, who shipping.User) {
		rows, err = r.ui.svc.Search(ctx, who, "", from, now, searchLimit)
	}, func() {
		if err != nil {
			r.summary.SetText(shipping.Describe(err))
			return
		}
		slices.SortStableFunc(rows, func(a, b store.Shipment) int { return b.CreatedAt.Compare(a.CreatedAt) })
		r.rows = rows
		r.sortCol = -1
		r.results.UnselectAll()
		r.results.Refresh()
		r.summary.SetText(i18n.F("Today: %d shipments, newest first.", len(rows)))
	})
}

// sortableHeaders turns a text table's headings into buttons: a tap sorts
// by that column, a second tap reverses. sorted is told the column and the
// direction; it sorts the rows and the table refreshes.
func sortableHeaders(t *widget.Table, cols []string, state func() (col int, desc bool), sorted func(col int, desc bool)) {
	t.CreateHeader = func() fyne.CanvasObject {
		b := widget.NewButton("", nil)
		b.Importance = widget.LowImportance
		b.Alignment = widget.ButtonAlignLeading
		return b
	}
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Row >= 0 || id.Col < 0 || id.Col >= len(cols) {
			return
		}
		b := o.(*widget.Button)
		col, desc := state()
		text := cols[id.Col]
		if col == id.Col {
			text += map[bool]string{false: " ▲", true: " ▼"}[desc]
		}
		b.SetText(text)
		c := id.Col
		b.OnTapped = func() {
			col, desc := state()
			sorted(c, col == c && !desc)
			t.Refresh()
		}
	}
}

// sortRows sorts the result rows by a column's text (times as stored).
func (r *reprintScreen) sortRows(col int, desc bool) {
	r.sortCol, r.sortDesc = col, desc
	key := func(s store.Shipment) string {
		if col == 5 {
			return s.UpdatedAt.UTC().Format(time.RFC3339Nano)
		}
		return resultCell(s, col)
	}
	slices.SortStableFunc(r.rows, func(a, b store.Shipment) int {
		c := strings.Compare(key(a), key(b))
		if desc {
			c = -c
		}
		return c
	})
	r.results.UnselectAll()
	r.results.Refresh()
}
