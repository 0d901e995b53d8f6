package tspl

import (
	"bytes"
	"fmt"
	"math/bits"

	"shipdesk/printer/label"
)

// The bitmap optimiser: how a text bitmap goes on the wire in the fewest
// bytes TSPL allows without compression (TSPL has no compressed bitmap
// command that every clone understands).

// bitmapHeader is about what one more BITMAP command costs on the wire.
const bitmapHeader = 24

// bandWriter sends text bitmaps in the fewest bytes TSPL allows without
// compression, dot for dot. A bitmap is cut at blank rows into lines, a line
// at blank columns into runs of glyphs (a cut pays when it lets a short
// glyph, a comma or a dash, drop the rows above and below it), and each run
// into bands of rows. A band goes as whichever is fewer bytes: one BITMAP in
// overwrite mode 0 (a 0 bit burns a dot, so the label's 1 = black bits are
// inverted), or BARs covering exactly its black dots (the runs of black in a
// row, merged downwards with the identical run in the next rows), which wins
// for solid strokes of large type. The cuts are chosen by dynamic
// programming on the byte count; in type of largeTypeMM and more each glyph
// is also planned alone with BARs.
//
// Overwrite safety: a BITMAP's white erases what is under it. A BITMAP
// stays within its element's columns when its whole bytes fit; runs go left
// to right and a run's BITMAP may reach right over later runs of the same
// line (which redraw their own ink) but left only over blank columns. When
// it must reach past the element's right edge (spilled), Encode sends that
// element's BITMAPs before all others. BARs only add black and are sent
// after all BITMAPs.
//
// The zero value plans BARs for no glyph alone (large = 0 plans them for
// all); its scratch space is reused, so one bandWriter serves one goroutine.
type bandWriter struct {
	runs       [][]run    // black runs of each row of the bitmap planned
	lo, hi     []int      // first black dot and last + 1 of each row; -1 when blank
	best, from []int      // best[y]: fewest bytes for rows [0, y); from[y]: its last band's first row
	kind       []bandKind // kind[y]: how the band ending at row y goes
	open, next []rect     // rectangles still growing
	minX, maxX int        // where the planned bitmap's BITMAPs may lie, in its columns
	pieces     []piece
	cbest      []int
	ahead      []int
	cand       []bool // rows where a band may start
	top, bot   []int  // first and last inked row of each column
	cfrom      []int
	large      int  // largeTypeMM in dots
	bars       bool // plan may choose BARs
	spilled    bool // a BITMAP reached past the right edge of the element
	nBits      int  // BITMAP commands written
	nBars      int  // BAR commands written for text
}

// bandKind is how one band of rows goes on the wire.
type bandKind byte

// The ways a band can go.
const (
	bandBlank  bandKind = iota // no ink: nothing is sent
	bandBitmap                 // one BITMAP in overwrite mode
	bandBars                   // BARs covering exactly its black dots
)

type run struct{ x0, x1 int }

type rect struct {
	x0, x1, y0 int
	base       int // bytes of its BAR command but for the height's digits
}

// piece is a run of inked columns [x0, x1) of a tile, inked in rows
// [top, bot].
type piece struct{ x0, x1, top, bot, n int }

const inf = int(^uint(0) >> 1)

// largeTypeMM is the height of a line of text from which a glyph alone is
// worth planning in BARs (5 mm: 40 dots at 203 dpi).
const largeTypeMM = 5

// bitmap sends bm with its top-left dot at (x, y): bands of rows split at
// blank rows (when the white saved beats a command), each as a tile.
func (w *bandWriter) bitmap(b, bars *bytes.Buffer, x, y int, bm *label.Bitmap) {
	blank := func(r int) bool {
		for _, v := range bm.Bits[r*bm.Stride : (r+1)*bm.Stride] {
			if v != 0 {
				return false
			}
		}
		return true
	}
	r := 0
	for r < bm.H {
		for r < bm.H && blank(r) {
			r++
		}
		if r >= bm.H {
			break
		}
		y0, y1 := r, r
		for r < bm.H {
			if !blank(r) {
				r++
				y1 = r
				continue
			}
			gap := 0
			for r+gap < bm.H && blank(r+gap) {
				gap++
			}
			if r+gap >= bm.H || gap*bm.Stride > bitmapHeader {
				break
			}
			r += gap
		}
		band := &label.Bitmap{W: bm.W, H: y1 - y0, Stride: bm.Stride, Bits: bm.Bits[y0*bm.Stride : y1*bm.Stride]}
		w.tile(b, bars, x, y+y0, band)
		r = y1
	}
}

