package tspl

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"strconv"
	"strings"

	"shipdesk/printer/label"
)

// ErrSyntax reports bytes the virtual printer does not understand: a command
// outside the subset Encode writes, or a malformed one.
var ErrSyntax = errors.New("tspl: unsupported or malformed command")

// ErrFirmwareChoice reports a barcode or QR code that leaves a choice to
// the firmware (BARCODE "128" picking code sets itself, QRCODE in automatic
// mode or without model or mask): what a real printer prints then is not
// known, so the virtual printer refuses to guess.
var ErrFirmwareChoice = errors.New("tspl: barcode leaves the encoding to the firmware")

// Limits that keep the virtual printer's memory bounded whatever it is fed.
const (
	maxWidthMM  = 120 // widest head supported, mm
	maxHeightMM = 400 // longest label, mm
	maxModule   = 20  // barcode module / QR cell, dots
	maxContent  = 2000
)

// Printer is a virtual TSPL printer: it keeps what a real one keeps between
// jobs (SIZE, DIRECTION, REFERENCE, SHIFT, SPEED, DENSITY and the image
// buffer, which only CLS clears), so a job that relies on a previous job's
// settings prints differently here too. The zero value is a printer just
// switched on. A Printer is not safe for concurrent use.
type Printer struct {
	// DPI is the head's resolution, 203 or 300; 0 infers it from each job
	// (TSPL sizes are in mm): 203 unless something is drawn beyond the
	// 203-dpi label.
	DPI int

	wmm, hmm       float64
	refX, refY     int
	shiftX, shiftY int
	direction      int
	buf            *image.Gray // the image buffer, in label dots
	bufDPI         int
}

// Render prints the first label of a TSPL job on a printer just switched
// on and returns it as a 1-bit *image.Gray (0 black, 255 white) as the
// label reads, ignoring DIRECTION's 180° turn.
func Render(data []byte) (*image.Gray, error) { return RenderDPI(data, 0) }

// RenderDPI is Render at a known resolution (203 or 300; 0 infers it).
func RenderDPI(data []byte, dpi int) (*image.Gray, error) {
	p := &Printer{DPI: dpi}
	return p.Print(data)
}

type opKind int

const (
	opCLS opKind = iota
	opBitmap
	opBar
	opBox
	opBarcode
	opQR
)

// op is one drawing command of a job, in label dots.
type op struct {
	kind       opKind
	x, y, w, h int
	t          int
	rotated    bool
	bits       *label.Bitmap
	overwrite  bool
	values     []int // code 128 symbol values
	qr         *label.QRSymbol
}

// Print runs one job: the commands up to and including the first PRINT,
// and returns the label printed. Settings the job sets stay for the next.
func (p *Printer) Print(data []byte) (*image.Gray, error) {
	ops, printed, err := p.parse(data)
	if err != nil {
		return nil, err
	}
	if p.wmm == 0 {
		return nil, fmt.Errorf("tspl: no SIZE before drawing: %w", ErrSyntax)
	}
	dpi := p.resolution(ops)
	w, h := label.Dots(p.wmm, dpi), label.Dots(p.hmm, dpi)
	if p.buf == nil || p.bufDPI != dpi || p.buf.Rect.Dx() != w || p.buf.Rect.Dy() != h {
		p.buf, p.bufDPI = label.NewCanvas(w, h), dpi
	}
	for _, o := range ops {
		draw(p.buf, o)
	}
	if !printed {
		return nil, fmt.Errorf("tspl: job without PRINT: %w", ErrSyntax)
	}
	return p.output(), nil
}

