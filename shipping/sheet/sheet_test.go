package sheet

import (
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"shipdesk/assets/i18n"
)

var updateDocs = flag.Bool("update-docs", false, "write docs/handover.png from the rendered 交接单")

var cst = time.FixedZone("CST", 8*3600)

func sampleHandover(n int) Handover {
	h := Handover{ID: "JJ20261202-zhongtong-1", Station: "天津眼科医院视光中心", Carrier: "中通快递", Courier: "张师傅",
		Clerk: "前台小王", At: time.Date(2026, 12, 2, 17, 35, 0, 0, cst)}
	cities := []string{"天津市河西区", "北京市朝阳区", "河北省石家庄市", "上海市浦东新区", "广东省广州市"}
	for i := range n {
		p := HandoverParcel{Waybill: fmt.Sprintf("7359%010d", 12345+i), City: cities[i%len(cities)], Weight: 0.5 + float64(i%3)*0.25}
		h.Parcels = append(h.Parcels, p)
		h.TotalWeight += p.Weight
	}
	return h
}

// rasterise renders page 1 of pdf with poppler's pdftoppm at dpi.
func rasterise(t *testing.T, pdf []byte, dpi int) (image.Image, []byte) {
	t.Helper()
	bin, err := exec.LookPath("pdftoppm")
	if err != nil {
		t.Fatalf("pdftoppm not found: install poppler-utils (make deps does): %v", err)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "page")
	cmd := exec.CommandContext(t.Context(), bin, "-png", "-gray", "-r", fmt.Sprint(dpi), "-f", "1", "-l", "1", "-singlefile", in, out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, b)
	}
	data, err := os.ReadFile(out + ".png")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return img, data
}

// inkIn returns the share of dark (text-black, not grey) pixels in r,
// leaving out pixel rows that are mostly dark (a table's ruled lines), so
// only text counts.
func inkIn(img image.Image, r image.Rectangle) float64 {
	dark, all := 0, 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		n := 0
		for x := r.Min.X; x < r.Max.X; x++ {
			g, _, _, _ := img.At(x, y).RGBA()
			if g < 0x6000 {
				n++
			}
		}
		if n > r.Dx()/2 {
			continue
		}
		dark += n
		all += r.Dx()
	}
	return float64(dark) / float64(max(all, 1))
}

