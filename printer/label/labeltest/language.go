package labeltest

import (
	"bytes"
	"image"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"shipdesk/printer/label"
)

// Language is a printer language under test: the encoder that turns a label
// into printer commands and the virtual printer that turns them back into
// dots. The shared checks below run against it so that TSPL and ZPL are
// held to the same contract.
type Language struct {
	// Name is the language's name as it appears in golden file names
	// ("tspl" gives ewaybill-76x130-203.tspl.golden) and, upper-cased, in
	// logs.
	Name string
	// Profile is the printer profile the checks encode with.
	Profile label.PrintSettings
	// Encode renders a label as printer commands.
	Encode func(*label.Label, label.PrintSettings) ([]byte, error)
	// Render runs printer commands through the virtual printer.
	Render func([]byte) (*image.Gray, error)
	// NewPrinter returns a virtual printer of dpi just switched on, which keeps
	// its state from one job to the next.
	NewPrinter func(dpi int) Printer
	// Budget is the most bytes a job of sample at s and dpi may take; 0:
	// none.
	Budget func(sample string, s label.Size, dpi int) int
	// Leftovers are jobs of another program that leave the printer in an
	// odd state (a tall ^BY, a moved origin, a shift, a dirty buffer).
	Leftovers [][]byte
}

// Printer is a virtual printer with state kept between jobs.
type Printer interface {
	Print(job []byte) (*image.Gray, error)
}

