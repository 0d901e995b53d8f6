package app

import (
	"context"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"shipdesk/assets/i18n"
	"shipdesk/shipping"
	"shipdesk/store"
)

// waitingBanner sits above the ship form while orders of this station wait
// for their waybill number (Kuaidi100 or the network down): it says how
// many, and that they are issued and printed by themselves. The clerk
// keeps taking patients. Only the main goroutine uses it.
type waitingBanner struct {
	s     *shipScreen
	box   *fyne.Container
	label *widget.Label
	retry *widget.Button
	n     int
}

func newWaitingBanner(s *shipScreen) *waitingBanner {
	b := &waitingBanner{s: s, label: widget.NewLabel("")}
	b.label.Wrapping = fyne.TextWrapWord
	b.label.TextStyle = fyne.TextStyle{Bold: true}
	b.retry = widget.NewButtonWithIcon(i18n.T("Try now"), theme.ViewRefreshIcon(), func() {
		if s.ui.deps.RetryNow != nil {
			s.ui.deps.RetryNow()
		}
	})
	bg := canvas.NewRectangle(color.NRGBA{0xff, 0xe0, 0xb2, 0xff})
	b.box = container.NewStack(bg, container.NewPadded(container.NewBorder(nil, nil, nil, b.retry, b.label)))
	b.box.Hide()
	return b
}

// refresh counts the waiting orders again.
func (b *waitingBanner) refresh() {
	var (
		n   int
		err error
	)
	b.s.ui.async(func(ctx context.Context, who shipping.User) {
		var w []store.Order
		w, err = b.s.ui.svc.Waiting(ctx, who)
		n = len(w)
	}, func() {
		if err != nil {
			b.s.ui.deps.Logf("shipdesk: waiting orders: %v", err)
			return
		}
		b.show(n)
	})
}

func (b *waitingBanner) show(n int) {
	b.n = n
	if n == 0 {
		b.box.Hide()
		return
	}
	b.label.SetText(i18n.F("%d orders are waiting for their waybill number (Kuaidi100 or the network is down). They are issued and printed by themselves when it is back; go on with the next patient.", n))
	b.box.Show()
}

// waybillArrived runs on the retrier's goroutine: a waiting order got its
// number (or was refused).
func (u *UI) waybillArrived(res *shipping.ShipResult, err error) {
	if u.closed.Load() {
		return
	}
	u.onMain(false, func() {
		s := u.ship
		switch {
		case err != nil:
			s.status.SetText(shipping.Describe(err))
		case res.Warning != "":
			// The printer was not ready: the label waits in the print queue.
			s.status.SetText(i18n.F("Waybill %s obtained for a waiting order, but: %s", res.Order.Waybill, res.Warning))
		default:
			s.status.SetText(i18n.F("Waybill %s obtained for a waiting order (%s); its label is printed.", res.Order.Waybill, res.Order.Recipient.Name))
		}
		s.waiting.refresh()
		u.dash.changed()
	})
}
