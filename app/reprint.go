package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"shipdesk/assets/i18n"
	"shipdesk/kuaidi100"
	"shipdesk/shipping"
	"shipdesk/store"
)

// searchLimit is how many shipments one search shows.
const searchLimit = 200

// reprintScreen is 补打: one search box that also takes barcode-scanner
// input, the results, the selected shipment's timeline and actions, and the
// print log.
type reprintScreen struct {
	ui      *UI
	content fyne.CanvasObject

	search   *widget.Entry
	summary  *widget.Label
	results  *widget.Table
	rows     []store.Shipment
	selected string // waybill shown in the detail panel
	// lastQuery is the last search, repeated when the user changes.
	lastQuery *string
	// sortCol (-1: as found) and sortDesc are the results' sort order.
	sortCol  int
	sortDesc bool

	head                                   *widget.Label
	timeline                               *widget.List
	events                                 []store.TrackingEvent
	reprintBtn, cancelBtn, smsBtn, copyBtn *widget.Button
	detailMsg                              *widget.Label

	log *printLog
}

func newReprintScreen(u *UI) *reprintScreen {
	r := &reprintScreen{ui: u}
	resultCols := []string{i18n.T("Waybill"), i18n.T("Carrier"), i18n.T("Name"), i18n.T("Phone"), i18n.T("Status"), i18n.T("Last update")}
	r.search = widget.NewEntry()
	r.search.SetPlaceHolder(i18n.T("Scan or type a waybill number, phone (or its last 4 digits) or name, then Enter"))
	r.search.OnSubmitted = r.onSubmit
	r.summary = widget.NewLabel("")
	findBtn := widget.NewButtonWithIcon(i18n.T("Search"), theme.SearchIcon(), func() { r.onSubmit(r.search.Text) })

	r.results = newTextTable(resultCols, []float32{170, 110, 100, 130, 90, 150},
		func() int { return len(r.rows) },
		func(row, col int) string { return resultCell(r.rows[row], col) })
	r.sortCol = -1
	sortableHeaders(r.results, resultCols, func() (int, bool) { return r.sortCol, r.sortDesc }, r.sortRows)
	r.results.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(r.rows) {
			r.show(r.rows[id.Row].Waybill)
		}
	}

	r.head = widget.NewLabel(i18n.T("Choose a shipment to see its tracking."))
	r.head.Wrapping = fyne.TextWrapWord
	r.timeline = widget.NewList(
		func() int { return len(r.events) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Wrapping = fyne.TextWrapWord
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < len(r.events) {
				ev := r.events[i]
				o.(*widget.Label).SetText(fmt.Sprintf("%s  [%s]  %s", clinicStamp(ev.Time), milestoneText(ev.Milestone), ev.Context))
				r.timeline.SetItemHeight(i, o.MinSize().Height)
			}
		})
	r.reprintBtn = widget.NewButtonWithIcon(i18n.T("Reprint…"), theme.DocumentPrintIcon(), r.askReprint)
	r.reprintBtn.Importance = widget.HighImportance
	r.cancelBtn = widget.NewButtonWithIcon(i18n.T("Cancel waybill…"), theme.CancelIcon(), r.askCancel)
	r.smsBtn = widget.NewButtonWithIcon(i18n.T("Resend SMS…"), theme.MailComposeIcon(), r.askResend)
	r.copyBtn = widget.NewButtonWithIcon(i18n.T("Copy number"), theme.ContentCopyIcon(), func() {
		if r.selected != "" {
			r.ui.app.Clipboard().SetContent(r.selected)
			r.detailMsg.SetText(fmt.Sprintf(i18n.T("%s copied."), r.selected))
		}
	})
	r.detailMsg = widget.NewLabel("")
	r.detailMsg.Wrapping = fyne.TextWrapWord
	actions := container.NewGridWithColumns(2, r.reprintBtn, r.cancelBtn, r.smsBtn, r.copyBtn)
	detail := container.NewBorder(container.NewVBox(r.head, actions, r.detailMsg, widget.NewSeparator()), nil, nil, nil, r.timeline)

	split := container.NewHSplit(r.results, container.NewPadded(detail))
	split.Offset = 0.6
	searchTab := container.NewBorder(
		container.NewVBox(container.NewBorder(nil, nil, nil, findBtn, r.search), r.summary),
		nil, nil, nil, split)

	r.log = newPrintLog(u)
	inner := container.NewAppTabs(
		container.NewTabItem(i18n.T("Search"), searchTab),
		container.NewTabItem(i18n.T("Print log"), r.log.content),
	)
	inner.OnSelected = func(t *container.TabItem) {
		if t.Text == i18n.T("Print log") {
			r.log.refresh()
		}
	}
	r.content = inner
	r.setActions(false)
	return r
}

