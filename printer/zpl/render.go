package zpl

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"errors"
	"fmt"
	"image"
	"io"
	"strconv"
	"strings"

	"shipdesk/printer/label"
)

// ErrSyntax reports bytes the virtual printer does not understand: a command
// outside the subset Encode writes, or a malformed one.
var ErrSyntax = errors.New("zpl: unsupported or malformed command")

// ErrCRC reports a Z64/B64 graphic whose CRC does not match its data.
var ErrCRC = errors.New("zpl: graphic field CRC mismatch")

// Limits that keep the virtual printer's memory bounded whatever it is fed.
const (
	maxDots     = 2400     // ^PW, dots (8 in at 300 dpi); ^LL may be twice that
	maxGraphic  = 1 << 20  // one ^GF, bytes
	maxGraphics = 16 << 20 // all ^GF of a job together, bytes
	maxModule   = 20
	maxContent  = 2000
)

// ErrFirmwareChoice reports a barcode or QR code that leaves a choice to
// the firmware (^BC mode A, mode N without a start code, ^BQ automatic
// input, a missing mask): what a real printer prints then is not known, so
// the virtual printer refuses to guess.
var ErrFirmwareChoice = errors.New("zpl: barcode leaves the encoding to the firmware")

// Printer is a virtual Zebra printer. It keeps what a real one keeps from
// one format to the next (^LH, ^LS, ^LT, ^PO, ^FW, ^CI, ^BY, ^PR, ^MD, ^MN,
// ^MM, ^PW, ^LL), so a job that relies on a previous one's settings prints
// differently here too, and it draws barcodes as the firmware does: Code
// 128 from the code sets the data names, a QR code ^BY-height dots below
// its ^FO. The zero value is a printer just switched on. A Printer is not
// safe for concurrent use.
type Printer struct {
	on     bool // power-on defaults applied
	lhx    int
	lhy    int
	ls, lt int
	po, fw byte
	ci     int
	by     barDefaults
	pw, ll int
}

// barDefaults are ^BY's module width, wide-to-narrow ratio and height.
type barDefaults struct {
	module int
	ratio  string
	height int
}

func (p *Printer) powerOn() {
	if !p.on {
		*p = Printer{on: true, po: 'N', fw: 'N', by: barDefaults{2, "3.0", 10}}
	}
}

// Render prints the first format (^XA...^XZ) of a ZPL job on a printer
// just switched on and returns it as a 1-bit *image.Gray (0 black, 255
// white) at the job's own resolution (^PW x ^LL dots; 812 x 1218 when they
// are missing). ^PO inversion is not drawn: the image reads as the label.
func Render(data []byte) (*image.Gray, error) {
	var p Printer
	return p.Print(data)
}

// format is one ^XA...^XZ being read: the drawing commands so far and the
// field being built.
type format struct {
	p       *Printer
	ops     []func(img *image.Gray) error
	fox     int
	foy     int
	pending string // barcode command waiting for ^FD: "BC" or "BQ"
	bc      bcField
	bq      bqField
	hexEsc  byte
	gfTotal int
}

type bcField struct {
	orient byte
	height int
}

type bqField struct {
	mag  int
	mask int // -1: not given
}

// Print runs the first format of data and returns the label printed;
// settings the format changes stay for the next one.
func (p *Printer) Print(data []byte) (*image.Gray, error) {
	p.powerOn()
	s := string(data)
	start := strings.Index(s, "^XA")
	if start < 0 {
		return nil, fmt.Errorf("no ^XA: %w", ErrSyntax)
	}
	if err := p.immediate(s[:start]); err != nil {
		return nil, err
	}
	f := &format{p: p}
	if err := f.read(s[start:]); err != nil {
		return nil, err
	}
	return f.draw()
}

// immediate runs the ~ commands before the format (~SD).
func (p *Printer) immediate(s string) error {
	for _, c := range strings.Fields(s) {
		if !strings.HasPrefix(c, "~SD") {
			return fmt.Errorf("%q before ^XA: %w", c, ErrSyntax)
		}
	}
	return nil
}

