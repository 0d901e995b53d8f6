// Package zpl turns a label into ZPL II for Zebra printers, and back:
// Printer is a virtual printer that models the firmware for the subset
// Encode writes.
//
// Text travels as ^GFA graphic fields, Z64-compressed (zlib + base64 with
// the CRC-16/XMODEM of the base64 text), bit 1 = black; Code 128 and QR are
// native ^BC (code sets spelled out) and ^BQ (input mode and mask named).
// Field data is UTF-8 (^CI28). Everything here is safe for concurrent use
// except a Printer, which is one printer's state.
package zpl

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"fmt"
	"math"
	"strings"
	"sync"

	"shipdesk/printer/label"
)

// Encode writes one format for l. It begins by setting everything a Zebra
// keeps from one format to the next (label home ^LH, shift ^LS, top ^LT,
// orientation ^PO, field orientation ^FW, encoding ^CI28, barcode defaults
// ^BY, speed ^PR, darkness ^MD / ~SD, media ^MN, mode ^MM, width ^PW and
// length ^LL) from p, so a previous job cannot move or distort this label;
// then the label and ^PQ1. Every barcode and QR code carries its own ^BY
// with height; Code 128 names its code sets (^BC mode N with >: >; >5 >6)
// and QR codes their input mode and mask, so the firmware chooses nothing.
func Encode(l *label.Label, p label.PrintSettings) ([]byte, error) {
	if l == nil {
		return nil, fmt.Errorf("zpl encode: no label")
	}
	var b bytes.Buffer
	b.Grow(8 << 10)
	reset(&b, l, p)
	var zbuf bytes.Buffer
	for _, e := range l.Elements {
		if err := writeElement(&b, &zbuf, e); err != nil {
			return nil, err
		}
	}
	b.WriteString("^PQ1\n^XZ\n")
	return b.Bytes(), nil
}

// qrOffset is the ^BY height set before every QR code: Zebra firmware
// prints a ^BQ symbol that many dots below its ^FO, so the field origin is
// raised by it.
const qrOffset = 10

// reset writes the start of the format: everything the printer keeps
// between formats, from p or at its power-on default.
func reset(b *bytes.Buffer, l *label.Label, p label.PrintSettings) {
	if p.Darkness > 0 {
		fmt.Fprintf(b, "~SD%02d\n", min(p.Darkness, 30))
	}
	b.WriteString("^XA\n^CI28\n")
	fmt.Fprintf(b, "^PW%d\n^LL%d\n", l.WidthDots, l.HeightDots)
	dx := int(math.Round(p.OffsetXmm * float64(l.DPI) / 25.4))
	dy := int(math.Round(p.OffsetYmm * float64(l.DPI) / 25.4))
	// ^LH cannot go negative: ^LS shifts left, ^LT moves up.
	fmt.Fprintf(b, "^LH%d,%d\n^LS%d\n^LT%d\n", max(dx, 0), max(dy, 0), max(-dx, 0), min(max(dy, -120), 0))
	switch p.Media {
	case "bline":
		b.WriteString("^MNM\n")
	case "continuous":
		b.WriteString("^MNN\n")
	default:
		b.WriteString("^MNY\n")
	}
	switch p.Mode {
	case "peel":
		b.WriteString("^MMP\n")
	case "cut":
		b.WriteString("^MMC\n")
	default:
		b.WriteString("^MMT\n")
	}
	fmt.Fprintf(b, "^PR%d\n^MD0\n", min(max(p.SpeedOrDefault(), 2), 14))
	if p.Direction == 1 {
		b.WriteString("^POI\n")
	} else {
		b.WriteString("^PON\n")
	}
	b.WriteString("^FWN\n^BY2,3.0,10\n")
}

// writeElement writes one element of the label.
func writeElement(b, zbuf *bytes.Buffer, e label.Element) error {
	switch e := e.(type) {
	case *label.Text:
		return graphic(b, zbuf, e.X, e.Y, e.Bitmap)
	case *label.Image:
		return graphic(b, zbuf, e.X, e.Y, e.Bitmap)
	case *label.Bar:
		fmt.Fprintf(b, "^FO%d,%d^GB%d,%d,%d^FS\n", e.X, e.Y, e.W, e.H, min(e.W, e.H))
	case *label.Box:
		fmt.Fprintf(b, "^FO%d,%d^GB%d,%d,%d^FS\n", e.X, e.Y, e.W, e.H, e.Thickness)
	case *label.Code128:
		data, err := code128Data(e)
		if err != nil {
			return err
		}
		o := 'N'
		if e.Rotated {
			o = 'R'
		}
		fmt.Fprintf(b, "^BY%d,3.0,%d^FO%d,%d^BC%c,%d,N,N,N,N", e.Module, e.Height, e.X, e.Y, o, e.Height)
		field(b, data)
	case *label.QR:
		data, err := qrData(e)
		if err != nil {
			return err
		}
		if e.Y < qrOffset {
			return fmt.Errorf("zpl encode: qr code at y=%d, less than the %d dots ^BQ prints below its origin", e.Y, qrOffset)
		}
		fmt.Fprintf(b, "^BY2,3.0,%d^FO%d,%d^BQN,2,%d,%c,%d", qrOffset, e.X, e.Y-qrOffset, e.Cell, e.Level(), e.Mask)
		field(b, data)
	default:
		return fmt.Errorf("zpl encode: unsupported element %T", e)
	}
	return nil
}

