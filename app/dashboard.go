package app

import (
	"context"
	"fmt"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"shipdesk/assets/i18n"
	"shipdesk/kuaidi100"
	"shipdesk/shipping"
	"shipdesk/store"
)

// chartDays is how many days the shipped-vs-delivered chart shows.
const chartDays = 14

// changeDelay gathers the worker's change announcements into one dashboard
// refresh.
const changeDelay = 500 * time.Millisecond

// dashboard is 看板: today's counts, the exceptions to work through, the
// 14-day chart, per-carrier on-time rate and transit time, and SMS spend.
// The same view can also live in its own window (a manager's second
// screen); both refresh when the worker announces a change.
type dashboard struct {
	ui      *UI
	content fyne.CanvasObject

	// The figures, in the order of the cards.
	created, printed, pickedUp, inTransit, delivered, problems *canvas.Text
	onTime, median, deliveredAll, smsSent, smsCost             *canvas.Text
	updated                                                    *widget.Label

	excList    *widget.List
	noExc      *widget.Label
	exceptions []store.Exception
	excSel     int
	resolveBtn *widget.Button
	openBtn    *widget.Button

	chart    *barChart
	carriers *widget.Table
	byCar    []shipping.CarrierStats

	detached *dashboard  // the view in its own window, if open
	window   fyne.Window // set on the detached view
	throttle bool        // a refresh asked for by changed, not yet run
	reports  *reportsBar // the day sheet and the cost view
	pending  bool        // a refresh is in flight
	again    bool        // another change came in meanwhile
}

