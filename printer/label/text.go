package label

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/text/unicode/norm"

	"shipdesk/assets"
)

// ErrTextTooLong reports text that does not fit its box even at the smallest
// size the template allows. The label is not made: text is never cut off.
var ErrTextTooLong = errors.New("文字太长，标签上放不下")

// ErrMissingGlyph reports a character the embedded font cannot draw in a
// field that must print exactly (the waybill number). Other text prints a
// placeholder box for it instead, and the label's Warnings name it.
var ErrMissingGlyph = errors.New("标签字体里没有这个字")

// fontState is the parsed embedded font and a cache of rasterised glyphs.
// The opentype faces are not safe for concurrent use, so every access holds
// mu.
type fontState struct {
	mu     sync.Mutex
	font   *sfnt.Font
	buf    sfnt.Buffer
	faces  map[int]font.Face
	glyphs map[glyphKey]*glyph
	advs   map[glyphKey]fixed.Int26_6
}

type glyphKey struct {
	px int
	r  rune
}

// glyph is one rasterised character: a 1-byte-per-dot mask (0 or 1) with its
// offset from the pen position on the baseline, and the pen advance in dots.
type glyph struct {
	dx, dy, w, h int
	mask         []byte
	adv          fixed.Int26_6
}

// maxCachedGlyphs bounds the rasterised-glyph cache (a few MB).
const maxCachedGlyphs = 20000

var (
	fontOnce sync.Once
	fontErr  error
	fonts    fontState
)

func loadFont() (*fontState, error) {
	fontOnce.Do(func() {
		f, err := opentype.Parse(assets.CJKFont)
		if err != nil {
			fontErr = fmt.Errorf("parse label font: %w", err)
			return
		}
		fonts.font = f
		fonts.faces = map[int]font.Face{}
		fonts.glyphs = map[glyphKey]*glyph{}
		fonts.advs = map[glyphKey]fixed.Int26_6{}
	})
	return &fonts, fontErr
}