// read walks the commands of the format up to ^XZ.
func (f *format) read(s string) error {
	for len(s) > 0 {
		c := s[0]
		if c != '^' && c != '~' {
			s = s[1:] // whitespace and line breaks between commands
			continue
		}
		if len(s) < 3 {
			return fmt.Errorf("truncated command %q: %w", s, ErrSyntax)
		}
		name := string(c) + strings.ToUpper(s[1:3])
		s = s[3:]
		var args string
		if name == "^FD" {
			end := strings.Index(s, "^FS")
			if end < 0 {
				return fmt.Errorf("^FD without ^FS: %w", ErrSyntax)
			}
			args, s = s[:end], s[end:]
		} else {
			end := strings.IndexAny(s, "^~")
			if end < 0 {
				end = len(s)
			}
			args, s = strings.TrimRight(s[:end], "\r\n "), s[end:]
		}
		if name == "^XZ" {
			return nil
		}
		if err := f.command(name, args); err != nil {
			return err
		}
	}
	return fmt.Errorf("format without ^XZ: %w", ErrSyntax)
}

// command runs one command: a printer setting, a field, or a barcode.
func (f *format) command(name, args string) error {
	switch name {
	case "^XA", "^MN", "^MM", "^PQ", "~SD", "^FX":
		return nil
	case "^FS":
		f.hexEsc, f.pending = 0, ""
		return nil
	case "^FO":
		n, err := nums(args, 2, 2)
		if err != nil {
			return fmt.Errorf("^FO%s: %w", args, err)
		}
		f.fox, f.foy = n[0], n[1]
		return nil
	case "^FH":
		f.hexEsc = '_'
		if args != "" {
			f.hexEsc = args[0]
		}
		return nil
	case "^GB":
		return f.box(args)
	case "^GF":
		return f.graphic(args)
	case "^BC":
		return f.code128(args)
	case "^BQ":
		return f.qr(args)
	case "^FD":
		return f.data(args)
	}
	return f.p.setting(name, args)
}

// setting applies a command the printer keeps between formats.
func (p *Printer) setting(name, args string) error {
	switch name {
	case "^CI":
		n, err := nums(args, 1, 1)
		if err != nil || n[0] < 0 || n[0] > 36 {
			return fmt.Errorf("^CI%s: %w", args, ErrSyntax)
		}
		p.ci = n[0]
	case "^PW":
		n, err := nums(args, 1, 1)
		if err != nil || n[0] < 1 || n[0] > maxDots {
			return fmt.Errorf("^PW%s: %w", args, ErrSyntax)
		}
		p.pw = n[0]
	case "^LL":
		n, err := nums(args, 1, 1)
		if err != nil || n[0] < 1 || n[0] > maxDots*2 {
			return fmt.Errorf("^LL%s: %w", args, ErrSyntax)
		}
		p.ll = n[0]
	case "^LH":
		n, err := nums(args, 2, 2)
		if err != nil || n[0] < 0 || n[1] < 0 {
			return fmt.Errorf("^LH%s: %w", args, ErrSyntax)
		}
		p.lhx, p.lhy = n[0], n[1]
	case "^LS":
		n, err := nums(args, 1, 1)
		if err != nil || n[0] < -9999 || n[0] > 9999 {
			return fmt.Errorf("^LS%s: %w", args, ErrSyntax)
		}
		p.ls = n[0]
	case "^LT":
		n, err := nums(args, 1, 1)
		if err != nil || n[0] < -120 || n[0] > 120 {
			return fmt.Errorf("^LT%s: %w", args, ErrSyntax)
		}
		p.lt = n[0]
	case "^PO", "^FW":
		if len(args) < 1 || !strings.ContainsRune("NRIB", rune(args[0])) {
			return fmt.Errorf("%s%s: %w", name, args, ErrSyntax)
		}
		if name == "^PO" {
			p.po = args[0]
		} else {
			p.fw = args[0]
		}
	case "^PR", "^MD":
		// Speed and darkness change how dark, not where: nothing to draw.
	case "^BY":
		return p.barDefaults(args)
	default:
		return fmt.Errorf("%s: %w", name, ErrSyntax)
	}
	return nil
}