// tile sends t, whose top-left dot is at (x, y), whole or in pieces,
// whichever is fewer bytes.
func (w *bandWriter) tile(b, bars *bytes.Buffer, x, y int, t *label.Bitmap) {
	segs := w.columns(x, y, t)
	if segs == nil {
		segs = []piece{{x0: 0, x1: t.W, n: 1}}
	}
	for _, sg := range segs {
		sub := t
		if sg.x0 != 0 || sg.x1 != t.W {
			sub = cut(t, sg.x0, sg.x1)
		}
		// Large type was planned glyph by glyph with BARs already; a run
		// of glyphs that came out cheaper as one BITMAP is banded without.
		w.bars = sg.n == 1 || t.H < w.large
		w.plan(x+sg.x0, y, sub, sg.top-sg.x0, t.W-sg.x0)
		w.send(b, bars, x+sg.x0, y, sub)
	}
}

// columns cuts t at blank columns into the pieces that make the fewest
// bytes as one BITMAP each. It returns them as pieces whose top is reused
// as the leftmost column its BITMAP may start at (the end of the previous
// piece's ink); nil when t has one piece.
func (w *bandWriter) columns(x, y int, t *label.Bitmap) []piece {
	w.top, w.bot = intsGrow(w.top, t.W), intsGrow(w.bot, t.W)
	for c := range w.top {
		w.top[c], w.bot[c] = -1, -1
	}
	for r := 0; r < t.H; r++ {
		for j, v := range t.Bits[r*t.Stride : (r+1)*t.Stride] {
			for v != 0 {
				k := bits.LeadingZeros8(v)
				v &^= 0x80 >> k
				c := j*8 + k
				if w.top[c] < 0 {
					w.top[c] = r
				}
				w.bot[c] = r
			}
		}
	}
	w.pieces = w.pieces[:0]
	in := false
	for c := 0; c < t.W; c++ {
		top, bot := w.top[c], w.bot[c]
		switch {
		case top >= 0 && !in:
			w.pieces = append(w.pieces, piece{c, c + 1, top, bot, 1})
			in = true
		case top >= 0:
			p := &w.pieces[len(w.pieces)-1]
			p.x1, p.top, p.bot = c+1, min(p.top, top), max(p.bot, bot)
		default:
			in = false
		}
	}
	g := len(w.pieces)
	if g <= 1 {
		return nil
	}
	w.cbest, w.cfrom = intsGrow(w.cbest, g+1), intsGrow(w.cfrom, g+1)
	for i := range w.cbest {
		w.cbest[i] = inf
	}
	w.cbest[0] = 0
	for i := 0; i < g; i++ {
		left := 0
		if i > 0 {
			left = w.pieces[i-1].x1
		}
		// A piece alone may go in bands and BARs (a "1" or a "-" of
		// large type); pieces together are costed as one BITMAP.
		// Only large type has strokes long enough for that.
		if p := w.pieces[i]; t.H >= w.large {
			w.bars = true
			if c := w.cbest[i] + w.plan(x+p.x0, y, cut(t, p.x0, p.x1), left-p.x0, t.W-p.x0); c < w.cbest[i+1] {
				w.cbest[i+1], w.cfrom[i+1] = c, i
			}
		}
		top, bot := inf, -1
		for j := i; j < g; j++ {
			top, bot = min(top, w.pieces[j].top), max(bot, w.pieces[j].bot)
			nb := (w.pieces[j].x1 - w.pieces[i].x0 + 7) / 8
			bx := min(w.pieces[i].x0, t.W-8*nb)
			if bx < left {
				bx = w.pieces[i].x0
			}
			if c := w.cbest[i] + bitmapCost(x+bx, y+top, nb, bot-top+1); c < w.cbest[j+1] {
				w.cbest[j+1], w.cfrom[j+1] = c, i
			}
		}
	}
	var segs []piece
	for j := g; j > 0; j = w.cfrom[j] {
		i := w.cfrom[j]
		left := 0
		if i > 0 {
			left = w.pieces[i-1].x1
		}
		segs = append(segs, piece{x0: w.pieces[i].x0, x1: w.pieces[j-1].x1, top: left, n: j - i})
	}
	for i, j := 0, len(segs)-1; i < j; i, j = i+1, j-1 {
		segs[i], segs[j] = segs[j], segs[i]
	}
	return segs
}

// cut copies columns [x0, x1) of t.
func cut(t *label.Bitmap, x0, x1 int) *label.Bitmap {
	s := label.NewBitmap(x1-x0, t.H)
	for r := 0; r < t.H; r++ {
		row := t.Bits[r*t.Stride : (r+1)*t.Stride]
		for k := range s.Stride {
			s.Bits[r*s.Stride+k] = byteAt(row, x0+8*k)
		}
		if e := s.W % 8; e != 0 {
			s.Bits[r*s.Stride+s.Stride-1] &= byte(0xFF << (8 - e))
		}
	}
	return s
}