// HasGlyph reports whether the embedded font draws r (glyph index not 0).
func HasGlyph(r rune) bool {
	fs, err := loadFont()
	if err != nil {
		return false
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	i, err := fs.font.GlyphIndex(&fs.buf, r)
	return err == nil && i != 0
}

// glyphLocked returns the glyph for r at px dots per em. fs.mu is held.
func (fs *fontState) glyphLocked(px int, r rune) (*glyph, error) {
	k := glyphKey{px, r}
	if g, ok := fs.glyphs[k]; ok {
		return g, nil
	}
	if len(fs.glyphs) > maxCachedGlyphs {
		// Bound memory in a long-running app: start over.
		clear(fs.glyphs)
		clear(fs.advs)
	}
	if r == ' ' || r == '\u3000' {
		g := &glyph{adv: fixed.I(px) / 2}
		if r == '\u3000' {
			g.adv = fixed.I(px)
		}
		fs.glyphs[k] = g
		return g, nil
	}
	idx, err := fs.font.GlyphIndex(&fs.buf, r)
	if err != nil || idx == 0 {
		g := placeholder(px)
		fs.glyphs[k] = g
		return g, nil
	}
	face, err := fs.faceLocked(px)
	if err != nil {
		return nil, err
	}
	dr, mask, mp, adv, ok := face.Glyph(fixed.P(0, 0), r)
	if !ok {
		g := placeholder(px)
		fs.glyphs[k] = g
		return g, nil
	}
	g := &glyph{dx: dr.Min.X, dy: dr.Min.Y, w: dr.Dx(), h: dr.Dy(), adv: adv}
	g.mask = make([]byte, g.w*g.h)
	// A dot is black when the outline covers half of it; a glyph of hair
	// lines (│ ┆ at small sizes) that covers no dot by half keeps its most
	// covered dots instead of vanishing.
	alpha := make([]uint32, g.w*g.h)
	var most uint32
	for y := 0; y < g.h; y++ {
		for x := 0; x < g.w; x++ {
			_, _, _, a := mask.At(mp.X+x, mp.Y+y).RGBA()
			alpha[y*g.w+x] = a
			most = max(most, a)
		}
	}
	threshold := min(uint32(0x8000), most)
	for i, a := range alpha {
		if a >= threshold && a > 0 {
			g.mask[i] = 1
		}
	}
	fs.glyphs[k] = g
	return g, nil
}

func (fs *fontState) faceLocked(px int) (font.Face, error) {
	face, ok := fs.faces[px]
	if !ok {
		var err error
		face, err = opentype.NewFace(fs.font, &opentype.FaceOptions{Size: float64(px), DPI: 72, Hinting: font.HintingNone})
		if err != nil {
			return nil, fmt.Errorf("label font at %d dots: %w", px, err)
		}
		fs.faces[px] = face
	}
	return face, nil
}

// advLocked returns the pen advance of r at px without rasterising it.
func (fs *fontState) advLocked(px int, r rune) (fixed.Int26_6, error) {
	k := glyphKey{px, r}
	if a, ok := fs.advs[k]; ok {
		return a, nil
	}
	if len(fs.advs) > 4*maxCachedGlyphs {
		clear(fs.advs)
	}
	if r == ' ' || r == '\u3000' {
		g, err := fs.glyphLocked(px, r)
		if err != nil {
			return 0, err
		}
		return g.adv, nil
	}
	idx, err := fs.font.GlyphIndex(&fs.buf, r)
	if err != nil || idx == 0 {
		return placeholder(px).adv, nil
	}
	face, err := fs.faceLocked(px)
	if err != nil {
		return 0, err
	}
	a, ok := face.GlyphAdvance(r)
	if !ok {
		return placeholder(px).adv, nil
	}
	fs.advs[k] = a
	return a, nil
}

// placeholder is what prints for a character the font cannot draw (an
// emoji, Extension B and beyond): a box with a cross, on the baseline,
// 0.7 em square, so the clerk sees something is there.
func placeholder(px int) *glyph {
	side := max(px*7/10, 4)
	t := max(px/14, 1)
	g := &glyph{dx: px / 10, dy: -side, w: side, h: side, adv: fixed.I(px * 9 / 10), mask: make([]byte, side*side)}
	for y := 0; y < side; y++ {
		for x := 0; x < side; x++ {
			edge := x < t || y < t || x >= side-t || y >= side-t
			d := x - y
			e := x + y - (side - 1)
			cross := d >= -t/2 && d <= t/2 || e >= -t/2 && e <= t/2
			if edge || cross {
				g.mask[y*side+x] = 1
			}
		}
	}
	return g
}

// hasGlyphLocked reports whether the font draws r.
func (fs *fontState) hasGlyphLocked(r rune) bool {
	if r == ' ' || r == '\u3000' || r == '\n' {
		return true
	}
	i, err := fs.font.GlyphIndex(&fs.buf, r)
	return err == nil && i != 0
}

// cleanText composes characters (NFC: a u and a combining diaeresis become
// ü), drops control and format characters (zero-width spaces and joiners)
// and variation selectors (an emoji's VS16; tabs become spaces; '\n' is
// kept as a hard line break) and trims.
func cleanText(s string) string {
	var b strings.Builder
	for _, r := range norm.NFC.String(s) {
		switch {
		case r == '\n':
			b.WriteRune('\n')
		case r == '\r' || r == '\t':
			b.WriteRune(' ')
		case unicode.Is(unicode.Variation_Selector, r):
		case unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r):
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}

// measureLocked returns the advance of s at px in whole dots.
func (fs *fontState) measureLocked(s string, px int, bold bool) (int, error) {
	var w fixed.Int26_6
	for _, r := range s {
		a, err := fs.advLocked(px, r)
		if err != nil {
			return 0, err
		}
		w += a
	}
	n := w.Ceil()
	if bold && n > 0 {
		n += boldShift(px)
	}
	return n, nil
}

// boldShift is how many dots a bold glyph is smeared to the right.
func boldShift(px int) int {
	switch {
	case px >= 60:
		return 3
	case px >= 36:
		return 2
	default:
		return 1
	}
}

// lineHeight is the distance between baselines for px.
func lineHeight(px int) int { return px * 6 / 5 }

// wrapLocked breaks s into lines no wider than maxW dots. CJK characters
// break anywhere; runs of Latin letters and digits stay together unless a
// run alone is wider than a line.
func (fs *fontState) wrapLocked(s string, px, maxW int, bold bool) ([]string, error) {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		lines, err := fs.wrapParaLocked(strings.TrimSpace(para), px, maxW, bold)
		if err != nil {
			return nil, err
		}
		out = append(out, lines...)
	}
	return out, nil
}

func (fs *fontState) wrapParaLocked(s string, px, maxW int, bold bool) ([]string, error) {
	var tokens []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			tokens = append(tokens, string(cur))
			cur = cur[:0]
		}
	}
	for _, r := range s {
		if r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '.' || r == '*' || r == '#') {
			cur = append(cur, r)
			continue
		}
		flush()
		tokens = append(tokens, string(r))
	}
	flush()
	var lines []string
	line := ""
	for _, t := range tokens {
		cand := line + t
		w, err := fs.measureLocked(cand, px, bold)
		if err != nil {
			return nil, err
		}
		if w <= maxW {
			line = cand
			continue
		}
		if strings.TrimSpace(line) != "" {
			lines = append(lines, strings.TrimRight(line, " "))
		}
		line = strings.TrimLeft(t, " ")
		if tw, _ := fs.measureLocked(line, px, bold); tw > maxW {
			// A token wider than a line: break it by character.
			var part []rune
			for _, r := range line {
				pw, _ := fs.measureLocked(string(append(part, r)), px, bold)
				if pw > maxW && len(part) > 0 {
					lines = append(lines, string(part))
					part = part[:0]
				}
				part = append(part, r)
			}
			line = string(part)
		}
	}
	if strings.TrimSpace(line) != "" {
		lines = append(lines, strings.TrimRight(line, " "))
	}
	return lines, nil
}

