package tspl_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"shipdesk/printer/label"
	"shipdesk/printer/label/labeltest"
	"shipdesk/printer/tspl"
	"shipdesk/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var profile = store.PrinterProfile{Name: "test", Language: "tspl", Speed: 4, Darkness: 10, Media: "gap", Mode: "tear"}

func build(t testing.TB, s label.Size, dpi int) *label.Label {
	t.Helper()
	l, err := label.EWaybill(label.Sample(label.SampleTime), s, dpi)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestGolden pins the bytes of every template.
func TestGolden(t *testing.T) {
	for _, s := range label.Sizes {
		for _, dpi := range label.DPIs {
			got, err := tspl.Encode(build(t, s, dpi), profile)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "ewaybill-"+s.String()+"-"+itoa(dpi)+".tspl.golden")
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s: bytes differ from the golden file (%d vs %d bytes); run go test -update if intended", path, len(got), len(want))
			}
		}
	}
}

func itoa(d int) string {
	if d == 300 {
		return "300"
	}
	return "203"
}

// TestVirtualPrinterMatchesPreview renders every template through TSPL and
// the virtual printer and requires the same dots as the preview, then reads
// the barcode and QR code from the printed image.
func TestVirtualPrinterMatchesPreview(t *testing.T) {
	for _, s := range label.Sizes {
		for _, dpi := range label.DPIs {
			l := build(t, s, dpi)
			want, err := label.Render(l)
			if err != nil {
				t.Fatal(err)
			}
			data, err := tspl.Encode(l, profile)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tspl.Render(data)
			if err != nil {
				t.Fatalf("%s@%d: %v", s, dpi, err)
			}
			n, box, err := labeltest.Diff(want, got)
			if err != nil {
				t.Fatalf("%s@%d: %v", s, dpi, err)
			}
			if n != 0 {
				t.Errorf("%s@%d: %d dots differ within %v", s, dpi, n, box)
			}
			for _, e := range l.Elements {
				switch e := e.(type) {
				case *label.Code128:
					if v, err := labeltest.Code128(got, e.Bounds()); err != nil || v != e.Content {
						t.Errorf("%s@%d: code 128 from the virtual printer: %q %v", s, dpi, v, err)
					}
				case *label.QR:
					if v, err := labeltest.QR(got, e.Bounds()); err != nil || v != e.Content {
						t.Errorf("%s@%d: qr from the virtual printer: %q %v", s, dpi, v, err)
					}
				}
			}
		}
	}
}

func TestWireSize(t *testing.T) {
	for _, s := range label.Sizes {
		for _, dpi := range label.DPIs {
			data, err := tspl.Encode(build(t, s, dpi), profile)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("TSPL %s @%d dpi: %d bytes", s, dpi, len(data))
		}
	}
}

func TestEncodeSettings(t *testing.T) {
	l := build(t, label.Size100x150, 203)
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
	l, err := label.TestLabel(label.Size76x130, 203)
	if err != nil {
		f.Fatal(err)
	}
	seed, err := tspl.Encode(l, profile)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte("SIZE 76 mm,130 mm\r\nBITMAP 1,2,1,1,0,\x00\r\nBOX 0,0,10,10,2\r\nPRINT 1\r\n"))
	f.Add([]byte("SIZE 2,3\r\nQRCODE 1,1,H,3,A,0,\"x\"\r\nBARCODE 0,0,\"128\",10,0,0,1,1,\"\"\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := tspl.Render(data)
		if err == nil && (img.Rect.Dx() > 2000 || img.Rect.Dy() > 5000) {
			t.Fatalf("image %v beyond the limits", img.Rect)
		}
	})
}

func BenchmarkEncode76x130(b *testing.B)  { benchEncode(b, label.Size76x130) }
func BenchmarkEncode100x150(b *testing.B) { benchEncode(b, label.Size100x150) }

func benchEncode(b *testing.B, s label.Size) {
	l := build(b, s, 203)
	var n int
	for b.Loop() {
		data, err := tspl.Encode(l, profile)
		if err != nil {
			b.Fatal(err)
		}
		n = len(data)
	}
	b.ReportMetric(float64(n), "wire-bytes")
}

// BenchmarkBuildAndEncode76x130 includes laying out and rasterising the text.
func BenchmarkBuildAndEncode76x130(b *testing.B) {
	d := label.Sample(label.SampleTime)
	for b.Loop() {
		l, err := label.EWaybill(d, label.Size76x130, 203)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tspl.Encode(l, profile); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVirtualPrinter100x150(b *testing.B) {
	data, err := tspl.Encode(build(b, label.Size100x150, 203), profile)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := tspl.Render(data); err != nil {
			b.Fatal(err)
		}
	}
}