// byteAt returns the 8 dots of row from column c (which may be negative);
// dots outside the row are white.
func byteAt(row []byte, c int) byte {
	j, sh := c>>3, uint(c&7)
	var v byte
	if j >= 0 && j < len(row) {
		v = row[j] << sh
	}
	if sh > 0 && j+1 >= 0 && j+1 < len(row) {
		v |= row[j+1] >> (8 - sh)
	}
	return v
}

// digits is the length of n >= 0 in decimal.
func digits(n int) int {
	switch {
	case n < 10:
		return 1
	case n < 100:
		return 2
	case n < 1000:
		return 3
	case n < 10000:
		return 4
	}
	d := 5
	for n >= 100000 {
		n /= 10
		d++
	}
	return d
}

// bitmapCost is the length of "BITMAP x,y,nb,h,0," with nb*h data bytes
// and CR LF.
func bitmapCost(x, y, nb, h int) int {
	return 15 + digits(x) + digits(y) + digits(nb) + digits(h) + nb*h
}

// plan chooses the bands for t at (x, y), whose BITMAPs must lie within
// columns [minX, maxX) of t, and returns their bytes on the wire; send
// writes them.
func (w *bandWriter) plan(x, y int, t *label.Bitmap, minX, maxX int) int {
	w.minX, w.maxX = minX, maxX
	w.planRows(t)
	w.planBounds(x, y, t)
	w.planCuts()
	for y0 := 0; y0 < t.H; y0++ {
		if w.cand[y0] {
			w.planBandsFrom(x, y, t, y0)
		}
	}
	return w.best[t.H]
}

// planRows finds the black runs and the extent of every row of t, and
// resets the table of best costs.
func (w *bandWriter) planRows(t *label.Bitmap) {
	h := t.H
	w.runs = runsGrow(w.runs, h)
	w.lo, w.hi = intsGrow(w.lo, h), intsGrow(w.hi, h)
	for r := 0; r < h; r++ {
		w.runs[r] = rowRuns(w.runs[r][:0], t, r)
		if rr := w.runs[r]; len(rr) > 0 {
			w.lo[r], w.hi[r] = rr[0].x0, rr[len(rr)-1].x1
		} else {
			w.lo[r], w.hi[r] = -1, -1
		}
	}
	w.best, w.from = intsGrow(w.best, h+1), intsGrow(w.from, h+1)
	if cap(w.kind) < h+1 {
		w.kind = make([]bandKind, h+1)
	}
	w.kind = w.kind[:h+1]
	for i := range w.best {
		w.best[i] = inf
	}
	w.best[0] = 0
}

// planBounds fills ahead. BARs for rows [y0, y1) cost more as y1 grows: at
// least gain[r] more per row r than a BITMAP of the whole width does (a
// run that is not the previous row's opens a BAR). ahead[y1] is the most a
// BITMAP can then lose on the rows from y1, so once BARs cost more than
// that over the widest BITMAP of [y0, y1), they never win for this y0.
func (w *bandWriter) planBounds(x, y int, t *label.Bitmap) {
	h := t.H
	w.ahead = intsGrow(w.ahead, h+1)
	w.ahead[h] = 0
	for r := h - 1; r >= 0; r-- {
		g := t.Stride
		if r > 0 {
			g -= w.newRuns(x, y, r)
		}
		w.ahead[r] = max(0, g+w.ahead[r+1])
	}
}

// planCuts marks where bands may start: only where something changes,
// the row's extent, ink or no ink, or (for BARs) a new run long enough to
// be worth one. Between such rows a band's bytes grow linearly, so a cut
// there never pays.
func (w *bandWriter) planCuts() {
	h := len(w.lo)
	w.cand = boolsGrow(w.cand, h+1)
	for r := 0; r <= h; r++ {
		w.cand[r] = r == 0 || r == h || w.lo[r] != w.lo[r-1] || w.hi[r] != w.hi[r-1] || w.bars && w.longNewRun(r)
	}
}

// maxHeader is the longest BITMAP header: "BITMAP " and four numbers.
const maxHeader = 15 + 4*4