// Align is the horizontal alignment of text in its box.
type Align int

// Alignments.
const (
	Left Align = iota
	Center
	Right
)

// TextOpts describe a text box for FitText.
type TextOpts struct {
	X, Y, W, H int  // the box, in dots
	MaxPx      int  // preferred size: dots per em
	MinPx      int  // smallest acceptable size; 0 means MaxPx (no shrinking)
	MaxLines   int  // 0: as many as fit
	Bold       bool // smeared one or more dots to the right
	Align      Align
	VCenter    bool   // centre the lines vertically in the box
	Field      string // name used in errors, e.g. "收件地址"
}

// FitText wraps s into the box, shrinking from MaxPx down to MinPx until the
// lines fit, and returns the rasterised text cropped to its ink (nil when s
// has no ink). If it cannot fit it returns an error wrapping ErrTextTooLong.
func FitText(s string, o TextOpts) (*Text, error) {
	s = cleanText(s)
	if s == "" {
		return nil, nil
	}
	fs, err := loadFont()
	if err != nil {
		return nil, err
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	minPx := o.MinPx
	if minPx <= 0 || minPx > o.MaxPx {
		minPx = o.MaxPx
	}
	for px := o.MaxPx; px >= minPx; px-- {
		lines, ok, err := fs.fitsLocked(s, px, o)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", o.Field, err)
		}
		if ok {
			return fs.renderLocked(s, lines, px, o)
		}
	}
	return nil, &TooLongError{Field: o.Field, Excess: fs.excessLocked(s, minPx, o)}
}

// fitsLocked wraps s at px and reports whether the lines fit the box.
func (fs *fontState) fitsLocked(s string, px int, o TextOpts) ([]string, bool, error) {
	lines, err := fs.wrapLocked(s, px, o.W, o.Bold)
	if err != nil {
		return nil, false, err
	}
	if o.MaxLines > 0 && len(lines) > o.MaxLines {
		return lines, false, nil
	}
	return lines, (len(lines)-1)*lineHeight(px)+px <= o.H, nil
}

// excessLocked is how many characters must go from the end of s for the
// rest to fit the box at px (at least 1).
func (fs *fontState) excessLocked(s string, px int, o TextOpts) int {
	r := []rune(s)
	lo, hi := 0, len(r) // lo fits (the empty prefix), hi does not
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if _, ok, err := fs.fitsLocked(string(r[:mid]), px, o); err == nil && ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	return len(r) - lo
}