func resultCell(s store.Shipment, col int) string {
	switch col {
	case 0:
		return s.Waybill
	case 1:
		return kuaidi100.CarrierName(s.Carrier)
	case 2:
		return s.RecipientName
	case 3:
		return s.RecipientPhone
	case 4:
		return milestoneText(s.Milestone)
	case 5:
		t := s.UpdatedAt
		if s.LastEventAt.After(t) {
			t = s.LastEventAt
		}
		return clinicStamp(t)
	}
	return ""
}

func (r *reprintScreen) applyRole() {
	r.setActions(r.selected != "")
	// What a role may see (full phone numbers) changed: look again.
	if r.lastQuery != nil {
		q, sel := *r.lastQuery, r.selected
		r.find(q, false)
		if sel != "" {
			r.show(sel)
		}
	}
	r.log.applyRole()
}

func (r *reprintScreen) setActions(on bool) {
	setEnabled(r.reprintBtn, on && r.ui.allowed(shipping.ActReprint))
	setEnabled(r.cancelBtn, on && r.ui.allowed(shipping.ActCancel))
	setEnabled(r.smsBtn, on && r.ui.allowed(shipping.ActResendSMS))
	setEnabled(r.copyBtn, on)
}

// onSubmit searches for what was typed or scanned. A scanned waybill (the
// only result, or an exact number match) opens straight away, and the box
// is emptied for the next scan.
func (r *reprintScreen) onSubmit(q string) { r.find(q, true) }

// find searches for q; with jump a single or exact match opens at once and
// the box is emptied for the next scan.
func (r *reprintScreen) find(q string, jump bool) {
	q = strings.TrimSpace(q)
	r.lastQuery = &q
	var rows []store.Shipment
	var err error
	start := r.ui.now()
	r.ui.async(func(ctx context.Context, who shipping.User) {
		rows, err = r.ui.svc.Search(ctx, who, q, time.Time{}, time.Time{}, searchLimit)
	}, func() {
		if err != nil {
			r.summary.SetText(shipping.Describe(err))
			return
		}
		r.rows = rows
		r.results.UnselectAll()
		r.results.Refresh()
		took := r.ui.now().Sub(start).Round(time.Millisecond)
		r.summary.SetText(fmt.Sprintf(i18n.T("“%s”: %d found (%s)."), q, len(rows), took))
		if !jump {
			return
		}
		if i := scanMatch(rows, q); i >= 0 {
			r.results.Select(widget.TableCellID{Row: i, Col: 0})
			r.show(rows[i].Waybill)
			r.search.SetText("")
		}
		r.ui.win.Canvas().Focus(r.search)
	})
}

// scanMatch is the row a search for q opens at once: the only one, or the
// first whose waybill is exactly the scanned number; -1 for none.
func scanMatch(rows []store.Shipment, q string) int {
	if len(rows) == 1 {
		return 0
	}
	clean := shipping.CleanScan(q)
	if clean == "" {
		return -1
	}
	return slices.IndexFunc(rows, func(s store.Shipment) bool { return s.Waybill == clean })
}

// show loads one shipment into the detail panel.
func (r *reprintScreen) show(waybill string) {
	var d shipping.Detail
	var err error
	r.ui.async(func(ctx context.Context, who shipping.User) {
		d, err = r.ui.svc.DetailAs(ctx, who, waybill)
	}, func() {
		if err != nil {
			r.detailMsg.SetText(shipping.Describe(err))
			return
		}
		r.selected = waybill
		sh := d.Shipment
		r.head.SetText(fmt.Sprintf("%s  %s\n%s  %s  %s\n%s: %s  ·  %s: %d",
			kuaidi100.CarrierName(sh.Carrier), sh.Waybill,
			sh.RecipientName, sh.RecipientPhone, sh.RecipientAddr,
			i18n.T("Status"), milestoneText(sh.Milestone), i18n.T("Reprints"), sh.ReprintCount))
		r.events = d.Events
		r.timeline.Refresh()
		r.detailMsg.SetText("")
		r.setActions(true)
	})
}

// changed is told of a shipment the worker changed.
func (r *reprintScreen) changed(s store.Shipment) {
	for i := range r.rows {
		if r.rows[i].Waybill == s.Waybill {
			r.rows[i].Milestone, r.rows[i].UpdatedAt, r.rows[i].LastEventAt = s.Milestone, s.UpdatedAt, s.LastEventAt
			r.results.Refresh()
		}
	}
	if s.Waybill == r.selected {
		r.show(s.Waybill)
	}
}