// barDefaults reads ^BYw,r,h; parameters left out keep their value.
func (p *Printer) barDefaults(args string) error {
	parts := strings.Split(args, ",")
	if len(parts) > 3 {
		return fmt.Errorf("^BY%s: %w", args, ErrSyntax)
	}
	if w := strings.TrimSpace(parts[0]); w != "" {
		v, err := strconv.Atoi(w)
		if err != nil || v < 1 || v > maxModule {
			return fmt.Errorf("^BY%s: %w", args, ErrSyntax)
		}
		p.by.module = v
	}
	if len(parts) >= 2 && strings.TrimSpace(parts[1]) != "" {
		r, err := strconv.ParseFloat(parts[1], 64)
		if err != nil || r < 2 || r > 3 {
			return fmt.Errorf("^BY%s: %w", args, ErrSyntax)
		}
		p.by.ratio = parts[1]
	}
	if len(parts) == 3 && strings.TrimSpace(parts[2]) != "" {
		h, err := strconv.Atoi(parts[2])
		if err != nil || h < 1 || h > maxDots*2 {
			return fmt.Errorf("^BY%s: %w", args, ErrSyntax)
		}
		p.by.height = h
	}
	return nil
}

// origin is where the current field lands: ^FO moved by ^LH, ^LS, ^LT.
func (f *format) origin() (int, int) {
	return f.fox + f.p.lhx - f.p.ls, f.foy + f.p.lhy + f.p.lt
}

func (f *format) box(args string) error {
	n, err := nums(args, 3, 3)
	if err != nil || n[2] < 1 {
		return fmt.Errorf("^GB%s: %w", args, ErrSyntax)
	}
	x, y := f.origin()
	w, h, t := max(n[0], n[2]), max(n[1], n[2]), n[2]
	f.ops = append(f.ops, func(img *image.Gray) error { label.DrawBox(img, x, y, w, h, t); return nil })
	return nil
}

func (f *format) graphic(args string) error {
	bm, err := parseGF(args)
	if err != nil {
		return err
	}
	if f.gfTotal += len(bm.Bits); f.gfTotal > maxGraphics {
		return fmt.Errorf("graphic fields hold more than %d bytes: %w", maxGraphics, ErrSyntax)
	}
	x, y := f.origin()
	f.ops = append(f.ops, func(img *image.Gray) error { label.DrawBitmap(img, x, y, bm, false); return nil })
	return nil
}

// code128 reads ^BCo,h,f,g,e,m; only mode N (the data names its code sets)
// is drawn.
func (f *format) code128(args string) error {
	p := strings.Split(args, ",")
	o := f.p.fw
	if s := strings.TrimSpace(p[0]); s != "" {
		o = strings.ToUpper(s)[0]
	}
	if o != 'N' && o != 'R' {
		return fmt.Errorf("^BC%s: only orientation N and R are supported: %w", args, ErrSyntax)
	}
	h := f.p.by.height
	if len(p) >= 2 && strings.TrimSpace(p[1]) != "" {
		v, err := strconv.Atoi(p[1])
		if err != nil || v < 1 || v > maxDots*2 {
			return fmt.Errorf("^BC%s: %w", args, ErrSyntax)
		}
		h = v
	}
	for i := 2; i < 5 && i < len(p); i++ {
		if v := strings.ToUpper(strings.TrimSpace(p[i])); v != "" && v != "N" {
			return fmt.Errorf("^BC%s: interpretation lines and UCC check digits are not supported: %w", args, ErrSyntax)
		}
	}
	mode := "N"
	if len(p) >= 6 {
		mode = strings.ToUpper(strings.TrimSpace(p[5]))
	}
	switch mode {
	case "N", "":
	case "A":
		return fmt.Errorf("^BC%s: mode A lets the firmware choose code sets: %w", args, ErrFirmwareChoice)
	default:
		return fmt.Errorf("^BC%s: mode %s is not supported: %w", args, mode, ErrSyntax)
	}
	f.bc, f.pending = bcField{orient: o, height: h}, "BC"
	return nil
}

