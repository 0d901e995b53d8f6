package label_test

import (
	"errors"
	"image"
	"strings"
	"testing"

	"golang.org/x/image/font/sfnt"

	"shipdesk/assets"
	"shipdesk/printer/label"
	"shipdesk/printer/label/labeltest"
)

func TestFontCoversRareNameCharacters(t *testing.T) {
	f, err := sfnt.Parse(assets.CJKFont)
	if err != nil {
		t.Fatal(err)
	}
	var buf sfnt.Buffer
	for _, r := range "堃喆镕珺昇收寄件人天津市河西区AZaz09-¥（），" {
		i, err := f.GlyphIndex(&buf, r)
		if err != nil || i == 0 {
			t.Errorf("font has no glyph for %q (index %d, err %v)", r, i, err)
		}
	}
	for _, r := range "堃喆镕珺昇" {
		txt, err := label.FitText(string(r), label.TextOpts{W: 100, H: 40, MaxPx: 32, Field: "t"})
		if err != nil {
			t.Fatal(err)
		}
		if txt == nil || ink(txt.Bitmap) < 40 {
			t.Errorf("%q rendered with almost no ink", r)
		}
	}
}

func ink(b *label.Bitmap) int {
	n := 0
	for y := 0; y < b.H; y++ {
		for x := 0; x < b.W; x++ {
			if b.Black(x, y) {
				n++
			}
		}
	}
	return n
}

func TestFitTextWrapsThenShrinks(t *testing.T) {
	addr := "天津市河西区友谊路32号镕珺小区3号楼2单元501室（昇华眼镜店旁）"
	wide, err := label.FitText(addr, label.TextOpts{W: 2000, H: 40, MaxPx: 32, MinPx: 16, Field: "地址"})
	if err != nil {
		t.Fatal(err)
	}
	if wide.SizeDots != 32 || wide.Bitmap.H > 40 {
		t.Fatalf("one line expected at 32 dots, got size %d height %d", wide.SizeDots, wide.Bitmap.H)
	}
	wrapped, err := label.FitText(addr, label.TextOpts{W: 400, H: 200, MaxPx: 32, MinPx: 16, Field: "地址"})
	if err != nil {
		t.Fatal(err)
	}
	if wrapped.SizeDots != 32 || wrapped.Bitmap.H < 2*32 || wrapped.Bitmap.W > 400+4 {
		t.Fatalf("wrapped at full size expected: size %d bitmap %dx%d", wrapped.SizeDots, wrapped.Bitmap.W, wrapped.Bitmap.H)
	}
	shrunk, err := label.FitText(addr, label.TextOpts{W: 400, H: 70, MaxPx: 32, MinPx: 16, Field: "地址"})
	if err != nil {
		t.Fatal(err)
	}
	if shrunk.SizeDots >= 32 || shrunk.SizeDots < 16 || shrunk.Bitmap.H > 70+2 {
		t.Fatalf("shrunk to fit expected: size %d height %d", shrunk.SizeDots, shrunk.Bitmap.H)
	}
	_, err = label.FitText(strings.Repeat(addr, 6), label.TextOpts{W: 400, H: 70, MaxPx: 32, MinPx: 16, Field: "收件地址"})
	if !errors.Is(err, label.ErrTextTooLong) || !strings.Contains(err.Error(), "收件地址") {
		t.Fatalf("want ErrTextTooLong naming the field, got %v", err)
	}
	// A character the font lacks prints as a box and is reported.
	txt, err := label.FitText("好😀", label.TextOpts{W: 400, H: 70, MaxPx: 32, Field: "备注"})
	if err != nil || txt == nil || string(txt.Missing) != "😀" || ink(txt.Bitmap) < 60 {
		t.Fatalf("want the emoji drawn as a box and named, got %+v, %v", txt, err)
	}
}

func TestEWaybillTooLongAddressFails(t *testing.T) {
	d := label.Sample(label.SampleTime)
	d.Recipient.Address = strings.Repeat(d.Recipient.Address, 14)
	_, err := label.EWaybill(d, label.Size76x130, 203)
	if !errors.Is(err, label.ErrTextTooLong) {
		t.Fatalf("want ErrTextTooLong, got %v", err)
	}
}

func TestEWaybillNeedsWaybill(t *testing.T) {
	d := label.Sample(label.SampleTime)
	d.Waybill = " "
	if _, err := label.EWaybill(d, label.Size100x150, 203); !errors.Is(err, label.ErrNoWaybill) {
		t.Fatalf("want ErrNoWaybill, got %v", err)
	}
	d.Waybill = "运单1"
	if _, err := label.EWaybill(d, label.Size100x150, 203); err == nil {
		t.Fatal("a waybill Code 128 cannot carry was accepted")
	}
}

// TestEWaybillPreviewDecodes renders every template and reads its barcode
// and QR code back.
func TestEWaybillPreviewDecodes(t *testing.T) {
	plain := label.Sample(label.SampleTime)
	plain.Routing = label.Routing{}
	plain.COD, plain.InsuredValue, plain.ChildIndex, plain.ChildTotal = 128.5, 300, 2, 3
	plain.Remark, plain.Reference, plain.CarrierName, plain.Carrier = "", "", "", "zhongtong"
	for _, d := range []label.Data{label.Sample(label.SampleTime), plain} {
		previewDecodes(t, d)
	}
}