// planBandsFrom costs every band that starts at row y0, as BARs (while
// they can still win) and as one BITMAP, and keeps the best way to reach
// each row after it.
func (w *bandWriter) planBandsFrom(x, y int, t *label.Bitmap, y0 int) {
	base := w.best[y0]
	bars := w.bars
	var bm bitmapBand
	bm.reset()
	closed := 0
	w.open = w.open[:0]
	for y1 := y0 + 1; y1 <= t.H; y1++ {
		r := y1 - 1
		bm.add(w, r)
		cost, k := inf, bandBlank
		if bars {
			cost, k = w.extendBars(x, y, r, y1, &closed), bandBars
			if cost-maxHeader-t.Stride*(y1-y0) >= w.ahead[y1] {
				bars = false
			}
		}
		if !w.cand[y1] {
			continue
		}
		if c, blank := bm.cost(w, x, y); blank {
			cost, k = 0, bandBlank
		} else if c < cost {
			cost, k = c, bandBitmap
		}
		if cost < inf && base+cost < w.best[y1] {
			w.best[y1], w.from[y1], w.kind[y1] = base+cost, y0, k
		}
	}
}

// extendBars adds row r to the BARs of the band: the open rectangles whose
// run repeats in row r grow, the others close (their bytes go to closed),
// each new run opens one. It returns the band's BAR bytes so far.
func (w *bandWriter) extendBars(x, y, r, y1 int, closed *int) int {
	w.next = w.next[:0]
	i := 0
	for _, ru := range w.runs[r] {
		for i < len(w.open) && w.open[i].x0 < ru.x0 {
			o := w.open[i]
			*closed += o.base + digits(r-o.y0)
			i++
		}
		if i < len(w.open) && w.open[i].x0 == ru.x0 && w.open[i].x1 == ru.x1 {
			w.next = append(w.next, w.open[i])
			i++
		} else {
			w.next = append(w.next, rect{ru.x0, ru.x1, r, 9 + digits(x+ru.x0) + digits(y+r) + digits(ru.x1-ru.x0)})
		}
	}
	for ; i < len(w.open); i++ {
		o := w.open[i]
		*closed += o.base + digits(r-o.y0)
	}
	w.open, w.next = w.next, w.open
	cost := *closed
	for _, o := range w.open {
		cost += o.base + digits(y1-o.y0)
	}
	return cost
}

// bitmapBand tracks the ink of a band as rows are added, to cost it as one
// BITMAP cropped to its ink.
type bitmapBand struct {
	lo, hi, first, last int
	pbx, pfirst, hxy    int // the header's x and y digits, cached
}

func (b *bitmapBand) reset() {
	*b = bitmapBand{lo: inf, hi: -1, first: -1, last: -1, pbx: -1, pfirst: -1}
}

func (b *bitmapBand) add(w *bandWriter, r int) {
	if w.lo[r] >= 0 {
		b.lo, b.hi = min(b.lo, w.lo[r]), max(b.hi, w.hi[r])
		if b.first < 0 {
			b.first = r
		}
		b.last = r
	}
}

// cost is the band's bytes as one BITMAP, or blank when it has no ink.
func (b *bitmapBand) cost(w *bandWriter, x, y int) (int, bool) {
	if b.first < 0 {
		return 0, true
	}
	nb := (b.hi - b.lo + 7) / 8
	bx := min(b.lo, w.maxX-8*nb)
	if bx < w.minX {
		bx = b.lo
	}
	if bx != b.pbx || b.first != b.pfirst {
		b.pbx, b.pfirst, b.hxy = bx, b.first, 15+digits(x+bx)+digits(y+b.first)
	}
	rows := b.last - b.first + 1
	return b.hxy + digits(nb) + digits(rows) + nb*rows, false
}

// longNewRun reports whether row r has a run of 8 dots or more that row
// r-1 does not have.
func (w *bandWriter) longNewRun(r int) bool {
	i := 0
	prev := w.runs[r-1]
	for _, ru := range w.runs[r] {
		for i < len(prev) && prev[i].x0 < ru.x0 {
			i++
		}
		if ru.x1-ru.x0 >= 8 && (i >= len(prev) || prev[i] != ru) {
			return true
		}
	}
	return false
}

func boolsGrow(s []bool, n int) []bool {
	if cap(s) < n {
		return make([]bool, n)
	}
	return s[:n]
}

// newRuns is the bytes of the BARs that row r's runs open: those that are
// not a run of row r-1 too (plan's rows, t at (x, y)).
func (w *bandWriter) newRuns(x, y, r int) int {
	n, i := 0, 0
	prev := w.runs[r-1]
	for _, ru := range w.runs[r] {
		for i < len(prev) && prev[i].x0 < ru.x0 {
			i++
		}
		if i < len(prev) && prev[i] == ru {
			continue
		}
		n += 10 + digits(x+ru.x0) + digits(y+r) + digits(ru.x1-ru.x0)
	}
	return n
}