// LineCount is how many lines s wraps into at px dots per em in a box
// maxW dots wide.
func LineCount(s string, px, maxW int) (int, error) {
	s = cleanText(s)
	if s == "" {
		return 0, nil
	}
	fs, err := loadFont()
	if err != nil {
		return 0, err
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	lines, err := fs.wrapLocked(s, px, maxW, false)
	return len(lines), err
}

// TooLongError reports text that does not fit its box even at the
// smallest size allowed: the field and how many characters to cut. It
// matches ErrTextTooLong.
type TooLongError struct {
	Field  string // the field as the clerk knows it, e.g. 收件地址
	Excess int    // characters to remove (at least)
}

func (e *TooLongError) Error() string {
	return fmt.Sprintf("%s太长，面单上最小的字也放不下，请删去至少%d个字", e.Field, e.Excess)
}

// Is makes errors.Is(err, ErrTextTooLong) true.
func (e *TooLongError) Is(target error) bool { return target == ErrTextTooLong }

// inkBox is the smallest box holding the ink of a work area aw dots wide
// (one byte per dot); maxX < 0 when it is blank.
func inkBox(work []byte, aw, ah int) (minX, minY, maxX, maxY int) {
	minX, minY, maxX, maxY = aw, ah, -1, -1
	for y := 0; y < ah; y++ {
		row := work[y*aw : (y+1)*aw]
		for x, v := range row {
			if v != 0 {
				minX, maxX = min(minX, x), max(maxX, x)
				minY, maxY = min(minY, y), max(maxY, y)
			}
		}
	}
	return minX, minY, maxX, maxY
}

// missingLocked lists the characters of s the font cannot draw, each once.
func (fs *fontState) missingLocked(s string) []rune {
	var out []rune
	for _, r := range s {
		if !fs.hasGlyphLocked(r) && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// Missing lists the characters of s the embedded font cannot draw (which
// print as placeholder boxes), each once, in order.
func Missing(s string) []rune {
	fs, err := loadFont()
	if err != nil {
		return nil
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.missingLocked(cleanText(s))
}

// renderLocked draws lines into a bitmap the size of the box, then crops it
// to the ink.
func (fs *fontState) renderLocked(s string, lines []string, px int, o TextOpts) (*Text, error) {
	lh := lineHeight(px)
	total := (len(lines)-1)*lh + px
	top := 0
	if o.VCenter && total < o.H {
		top = (o.H - total) / 2
	}
	// Work area: the box plus room for descenders and bold smear.
	aw, ah := o.W+8, o.H+px
	work := make([]byte, aw*ah)
	ascent := px * 88 / 100 // Droid Sans Fallback: ascent 0.88 em
	shift := 0
	if o.Bold {
		shift = boldShift(px)
	}
	for i, line := range lines {
		w, err := fs.measureLocked(line, px, o.Bold)
		if err != nil {
			return nil, err
		}
		x0 := 0
		switch o.Align {
		case Center:
			x0 = (o.W - w) / 2
		case Right:
			x0 = o.W - w
		}
		if x0 < 0 {
			x0 = 0
		}
		pen := fixed.I(x0)
		base := top + i*lh + ascent
		for _, r := range line {
			g, err := fs.glyphLocked(px, r)
			if err != nil {
				return nil, err
			}
			gx, gy := pen.Round()+g.dx, base+g.dy
			for y := 0; y < g.h; y++ {
				yy := gy + y
				if yy < 0 || yy >= ah {
					continue
				}
				row := work[yy*aw:]
				for x := 0; x < g.w; x++ {
					if g.mask[y*g.w+x] == 0 {
						continue
					}
					for k := 0; k <= shift; k++ {
						if xx := gx + x + k; xx >= 0 && xx < aw {
							row[xx] = 1
						}
					}
				}
			}
			// Advance as measured, whatever the cache holds, so layout
			// never depends on which glyphs were drawn before.
			a, err := fs.advLocked(px, r)
			if err != nil {
				return nil, err
			}
			pen += a
		}
	}
	minX, minY, maxX, maxY := inkBox(work, aw, ah)
	if maxX < 0 {
		return nil, nil
	}
	if maxX >= o.W+shift+px/6 {
		// The ink runs out of the box (a glyph wider than its advance).
		return nil, fmt.Errorf("%s太长，超出框 %d 点（%q）: %w", o.Field, maxX-o.W+1, s, ErrTextTooLong)
	}
	bm := NewBitmap(maxX-minX+1, maxY-minY+1)
	for y := minY; y <= maxY; y++ {
		for x := minX; x <= maxX; x++ {
			if work[y*aw+x] != 0 {
				bm.Set(x-minX, y-minY)
			}
		}
	}
	return &Text{X: o.X + minX, Y: o.Y + minY, Content: s, SizeDots: px, Bold: o.Bold, Bitmap: bm, Missing: fs.missingLocked(s)}, nil
}
