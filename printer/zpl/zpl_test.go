package zpl_test

import (
	"bytes"
	"errors"
	"flag"
	"strings"
	"testing"

	"shipdesk/printer/label"
	"shipdesk/printer/label/labeltest"
	"shipdesk/printer/zpl"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var profile = label.PrintSettings{Speed: 4, Darkness: 10, Media: "gap", Mode: "tear"}

var lang = labeltest.Language{Name: "zpl", Profile: profile, Encode: zpl.Encode, Render: zpl.Render,
	NewPrinter: func(int) labeltest.Printer { return &zpl.Printer{} },
	Budget:     budget,
	Leftovers: [][]byte{
		// A shipping label of another program: a tall ^BY (which would
		// push a QR code 300 dots down), a moved home, a label shift and
		// rotated fields.
		[]byte("^XA^BY4,2.5,300^LH30,40^LS-20^LT12^FWR^POI^CI0^FO10,10^BCN,,N,N,N,N^FD>:AB12^FS^XZ"),
		[]byte("^XA^BY1,,200^XZ"),
	}}

// TestStateDoesNotLeak prints every template after formats that left a
// tall ^BY, a moved home and a label shift on the printer.
func TestStateDoesNotLeak(t *testing.T) { labeltest.StateDoesNotLeak(t, lang) }

// TestQRBelowOriginByBarHeight pins the firmware's placement: a ^BQ
// symbol lands ^BY-height dots below its ^FO, the height a previous format
// may have left.
func TestQRBelowOriginByBarHeight(t *testing.T) {
	const qr = "^XA^PW400^LL800^FO50,50^BQN,2,4,M,3^FDMM,AYT1^FS^XZ"
	for _, tc := range []struct {
		before string
		top    int
	}{{"", 60}, {"^XA^BY2,3.0,300^XZ", 350}} {
		var p zpl.Printer
		if tc.before != "" {
			if _, err := p.Print([]byte(tc.before)); err != nil {
				t.Fatal(err)
			}
		}
		img, err := p.Print([]byte(qr))
		if err != nil {
			t.Fatal(err)
		}
		top := -1
		for y := 0; y < img.Rect.Dy() && top < 0; y++ {
			if img.GrayAt(52, y).Y == 0 {
				top = y
			}
		}
		if top != tc.top {
			t.Errorf("after %q: QR starts at row %d, want %d", tc.before, top, tc.top)
		}
	}
}

// TestRefusesFirmwareChoices: barcodes whose encoding the firmware would
// choose are refused, so the preview comparison means something.
func TestRefusesFirmwareChoices(t *testing.T) {
	for _, f := range []string{
		"^FO10,20^BY2^BCN,80,N,N,N,A^FDYT7512345678901^FS",
		"^FO10,20^BY2^BCN,80,N,N,N,N^FDYT7512345678901^FS",
		"^FO10,20^BQN,2,4,M,3^FDMA,YT7512345678901^FS",
		"^FO10,20^BQN,2,4^FDMM,AYT7512345678901^FS",
	} {
		if _, err := zpl.Render([]byte("^XA" + f + "^XZ")); !errors.Is(err, zpl.ErrFirmwareChoice) {
			t.Errorf("%s: want ErrFirmwareChoice, got %v", f, err)
		}
	}
}

// TestGolden pins the bytes of every template.
func TestGolden(t *testing.T) { labeltest.Golden(t, lang, *update) }

func TestVirtualPrinterMatchesPreview(t *testing.T) { labeltest.VirtualPrinterMatchesPreview(t, lang) }

// budget is the most bytes a ZPL label may take. At 203 dpi the usual
// order stays within 12 KiB on 76x130 and 100x150 (16 KiB for the two-part
// 100x180); the heaviest order misses the 12 KiB the issue asked for (the
// 2 mm type floor and its long text need 16-22 KiB of compressed bitmaps;
// see the README). 300 dpi takes 1.6 times as much.
func budget(sample string, s label.Size, dpi int) int {
	b := 12 << 10
	switch {
	case sample == "heavy" && s == label.Size100x180:
		b = 22 << 10
	case sample == "heavy", s == label.Size100x180:
		b = 16 << 10
	}
	if dpi == 300 {
		b = b * 16 / 10
	}
	return b
}

// TestWireSize reports the bytes of every sample and template and holds
// them to the budget.
func TestWireSize(t *testing.T) { labeltest.WireSize(t, lang) }

func TestEncodeSettings(t *testing.T) {
	l := labeltest.Build(t, label.Size100x150, 203)
	p := label.PrintSettings{Speed: 3, Darkness: 40, Media: "bline", Mode: "cut", Direction: 1, OffsetXmm: 1, OffsetYmm: -2}
	data, err := zpl.Encode(l, p)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"~SD30\n", "^XA\n^CI28\n", "^PW800\n^LL1200\n", "^LH8,0\n^LS0\n^LT-16\n", "^MNM\n", "^MMC\n", "^PR3\n^MD0\n", "^POI\n", "^BCN,", ",N,N,N,N^FD>:YT7>5512345678901^FS", "^BQN,2,", "^FDMM,AYT7512345678901^FS", ":Z64:", "^PQ1\n^XZ\n"} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("missing %q", want)
		}
	}
	if cal := string(zpl.Calibrate(p)); !strings.Contains(cal, "^MNM") || !strings.HasSuffix(cal, "~JC\n") {
		t.Errorf("calibrate: %q", cal)
	}
}

