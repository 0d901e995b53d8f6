package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"shipdesk/assets/i18n"
	"shipdesk/kuaidi100"
	"shipdesk/printer/label"
	"shipdesk/shipping"
	"shipdesk/store"
)

// previewDelay is how long the form must be still before the label preview
// is rendered again.
const previewDelay = 300 * time.Millisecond

// payTypes are the payment types in the order the form offers them.
var payTypes = []string{"MONTHLY", "SHIPPER", "CONSIGNEE"}

// payTypeNames are payTypes as the form shows them.
func payTypeNames() []string {
	var names []string
	for _, p := range payTypes {
		names = append(names, payTypeText(p))
	}
	return names
}

func payTypeText(p string) string {
	switch p {
	case "MONTHLY":
		return i18n.T("Monthly account")
	case "SHIPPER":
		return i18n.T("Sender pays")
	case "CONSIGNEE":
		return i18n.T("Recipient pays")
	}
	return p
}

// shipScreen is 发货: the form, the live label preview and the one key that
// obtains the waybill, prints and clears the form for the next patient.
type shipScreen struct {
	ui      *UI
	content fyne.CanvasObject

	paste      *formEntry
	name       *formEntry
	phone      *formEntry
	address    *formEntry
	sender     *widget.Select
	carrier    *widget.SelectEntry
	guess      *widget.Label
	items      *formEntry
	count      *formEntry
	weight     *formEntry
	payType    *widget.Select
	insured    *formEntry
	remark     *formEntry
	reference  *formEntry
	shipBtn    *widget.Button
	importBtn  *widget.Button
	status     *widget.Label
	preview    *canvas.Image
	previewMsg *widget.Label
	// glyphWarn names the characters the label prints as boxes (the
	// service's warnings for the preview or the label just printed).
	glyphWarn *widget.Label

	errs map[string]*widget.Label
	book *addressBook // earlier recipients of a returning patient
	// waiting is the banner of orders waiting for their waybill number.
	waiting *waitingBanner

	// carrierGuessed is true while the carrier field holds a suggestion
	// nobody confirmed; carrierCodes maps the shown names to codes.
	carrierGuessed bool
	carrierCodes   map[string]string
	// shippable are the carriers the centre has an e-waybill account
	// with (the only ones offered); accountHint says how to add one.
	shippable      []string
	accountHint    *widget.Label
	settingCarrier bool

	mu        sync.Mutex // guards stopTimer and seq
	stopTimer func() bool
	seq       int
	busy      bool
	lastPaste string
}

func newShipScreen(u *UI) *shipScreen {
	s := &shipScreen{ui: u, errs: map[string]*widget.Label{}, carrierCodes: map[string]string{}}
	s.buildFields()
	s.chainFields()
	s.book = newAddressBook(s)
	s.waiting = newWaitingBanner(s)
	s.buildActions()
	s.buildPreview()
	split := container.NewHSplit(container.NewVScroll(container.NewPadded(s.form())), container.NewPadded(s.previewBox()))
	split.Offset = 0.58
	s.content = split
	s.settingsChanged()
	return s
}

// buildFields makes the form's fields; Ctrl+Enter in any of them ships.
func (s *shipScreen) buildFields() {
	submit := s.submit
	s.paste = newFormMultiLine(submit)
	s.paste.SetPlaceHolder(i18n.T("Paste name, phone and address here, e.g. 王芳 13700001111 天津市河西区友谊路32号"))
	s.paste.SetMinRowsVisible(2)
	s.paste.OnChanged = s.onPasteChanged
	s.name = newFormEntry(submit)
	s.phone = newFormEntry(submit)
	s.address = newFormEntry(submit)
	s.address.SetPlaceHolder(i18n.T("Province, city, district, street and number"))
	s.sender = newSelect(nil, func(string) { s.changed() })
	s.carrier = widget.NewSelectEntry(nil)
	s.carrier.SetPlaceHolder(i18n.T("Empty: guess the carrier"))
	s.carrier.OnChanged = s.onCarrierChanged
	s.accountHint = widget.NewLabel("")
	s.accountHint.Wrapping = fyne.TextWrapWord
	s.accountHint.Importance = widget.WarningImportance
	s.accountHint.Hide()
	s.guess = widget.NewLabel(i18n.T("guessed"))
	s.guess.Importance = widget.WarningImportance
	s.guess.Hide()
	s.items = newFormEntry(submit)
	s.count = newFormEntry(submit)
	s.weight = newFormEntry(submit)
	s.payType = newSelect(payTypeNames(), func(string) { s.changed() })
	s.insured = newFormEntry(submit)
	s.insured.SetPlaceHolder("0")
	s.remark = newFormEntry(submit)
	s.reference = newFormEntry(submit)
	s.reference.SetPlaceHolder(i18n.T("Our order reference, e.g. glasses order number"))
}

