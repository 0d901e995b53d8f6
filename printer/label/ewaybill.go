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
	// (子母件), 1-based; ChildTotal <= 1 prints nothing.
	ChildIndex, ChildTotal int
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

// layout holds the sizes of one template in millimetres.
type layout struct {
	margin                                             float64
	header, routing, barcode, pkg, sender, items, foot float64
	minRecipient                                       float64
	big, name, addr, addrMin, small, tiny, bigPen      float64 // type sizes, mm per em
}

func layoutFor(s Size) (layout, error) {
	switch s {
	case Size76x130:
		return layout{margin: 2, header: 9, routing: 11, barcode: 17, pkg: 7, sender: 14, items: 11, foot: 24, minRecipient: 22,
			big: 3.8, name: 3.8, addr: 3.9, addrMin: 2.6, small: 2.5, tiny: 2.0, bigPen: 7}, nil
	case Size100x150:
		return layout{margin: 2, header: 11, routing: 13, barcode: 21, pkg: 8, sender: 16, items: 13, foot: 28, minRecipient: 26,
			big: 4.2, name: 4.2, addr: 4.2, addrMin: 3, small: 2.7, tiny: 2.2, bigPen: 8}, nil
	case Size100x180:
		return layout{margin: 2, header: 12, routing: 15, barcode: 24, pkg: 9, sender: 20, items: 18, foot: 32, minRecipient: 30,
			big: 4.4, name: 4.6, addr: 4.8, addrMin: 3, small: 2.9, tiny: 2.3, bigPen: 9}, nil
	}
	return layout{}, fmt.Errorf("e-waybill %s: %w", s, ErrSize)
}

// builder places elements in millimetres.
type builder struct {
	l   *Label
	dpi int
	top bool // align the next text to the top of its box instead of centring
}

func (b *builder) d(mm float64) int { return Dots(mm, b.dpi) }

func (b *builder) add(e Element) { b.l.Elements = append(b.l.Elements, e) }

// hline draws a full-width separator at y mm.
func (b *builder) hline(x, y, w float64) {
	b.add(&Bar{X: b.d(x), Y: b.d(y), W: b.d(w), H: b.lineW()})
}

func (b *builder) vline(x, y, h float64) {
	b.add(&Bar{X: b.d(x), Y: b.d(y), W: b.lineW(), H: b.d(h)})
}

func (b *builder) lineW() int {
	if b.dpi >= 300 {
		return 3
	}
	return 2
}

// text fits s into the box (x, y, w, h mm) at size mm per em, shrinking to
// minMM. inset keeps the ink clear of surrounding lines.
func (b *builder) text(field, s string, x, y, w, h, size, minSize float64, bold bool, align Align, maxLines int) error {
	const inset = 0.8
	o := TextOpts{
		X: b.d(x + inset), Y: b.d(y + inset), W: b.d(w - 2*inset), H: b.d(h - 2*inset),
		MaxPx: b.d(size), MinPx: b.d(minSize), MaxLines: maxLines, Bold: bold, Align: align, VCenter: !b.top, Field: field,
	}
	b.top = false
	t, err := FitText(s, o)
	if err != nil {
		return err
	}
	if t != nil {
		b.add(t)
	}
	return nil
}