// output is the buffer as it lands on the label: moved by REFERENCE and
// SHIFT.
func (p *Printer) output() *image.Gray {
	dx, dy := p.refX+p.shiftX, p.refY+p.shiftY
	out := label.NewCanvas(p.buf.Rect.Dx(), p.buf.Rect.Dy())
	for y := 0; y < out.Rect.Dy(); y++ {
		sy := y - dy
		if sy < 0 || sy >= p.buf.Rect.Dy() {
			continue
		}
		for x := 0; x < out.Rect.Dx(); x++ {
			sx := x - dx
			if sx >= 0 && sx < p.buf.Rect.Dx() {
				out.Pix[y*out.Stride+x] = p.buf.Pix[sy*p.buf.Stride+sx]
			}
		}
	}
	return out
}

// resolution is the printer's DPI or, when unset, the one the job fits.
func (p *Printer) resolution(ops []op) int {
	if p.DPI != 0 {
		return p.DPI
	}
	w, h := label.Dots(p.wmm, 203), label.Dots(p.hmm, 203)
	for _, o := range ops {
		if r := extent(o); r.Max.X > w || r.Max.Y > h {
			return 300
		}
	}
	return 203
}

// parse reads the job's commands up to PRINT, applying settings to p and
// returning the drawing commands.
func (p *Printer) parse(data []byte) (ops []op, printed bool, err error) {
	rest := data
	line := 0
	for len(rest) > 0 && !printed {
		line++
		// Take one command up to CR/LF; BITMAP carries binary data.
		rest = bytes.TrimLeft(rest, "\r\n \t")
		if len(rest) == 0 {
			break
		}
		if hasPrefixFold(rest, "BITMAP ") {
			o, n, err := parseBitmap(rest)
			if err != nil {
				return nil, false, fmt.Errorf("tspl line %d: %w", line, err)
			}
			ops = append(ops, o)
			rest = rest[n:]
			continue
		}
		end := bytes.IndexAny(rest, "\r\n")
		if end < 0 {
			end = len(rest)
		}
		cmd := string(rest[:end])
		rest = rest[end:]
		name, args, _ := strings.Cut(strings.TrimSpace(cmd), " ")
		name = strings.ToUpper(name)
		if name == "PRINT" {
			printed = true
			continue
		}
		o, ok, err := p.command(name, strings.TrimSpace(args))
		if err != nil {
			return nil, false, fmt.Errorf("tspl line %d: %s: %w", line, name, err)
		}
		if ok {
			ops = append(ops, o)
		}
	}
	return ops, printed, nil
}

// command runs one setting or parses one drawing command (ok true).
func (p *Printer) command(name, args string) (op, bool, error) {
	switch name {
	case "SIZE":
		return op{}, false, p.size(args)
	case "REFERENCE":
		n, err := ints(args, 2)
		if err != nil {
			return op{}, false, err
		}
		p.refX, p.refY = n[0], n[1]
	case "SHIFT":
		// SHIFT y, or SHIFT x,y on firmware that has it; the optional x
		// defaults to 0 (firmware without it has no horizontal shift).
		parts := splitArgs(args)
		n, err := ints(args, len(parts))
		if err != nil || len(n) < 1 || len(n) > 2 {
			return op{}, false, fmt.Errorf("SHIFT %q: %w", args, ErrSyntax)
		}
		if len(n) == 1 {
			p.shiftX, p.shiftY = 0, n[0]
		} else {
			p.shiftX, p.shiftY = n[0], n[1]
		}
	case "DIRECTION":
		parts := splitArgs(args)
		n, err := ints(args, len(parts))
		if err != nil || len(n) < 1 || len(n) > 2 || n[0] < 0 || n[0] > 1 {
			return op{}, false, fmt.Errorf("DIRECTION %q: %w", args, ErrSyntax)
		}
		p.direction = n[0]
	case "GAP", "BLINE", "SPEED", "DENSITY", "SET", "OFFSET", "CODEPAGE", "AUTODETECT", "HOME", "":
		// Media and mechanics: nothing to draw.
	case "CLS":
		return op{kind: opCLS}, true, nil
	case "BAR":
		n, err := ints(args, 4)
		if err != nil {
			return op{}, false, err
		}
		return op{kind: opBar, x: n[0], y: n[1], w: n[2], h: n[3]}, true, nil
	case "BOX":
		n, err := ints(args, 5)
		if err != nil {
			return op{}, false, err
		}
		return op{kind: opBox, x: n[0], y: n[1], w: n[2] - n[0], h: n[3] - n[1], t: n[4]}, true, nil
	case "BARCODE":
		o, err := parseBarcode(args)
		return o, err == nil, err
	case "QRCODE":
		o, err := parseQR(args)
		return o, err == nil, err
	default:
		return op{}, false, ErrSyntax
	}
	return op{}, false, nil
}