// chainFields makes Enter move on to the next field (the last one to the
// ship button), and every change refresh the preview.
func (s *shipScreen) chainFields() {
	chain := []*formEntry{s.name, s.phone, s.address, s.items, s.count, s.weight, s.insured, s.remark, s.reference}
	for i, e := range chain {
		e.OnChanged = func(string) { s.changed() }
		if i+1 < len(chain) {
			next := chain[i+1]
			e.OnSubmitted = func(string) { s.ui.win.Canvas().Focus(next) }
		} else {
			e.OnSubmitted = func(string) { s.ui.win.Canvas().Focus(s.shipBtn) }
		}
	}
}

// buildActions makes the ship and import buttons and the status line.
func (s *shipScreen) buildActions() {
	s.shipBtn = widget.NewButtonWithIcon(i18n.T("Get waybill and print (Ctrl+Enter)"), theme.DocumentPrintIcon(), s.submit)
	s.shipBtn.Importance = widget.HighImportance
	s.importBtn = widget.NewButtonWithIcon(i18n.T("Import CSV…"), theme.FolderOpenIcon(), s.importCSV)
	s.status = widget.NewLabel(i18n.T("Paste or type the recipient, then press Ctrl+Enter: the waybill is obtained and the label prints."))
	s.status.Wrapping = fyne.TextWrapWord
}

// buildPreview makes the label preview and the lines under it.
func (s *shipScreen) buildPreview() {
	s.preview = canvas.NewImageFromImage(nil)
	s.preview.FillMode = canvas.ImageFillContain
	s.preview.ScaleMode = canvas.ImageScaleFastest
	s.preview.SetMinSize(fyne.NewSize(360, 560))
	s.previewMsg = widget.NewLabel("")
	s.previewMsg.Wrapping = fyne.TextWrapWord
	s.glyphWarn = widget.NewLabel("")
	s.glyphWarn.Wrapping = fyne.TextWrapWord
	s.glyphWarn.Importance = widget.WarningImportance
	s.glyphWarn.Hide()
}