// qr reads ^BQa,b,c,d,e.
func (f *format) qr(args string) error {
	p := strings.Split(args, ",")
	if len(p) >= 2 && strings.TrimSpace(p[1]) != "" && strings.TrimSpace(p[1]) != "2" {
		return fmt.Errorf("^BQ%s: only model 2 is supported: %w", args, ErrSyntax)
	}
	f.bq = bqField{mag: 2, mask: -1}
	if len(p) >= 3 && strings.TrimSpace(p[2]) != "" {
		m, err := strconv.Atoi(p[2])
		if err != nil || m < 1 || m > 10 {
			return fmt.Errorf("^BQ%s: %w", args, ErrSyntax)
		}
		f.bq.mag = m
	}
	if len(p) >= 5 && strings.TrimSpace(p[4]) != "" {
		m, err := strconv.Atoi(p[4])
		if err != nil || m < 0 || m > 7 {
			return fmt.Errorf("^BQ%s: %w", args, ErrSyntax)
		}
		f.bq.mask = m
	}
	f.pending = "BQ"
	return nil
}

// data reads ^FD for the pending barcode.
func (f *format) data(args string) error {
	text, err := unescape(args, f.hexEsc)
	if err != nil {
		return err
	}
	if len(text) > maxContent {
		return fmt.Errorf("^FD longer than %d bytes: %w", maxContent, ErrSyntax)
	}
	x, y := f.origin()
	switch f.pending {
	case "BC":
		values, err := invocation(text)
		if err != nil {
			return err
		}
		bits, err := label.Code128Bits(values)
		if err != nil {
			return fmt.Errorf("^BC: %v: %w", err, ErrSyntax)
		}
		m, bc := f.p.by.module, f.bc
		f.ops = append(f.ops, func(img *image.Gray) error {
			label.DrawCode128Bits(img, x, y, m, bc.height, bits, bc.orient == 'R')
			return nil
		})
	case "BQ":
		if f.bq.mask < 0 {
			return fmt.Errorf("^BQ without a mask: the firmware would use its default: %w", ErrFirmwareChoice)
		}
		ecc, mode, content, err := parseQRData(text)
		if err != nil {
			return err
		}
		sym, err := label.QRMatrix(content, ecc, mode, f.bq.mask)
		if err != nil {
			return fmt.Errorf("^BQ: %v: %w", err, ErrSyntax)
		}
		// The firmware prints the symbol ^BY-height dots below ^FO.
		mag, dy := f.bq.mag, f.p.by.height
		f.ops = append(f.ops, func(img *image.Gray) error {
			label.DrawQRSymbol(img, x, y+dy, mag, sym)
			return nil
		})
	default:
		return fmt.Errorf("^FD without a barcode (text fields are not supported): %w", ErrSyntax)
	}
	return nil
}

// draw renders the format's commands on a blank label of ^PW x ^LL dots.
func (f *format) draw() (*image.Gray, error) {
	pw, ll := f.p.pw, f.p.ll
	if pw == 0 {
		pw = 812
	}
	if ll == 0 {
		ll = 1218
	}
	img := label.NewCanvas(pw, ll)
	for _, op := range f.ops {
		if err := op(img); err != nil {
			return nil, fmt.Errorf("zpl: %w", err)
		}
	}
	return img, nil
}

// invocation reads ^BC mode N data as the firmware does: it must start
// with >9, >: or >; (start A, B, C); >5, >6, >7 switch to C, B, A (where
// they switch: >6 in B and >7 in A would be FNC4), >8 is FNC1; in C the
// data are pairs of digits. It returns the symbol values with check and
// stop.
func invocation(s string) ([]int, error) {
	if len(s) < 2 || s[0] != '>' || (s[1] != '9' && s[1] != ':' && s[1] != ';') {
		return nil, fmt.Errorf("^BC data %q has no start code (>9, >: or >;): the firmware would choose: %w", s, ErrFirmwareChoice)
	}
	set := "ABC"[s[1]-'9']
	v := []int{label.C128StartA + int(s[1]-'9')}
	for i := 2; i < len(s); {
		if s[i] == '>' {
			if i+1 >= len(s) {
				return nil, fmt.Errorf("^BC data ends in '>': %w", ErrSyntax)
			}
			code := s[i+1]
			i += 2
			switch {
			case code == '5' && set != 'C':
				set = 'C'
				v = append(v, label.C128CodeC)
			case code == '6' && set != 'B':
				set = 'B'
				v = append(v, label.C128CodeB)
			case code == '7' && set != 'A':
				set = 'A'
				v = append(v, label.C128CodeA)
			case code == '8':
				v = append(v, label.C128FNC1)
			default:
				return nil, fmt.Errorf("^BC invocation >%c in code set %c is not supported: %w", code, set, ErrSyntax)
			}
			continue
		}
		c := s[i]
		switch set {
		case 'A':
			if c < 32 || c > 95 {
				return nil, fmt.Errorf("^BC code set A: %q: %w", c, ErrSyntax)
			}
			v = append(v, int(c)-32)
			i++
		case 'B':
			if c < 32 || c > 126 {
				return nil, fmt.Errorf("^BC code set B: %q: %w", c, ErrSyntax)
			}
			v = append(v, int(c)-32)
			i++
		case 'C':
			if i+1 >= len(s) || c < '0' || c > '9' || s[i+1] < '0' || s[i+1] > '9' {
				return nil, fmt.Errorf("^BC code set C wants pairs of digits at %q: %w", s[i:], ErrSyntax)
			}
			v = append(v, int(c-'0')*10+int(s[i+1]-'0'))
			i += 2
		}
	}
	if len(v) < 2 {
		return nil, fmt.Errorf("^BC data %q carries nothing: %w", s, ErrSyntax)
	}
	return label.Code128Finish(v), nil
}

