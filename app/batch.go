package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"shipdesk/assets/i18n"
	"shipdesk/shipping"
	"shipdesk/store"
)

// importCSV (on the ship screen) reads orders from a CSV file exported from
// Excel, shows what passed and what did not, and ships the good ones as a
// batch with a progress bar that can be cancelled.
func (s *shipScreen) importCSV() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		s.readCSV(r)
	}, s.ui.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".csv", ".txt", ".tsv"}))
	d.Show()
}

// readCSV parses the file in the background and asks before shipping.
func (s *shipScreen) readCSV(r io.ReadCloser) {
	var orders []store.Order
	var rowErrs []shipping.RowError
	var err error
	s.ui.longWork(i18n.T("Reading the file…"), func(ctx context.Context, who shipping.User, _ func(float64)) error {
		defer r.Close()
		orders, rowErrs, err = s.ui.svc.ImportCSV(ctx, who, r)
		return err
	}, func() { s.confirmBatch(orders, rowErrs) })
}

// confirmBatch lists the problems and offers to ship the valid orders.
func (s *shipScreen) confirmBatch(orders []store.Order, rowErrs []shipping.RowError) {
	var b strings.Builder
	fmt.Fprintf(&b, i18n.T("%d orders are ready to ship, %d rows have problems."), len(orders), len(rowErrs))
	for i, e := range rowErrs {
		if i == 20 {
			fmt.Fprintf(&b, "\n…")
			break
		}
		fmt.Fprintf(&b, "\n"+i18n.T("Row %d: %s"), e.Row, e.Message)
	}
	msg := widget.NewLabel(b.String())
	msg.Wrapping = fyne.TextWrapWord
	content := container.NewVScroll(msg)
	content.SetMinSize(fyne.NewSize(480, 200))
	if len(orders) == 0 {
		dialog.ShowCustom(i18n.T("Import CSV"), i18n.T("OK"), content, s.ui.win)
		return
	}
	dialog.ShowCustomConfirm(i18n.T("Import CSV"), fmt.Sprintf(i18n.T("Ship and print %d"), len(orders)), i18n.T("Cancel"), content, func(ok bool) {
		if ok {
			s.shipBatch(orders)
		}
	}, s.ui.win)
}

// shipBatch ships orders one after another with a progress bar; Cancel
// stops before the next order.
func (s *shipScreen) shipBatch(orders []store.Order) {
	var results []shipping.BatchResult
	stopped := false
	s.ui.longWork(i18n.T("Shipping the imported orders…"), func(ctx context.Context, who shipping.User, progress func(float64)) error {
		var err error
		results, err = s.ui.svc.ShipBatch(ctx, who, orders, shipping.ShipOptions{}, func(done, total int) {
			progress(float64(done) / float64(total))
		})
		if errors.Is(err, context.Canceled) {
			stopped, err = true, nil
		}
		return err
	}, func() { s.batchDone(results, len(orders), stopped) })
}

func (s *shipScreen) batchDone(results []shipping.BatchResult, total int, stopped bool) {
	ok, failed := 0, 0
	var b strings.Builder
	for _, r := range results {
		if r.Err == nil {
			ok++
			continue
		}
		failed++
		fmt.Fprintf(&b, "\n%s: %s", r.Order.Recipient.Name, shipping.Describe(r.Err))
	}
	head := fmt.Sprintf(i18n.T("%d shipped, %d failed."), ok, failed)
	if stopped {
		head += " " + fmt.Sprintf(i18n.T("Stopped: %d not shipped."), total-len(results))
	}
	s.status.SetText(head)
	summary := head + b.String()
	dialog.ShowInformation(i18n.T("Import CSV"), summary, s.ui.win)
	s.ui.dash.changed()
}
