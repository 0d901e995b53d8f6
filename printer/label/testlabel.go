package label

import "fmt"

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
	if _, err := b.text("测试页", fmt.Sprintf("发货台打印测试 %s %ddpi\n堃 喆 镕 珺 昇 ¥0.00", size, dpi), 8, 8, W-16, 20, 5, 3, true, Center, 0); err != nil {
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