func nums(args string, lo, hi int) ([]int, error) {
	p := strings.Split(args, ",")
	if len(p) < lo || len(p) > hi+3 {
		return nil, fmt.Errorf("bad parameters %q: %w", args, ErrSyntax)
	}
	out := make([]int, 0, len(p))
	for i, s := range p {
		if i >= hi {
			break
		}
		v, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || v < -maxDots*2 || v > maxDots*2 {
			return nil, fmt.Errorf("bad number %q: %w", s, ErrSyntax)
		}
		out = append(out, v)
	}
	return out, nil
}

func unescape(s string, esc byte) (string, error) {
	if esc == 0 {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != esc {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", fmt.Errorf("short ^FH escape: %w", ErrSyntax)
		}
		v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if err != nil {
			return "", fmt.Errorf("bad ^FH escape %q: %w", s[i:i+3], ErrSyntax)
		}
		b.WriteByte(byte(v))
		i += 2
	}
	return b.String(), nil
}

// parseQRData splits ^BQ field data: error correction, input mode (only M,
// manual: automatic leaves the choice to the firmware), a comma, the
// character mode (N, A, or B with a 4-digit byte count) and the data.
func parseQRData(s string) (ecc, mode byte, content string, err error) {
	head, rest, ok := strings.Cut(s, ",")
	if !ok || len(head) != 2 || !strings.ContainsRune("LMQH", rune(head[0])) {
		return 0, 0, "", fmt.Errorf("^BQ data %q: want error correction and input mode, then a comma: %w", s, ErrSyntax)
	}
	switch {
	case head[1] == 'A':
		return 0, 0, "", fmt.Errorf("^BQ data %q: automatic input lets the firmware choose the mode: %w", s, ErrFirmwareChoice)
	case head[1] != 'M':
		return 0, 0, "", fmt.Errorf("^BQ input %q: %w", head[1], ErrSyntax)
	case rest == "":
		return 0, 0, "", fmt.Errorf("^BQ data %q is empty: %w", s, ErrSyntax)
	}
	switch rest[0] {
	case 'N', 'A':
		return head[0], rest[0], rest[1:], nil
	case 'B':
		if len(rest) < 5 {
			return 0, 0, "", fmt.Errorf("^BQ byte mode without count: %w", ErrSyntax)
		}
		n, err := strconv.Atoi(rest[1:5])
		if err != nil || n != len(rest)-5 {
			return 0, 0, "", fmt.Errorf("^BQ byte count %q for %d bytes: %w", rest[1:5], len(rest)-5, ErrSyntax)
		}
		return head[0], 'B', rest[5:], nil
	}
	return 0, 0, "", fmt.Errorf("^BQ character mode %q: %w", rest[0], ErrSyntax)
}

