package app

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"shipdesk/assets/i18n"
	"shipdesk/shipping"
	"shipdesk/store"
)

// counterSettings is the settings tab 柜台 (the counter's day): how long
// recipient details are kept, the handover time, how long an order may
// wait for its number, the clinic's waybill prices, and deleting a
// patient's data.
type counterSettings struct {
	s                              *settingsScreen
	content                        fyne.CanvasObject
	retention, handoverBy, waitMax *widget.Entry
	defaultPrice, carrierPrices    *widget.Entry
	forgetPhone                    *widget.Entry
	forgetBtn                      *widget.Button
	forgetMsg                      *widget.Label
}

func newCounterSettings(s *settingsScreen) *counterSettings {
	c := &counterSettings{s: s, retention: widget.NewEntry(), handoverBy: widget.NewEntry(), waitMax: widget.NewEntry(),
		defaultPrice: widget.NewEntry(), carrierPrices: widget.NewMultiLineEntry(), forgetPhone: widget.NewEntry(), forgetMsg: widget.NewLabel("")}
	c.handoverBy.SetPlaceHolder(store.DefaultHandoverBy)
	c.carrierPrices.SetPlaceHolder("zhongtong 0.30\nshunfeng 1.00")
	c.carrierPrices.SetMinRowsVisible(4)
	c.forgetPhone.SetPlaceHolder("13700001111")
	c.forgetMsg.Wrapping = fyne.TextWrapWord
	c.forgetBtn = widget.NewButtonWithIcon(i18n.T("Delete this patient's data…"), theme.DeleteIcon(), c.askForget)
	c.forgetBtn.Importance = widget.DangerImportance
	c.content = container.NewVScroll(container.NewVBox(
		widget.NewForm(
			widget.NewFormItem(i18n.T("Keep recipient details of delivered parcels (days, 0 = for ever)"), c.retention),
			widget.NewFormItem(i18n.T("Courier must have the day's parcels by (HH:MM)"), c.handoverBy),
			widget.NewFormItem(i18n.T("An order may wait for its waybill number (minutes)"), c.waitMax),
			widget.NewFormItem(i18n.T("Price per waybill (yuan)"), c.defaultPrice),
			widget.NewFormItem(i18n.T("Prices by carrier (code and yuan, one a line)"), c.carrierPrices),
		),
		widget.NewSeparator(),
		widget.NewLabelWithStyle(i18n.T("Delete a patient's data (at the patient's request)"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		widget.NewLabel(i18n.T("Names, phones and addresses are masked everywhere they are stored; the parcels stay for the counts. The audit log records it.")),
		container.NewBorder(nil, nil, widget.NewLabel(i18n.T("Phone")), c.forgetBtn, c.forgetPhone),
		c.forgetMsg,
	))
	return c
}

func yuan(fen int) string { return strconv.FormatFloat(float64(fen)/100, 'f', 2, 64) }

func parseYuan(s string) (int, bool) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || v < 0 || v > 1e6 {
		return 0, false
	}
	return int(math.Round(v * 100)), true
}

func (c *counterSettings) load(st store.Settings) {
	c.retention.SetText(strconv.Itoa(st.Counter.Retention()))
	c.handoverBy.SetText(st.Counter.HandoverBy)
	c.waitMax.SetText(strconv.Itoa(int(st.Counter.WaitingMax().Minutes())))
	c.defaultPrice.SetText(yuan(st.Counter.WaybillFen[""]))
	var lines []string
	for _, k := range slices.Sorted(maps.Keys(st.Counter.WaybillFen)) {
		if k != "" {
			lines = append(lines, k+" "+yuan(st.Counter.WaybillFen[k]))
		}
	}
	c.carrierPrices.SetText(strings.Join(lines, "\n"))
	setEnabled(c.forgetBtn, c.s.ui.allowed(shipping.ActPrivacy))
}

func (c *counterSettings) collect(st *store.Settings) error {
	days, err := strconv.Atoi(strings.TrimSpace(c.retention.Text))
	if err != nil || days < 0 {
		return fmt.Errorf(i18n.T("%s: please enter a whole number."), i18n.T("Keep recipient details of delivered parcels (days, 0 = for ever)"))
	}
	st.Counter.RetentionDays = &days
	st.Counter.HandoverBy = strings.TrimSpace(c.handoverBy.Text)
	if v, err := strconv.Atoi(strings.TrimSpace(c.waitMax.Text)); err == nil && v > 0 {
		st.Counter.WaitingMaxMinutes = v
	} else {
		return fmt.Errorf(i18n.T("%s: please enter a whole number."), i18n.T("An order may wait for its waybill number (minutes)"))
	}
	prices := map[string]int{}
	if strings.TrimSpace(c.defaultPrice.Text) != "" {
		p, ok := parseYuan(c.defaultPrice.Text)
		if !ok {
			return fmt.Errorf(i18n.T("%s: please enter a number."), i18n.T("Price per waybill (yuan)"))
		}
		prices[""] = p
	}
	for _, line := range strings.Split(c.carrierPrices.Text, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		p, ok := 0, len(f) == 2
		if ok {
			p, ok = parseYuan(f[1])
		}
		if !ok {
			return fmt.Errorf(i18n.T("Prices by carrier: “%s” should be a carrier code and a price, e.g. zhongtong 0.30."), line)
		}
		prices[f[0]] = p
	}
	st.Counter.WaybillFen = prices
	return nil
}

// askForget confirms, then deletes the patient's data (managers only).
func (c *counterSettings) askForget() {
	phone := strings.TrimSpace(c.forgetPhone.Text)
	if phone == "" {
		c.forgetMsg.SetText(i18n.T("Enter the patient's phone number first."))
		return
	}
	dialog.ShowConfirm(i18n.T("Delete a patient's data"),
		fmt.Sprintf(i18n.T("Mask the name, phone and address of every parcel to %s? This cannot be undone."), store.MaskPhone(phone)),
		func(ok bool) {
			if ok {
				c.forget(phone)
			}
		}, c.s.ui.win)
}

func (c *counterSettings) forget(phone string) {
	var (
		res shipping.ForgetResult
		err error
	)
	c.s.ui.async(func(ctx context.Context, who shipping.User) {
		res, err = c.s.ui.svc.Forget(ctx, who, phone)
	}, func() {
		if err != nil {
			c.forgetMsg.SetText(shipping.Describe(err))
			return
		}
		c.forgetPhone.SetText("")
		c.forgetMsg.SetText(fmt.Sprintf(i18n.T("Deleted: %d parcels, %d orders, %d SMS and %d print jobs masked."), res.Shipments, res.Orders, res.SMS, res.PrintJobs))
		c.s.load()
	})
}
