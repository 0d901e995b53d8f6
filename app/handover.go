package app

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"shipdesk/assets/i18n"
	"shipdesk/kuaidi100"
	"shipdesk/shipping"
)

// handoverScreen is 交接: when the courier comes the clerk picks the
// carrier, then scans each parcel (a scanner types the number and Enter;
// nothing to click between scans). The lists show what is scanned and what
// is still missing among today's printed parcels; a parcel that must stay
// (another carrier, already handed over, cancelled, unknown) is shown in
// red with its own beep. Finishing records the handover and writes the
// 交接单 PDF, which opens for printing.
type handoverScreen struct {
	ui      *UI
	content fyne.CanvasObject

	carrier   *widget.Select
	courier   *widget.Entry
	startBtn  *widget.Button
	scan      *formEntry
	msg       *widget.Label
	summary   *widget.Label
	scanned   *widget.List
	missing   *widget.List
	finishBtn *widget.Button
	openBtn   *widget.Button

	codes []string // carrier codes in the order of carrier.Options
	// h is the handover in progress; the main goroutine replaces it, and
	// background scans and the finish change it holding hmu.
	h   *shipping.Handover
	hmu sync.Mutex
	// The lists show a copy taken under hmu (main goroutine only).
	scannedRows, missingRows []shipping.HandoverParcel
	weight                   float64
	pdf                      string // the last 交接单 written
	// beep plays a scan outcome's tone; tests record it.
	beep func(shipping.ScanOutcome)
}