// askReason asks for the reason a sensitive action needs, then runs do.
func (r *reprintScreen) askReason(title, confirm string, suggestions []string, do func(reason string)) {
	reason := widget.NewSelectEntry(suggestions)
	reason.SetPlaceHolder(i18n.T("Why? (required)"))
	msg := widget.NewLabel("")
	items := []*widget.FormItem{
		widget.NewFormItem(i18n.T("Waybill"), widget.NewLabel(r.selected)),
		widget.NewFormItem(i18n.T("Reason"), reason),
		widget.NewFormItem("", msg),
	}
	d := dialog.NewForm(title, confirm, i18n.T("Cancel"), items, func(ok bool) {
		if ok {
			do(strings.TrimSpace(reason.Text))
		}
	}, r.ui.win)
	reason.Validator = func(s string) error {
		if strings.TrimSpace(s) == "" {
			return shipping.ErrReasonRequired
		}
		return nil
	}
	reason.OnSubmitted = func(string) { d.Submit() }
	d.Resize(fyne.NewSize(460, 240))
	d.Show()
	r.ui.win.Canvas().Focus(reason)
}

func (r *reprintScreen) askReprint() {
	r.askReason(i18n.T("Reprint label"), i18n.T("Reprint"),
		[]string{i18n.T("Label torn"), i18n.T("Label smudged"), i18n.T("Label lost"), i18n.T("Printer jammed")},
		r.doReprint)
}

// doReprint prints the selected waybill again with the reason given.
func (r *reprintScreen) doReprint(reason string) {
	wb := r.selected
	var job store.PrintJob
	var err error
	r.ui.async(func(ctx context.Context, who shipping.User) {
		job, err = r.ui.svc.Reprint(ctx, who, wb, reason, "")
	}, func() {
		if err != nil {
			r.detailMsg.SetText(shipping.Describe(err))
			r.ui.showError(i18n.T("Reprint"), err)
			return
		}
		if job.State == store.JobFailed {
			r.detailMsg.SetText(i18n.F("The printer did not take the label: %s", i18n.T(job.Error)))
		} else {
			r.detailMsg.SetText(fmt.Sprintf(i18n.T("Label for %s sent to the printer again."), wb))
		}
		r.log.refresh()
		r.show(wb)
		r.ui.win.Canvas().Focus(r.search)
	})
}

func (r *reprintScreen) askCancel() {
	r.askReason(i18n.T("Cancel waybill"), i18n.T("Cancel waybill"),
		[]string{i18n.T("Order cancelled by the patient"), i18n.T("Wrong address"), i18n.T("Shipped twice")},
		r.doCancel)
}

// doCancel cancels the selected waybill with the reason given.
func (r *reprintScreen) doCancel(reason string) {
	wb := r.selected
	r.ui.act(i18n.T("Cancel waybill"), func(ctx context.Context, who shipping.User) error {
		return r.ui.svc.Cancel(ctx, who, wb, reason)
	}, func() {
		r.detailMsg.SetText(fmt.Sprintf(i18n.T("Waybill %s cancelled."), wb))
		r.show(wb)
	})
}

func (r *reprintScreen) askResend() {
	var names []string
	var ms []store.Milestone
	for _, m := range r.ui.settings.SMS.Milestones {
		names = append(names, milestoneText(m.Milestone))
		ms = append(ms, m.Milestone)
	}
	sel := newSelect(names, nil)
	if len(names) > 0 {
		sel.SetSelectedIndex(0)
	}
	dialog.ShowForm(i18n.T("Resend SMS"), i18n.T("Send"), i18n.T("Cancel"),
		[]*widget.FormItem{widget.NewFormItem(i18n.T("Message"), sel)}, func(ok bool) {
			if i := sel.SelectedIndex(); ok && i >= 0 {
				r.doResend(ms[i])
			}
		}, r.ui.win)
}

// doResend sends the selected waybill's message for m again.
func (r *reprintScreen) doResend(m store.Milestone) {
	wb := r.selected
	r.ui.act(i18n.T("Resend SMS"), func(ctx context.Context, who shipping.User) error {
		return r.ui.svc.ResendSMS(ctx, who, wb, m)
	}, func() { r.detailMsg.SetText(i18n.T("SMS sent again.")) })
}

