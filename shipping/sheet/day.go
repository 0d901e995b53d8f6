package sheet

import (
	"io"
	"strconv"
	"time"

	"shipdesk/assets/i18n"
)

// DayCarrier is one carrier's line of the end-of-day sheet.
type DayCarrier struct {
	Carrier    string // name
	Shipped    int
	HandedOver int
	Cancelled  int
	Reprinted  int // reprints made that day
	Weight     float64
	WaybillFen int // what the day's waybills cost the clinic
	SMS        int
	SMSFen     int
	NotHanded  []string // waybills printed but not handed over
}

// Day is the end-of-day sheet of one station.
type Day struct {
	Station  string
	Date     time.Time // the day, in the clinic's zone
	At       time.Time // when the sheet was made
	Carriers []DayCarrier
	Total    DayCarrier
}

func yuan(fen int) string { return strconv.FormatFloat(float64(fen)/100, 'f', 2, 64) }

// WriteDay writes the end-of-day sheet as an A4 PDF: per carrier the
// parcels shipped, handed over, cancelled and reprinted, weight and
// costs, the totals, and the parcels still waiting for the courier. Its
// texts are in the language in use (package i18n).
func WriteDay(w io.Writer, day Day) error {
	date := day.Date.Format("2006-01-02")
	d, err := newDoc(i18n.F("Day sheet %s", date), day.At, i18n.F("Day sheet %s", date))
	if err != nil {
		return err
	}
	if err := d.title(i18n.T("Day sheet")); err != nil {
		return err
	}
	for _, l := range []string{
		i18n.F("Station: %s        Date: %s", day.Station, date),
		i18n.F("Made at: %s", day.At.Format("2006-01-02 15:04")),
	} {
		if err := d.line(11, l); err != nil {
			return err
		}
	}
	d.y += 6
	cols := []Column{{i18n.T("Carrier"), 95, false}, {i18n.T("Shipped"), 45, true}, {i18n.T("Handed over"), 50, true}, {i18n.T("Cancelled"), 50, true},
		{i18n.T("Reprinted"), 40, true}, {i18n.T("Weight kg"), 60, true}, {i18n.T("Waybill fees"), 60, true}, {i18n.T("SMS"), 40, true}, {i18n.T("SMS fees"), 55, true}}
	cells := func(c DayCarrier) []string {
		return []string{c.Carrier, strconv.Itoa(c.Shipped), strconv.Itoa(c.HandedOver), strconv.Itoa(c.Cancelled),
			strconv.Itoa(c.Reprinted), kg(c.Weight), yuan(c.WaybillFen), strconv.Itoa(c.SMS), yuan(c.SMSFen)}
	}
	var rows [][]string
	for _, c := range day.Carriers {
		rows = append(rows, cells(c))
	}
	t := day.Total
	t.Carrier = i18n.T("Total")
	rows = append(rows, cells(t))
	if err := d.table(cols, rows); err != nil {
		return err
	}
	for _, c := range day.Carriers {
		if len(c.NotHanded) == 0 {
			continue
		}
		if err := d.line(11, i18n.F("%s: %d printed parcels not handed over:", c.Carrier, len(c.NotHanded))); err != nil {
			return err
		}
		for i := 0; i < len(c.NotHanded); i += 4 {
			end := min(i+4, len(c.NotHanded))
			line := ""
			for _, wb := range c.NotHanded[i:end] {
				line += wb + "    "
			}
			if err := d.line(10, "    "+line); err != nil {
				return err
			}
		}
	}
	if err := d.signatures(i18n.T("Made by:"), i18n.T("Checked by the manager:")); err != nil {
		return err
	}
	return d.write(w)
}
