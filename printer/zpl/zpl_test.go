package zpl_test

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
	"shipdesk/printer/zpl"
	"shipdesk/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var profile = store.PrinterProfile{Name: "test", Language: "zpl", Speed: 4, Darkness: 10, Media: "gap", Mode: "tear"}

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
			got, err := zpl.Encode(build(t, s, dpi), profile)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "ewaybill-"+s.String()+"-"+itoa(dpi)+".zpl.golden")
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
			data, err := zpl.Encode(l, profile)
			if err != nil {
				t.Fatal(err)
			}
			got, err := zpl.Render(data)
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
			data, err := zpl.Encode(build(t, s, dpi), profile)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("ZPL %s @%d dpi: %d bytes", s, dpi, len(data))
		}
	}
}

func TestEncodeSettings(t *testing.T) {
	l := build(t, label.Size100x150, 203)
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
	l, err := label.TestLabel(label.Size76x130, 203)
	if err != nil {
		f.Fatal(err)
	}
	seed, err := zpl.Encode(l, profile)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte("^XA^PW16^LL16^FO4,4^GFA,8,8,1,FF8H1:::::FF^FS^FO1,1^GB5,5,1^FS^XZ"))
	f.Add([]byte("^XA^FO1,1^BY2^BCN,10,N,N,N,A^FH^FD_5E^FS^FO1,1^BQN,2,3^FDHA,x^FS^XZ"))
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := zpl.Render(data)
		if err == nil && (img.Rect.Dx() > 2400 || img.Rect.Dy() > 4800) {
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
		data, err := zpl.Encode(l, profile)
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
		if _, err := zpl.Encode(l, profile); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVirtualPrinter100x150(b *testing.B) {
	data, err := zpl.Encode(build(b, label.Size100x150, 203), profile)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := zpl.Render(data); err != nil {
			b.Fatal(err)
		}
	}
}