func (p *Printer) size(args string) error {
	parts := splitArgs(args)
	if len(parts) != 2 {
		return fmt.Errorf("SIZE %q: %w", args, ErrSyntax)
	}
	w, err := mm(parts[0])
	if err != nil {
		return err
	}
	h, err := mm(parts[1])
	if err != nil {
		return err
	}
	if w <= 0 || h <= 0 || w > maxWidthMM || h > maxHeightMM {
		return fmt.Errorf("SIZE %q out of range (at most %dx%d mm): %w", args, maxWidthMM, maxHeightMM, ErrSyntax)
	}
	p.wmm, p.hmm = w, h
	return nil
}

func extent(o op) image.Rectangle {
	switch o.kind {
	case opBitmap:
		return image.Rect(o.x, o.y, o.x+o.bits.W, o.y+o.bits.H)
	case opBar, opBox:
		return image.Rect(o.x, o.y, o.x+o.w, o.y+o.h)
	case opBarcode:
		l := (11*(len(o.values)-1) + 13) * o.w
		if o.rotated {
			return image.Rect(o.x-o.h, o.y, o.x, o.y+l)
		}
		return image.Rect(o.x, o.y, o.x+l, o.y+o.h)
	case opQR:
		n := o.qr.Size * o.w
		return image.Rect(o.x, o.y, o.x+n, o.y+n)
	}
	return image.Rectangle{}
}

func draw(img *image.Gray, o op) {
	switch o.kind {
	case opCLS:
		for i := range img.Pix {
			img.Pix[i] = 255
		}
	case opBitmap:
		label.DrawBitmap(img, o.x, o.y, o.bits, o.overwrite)
	case opBar:
		label.FillRect(img, o.x, o.y, o.w, o.h)
	case opBox:
		label.DrawBox(img, o.x, o.y, o.w, o.h, o.t)
	case opBarcode:
		bits, _ := label.Code128Bits(o.values) // values were checked when parsed
		if o.rotated {
			// Turned clockwise about (x, y): the bars lie left of x.
			label.DrawCode128Bits(img, o.x-o.h, o.y, o.w, o.h, bits, true)
		} else {
			label.DrawCode128Bits(img, o.x, o.y, o.w, o.h, bits, false)
		}
	case opQR:
		label.DrawQRSymbol(img, o.x, o.y, o.w, o.qr)
	}
}

func hasPrefixFold(b []byte, p string) bool {
	return len(b) >= len(p) && strings.EqualFold(string(b[:len(p)]), p)
}

// parseBitmap reads "BITMAP x,y,wb,h,mode," and the wb*h data bytes; it
// returns the op and the bytes consumed.
func parseBitmap(b []byte) (op, int, error) {
	i := len("BITMAP ")
	var n [5]int
	for k := 0; k < 5; k++ {
		j := bytes.IndexByte(b[i:], ',')
		if j < 0 || j > 12 {
			return op{}, 0, fmt.Errorf("BITMAP header: %w", ErrSyntax)
		}
		v, err := strconv.Atoi(strings.TrimSpace(string(b[i : i+j])))
		if err != nil {
			return op{}, 0, fmt.Errorf("BITMAP header: %w", ErrSyntax)
		}
		n[k] = v
		i += j + 1
	}
	wb, h, mode := n[2], n[3], n[4]
	if wb <= 0 || h <= 0 || wb > maxWidthMM*12/8+1 || h > maxHeightMM*12 || mode < 0 || mode > 1 {
		return op{}, 0, fmt.Errorf("BITMAP %dx%d mode %d out of range: %w", wb, h, mode, ErrSyntax)
	}
	size := wb * h
	if len(b)-i < size {
		return op{}, 0, fmt.Errorf("BITMAP wants %d data bytes, %d left: %w", size, len(b)-i, ErrSyntax)
	}
	bm := &label.Bitmap{W: wb * 8, H: h, Stride: wb, Bits: make([]byte, size)}
	for k, v := range b[i : i+size] {
		bm.Bits[k] = ^v // TSPL: 0 = black
	}
	return op{kind: opBitmap, x: n[0], y: n[1], bits: bm, overwrite: mode == 0}, i + size, nil
}