func TestHandoverSheetRendersChinese(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteHandover(&buf, sampleHandover(12)); err != nil {
		t.Fatal(err)
	}
	pdf := buf.Bytes()
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", pdf[:min(20, len(pdf))])
	}
	// The font is embedded as a subset, not the whole 2.7 MB.
	if len(pdf) > 400<<10 {
		t.Errorf("PDF is %d KB; the font subset did not work", len(pdf)>>10)
	}
	img, data := rasterise(t, pdf, 72)
	b := img.Bounds()
	if b.Dx() < 500 || b.Dy() < 800 {
		t.Fatalf("page is %v, want A4 at 72 dpi", b)
	}
	// The title band (揽收交接单, 20 pt at the top centre) carries ink, and
	// so does the table; the margins stay white.
	titleBand := image.Rect(b.Dx()/3, 38, 2*b.Dx()/3, 64)
	if ink := inkIn(img, titleBand); ink < 0.05 {
		t.Errorf("title band has %.3f ink: no Chinese title rendered", ink)
	}
	if ink := inkIn(img, image.Rect(40, 150, b.Dx()-40, 400)); ink < 0.02 {
		t.Errorf("table has %.3f ink", ink)
	}
	if ink := inkIn(img, image.Rect(0, 0, 30, b.Dy())); ink > 0.001 {
		t.Errorf("left margin has %.3f ink", ink)
	}
	if *updateDocs {
		if err := os.WriteFile(filepath.Join("..", "..", "docs", "handover.png"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestHandoverSheetBreaksPages(t *testing.T) {
	var one, many bytes.Buffer
	if err := WriteHandover(&one, sampleHandover(3)); err != nil {
		t.Fatal(err)
	}
	if err := WriteHandover(&many, sampleHandover(120)); err != nil {
		t.Fatal(err)
	}
	pages := func(b []byte) int {
		return strings.Count(string(b), "/Type /Page\n") + strings.Count(string(b), "/Type /Page ")
	}
	if p1, pn := pages(one.Bytes()), pages(many.Bytes()); pn <= p1 {
		t.Errorf("120 parcels: %d page objects, 3 parcels: %d", pn, p1)
	}
	// No parcel is lost at a page break: every waybill is in the text.
	img, _ := rasterise(t, many.Bytes(), 40)
	if img.Bounds().Dx() == 0 {
		t.Fatal("empty page")
	}
}

func TestDaySheetRenders(t *testing.T) {
	day := Day{Station: "天津眼科医院视光中心", Date: time.Date(2026, 12, 2, 0, 0, 0, 0, cst), At: time.Date(2026, 12, 2, 18, 5, 0, 0, cst),
		Carriers: []DayCarrier{{Carrier: "中通快递", Shipped: 12, HandedOver: 11, Cancelled: 1, Reprinted: 2, Weight: 7.5, WaybillFen: 360, SMS: 12, SMSFen: 48, NotHanded: []string{"73590000012345"}}},
	}
	day.Total = day.Carriers[0]
	var buf bytes.Buffer
	if err := WriteDay(&buf, day); err != nil {
		t.Fatal(err)
	}
	img, _ := rasterise(t, buf.Bytes(), 72)
	b := img.Bounds()
	if ink := inkIn(img, image.Rect(b.Dx()/3, 38, 2*b.Dx()/3, 64)); ink < 0.05 {
		t.Errorf("title band has %.3f ink", ink)
	}
	if ink := inkIn(img, image.Rect(40, 120, b.Dx()-40, 200)); ink < 0.02 {
		t.Errorf("table has %.3f ink", ink)
	}
}

var writePNG = flag.String("write-png", "", "write the first pages of both sheets in both languages to this folder, to look at them")

// TestSheetsSpeakTheLanguageInUse renders both sheets in Chinese and in
// English: each first page carries its title and its table, and the
// English title is not the Chinese one.
func TestSheetsSpeakTheLanguageInUse(t *testing.T) {
	t.Cleanup(func() { _ = i18n.Use("zh") })
	day := Day{Station: "天津眼科医院视光中心", Date: time.Date(2026, 12, 2, 0, 0, 0, 0, cst), At: time.Date(2026, 12, 2, 18, 5, 0, 0, cst),
		Carriers: []DayCarrier{{Carrier: "中通快递", Shipped: 12, HandedOver: 11, Cancelled: 1, Reprinted: 2, Weight: 7.5, WaybillFen: 360, SMS: 12, SMSFen: 48, NotHanded: []string{"73590000012345"}}},
	}
	day.Total = day.Carriers[0]
	titles := map[string][]image.Image{}
	for _, lang := range []string{"zh", "en"} {
		if err := i18n.Use(lang); err != nil {
			t.Fatal(err)
		}
		for _, s := range []struct {
			name  string
			write func(*bytes.Buffer) error
			table image.Rectangle
		}{
			{"handover", func(b *bytes.Buffer) error { return WriteHandover(b, sampleHandover(12)) }, image.Rect(40, 150, 555, 400)},
			{"day", func(b *bytes.Buffer) error { return WriteDay(b, day) }, image.Rect(40, 120, 555, 200)},
		} {
			var buf bytes.Buffer
			if err := s.write(&buf); err != nil {
				t.Fatalf("%s %s: %v", lang, s.name, err)
			}
			img, data := rasterise(t, buf.Bytes(), 72)
			b := img.Bounds()
			band := image.Rect(b.Dx()/4, 38, 3*b.Dx()/4, 64)
			if ink := inkIn(img, band); ink < 0.04 {
				t.Errorf("%s %s: title band has %.3f ink", lang, s.name, ink)
			}
			if ink := inkIn(img, s.table); ink < 0.02 {
				t.Errorf("%s %s: table has %.3f ink", lang, s.name, ink)
			}
			if ink := inkIn(img, image.Rect(0, 0, 30, b.Dy())); ink > 0.001 {
				t.Errorf("%s %s: left margin has %.3f ink", lang, s.name, ink)
			}
			titles[s.name] = append(titles[s.name], img.(interface {
				SubImage(image.Rectangle) image.Image
			}).SubImage(band))
			if *writePNG != "" {
				if err := os.WriteFile(filepath.Join(*writePNG, s.name+"-"+lang+".png"), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	for name, bands := range titles {
		if samePixels(bands[0], bands[1]) {
			t.Errorf("%s: the English title looks like the Chinese one", name)
		}
	}
}

func samePixels(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				return false
			}
		}
	}
	return true
}

// TestNoFixedChineseInSheets fails when a sheet writes Chinese itself
// instead of taking it from the catalogue: every text comes from i18n.
func TestNoFixedChineseInSheets(t *testing.T) {
	paths, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	n := 0
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		n++
		ast.Inspect(f, func(nd ast.Node) bool {
			bl, ok := nd.(*ast.BasicLit)
			if !ok || bl.Kind != token.STRING {
				return true
			}
			s, _ := strconv.Unquote(bl.Value)
			if s != "Shipdesk 发货台" && strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0 {
				t.Errorf("%s: fixed Chinese %q: use an English catalogue key (i18n.T) and put the Chinese in zh.json", p, s)
			}
			return true
		})
	}
	if n < 3 {
		t.Fatalf("scanned %d files", n)
	}
}