// form lays the fields out, each with its error line (s.errs, keyed by the
// service's field names).
func (s *shipScreen) form() fyne.CanvasObject {
	field := func(key string, obj fyne.CanvasObject) fyne.CanvasObject {
		e := errorText()
		s.errs[key] = e
		return container.NewVBox(obj, e)
	}
	row := func(objs ...fyne.CanvasObject) fyne.CanvasObject {
		return container.New(layout.NewGridLayoutWithColumns(len(objs)), objs...)
	}
	labelled := func(text string, obj fyne.CanvasObject) fyne.CanvasObject {
		l := widget.NewLabel(text)
		l.TextStyle = fyne.TextStyle{Bold: true}
		return container.NewBorder(nil, nil, l, nil, obj)
	}
	pasteBtn := widget.NewButtonWithIcon(i18n.T("Fill in"), theme.ContentPasteIcon(), func() { s.fillFromPaste(s.paste.Text) })
	form := container.NewVBox(
		s.waiting.box,
		widget.NewLabelWithStyle(i18n.T("Recipient"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewBorder(nil, nil, nil, pasteBtn, s.paste),
		labelled(i18n.T("Name"), field(shipping.FieldRecipientName, s.name)),
		labelled(i18n.T("Phone"), field(shipping.FieldRecipientPhone, s.phone)),
		s.book.box,
		labelled(i18n.T("Address"), field(shipping.FieldRecipientAddress, s.address)),
		widget.NewSeparator(),
		labelled(i18n.T("Sender"), field(shipping.FieldSenderName, s.sender)),
		labelled(i18n.T("Carrier"), field(shipping.FieldCarrier, container.NewBorder(nil, nil, nil, s.guess, s.carrier))),
		s.accountHint,
		labelled(i18n.T("Items"), s.items),
		row(labelled(i18n.T("Count"), field(shipping.FieldCount, s.count)), labelled(i18n.T("Weight (kg)"), field(shipping.FieldWeight, s.weight))),
		row(labelled(i18n.T("Payment"), s.payType), labelled(i18n.T("Insured value (yuan)"), field("insured", s.insured))),
		labelled(i18n.T("Remark"), s.remark),
		labelled(i18n.T("Order ref."), s.reference),
		widget.NewSeparator(),
		container.NewBorder(nil, nil, nil, s.importBtn, s.shipBtn),
		s.status,
	)
	// The sender errors are shown under the sender preset.
	s.errs[shipping.FieldSenderPhone] = s.errs[shipping.FieldSenderName]
	s.errs[shipping.FieldSenderAddress] = s.errs[shipping.FieldSenderName]
	return form
}

// previewBox is the label preview with its title and the lines under it.
func (s *shipScreen) previewBox() fyne.CanvasObject {
	return container.NewBorder(
		widget.NewLabelWithStyle(i18n.T("Label preview (what will print)"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true}),
		container.NewVBox(s.glyphWarn, s.previewMsg), nil, nil, s.preview)
}

// register installs the window-wide Ctrl+Enter (for when a select or the
// button has the focus).
func (s *shipScreen) register() {
	s.ui.win.Canvas().AddShortcut(ctrlEnter, func(fyne.Shortcut) {
		if s.ui.tabs.Selected() == s.ui.tabShip {
			s.submit()
		}
	})
	s.book.register(s.ui.win.Canvas())
	s.ui.win.Canvas().Focus(s.name)
}

func (s *shipScreen) applyRole() {
	setEnabled(s.shipBtn, s.ui.allowed(shipping.ActShip))
	setEnabled(s.importBtn, s.ui.allowed(shipping.ActShip) && s.ui.allowed(shipping.ActImport))
}

// settingsChanged reloads the presets and defaults; the form is cleared.
func (s *shipScreen) settingsChanged() {
	st := s.ui.settings
	var names []string
	for _, p := range st.Senders {
		names = append(names, p.Name)
	}
	s.sender.Options = names
	s.sender.Refresh()
	s.clear()
	s.refreshCarriers()
}

// refreshCarriers offers only the carriers the centre has an e-waybill
// account with, and says how to add one when there is none.
func (s *shipScreen) refreshCarriers() {
	var can []string
	s.ui.async(func(ctx context.Context, _ shipping.User) { can = s.ui.svc.ShippableCarriers(ctx) }, func() {
		s.shippable = can
		var opts []string
		for _, c := range can {
			t := carrierText(c)
			s.carrierCodes[t] = c
			opts = append(opts, t)
		}
		s.carrier.SetOptions(opts)
		if len(can) == 0 {
			s.accountHint.SetText(i18n.T("No carrier e-waybill account yet, so nothing can ship: a manager adds one in Settings → Carrier accounts."))
			s.accountHint.Show()
		} else {
			s.accountHint.Hide()
		}
		if code := s.carrierCode(); code != "" && !slices.Contains(can, code) {
			s.setCarrier("", true) // the default carrier has no account
			s.changed()
		}
	})
}

// clear empties the form for the next patient and puts the defaults back.
func (s *shipScreen) clear() {
	st := s.ui.settings
	for _, e := range []*formEntry{s.paste, s.name, s.phone, s.address, s.insured, s.remark, s.reference} {
		e.SetText("")
	}
	s.lastPaste = ""
	s.items.SetText(st.DefaultItems)
	s.count.SetText("1")
	w := st.DefaultWeightKg
	if w <= 0 {
		w = 0.5
	}
	s.weight.SetText(strconv.FormatFloat(w, 'f', -1, 64))
	if len(st.Senders) > 0 {
		s.sender.SetSelectedIndex(0)
	}
	s.payType.SetSelectedIndex(max(0, slices.Index(payTypes, st.DefaultPayType)))
	s.setCarrier(st.DefaultCarrier, false)
	if st.DefaultCarrier == "" {
		s.setCarrier("", true)
	}
	for _, e := range s.errs {
		setError(e, "")
	}
	s.changed()
}

// carrierText is how a carrier shows in the field: "中通快递 zhongtong".
func carrierText(code string) string {
	if code == "" {
		return ""
	}
	return kuaidi100.CarrierName(code) + " " + code
}

// setCarrier fills the carrier field; guessed marks it as a suggestion.
func (s *shipScreen) setCarrier(code string, guessed bool) {
	s.settingCarrier = true
	s.carrier.SetText(carrierText(code))
	s.settingCarrier = false
	s.carrierGuessed = guessed
	setVisible(s.guess, guessed && code != "")
}

func (s *shipScreen) onCarrierChanged(string) {
	if s.settingCarrier {
		return
	}
	// A person typed or picked: no longer a guess.
	s.carrierGuessed = s.carrier.Text == ""
	s.guess.Hide()
	s.changed()
}

// carrierCode reads the carrier field: "中通快递 zhongtong", a code or a
// Chinese name.
func (s *shipScreen) carrierCode() string {
	t := strings.TrimSpace(s.carrier.Text)
	if t == "" {
		return ""
	}
	if c, ok := s.carrierCodes[t]; ok {
		return c
	}
	if i := strings.LastIndexByte(t, ' '); i >= 0 {
		t = t[i+1:]
	}
	if _, ok := kuaidi100.LookupCarrier(t); ok {
		return t
	}
	for _, c := range kuaidi100.Carriers() {
		if c.Name == t {
			return c.Code
		}
	}
	return t
}

func (s *shipScreen) onPasteChanged(text string) {
	old := s.lastPaste
	s.lastPaste = text
	// A paste (several characters at once) fills the fields straight away;
	// typing waits for the button.
	if len([]rune(text))-len([]rune(old)) > 3 {
		s.fillFromPaste(text)
	}
}

// fillFromPaste splits a pasted block into name, phone and address.
func (s *shipScreen) fillFromPaste(text string) {
	if strings.TrimSpace(text) == "" {
		return
	}
	p := shipping.ParsePaste(text)
	if p.Name != "" {
		s.name.SetText(p.Name)
	}
	if p.Phone != "" {
		s.phone.SetText(p.Phone)
	}
	if p.Address != "" {
		s.address.SetText(p.Address)
	}
	s.ui.win.Canvas().Focus(s.items)
}

// order reads the form. Numbers that do not parse are reported in errs.
func (s *shipScreen) order() (store.Order, map[string]string) {
	st := s.ui.settings
	bad := map[string]string{}
	num := func(key, text string, def float64) float64 {
		t := strings.TrimSpace(text)
		if t == "" {
			return def
		}
		v, err := strconv.ParseFloat(t, 64)
		if err != nil || v < 0 {
			bad[key] = i18n.T("Please enter a number.")
			return def
		}
		return v
	}
	o := store.Order{
		Reference: strings.TrimSpace(s.reference.Text),
		Recipient: store.Party{
			Name:    strings.TrimSpace(s.name.Text),
			Phone:   strings.TrimSpace(s.phone.Text),
			Address: strings.TrimSpace(s.address.Text),
		},
		Carrier:      s.carrierCode(),
		Items:        strings.TrimSpace(s.items.Text),
		Count:        int(num(shipping.FieldCount, s.count.Text, 1)),
		Weight:       num(shipping.FieldWeight, s.weight.Text, st.DefaultWeightKg),
		Product:      st.DefaultProduct,
		InsuredValue: num("insured", s.insured.Text, 0),
		Remark:       strings.TrimSpace(s.remark.Text),
	}
	if i := s.sender.SelectedIndex(); i >= 0 && i < len(st.Senders) {
		o.Sender = st.Senders[i]
	}
	if i := s.payType.SelectedIndex(); i >= 0 {
		o.PayType = payTypes[i]
	}
	return o, bad
}

// changed schedules a preview (and carrier suggestion) once the form has
// been still for previewDelay.
func (s *shipScreen) changed() {
	if s.ui.win == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	if s.stopTimer != nil {
		s.stopTimer()
	}
	s.stopTimer = s.ui.after(previewDelay, func() { s.ui.onMain(true, s.refreshPreview) })
}

func (s *shipScreen) stopPreview() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopTimer != nil {
		s.stopTimer()
	}
	s.stopTimer = nil
}

// refreshPreview suggests a carrier when the field is empty or guessed, and
// renders the label the form would print.
func (s *shipScreen) refreshPreview() {
	if s.ui.closed.Load() {
		return
	}
	o, _ := s.order()
	s.mu.Lock()
	seq := s.seq
	s.mu.Unlock()
	guess := s.carrierGuessed
	var p shipping.LabelPreview
	var cands []kuaidi100.Candidate
	var perr error
	s.ui.async(func(ctx context.Context, who shipping.User) {
		if guess {
			cands = s.ui.svc.SuggestCarriers(ctx, o)
			if len(cands) > 0 && o.Carrier == "" {
				o.Carrier = cands[0].Code
			}
		}
		p, perr = s.ui.svc.Preview(ctx, o, label.Size{}, 0)
	}, func() {
		s.mu.Lock()
		stale := seq != s.seq
		s.mu.Unlock()
		if len(cands) > 0 {
			var opts []string
			for _, c := range cands {
				t := carrierText(c.Code)
				s.carrierCodes[t] = c.Code
				opts = append(opts, t)
			}
			s.carrier.SetOptions(opts)
			if s.carrierGuessed && !stale {
				s.setCarrier(cands[0].Code, true)
			}
		}
		if stale {
			return
		}
		if perr != nil {
			s.showGlyphWarnings(nil)
			s.previewMsg.SetText(shipping.Describe(perr))
			return
		}
		s.previewMsg.SetText("")
		s.showGlyphWarnings(p.Warnings)
		s.preview.Image = p.Image
		s.preview.Refresh()
	})
}

// submit validates the form and, when it is complete, obtains the
// waybill, prints the label and clears the form.
func (s *shipScreen) submit() {
	if s.busy || !s.ui.allowed(shipping.ActShip) {
		return
	}
	o, bad := s.order()
	// The carrier may still be empty when the clerk was faster than the
	// suggestion: the check then leaves it to the guess below.
	guess := o.Carrier == "" && s.carrierGuessed
	fe := s.ui.svc.Validate(o)
	if guess {
		fe = withoutField(fe, shipping.FieldCarrier)
	}
	if s.showFieldErrors(fe, bad) {
		s.status.SetText(i18n.T("Please correct the marked fields."))
		return
	}
	s.busy = true
	s.shipBtn.Disable()
	s.status.SetText(i18n.T("Getting the waybill…"))
	var res *shipping.ShipResult
	var err error
	s.ui.async(func(ctx context.Context, who shipping.User) {
		if guess {
			if c := s.ui.svc.SuggestCarriers(ctx, o); len(c) > 0 {
				o.Carrier = c[0].Code
			}
		}
		res, err = s.ui.svc.Ship(ctx, who, o, shipping.ShipOptions{})
	}, func() {
		s.busy = false
		s.applyRole()
		s.shipped(res, err)
	})
}

func withoutField(fe []shipping.FieldError, field string) []shipping.FieldError {
	var out []shipping.FieldError
	for _, f := range fe {
		if f.Field != field {
			out = append(out, f)
		}
	}
	return out
}

func (s *shipScreen) shipped(res *shipping.ShipResult, err error) {
	var ve *shipping.ValidationError
	if errors.As(err, &ve) {
		s.showFieldErrors(ve.Fields, nil)
		s.status.SetText(i18n.T("Please correct the marked fields."))
		return
	}
	if errors.Is(err, shipping.ErrWaitingForNumber) {
		// Kept as 待取号: the clerk moves on; the retrier prints it later.
		s.ui.deps.Logf("shipdesk: %v", err)
		s.status.SetText(shipping.Describe(err))
		s.clear()
		s.waiting.refresh()
		if s.ui.deps.RetryNow != nil {
			s.ui.deps.RetryNow()
		}
		s.ui.win.Canvas().Focus(s.name)
		return
	}
	if err != nil {
		s.status.SetText(shipping.Describe(err))
		s.ui.showError(i18n.T("No waybill"), err)
		return
	}
	msg := fmt.Sprintf(i18n.T("Waybill %s (%s) for %s: label sent to the printer."),
		res.Shipment.Waybill, kuaidi100.CarrierName(res.Shipment.Carrier), res.Shipment.RecipientName)
	if res.Warning != "" {
		msg = fmt.Sprintf(i18n.T("Waybill %s obtained, but: %s"), res.Shipment.Waybill, res.Warning)
		dialog.ShowInformation(i18n.T("Waybill obtained"), res.Warning, s.ui.win)
	}
	s.status.SetText(msg)
	s.clear()
	// Until the next patient is typed, the preview shows the label just
	// printed.
	if res.Preview != nil {
		s.stopPreview()
		s.preview.Image = res.Preview
		s.preview.Refresh()
		s.previewMsg.SetText(fmt.Sprintf(i18n.T("Printed: waybill %s."), res.Shipment.Waybill))
		s.showGlyphWarnings(res.LabelWarnings)
	}
	s.ui.win.Canvas().Focus(s.name)
	s.ui.dash.changed()
}

// showGlyphWarnings shows the service's sentences about characters that
// print as boxes under the preview, or hides the line when there are none.
func (s *shipScreen) showGlyphWarnings(ws []shipping.GlyphWarning) {
	s.glyphWarn.SetText(strings.Join(shipping.GlyphMessages(ws), "\n"))
	setVisible(s.glyphWarn, len(ws) > 0)
}

// showFieldErrors puts each message next to its field and focuses the
// first; it reports whether there was any.
func (s *shipScreen) showFieldErrors(fe []shipping.FieldError, local map[string]string) bool {
	for _, e := range s.errs {
		setError(e, "")
	}
	msgs := map[string]string{}
	var order []string
	for _, f := range fe {
		if _, ok := msgs[f.Field]; !ok {
			order = append(order, f.Field)
		}
		msgs[f.Field] = f.Message
	}
	for k, v := range local {
		if _, ok := msgs[k]; !ok {
			order = append(order, k)
		}
		msgs[k] = v
	}
	if len(msgs) == 0 {
		return false
	}
	for _, k := range order {
		v := msgs[k]
		if l, ok := s.errs[k]; ok {
			setError(l, v)
		} else {
			dialog.ShowInformation(i18n.T("Please check the form"), v, s.ui.win)
		}
	}
	focus := map[string]fyne.Focusable{
		shipping.FieldRecipientName: s.name, shipping.FieldRecipientPhone: s.phone,
		shipping.FieldRecipientAddress: s.address, shipping.FieldCount: s.count,
		shipping.FieldWeight: s.weight, "insured": s.insured, shipping.FieldCarrier: s.carrier,
	}
	for _, k := range order {
		if f, ok := focus[k]; ok {
			s.ui.win.Canvas().Focus(f)
			break
		}
	}
	return true
}
