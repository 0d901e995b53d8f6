package app

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"shipdesk/assets/i18n"
	"shipdesk/printer"
	"shipdesk/printer/label"
	"shipdesk/shipping"
	"shipdesk/store"
)

// printerRow is one printer on the list: configured, discovered or the
// default (virtual) one, with its last known status.
type printerRow struct {
	profile    store.PrinterProfile
	model      string
	configured bool
	status     string
}

// printersScreen is 打印机: discovered and configured printers with live
// status, the default printer per label size, test print, calibration,
// darkness and speed, and the queue of failed jobs.
type printersScreen struct {
	ui      *UI
	content fyne.CanvasObject

	table *widget.Table
	rows  []printerRow
	sel   int

	name                                           *widget.Entry
	uri                                            *widget.Entry
	language                                       *widget.Select
	sizes                                          *widget.CheckGroup
	darkness                                       *widget.Slider
	darkText                                       *widget.Label
	speed                                          *widget.Select
	media                                          *widget.Select // gap, bline, continuous (mediaKinds)
	saveBtn, testBtn, calBtn, statusBtn, removeBtn *widget.Button
	msg                                            *widget.Label

	queue *printLog
}

func newPrintersScreen(u *UI) *printersScreen {
	p := &printersScreen{ui: u, sel: -1}
	printerCols := []string{i18n.T("Printer name"), i18n.T("Address"), i18n.T("Model"), i18n.T("Printer language"), i18n.T("Status"), i18n.T("Default for")}
	p.table = newTextTable(printerCols, []float32{150, 250, 90, 70, 110, 130},
		func() int { return len(p.rows) },
		func(row, col int) string { return printerCell(p.rows[row], col) })
	p.table.OnSelected = func(id widget.TableCellID) { p.choose(id.Row) }

	p.name = widget.NewEntry()
	p.uri = widget.NewEntry()
	p.uri.SetPlaceHolder("usb://  tcp://192.168.1.50  serial:///dev/ttyUSB0?baud=9600  virtual:///dir")
	var langs []string
	for _, l := range printer.Languages() {
		langs = append(langs, l.String())
	}
	p.language = newSelect(langs, nil)
	p.language.PlaceHolder = "TSPL / ZPL"
	var sizeNames []string
	for _, s := range label.Sizes {
		sizeNames = append(sizeNames, s.String())
	}
	p.sizes = widget.NewCheckGroup(sizeNames, nil)
	p.sizes.Horizontal = true
	p.darkness = widget.NewSlider(0, 15)
	p.darkText = widget.NewLabel("")
	p.darkness.OnChanged = func(v float64) { p.darkText.SetText(strconv.Itoa(int(v))) }
	p.language.OnChanged = func(l string) {
		if printer.LanguageOr(l, printer.TSPL) == printer.ZPL {
			p.darkness.Max = 30
		} else {
			p.darkness.Max = 15
		}
		p.darkness.Refresh()
	}
	p.media = newSelect([]string{i18n.T("Gap labels"), i18n.T("Black mark labels"), i18n.T("Continuous paper")}, nil)
	p.speed = newSelect([]string{"2", "3", "4", "5", "6"}, nil)
	p.speed.PlaceHolder = i18n.T("Printer default")
	p.saveBtn = widget.NewButtonWithIcon(i18n.T("Save printer"), theme.DocumentSaveIcon(), p.save)
	p.removeBtn = widget.NewButtonWithIcon(i18n.T("Remove"), theme.DeleteIcon(), p.remove)
	p.testBtn = widget.NewButtonWithIcon(i18n.T("Test print"), theme.DocumentPrintIcon(), p.testPrint)
	p.calBtn = widget.NewButtonWithIcon(i18n.T("Calibrate media"), theme.ViewRestoreIcon(), p.calibrate)
	p.statusBtn = widget.NewButtonWithIcon(i18n.T("Check status"), theme.InfoIcon(), p.refresh)
	p.msg = widget.NewLabel("")
	p.msg.Wrapping = fyne.TextWrapWord

	form := widget.NewForm(
		widget.NewFormItem(i18n.T("Printer name"), p.name),
		widget.NewFormItem(i18n.T("Address"), p.uri),
		widget.NewFormItem(i18n.T("Printer language"), p.language),
		widget.NewFormItem(i18n.T("Default for"), p.sizes),
		widget.NewFormItem(i18n.T("Darkness"), container.NewBorder(nil, nil, nil, p.darkText, p.darkness)),
		widget.NewFormItem(i18n.T("Speed (ips)"), p.speed),
		widget.NewFormItem(i18n.T("Label stock"), p.media),
	)
	editor := container.NewVBox(form,
		container.NewHBox(p.saveBtn, p.removeBtn, p.testBtn, p.calBtn, p.statusBtn), p.msg)

	p.queue = newPrintLog(u)
	p.queue.failedOnly = true
	top := container.NewBorder(nil, nil, nil, nil, p.table)
	right := container.NewBorder(
		widget.NewLabelWithStyle(i18n.T("Printer"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), nil, nil, nil,
		container.NewVScroll(editor))
	upper := container.NewHSplit(top, right)
	upper.Offset = 0.55
	queueBox := container.NewBorder(
		widget.NewLabelWithStyle(i18n.T("Jobs waiting or failed"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		nil, nil, nil, p.queue.content)
	split := container.NewVSplit(upper, queueBox)
	split.Offset = 0.6
	p.content = split
	p.applyRole()
	return p
}

// mediaKinds are the profile's Media values, in the order of the editor's
// label stock choices.
var mediaKinds = []string{"gap", "bline", "continuous"}

func printerCell(r printerRow, col int) string {
	switch col {
	case 0:
		return r.profile.Name
	case 1:
		return r.profile.URI
	case 2:
		return r.model
	case 3:
		return r.profile.Language
	case 4:
		return r.status
	case 5:
		return strings.Join(r.profile.Sizes, ", ")
	}
	return ""
}

func (p *printersScreen) applyRole() {
	chosen := p.sel >= 0 && p.sel < len(p.rows)
	setEnabled(p.saveBtn, p.ui.allowed(shipping.ActSettings))
	setEnabled(p.removeBtn, p.ui.allowed(shipping.ActSettings) && chosen && p.rows[p.sel].configured)
	setEnabled(p.testBtn, p.ui.allowed(shipping.ActPrintQueue))
	setEnabled(p.calBtn, p.ui.allowed(shipping.ActPrintQueue))
	p.queue.applyRole()
}

// refresh asks the service for the printer inventory (configured,
// discovered and the default printer, each with its status) in the
// background and lists it.
func (p *printersScreen) refresh() {
	p.refreshQueue()
	var list []printer.Entry
	var err error
	p.ui.async(func(ctx context.Context, who shipping.User) {
		list, err = p.ui.svc.Printers(ctx, who)
	}, func() {
		if err != nil {
			p.msg.SetText(shipping.Describe(err))
			return
		}
		p.rows = p.rows[:0]
		for _, e := range list {
			p.rows = append(p.rows, printerRow{profile: e.Profile, model: e.Model, configured: e.Configured, status: e.Status.Text()})
		}
		p.table.Refresh()
		if p.sel < 0 || p.sel >= len(p.rows) {
			p.sel = -1
			if len(p.rows) > 0 {
				p.table.Select(widget.TableCellID{Row: 0, Col: 0})
			}
		}
	})
}

func (p *printersScreen) refreshQueue() { p.queue.refresh() }

// choose loads a printer into the editor.
func (p *printersScreen) choose(i int) {
	if i < 0 || i >= len(p.rows) {
		return
	}
	p.sel = i
	pr := p.rows[i].profile
	p.name.SetText(pr.Name)
	p.uri.SetText(pr.URI)
	p.language.SetSelected(printer.LanguageOr(pr.Language, printer.TSPL).String())
	p.sizes.SetSelected(pr.Sizes)
	p.darkness.SetValue(float64(pr.Darkness))
	p.darkText.SetText(strconv.Itoa(pr.Darkness))
	if pr.Speed > 0 {
		p.speed.SetSelected(strconv.Itoa(pr.Speed))
	} else {
		p.speed.ClearSelected()
	}
	p.media.SetSelectedIndex(max(slices.Index(mediaKinds, pr.Media), 0))
	p.msg.SetText("")
	p.applyRole()
}

// editedProfile is the profile as the editor shows it.
func (p *printersScreen) editedProfile() store.PrinterProfile {
	var base store.PrinterProfile
	if p.sel >= 0 && p.sel < len(p.rows) {
		base = p.rows[p.sel].profile
	}
	base.Name = p.name.Text
	base.URI = p.uri.Text
	base.Language = p.language.Selected
	base.Sizes = append([]string(nil), p.sizes.Selected...)
	base.Darkness = int(p.darkness.Value)
	base.Speed, _ = strconv.Atoi(p.speed.Selected)
	if i := p.media.SelectedIndex(); i >= 0 {
		base.Media = mediaKinds[i]
	}
	return base
}

// save stores the edited printer in the settings; a size it is the default
// for is taken away from the other printers.
func (p *printersScreen) save() {
	pr := p.editedProfile()
	if _, err := printer.ParseURI(pr.URI); err != nil {
		p.msg.SetText(printer.Describe(err))
		return
	}
	st := p.ui.settings
	var out []store.PrinterProfile
	replaced := false
	for _, old := range st.Printers {
		if old.URI == pr.URI {
			old = pr
			replaced = true
		} else {
			var keep []string
			for _, s := range old.Sizes {
				if !slices.Contains(pr.Sizes, s) {
					keep = append(keep, s)
				}
			}
			old.Sizes = keep
		}
		out = append(out, old)
	}
	if !replaced {
		out = append(out, pr)
	}
	st.Printers = out
	p.ui.saveSettings(st, func() {
		p.msg.SetText(i18n.T("Printer saved."))
		p.refresh()
	})
}

func (p *printersScreen) remove() {
	pr := p.editedProfile()
	st := p.ui.settings
	var out []store.PrinterProfile
	for _, old := range st.Printers {
		if old.URI != pr.URI {
			out = append(out, old)
		}
	}
	st.Printers = out
	p.ui.saveSettings(st, func() {
		p.sel = -1
		p.msg.SetText(i18n.T("Printer removed."))
		p.refresh()
	})
}

// testPrint has the service print the test label on the edited printer.
func (p *printersScreen) testPrint() {
	pr := p.editedProfile()
	if _, ok := printer.ParseLanguage(pr.Language); !ok {
		p.msg.SetText(i18n.T("Choose the printer language (TSPL or ZPL) first."))
		return
	}
	p.send(i18n.T("Test print"), pr, p.ui.svc.TestPrint)
}

// calibrate has the service make the printer measure its labels as the
// edited profile says (gap, black mark or continuous).
func (p *printersScreen) calibrate() {
	pr := p.editedProfile()
	if _, ok := printer.ParseLanguage(pr.Language); !ok {
		p.msg.SetText(i18n.T("Choose the printer language (TSPL or ZPL) first."))
		return
	}
	p.send(i18n.T("Calibrate media"), pr, p.ui.svc.Calibrate)
}

// send runs one of the service's printer jobs and reports the outcome.
func (p *printersScreen) send(what string, pr store.PrinterProfile, job func(context.Context, shipping.User, store.PrinterProfile) (store.PrintJob, error)) {
	var j store.PrintJob
	var err error
	p.msg.SetText(what + "…")
	p.ui.async(func(ctx context.Context, who shipping.User) {
		j, err = job(ctx, who, pr)
	}, func() {
		switch {
		case j.State == store.JobFailed:
			p.ui.deps.Logf("shipdesk: %s %s: %s", what, pr.URI, j.ErrorDetail)
			p.msg.SetText(what + ": " + i18n.T(j.Error))
		case err != nil:
			p.ui.deps.Logf("shipdesk: %s %s: %v", what, pr.URI, err)
			p.msg.SetText(shipping.Describe(err))
		default:
			p.msg.SetText(what + ": " + i18n.T("sent to the printer."))
		}
		p.refreshQueue()
	})
}
