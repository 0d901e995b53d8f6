package label

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// MinCapMM is the smallest cap height of any text on a label: 2 mm, 16
// dots at 203 dpi, which a courier reads at arm's length.
const MinCapMM = 2.0

// capHeight is the font's cap height per em (DejaVu Sans, the Latin part).
const capHeight = 0.729

// MinTextMM is the smallest type size (em) on a label: the size whose
// capitals are MinCapMM tall.
const MinTextMM = MinCapMM / capHeight

// MinModuleMM is the narrowest Code 128 bar: 3 dots at 203 dpi (0.375 mm),
// which every scanner of the couriers reads off thermal paper.
const MinModuleMM = 0.375

// layout holds the sizes of one template in millimetres.
type layout struct {
	margin                                 float64
	header, routing, barcode, pkg, sender  float64
	foot, minRecipient, minItems           float64
	big, name, addr, small, number, bigPen float64 // type sizes, mm per em
	stub                                   float64 // tear-off stub of a 二联单; 0: none
	vertical                               float64 // width of the column a long number's barcode turns into
	maxModule                              float64 // widest bar wanted, mm
}

func layoutFor(s Size) (layout, error) {
	switch s {
	case Size76x130:
		return layout{margin: 2, header: 7.5, routing: 10, barcode: 15, pkg: 6, sender: 11, foot: 20, minRecipient: 17, minItems: 9,
			big: 3.3, name: 3.5, addr: 3.4, small: 2.9, number: 3.1, bigPen: 6, vertical: 12, maxModule: 0.5}, nil
	case Size100x150:
		return layout{margin: 2, header: 9, routing: 12, barcode: 19, pkg: 7, sender: 13, foot: 25, minRecipient: 22, minItems: 10,
			big: 3.3, name: 3.5, addr: 3.3, small: 2.9, number: 3.1, bigPen: 6.2, vertical: 14, maxModule: 0.5}, nil
	case Size100x180:
		// The two-part 二联单: a main part of 122 mm and a 54 mm stub.
		return layout{margin: 2, header: 8, routing: 10, barcode: 16, pkg: 6, sender: 11, foot: 20, minRecipient: 18, minItems: 9,
			big: 3.4, name: 3.6, addr: 3.5, small: 2.9, number: 3.1, bigPen: 6.5, vertical: 12, maxModule: 0.5, stub: 54}, nil
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

func (b *builder) mm(dots int) float64 { return float64(dots) / dpmm(b.dpi) }

// warnMissing tells the clerk which characters of a field print as
// placeholder boxes.
func (b *builder) warnMissing(field string, missing []rune) {
	if len(missing) == 0 {
		return
	}
	var parts []string
	for _, r := range missing {
		parts = append(parts, fmt.Sprintf("“%c”（U+%04X）", r, r))
	}
	w := field + "里的" + strings.Join(parts, "、") + "标签字体印不出来，面单上印成方框，请确认或改写。"
	if !slices.Contains(b.l.Warnings, w) {
		b.l.Warnings = append(b.l.Warnings, w)
	}
}

func (b *builder) add(e Element) { b.l.Elements = append(b.l.Elements, e) }

// hline draws a separator from x, w mm long, at y mm.
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
// minSize (never below MinTextMM). inset keeps the ink clear of lines. It
// returns the text placed (nil for empty s).
func (b *builder) text(field, s string, x, y, w, h, size, minSize float64, bold bool, align Align, maxLines int) (*Text, error) {
	const inset = 0.7
	minSize = max(minSize, MinTextMM)
	size = max(size, minSize)
	minPx := int(math.Ceil(minSize * dpmm(b.dpi))) // never round below the floor
	o := TextOpts{
		X: b.d(x + inset), Y: b.d(y + inset), W: b.d(w - 2*inset), H: b.d(h - 2*inset),
		MaxPx: max(b.d(size), minPx), MinPx: minPx, MaxLines: maxLines, Bold: bold, Align: align, VCenter: !b.top, Field: field,
	}
	b.top = false
	t, err := FitText(s, o)
	if err != nil {
		return nil, err
	}
	if t != nil {
		b.add(t)
		b.warnMissing(field, t.Missing)
	}
	return t, nil
}

// waybill lays out one e-waybill: the data, the template's sizes and the
// running position, zone by zone from the top.
type waybill struct {
	*builder
	data Data
	lay  layout
	W    float64 // label width, mm
	m    float64 // margin
	iw   float64 // width inside the frame
	cw   float64 // width of the zones left of a vertical barcode (= iw without)
	y    float64 // top of the next zone
	end  float64 // bottom of the main part (above the stub)

	pen      string   // 大头笔 / 三段码, or the destination
	bars     *Code128 // the main barcode
	vertical bool     // the barcode runs down the right column
	module   int      // its bar width, dots
	money    []string // 代收货款 / 保价 lines
	itemsH   float64  // height of the contents zone
}

// textRun is one field of a zone that stacks several.
type textRun struct{ field, text string }

// EWaybill lays out the e-waybill for d at the given size and resolution.
// It fails with ErrNoWaybill without a number, ErrSize for an unknown size,
// and a *TooLongError (ErrTextTooLong) naming the field to shorten and by
// how many characters when text does not fit at MinTextMM. Characters the
// font lacks print as boxes and are named in the label's Warnings.
func EWaybill(d Data, size Size, dpi int) (*Label, error) {
	w, err := newWaybill(d, size, dpi)
	if err != nil {
		return nil, err
	}
	for _, step := range []func() error{
		w.frame, w.header, w.routing, w.barcode, w.packageZone, w.recipientAndItems, w.sender, w.footer, w.stub,
	} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return w.l, nil
}

// newWaybill checks the data and the size and plans the barcode.
func newWaybill(d Data, size Size, dpi int) (*waybill, error) {
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
	if _, err := Code128Plan(d.Waybill); err != nil {
		return nil, fmt.Errorf("运单号 %q 不能做成条码（只能是字母、数字和常用符号）: %w", d.Waybill, err)
	}
	if d.CarrierName == "" {
		d.CarrierName = CarrierName(d.Carrier)
	}
	b := &builder{dpi: dpi, l: &Label{Size: size, DPI: dpi, WidthDots: Dots(float64(size.WidthMM), dpi), HeightDots: Dots(float64(size.HeightMM), dpi)}}
	W, H := float64(size.WidthMM), float64(size.HeightMM)
	w := &waybill{builder: b, data: d, lay: lay, W: W, m: lay.margin, iw: W - 2*lay.margin, y: lay.margin}
	w.end = H - lay.margin
	if lay.stub > 0 {
		w.end = H - lay.stub
	}
	w.cw = w.iw
	w.pen = strings.TrimSpace(strings.Join(nonEmpty(d.Routing.BigPen, d.Routing.SortCode), " "))
	if w.pen == "" {
		w.pen = Destination(d.Recipient)
	}
	if d.COD > 0 {
		w.money = append(w.money, "代收货款 ¥"+yuan(d.COD))
	}
	if d.InsuredValue > 0 {
		w.money = append(w.money, "保价 ¥"+yuan(d.InsuredValue))
	}
	if err := w.planBarcode(); err != nil {
		return nil, err
	}
	return w, nil
}

// minModule is the narrowest bar allowed at the resolution, in dots.
func (w *waybill) minModule() int { return max(3, w.d(MinModuleMM)) }

// planBarcode chooses the bar width: as wide as the template wants and
// the number allows across the label, never below MinModuleMM; a number
// too long for that turns the barcode 90° into a column down the right
// side, rather than thinning its bars.
func (w *waybill) planBarcode() error {
	mods, err := Code128Modules(w.data.Waybill)
	if err != nil {
		return err
	}
	across := w.d(w.iw) - 2*w.lineW()
	mod := min(w.d(w.lay.maxModule), across/(mods+2*QuietModules))
	if mod >= w.minModule() {
		w.module = mod
		return nil
	}
	w.vertical = true
	w.cw = w.iw - w.lay.vertical
	along := w.d(w.end-w.lay.margin-w.lay.header-w.lay.routing) - 2*w.lineW()
	w.module = min(w.d(w.lay.maxModule), along/(mods+2*QuietModules))
	if w.module < w.minModule() {
		short := (mods+2*QuietModules)*w.minModule() - along
		return &TooLongError{Field: "运单号", Excess: (short + 11*w.minModule() - 1) / (11 * w.minModule())}
	}
	return nil
}

// frame draws the border of the main part.
func (w *waybill) frame() error {
	w.add(&Box{X: w.d(w.m), Y: w.d(w.m), W: w.d(w.iw), H: w.d(w.end - w.m), Thickness: w.lineW()})
	return nil
}

// header: carrier, parcel k/N of a multi-parcel shipment, product type.
func (w *waybill) header() error {
	m, iw, h := w.m, w.iw, w.lay.header
	if _, err := w.text("快递公司", w.data.CarrierName, m, w.y, iw*0.4, h, w.lay.big, MinTextMM, true, Left, 1); err != nil {
		return err
	}
	if w.data.ChildTotal > 1 {
		if _, err := w.text("子单序号", fmt.Sprintf("%d/%d", w.data.ChildIndex, w.data.ChildTotal), m+iw*0.4, w.y, iw*0.18, h, w.lay.big*1.15, MinTextMM, true, Center, 1); err != nil {
			return err
		}
	}
	if head := joinSpace(w.data.Product, payName(w.data.PayType)); head != "" {
		if _, err := w.text("产品类型", head, m+iw*0.58, w.y, iw*0.42, h, w.lay.big, MinTextMM, true, Right, 1); err != nil {
			return err
		}
	}
	w.y += h
	w.hline(m, w.y, iw)
	return nil
}

// routing: the 大头笔 / 三段码 in large type; without one from the carrier,
// the destination province and city. The zone never goes missing.
func (w *waybill) routing() error {
	if _, err := w.text("大头笔", w.pen, w.m, w.y, w.iw, w.lay.routing, w.lay.bigPen, MinTextMM, true, Center, 1); err != nil {
		return err
	}
	w.y += w.lay.routing
	w.hline(w.m, w.y, w.iw)
	return nil
}

// numberLine is the waybill number as printed under (or beside) the
// barcode, with the mother waybill of a child parcel.
func (w *waybill) numberLine() string {
	if p := strings.TrimSpace(w.data.ParentWaybill); p != "" && p != w.data.Waybill {
		return w.data.Waybill + "\n母单 " + p
	}
	return w.data.Waybill
}

// barcode: the main Code 128 across the label with the number below it;
// or, for a number too long for MinModuleMM bars across, the number alone
// here and the barcode down the right column.
func (w *waybill) barcode() error {
	m := w.m
	numH := w.lay.number*1.25 + 1.4
	if strings.Contains(w.numberLine(), "\n") {
		numH += w.lay.number * 1.2
	}
	if w.vertical {
		if err := w.verticalBarcode(); err != nil {
			return err
		}
		if _, err := w.text("运单号", w.numberLine(), m, w.y, w.cw, numH, w.lay.number, MinTextMM, true, Center, 2); err != nil {
			return err
		}
		w.y += numH
		w.hline(m, w.y, w.cw)
		return nil
	}
	barH := w.lay.barcode - numH - 1.2
	mods, _ := Code128Modules(w.data.Waybill)
	bc, err := NewCode128((w.l.WidthDots-mods*w.module)/2, w.d(w.y+1), w.module, w.d(barH), w.data.Waybill, false)
	if err != nil {
		return err
	}
	w.bars = bc
	w.add(bc)
	if _, err := w.text("运单号", w.numberLine(), m, w.y+1+barH, w.iw, numH, w.lay.number, MinTextMM, true, Center, 2); err != nil {
		return err
	}
	w.y += w.lay.barcode
	w.hline(m, w.y, w.iw)
	return nil
}

// verticalBarcode runs the barcode down a column at the right, from below
// the routing zone to the bottom of the main part, reading top down.
func (w *waybill) verticalBarcode() error {
	x0 := w.m + w.cw
	w.vline(x0, w.y, w.end-w.y)
	mods, _ := Code128Modules(w.data.Waybill)
	top, bottom := w.d(w.y)+w.lineW(), w.d(w.end)-w.lineW()
	length := mods * w.module
	bx := w.d(x0) + w.lineW() + w.d(1)
	bh := w.d(w.m+w.iw) - w.lineW() - w.d(1) - bx
	bc, err := NewCode128(bx, top+(bottom-top-length)/2, w.module, bh, w.data.Waybill, true)
	if err != nil {
		return err
	}
	w.bars = bc
	w.add(bc)
	return nil
}

// packageZone: 集包地 and the destination code, when the carrier gave
// them.
func (w *waybill) packageZone() error {
	r := w.data.Routing
	if r.PkgName == "" && r.DestCode == "" && r.PkgCode == "" {
		return nil
	}
	m, cw, h := w.m, w.cw, w.lay.pkg
	pkg := strings.TrimSpace(strings.Join(nonEmpty(r.PkgCode, r.PkgName), " "))
	if _, err := w.text("集包地", pkg, m, w.y, cw*0.62, h, w.lay.big, MinTextMM, true, Left, 1); err != nil {
		return err
	}
	w.vline(m+cw*0.62, w.y, h)
	if _, err := w.text("目的地代码", r.DestCode, m+cw*0.62, w.y, cw*0.38, h, w.lay.big, MinTextMM, true, Center, 1); err != nil {
		return err
	}
	w.y += h
	w.hline(m, w.y, cw)
	return nil
}

// partyLine is a party's name and phone as printed: name and phone, masked
// as the privacy settings say.
func (w *waybill) partyLine(p Party) string {
	name, phone := p.Name, p.Phone
	if w.data.Privacy.MaskNames {
		name = MaskName(name)
	}
	if w.data.Privacy.MaskPhones {
		phone = MaskPhone(phone)
	}
	return joinSpace(name, phone)
}

// address is a party's address as printed: in full, or up to the district
// when the privacy settings mask addresses.
func (w *waybill) address(p Party) string {
	if w.data.Privacy.MaskAddresses {
		a := MaskAddress(p)
		if p.Company != "" {
			a = p.Company + " " + a
		}
		return a
	}
	return recipientAddress(p)
}

// recipientAndItems shares what the fixed zones leave between the
// recipient (name, phone and the address in large type) and the contents
// (items, remark, order number; COD and insured value on the right): the
// contents take what they need at their preferred size, the recipient the
// rest, down to its minimum; then the contents shrink to MinTextMM.
func (w *waybill) recipientAndItems() error {
	free := w.end - w.y - w.lay.sender - w.lay.foot
	need, err := w.itemsNeed()
	if err != nil {
		return err
	}
	itemsH := min(max(need, w.lay.minItems), free-w.lay.minRecipient)
	if itemsH < w.lay.minItems {
		return &TooLongError{Field: "收件地址", Excess: 1}
	}
	recipH := free - itemsH
	if err := w.recipient(recipH); err != nil {
		return err
	}
	w.y += recipH
	w.hline(w.m, w.y, w.cw)
	w.itemsH = itemsH
	return nil
}

// recipient lays out the 收 block, h mm tall.
func (w *waybill) recipient(h float64) error {
	m, l := w.m, w.lay
	col := l.big * 1.5
	if _, err := w.text("收", "收", m, w.y, col, h, l.big*1.3, MinTextMM, true, Center, 1); err != nil {
		return err
	}
	w.vline(m+col, w.y, h)
	rx, rw := m+col, w.cw-col
	nameH := l.name*1.25 + 1.4
	if _, err := w.text("收件人", w.partyLine(w.data.Recipient), rx, w.y, rw, nameH, l.name, MinTextMM, true, Left, 1); err != nil {
		return err
	}
	w.top = true
	_, err := w.text("收件地址", w.address(w.data.Recipient), rx, w.y+nameH-0.6, rw, h-nameH+0.6, l.addr, MinTextMM, true, Left, 0)
	return err
}

// sender lays out the 寄 block below the recipient, then the contents.
func (w *waybill) sender() error {
	m, l := w.m, w.lay
	col := l.big * 1.5
	if _, err := w.text("寄", "寄", m, w.y, col, l.sender, l.big, MinTextMM, true, Center, 1); err != nil {
		return err
	}
	w.vline(m+col, w.y, l.sender)
	// Name and phone, then the address, flowing together.
	w.top = true
	block := joinSpace(w.data.Sender.Name, w.data.Sender.Phone) + "\n" + recipientAddress(w.data.Sender)
	if _, err := w.text("寄件人", block, m+col, w.y, w.cw-col, l.sender, l.small, MinTextMM, false, Left, 0); err != nil {
		return err
	}
	w.y += l.sender
	w.hline(m, w.y, w.cw)
	if err := w.items(w.itemsH); err != nil {
		return err
	}
	w.y += w.itemsH
	w.hline(m, w.y, w.cw)
	return nil
}

// itemsRuns are the fields of the contents zone.
func (w *waybill) itemsRuns() []textRun {
	d := w.data
	it := "内件：" + strings.TrimSpace(d.Items)
	if d.Count > 1 {
		it += fmt.Sprintf(" 共%d件", d.Count)
	}
	if d.Weight > 0 {
		it += fmt.Sprintf("  %skg", strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", d.Weight), "0"), "."))
	}
	runs := []textRun{{"内件", it}}
	if r := strings.TrimSpace(d.Remark); r != "" {
		runs = append(runs, textRun{"备注", "备注：" + r})
	}
	if d.Reference != "" {
		runs = append(runs, textRun{"订单号", "订单号：" + d.Reference})
	}
	return runs
}

// itemsWidth is the width of the contents text (the money column takes
// the right when there is COD or insured value).
func (w *waybill) itemsWidth() float64 {
	if len(w.money) > 0 {
		return w.cw * 0.62
	}
	return w.cw
}

// itemsNeed is the height the contents take at their preferred size.
func (w *waybill) itemsNeed() (float64, error) {
	px := w.d(w.lay.small)
	lines := 0
	for _, r := range w.itemsRuns() {
		n, err := LineCount(r.text, px, w.d(w.itemsWidth()-1.4))
		if err != nil {
			return 0, err
		}
		lines += n
	}
	// Insets, the gaps between fields and a dot of rounding per line.
	h := w.mm((lines-1)*lineHeight(px)+px+lines) + 1.4 + 0.6*float64(len(w.itemsRuns())-1) + 0.5
	if len(w.money) > 0 {
		h = max(h, w.mm(2*lineHeight(w.d(w.lay.name*0.85)))+1.4)
	}
	return h, nil
}

// items lays out the contents zone, h mm tall: each field below the
// previous, all at one size (shrunk together down to MinTextMM).
func (w *waybill) items(h float64) error {
	m, iW := w.m, w.itemsWidth()
	if len(w.money) > 0 {
		w.vline(m+iW, w.y, h)
		if _, err := w.text("代收/保价", strings.Join(w.money, "\n"), m+iW, w.y, w.cw-iW, h, w.lay.name*0.85, MinTextMM, true, Left, 0); err != nil {
			return err
		}
	}
	runs := w.itemsRuns()
	for size := w.lay.small; size > MinTextMM; size -= 0.125 {
		if w.tryItems(runs, m, iW, h, size) == nil {
			return nil
		}
	}
	err := w.tryItems(runs, m, iW, h, MinTextMM)
	if err == nil || !errors.Is(err, ErrTextTooLong) {
		return err
	}
	return w.whatToCut(runs, m, iW, h, err)
}

// whatToCut turns a contents zone that does not fit into advice: the
// longest field and how many characters it must lose for all to fit
// (the field that overflowed may only be the last one placed).
func (w *waybill) whatToCut(runs []textRun, x, iw, h float64, err error) error {
	longest := 0
	for i, r := range runs {
		if len([]rune(r.text)) > len([]rune(runs[longest].text)) {
			longest = i
		}
	}
	text := []rune(runs[longest].text)
	cut := func(k int) []textRun {
		c := slices.Clone(runs)
		c[longest].text = string(text[:len(text)-k])
		return c
	}
	fits := func(k int) bool { // tries without keeping what it placed
		n, warnings := len(w.l.Elements), len(w.l.Warnings)
		ok := w.tryItems(cut(k), x, iw, h, MinTextMM) == nil
		w.l.Elements, w.l.Warnings = w.l.Elements[:n], w.l.Warnings[:warnings]
		return ok
	}
	lo, hi := 0, len(text) // cutting lo does not fit, cutting hi does
	if !fits(hi) {
		return err
	}
	for hi-lo > 1 {
		if mid := (lo + hi) / 2; fits(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return &TooLongError{Field: runs[longest].field, Excess: hi}
}

// tryItems places the contents fields at size; on failure it leaves the
// label as it was and says which field does not fit.
func (w *waybill) tryItems(runs []textRun, x, iw, h, size float64) error {
	n := len(w.l.Elements)
	warnings := len(w.l.Warnings)
	y, bottom := w.y, w.y+h
	for _, r := range runs {
		w.top = true
		t, err := w.text(r.field, r.text, x, y, iw, bottom-y, size, size, false, Left, 0)
		if err != nil {
			w.l.Elements, w.l.Warnings = w.l.Elements[:n], w.l.Warnings[:warnings]
			return err
		}
		if t != nil {
			y = w.mm(t.Y+t.Bitmap.H) + 0.3
		}
	}
	return nil
}

// footer: the QR code at the left with its quiet zone, the signature box
// and the print time at the right, the number repeated along the bottom.
func (w *waybill) footer() error {
	m, l := w.m, w.lay
	repH := MinTextMM*1.2 + 1.2
	box := w.end - w.y - repH // the QR and signature band
	content := w.data.Routing.QRContent
	if content == "" {
		content = w.data.Waybill
	}
	qm, err := QRModules(content, 'M')
	if err != nil {
		return fmt.Errorf("二维码内容太长: %w", err)
	}
	lw := w.lineW()
	avail := w.d(box) - 2*lw
	cell := min(w.d(0.75), avail/(qm+2*QRQuietModules))
	if cell < 2 {
		return &TooLongError{Field: "二维码", Excess: 1}
	}
	quiet := QRQuietModules * cell
	qpx := qm * cell
	q, err := NewQR(w.d(m)+lw+quiet, w.d(w.y)+lw+(avail-qpx)/2, cell, 'M', content)
	if err != nil {
		return err
	}
	w.add(q)
	right := w.mm(q.X+qpx+quiet) + 0.3
	rw := m + w.cw - right - 0.5
	infoH := MinTextMM*2.2 + 1.6 // two lines at the smallest size
	sigH := box - infoH - 1
	w.add(&Box{X: w.d(right), Y: w.d(w.y + 1), W: w.d(rw), H: w.d(sigH), Thickness: 1 + w.lineW()/2})
	w.top = true
	if _, err := w.text("签收栏", "签收人/时间：", right+0.2, w.y+1.2, rw-0.4, MinTextMM*1.4+1.4, l.small, MinTextMM, false, Left, 1); err != nil {
		return err
	}
	info := "打印 " + w.data.PrintedAt.Format("2006-01-02 15:04") + "\n已验视  已实名"
	if _, err := w.text("打印时间", info, right, w.y+1+sigH, rw, infoH, l.small, MinTextMM, false, Left, 2); err != nil {
		return err
	}
	w.y += box
	w.hline(m, w.y, w.cw)
	// The number repeated along the bottom, as often as it fits.
	var err2 error
	for n := 3; n >= 1; n-- {
		rep := strings.Repeat(w.data.Waybill+"   ", n-1) + w.data.Waybill
		if _, err2 = w.text("运单号", rep, m, w.y, w.cw, repH, MinTextMM, MinTextMM, false, Center, 1); err2 == nil {
			return nil
		}
	}
	return err2
}

// stub lays out the tear-off part of a 二联单 below a dashed tear line: its
// own barcode of the number, the recipient and the sender in brief.
func (w *waybill) stub() error {
	if w.lay.stub <= 0 {
		return nil
	}
	m, iw := w.m, w.iw
	top := w.end + 1.5
	H := float64(w.l.Size.HeightMM)
	// The tear line: dashes across the label.
	for x := 0.0; x < w.W; x += 4 {
		w.add(&Bar{X: w.d(x), Y: w.d(w.end + 0.5), W: w.d(2.5), H: w.lineW()})
	}
	w.add(&Box{X: w.d(m), Y: w.d(top), W: w.d(iw), H: w.d(H - m - top), Thickness: w.lineW()})
	y := top
	headH := MinTextMM*1.3 + 1.4
	if _, err := w.text("存根", "寄件存根  "+w.data.CarrierName, m, y, iw*0.6, headH, w.lay.small, MinTextMM, true, Left, 1); err != nil {
		return err
	}
	if w.data.ChildTotal > 1 {
		if _, err := w.text("子单序号", fmt.Sprintf("%d/%d", w.data.ChildIndex, w.data.ChildTotal), m+iw*0.6, y, iw*0.4, headH, w.lay.small, MinTextMM, true, Right, 1); err != nil {
			return err
		}
	}
	y += headH
	w.hline(m, y, iw)
	// The stub's barcode: as wide as the main one allows, bars as thick.
	mods, _ := Code128Modules(w.data.Waybill)
	mod := min(w.d(w.lay.maxModule), (w.d(iw)-2*w.lineW())/(mods+2*QuietModules))
	if mod < w.minModule() {
		mod = w.minModule()
		if (mods+2*QuietModules)*mod > w.l.WidthDots {
			// Too long for the stub's width: the number alone.
			mod = 0
		}
	}
	barH := 10.0
	if mod > 0 {
		bc, err := NewCode128((w.l.WidthDots-mods*mod)/2, w.d(y+1), mod, w.d(barH), w.data.Waybill, false)
		if err != nil {
			return err
		}
		w.add(bc)
		y += barH + 1
	}
	numH := w.lay.number*1.25 + 1.2
	if strings.Contains(w.numberLine(), "\n") {
		numH += w.lay.number * 1.2
	}
	if _, err := w.text("运单号", w.numberLine(), m, y, iw, numH, w.lay.number, MinTextMM, true, Center, 2); err != nil {
		return err
	}
	y += numH
	w.hline(m, y, iw)
	rest := H - m - y
	half := rest / 2
	brief := []struct {
		field, line string
	}{
		{"收件人", "收：" + w.partyLine(w.data.Recipient) + "  " + Destination(w.data.Recipient)},
		{"寄件人", "寄：" + joinSpace(w.data.Sender.Name, w.data.Sender.Phone) + "  " + Destination(w.data.Sender)},
	}
	for i, b := range brief {
		if _, err := w.text(b.field, b.line, m, y, iw, half, w.lay.small, MinTextMM, i == 0, Left, 2); err != nil {
			return err
		}
		y += half
		if i == 0 {
			w.hline(m, y, iw)
		}
	}
	return nil
}
