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
