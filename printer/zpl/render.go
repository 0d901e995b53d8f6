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

// Render is the virtual printer: it draws the first format (^XA...^XZ) of a
// ZPL job, in the subset Encode writes (^XA ^XZ ^CI ^PW ^LL ^LH ^MN ^MM ^PR
// ^PO ^PQ ^FO ^FS ^FH ^FD ^GB ^GFA (hex, ACS, B64, Z64) ^BY ^BC ^BQ ^FX,
// ~SD), into a 1-bit *image.Gray (0 black, 255 white) at the job's own
// resolution (^PW x ^LL dots; 812 x 1218 when they are missing). ^PO
// inversion is not drawn.
func Render(data []byte) (*image.Gray, error) {
	s := string(data)
	start := strings.Index(s, "^XA")
	if start < 0 {
		return nil, fmt.Errorf("no ^XA: %w", ErrSyntax)
	}
	s = s[start:]
	type draw func(img *image.Gray) error
	var (
		ops      []draw
		pw, ll   = 0, 0
		lhx, lhy int
		fox, foy int
		by       = 2
		byh      = 10
		pending  string // barcode command waiting for ^FD: "BC" or "BQ"
		bcH      int
		bqMag    int
		hexEsc   byte
		done     bool
		gfTotal  int
	)
	for len(s) > 0 && !done {
		c := s[0]
		if c != '^' && c != '~' {
			s = s[1:] // whitespace and line breaks between commands
			continue
		}
		if len(s) < 3 {
			return nil, fmt.Errorf("truncated command %q: %w", s, ErrSyntax)
		}
		name := strings.ToUpper(s[1:3])
		s = s[3:]
		var args string
		if name == "FD" {
			end := strings.Index(s, "^FS")
			if end < 0 {
				return nil, fmt.Errorf("^FD without ^FS: %w", ErrSyntax)
			}
			args, s = s[:end], s[end:]
		} else {
			end := strings.IndexAny(s, "^~")
			if end < 0 {
				end = len(s)
			}
			args, s = strings.TrimRight(s[:end], "\r\n "), s[end:]
		}
		x, y := fox+lhx, foy+lhy
		switch string(c) + name {
		case "^XA", "^CI", "^MN", "^MM", "^PR", "^PO", "^PQ", "~SD", "^FX", "^FS":
			if name == "FS" {
				hexEsc, pending = 0, ""
			}
		case "^XZ":
			done = true
		case "^PW":
			n, err := nums(args, 1, 1)
			if err != nil || n[0] < 1 || n[0] > maxDots {
				return nil, fmt.Errorf("^PW%s: %w", args, ErrSyntax)
			}
			pw = n[0]
		case "^LL":
			n, err := nums(args, 1, 1)
			if err != nil || n[0] < 1 || n[0] > maxDots*2 {
				return nil, fmt.Errorf("^LL%s: %w", args, ErrSyntax)
			}
			ll = n[0]
		case "^LH":
			n, err := nums(args, 2, 2)
			if err != nil {
				return nil, fmt.Errorf("^LH%s: %w", args, err)
			}
			lhx, lhy = n[0], n[1]
		case "^FO":
			n, err := nums(args, 2, 2)
			if err != nil {
				return nil, fmt.Errorf("^FO%s: %w", args, err)
			}
			fox, foy = n[0], n[1]
		case "^FH":
			hexEsc = '_'
			if args != "" {
				hexEsc = args[0]
			}
		case "^GB":
			n, err := nums(args, 3, 3)
			if err != nil || n[2] < 1 {
				return nil, fmt.Errorf("^GB%s: %w", args, ErrSyntax)
			}
			w, h, t := max(n[0], n[2]), max(n[1], n[2]), n[2]
			ops = append(ops, func(img *image.Gray) error { label.DrawBox(img, x, y, w, h, t); return nil })
		case "^GF":
			bm, err := parseGF(args)
			if err != nil {
				return nil, err
			}
			if gfTotal += len(bm.Bits); gfTotal > maxGraphics {
				return nil, fmt.Errorf("graphic fields hold more than %d bytes: %w", maxGraphics, ErrSyntax)
			}
			ops = append(ops, func(img *image.Gray) error { label.DrawBitmap(img, x, y, bm, false); return nil })
		case "^BY":
			n, err := nums(strings.SplitN(args, ",", 2)[0], 1, 1)
			if err != nil || n[0] < 1 || n[0] > maxModule {
				return nil, fmt.Errorf("^BY%s: %w", args, ErrSyntax)
			}
			by = n[0]
			if p := strings.Split(args, ","); len(p) == 3 {
				if h, err := strconv.Atoi(p[2]); err == nil && h > 0 && h <= maxDots*2 {
					byh = h
				}
			}
		case "^BC":
			p := strings.Split(args, ",")
			if len(p) < 2 || strings.ToUpper(p[0]) != "N" {
				return nil, fmt.Errorf("^BC%s: only orientation N is supported: %w", args, ErrSyntax)
			}
			bcH = byh
			if h, err := strconv.Atoi(p[1]); err == nil && h > 0 && h <= maxDots*2 {
				bcH = h
			}
			if len(p) >= 6 && strings.ToUpper(p[5]) != "A" {
				return nil, fmt.Errorf("^BC%s: only mode A is supported: %w", args, ErrSyntax)
			}
			pending = "BC"
		case "^BQ":
			p := strings.Split(args, ",")
			bqMag = 2
			if len(p) >= 3 {
				m, err := strconv.Atoi(p[2])
				if err != nil || m < 1 || m > 10 {
					return nil, fmt.Errorf("^BQ%s: %w", args, ErrSyntax)
				}
				bqMag = m
			}
			pending = "BQ"
		case "^FD":
			text, err := unescape(args, hexEsc)
			if err != nil {
				return nil, err
			}
			if len(text) > maxContent {
				return nil, fmt.Errorf("^FD longer than %d bytes: %w", maxContent, ErrSyntax)
			}
			switch pending {
			case "BC":
				m, h := by, bcH
				ops = append(ops, func(img *image.Gray) error {
					_, err := label.DrawCode128(img, x, y, m, h, text)
					return err
				})
			case "BQ":
				ecc, content, err := qrData(text)
				if err != nil {
					return nil, err
				}
				m := bqMag
				ops = append(ops, func(img *image.Gray) error {
					_, err := label.DrawQR(img, x, y, m, ecc, content)
					return err
				})
			default:
				return nil, fmt.Errorf("^FD without a barcode (text fields are not supported): %w", ErrSyntax)
			}
		default:
			return nil, fmt.Errorf("%c%s: %w", c, name, ErrSyntax)
		}
	}
	if pw == 0 {
		pw = 812
	}
	if ll == 0 {
		ll = 1218
	}
	img := label.NewCanvas(pw, ll)
	for _, f := range ops {
		if err := f(img); err != nil {
			return nil, fmt.Errorf("zpl: %w", err)
		}
	}
	return img, nil
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

// qrData splits "MA,content": error correction, input mode, then the data.
func qrData(s string) (byte, string, error) {
	head, content, ok := strings.Cut(s, ",")
	if !ok || len(head) != 2 || !strings.ContainsRune("LMQH", rune(head[0])) || head[1] != 'A' {
		return 0, "", fmt.Errorf("^BQ data %q: want ECC and A, then a comma: %w", s, ErrSyntax)
	}
	return head[0], content, nil
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
