package shipping

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"shipdesk/kuaidi100"
	"shipdesk/shipping/sheet"
	"shipdesk/store"
)

// DayLine is one carrier's end of the day: the waybills issued that
// clinic day, how many of them went to the courier and how many were
// cancelled, the reprints made that day, their weight and what they cost
// the clinic (waybills at the settings' price, SMS about them as logged).
type DayLine struct {
	Carrier     string   `json:"carrier"`
	CarrierName string   `json:"carrierName"`
	Shipped     int      `json:"shipped"`
	HandedOver  int      `json:"handedOver"`
	Cancelled   int      `json:"cancelled"`
	Reprinted   int      `json:"reprinted"`
	WeightKg    float64  `json:"weightKg"`
	WaybillFen  int      `json:"waybillFen"`
	SMS         int      `json:"sms"`
	SMSFen      int      `json:"smsFen"`
	NotHanded   []string `json:"notHandedOver"` // printed, not cancelled, not on a 交接单
}

// DayReport is the end-of-day sheet of one clinic day.
type DayReport struct {
	Date     string    `json:"date"` // 2026-12-02, clinic time
	Station  string    `json:"station"`
	At       time.Time `json:"at"`
	Carriers []DayLine `json:"carriers"` // most shipped first
	Total    DayLine   `json:"total"`
}

// maxReprintScan bounds how many of the newest print jobs the day sheet
// reads for the day's reprints.
const maxReprintScan = 20000

// DayReport computes the end-of-day sheet for day's clinic day (managers:
// ActStats).
func (s *Service) DayReport(ctx context.Context, u User, day time.Time) (DayReport, error) {
	if err := s.allow(u, ActStats); err != nil {
		return DayReport{}, err
	}
	st, err := s.d.DB.Settings(ctx)
	if err != nil {
		return DayReport{}, fmt.Errorf("day report: %w", err)
	}
	from, to := clinicDay(day)
	r := DayReport{Date: from.Format("2006-01-02"), At: s.now().In(ClinicTime)}
	if len(st.Senders) > 0 {
		r.Station = st.Senders[0].Name
	}
	lines := dayLines{}
	if err := s.countShipped(ctx, st, from, to, lines); err != nil {
		return r, fmt.Errorf("day report: %w", err)
	}
	if err := s.countReprints(ctx, from, to, lines); err != nil {
		return r, fmt.Errorf("day report: %w", err)
	}
	r.Carriers, r.Total = lines.sorted(), lines.total()
	return r, nil
}

// dayLines are the day sheet's lines by carrier code.
type dayLines map[string]*DayLine

// line is carrier c's line, started empty.
func (ls dayLines) line(c string) *DayLine {
	if l, ok := ls[c]; ok {
		return l
	}
	l := &DayLine{Carrier: c, CarrierName: kuaidi100.CarrierName(c), NotHanded: []string{}}
	ls[c] = l
	return l
}

// countShipped counts the shipments created in [from, to) on their
// carriers' lines: handed over, cancelled, printed but not handed over,
// waybill cost, weight and SMS.
func (s *Service) countShipped(ctx context.Context, st store.Settings, from, to time.Time, lines dayLines) error {
	list, err := s.d.DB.ShipmentsByDay(ctx, from, to.Add(-time.Nanosecond), 0)
	if err != nil {
		return err
	}
	for _, sh := range list {
		if sh.CreatedAt.Before(from) || !sh.CreatedAt.Before(to) {
			continue
		}
		l := lines.line(sh.Carrier)
		l.Shipped++
		switch {
		case sh.Milestone == store.MilestoneCancelled:
			l.Cancelled++
		case !sh.HandedOverAt.IsZero():
			l.HandedOver++
		case !sh.PrintedAt.IsZero() && sh.Milestone == store.MilestoneOrdered:
			l.NotHanded = append(l.NotHanded, sh.Waybill)
		}
		if sh.Milestone != store.MilestoneCancelled {
			l.WaybillFen += st.Counter.WaybillPrice(sh.Carrier)
			if sh.OrderID != "" {
				if o, err := s.d.DB.Order(ctx, sh.OrderID); err == nil {
					l.WeightKg += o.Weight
				}
			}
		}
		n, fen, err := s.smsOf(ctx, sh.Waybill)
		if err != nil {
			return err
		}
		l.SMS += n
		l.SMSFen += fen
	}
	return nil
}

