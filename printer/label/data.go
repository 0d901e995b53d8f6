package label

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"

	"shipdesk/assets"
)

// ErrNoWaybill reports a label asked for without a waybill number.
var ErrNoWaybill = errors.New("没有运单号，无法打印面单")

// Data is everything an e-waybill shows. Build it with DataFromOrder or
// fill it directly; empty fields are left off the label.
type Data struct {
	Waybill     string // the number, printed as Code 128 and text
	Carrier     string // Kuaidi100 company code, e.g. "zhongtong"
	CarrierName string // printed name; empty: looked up from Carrier
	Product     string // product type, e.g. 标准快递
	Routing     Routing
	Recipient   Party
	Sender      Party
	Items       string
	Remark      string
	Count       int
	Weight      float64 // kg
	// InsuredValue and COD are in yuan; printed when above zero.
	InsuredValue float64
	COD          float64
	PayType      string // SHIPPER, CONSIGNEE, MONTHLY
	PrintedAt    time.Time
	// Privacy chooses what the 隐私面单 hides.
	Privacy   Privacy
	Reference string // the clinic's order number (配镜单号)
	// ChildIndex/ChildTotal number the parcels of a multi-parcel shipment
	// (子母件), 1-based; ChildTotal <= 1 prints nothing. ParentWaybill is
	// the mother waybill a child parcel belongs to (printed with it).
	ChildIndex, ChildTotal int
	ParentWaybill          string
}

// Parcels returns the labels of a multi-parcel shipment (子母件): d (the
// mother waybill) as parcel 1 of N, then each child number as parcel k of
// N carrying the mother's number. With no children it returns d alone.
func Parcels(d Data, children []string) []Data {
	if len(children) == 0 {
		return []Data{d}
	}
	n := len(children) + 1
	out := []Data{d}
	out[0].ChildIndex, out[0].ChildTotal = 1, n
	for i, c := range children {
		x := d
		x.Waybill, x.ParentWaybill, x.ChildIndex, x.ChildTotal = c, d.Waybill, i+2, n
		out = append(out, x)
	}
	return out
}

var (
	carrierOnce  sync.Once
	carrierNames map[string]string
)

// CarrierName returns the Chinese name of a Kuaidi100 company code from the
// embedded carrier table, or the code itself when unknown.
func CarrierName(code string) string {
	carrierOnce.Do(func() {
		carrierNames = map[string]string{}
		rows, err := csv.NewReader(bytes.NewReader(assets.CarriersCSV)).ReadAll()
		if err != nil {
			return
		}
		for _, r := range rows {
			if len(r) >= 2 {
				if _, dup := carrierNames[r[1]]; !dup {
					carrierNames[r[1]] = r[0]
				}
			}
		}
	})
	if n, ok := carrierNames[strings.ToLower(strings.TrimSpace(code))]; ok {
		return n
	}
	return code
}

// MaskPhone hides the middle of a phone number for a privacy label: mobile
// numbers keep the first three and last four digits (138****5678), landlines
// keep the area code and last four (022-****6655); anything else keeps its
// last four characters. "+86"/"0086" prefixes are dropped.
func MaskPhone(p string) string {
	p = strings.TrimSpace(p)
	if p == "" {
		return ""
	}
	p = strings.TrimPrefix(strings.TrimPrefix(p, "+86"), "0086")
	p = strings.TrimLeft(p, " -")
	digits := strings.Map(func(r rune) rune {
		if unicode.IsDigit(r) {
			return r
		}
		return -1
	}, p)
	if len(digits) == 11 && digits[0] == '1' {
		return digits[:3] + "****" + digits[7:]
	}
	if area, local, ok := strings.Cut(p, "-"); ok && len(local) > 4 {
		local = strings.ReplaceAll(local, "-", "")
		return area + "-" + strings.Repeat("*", len(local)-4) + local[len(local)-4:]
	}
	r := []rune(p)
	if len(r) <= 4 {
		return strings.Repeat("*", len(r))
	}
	keep := 4
	head := 0
	if len(r) >= 9 {
		head = 3
	}
	return string(r[:head]) + strings.Repeat("*", len(r)-keep-head) + string(r[len(r)-keep:])
}

// payName is how the payment type reads on a label.
func payName(p string) string {
	switch strings.ToUpper(strings.TrimSpace(p)) {
	case "SHIPPER":
		return "寄付"
	case "CONSIGNEE":
		return "到付"
	case "MONTHLY":
		return "月结"
	}
	return strings.TrimSpace(p)
}

func dpmm(dpi int) float64 {
	if dpi == 203 {
		return 8
	}
	return float64(dpi) / 25.4
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func joinSpace(ss ...string) string { return strings.Join(nonEmpty(ss...), "  ") }

// recipientAddress prefixes province/city/district when the address does not
// already start with them.
func recipientAddress(p Party) string {
	a := strings.TrimSpace(p.Address)
	var pre string
	for _, part := range []string{p.Province, p.City, p.District} {
		if part != "" && !strings.Contains(a, part) && !strings.Contains(pre, part) {
			pre += part
		}
	}
	a = pre + a
	if p.Company != "" {
		a = p.Company + " " + a
	}
	return a
}

func yuan(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	return strings.TrimSuffix(strings.TrimSuffix(s, ".00"), ".0")
}