func newHandoverScreen(u *UI) *handoverScreen {
	h := &handoverScreen{ui: u, beep: beepFor}
	h.carrier = newSelect(nil, nil)
	h.carrier.PlaceHolder = i18n.T("Choose the carrier")
	h.courier = widget.NewEntry()
	h.courier.SetPlaceHolder(i18n.T("Courier's name (optional)"))
	h.startBtn = widget.NewButtonWithIcon(i18n.T("Start handover"), theme.MediaPlayIcon(), h.start)
	h.startBtn.Importance = widget.HighImportance
	h.scan = newFormEntry(nil)
	h.scan.SetPlaceHolder(i18n.T("Scan each parcel's barcode"))
	h.scan.OnSubmitted = h.onScan
	h.msg = widget.NewLabel(i18n.T("Choose the carrier and press Start; then scan the parcels one after another."))
	h.msg.Wrapping = fyne.TextWrapWord
	h.summary = widget.NewLabel("")
	h.scanned = newTextList(func() int { return len(h.scannedRows) }, func(i int) string {
		p := h.scannedRows[len(h.scannedRows)-1-i] // newest scan first
		return fmt.Sprintf("%s  %s  %.2fkg", p.Waybill, p.City, p.Weight)
	})
	h.missing = newTextList(func() int { return len(h.missingRows) }, func(i int) string {
		p := h.missingRows[i]
		return fmt.Sprintf("%s  %s  %s  %s", p.Waybill, p.Recipient, p.City, clinicClock(p.PrintedAt, "15:04"))
	})
	h.finishBtn = widget.NewButtonWithIcon(i18n.T("Finish and make the handover sheet"), theme.DocumentPrintIcon(), h.finish)
	h.openBtn = widget.NewButtonWithIcon(i18n.T("Open the handover sheet"), theme.FileIcon(), h.open)
	h.openBtn.Hide()
	top := container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel(i18n.T("Carrier")), h.startBtn, container.NewGridWithColumns(2, h.carrier, h.courier)),
		h.scan, h.msg, h.summary)
	lists := container.NewGridWithColumns(2,
		container.NewBorder(widget.NewLabelWithStyle(i18n.T("Scanned"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), nil, nil, nil, h.scanned),
		container.NewBorder(widget.NewLabelWithStyle(i18n.T("Still missing (printed today)"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), nil, nil, nil, h.missing))
	h.content = container.NewBorder(container.NewPadded(top), container.NewHBox(h.finishBtn, h.openBtn), nil, nil, lists)
	h.setRunning(false)
	return h
}

func (h *handoverScreen) setRunning(on bool) {
	setEnabled(h.scan, on)
	setEnabled(h.finishBtn, on)
	setEnabled(h.carrier, !on)
	setEnabled(h.courier, !on)
	setEnabled(h.startBtn, !on && h.ui.allowed(shipping.ActHandover))
}

func (h *handoverScreen) applyRole() { h.setRunning(h.running()) }

// running reports whether a handover is in progress.
func (h *handoverScreen) running() bool {
	h.hmu.Lock()
	defer h.hmu.Unlock()
	return h.h != nil && h.h.FinishedAt.IsZero()
}

// refresh offers the carriers with parcels waiting first (with their
// counts), then the default carrier and the common ones.
func (h *handoverScreen) refresh() {
	if h.running() {
		h.ui.win.Canvas().Focus(h.scan)
		return
	}
	var waiting map[string]int
	h.ui.async(func(ctx context.Context, who shipping.User) {
		waiting, _ = h.ui.svc.WaitingForCourier(ctx, who)
	}, func() {
		codes := slices.SortedFunc(maps.Keys(waiting), func(a, b string) int { return waiting[b] - waiting[a] })
		for _, c := range append([]string{h.ui.settings.DefaultCarrier}, commonCarriers...) {
			if c != "" && !slices.Contains(codes, c) {
				codes = append(codes, c)
			}
		}
		h.codes = codes
		opts := make([]string, len(codes))
		for i, c := range codes {
			opts[i] = kuaidi100.CarrierName(c)
			if n := waiting[c]; n > 0 {
				opts[i] += i18n.F(" (%d waiting)", n)
			}
		}
		sel := h.carrier.SelectedIndex()
		h.carrier.Options = opts
		h.carrier.Refresh()
		if sel < 0 && len(waiting) > 0 {
			h.carrier.SetSelectedIndex(0)
		}
	})
}

// commonCarriers are offered even with nothing waiting.
var commonCarriers = []string{"zhongtong", "yuantong", "shunfeng", "yunda", "shentong", "jtexpress", "ems", "jd"}

func (h *handoverScreen) start() {
	i := h.carrier.SelectedIndex()
	if i < 0 || i >= len(h.codes) {
		h.msg.SetText(i18n.T("Choose the carrier first."))
		return
	}
	carrier, courier := h.codes[i], strings.TrimSpace(h.courier.Text)
	var (
		ho  *shipping.Handover
		err error
	)
	h.ui.async(func(ctx context.Context, who shipping.User) {
		ho, err = h.ui.svc.StartHandover(ctx, who, carrier, courier)
	}, func() {
		if err != nil {
			h.msg.SetText(shipping.Describe(err))
			return
		}
		h.hmu.Lock()
		h.h = ho
		h.hmu.Unlock()
		h.openBtn.Hide()
		h.msg.Importance = widget.MediumImportance
		h.msg.SetText(i18n.F("Scan the %s parcels: %d printed today are waiting.", ho.CarrierName, len(ho.Expected)))
		h.setRunning(true)
		h.show()
		h.ui.win.Canvas().Focus(h.scan)
	})
}

// snapshot copies the lists of the handover in progress.
func (h *handoverScreen) snapshot() {
	h.hmu.Lock()
	defer h.hmu.Unlock()
	h.scannedRows, h.missingRows, h.weight = nil, nil, 0
	if h.h != nil {
		h.scannedRows, h.missingRows, h.weight = slices.Clone(h.h.Scanned), h.h.Missing(), h.h.TotalWeight()
	}
}

func (h *handoverScreen) show() {
	h.snapshot()
	if h.h == nil {
		h.summary.SetText("")
	} else {
		h.summary.SetText(i18n.F("Scanned %d · still missing %d · %.2f kg", len(h.scannedRows), len(h.missingRows), h.weight))
	}
	h.scanned.Refresh()
	h.missing.Refresh()
}

// onScan takes one scanned code. The field empties at once and keeps the
// focus, so the next scan can follow straight away.
func (h *handoverScreen) onScan(code string) {
	h.scan.SetText("")
	if h.h == nil || strings.TrimSpace(code) == "" {
		return
	}
	ho := h.h
	var (
		res shipping.ScanResult
		err error
	)
	h.ui.async(func(ctx context.Context, who shipping.User) {
		// Fast scans overlap: they are applied to ho one at a time.
		h.hmu.Lock()
		res, err = h.ui.svc.ScanHandover(ctx, who, ho, code)
		h.hmu.Unlock()
		if err == nil {
			h.beep(res.Outcome)
		}
	}, func() {
		if err != nil {
			h.msg.Importance = widget.DangerImportance
			h.msg.SetText(shipping.Describe(err))
			return
		}
		h.msg.Importance = widget.SuccessImportance
		if res.Outcome.Warn() {
			h.msg.Importance = widget.DangerImportance
		} else if res.Outcome == shipping.ScanAgain {
			h.msg.Importance = widget.WarningImportance
		}
		h.msg.SetText(res.Message)
		h.show()
		h.ui.win.Canvas().Focus(h.scan)
	})
}

func (h *handoverScreen) finish() {
	if h.h == nil {
		return
	}
	ho := h.h
	dir := h.ui.deps.DataDir
	var (
		path string
		err  error
	)
	h.ui.async(func(ctx context.Context, who shipping.User) {
		h.hmu.Lock()
		defer h.hmu.Unlock()
		if err = h.ui.svc.FinishHandover(ctx, who, ho); err != nil {
			return
		}
		path, err = writeHandoverPDF(h.ui.svc, who, ho, dir)
	}, func() {
		if err != nil {
			h.msg.Importance = widget.DangerImportance
			h.msg.SetText(shipping.Describe(err))
			h.hmu.Lock()
			finished := !ho.FinishedAt.IsZero()
			h.hmu.Unlock()
			if finished {
				h.setRunning(false)
			}
			return
		}
		h.pdf = path
		h.msg.Importance = widget.SuccessImportance
		h.show()
		msg := i18n.F("Handed over %d parcels to %s. The handover sheet is %s.", len(h.scannedRows), ho.CarrierName, path)
		if m := len(h.missingRows); m > 0 {
			msg += " " + i18n.F("%d printed parcels were not handed over.", m)
		}
		h.msg.SetText(msg)
		h.setRunning(false)
		h.openBtn.Show()
		h.open()
	})
}

// writeHandoverPDF writes ho's 交接单 into the data folder's 交接单 folder.
func writeHandoverPDF(svc *shipping.Service, who shipping.User, ho *shipping.Handover, dataDir string) (string, error) {
	if dataDir == "" {
		dataDir = os.TempDir()
	}
	dir := filepath.Join(dataDir, "交接单")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("handover sheet: %w", err)
	}
	path := filepath.Join(dir, ho.ID+".pdf")
	f, err := os.Create(path)
	if err != nil {
		return "", fmt.Errorf("handover sheet: %w", err)
	}
	if err := svc.WriteHandoverPDF(who, ho, f); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("handover sheet: %w", err)
	}
	return path, nil
}

// open shows the last 交接单 in the system's PDF viewer, to print it.
func (h *handoverScreen) open() {
	if h.pdf == "" {
		return
	}
	u := &url.URL{Scheme: "file", Path: filepath.ToSlash(h.pdf)}
	if err := h.ui.app.OpenURL(u); err != nil {
		h.ui.deps.Logf("shipdesk: open %s: %v", h.pdf, err)
	}
}