func newDashboard(u *UI) *dashboard {
	d := &dashboard{ui: u, excSel: -1}
	big := func() *canvas.Text {
		t := canvas.NewText("–", theme.Color(theme.ColorNameForeground))
		t.TextSize = 30
		t.TextStyle = fyne.TextStyle{Bold: true}
		t.Alignment = fyne.TextAlignCenter
		return t
	}
	card := func(title string, t *canvas.Text) fyne.CanvasObject {
		l := widget.NewLabelWithStyle(title, fyne.TextAlignCenter, fyne.TextStyle{})
		return widget.NewCard("", "", container.NewVBox(t, l))
	}
	d.created, d.printed, d.pickedUp, d.inTransit, d.delivered, d.problems = big(), big(), big(), big(), big(), big()
	d.problems.Color = theme.Color(theme.ColorNameError)
	d.onTime, d.median, d.deliveredAll, d.smsSent, d.smsCost = big(), big(), big(), big(), big()
	cards := container.NewGridWithColumns(6,
		card(i18n.T("Created today"), d.created), card(i18n.T("Printed today"), d.printed), card(i18n.T("Picked up"), d.pickedUp),
		card(i18n.T("In transit"), d.inTransit), card(i18n.T("Delivered today"), d.delivered), card(i18n.T("Problems"), d.problems))
	cards2 := container.NewGridWithColumns(5,
		card(i18n.T("On-time rate"), d.onTime), card(i18n.T("Median transit (h)"), d.median),
		card(i18n.T("Delivered (all)"), d.deliveredAll),
		card(i18n.T("SMS sent today"), d.smsSent), card(i18n.T("SMS cost today (yuan)"), d.smsCost))

	d.excList = newTextList(func() int { return len(d.exceptions) }, func(i int) string {
		e := d.exceptions[i]
		return fmt.Sprintf("%s  %s  %s  %s", clinicStamp(e.RaisedAt), exceptionText(e.Kind), e.Waybill, e.Detail)
	})
	d.excList.OnSelected = func(i widget.ListItemID) { d.excSel = i; d.applyRole() }
	d.resolveBtn = widget.NewButtonWithIcon(i18n.T("Mark handled"), theme.ConfirmIcon(), d.resolve)
	openShip := widget.NewButtonWithIcon(i18n.T("Open shipment"), theme.SearchIcon(), func() {
		if d.excSel >= 0 && d.excSel < len(d.exceptions) && d.exceptions[d.excSel].Waybill != "" {
			u.tabs.Select(u.tabReprint)
			u.reprint.onSubmit(d.exceptions[d.excSel].Waybill)
			u.win.Show()
			u.win.RequestFocus()
		}
	})
	d.noExc = widget.NewLabel(i18n.T("Nothing to work through."))
	d.noExc.Importance = widget.SuccessImportance
	excBox := container.NewBorder(
		container.NewHBox(widget.NewLabelWithStyle(i18n.T("Exceptions to work through"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), d.resolveBtn, openShip),
		nil, nil, nil, container.NewStack(d.excList, container.NewVBox(d.noExc)))

	d.chart = newBarChart()
	chartBox := container.NewBorder(
		widget.NewLabelWithStyle(i18n.T("Last 14 days: shipped (blue) and delivered (green)"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		nil, nil, nil, d.chart)

	carCols := []string{i18n.T("Carrier"), i18n.T("Shipments"), i18n.T("Delivered"), i18n.T("On-time rate"), i18n.T("Median transit (h)")}
	d.carriers = newTextTable(carCols, []float32{140, 90, 90, 110, 150},
		func() int { return len(d.byCar) },
		func(row, col int) string { return carrierCell(d.byCar[row], col) })

	d.updated = widget.NewLabel("")
	d.openBtn = widget.NewButtonWithIcon(i18n.T("Open in its own window"), theme.ViewFullScreenIcon(), d.openWindow)
	refresh := widget.NewButtonWithIcon(i18n.T("Refresh"), theme.ViewRefreshIcon(), d.refresh)
	d.reports = newReportsBar(u)
	top := container.NewVBox(container.NewHBox(refresh, d.openBtn, d.updated), d.reports.content, cards, cards2)
	lower := container.NewHSplit(excBox, container.NewVSplit(chartBox, d.carriers))
	lower.Offset = 0.45
	d.content = container.NewBorder(top, nil, nil, nil, lower)
	return d
}

func carrierCell(c shipping.CarrierStats, col int) string {
	switch col {
	case 0:
		if c.Name != "" {
			return c.Name
		}
		return kuaidi100.CarrierName(c.Code)
	case 1:
		return fmt.Sprint(c.Shipments)
	case 2:
		return fmt.Sprint(c.Delivered)
	case 3:
		return rateText(c.OnTimeRate)
	case 4:
		return hoursText(c.MedianHours)
	}
	return ""
}

func rateText(r float64) string {
	if r < 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f%%", r*100)
}

func hoursText(h float64) string {
	if h <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f", h)
}

func exceptionText(k store.ExceptionKind) string {
	switch k {
	case store.ExcNotPickedUp:
		return i18n.T("Not picked up")
	case store.ExcNoUpdate:
		return i18n.T("No update")
	case store.ExcLate:
		return i18n.T("Late")
	case store.ExcProblem:
		return i18n.T("Problem parcel")
	case store.ExcRefused:
		return i18n.T("Refused")
	case store.ExcReturned:
		return i18n.T("Returned")
	case store.ExcSMSCap:
		return i18n.T("SMS cap reached")
	case store.ExcSubscription:
		return i18n.T("Tracking subscription")
	case store.ExcNotHandedOver:
		return i18n.T("Not handed over")
	case store.ExcNoWaybill:
		return i18n.T("Waiting for a waybill number")
	}
	return string(k)
}

func (d *dashboard) applyRole() {
	d.reports.applyRole()
	setEnabled(d.resolveBtn, d.ui.allowed(shipping.ActExceptions) && d.excSel >= 0 && d.excSel < len(d.exceptions))
	if d.detached != nil {
		d.detached.applyRole()
	}
}

// changed is told that something moved. It refreshes the visible views
// at most once per changeDelay, however busy the worker is.
func (d *dashboard) changed() {
	if d.throttle || d.ui.closed.Load() {
		return
	}
	d.throttle = true
	d.ui.after(changeDelay, func() {
		d.ui.onMain(true, func() {
			d.throttle = false
			if d.ui.closed.Load() {
				return
			}
			if d.ui.tabs != nil && d.ui.tabs.Selected() == d.ui.tabDash {
				d.refresh()
			}
			if d.detached != nil {
				d.detached.refresh()
			}
		})
	})
}

// refresh reads the figures in the background and shows them. Changes that
// arrive while a refresh is in flight cause one more refresh after it.
func (d *dashboard) refresh() {
	if !d.ui.allowed(shipping.ActStats) {
		return
	}
	if d.pending {
		d.again = true
		return
	}
	d.pending = true
	var st shipping.Stats
	var err error
	now := d.ui.now()
	d.ui.async(func(ctx context.Context, who shipping.User) {
		st, err = d.ui.svc.Stats(ctx, who, now)
	}, func() {
		d.pending = false
		if err != nil {
			d.updated.SetText(shipping.Describe(err))
		} else {
			d.show(st)
		}
		if d.again {
			d.again = false
			d.refresh()
		}
	})
}

// show puts the figures on the screen.
func (d *dashboard) show(st shipping.Stats) {
	at := func(m store.Milestone) int {
		for _, c := range st.ByMilestone {
			if c.Milestone == m {
				return c.Count
			}
		}
		return 0
	}
	set := func(t *canvas.Text, v string) {
		t.Text = v
		t.Refresh()
	}
	set(d.created, fmt.Sprint(st.Today.Created))
	set(d.printed, fmt.Sprint(st.Today.Printed))
	set(d.pickedUp, fmt.Sprint(at(store.MilestonePickedUp)))
	set(d.inTransit, fmt.Sprint(at(store.MilestoneInTransit)+at(store.MilestoneOutForDelivery)))
	set(d.delivered, fmt.Sprint(st.Today.Delivered))
	set(d.problems, fmt.Sprint(st.OpenExceptions))
	set(d.onTime, rateText(st.OnTimeRate))
	set(d.median, hoursText(st.MedianHours))
	set(d.deliveredAll, fmt.Sprint(at(store.MilestoneDelivered)))
	set(d.smsSent, fmt.Sprint(st.SMSToday))
	set(d.smsCost, fmt.Sprintf("%.2f", float64(st.SMSTodayCostFen)/100))

	d.exceptions = st.Exceptions
	setVisible(d.noExc, len(d.exceptions) == 0)
	d.excSel = -1
	d.excList.UnselectAll()
	d.excList.Refresh()
	d.byCar = st.ByCarrier
	d.carriers.Refresh()

	days := st.PerDay
	if len(days) > chartDays {
		days = days[len(days)-chartDays:]
	}
	var bars []barDay
	for _, dc := range days {
		label := dc.Day
		if t, err := time.Parse("2006-01-02", dc.Day); err == nil {
			label = t.Format("01-02")
		}
		bars = append(bars, barDay{label: label, a: dc.Created, b: dc.Delivered})
	}
	d.chart.set(bars)
	d.updated.SetText(fmt.Sprintf(i18n.T("Updated %s · %d shipments, %d on the way"), clinicClock(st.Now, "15:04:05"), st.Total, st.Active))
	d.applyRole()
}

func (d *dashboard) resolve() {
	if d.excSel < 0 || d.excSel >= len(d.exceptions) {
		return
	}
	id := d.exceptions[d.excSel].ID
	d.ui.act(i18n.T("Mark handled"), func(ctx context.Context, who shipping.User) error {
		return d.ui.svc.ResolveException(ctx, who, id)
	}, func() {
		d.ui.dash.changed()
		d.refresh()
	})
}

// openWindow shows the dashboard in a window of its own.
func (d *dashboard) openWindow() {
	main := d.ui.dash
	if main.detached != nil {
		main.detached.window.RequestFocus()
		return
	}
	v := newDashboard(d.ui)
	v.openBtn.Hide()
	w := d.ui.app.NewWindow(i18n.T("Shipdesk dashboard"))
	w.SetIcon(Icon())
	w.SetContent(v.content)
	w.Resize(fyne.NewSize(1200, 760))
	v.window = w
	main.detached = v
	w.SetOnClosed(func() { main.detached = nil })
	w.Show()
	v.refresh()
}

// barDay is one day of the chart: a (shipped) and b (delivered).
type barDay struct {
	label string
	a, b  int
}

// barChart draws pairs of bars with canvas rectangles; no chart library.
type barChart struct {
	widget.BaseWidget
	days []barDay
}

func newBarChart() *barChart {
	c := &barChart{}
	c.ExtendBaseWidget(c)
	return c
}

func (c *barChart) set(days []barDay) {
	c.days = days
	c.Refresh()
}

// CreateRenderer implements fyne.Widget.
func (c *barChart) CreateRenderer() fyne.WidgetRenderer {
	r := &barRenderer{c: c}
	r.build()
	return r
}

type barRenderer struct {
	c       *barChart
	objects []fyne.CanvasObject
	size    fyne.Size
}

var (
	shippedColor   = color.NRGBA{0x1e, 0x6f, 0xd9, 0xff}
	deliveredColor = color.NRGBA{0x2e, 0xa0, 0x4f, 0xff}
)

// build makes the rectangles and texts for the current data and size.
func (r *barRenderer) build() {
	r.objects = r.objects[:0]
	days := r.c.days
	sz := r.size
	if len(days) == 0 || sz.Width <= 0 || sz.Height <= 0 {
		return
	}
	max := 1
	for _, d := range days {
		if d.a > max {
			max = d.a
		}
		if d.b > max {
			max = d.b
		}
	}
	fg := theme.Color(theme.ColorNameForeground)
	labelH := float32(18)
	valueH := float32(16)
	plotH := sz.Height - labelH - valueH
	if plotH < 10 {
		plotH = 10
	}
	slot := sz.Width / float32(len(days))
	barW := slot * 0.35
	base := valueH + plotH
	axis := canvas.NewRectangle(fg)
	axis.Move(fyne.NewPos(0, base))
	axis.Resize(fyne.NewSize(sz.Width, 1))
	r.objects = append(r.objects, axis)
	for i, d := range days {
		x := float32(i) * slot
		for j, v := range []int{d.a, d.b} {
			h := plotH * float32(v) / float32(max)
			col := shippedColor
			if j == 1 {
				col = deliveredColor
			}
			bar := canvas.NewRectangle(col)
			bx := x + slot*0.12 + float32(j)*barW
			bar.Move(fyne.NewPos(bx, base-h))
			bar.Resize(fyne.NewSize(barW, h))
			r.objects = append(r.objects, bar)
			if v > 0 {
				t := canvas.NewText(fmt.Sprint(v), fg)
				t.TextSize = 10
				tx := bx
				if w := t.MinSize().Width; tx+w > sz.Width {
					tx = sz.Width - w
				}
				t.Move(fyne.NewPos(tx, base-h-valueH+2))
				r.objects = append(r.objects, t)
			}
		}
		lt := canvas.NewText(d.label, fg)
		lt.TextSize = 10
		lt.Move(fyne.NewPos(x+slot*0.1, base+2))
		r.objects = append(r.objects, lt)
	}
}

func (r *barRenderer) Layout(s fyne.Size) {
	r.size = s
	r.build()
}

func (r *barRenderer) MinSize() fyne.Size           { return fyne.NewSize(300, 160) }
func (r *barRenderer) Refresh()                     { r.build(); canvas.Refresh(r.c) }
func (r *barRenderer) Objects() []fyne.CanvasObject { return r.objects }
func (r *barRenderer) Destroy()                     {}
