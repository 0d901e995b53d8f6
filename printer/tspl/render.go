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

// Limits that keep the virtual printer's memory bounded whatever it is fed.
const (
	maxWidthMM  = 120 // widest head supported, mm
	maxHeightMM = 400 // longest label, mm
	maxModule   = 20  // barcode module / QR cell, dots
	maxContent  = 2000
)

type op struct {
	kind       string
	x, y, w, h int
	t          int
	text       string
	ecc        byte
	bits       *label.Bitmap
	overwrite  bool
}

// Render is the virtual printer: it draws the first label of a TSPL job
// (the subset Encode writes: SIZE, GAP/BLINE, DIRECTION, REFERENCE, SHIFT,
// SPEED, DENSITY, SET, CLS, BITMAP, BAR, BOX, BARCODE "128", QRCODE, PRINT)
// into a 1-bit *image.Gray (0 black, 255 white) as the label reads, ignoring
// DIRECTION's 180° turn. TSPL sizes are in mm, so the resolution is
// inferred: 203 dpi unless something is drawn beyond the 203-dpi label,
// then 300. Use RenderDPI to say it.
func Render(data []byte) (*image.Gray, error) { return RenderDPI(data, 0) }

// RenderDPI is Render at a known resolution (203 or 300; 0 infers it).
func RenderDPI(data []byte, dpi int) (*image.Gray, error) {
	var (
		ops        []op
		wmm, hmm   float64
		refX, refY int
		printed    bool
	)
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
				return nil, fmt.Errorf("tspl line %d: %w", line, err)
			}
			o.x += refX
			o.y += refY
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
		switch name {
		case "SIZE":
			p := splitArgs(args)
			if len(p) != 2 {
				return nil, fmt.Errorf("tspl line %d: SIZE %q: %w", line, args, ErrSyntax)
			}
			var err error
			if wmm, err = mm(p[0]); err != nil {
				return nil, fmt.Errorf("tspl line %d: SIZE: %w", line, err)
			}
			if hmm, err = mm(p[1]); err != nil {
				return nil, fmt.Errorf("tspl line %d: SIZE: %w", line, err)
			}
			if wmm <= 0 || hmm <= 0 || wmm > maxWidthMM || hmm > maxHeightMM {
				return nil, fmt.Errorf("tspl line %d: SIZE %q out of range (at most %dx%d mm): %w", line, args, maxWidthMM, maxHeightMM, ErrSyntax)
			}
		case "REFERENCE":
			n, err := ints(args, 2)
			if err != nil {
				return nil, fmt.Errorf("tspl line %d: REFERENCE: %w", line, err)
			}
			refX, refY = n[0], n[1]
		case "GAP", "BLINE", "DIRECTION", "SHIFT", "SPEED", "DENSITY", "SET", "CLS", "OFFSET", "CODEPAGE", "AUTODETECT", "HOME", "":
			// Media and mechanics: nothing to draw.
		case "BAR":
			n, err := ints(args, 4)
			if err != nil {
				return nil, fmt.Errorf("tspl line %d: BAR: %w", line, err)
			}
			ops = append(ops, op{kind: "bar", x: n[0] + refX, y: n[1] + refY, w: n[2], h: n[3]})
		case "BOX":
			n, err := ints(args, 5)
			if err != nil {
				return nil, fmt.Errorf("tspl line %d: BOX: %w", line, err)
			}
			ops = append(ops, op{kind: "box", x: n[0] + refX, y: n[1] + refY, w: n[2] - n[0], h: n[3] - n[1], t: n[4]})
		case "BARCODE":
			o, err := parseBarcode(args)
			if err != nil {
				return nil, fmt.Errorf("tspl line %d: BARCODE: %w", line, err)
			}
			o.x += refX
			o.y += refY
			ops = append(ops, o)
		case "QRCODE":
			o, err := parseQR(args)
			if err != nil {
				return nil, fmt.Errorf("tspl line %d: QRCODE: %w", line, err)
			}
			o.x += refX
			o.y += refY
			ops = append(ops, o)
		case "PRINT":
			printed = true
		default:
			return nil, fmt.Errorf("tspl line %d: %q: %w", line, name, ErrSyntax)
		}
	}
	if wmm == 0 {
		return nil, fmt.Errorf("tspl: no SIZE before drawing: %w", ErrSyntax)
	}
	if dpi == 0 {
		dpi = 203
		w, h := label.Dots(wmm, 203), label.Dots(hmm, 203)
		for _, o := range ops {
			if r := extent(o); r.Max.X > w || r.Max.Y > h {
				dpi = 300
				break
			}
		}
	}
	img := label.NewCanvas(label.Dots(wmm, dpi), label.Dots(hmm, dpi))
	for _, o := range ops {
		if err := draw(img, o); err != nil {
			return nil, err
		}
	}
	return img, nil
}