// splitArgs splits on commas outside double quotes.
func splitArgs(s string) []string {
	var out []string
	var cur strings.Builder
	in := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			in = !in
			cur.WriteByte(c)
		case c == ',' && !in:
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(out, strings.TrimSpace(cur.String()))
}

func ints(args string, n int) ([]int, error) {
	p := splitArgs(args)
	if len(p) != n {
		return nil, fmt.Errorf("want %d numbers in %q: %w", n, args, ErrSyntax)
	}
	out := make([]int, n)
	for i, s := range p {
		v, err := strconv.Atoi(s)
		if err != nil || v < -100000 || v > 100000 {
			return nil, fmt.Errorf("bad number %q: %w", s, ErrSyntax)
		}
		out[i] = v
	}
	return out, nil
}

// mm reads "76 mm" or "3" (inches) as millimetres.
func mm(s string) (float64, error) {
	s = strings.TrimSpace(s)
	unit := 25.4
	if v, ok := strings.CutSuffix(s, "mm"); ok {
		s, unit = strings.TrimSpace(v), 1
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v != v {
		return 0, fmt.Errorf("bad size %q: %w", s, ErrSyntax)
	}
	return v * unit, nil
}

// unquote reads a "..." argument, turning \["] back into a quote.
func unquote(s string) (string, error) {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return "", fmt.Errorf("want a quoted string, got %q: %w", s, ErrSyntax)
	}
	s = strings.ReplaceAll(s[1:len(s)-1], `\["]`, `"`)
	if len(s) > maxContent {
		return "", fmt.Errorf("content longer than %d bytes: %w", maxContent, ErrSyntax)
	}
	return s, nil
}

// parseBarcode reads x,y,"128M",height,readable,rotation,narrow,wide,"content"
// and turns the content into Code 128 symbol values the way the firmware
// does. BARCODE "128", where the firmware picks code sets, is refused.
func parseBarcode(args string) (op, error) {
	p, err := splitFixed(args, 8)
	if err != nil {
		return op{}, err
	}
	switch p[2] {
	case `"128M"`:
	case `"128"`:
		return op{}, fmt.Errorf(`barcode type "128" picks code sets itself; use "128M": %w`, ErrFirmwareChoice)
	default:
		return op{}, fmt.Errorf("barcode type %s: only \"128M\" is supported: %w", p[2], ErrSyntax)
	}
	n, err := ints(strings.Join([]string{p[0], p[1], p[3], p[4], p[5], p[6], p[7]}, ","), 7)
	if err != nil {
		return op{}, err
	}
	if (n[4] != 0 && n[4] != 90) || n[3] != 0 || n[5] != n[6] || n[5] < 1 || n[5] > maxModule || n[2] < 1 || n[2] > maxHeightMM*12 {
		return op{}, fmt.Errorf("barcode readable %d, rotation %d, narrow %d, wide %d, height %d: %w", n[3], n[4], n[5], n[6], n[2], ErrSyntax)
	}
	text, err := unquote(p[8])
	if err != nil {
		return op{}, err
	}
	values, err := code128M(text)
	if err != nil {
		return op{}, err
	}
	return op{kind: opBarcode, x: n[0], y: n[1], w: n[5], h: n[2], values: values, rotated: n[4] == 90}, nil
}

