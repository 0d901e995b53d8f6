package sheet

import (
	"fmt"
	"io"
	"strconv"
	"time"
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
// costs, the totals, and the parcels still waiting for the courier.
func WriteDay(w io.Writer, day Day) error {
	date := day.Date.Format("2006-01-02")
	d, err := newDoc("发货日报 "+date, day.At, "发货日报 "+date)
	if err != nil {
		return err
	}
	if err := d.title("发货日报"); err != nil {
		return err
	}
	for _, l := range []string{
		fmt.Sprintf("网点：%s        日期：%s", day.Station, date),
		fmt.Sprintf("生成时间：%s", day.At.Format("2006-01-02 15:04")),
	} {
		if err := d.line(11, l); err != nil {
			return err
		}
	}
	d.y += 6
	cols := []Column{{"快递公司", 95, false}, {"发货", 45, true}, {"已交接", 50, true}, {"已取消", 50, true},
		{"补打", 40, true}, {"重量kg", 60, true}, {"面单费", 60, true}, {"短信", 40, true}, {"短信费", 55, true}}
	cells := func(c DayCarrier) []string {
		return []string{c.Carrier, strconv.Itoa(c.Shipped), strconv.Itoa(c.HandedOver), strconv.Itoa(c.Cancelled),
			strconv.Itoa(c.Reprinted), kg(c.Weight), yuan(c.WaybillFen), strconv.Itoa(c.SMS), yuan(c.SMSFen)}
	}
	var rows [][]string
	for _, c := range day.Carriers {
		rows = append(rows, cells(c))
	}
	t := day.Total
	t.Carrier = "合计"
	rows = append(rows, cells(t))
	if err := d.table(cols, rows); err != nil {
		return err
	}
	for _, c := range day.Carriers {
		if len(c.NotHanded) == 0 {
			continue
		}
		if err := d.line(11, fmt.Sprintf("%s 已打印未交接 %d 件：", c.Carrier, len(c.NotHanded))); err != nil {
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
	if err := d.signatures("制表人：", "主管审核："); err != nil {
		return err
	}
	return d.write(w)
}
