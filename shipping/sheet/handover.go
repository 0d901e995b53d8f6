package sheet

import (
	"fmt"
	"io"
	"strconv"
	"time"
)

// HandoverParcel is one line of a 交接单.
type HandoverParcel struct {
	Waybill string
	City    string  // the recipient's city (and district)
	Weight  float64 // kg
}

// Handover is a 交接单: the parcels one courier took from the station.
type Handover struct {
	ID          string
	Station     string
	Carrier     string // the carrier's name, e.g. 中通快递
	Courier     string // the courier's name, when the clerk typed it
	Clerk       string
	At          time.Time // when it was finished, in the clinic's zone
	Parcels     []HandoverParcel
	TotalWeight float64
}

func kg(w float64) string { return strconv.FormatFloat(w, 'f', 2, 64) }

// WriteHandover writes h as a one-or-more-page A4 PDF: the station,
// carrier, courier, time and count at the top, each waybill with its
// recipient city and weight, the total, and lines for both signatures.
func WriteHandover(w io.Writer, h Handover) error {
	d, err := newDoc("揽收交接单 "+h.ID, h.At, "交接单 "+h.ID)
	if err != nil {
		return err
	}
	if err := d.title("揽收交接单"); err != nil {
		return err
	}
	courier := h.Courier
	if courier == "" {
		courier = "________________"
	}
	for _, l := range []string{
		fmt.Sprintf("发件网点：%s", h.Station),
		fmt.Sprintf("快递公司：%s        揽件员：%s", h.Carrier, courier),
		fmt.Sprintf("交接时间：%s        交接单号：%s", h.At.Format("2006-01-02 15:04"), h.ID),
		fmt.Sprintf("件数：%d 件        总重量：%s kg        经办人：%s", len(h.Parcels), kg(h.TotalWeight), h.Clerk),
	} {
		if err := d.line(11, l); err != nil {
			return err
		}
	}
	d.y += 6
	cols := []Column{{"序号", 40, true}, {"运单号", 180, false}, {"收件城市", 200, false}, {"重量(kg)", 95, true}}
	rows := make([][]string, 0, len(h.Parcels))
	for i, p := range h.Parcels {
		rows = append(rows, []string{strconv.Itoa(i + 1), p.Waybill, p.City, kg(p.Weight)})
	}
	rows = append(rows, []string{"", "合计 " + strconv.Itoa(len(h.Parcels)) + " 件", "", kg(h.TotalWeight)})
	if err := d.table(cols, rows); err != nil {
		return err
	}
	if err := d.line(10, "以上快件已当面点清，件数无误。"); err != nil {
		return err
	}
	if err := d.signatures("交件人签字：", "揽件员签字："); err != nil {
		return err
	}
	if err := d.signatures("日期：", "时间："); err != nil {
		return err
	}
	return d.write(w)
}
