// Package zpl turns a label into ZPL II for Zebra printers, and back: Render
// is a virtual printer for the subset Encode writes.
//
// Text travels as ^GFA graphic fields, Z64-compressed (zlib + base64 with
// the CRC-16/XMODEM of the base64 text), bit 1 = black; Code 128 and QR are
// native ^BC and ^BQ. Field data is UTF-8 (^CI28). Everything here is safe
// for concurrent use.
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
	"shipdesk/store"
)

// Encode writes one format for l with the printer settings from p: media
// tracking (^MN), print mode (^MM), speed (^PR), darkness (~SD), orientation
// (^PO) and offsets (^LH), then the label and ^PQ1.
func Encode(l *label.Label, p store.PrinterProfile) ([]byte, error) {
	if l == nil {
		return nil, fmt.Errorf("zpl encode: no label")
	}
	var b bytes.Buffer
	b.Grow(8 << 10)
	if p.Darkness > 0 {
		fmt.Fprintf(&b, "~SD%02d\n", min(p.Darkness, 30))
	}
	b.WriteString("^XA\n^CI28\n")
	fmt.Fprintf(&b, "^PW%d\n^LL%d\n", l.WidthDots, l.HeightDots)
	dx := int(math.Round(p.OffsetXmm * float64(l.DPI) / 25.4))
	dy := int(math.Round(p.OffsetYmm * float64(l.DPI) / 25.4))
	fmt.Fprintf(&b, "^LH%d,%d\n", dx, dy)
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
	if p.Speed > 0 {
		fmt.Fprintf(&b, "^PR%d\n", min(max(p.Speed, 2), 14))
	}
	if p.Direction == 1 {
		b.WriteString("^POI\n")
	} else {
		b.WriteString("^PON\n")
	}
	var zbuf bytes.Buffer
	for _, e := range l.Elements {
		switch e := e.(type) {
		case *label.Text:
			if err := graphic(&b, &zbuf, e.X, e.Y, e.Bitmap); err != nil {
				return nil, err
			}
		case *label.Image:
			if err := graphic(&b, &zbuf, e.X, e.Y, e.Bitmap); err != nil {
				return nil, err
			}
		case *label.Bar:
			fmt.Fprintf(&b, "^FO%d,%d^GB%d,%d,%d^FS\n", e.X, e.Y, e.W, e.H, min(e.W, e.H))
		case *label.Box:
			fmt.Fprintf(&b, "^FO%d,%d^GB%d,%d,%d^FS\n", e.X, e.Y, e.W, e.H, e.Thickness)
		case *label.Code128:
			fmt.Fprintf(&b, "^FO%d,%d^BY%d^BCN,%d,N,N,N,A", e.X, e.Y, e.Module, e.Height)
			field(&b, e.Content)
		case *label.QR:
			ecc := e.ECC
			if ecc == 0 {
				ecc = 'M'
			}
			fmt.Fprintf(&b, "^FO%d,%d^BQN,2,%d", e.X, e.Y, e.Cell)
			field(&b, string(ecc)+"A,"+e.Content)
		default:
			return nil, fmt.Errorf("zpl encode: unsupported element %T", e)
		}
	}
	b.WriteString("^PQ1\n^XZ\n")
	return b.Bytes(), nil
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
func Calibrate(p store.PrinterProfile) []byte {
	mn := "Y"
	switch p.Media {
	case "bline":
		mn = "M"
	case "continuous":
		mn = "N"
	}
	return []byte("^XA^MN" + mn + "^XZ\n~JC\n")
}