// place crops rows [y0, y1) to their ink and returns where the BITMAP goes:
// first column bx (moved left when its whole bytes would pass maxX), first
// row, bytes per row and rows (0 when blank).
func (w *bandWriter) place(y0, y1 int) (bx, first, nb, rows int) {
	lo, hi, last := inf, -1, -1
	first = -1
	for r := y0; r < y1; r++ {
		if w.lo[r] >= 0 {
			lo, hi = min(lo, w.lo[r]), max(hi, w.hi[r])
			if first < 0 {
				first = r
			}
			last = r
		}
	}
	if first < 0 {
		return 0, 0, 0, 0
	}
	nb = (hi - lo + 7) / 8
	bx = min(lo, w.maxX-8*nb)
	if bx < w.minX {
		bx = lo
	}
	return bx, first, nb, last - first + 1
}

// send writes t at (x, y) as the last plan chose: BITMAPs to b, BARs to
// bars.
func (w *bandWriter) send(b, bars *bytes.Buffer, x, y int, t *label.Bitmap) {
	var cuts []int
	for y1 := t.H; y1 > 0; y1 = w.from[y1] {
		cuts = append(cuts, y1)
	}
	y0 := 0
	for i := len(cuts) - 1; i >= 0; i-- {
		y1 := cuts[i]
		switch w.kind[y1] {
		case bandBitmap:
			w.sendBitmap(b, x, y, t, y0, y1)
		case bandBars:
			w.sendBars(bars, x, y, y0, y1)
		}
		y0 = y1
	}
}

// sendBitmap writes rows [y0, y1) of t, cropped to their ink, as a BITMAP.
func (w *bandWriter) sendBitmap(b *bytes.Buffer, x, y int, t *label.Bitmap, y0, y1 int) {
	bx, first, nb, rows := w.place(y0, y1)
	if bx+8*nb > w.maxX {
		w.spilled = true
	}
	fmt.Fprintf(b, "BITMAP %d,%d,%d,%d,0,", x+bx, y+first, nb, rows)
	for r := first; r < first+rows; r++ {
		row := t.Bits[r*t.Stride : (r+1)*t.Stride]
		for k := 0; k < nb; k++ {
			b.WriteByte(^byteAt(row, bx+8*k))
		}
	}
	b.WriteString("\r\n")
	w.nBits++
}

// sendBars writes rows [y0, y1) as BARs, the rectangles plan counted.
func (w *bandWriter) sendBars(bars *bytes.Buffer, x, y, y0, y1 int) {
	emit := func(o rect, end int) {
		fmt.Fprintf(bars, "BAR %d,%d,%d,%d\r\n", x+o.x0, y+o.y0, o.x1-o.x0, end-o.y0)
		w.nBars++
	}
	w.open = w.open[:0]
	for r := y0; r < y1; r++ {
		w.next = w.next[:0]
		i := 0
		for _, ru := range w.runs[r] {
			for i < len(w.open) && w.open[i].x0 < ru.x0 {
				emit(w.open[i], r)
				i++
			}
			if i < len(w.open) && w.open[i].x0 == ru.x0 && w.open[i].x1 == ru.x1 {
				w.next = append(w.next, w.open[i])
				i++
			} else {
				w.next = append(w.next, rect{x0: ru.x0, x1: ru.x1, y0: r})
			}
		}
		for ; i < len(w.open); i++ {
			emit(w.open[i], r)
		}
		w.open, w.next = w.next, w.open
	}
	for _, o := range w.open {
		emit(o, y1)
	}
}

// rowRuns appends the runs of black dots in row r of t.
func rowRuns(dst []run, t *label.Bitmap, r int) []run {
	row := t.Bits[r*t.Stride : (r+1)*t.Stride]
	in, x0 := false, 0
	for j, v := range row {
		if in {
			v = ^v // look for the next white dot
		}
		k := 0
		for v<<k != 0 && k < 8 {
			k += bits.LeadingZeros8(v << k)
			if in {
				dst = append(dst, run{x0, j*8 + k})
			} else {
				x0 = j*8 + k
			}
			in = !in
			v = ^v
		}
	}
	if in {
		dst = append(dst, run{x0, len(row) * 8})
	}
	return dst
}

func intsGrow(s []int, n int) []int {
	if cap(s) < n {
		return make([]int, n)
	}
	return s[:n]
}

func runsGrow(s [][]run, n int) [][]run {
	if cap(s) < n {
		s = append(s[:cap(s)], make([][]run, n-cap(s))...)
	}
	return s[:n]
}
