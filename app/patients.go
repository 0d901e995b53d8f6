package app

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"shipdesk/assets/i18n"
	"shipdesk/shipping"
)

// maxSuggestions is how many earlier recipients the ship form offers.
const maxSuggestions = 5

// addressBook offers a returning patient's earlier recipients under the
// ship form's phone field: typing or pasting a phone (or a name or 配镜单号)
// looks them up (shipping.Recipients), newest first; Ctrl+1…Ctrl+5 or a
// click fills the form with one. Only the main goroutine uses it.
type addressBook struct {
	s     *shipScreen
	box   *fyne.Container
	found []shipping.Recipient
	seq   int
	query string
	// filling is true while fill sets the fields (no lookup then).
	filling bool
}

func newAddressBook(s *shipScreen) *addressBook {
	b := &addressBook{s: s, box: container.NewVBox()}
	b.box.Hide()
	for _, e := range []struct {
		entry *formEntry
		kind  string
	}{{s.phone, "phone"}, {s.name, "name"}, {s.reference, "reference"}} {
		prev := e.entry.OnChanged
		kind := e.kind
		e.entry.OnChanged = func(text string) {
			if prev != nil {
				prev(text)
			}
			b.typed(kind, text)
		}
	}
	return b
}

// register installs Ctrl+1…Ctrl+5 on the window.
func (b *addressBook) register(c fyne.Canvas) {
	for i := range maxSuggestions {
		c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyName(fmt.Sprint(i + 1)), Modifier: fyne.KeyModifierControl}, func(fyne.Shortcut) {
			if b.s.ui.tabs.Selected() == b.s.ui.tabShip {
				b.fill(i)
			}
		})
	}
}

func digits(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsDigit(r) {
			n++
		}
	}
	return n
}

// typed decides whether what was typed is worth a lookup: a phone of at
// least 7 digits, a name of two characters or more while the phone is
// empty, a 配镜单号 of four or more while name and phone are empty.
func (b *addressBook) typed(kind, text string) {
	if b.filling {
		return
	}
	text = strings.TrimSpace(text)
	q := ""
	switch kind {
	case "phone":
		if digits(text) >= 7 {
			q = text
		}
	case "name":
		if strings.TrimSpace(b.s.phone.Text) == "" && utf8.RuneCountInString(text) >= 2 {
			q = text
		}
	case "reference":
		if strings.TrimSpace(b.s.phone.Text) == "" && strings.TrimSpace(b.s.name.Text) == "" && utf8.RuneCountInString(text) >= 4 {
			q = text
		}
	}
	if q == "" && kind == "phone" || q == "" && strings.TrimSpace(b.s.phone.Text) == "" && strings.TrimSpace(b.s.name.Text) == "" {
		b.show(b.query, nil)
		return
	}
	if q == "" || q == b.query || !b.s.ui.allowed(shipping.ActShip) {
		return
	}
	b.lookup(q)
}

func (b *addressBook) lookup(q string) {
	b.seq++
	seq := b.seq
	b.query = q
	var (
		found []shipping.Recipient
		err   error
	)
	b.s.ui.async(func(ctx context.Context, who shipping.User) {
		found, err = b.s.ui.svc.Recipients(ctx, who, q, maxSuggestions)
	}, func() {
		if seq != b.seq {
			return // the clerk typed on meanwhile
		}
		if err != nil {
			b.s.ui.deps.Logf("shipdesk: address book %q: %v", q, err)
			found = nil
		}
		b.show(q, found)
	})
}

// suggestionText is one line: "Ctrl+1  王芳  137****1111  天津市…  12-01 ×2".
func suggestionText(i int, r shipping.Recipient) string {
	t := fmt.Sprintf("Ctrl+%d  %s  %s  %s  %s %s", i+1, r.Name, r.Phone, r.Address, i18n.T("last"), clinicDate(r.LastShipped))
	if r.Count > 1 {
		t += fmt.Sprintf(" ×%d", r.Count)
	}
	return t
}

func (b *addressBook) show(q string, found []shipping.Recipient) {
	b.query = q
	b.found = found
	b.box.RemoveAll()
	if len(found) == 0 {
		b.box.Hide()
		return
	}
	b.box.Add(widget.NewLabelWithStyle(i18n.T("Earlier recipients (newest first):"), fyne.TextAlignLeading, fyne.TextStyle{Italic: true}))
	for i, r := range found {
		btn := widget.NewButtonWithIcon(suggestionText(i, r), theme.HistoryIcon(), func() { b.fill(i) })
		btn.Alignment = widget.ButtonAlignLeading
		btn.Importance = widget.LowImportance
		b.box.Add(btn)
	}
	b.box.Show()
	b.box.Refresh()
}

// fill puts suggestion i into the form. A masked phone (found by name for
// a role that may not see phones) leaves the phone field to the clerk.
func (b *addressBook) fill(i int) {
	if i < 0 || i >= len(b.found) {
		return
	}
	r := b.found[i]
	b.seq++ // a lookup still running must not replace the choice
	b.filling = true
	defer func() { b.filling = false }()
	b.s.name.SetText(r.Name)
	if !strings.Contains(r.Phone, "*") {
		b.s.phone.SetText(r.Phone)
	}
	b.s.address.SetText(r.Address)
	b.show("", nil)
	b.query = strings.TrimSpace(b.s.phone.Text)
	if strings.Contains(r.Phone, "*") || strings.TrimSpace(b.s.phone.Text) == "" {
		b.s.status.SetText(i18n.T("Filled from an earlier parcel: please ask the patient for the phone number."))
		b.s.ui.win.Canvas().Focus(b.s.phone)
		return
	}
	b.s.ui.win.Canvas().Focus(b.s.items)
}
