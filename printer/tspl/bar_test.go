package tspl

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"shipdesk/printer/label"
	"shipdesk/printer/label/labeltest"
)

// roundTrip encodes l, prints it on the virtual printer and requires the
// preview's dots exactly; it returns the job.
func roundTrip(t *testing.T, l *label.Label) []byte {
	t.Helper()
	want, err := label.Render(l)
	if err != nil {
		t.Fatal(err)
	}
	data, err := Encode(l, label.PrintSettings{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := RenderDPI(data, l.DPI)
	if err != nil {
		t.Fatal(err)
	}
	n, box, err := labeltest.Diff(want, got)
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d dots differ within %v", n, box)
	}
	return data
}

func page(elems ...label.Element) *label.Label {
	return &label.Label{Size: label.Size76x130, DPI: 203, WidthDots: 608, HeightDots: 1040, Elements: elems}
}

func bitmapOf(w, h int, black func(x, y int) bool) *label.Bitmap {
	b := label.NewBitmap(w, h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if black(x, y) {
				b.Set(x, y)
			}
		}
	}
	return b
}

// tilesBytes is what the text bitmaps cost as plain ink-cropped tiles, the
// encoding before bands and BARs.
func tilesBytes(l *label.Label) int {
	n := 0
	for _, e := range l.Elements {
		if tx, ok := e.(*label.Text); ok {
			for _, tl := range tx.Bitmap.Tiles(bitmapHeader) {
				n += bitmapCost(tx.X+tl.X, tx.Y+tl.Y, tl.Bitmap.Stride, tl.Bitmap.H)
			}
		}
	}
	return n
}

func textBytes(t *testing.T, l *label.Label) (n, bitmaps, bars int) {
	t.Helper()
	var b, br bytes.Buffer
	w := bandWriter{large: label.Dots(largeTypeMM, l.DPI)}
	for _, e := range l.Elements {
		if tx, ok := e.(*label.Text); ok {
			w.bitmap(&b, &br, tx.X, tx.Y, tx.Bitmap)
		}
	}
	return b.Len() + br.Len(), w.nBits, w.nBars
}

// A solid block of ink goes as one BAR, not as a BITMAP of black bytes.
func TestSolidTextIsBars(t *testing.T) {
	l := page(&label.Text{X: 40, Y: 50, Content: "■", Bitmap: bitmapOf(120, 60, func(x, y int) bool { return true })})
	data := roundTrip(t, l)
	if bytes.Contains(data, []byte("BITMAP")) || !bytes.Contains(data, []byte("BAR 40,50,120,60\r\n")) {
		t.Fatalf("solid block not sent as one BAR:\n%q", data)
	}
}

// A bitmap whose ink fills a width that is not a whole number of bytes
// must let its last byte column reach past the element, where the next
// text's ink lies 1 dot away; that BITMAP goes first so it cannot erase it.
func TestSpillDoesNotErase(t *testing.T) {
	edge := func(x, y int) bool { return x == 0 || x == 12 || (x+y)%3 == 0 }
	a := &label.Text{X: 100, Y: 100, Content: "a", Bitmap: bitmapOf(13, 20, edge)}
	b := &label.Text{X: 114, Y: 100, Content: "b", Bitmap: bitmapOf(30, 20, func(x, y int) bool { return x < 4 || y%2 == 0 })}
	for _, l := range []*label.Label{page(b, a), page(a, b)} {
		data := roundTrip(t, l)
		if !bytes.HasPrefix(data[bytes.Index(data, []byte("CLS\r\n"))+5:], []byte("BITMAP 100,")) {
			t.Errorf("the spilling BITMAP is not sent first")
		}
	}
}