func TestCRC16(t *testing.T) {
	// CRC-16/XMODEM check value.
	if got := zpl.CRC16("123456789"); got != 0x31C3 {
		t.Fatalf("CRC16 = %04X, want 31C3", got)
	}
}

func TestEscapedContent(t *testing.T) {
	q, err := label.NewQR(20, 20, 4, 'M', "a^b~c_d,e")
	if err != nil {
		t.Fatal(err)
	}
	l := &label.Label{Size: label.Size76x130, DPI: 203, WidthDots: 608, HeightDots: 1040, Elements: []label.Element{q}}
	data, err := zpl.Encode(l, profile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte("^FH_^FDMM,B0009a_5Eb_7Ec_5Fd,e^FS")) {
		t.Fatalf("not escaped: %s", data)
	}
	img, err := zpl.Render(data)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := labeltest.QR(img, l.Elements[0].Bounds()); err != nil || v != "a^b~c_d,e" {
		t.Fatalf("qr %q %v", v, err)
	}
}

func TestRenderHexGraphic(t *testing.T) {
	// A square outline in plain hex, then the same with the ACS shorthand.
	for _, gf := range []string{"^GFA,8,8,1,FF818181818181FF", "^GFA,8,8,1,FF81:::::FF", "^GFA,8,8,1,FF8H1:::::FF"} {
		img, err := zpl.Render([]byte("^XA^PW16^LL16^FO4,4" + gf + "^FS^XZ"))
		if err != nil {
			t.Fatalf("%s: %v", gf, err)
		}
		if img.GrayAt(4, 4).Y != 0 || img.GrayAt(11, 11).Y != 0 || img.GrayAt(5, 5).Y != 255 || img.GrayAt(4, 8).Y != 0 || img.GrayAt(12, 4).Y != 255 {
			t.Errorf("%s: not a square outline", gf)
		}
	}
}

func TestRenderRejects(t *testing.T) {
	for _, in := range []string{
		"",
		"^XA^PW100000^XZ",
		"^XA^FO1,1^A0N,20,20^FDhello^FS^XZ",
		"^XA^FO1,1^FDhello^FS^XZ",
		"^XA^FO0,0^GFA,4,4,1,:Z64:eJxjYGAAAAAEAAE=:0000^FS^XZ",
		"^XA^FO0,0^GFA,99999999,99999999,1,00^FS^XZ",
		"^XA^FO0,0^BCR,10^FDX^FS^XZ",
	} {
		_, err := zpl.Render([]byte(in))
		if !errors.Is(err, zpl.ErrSyntax) && !errors.Is(err, zpl.ErrCRC) && !errors.Is(err, zpl.ErrFirmwareChoice) {
			t.Errorf("%q: want ErrSyntax or ErrCRC, got %v", in, err)
		}
	}
}

func FuzzZPLRender(f *testing.F) {
	f.Add(labeltest.FuzzSeed(f, lang))
	for _, l := range lang.Leftovers {
		f.Add(l)
	}
	f.Add([]byte("^XA^PW16^LL16^FO4,4^GFA,8,8,1,FF8H1:::::FF^FS^FO1,1^GB5,5,1^FS^XZ"))
	f.Add([]byte("^XA^LS-4^LT3^BY3,3.0,40^FO10,10^BCR,40,N,N,N,N^FD>:AB>512>6-^FS^BY2,3.0,10^FO10,200^BQN,2,4,M,3^FDMM,B0003abc^FS^XZ"))
	f.Add([]byte("^XA^FO1,1^BY2^BCN,10,N,N,N,A^FH^FD_5E^FS^FO1,1^BQN,2,3^FDHA,x^FS^XZ"))
	// The same bytes twice on one printer: the second format starts from
	// the state the first left.
	f.Fuzz(func(t *testing.T, data []byte) {
		var p zpl.Printer
		for range 2 {
			img, err := p.Print(data)
			if err == nil && (img.Rect.Dx() > 2400 || img.Rect.Dy() > 4800) {
				t.Fatalf("image %v beyond the limits", img.Rect)
			}
		}
	})
}

func BenchmarkEncode76x130(b *testing.B)  { labeltest.BenchEncode(b, lang, label.Size76x130) }
func BenchmarkEncode100x150(b *testing.B) { labeltest.BenchEncode(b, lang, label.Size100x150) }

// BenchmarkBuildAndEncode76x130 includes laying out and rasterising the text.
func BenchmarkBuildAndEncode76x130(b *testing.B) {
	labeltest.BenchBuildAndEncode(b, lang, label.Size76x130)
}

func BenchmarkVirtualPrinter100x150(b *testing.B) {
	labeltest.BenchVirtualPrinter(b, lang, label.Size100x150)
}

// TestPicturesAndTestPage: a carrier's label picture and the printer test
// page print as previewed.
func TestPicturesAndTestPage(t *testing.T) { labeltest.PicturesAndTestPage(t, lang) }