func previewDecodes(t *testing.T, d label.Data) {
	for _, s := range label.Sizes {
		for _, dpi := range label.DPIs {
			l, err := label.EWaybill(d, s, dpi)
			if err != nil {
				t.Fatalf("%s@%d: %v", s, dpi, err)
			}
			img, err := label.Render(l)
			if err != nil {
				t.Fatal(err)
			}
			if img.Rect.Dx() != label.Dots(float64(s.WidthMM), dpi) || img.Rect.Dy() != label.Dots(float64(s.HeightMM), dpi) {
				t.Fatalf("%s@%d: image %v", s, dpi, img.Rect)
			}
			for _, p := range img.Pix {
				if p != 0 && p != 255 {
					t.Fatalf("%s@%d: pixel value %d is not 1-bit", s, dpi, p)
				}
			}
			checkCodes(t, l, img, d.Waybill)
			checkNoOverlap(t, l)
		}
	}
}

func checkCodes(t *testing.T, l *label.Label, img *image.Gray, want string) {
	t.Helper()
	for _, e := range l.Elements {
		switch e := e.(type) {
		case *label.Code128:
			got, err := labeltest.Code128(img, e.Bounds())
			if err != nil || got != want {
				t.Errorf("%s@%d code 128: %q, %v", l.Size, l.DPI, got, err)
			}
		case *label.QR:
			got, err := labeltest.QR(img, e.Bounds())
			if err != nil || got != want {
				t.Errorf("%s@%d qr: %q, %v", l.Size, l.DPI, got, err)
			}
		}
	}
}

// checkNoOverlap enforces the model's promise that bitmaps never cover
// another element, and that everything lies on the label.
func checkNoOverlap(t *testing.T, l *label.Label) {
	t.Helper()
	page := image.Rect(0, 0, l.WidthDots, l.HeightDots)
	for i, a := range l.Elements {
		if !a.Bounds().In(page) {
			t.Errorf("%s@%d: element %d %T %v off the label", l.Size, l.DPI, i, a, a.Bounds())
		}
		ta, ok := a.(*label.Text)
		if !ok {
			continue
		}
		for j, b := range l.Elements {
			if i == j {
				continue
			}
			if box, ok := b.(*label.Box); ok {
				// A box only inks its outline; text inside it is fine.
				in := box.Bounds().Inset(box.Thickness)
				if ta.Bounds().In(in) {
					continue
				}
			}
			if ta.Bounds().Overlaps(b.Bounds()) {
				t.Errorf("%s@%d: text %q %v overlaps %T %v", l.Size, l.DPI, ta.Content, ta.Bounds(), b, b.Bounds())
			}
		}
	}
}

func TestTestLabel(t *testing.T) {
	for _, s := range label.Sizes {
		l, err := label.TestLabel(s, 300)
		if err != nil {
			t.Fatal(err)
		}
		img, err := label.Render(l)
		if err != nil {
			t.Fatal(err)
		}
		checkCodes(t, l, img, "TEST1234567890")
	}
}

func TestMaskPhone(t *testing.T) {
	for in, want := range map[string]string{
		"13700001111":       "137****1111",
		"+86 137 0000 1111": "137****1111",
		"022-23346655":      "022-****6655",
		"0755-8888-1234":    "0755-****1234",
		"95338":             "*5338",
		"":                  "",
		"123":               "***",
	} {
		if got := label.MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseSize(t *testing.T) {
	for _, s := range []string{"76x130", "100X150", "100×180", " 76x130mm"} {
		z, err := label.ParseSize(s)
		if err != nil {
			t.Errorf("%q: %v", s, err)
			continue
		}
		if _, err := label.ParseSize(z.String()); err != nil {
			t.Errorf("round trip %q: %v", z, err)
		}
	}
	for _, s := range []string{"", "80x120", "76", "axb"} {
		if _, err := label.ParseSize(s); !errors.Is(err, label.ErrSize) {
			t.Errorf("%q: want ErrSize, got %v", s, err)
		}
	}
}

func BenchmarkEWaybill76x130(b *testing.B)  { benchBuild(b, label.Size76x130) }
func BenchmarkEWaybill100x150(b *testing.B) { benchBuild(b, label.Size100x150) }

func benchBuild(b *testing.B, s label.Size) {
	d := label.Sample(label.SampleTime)
	for b.Loop() {
		if _, err := label.EWaybill(d, s, 203); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRender76x130(b *testing.B)  { benchRender(b, label.Size76x130) }
func BenchmarkRender100x150(b *testing.B) { benchRender(b, label.Size100x150) }

func benchRender(b *testing.B, s label.Size) {
	l, err := label.EWaybill(label.Sample(label.SampleTime), s, 203)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := label.Render(l); err != nil {
			b.Fatal(err)
		}
	}
}

func TestNoRoutingPrintsDestinationCity(t *testing.T) {
	for addr, want := range map[string]string{"江苏省南京市鼓楼区中山北路100号": "江苏省南京市", "天津市河西区友谊路32号": "天津市"} {
		d := label.Sample(label.SampleTime)
		d.Routing = label.Routing{}
		d.Recipient.Address = addr
		l, err := label.EWaybill(d, label.Size76x130, 203)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range l.Elements {
			if txt, ok := e.(*label.Text); ok && txt.Content == want {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no destination %q on the label", addr, want)
		}
	}
}