// Large text from the real font: pieces, bands and BARs print the same dots
// and never cost more than the plain tiles.
func TestLargeTextRoundTrip(t *testing.T) {
	var elems []label.Element
	y := 10
	for _, c := range []struct {
		s    string
		px   int
		bold bool
	}{{"356-01-02 A03", 96, true}, {"一二三 工 口 田 -1-", 80, false}, {"天津市河西区友谊路32号", 40, true}, {"YT7512345678901", 24, false}} {
		tx, err := label.FitText(c.s, label.TextOpts{X: 10, Y: y, W: 2000, H: 200, MaxPx: c.px, Bold: c.bold})
		if err != nil {
			t.Fatal(err)
		}
		elems = append(elems, tx)
		y += tx.Bitmap.H + 12
	}
	l := &label.Label{Size: label.Size{WidthMM: 120, HeightMM: 60}, DPI: 300, WidthDots: label.Dots(120, 300), HeightDots: label.Dots(60, 300), Elements: elems}
	roundTrip(t, l)
	n, bitmaps, bars := textBytes(t, l)
	if plain := tilesBytes(l); n > plain {
		t.Errorf("bands cost %d bytes, plain tiles %d", n, plain)
	}
	if bars == 0 {
		t.Errorf("no BARs for 96-dot bold type (%d BITMAPs)", bitmaps)
	}
}

// Random bitmaps (noise, stripes, blocks) side by side and stacked print
// the same dots as the preview.
func TestRandomBitmapsRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 60; i++ {
		var elems []label.Element
		x, y, rowH := 0, 0, 0
		for k := 0; k < 12; k++ {
			w, h := 1+r.IntN(90), 1+r.IntN(50)
			if x+w > 600 {
				x, y, rowH = 0, y+rowH+r.IntN(3), 0
			}
			if y+h > 1000 {
				break
			}
			p := r.Float64()
			bx, by := r.IntN(w), r.IntN(h)
			var f func(x, y int) bool
			switch r.IntN(4) {
			case 0:
				f = func(int, int) bool { return r.Float64() < p }
			case 1:
				f = func(x, _ int) bool { return x%(1+bx) < 1+bx/2 }
			case 2:
				f = func(x, y int) bool { return x <= bx || y <= by || r.Float64() < p/4 }
			default:
				f = func(x, y int) bool { return (x/3+y/5)%2 == 0 }
			}
			elems = append(elems, &label.Text{X: x, Y: y, Content: "r", Bitmap: bitmapOf(w, h, f)})
			x += w + r.IntN(3)
			rowH = max(rowH, h)
		}
		roundTrip(t, page(elems...))
	}
}

// TestSampleCommands reports the wire bytes and the number of commands of
// every template and holds the text to no more bytes than plain tiles.
func TestSampleCommands(t *testing.T) {
	for _, s := range label.Sizes {
		for _, dpi := range label.DPIs {
			l, err := label.EWaybill(label.Sample(label.SampleTime), s, dpi)
			if err != nil {
				t.Fatal(err)
			}
			data, err := Encode(l, label.PrintSettings{Speed: 4, Darkness: 10})
			if err != nil {
				t.Fatal(err)
			}
			cmds := countCommands(t, data)
			n, bitmaps, bars := textBytes(t, l)
			plain := tilesBytes(l)
			t.Logf("%s@%d: %d bytes, %d commands; text %d bytes (plain tiles %d) in %d BITMAP + %d BAR", s, dpi, len(data), cmds, n, plain, bitmaps, bars)
			if n > plain {
				t.Errorf("%s@%d: text costs %d bytes, more than plain tiles (%d)", s, dpi, n, plain)
			}
			if cmds > 1500 {
				t.Errorf("%s@%d: %d commands", s, dpi, cmds)
			}
		}
	}
}

// countCommands counts the commands of a job, skipping BITMAP data.
func countCommands(t *testing.T, data []byte) int {
	t.Helper()
	n := 0
	for rest := data; len(rest) > 0; {
		rest = bytes.TrimLeft(rest, "\r\n")
		if len(rest) == 0 {
			break
		}
		n++
		if strings.HasPrefix(string(rest[:min(len(rest), 7)]), "BITMAP ") {
			_, k, err := parseBitmap(rest)
			if err != nil {
				t.Fatal(err)
			}
			rest = rest[k:]
			continue
		}
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			rest = rest[i+1:]
		} else {
			rest = nil
		}
	}
	return n
}

// BenchmarkEncode100x180At300 is the largest template, with the most type
// large enough to plan in BARs.
func BenchmarkEncode100x180At300(b *testing.B) {
	l, err := label.EWaybill(label.Sample(label.SampleTime), label.Size100x180, 300)
	if err != nil {
		b.Fatal(err)
	}
	var n int
	for b.Loop() {
		data, err := Encode(l, label.PrintSettings{})
		if err != nil {
			b.Fatal(err)
		}
		n = len(data)
	}
	b.ReportMetric(float64(n), "wire-bytes")
}