// countReprints counts the reprints made in [from, to) (among the newest
// maxReprintScan print jobs) on their waybills' carriers' lines.
func (s *Service) countReprints(ctx context.Context, from, to time.Time, lines dayLines) error {
	jobs, err := s.d.DB.Jobs(ctx, store.JobFilter{Limit: maxReprintScan})
	if err != nil {
		return err
	}
	for _, j := range jobs {
		if !j.Reprint || j.CreatedAt.Before(from) || !j.CreatedAt.Before(to) || j.Waybill == "" {
			continue
		}
		c := ""
		if sh, err := s.d.DB.Shipment(ctx, j.Waybill); err == nil {
			c = sh.Carrier
		}
		lines.line(c).Reprinted++
	}
	return nil
}

// sorted is the lines, most shipped first (never nil).
func (ls dayLines) sorted() []DayLine {
	out := []DayLine{}
	for _, l := range ls {
		out = append(out, *l)
	}
	slices.SortFunc(out, func(a, b DayLine) int {
		if a.Shipped != b.Shipped {
			return b.Shipped - a.Shipped
		}
		return compareStrings(a.Carrier, b.Carrier)
	})
	return out
}

// total is the 合计 line, the not-handed-over waybills in line order.
func (ls dayLines) total() DayLine {
	t := DayLine{Carrier: "", CarrierName: "合计", NotHanded: []string{}}
	for _, l := range ls.sorted() {
		t.Shipped += l.Shipped
		t.HandedOver += l.HandedOver
		t.Cancelled += l.Cancelled
		t.Reprinted += l.Reprinted
		t.WeightKg += l.WeightKg
		t.WaybillFen += l.WaybillFen
		t.SMS += l.SMS
		t.SMSFen += l.SMSFen
		t.NotHanded = append(t.NotHanded, l.NotHanded...)
	}
	return t
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// smsOf counts the charged SMS about waybill and their cost in fen.
func (s *Service) smsOf(ctx context.Context, waybill string) (n, fen int, err error) {
	msgs, err := s.d.DB.SMSFor(ctx, waybill)
	if err != nil {
		return 0, 0, err
	}
	for _, m := range msgs {
		if m.State == store.SMSIntent || m.State == store.SMSSent || m.State == store.SMSDelivered {
			n++
			fen += m.CostFen
		}
	}
	return n, fen, nil
}

// WriteDayPDF writes r as the A4 end-of-day sheet.
func WriteDayPDF(w io.Writer, r DayReport) error {
	date, err := time.ParseInLocation("2006-01-02", r.Date, ClinicTime)
	if err != nil {
		return fmt.Errorf("day sheet: date %q: %w", r.Date, err)
	}
	d := sheet.Day{Station: r.Station, Date: date, At: r.At.In(ClinicTime)}
	conv := func(l DayLine) sheet.DayCarrier {
		return sheet.DayCarrier{Carrier: l.CarrierName, Shipped: l.Shipped, HandedOver: l.HandedOver, Cancelled: l.Cancelled,
			Reprinted: l.Reprinted, Weight: l.WeightKg, WaybillFen: l.WaybillFen, SMS: l.SMS, SMSFen: l.SMSFen, NotHanded: l.NotHanded}
	}
	for _, l := range r.Carriers {
		d.Carriers = append(d.Carriers, conv(l))
	}
	d.Total = conv(r.Total)
	return sheet.WriteDay(w, d)
}

func fenText(f int) string { return strconv.FormatFloat(float64(f)/100, 'f', 2, 64) }

// WriteDayCSV writes r as CSV (UTF-8 with a byte-order mark, so Excel
// shows the Chinese), one row per carrier and a total row.
func WriteDayCSV(w io.Writer, r DayReport) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return fmt.Errorf("day csv: %w", err)
	}
	cw := csv.NewWriter(w)
	rows := [][]string{{"日期", "快递公司", "公司代码", "发货", "已交接", "已取消", "补打", "重量(kg)", "面单费(元)", "短信(条)", "短信费(元)", "已打印未交接"}}
	for _, l := range append(slices.Clone(r.Carriers), r.Total) {
		rows = append(rows, []string{r.Date, l.CarrierName, l.Carrier, strconv.Itoa(l.Shipped), strconv.Itoa(l.HandedOver),
			strconv.Itoa(l.Cancelled), strconv.Itoa(l.Reprinted), strconv.FormatFloat(l.WeightKg, 'f', 2, 64),
			fenText(l.WaybillFen), strconv.Itoa(l.SMS), fenText(l.SMSFen), strconv.Itoa(len(l.NotHanded))})
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("day csv: %w", err)
	}
	return nil
}

