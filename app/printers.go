package app

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

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
	p.language = widget.NewSelect([]string{"tspl", "zpl"}, nil)
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
		if l == "zpl" {
			p.darkness.Max = 30
		} else {
			p.darkness.Max = 15
		}
		p.darkness.Refresh()
	}
	p.speed = widget.NewSelect([]string{"2", "3", "4", "5", "6"}, nil)
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
	setEnabled(p.testBtn, p.ui.allowed(shipping.ActPrintQueue) && p.ui.deps.Queue != nil)
	setEnabled(p.calBtn, p.ui.allowed(shipping.ActPrintQueue) && p.ui.deps.Queue != nil)
	p.queue.applyRole()
}

// refresh lists the configured printers, the discovered ones and the
// default printer, then asks each for its status.
func (p *printersScreen) refresh() {
	st := p.ui.settings
	var rows []printerRow
	seen := map[string]bool{}
	for _, pr := range st.Printers {
		rows = append(rows, printerRow{profile: pr, configured: true, status: "…"})
		seen[pr.URI] = true
	}
	if d := p.ui.deps.DefaultPrinter; d != "" && !seen[d] {
		rows = append(rows, printerRow{profile: store.PrinterProfile{Name: i18n.T("Virtual printer (PNG)"), URI: d, Language: "tspl"}, model: "virtual", status: "…"})
		seen[d] = true
	}
	p.rows = rows
	p.table.Refresh()
	if p.sel < 0 || p.sel >= len(p.rows) {
		p.sel = -1
		if len(p.rows) > 0 {
			p.table.Select(widget.TableCellID{Row: 0, Col: 0})
		}
	}
	p.refreshQueue()
	var found []printer.Info
	statuses := map[string]string{}
	p.ui.async(func(ctx context.Context, who shipping.User) {
		dctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		found, _ = printer.Discover(dctx)
		uris := []string{}
		for _, r := range rows {
			uris = append(uris, r.profile.URI)
		}
		for _, f := range found {
			if !seen[f.URI] {
				uris = append(uris, f.URI)
			}
		}
		for _, uri := range uris {
			statuses[uri] = printerStatus(dctx, uri)
		}
	}, func() {
		for _, f := range found {
			if seen[f.URI] {
				continue
			}
			name := f.Name
			if f.Model != "" {
				name = f.Manufacturer + " " + f.Model
			}
			p.rows = append(p.rows, printerRow{profile: store.PrinterProfile{Name: name, URI: f.URI, Language: f.Language}, model: f.Model})
		}
		for i := range p.rows {
			p.rows[i].status = statuses[p.rows[i].profile.URI]
		}
		p.table.Refresh()
	})
}

// printerStatus opens a printer just long enough to ask how it is.
func printerStatus(ctx context.Context, uri string) string {
	dev, err := printer.Open(ctx, uri)
	if err != nil {
		return printer.Describe(err)
	}
	defer dev.Close()
	s, err := dev.Status(ctx)
	if err != nil {
		return printer.Describe(err)
	}
	return s.Text()
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
	lng := pr.Language
	if lng == "" {
		lng = "tspl"
	}
	p.language.SetSelected(lng)
	p.sizes.SetSelected(pr.Sizes)
	p.darkness.SetValue(float64(pr.Darkness))
	p.darkText.SetText(strconv.Itoa(pr.Darkness))
	if pr.Speed > 0 {
		p.speed.SetSelected(strconv.Itoa(pr.Speed))
	} else {
		p.speed.ClearSelected()
	}
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

// testPrint prints the test label on the edited printer.
func (p *printersScreen) testPrint() {
	pr := p.editedProfile()
	st := p.ui.settings
	size, err := label.ParseSize(st.Label.Size)
	if err != nil {
		size = label.Size76x130
	}
	dpi := st.Label.DPI
	if dpi == 0 {
		dpi = 203
	}
	enc := shipping.DefaultEncoders()[pr.Language]
	if enc == nil {
		p.msg.SetText(i18n.T("Choose the printer language (TSPL or ZPL) first."))
		return
	}
	p.send(i18n.T("Test print"), func() ([]byte, error) {
		l, err := label.TestLabel(size, dpi)
		if err != nil {
			return nil, err
		}
		return enc(l, pr)
	}, pr, size.String())
}

// calibrate makes the printer measure its labels (TSPL AUTODETECT, ZPL ~JC).
func (p *printersScreen) calibrate() {
	pr := p.editedProfile()
	cmd := "AUTODETECT\r\n"
	if pr.Language == "zpl" {
		cmd = "~JC\r\n"
	}
	p.send(i18n.T("Calibrate media"), func() ([]byte, error) { return []byte(cmd), nil }, pr, "")
}

// send queues one job for the printer and reports the outcome.
func (p *printersScreen) send(what string, data func() ([]byte, error), pr store.PrinterProfile, size string) {
	q := p.ui.deps.Queue
	if q == nil {
		return
	}
	var job store.PrintJob
	var err error
	p.msg.SetText(what + "…")
	p.ui.async(func(ctx context.Context, who shipping.User) {
		var b []byte
		if b, err = data(); err != nil {
			return
		}
		job, err = q.Submit(ctx, store.PrintJob{PrinterURI: pr.URI, Format: pr.Language, Size: size, Data: b, Who: who.Name, Reason: what})
	}, func() {
		switch {
		case err != nil:
			p.msg.SetText(printer.Describe(err))
		case job.State == store.JobFailed:
			p.msg.SetText(what + ": " + i18n.T(job.Error))
		default:
			p.msg.SetText(what + ": " + i18n.T("sent to the printer."))
		}
		p.refreshQueue()
	})
}