// code128Data writes the barcode's runs as ^BC mode N data: >: start B,
// >; start C, >5 to C, >6 to B. '>' itself would start an invocation code,
// so content holding it is refused.
func code128Data(c *label.Code128) (string, error) {
	runs, err := c.Plan()
	if err != nil {
		return "", fmt.Errorf("zpl encode: %w", err)
	}
	var s strings.Builder
	for i, r := range runs {
		switch {
		case r.Set == 'B' && i == 0:
			s.WriteString(">:")
		case r.Set == 'C' && i == 0:
			s.WriteString(">;")
		case r.Set == 'B':
			s.WriteString(">6")
		case r.Set == 'C':
			s.WriteString(">5")
		default:
			return "", fmt.Errorf("zpl encode: code set %q", r.Set)
		}
		if strings.Contains(r.Text, ">") {
			return "", fmt.Errorf("zpl encode: code 128 content %q holds '>'", c.Content)
		}
		s.WriteString(r.Text)
	}
	return s.String(), nil
}

// qrData is the ^FD of a QR code in manual input: error correction, M, a
// comma, the character mode (N, A, or B with a 4-digit byte count) and the
// data.
func qrData(q *label.QR) (string, error) {
	head := string(q.Level()) + "M,"
	switch q.Mode {
	case 'N', 'A':
		return head + string(q.Mode) + q.Content, nil
	case 'B':
		if len(q.Content) > 9999 {
			return "", fmt.Errorf("zpl encode: qr content of %d bytes", len(q.Content))
		}
		return head + fmt.Sprintf("B%04d", len(q.Content)) + q.Content, nil
	}
	return "", fmt.Errorf("zpl encode: qr input mode %q", q.Mode)
}

// field writes ^FD...^FS, with ^FH hex escapes when the data holds ^, ~ or
// the escape character itself.
func field(b *bytes.Buffer, s string) {
	s = strings.NewReplacer("\r", "", "\n", "").Replace(s)
	if strings.ContainsAny(s, "^~_") {
		b.WriteString("^FH_^FD")
		for i := 0; i < len(s); i++ {
			if c := s[i]; c == '^' || c == '~' || c == '_' {
				fmt.Fprintf(b, "_%02X", c)
			} else {
				b.WriteByte(c)
			}
		}
	} else {
		b.WriteString("^FD")
		b.WriteString(s)
	}
	b.WriteString("^FS\n")
}

// graphic writes ^GFA with Z64 data; total bytes = bytes per row x rows.
func graphic(b, zbuf *bytes.Buffer, x, y int, bm *label.Bitmap) error {
	zbuf.Reset()
	zw := zlibPool.Get().(*zlib.Writer)
	defer zlibPool.Put(zw)
	zw.Reset(zbuf)
	if _, err := zw.Write(bm.Bits); err != nil {
		return fmt.Errorf("zpl encode: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("zpl encode: %w", err)
	}
	enc := base64.StdEncoding.EncodeToString(zbuf.Bytes())
	total := len(bm.Bits)
	fmt.Fprintf(b, "^FO%d,%d^GFA,%d,%d,%d,:Z64:%s:%04X^FS\n", x, y, total, total, bm.Stride, enc, CRC16(enc))
	return nil
}

// zlibPool keeps compressors: making one costs far more than compressing
// a line of text.
var zlibPool = sync.Pool{New: func() any {
	zw, _ := zlib.NewWriterLevel(nil, zlib.DefaultCompression)
	return zw
}}

// CRC16 is CRC-16/XMODEM (polynomial 0x1021, initial value 0, no
// reflection), which Z64 and B64 fields carry over their base64 text.
func CRC16(s string) uint16 {
	var crc uint16
	for i := 0; i < len(s); i++ {
		crc ^= uint16(s[i]) << 8
		for k := 0; k < 8; k++ {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// Calibrate returns the commands that make a Zebra measure its media (~JC),
// after setting the media tracking from p.
func Calibrate(p label.PrintSettings) []byte {
	mn := "Y"
	switch p.Media {
	case "bline":
		mn = "M"
	case "continuous":
		mn = "N"
	}
	return []byte("^XA^MN" + mn + "^XZ\n~JC\n")
}
