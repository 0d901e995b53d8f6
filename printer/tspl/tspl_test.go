package tspl_test

import (
	"bytes"
	"errors"
	"flag"
	"strings"
	"testing"

	"shipdesk/printer/label"
	"shipdesk/printer/label/labeltest"
	"shipdesk/printer/tspl"
	"shipdesk/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var profile = store.PrinterProfile{Name: "test", Language: "tspl", Speed: 4, Darkness: 10, Media: "gap", Mode: "tear"}

var lang = labeltest.Language{Name: "tspl", Profile: profile, Encode: tspl.Encode, Render: tspl.Render}

// TestGolden pins the bytes of every template.
func TestGolden(t *testing.T) { labeltest.Golden(t, lang, *update) }

func TestVirtualPrinterMatchesPreview(t *testing.T) { labeltest.VirtualPrinterMatchesPreview(t, lang) }

func TestWireSize(t *testing.T) { labeltest.LogWireSize(t, lang) }

func TestEncodeSettings(t *testing.T) {
	l := labeltest.Build(t, label.Size100x150, 203)
	p := store.PrinterProfile{Speed: 3, Darkness: 20, Media: "bline", Mode: "peel", Direction: 1, OffsetXmm: 1, OffsetYmm: -2}
	data, err := tspl.Encode(l, p)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"SIZE 100 mm,150 mm\r\n", "BLINE 3 mm,0 mm\r\n", "DIRECTION 1,0\r\n", "REFERENCE 8,0\r\n", "SHIFT 0,-16\r\n", "SPEED 3\r\n", "DENSITY 15\r\n", "SET PEEL ON\r\n", "\r\nPRINT 1,1\r\n", `BARCODE `, `"128"`, "QRCODE "} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("missing %q", want)
		}
	}
	cal := string(tspl.Calibrate(p, label.Size76x130))
	if !strings.Contains(cal, "BLINE") || !strings.HasSuffix(cal, "AUTODETECT\r\n") {
		t.Errorf("calibrate: %q", cal)
	}
}

func TestQuotedContent(t *testing.T) {
	l := &label.Label{Size: label.Size76x130, DPI: 203, WidthDots: 608, HeightDots: 1040,
		Elements: []label.Element{&label.QR{X: 10, Y: 10, Cell: 4, ECC: 'M', Content: `a"b,c`}}}
	data, err := tspl.Encode(l, profile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(`"a\["]b,c"`)) {
		t.Fatalf("quote not escaped: %s", data)
	}
	img, err := tspl.Render(data)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := labeltest.QR(img, l.Elements[0].Bounds()); err != nil || v != `a"b,c` {
		t.Fatalf("qr %q %v", v, err)
	}
}

func TestRenderRejects(t *testing.T) {
	for _, in := range []string{
		"",
		"CLS\r\nBAR 0,0,10,10\r\n", // no SIZE
		"SIZE 1000 mm,10 mm\r\n",   // absurd size
		"SIZE 76 mm,130 mm\r\nTEXT 1,1,\"3\",0,1,1,\"x\"\r\n", // outside the subset
		"SIZE 76 mm,130 mm\r\nBITMAP 0,0,10,10,0,abc",         // short data
		"SIZE 76 mm,130 mm\r\nBITMAP 0,0,100000,100000,0,",    // absurd bitmap
		"SIZE 76 mm,130 mm\r\nBARCODE 0,0,\"39\",10,0,0,2,2,\"A\"\r\n",
	} {
		if _, err := tspl.Render([]byte(in)); !errors.Is(err, tspl.ErrSyntax) {
			t.Errorf("%q: want ErrSyntax, got %v", in, err)
		}
	}
}

func FuzzTSPLRender(f *testing.F) {
	f.Add(labeltest.FuzzSeed(f, lang))
	f.Add([]byte("SIZE 76 mm,130 mm\r\nBITMAP 1,2,1,1,0,\x00\r\nBOX 0,0,10,10,2\r\nPRINT 1\r\n"))
	f.Add([]byte("SIZE 2,3\r\nQRCODE 1,1,H,3,A,0,\"x\"\r\nBARCODE 0,0,\"128\",10,0,0,1,1,\"\"\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := tspl.Render(data)
		if err == nil && (img.Rect.Dx() > 2000 || img.Rect.Dy() > 5000) {
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