// code128M reads "128M" content: !nnn is a symbol value (!103 !104 !105
// start A/B/C, !099 !100 !101 switch to C/B/A, !102 FNC1), other bytes are
// characters of the current code set (in C, pairs of digits). It must
// start with a start code; check and stop are the firmware's.
func code128M(s string) ([]int, error) {
	var v []int
	set := byte(0)
	for i := 0; i < len(s); {
		if s[i] == '!' {
			if i+4 > len(s) {
				return nil, fmt.Errorf("128M control %q: %w", s[i:], ErrSyntax)
			}
			c, err := strconv.Atoi(s[i+1 : i+4])
			if err != nil || c < 96 || c > 105 {
				return nil, fmt.Errorf("128M control %q: %w", s[i:i+4], ErrSyntax)
			}
			i += 4
			switch {
			case len(v) == 0 && c >= 103:
				set = "ABC"[c-103]
			case len(v) == 0:
				return nil, fmt.Errorf("128M content %q does not start with a start code: %w", s, ErrFirmwareChoice)
			case c >= 103:
				return nil, fmt.Errorf("128M start code inside the data: %w", ErrSyntax)
			case c == label.C128CodeC && set != 'C':
				set = 'C'
			case c == label.C128CodeB && set != 'B':
				set = 'B'
			case c == label.C128CodeA && set != 'A':
				set = 'A'
			case c == label.C128FNC1:
			default:
				return nil, fmt.Errorf("128M control !%03d in code set %c is not supported: %w", c, set, ErrSyntax)
			}
			v = append(v, c)
			continue
		}
		if len(v) == 0 {
			return nil, fmt.Errorf("128M content %q does not start with a start code: %w", s, ErrFirmwareChoice)
		}
		c := s[i]
		switch set {
		case 'A':
			if c < 32 || c > 95 {
				return nil, fmt.Errorf("128M code set A: %q: %w", c, ErrSyntax)
			}
			v = append(v, int(c)-32)
			i++
		case 'B':
			if c < 32 || c > 127 {
				return nil, fmt.Errorf("128M code set B: %q: %w", c, ErrSyntax)
			}
			v = append(v, int(c)-32)
			i++
		case 'C':
			if i+1 >= len(s) || c < '0' || c > '9' || s[i+1] < '0' || s[i+1] > '9' {
				return nil, fmt.Errorf("128M code set C wants pairs of digits at %q: %w", s[i:], ErrSyntax)
			}
			v = append(v, int(c-'0')*10+int(s[i+1]-'0'))
			i += 2
		}
	}
	if len(v) < 2 {
		return nil, fmt.Errorf("128M content %q carries no data: %w", s, ErrSyntax)
	}
	return label.Code128Finish(v), nil
}

