package app

import (
	"shipdesk/assets/i18n"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
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
	if cs, ok := s.(*desktop.CustomShortcut); ok && !isCtrlEnter(s) {
		// The window's own shortcuts (Ctrl+F, Ctrl+1…) work from a field.
		if c := fyne.CurrentApp().Driver().CanvasForObject(e); c != nil {
			if sc, ok := c.(fyne.Shortcutable); ok {
				sc.TypedShortcut(cs)
				return
			}
		}
	}
	e.Entry.TypedShortcut(s)
}

// newSelect is widget.NewSelect with the placeholder in the app's language
// (Fyne's own, "(Select one)", would show English in the Chinese UI).
func newSelect(options []string, changed func(string)) *widget.Select {
	s := widget.NewSelect(options, changed)
	s.PlaceHolder = i18n.T("Please choose")
	return s
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
	setVisible(l, msg != "")
}

// setEnabled enables b when on, else disables it.
func setEnabled(b fyne.Disableable, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}

// setVisible shows o when on, else hides it.
func setVisible(o fyne.CanvasObject, on bool) {
	if on {
		o.Show()
	} else {
		o.Hide()
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

// listEditor shows a slice of the settings' working copy as a list with
// Add, Edit and Remove buttons under it. Only the main goroutine uses it.
type listEditor[T any] struct {
	items   *[]T
	list    *widget.List
	sel     int // the chosen item, -1 for none
	keep    int // Remove leaves at least this many
	content fyne.CanvasObject
}

// newListEditor lists *items, one line each by text. Add calls edit(-1),
// Edit calls edit with the chosen item (-1, so adding, when none is chosen);
// edit ends with put. Remove takes the chosen item away while more than keep
// remain. extra stands beside the buttons.
func newListEditor[T any](items *[]T, text func(T) string, edit func(i int), keep int, extra ...fyne.CanvasObject) *listEditor[T] {
	e := &listEditor[T]{items: items, sel: -1, keep: keep}
	e.list = newTextList(func() int { return len(*e.items) }, func(i int) string { return text((*e.items)[i]) })
	e.list.OnSelected = func(i widget.ListItemID) { e.sel = i }
	buttons := container.NewHBox(append([]fyne.CanvasObject{
		widget.NewButtonWithIcon(i18n.T("Add"), theme.ContentAddIcon(), func() { edit(-1) }),
		widget.NewButtonWithIcon(i18n.T("Edit"), theme.DocumentCreateIcon(), func() { edit(e.sel) }),
		widget.NewButtonWithIcon(i18n.T("Remove"), theme.DeleteIcon(), e.remove),
	}, extra...)...)
	e.content = container.NewBorder(nil, buttons, nil, nil, e.list)
	return e
}

// at returns item i and true, or the zero T and false when i is not an item.
func (e *listEditor[T]) at(i int) (T, bool) {
	if i >= 0 && i < len(*e.items) {
		return (*e.items)[i], true
	}
	var zero T
	return zero, false
}

// put stores v as item i, or appends it when i < 0, and redraws the list.
func (e *listEditor[T]) put(i int, v T) {
	if i < 0 {
		*e.items = append(*e.items, v)
	} else {
		(*e.items)[i] = v
	}
	e.list.Refresh()
}

// remove takes the chosen item away while more than keep remain.
func (e *listEditor[T]) remove() {
	if _, ok := e.at(e.sel); ok && len(*e.items) > e.keep {
		*e.items = append((*e.items)[:e.sel], (*e.items)[e.sel+1:]...)
		e.sel = -1
		e.list.UnselectAll()
		e.list.Refresh()
	}
}
