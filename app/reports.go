package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"shipdesk/assets/i18n"
	"shipdesk/shipping"
)

// reportsBar is the dashboard's end of the day: the day sheet of a chosen
// day as PDF or CSV, and the monthly cost view. Files go into the data
// folder's 报表 folder and open in the system's viewer.
type reportsBar struct {
	ui      *UI
	content fyne.CanvasObject
	date    *widget.Entry
	pdfBtn  *widget.Button
	csvBtn  *widget.Button
	costBtn *widget.Button
	msg     *widget.Label
	last    string // the last file written

	costs    []shipping.CostLine
	costWin  fyne.Window
	costList *widget.Table
	chart    *barChart
}

func newReportsBar(u *UI) *reportsBar {
	r := &reportsBar{ui: u, date: widget.NewEntry(), msg: widget.NewLabel("")}
	r.date.SetPlaceHolder("2026-12-02")
	r.pdfBtn = widget.NewButtonWithIcon(i18n.T("Day sheet PDF"), theme.DocumentPrintIcon(), func() { r.day("pdf") })
	r.csvBtn = widget.NewButtonWithIcon(i18n.T("Day sheet CSV"), theme.DownloadIcon(), func() { r.day("csv") })
	r.costBtn = widget.NewButtonWithIcon(i18n.T("Costs…"), theme.InfoIcon(), r.showCosts)
	r.content = container.NewHBox(widget.NewLabel(i18n.T("Day")), container.NewGridWrap(fyne.NewSize(120, r.date.MinSize().Height), r.date),
		r.pdfBtn, r.csvBtn, r.costBtn, r.msg)
	return r
}

func (r *reportsBar) applyRole() {
	on := r.ui.allowed(shipping.ActStats)
	for _, b := range []*widget.Button{r.pdfBtn, r.csvBtn, r.costBtn} {
		setEnabled(b, on)
	}
}

// reportDir is where sheets and exports are written.
func (r *reportsBar) reportDir() (string, error) {
	base := r.ui.deps.DataDir
	if base == "" {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "报表")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("reports folder: %w", err)
	}
	return dir, nil
}

// day writes the day sheet of the day in the field (today when empty) as
// format ("pdf" or "csv") and opens it.
func (r *reportsBar) day(format string) {
	day := r.ui.now()
	if t := strings.TrimSpace(r.date.Text); t != "" {
		d, err := time.ParseInLocation("2006-01-02", t, shipping.ClinicTime)
		if err != nil {
			r.msg.SetText(i18n.T("Give the day as YYYY-MM-DD, e.g. 2026-12-02."))
			return
		}
		day = d
	}
	var (
		path string
		err  error
	)
	r.ui.async(func(ctx context.Context, who shipping.User) {
		var rep shipping.DayReport
		if rep, err = r.ui.svc.DayReport(ctx, who, day); err != nil {
			return
		}
		write := shipping.WriteDayPDF
		if format == "csv" {
			write = shipping.WriteDayCSV
		}
		path, err = r.writeFile("shipdesk-day-"+rep.Date+"."+format, func(w io.Writer) error { return write(w, rep) })
	}, func() { r.written(path, err) })
}

func (r *reportsBar) writeFile(name string, write func(io.Writer) error) (string, error) {
	dir, err := r.reportDir()
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return "", err
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return path, nil
}

func (r *reportsBar) written(path string, err error) {
	if err != nil {
		r.ui.showError(i18n.T("Reports"), err)
		return
	}
	r.last = path
	r.msg.SetText(i18n.F("Written: %s", path))
	if err := r.ui.app.OpenURL(&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}); err != nil {
		r.ui.deps.Logf("shipdesk: open %s: %v", path, err)
	}
}

// showCosts opens the cost view: waybills and SMS per carrier per month at
// the clinic's prices, as a chart and a table, with a CSV export.
func (r *reportsBar) showCosts() {
	var (
		lines []shipping.CostLine
		err   error
	)
	r.ui.async(func(ctx context.Context, who shipping.User) {
		lines, err = r.ui.svc.Costs(ctx, who, 6)
	}, func() {
		if err != nil {
			r.ui.showError(i18n.T("Costs"), err)
			return
		}
		r.costs = lines
		if r.costWin == nil {
			r.buildCostWindow()
		}
		r.fillCosts()
		r.costWin.Show()
	})
}

func (r *reportsBar) buildCostWindow() {
	r.costWin = r.ui.app.NewWindow(i18n.T("Costs by carrier and month"))
	r.costWin.SetOnClosed(func() { r.costWin = nil })
	cols := []string{i18n.T("Month"), i18n.T("Carrier"), i18n.T("Waybills"), i18n.T("Waybill cost (yuan)"), i18n.T("SMS"), i18n.T("SMS cost (yuan)"), i18n.T("Total (yuan)")}
	r.costList = newTextTable(cols, []float32{80, 110, 80, 130, 60, 120, 100}, func() int { return len(r.costs) }, func(row, col int) string {
		return costCell(r.costs[row], col)
	})
	r.chart = newBarChart()
	export := widget.NewButtonWithIcon(i18n.T("Export as CSV"), theme.DownloadIcon(), func() {
		lines := r.costs
		var (
			path string
			err  error
		)
		r.ui.async(func(context.Context, shipping.User) {
			path, err = r.writeFile("shipdesk-costs-"+r.ui.now().In(shipping.ClinicTime).Format("2006-01")+".csv",
				func(w io.Writer) error { return shipping.WriteCostsCSV(w, lines) })
		}, func() { r.written(path, err) })
	})
	chartBox := container.NewBorder(widget.NewLabelWithStyle(i18n.T("Waybills (blue) and SMS (green) per carrier per month"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), nil, nil, nil, r.chart)
	split := container.NewVSplit(chartBox, r.costList)
	r.costWin.SetContent(container.NewBorder(nil, container.NewHBox(export, widget.NewLabel(i18n.T("Prices are set under Settings, Counter & privacy."))), nil, nil, split))
	r.costWin.Resize(fyne.NewSize(800, 600))
}

func (r *reportsBar) fillCosts() {
	var bars []barDay
	for _, l := range r.costs {
		bars = append(bars, barDay{label: l.Month[5:] + " " + shortName(l.CarrierName), a: l.Waybills, b: l.SMS})
	}
	r.chart.set(bars)
	r.costList.Refresh()
}

// shortName keeps the first two characters of a carrier's name (中通).
func shortName(n string) string {
	if rs := []rune(n); len(rs) > 2 {
		return string(rs[:2])
	}
	return n
}

func costCell(l shipping.CostLine, col int) string {
	y := func(f int) string { return fmt.Sprintf("%.2f", float64(f)/100) }
	switch col {
	case 0:
		return l.Month
	case 1:
		return l.CarrierName
	case 2:
		return fmt.Sprint(l.Waybills)
	case 3:
		return y(l.WaybillFen)
	case 4:
		return fmt.Sprint(l.SMS)
	case 5:
		return y(l.SMSFen)
	case 6:
		return y(l.WaybillFen + l.SMSFen)
	}
	return ""
}
