package sheet

import (
	"io"
	"strconv"
	"time"

	"shipdesk/assets/i18n"
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
// Its texts are in the language in use (package i18n).
func WriteHandover(w io.Writer, h Handover) error {
	d, err := newDoc(i18n.F("Pickup handover sheet %s", h.ID), h.At, i18n.F("Handover sheet %s", h.ID))
	if err != nil {
		return err
	}
	if err := d.title(i18n.T("Pickup handover sheet")); err != nil {
		return err
	}
	courier := h.Courier
	if courier == "" {
		courier = "________________"
	}
	for _, l := range []string{
		i18n.F("Sending station: %s", h.Station),
		i18n.F("Carrier: %s        Courier: %s", h.Carrier, courier),
		i18n.F("Handed over at: %s        Handover number: %s", h.At.Format("2006-01-02 15:04"), h.ID),
		i18n.F("Parcels: %d        Total weight: %s kg        Clerk: %s", len(h.Parcels), kg(h.TotalWeight), h.Clerk),
	} {
		if err := d.line(11, l); err != nil {
			return err
		}
	}
	d.y += 6
	cols := []Column{{i18n.T("No."), 40, true}, {i18n.T("Waybill number"), 180, false}, {i18n.T("Recipient city"), 200, false}, {i18n.T("Weight, kg"), 95, true}}
	rows := make([][]string, 0, len(h.Parcels))
	for i, p := range h.Parcels {
		rows = append(rows, []string{strconv.Itoa(i + 1), p.Waybill, p.City, kg(p.Weight)})
	}
	rows = append(rows, []string{"", i18n.F("Total %d parcels", len(h.Parcels)), "", kg(h.TotalWeight)})
	if err := d.table(cols, rows); err != nil {
		return err
	}
	if err := d.line(10, i18n.T("The parcels above were counted in both our presence; the count is correct.")); err != nil {
		return err
	}
	if err := d.signatures(i18n.T("Handed over by (signature):"), i18n.T("Courier (signature):")); err != nil {
		return err
	}
	if err := d.signatures(i18n.T("Date:"), i18n.T("Time:")); err != nil {
		return err
	}
	return d.write(w)
}
