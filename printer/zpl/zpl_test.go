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
	"shipdesk/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var profile = store.PrinterProfile{Name: "test", Language: "zpl", Speed: 4, Darkness: 10, Media: "gap", Mode: "tear"}

var lang = labeltest.Language{Name: "zpl", Profile: profile, Encode: zpl.Encode, Render: zpl.Render}

// TestGolden pins the bytes of every template.
func TestGolden(t *testing.T) { labeltest.Golden(t, lang, *update) }

func TestVirtualPrinterMatchesPreview(t *testing.T) { labeltest.VirtualPrinterMatchesPreview(t, lang) }

func TestWireSize(t *testing.T) { labeltest.LogWireSize(t, lang) }

func TestEncodeSettings(t *testing.T) {
	l := labeltest.Build(t, label.Size100x150, 203)
	p := store.PrinterProfile{Speed: 3, Darkness: 40, Media: "bline", Mode: "cut", Direction: 1, OffsetXmm: 1, OffsetYmm: -2}
	data, err := zpl.Encode(l, p)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"~SD30\n", "^XA\n^CI28\n", "^PW800\n^LL1200\n", "^LH8,-16\n", "^MNM\n", "^MMC\n", "^PR3\n", "^POI\n", "^BCN,", ",N,N,N,A^FDYT7512345678901^FS", "^BQN,2,", "^FDMA,YT7512345678901^FS", ":Z64:", "^PQ1\n^XZ\n"} {
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
	l := &label.Label{Size: label.Size76x130, DPI: 203, WidthDots: 608, HeightDots: 1040,
		Elements: []label.Element{&label.QR{X: 10, Y: 10, Cell: 4, ECC: 'M', Content: "a^b~c_d,e"}}}
	data, err := zpl.Encode(l, profile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte("^FH_^FDMA,a_5Eb_7Ec_5Fd,e^FS")) {
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
		if !errors.Is(err, zpl.ErrSyntax) && !errors.Is(err, zpl.ErrCRC) {
			t.Errorf("%q: want ErrSyntax or ErrCRC, got %v", in, err)
		}
	}
}

func FuzzZPLRender(f *testing.F) {
	f.Add(labeltest.FuzzSeed(f, lang))
	f.Add([]byte("^XA^PW16^LL16^FO4,4^GFA,8,8,1,FF8H1:::::FF^FS^FO1,1^GB5,5,1^FS^XZ"))
	f.Add([]byte("^XA^FO1,1^BY2^BCN,10,N,N,N,A^FH^FD_5E^FS^FO1,1^BQN,2,3^FDHA,x^FS^XZ"))
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := zpl.Render(data)
		if err == nil && (img.Rect.Dx() > 2400 || img.Rect.Dy() > 4800) {
			t.Fatalf("image %v beyond the limits", img.Rect)
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