// parseGF reads "A,b,c,d,data" into a bitmap of d bytes per row.
func parseGF(args string) (*label.Bitmap, error) {
	p := strings.SplitN(args, ",", 5)
	if len(p) != 5 || strings.ToUpper(p[0]) != "A" {
		return nil, fmt.Errorf("^GF%.20s: only ^GFA is supported: %w", args, ErrSyntax)
	}
	total, err1 := strconv.Atoi(p[2])
	row, err2 := strconv.Atoi(p[3])
	if err1 != nil || err2 != nil || total < 1 || row < 1 || total > maxGraphic || total%row != 0 || row > maxDots/8+1 {
		return nil, fmt.Errorf("^GFA sizes %s,%s: %w", p[2], p[3], ErrSyntax)
	}
	data := strings.TrimSpace(p[4])
	var raw []byte
	switch {
	case strings.HasPrefix(data, ":Z64:") || strings.HasPrefix(data, ":B64:"):
		body := data[5:]
		i := strings.LastIndexByte(body, ':')
		if i < 0 {
			return nil, fmt.Errorf("^GFA %s without CRC: %w", data[:5], ErrSyntax)
		}
		enc, crc := body[:i], body[i+1:]
		want, err := strconv.ParseUint(crc, 16, 16)
		if err != nil || len(crc) != 4 {
			return nil, fmt.Errorf("^GFA CRC %q: %w", crc, ErrSyntax)
		}
		if CRC16(enc) != uint16(want) {
			return nil, fmt.Errorf("^GFA: CRC %04X, data gives %04X: %w", want, CRC16(enc), ErrCRC)
		}
		dec, err := base64.StdEncoding.DecodeString(enc)
		if err != nil {
			return nil, fmt.Errorf("^GFA base64: %v: %w", err, ErrSyntax)
		}
		if data[1] == 'Z' {
			zr, err := zlib.NewReader(bytes.NewReader(dec))
			if err != nil {
				return nil, fmt.Errorf("^GFA zlib: %v: %w", err, ErrSyntax)
			}
			dec, err = io.ReadAll(io.LimitReader(zr, int64(total)+1))
			if err != nil {
				return nil, fmt.Errorf("^GFA zlib: %v: %w", err, ErrSyntax)
			}
		}
		raw = dec
	default:
		var err error
		if raw, err = decodeHex(data, total, row); err != nil {
			return nil, err
		}
	}
	if len(raw) != total {
		return nil, fmt.Errorf("^GFA has %d bytes, header says %d: %w", len(raw), total, ErrSyntax)
	}
	return &label.Bitmap{W: row * 8, H: total / row, Stride: row, Bits: raw}, nil
}

// decodeHex reads ASCII hex with the ACS shorthand: G-Y and g-z repeat
// counts, ',' ends a row with zeros, '!' with ones, ':' repeats the row.
func decodeHex(s string, total, row int) ([]byte, error) {
	out := make([]byte, 0, total)
	cur := make([]byte, 0, row*2) // hex digits of the current row
	var prev []byte
	flush := func(fill byte) {
		for len(cur) < row*2 {
			cur = append(cur, fill)
		}
		b := make([]byte, row)
		for i := range b {
			b[i] = hexv(cur[2*i])<<4 | hexv(cur[2*i+1])
		}
		out = append(out, b...)
		prev = b
		cur = cur[:0]
	}
	count := 0
	for i := 0; i < len(s) && len(out) < total; i++ {
		c := s[i]
		switch {
		case c >= 'G' && c <= 'Y':
			count += int(c-'G') + 1
		case c >= 'g' && c <= 'z':
			count += (int(c-'g') + 1) * 20
		case (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'):
			n := max(count, 1)
			count = 0
			for k := 0; k < n && len(out) < total; k++ {
				cur = append(cur, c)
				if len(cur) == row*2 {
					flush('0')
				}
			}
		case c == ',':
			flush('0')
		case c == '!':
			flush('F')
		case c == ':':
			if prev == nil {
				prev = make([]byte, row)
			}
			out = append(out, prev...)
		case c == ' ' || c == '\r' || c == '\n':
		default:
			return nil, fmt.Errorf("^GFA hex data byte %q: %w", c, ErrSyntax)
		}
		if len(out) > total {
			break
		}
	}
	if len(cur) > 0 {
		flush('0')
	}
	if len(out) > total {
		out = out[:total]
	}
	return out, nil
}

func hexv(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10
	}
	return 0
}