// printLog lists every print and reprint with who and why.
type printLog struct {
	ui      *UI
	content fyne.CanvasObject
	table   *widget.Table
	jobs    []store.PrintJob
	retry   *widget.Button
	cancel  *widget.Button
	sel     int
	msg     *widget.Label
	// failedOnly lists only jobs still waiting or failed (the printers
	// screen's queue).
	failedOnly bool
}

func newPrintLog(u *UI) *printLog {
	p := &printLog{ui: u, sel: -1}
	logCols := []string{i18n.T("Time"), i18n.T("Waybill"), i18n.T("Who"), i18n.T("Kind"), i18n.T("Reason"), i18n.T("State"), i18n.T("Printer")}
	p.table = newTextTable(logCols, []float32{140, 170, 80, 70, 160, 80, 260},
		func() int { return len(p.jobs) },
		func(row, col int) string { return jobCell(p.jobs[row], col) })
	p.table.OnSelected = func(id widget.TableCellID) { p.sel = id.Row; p.applyRole() }
	p.retry = widget.NewButtonWithIcon(i18n.T("Retry job"), theme.ViewRefreshIcon(), p.doRetry)
	p.cancel = widget.NewButtonWithIcon(i18n.T("Cancel job"), theme.CancelIcon(), p.doCancel)
	p.msg = widget.NewLabel("")
	refresh := widget.NewButtonWithIcon(i18n.T("Refresh"), theme.ViewRefreshIcon(), p.refresh)
	p.content = container.NewBorder(container.NewHBox(refresh, p.retry, p.cancel, p.msg), nil, nil, nil, p.table)
	p.applyRole()
	return p
}

func jobCell(j store.PrintJob, col int) string {
	switch col {
	case 0:
		return clinicClock(j.CreatedAt, "01-02 15:04:05")
	case 1:
		return j.Waybill
	case 2:
		return j.Who
	case 3:
		if j.Reprint {
			return i18n.T("Reprint")
		}
		return i18n.T("Print")
	case 4:
		return j.Reason
	case 5:
		return jobStateText(j.State)
	case 6:
		return j.PrinterURI
	}
	return ""
}

func jobStateText(s store.JobState) string {
	switch s {
	case store.JobQueued:
		return i18n.T("Queued")
	case store.JobSending:
		return i18n.T("Sending")
	case store.JobSent:
		return i18n.T("Printed")
	case store.JobFailed:
		return i18n.T("Failed")
	case store.JobCancelled:
		return i18n.T("Cancelled")
	}
	return string(s)
}

func (p *printLog) applyRole() {
	var state store.JobState // stays "" when nothing is chosen or the role may not
	if p.ui.allowed(shipping.ActPrintQueue) && p.sel >= 0 && p.sel < len(p.jobs) {
		state = p.jobs[p.sel].State
	}
	setEnabled(p.retry, state == store.JobFailed)
	setEnabled(p.cancel, state == store.JobFailed || state == store.JobQueued)
}

func (p *printLog) refresh() {
	var jobs []store.PrintJob
	var err error
	p.ui.async(func(ctx context.Context, who shipping.User) {
		jobs, err = p.ui.svc.PrintLog(ctx, who, 500)
	}, func() {
		if err != nil {
			p.msg.SetText(shipping.Describe(err))
			return
		}
		if p.failedOnly {
			jobs = slices.DeleteFunc(jobs, func(j store.PrintJob) bool {
				return j.State != store.JobFailed && j.State != store.JobQueued && j.State != store.JobSending
			})
		}
		p.jobs = jobs
		p.sel = -1
		p.table.UnselectAll()
		p.table.Refresh()
		p.applyRole()
	})
}

func (p *printLog) doRetry() {
	if p.sel < 0 || p.sel >= len(p.jobs) {
		return
	}
	id := p.jobs[p.sel].ID
	var job store.PrintJob
	var err error
	p.ui.async(func(ctx context.Context, who shipping.User) {
		job, err = p.ui.svc.RetryJob(ctx, who, id)
	}, func() {
		if err != nil {
			p.ui.showError(i18n.T("Retry job"), err)
		} else {
			p.msg.SetText(fmt.Sprintf(i18n.T("Job %d: %s"), job.ID, jobStateText(job.State)))
		}
		p.refresh()
	})
}

func (p *printLog) doCancel() {
	if p.sel < 0 || p.sel >= len(p.jobs) {
		return
	}
	id := p.jobs[p.sel].ID
	var err error
	p.ui.async(func(ctx context.Context, who shipping.User) {
		err = p.ui.svc.CancelJob(ctx, who, id)
	}, func() {
		if err != nil {
			p.ui.showError(i18n.T("Cancel job"), err)
		}
		p.refresh()
	})
}
