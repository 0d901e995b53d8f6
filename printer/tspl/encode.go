// Package tspl turns a label into TSPL/TSPL2, the language of TSC printers
// and most Chinese label printers (Xprinter, Gprinter, HPRT, Deli), and back:
// Render is a virtual printer for the subset Encode writes.
//
// Text travels as BITMAP (bit 0 = black); Code 128 and QR codes are native
// BARCODE "128" and QRCODE commands. Everything here is safe for concurrent
// use.
package tspl

import (
	"bytes"
	"fmt"
	"math"
	"strings"

	"shipdesk/printer/label"
	"shipdesk/store"
)

// Encode writes one print job for l: the printer settings from p (media,
// speed, density, tear/peel/cut, direction, offsets), the label and PRINT 1,1.
// Bitmaps are sent before lines and barcodes so BITMAP's overwrite mode
// cannot erase them.
func Encode(l *label.Label, p store.PrinterProfile) ([]byte, error) {
	if l == nil {
		return nil, fmt.Errorf("tspl encode: no label")
	}
	var b bytes.Buffer
	b.Grow(16 << 10)
	setup(&b, l, p)
	b.WriteString("CLS\r\n")
	for _, e := range l.Elements {
		switch e := e.(type) {
		case *label.Text:
			bitmap(&b, e.X, e.Y, e.Bitmap)
		case *label.Image:
			bitmap(&b, e.X, e.Y, e.Bitmap)
		}
	}
	for _, e := range l.Elements {
		switch e := e.(type) {
		case *label.Text, *label.Image:
		case *label.Bar:
			fmt.Fprintf(&b, "BAR %d,%d,%d,%d\r\n", e.X, e.Y, e.W, e.H)
		case *label.Box:
			fmt.Fprintf(&b, "BOX %d,%d,%d,%d,%d\r\n", e.X, e.Y, e.X+e.W, e.Y+e.H, e.Thickness)
		case *label.Code128:
			fmt.Fprintf(&b, "BARCODE %d,%d,\"128\",%d,0,0,%d,%d,\"%s\"\r\n", e.X, e.Y, e.Height, e.Module, e.Module, quote(e.Content))
		case *label.QR:
			ecc := e.ECC
			if ecc == 0 {
				ecc = 'M'
			}
			fmt.Fprintf(&b, "QRCODE %d,%d,%c,%d,A,0,\"%s\"\r\n", e.X, e.Y, ecc, e.Cell, quote(e.Content))
		default:
			return nil, fmt.Errorf("tspl encode: unsupported element %T", e)
		}
	}
	b.WriteString("PRINT 1,1\r\n")
	return b.Bytes(), nil
}

func setup(b *bytes.Buffer, l *label.Label, p store.PrinterProfile) {
	fmt.Fprintf(b, "SIZE %d mm,%d mm\r\n", l.Size.WidthMM, l.Size.HeightMM)
	switch p.Media {
	case "bline":
		b.WriteString("BLINE 3 mm,0 mm\r\n")
	case "continuous":
		b.WriteString("GAP 0,0\r\n")
	default:
		b.WriteString("GAP 2 mm,0 mm\r\n")
	}
	dir := 0
	if p.Direction == 1 {
		dir = 1
	}
	fmt.Fprintf(b, "DIRECTION %d,0\r\n", dir)
	dx := int(math.Round(p.OffsetXmm * float64(l.DPI) / 25.4))
	dy := int(math.Round(p.OffsetYmm * float64(l.DPI) / 25.4))
	fmt.Fprintf(b, "REFERENCE %d,%d\r\n", max(dx, 0), max(dy, 0))
	if dx < 0 || dy < 0 {
		// REFERENCE cannot go negative; SHIFT moves the image back.
		fmt.Fprintf(b, "SHIFT %d,%d\r\n", min(dx, 0), min(dy, 0))
	}
	if p.Speed > 0 {
		fmt.Fprintf(b, "SPEED %d\r\n", p.Speed)
	}
	if p.Darkness > 0 {
		fmt.Fprintf(b, "DENSITY %d\r\n", min(p.Darkness, 15))
	}
	switch p.Mode {
	case "peel":
		b.WriteString("SET PEEL ON\r\nSET TEAR OFF\r\n")
	case "cut":
		b.WriteString("SET CUTTER 1\r\nSET TEAR OFF\r\n")
	default:
		b.WriteString("SET TEAR ON\r\n")
	}
}

// bitmap sends bm as tiles cropped to ink (TSPL has no compression, so
// white costs bytes on the wire), each as BITMAP in overwrite mode 0 with TSPL's polarity: a 0 bit
// burns a dot, so the label's 1 = black bits are inverted.
func bitmap(b *bytes.Buffer, x, y int, bm *label.Bitmap) {
	for _, t := range bm.Tiles(bitmapHeader) {
		fmt.Fprintf(b, "BITMAP %d,%d,%d,%d,0,", x+t.X, y+t.Y, t.Bitmap.Stride, t.Bitmap.H)
		for _, v := range t.Bitmap.Bits {
			b.WriteByte(^v)
		}
		b.WriteString("\r\n")
	}
}

// bitmapHeader is about what one more BITMAP command costs on the wire.
const bitmapHeader = 24

// quote escapes a double quote the TSPL way, \["], and drops CR and LF,
// which would end the command.
func quote(s string) string {
	s = strings.NewReplacer("\r", "", "\n", "").Replace(s)
	return strings.ReplaceAll(s, `"`, `\["]`)
}

// Calibrate returns the job that makes the printer measure its media (gap or
// black mark) for p's label size: the SIZE, the media command and
// AUTODETECT. size may be zero to keep the printer's current SIZE.
func Calibrate(p store.PrinterProfile, size label.Size) []byte {
	var b bytes.Buffer
	if size.WidthMM > 0 {
		fmt.Fprintf(&b, "SIZE %d mm,%d mm\r\n", size.WidthMM, size.HeightMM)
	}
	if p.Media == "bline" {
		b.WriteString("BLINE 3 mm,0 mm\r\n")
	} else {
		b.WriteString("GAP 2 mm,0 mm\r\n")
	}
	b.WriteString("AUTODETECT\r\n")
	return b.Bytes()
}
