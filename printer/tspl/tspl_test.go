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
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var profile = label.PrintSettings{Speed: 4, Darkness: 10, Media: "gap", Mode: "tear"}

var lang = labeltest.Language{Name: "tspl", Profile: profile, Encode: tspl.Encode, Render: tspl.Render,
	NewPrinter: func(dpi int) labeltest.Printer { return &tspl.Printer{DPI: dpi} },
	Budget:     budget,
	Leftovers: [][]byte{
		// Another program's label: origin and shift moved, the buffer left
		// dirty.
		[]byte("SIZE 100 mm,150 mm\r\nREFERENCE 40,24\r\nSHIFT 16,-30\r\nDIRECTION 1\r\nCLS\r\nBAR 0,0,600,900\r\nPRINT 1\r\n"),
		[]byte("SIZE 76 mm,130 mm\r\nSHIFT 20\r\nCLS\r\nBOX 10,10,500,500,8\r\nPRINT 1,1\r\n"),
	}}

// TestStateDoesNotLeak prints every template after jobs that left the
// printer's origin, shift and buffer in an odd state.
func TestStateDoesNotLeak(t *testing.T) { labeltest.StateDoesNotLeak(t, lang) }

// TestPrinterKeepsState shows the virtual printer catches a job that
// relies on the printer's state: without CLS the previous label's ink
// stays, and a SHIFT left by one job moves the next.
func TestPrinterKeepsState(t *testing.T) {
	var p tspl.Printer
	if _, err := p.Print([]byte("SIZE 76 mm,130 mm\r\nSHIFT 24\r\nCLS\r\nBAR 0,0,8,8\r\nPRINT 1\r\n")); err != nil {
		t.Fatal(err)
	}
	img, err := p.Print([]byte("SIZE 76 mm,130 mm\r\nBAR 100,100,8,8\r\nPRINT 1\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if img.GrayAt(2, 26).Y != 0 || img.GrayAt(102, 126).Y != 0 || img.GrayAt(102, 102).Y != 255 {
		t.Fatal("the second job should print the first's ink and keep its SHIFT 24")
	}
}

// TestRefusesFirmwareChoices: barcodes whose encoding the firmware would
// choose are refused, so the preview comparison means something.
func TestRefusesFirmwareChoices(t *testing.T) {
	for _, cmd := range []string{
		`BARCODE 10,10,"128",80,0,0,2,2,"YT7512345678901"`,
		`BARCODE 10,10,"128M",80,0,0,2,2,"YT7512345678901"`,
		`QRCODE 10,10,M,4,A,0,"YT7512345678901"`,
		`QRCODE 10,10,M,4,M,0,S3,"AYT7512345678901"`,
		`QRCODE 10,10,M,4,M,0,M2,"AYT7512345678901"`,
	} {
		_, err := tspl.Render([]byte("SIZE 76 mm,130 mm\r\nCLS\r\n" + cmd + "\r\nPRINT 1\r\n"))
		if !errors.Is(err, tspl.ErrFirmwareChoice) {
			t.Errorf("%s: want ErrFirmwareChoice, got %v", cmd, err)
		}
	}
}

// TestGolden pins the bytes of every template.
func TestGolden(t *testing.T) { labeltest.Golden(t, lang, *update) }

func TestVirtualPrinterMatchesPreview(t *testing.T) { labeltest.VirtualPrinterMatchesPreview(t, lang) }

// budget is the most bytes a TSPL label may take: TSPL has no compressed
// bitmap every clone reads, so text goes as raw BITMAP rows and BARs.
// 300 dpi takes twice as much.
func budget(sample string, s label.Size, dpi int) int {
	b := 16 << 10
	switch {
	case sample == "heavy" && s == label.Size100x180:
		b = 28 << 10
	case sample == "heavy":
		b = 22 << 10
	case s == label.Size100x180:
		b = 20 << 10
	}
	if dpi == 300 {
		b *= 2
	}
	return b
}

// TestWireSize reports the bytes of every sample and template and holds
// them to the budget.
func TestWireSize(t *testing.T) { labeltest.WireSize(t, lang) }

func TestEncodeSettings(t *testing.T) {
	l := labeltest.Build(t, label.Size100x150, 203)
	p := label.PrintSettings{Speed: 3, Darkness: 20, Media: "bline", Mode: "peel", Direction: 1, OffsetXmm: 1, OffsetYmm: -2}
	data, err := tspl.Encode(l, p)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"SIZE 100 mm,150 mm\r\n", "BLINE 3 mm,0 mm\r\n", "DIRECTION 1,0\r\n", "REFERENCE 8,0\r\n", "SHIFT -16\r\n", "SPEED 3\r\n", "DENSITY 15\r\n", "SET PEEL ON\r\n", "\r\nPRINT 1,1\r\n", `BARCODE `, `"128M"`, `"!104YT7!099512345678901"`, "QRCODE ", ",M,0,M2,S"} {
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
	q, err := label.NewQR(20, 20, 4, 'M', `a"b,c`)
	if err != nil {
		t.Fatal(err)
	}
	l := &label.Label{Size: label.Size76x130, DPI: 203, WidthDots: 608, HeightDots: 1040, Elements: []label.Element{q}}
	data, err := tspl.Encode(l, profile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(`"B0005a\["]b,c"`)) {
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
	for _, l := range lang.Leftovers {
		f.Add(l)
	}
	f.Add([]byte("SIZE 76 mm,130 mm\r\nBITMAP 1,2,1,1,0,\x00\r\nBOX 0,0,10,10,2\r\nPRINT 1\r\n"))
	f.Add([]byte("SIZE 76 mm,130 mm\r\nSHIFT 5,-3\r\nCLS\r\nBARCODE 60,10,\"128M\",40,0,90,3,3,\"!104AB!09912!100-\"\r\nQRCODE 20,200,M,4,M,0,M2,S3,\"B0003abc\"\r\nPRINT 1\r\n"))
	f.Add([]byte("SIZE 2,3\r\nQRCODE 1,1,H,3,A,0,\"x\"\r\nBARCODE 0,0,\"128\",10,0,0,1,1,\"\"\r\n"))
	// The same bytes twice on one printer: the second job starts from the
	// state the first left.
	f.Fuzz(func(t *testing.T, data []byte) {
		var p tspl.Printer
		for range 2 {
			img, err := p.Print(data)
			if err == nil && (img.Rect.Dx() > 2000 || img.Rect.Dy() > 5000) {
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