// Build lays out the sample e-waybill in size s at dpi.
func Build(t testing.TB, s label.Size, dpi int) *label.Label {
	t.Helper()
	l, err := label.EWaybill(label.Sample(label.SampleTime), s, dpi)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// BuildHeavy lays out the heaviest sample (label.HeavySample) in size s at
// dpi.
func BuildHeavy(t testing.TB, s label.Size, dpi int) *label.Label {
	t.Helper()
	l, err := label.EWaybill(label.HeavySample(label.SampleTime), s, dpi)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// Samples names the orders every check runs: "typical" an everyday order
// (label.TypicalSample), "ewaybill" a full one (label.Sample: long address
// with rare characters, 大头笔, 集包地, insured value), "heavy" the
// heaviest (label.HeavySample).
var Samples = []string{"typical", "ewaybill", "heavy"}

// eachTemplate calls f with every sample, label size and resolution and
// the sample laid out in it.
func eachTemplate(t testing.TB, f func(s label.Size, dpi int, l *label.Label)) {
	t.Helper()
	eachSample(t, func(_ string, s label.Size, dpi int, l *label.Label) { f(s, dpi, l) })
}

func eachSample(t testing.TB, f func(sample string, s label.Size, dpi int, l *label.Label)) {
	t.Helper()
	for _, name := range Samples {
		for _, s := range label.Sizes {
			for _, dpi := range label.DPIs {
				switch name {
				case "heavy":
					f(name, s, dpi, BuildHeavy(t, s, dpi))
				case "typical":
					l, err := label.EWaybill(label.TypicalSample(label.SampleTime), s, dpi)
					if err != nil {
						t.Fatal(err)
					}
					f(name, s, dpi, l)
				default:
					f(name, s, dpi, Build(t, s, dpi))
				}
			}
		}
	}
}

// Golden pins the bytes lang encodes for every template against
// testdata/ewaybill-<size>-<dpi>.<name>.golden; with update it rewrites the
// files first.
func Golden(t *testing.T, lang Language, update bool) {
	t.Helper()
	eachSample(t, func(sample string, s label.Size, dpi int, l *label.Label) {
		got, err := lang.Encode(l, lang.Profile)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", sample+"-"+s.String()+"-"+strconv.Itoa(dpi)+"."+lang.Name+".golden")
		if update {
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
	})
}

// VirtualPrinterMatchesPreview renders every template through lang and its
// virtual printer and requires the same dots as the preview, then reads the
// barcode and QR code from the printed image.
func VirtualPrinterMatchesPreview(t *testing.T, lang Language) {
	t.Helper()
	eachTemplate(t, func(s label.Size, dpi int, l *label.Label) {
		want, err := label.Render(l)
		if err != nil {
			t.Fatal(err)
		}
		data, err := lang.Encode(l, lang.Profile)
		if err != nil {
			t.Fatal(err)
		}
		got, err := lang.Render(data)
		if err != nil {
			t.Fatalf("%s@%d: %v", s, dpi, err)
		}
		n, box, err := Diff(want, got)
		if err != nil {
			t.Fatalf("%s@%d: %v", s, dpi, err)
		}
		if n != 0 {
			t.Errorf("%s@%d: %d dots differ within %v", s, dpi, n, box)
		}
		for _, e := range l.Elements {
			switch e := e.(type) {
			case *label.Code128:
				if v, err := Code128(got, e.Bounds()); err != nil || v != e.Content {
					t.Errorf("%s@%d: code 128 from the virtual printer: %q %v", s, dpi, v, err)
				}
			case *label.QR:
				if v, err := QR(got, e.Bounds()); err != nil || v != e.Content {
					t.Errorf("%s@%d: qr from the virtual printer: %q %v", s, dpi, v, err)
				}
			}
		}
	})
}

// StateDoesNotLeak prints each of lang's Leftovers jobs and then every
// template on the same virtual printer, and requires the preview's dots:
// every label must reset what the printer keeps between jobs.
func StateDoesNotLeak(t *testing.T, lang Language) {
	t.Helper()
	if len(lang.Leftovers) == 0 {
		t.Fatal("no leftover jobs to print first")
	}
	eachTemplate(t, func(s label.Size, dpi int, l *label.Label) {
		want, err := label.Render(l)
		if err != nil {
			t.Fatal(err)
		}
		data, err := lang.Encode(l, lang.Profile)
		if err != nil {
			t.Fatal(err)
		}
		for i, left := range lang.Leftovers {
			p := lang.NewPrinter(dpi)
			if _, err := p.Print(left); err != nil {
				t.Fatalf("leftover job %d: %v", i, err)
			}
			got, err := p.Print(data)
			if err != nil {
				t.Fatalf("%s@%d after leftover %d: %v", s, dpi, i, err)
			}
			if n, box, err := Diff(want, got); err != nil || n != 0 {
				t.Errorf("%s@%d after leftover job %d: %d dots differ within %v (%v)", s, dpi, i, n, box, err)
			}
		}
	})
}

// WireSize reports how many bytes lang sends for every sample and template
// and fails when one is over lang's Budget.
func WireSize(t *testing.T, lang Language) {
	t.Helper()
	eachSample(t, func(sample string, s label.Size, dpi int, l *label.Label) {
		data, err := lang.Encode(l, lang.Profile)
		if err != nil {
			t.Fatal(err)
		}
		budget := 0
		if lang.Budget != nil {
			budget = lang.Budget(sample, s, dpi)
		}
		t.Logf("%s %-8s %s @%d dpi: %6d bytes (budget %d)", strings.ToUpper(lang.Name), sample, s, dpi, len(data), budget)
		if budget > 0 && len(data) > budget {
			t.Errorf("%s %s %s@%d: %d bytes, over the budget of %d", lang.Name, sample, s, dpi, len(data), budget)
		}
	})
}

// FuzzSeed is the test label of size 76x130 at 203 dpi encoded by lang, the
// first seed of a fuzz target for lang's virtual printer.
func FuzzSeed(f *testing.F, lang Language) []byte {
	f.Helper()
	l, err := label.TestLabel(label.Size76x130, 203)
	if err != nil {
		f.Fatal(err)
	}
	seed, err := lang.Encode(l, lang.Profile)
	if err != nil {
		f.Fatal(err)
	}
	return seed
}

// BenchEncode measures encoding the sample label of size s at 203 dpi and
// reports the bytes sent as wire-bytes.
func BenchEncode(b *testing.B, lang Language, s label.Size) {
	l := Build(b, s, 203)
	var n int
	for b.Loop() {
		data, err := lang.Encode(l, lang.Profile)
		if err != nil {
			b.Fatal(err)
		}
		n = len(data)
	}
	b.ReportMetric(float64(n), "wire-bytes")
}

// BenchBuildAndEncode measures laying out, rasterising the text and
// encoding the sample label of size s at 203 dpi.
func BenchBuildAndEncode(b *testing.B, lang Language, s label.Size) {
	d := label.Sample(label.SampleTime)
	for b.Loop() {
		l, err := label.EWaybill(d, s, 203)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := lang.Encode(l, lang.Profile); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchVirtualPrinter measures the virtual printer on the sample label of
// size s at 203 dpi.
func BenchVirtualPrinter(b *testing.B, lang Language, s label.Size) {
	data, err := lang.Encode(Build(b, s, 203), lang.Profile)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := lang.Render(data); err != nil {
			b.Fatal(err)
		}
	}
}

// RoundTrip encodes l with lang, prints it on a fresh virtual printer and
// requires the preview's dots.
func RoundTrip(t *testing.T, lang Language, l *label.Label) {
	t.Helper()
	want, err := label.Render(l)
	if err != nil {
		t.Fatal(err)
	}
	data, err := lang.Encode(l, lang.Profile)
	if err != nil {
		t.Fatal(err)
	}
	got, err := lang.NewPrinter(l.DPI).Print(data)
	if err != nil {
		t.Fatal(err)
	}
	if n, box, err := Diff(want, got); err != nil || n != 0 {
		t.Fatalf("%d dots differ within %v (%v)", n, box, err)
	}
}

// PicturesAndTestPage round-trips a picture label (ImageLabel) and the
// printer test page of every size and resolution.
func PicturesAndTestPage(t *testing.T, lang Language) {
	t.Helper()
	for _, s := range label.Sizes {
		for _, dpi := range label.DPIs {
			tp, err := label.TestLabel(s, dpi)
			if err != nil {
				t.Fatal(err)
			}
			RoundTrip(t, lang, tp)
			pic := image.NewGray(image.Rect(0, 0, 300, 200))
			for i := range pic.Pix {
				if (i/7+i/pic.Stride/5)%3 == 0 {
					pic.Pix[i] = 255
				}
			}
			l, err := label.ImageLabel(s, dpi, pic)
			if err != nil {
				t.Fatal(err)
			}
			RoundTrip(t, lang, l)
		}
	}
}