// CostLine is what one carrier's parcels of one month cost the clinic.
type CostLine struct {
	Month       string `json:"month"` // 2026-12
	Carrier     string `json:"carrier"`
	CarrierName string `json:"carrierName"`
	Waybills    int    `json:"waybills"` // not cancelled
	WaybillFen  int    `json:"waybillFen"`
	SMS         int    `json:"sms"`
	SMSFen      int    `json:"smsFen"`
}

// Costs returns the waybills and SMS per carrier per clinic month for the
// last months months ending with now's (managers: ActStats), oldest month
// first. SMS count under the month their parcel was shipped.
func (s *Service) Costs(ctx context.Context, u User, months int) ([]CostLine, error) {
	if err := s.allow(u, ActStats); err != nil {
		return nil, err
	}
	if months <= 0 {
		months = 6
	}
	st, err := s.d.DB.Settings(ctx)
	if err != nil {
		return nil, fmt.Errorf("costs: %w", err)
	}
	now := s.now().In(ClinicTime)
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, ClinicTime).AddDate(0, -(months - 1), 0)
	list, err := s.d.DB.ShipmentsByDay(ctx, first, now, 0)
	if err != nil {
		return nil, fmt.Errorf("costs: %w", err)
	}
	idx := map[[2]string]*CostLine{}
	var keys [][2]string
	for _, sh := range list {
		if sh.CreatedAt.Before(first) || sh.Milestone == store.MilestoneCancelled {
			continue
		}
		k := [2]string{sh.CreatedAt.In(ClinicTime).Format("2006-01"), sh.Carrier}
		l, ok := idx[k]
		if !ok {
			l = &CostLine{Month: k[0], Carrier: k[1], CarrierName: kuaidi100.CarrierName(k[1])}
			idx[k] = l
			keys = append(keys, k)
		}
		l.Waybills++
		l.WaybillFen += st.Counter.WaybillPrice(sh.Carrier)
		n, fen, err := s.smsOf(ctx, sh.Waybill)
		if err != nil {
			return nil, fmt.Errorf("costs: %w", err)
		}
		l.SMS += n
		l.SMSFen += fen
	}
	slices.SortFunc(keys, func(a, b [2]string) int {
		if c := compareStrings(a[0], b[0]); c != 0 {
			return c
		}
		return compareStrings(a[1], b[1])
	})
	out := make([]CostLine, 0, len(keys))
	for _, k := range keys {
		out = append(out, *idx[k])
	}
	return out, nil
}

// WriteCostsCSV writes the cost lines as CSV with a byte-order mark.
func WriteCostsCSV(w io.Writer, lines []CostLine) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return fmt.Errorf("costs csv: %w", err)
	}
	cw := csv.NewWriter(w)
	rows := [][]string{{"月份", "快递公司", "公司代码", "面单(张)", "面单费(元)", "短信(条)", "短信费(元)", "合计(元)"}}
	for _, l := range lines {
		rows = append(rows, []string{l.Month, l.CarrierName, l.Carrier, strconv.Itoa(l.Waybills), fenText(l.WaybillFen),
			strconv.Itoa(l.SMS), fenText(l.SMSFen), fenText(l.WaybillFen + l.SMSFen)})
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("costs csv: %w", err)
	}
	return nil
}
