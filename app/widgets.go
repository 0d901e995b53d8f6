package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// ctrlEnter is the "ship it" shortcut.
var ctrlEnter = &desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierControl}

// isCtrlEnter reports whether s is Ctrl+Enter (main or keypad Enter).
func isCtrlEnter(s fyne.Shortcut) bool {
	cs, ok := s.(*desktop.CustomShortcut)
	return ok && cs.Modifier == fyne.KeyModifierControl && (cs.KeyName == fyne.KeyReturn || cs.KeyName == fyne.KeyEnter)
}

// formEntry is a widget.Entry that hands Ctrl+Enter to the form (a focused
// Entry would otherwise swallow the window's shortcut).
type formEntry struct {
	widget.Entry
	onCtrlEnter func()
}

func newFormEntry(onCtrlEnter func()) *formEntry {
	e := &formEntry{onCtrlEnter: onCtrlEnter}
	e.ExtendBaseWidget(e)
	return e
}

func newFormMultiLine(onCtrlEnter func()) *formEntry {
	e := newFormEntry(onCtrlEnter)
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	return e
}

// TypedShortcut implements fyne.Shortcutable.
func (e *formEntry) TypedShortcut(s fyne.Shortcut) {
	if isCtrlEnter(s) && e.onCtrlEnter != nil {
		e.onCtrlEnter()
		return
	}
	e.Entry.TypedShortcut(s)
}

// errorText is the one-sentence message shown under a field.
func errorText() *widget.Label {
	l := widget.NewLabel("")
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	l.Hide()
	return l
}

func setError(l *widget.Label, msg string) {
	l.SetText(msg)
	if msg == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

// AcceptsTab implements fyne.Tabbable: Tab always moves to the next field,
// also out of the multi-line paste box.
func (e *formEntry) AcceptsTab() bool { return false }

// newTextTable is a read-only table of text cells under a bold header row.
// cols are the column titles and widths their widths; rows counts the rows
// and cell gives the text in row, col (asked only for rows below rows()).
func newTextTable(cols []string, widths []float32, rows func() int, cell func(row, col int) string) *widget.Table {
	t := widget.NewTableWithHeaders(
		func() (int, int) { return rows(), len(cols) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			if id.Row < rows() {
				o.(*widget.Label).SetText(cell(id.Row, id.Col))
			}
		})
	t.ShowHeaderColumn = false
	t.CreateHeader = func() fyne.CanvasObject { return widget.NewLabel("") }
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Row < 0 && id.Col >= 0 {
			l := o.(*widget.Label)
			l.TextStyle = fyne.TextStyle{Bold: true}
			l.SetText(cols[id.Col])
		}
	}
	for i, w := range widths {
		t.SetColumnWidth(i, w)
	}
	return t
}

// newTextList is a list of one-line labels: n counts the items and text
// gives item i's text (asked only for i below n()).
func newTextList(n func() int, text func(i int) string) *widget.List {
	return widget.NewList(n,
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < n() {
				o.(*widget.Label).SetText(text(i))
			}
		})
}