func extent(o op) image.Rectangle {
	switch o.kind {
	case "bitmap":
		return image.Rect(o.x, o.y, o.x+o.bits.W, o.y+o.bits.H)
	case "bar", "box":
		return image.Rect(o.x, o.y, o.x+o.w, o.y+o.h)
	case "barcode":
		n, err := label.Code128Modules(o.text)
		if err != nil {
			return image.Rectangle{}
		}
		return image.Rect(o.x, o.y, o.x+n*o.w, o.y+o.h)
	case "qr":
		n, err := label.QRModules(o.text, o.ecc)
		if err != nil {
			return image.Rectangle{}
		}
		return image.Rect(o.x, o.y, o.x+n*o.w, o.y+n*o.w)
	}
	return image.Rectangle{}
}

func draw(img *image.Gray, o op) error {
	switch o.kind {
	case "bitmap":
		label.DrawBitmap(img, o.x, o.y, o.bits, o.overwrite)
	case "bar":
		label.FillRect(img, o.x, o.y, o.w, o.h)
	case "box":
		label.DrawBox(img, o.x, o.y, o.w, o.h, o.t)
	case "barcode":
		if _, err := label.DrawCode128(img, o.x, o.y, o.w, o.h, o.text); err != nil {
			return fmt.Errorf("tspl: %w", err)
		}
	case "qr":
		if _, err := label.DrawQR(img, o.x, o.y, o.w, o.ecc, o.text); err != nil {
			return fmt.Errorf("tspl: %w", err)
		}
	}
	return nil
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
	if wb <= 0 || h <= 0 || wb > maxWidthMM*12/8+1 || h > maxHeightMM*12 || mode < 0 || mode > 2 {
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
	o := op{kind: "bitmap", x: n[0], y: n[1], bits: bm, overwrite: mode == 0}
	if mode == 2 {
		return op{}, 0, fmt.Errorf("BITMAP XOR mode: %w", ErrSyntax)
	}
	return o, i + size, nil
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

// parseBarcode reads x,y,"128",height,readable,rotation,narrow,wide,"content".
func parseBarcode(args string) (op, error) {
	p, err := splitFixed(args, 8)
	if err != nil {
		return op{}, err
	}
	if p[2] != `"128"` {
		return op{}, fmt.Errorf("barcode type %s: only \"128\" is supported: %w", p[2], ErrSyntax)
	}
	n, err := ints(strings.Join([]string{p[0], p[1], p[3], p[4], p[5], p[6], p[7]}, ","), 7)
	if err != nil {
		return op{}, err
	}
	if n[4] != 0 || n[5] != n[6] || n[5] < 1 || n[5] > maxModule || n[2] < 1 || n[2] > maxHeightMM*12 {
		return op{}, fmt.Errorf("barcode rotation %d, narrow %d, wide %d, height %d: %w", n[4], n[5], n[6], n[2], ErrSyntax)
	}
	text, err := unquote(p[8])
	if err != nil {
		return op{}, err
	}
	return op{kind: "barcode", x: n[0], y: n[1], w: n[5], h: n[2], text: text}, nil
}

// parseQR reads x,y,ECC,cell,mode,rotation,"content".
func parseQR(args string) (op, error) {
	p, err := splitFixed(args, 6)
	if err != nil {
		return op{}, err
	}
	n, err := ints(strings.Join([]string{p[0], p[1], p[3], p[5]}, ","), 4)
	if err != nil {
		return op{}, err
	}
	if len(p[2]) != 1 || !strings.Contains("LMQH", p[2]) || strings.ToUpper(p[4]) != "A" || n[3] != 0 || n[2] < 1 || n[2] > maxModule {
		return op{}, fmt.Errorf("qrcode %q: %w", args, ErrSyntax)
	}
	text, err := unquote(p[6])
	if err != nil {
		return op{}, err
	}
	return op{kind: "qr", x: n[0], y: n[1], w: n[2], ecc: p[2][0], text: text}, nil
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