// parseQR reads x,y,ECC,cell,mode,rotation,[justification,]model,mask,"content"
// in manual mode and builds the symbol the firmware prints. Automatic mode,
// a missing model (the firmware's default is model 1) or a missing mask
// leave choices to the firmware and are refused.
func parseQR(args string) (op, error) {
	p, err := splitFixed(args, 6)
	if err != nil {
		return op{}, err
	}
	n, err := ints(strings.Join([]string{p[0], p[1], p[3], p[5]}, ","), 4)
	if err != nil {
		return op{}, err
	}
	if len(p[2]) != 1 || !strings.Contains("LMQH", p[2]) || n[3] != 0 || n[2] < 1 || n[2] > maxModule {
		return op{}, fmt.Errorf("qrcode %q: %w", args, ErrSyntax)
	}
	if strings.ToUpper(p[4]) != "M" {
		return op{}, fmt.Errorf("qrcode mode %q: the firmware would choose the input mode; use M: %w", p[4], ErrFirmwareChoice)
	}
	model, mask, content := "", -1, p[6]
	for !strings.HasPrefix(content, `"`) {
		field, rest, ok := strings.Cut(content, ",")
		if !ok {
			return op{}, fmt.Errorf("qrcode %q: no content: %w", args, ErrSyntax)
		}
		field, content = strings.ToUpper(strings.TrimSpace(field)), strings.TrimSpace(rest)
		switch {
		case field == "M1" || field == "M2":
			model = field
		case len(field) == 2 && field[0] == 'S' && field[1] >= '0' && field[1] <= '8':
			mask = int(field[1] - '0')
		case len(field) == 2 && field[0] == 'J' && field[1] >= '1' && field[1] <= '9':
		default:
			return op{}, fmt.Errorf("qrcode parameter %q: %w", field, ErrSyntax)
		}
	}
	if model != "M2" {
		return op{}, fmt.Errorf("qrcode model %q: only M2 is supported and it must be named (the firmware's default is M1): %w", model, ErrFirmwareChoice)
	}
	if mask < 0 || mask > 7 {
		return op{}, fmt.Errorf("qrcode without mask S0-S7: the firmware would choose it: %w", ErrFirmwareChoice)
	}
	text, err := unquote(content)
	if err != nil {
		return op{}, err
	}
	mode, data, err := qrManual(text)
	if err != nil {
		return op{}, err
	}
	sym, err := label.QRMatrix(data, p[2][0], mode, mask)
	if err != nil {
		return op{}, fmt.Errorf("qrcode: %v: %w", err, ErrSyntax)
	}
	return op{kind: opQR, x: n[0], y: n[1], w: n[2], qr: sym}, nil
}

// qrManual splits manual-mode data: N or A and the data, or B, a 4-digit
// byte count and exactly that many bytes.
func qrManual(s string) (byte, string, error) {
	if s == "" {
		return 0, "", fmt.Errorf("qrcode manual data is empty: %w", ErrSyntax)
	}
	switch s[0] {
	case 'N', 'A':
		if strings.Contains(s, "!") {
			return 0, "", fmt.Errorf("qrcode mixed modes (!) are not supported: %w", ErrSyntax)
		}
		return s[0], s[1:], nil
	case 'B':
		if len(s) < 5 {
			return 0, "", fmt.Errorf("qrcode byte mode without count: %w", ErrSyntax)
		}
		n, err := strconv.Atoi(s[1:5])
		if err != nil || n != len(s)-5 {
			return 0, "", fmt.Errorf("qrcode byte count %q for %d bytes: %w", s[1:5], len(s)-5, ErrSyntax)
		}
		return 'B', s[5:], nil
	}
	return 0, "", fmt.Errorf("qrcode input mode %q: %w", s[0], ErrSyntax)
}

// splitFixed splits off n comma-separated fields (a field may be a quoted
// string) and returns them followed by the rest, the content, which may
// itself hold commas.
func splitFixed(args string, n int) ([]string, error) {
	var out []string
	rest := args
	for i := 0; i < n; i++ {
		rest = strings.TrimLeft(rest, " ")
		var field string
		if strings.HasPrefix(rest, `"`) {
			j := strings.IndexByte(rest[1:], '"')
			if j < 0 {
				return nil, fmt.Errorf("unterminated string in %q: %w", args, ErrSyntax)
			}
			field, rest = rest[:j+2], rest[j+2:]
		} else {
			j := strings.IndexByte(rest, ',')
			if j < 0 {
				return nil, fmt.Errorf("too few fields in %q: %w", args, ErrSyntax)
			}
			field, rest = rest[:j], rest[j:]
		}
		rest = strings.TrimLeft(rest, " ")
		if !strings.HasPrefix(rest, ",") {
			return nil, fmt.Errorf("missing comma in %q: %w", args, ErrSyntax)
		}
		rest = rest[1:]
		out = append(out, strings.TrimSpace(field))
	}
	return append(out, strings.TrimSpace(rest)), nil
}