// EWaybill lays out the e-waybill for d at the given size and resolution.
// It fails with ErrNoWaybill without a number, ErrSize for an unknown size,
// ErrTextTooLong when a field does not fit even at its smallest size, and
// ErrMissingGlyph for a character the font lacks.
func EWaybill(d Data, size Size, dpi int) (*Label, error) {
	lay, err := layoutFor(size)
	if err != nil {
		return nil, err
	}
	if err := CheckDPI(dpi); err != nil {
		return nil, err
	}
	d.Waybill = strings.TrimSpace(d.Waybill)
	if d.Waybill == "" {
		return nil, ErrNoWaybill
	}
	if _, err := Code128Modules(d.Waybill); err != nil {
		return nil, fmt.Errorf("运单号 %q 不能做成条码（只能是字母和数字）: %w", d.Waybill, err)
	}
	b := &builder{dpi: dpi, l: &Label{Size: size, DPI: dpi, WidthDots: Dots(float64(size.WidthMM), dpi), HeightDots: Dots(float64(size.HeightMM), dpi)}}
	W, H, m := float64(size.WidthMM), float64(size.HeightMM), lay.margin
	iw := W - 2*m // inner width
	pen := strings.TrimSpace(strings.Join(nonEmpty(d.Routing.BigPen, d.Routing.SortCode), " "))
	if pen == "" {
		// No sorting code from the carrier: print the destination city
		// large instead, as templates without 大头笔 do.
		pen = destination(d.Recipient)
	}
	hasRouting := pen != ""
	hasPkg := d.Routing.PkgName != "" || d.Routing.DestCode != "" || d.Routing.PkgCode != ""
	fixed := lay.header + lay.barcode + lay.sender + lay.items + lay.foot
	if hasRouting {
		fixed += lay.routing
	}
	if hasPkg {
		fixed += lay.pkg
	}
	recip := H - 2*m - fixed
	if recip < lay.minRecipient {
		return nil, fmt.Errorf("e-waybill %s: template leaves %.0f mm for the recipient: %w", size, recip, ErrSize)
	}

	// Frame.
	b.add(&Box{X: b.d(m), Y: b.d(m), W: b.d(iw), H: b.d(H - 2*m), Thickness: b.lineW()})
	y := m

	// 1. Header: carrier, child number, product type.
	name := d.CarrierName
	if name == "" {
		name = CarrierName(d.Carrier)
	}
	if err := b.text("快递公司", name, m, y, iw*0.4, lay.header, lay.big, lay.small, true, Left, 1); err != nil {
		return nil, err
	}
	if d.ChildTotal > 1 {
		if err := b.text("子单序号", fmt.Sprintf("%d/%d", d.ChildIndex, d.ChildTotal), m+iw*0.4, y, iw*0.15, lay.header, lay.big, lay.small, true, Center, 1); err != nil {
			return nil, err
		}
	}
	if head := joinSpace(d.Product, payName(d.PayType)); head != "" {
		if err := b.text("产品类型", head, m+iw*0.55, y, iw*0.45, lay.header, lay.big, lay.small, true, Right, 1); err != nil {
			return nil, err
		}
	}
	y += lay.header
	b.hline(m, y, iw)

	// 2. Routing: 大头笔 / 三段码.
	if hasRouting {
		if err := b.text("大头笔", pen, m, y, iw, lay.routing, lay.bigPen, lay.big, true, Center, 1); err != nil {
			return nil, err
		}
		y += lay.routing
		b.hline(m, y, iw)
	}

	// 3. The main barcode with the number below it.
	numH := lay.small * 1.8
	barH := lay.barcode - numH - 2
	mods, _ := Code128Modules(d.Waybill)
	maxMod := b.d(0.5)
	mod := min(maxMod, b.d(iw-2)/(mods+2*QuietModules))
	if mod < 1 {
		return nil, fmt.Errorf("运单号 %q 太长，条码放不下: %w", d.Waybill, ErrTextTooLong)
	}
	bw := mods * mod
	bc, err := NewCode128((b.l.WidthDots-bw)/2, b.d(y+1.2), mod, b.d(barH), d.Waybill, false)
	if err != nil {
		return nil, err
	}
	b.add(bc)
	if err := b.text("运单号", d.Waybill, m, y+1+barH, iw, numH, lay.small*1.45, lay.tiny, true, Center, 1); err != nil {
		return nil, err
	}
	y += lay.barcode
	b.hline(m, y, iw)

	// 4. 集包地 and destination code.
	if hasPkg {
		pkg := strings.TrimSpace(strings.Join(nonEmpty(d.Routing.PkgCode, d.Routing.PkgName), " "))
		if err := b.text("集包地", pkg, m, y, iw*0.62, lay.pkg, lay.big, lay.small, true, Left, 1); err != nil {
			return nil, err
		}
		b.vline(m+iw*0.62, y, lay.pkg)
		if err := b.text("目的地代码", d.Routing.DestCode, m+iw*0.62, y, iw*0.38, lay.pkg, lay.big, lay.small, true, Center, 1); err != nil {
			return nil, err
		}
		y += lay.pkg
		b.hline(m, y, iw)
	}

	// 5. Recipient: 收 column, name and phone, the address in large type.
	col := lay.big * 1.6
	if err := b.text("收", "收", m, y, col, recip, lay.big*1.3, lay.big, true, Center, 1); err != nil {
		return nil, err
	}
	b.vline(m+col, y, recip)
	phone := d.Recipient.Phone
	if d.Privacy.MaskPhones {
		phone = MaskPhone(phone)
	}
	rx, rw := m+col, iw-col
	nameH := lay.name * 1.6
	if err := b.text("收件人", joinSpace(d.Recipient.Name, phone), rx, y, rw, nameH, lay.name, lay.small, true, Left, 1); err != nil {
		return nil, err
	}
	addr := recipientAddress(d.Recipient)
	b.top = true
	if err := b.text("收件地址", addr, rx, y+nameH-0.6, rw, recip-nameH+0.6, lay.addr, lay.addrMin, true, Left, 0); err != nil {
		return nil, err
	}
	y += recip
	b.hline(m, y, iw)

	// 6. Sender.
	col2 := lay.small * 2
	if err := b.text("寄", "寄", m, y, col2, lay.sender, lay.big, lay.small, true, Center, 1); err != nil {
		return nil, err
	}
	b.vline(m+col2, y, lay.sender)
	sx, sw := m+col2, iw-col2
	sNameH := lay.small * 1.7
	if err := b.text("寄件人", joinSpace(d.Sender.Name, d.Sender.Phone), sx, y, sw, sNameH, lay.small, lay.tiny, false, Left, 1); err != nil {
		return nil, err
	}
	b.top = true
	if err := b.text("寄件地址", recipientAddress(d.Sender), sx, y+sNameH-0.6, sw, lay.sender-sNameH+0.6, lay.small, lay.tiny, false, Left, 0); err != nil {
		return nil, err
	}
	y += lay.sender
	b.hline(m, y, iw)

	// 7. Items, remark, reference; COD and insured value on the right.
	var money []string
	if d.COD > 0 {
		money = append(money, "代收货款 ¥"+yuan(d.COD))
	}
	if d.InsuredValue > 0 {
		money = append(money, "保价 ¥"+yuan(d.InsuredValue))
	}
	itemsW := iw
	if len(money) > 0 {
		itemsW = iw * 0.6
		b.vline(m+itemsW, y, lay.items)
		if err := b.text("代收/保价", strings.Join(money, "\n"), m+itemsW, y, iw-itemsW, lay.items, lay.name*0.85, lay.tiny, true, Left, 0); err != nil {
			return nil, err
		}
	}
	if err := b.text("内件/备注", itemsText(d), m, y, itemsW, lay.items, lay.small, lay.tiny, false, Left, 0); err != nil {
		return nil, err
	}
	y += lay.items
	b.hline(m, y, iw)

	// 8. Footer: QR left; signature box, print time right; the number
	// repeated small along the bottom.
	qrContent := d.Routing.QRContent
	if qrContent == "" {
		qrContent = d.Waybill
	}
	qm, err := QRModules(qrContent, 'M')
	if err != nil {
		return nil, fmt.Errorf("二维码内容太长: %w", err)
	}
	tinyLine := lay.tiny * 1.6
	qrBox := lay.foot - tinyLine - 2
	cell := min(b.d(0.75), b.d(qrBox)/qm)
	if cell < 2 {
		return nil, fmt.Errorf("二维码内容太长，面单上放不下: %w", ErrTextTooLong)
	}
	qpx := qm * cell
	q, err := NewQR(b.d(m+1.5), b.d(y+1)+(b.d(qrBox)-qpx)/2, cell, 'M', qrContent)
	if err != nil {
		return nil, err
	}
	b.add(q)
	right := m + 1.5 + float64(qpx+QRQuietModules*cell)/dpmm(dpi) + 0.5
	rw2 := W - m - 1.5 - right
	sigH := qrBox * 0.62
	b.add(&Box{X: b.d(right), Y: b.d(y + 1.2), W: b.d(rw2), H: b.d(sigH), Thickness: 1 + b.lineW()/2})
	if err := b.text("签收栏", "签收人/时间：", right+0.3, y+1.5, rw2-0.6, lay.tiny*2, lay.small, lay.tiny, false, Left, 1); err != nil {
		return nil, err
	}
	info := "打印时间 " + d.PrintedAt.Format("2006-01-02 15:04")
	if err := b.text("打印时间", info+"\n已验视  已实名", right, y+1.2+sigH, rw2, qrBox-sigH+0.2, lay.tiny*1.05, lay.tiny*0.9, false, Left, 2); err != nil {
		return nil, err
	}
	rep := d.Waybill + "   " + d.Waybill + "   " + d.Waybill
	if err := b.text("运单号", rep, m, H-m-tinyLine, iw, tinyLine, lay.tiny, lay.tiny*0.8, false, Center, 1); err != nil {
		return nil, err
	}
	return b.l, nil
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

// destination is the recipient's province and city ("江苏省南京市",
// "天津市") from the party's fields or the start of the address; "" when
// neither says.
func destination(p Party) string {
	if p.City != "" {
		if p.Province != "" && p.Province != p.City {
			return p.Province + p.City
		}
		return p.City
	}
	a := []rune(strings.TrimSpace(p.Address))
	for i, r := range a {
		if r == '市' && i > 0 && i < 12 {
			return string(a[:i+1])
		}
	}
	return ""
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

func itemsText(d Data) string {
	var lines []string
	it := "内件：" + strings.TrimSpace(d.Items)
	if d.Count > 1 {
		it += fmt.Sprintf(" 共%d件", d.Count)
	}
	if d.Weight > 0 {
		it += fmt.Sprintf("  %skg", strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", d.Weight), "0"), "."))
	}
	lines = append(lines, it)
	if r := strings.TrimSpace(d.Remark); r != "" {
		lines = append(lines, "备注："+r)
	}
	if d.Reference != "" {
		lines = append(lines, "订单号："+d.Reference)
	}
	return strings.Join(lines, "\n")
}

// TestLabel is a printer test page for size and dpi: a frame, a ruler of
// 10 mm ticks, a Code 128, a QR code and a line of Chinese text.
func TestLabel(size Size, dpi int) (*Label, error) {
	if _, err := layoutFor(size); err != nil {
		return nil, err
	}
	if err := CheckDPI(dpi); err != nil {
		return nil, err
	}
	b := &builder{dpi: dpi, l: &Label{Size: size, DPI: dpi, WidthDots: Dots(float64(size.WidthMM), dpi), HeightDots: Dots(float64(size.HeightMM), dpi)}}
	W, H := float64(size.WidthMM), float64(size.HeightMM)
	b.add(&Box{X: b.d(1), Y: b.d(1), W: b.d(W - 2), H: b.d(H - 2), Thickness: b.lineW()})
	for x := 10.0; x < W; x += 10 {
		b.add(&Bar{X: b.d(x), Y: b.d(1), W: b.lineW(), H: b.d(4)})
	}
	for y := 10.0; y < H; y += 10 {
		b.add(&Bar{X: b.d(1), Y: b.d(y), W: b.d(4), H: b.lineW()})
	}
	if err := b.text("测试页", fmt.Sprintf("发货台打印测试 %s %ddpi\n堃 喆 镕 珺 昇 ¥0.00", size, dpi), 8, 8, W-16, 20, 5, 3, true, Center, 0); err != nil {
		return nil, err
	}
	const num = "TEST1234567890"
	mods, _ := Code128Modules(num)
	mod := min(b.d(0.5), b.d(W-12)/(mods+2*QuietModules))
	bc, err := NewCode128((b.l.WidthDots-mods*mod)/2, b.d(32), mod, b.d(15), num, false)
	if err != nil {
		return nil, err
	}
	b.add(bc)
	qm, _ := QRModules(num, 'M')
	cell := b.d(0.5)
	q, err := NewQR((b.l.WidthDots-qm*cell)/2, b.d(55), cell, 'M', num)
	if err != nil {
		return nil, err
	}
	b.add(q)
	return b.l, nil
}
