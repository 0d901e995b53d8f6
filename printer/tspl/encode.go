// Package tspl turns a label into TSPL/TSPL2, the language of TSC printers
// and most Chinese label printers (Xprinter, Gprinter, HPRT, Deli), and back:
// Printer is a virtual printer that models the firmware for the subset
// Encode writes.
//
// Text travels as BITMAP (bit 0 = black); Code 128 and QR codes are native
// BARCODE "128M" (code sets spelled out with !104 !105 !099 !100) and
// QRCODE in manual mode with model and mask named. Everything here is safe
// for concurrent use except a Printer, which is one printer's state.
package tspl

import (
	"bytes"
	"fmt"
	"math"
	"sort"
	"strings"

	"shipdesk/printer/label"
)

// Encode writes one print job for l: the printer settings from p (media,
// speed, density, tear/peel/cut, direction, offsets), all of which a TSPL
// printer keeps between jobs, then CLS, the label and PRINT 1,1. Bitmaps
// are sent before lines and barcodes so BITMAP's overwrite mode cannot
// erase them.
func Encode(l *label.Label, p label.PrintSettings) ([]byte, error) {
	if l == nil {
		return nil, fmt.Errorf("tspl encode: no label")
	}
	var b bytes.Buffer
	b.Grow(16 << 10)
	setup(&b, l, p)
	b.WriteString("CLS\r\n")
	writeBitmaps(&b, l)
	for _, e := range l.Elements {
		if err := writeElement(&b, e); err != nil {
			return nil, err
		}
	}
	b.WriteString("PRINT 1,1\r\n")
	return b.Bytes(), nil
}

// writeBitmaps sends every Text and Image. A BITMAP's white erases what is
// under it, so the order matters. Text BARs wait until every BITMAP is
// down. A bitmap whose last byte column must reach past its element's
// right edge (at most 7 dots, where another element's ink may lie) goes
// first, before any other element's BITMAP, leftmost first: whatever it
// whitens is drawn after it.
func writeBitmaps(b *bytes.Buffer, l *label.Label) {
	type spill struct {
		x    int
		cmds []byte
	}
	var (
		bars, one, rest bytes.Buffer
		spills          []spill
		w               = bandWriter{large: label.Dots(largeTypeMM, l.DPI)}
	)
	for _, e := range l.Elements {
		var x, y int
		var bm *label.Bitmap
		switch e := e.(type) {
		case *label.Text:
			x, y, bm = e.X, e.Y, e.Bitmap
		case *label.Image:
			x, y, bm = e.X, e.Y, e.Bitmap
		default:
			continue
		}
		one.Reset()
		w.spilled = false
		w.bitmap(&one, &bars, x, y, bm)
		if w.spilled {
			spills = append(spills, spill{x, bytes.Clone(one.Bytes())})
		} else {
			rest.Write(one.Bytes())
		}
	}
	sort.SliceStable(spills, func(i, j int) bool { return spills[i].x < spills[j].x })
	for _, sp := range spills {
		b.Write(sp.cmds)
	}
	b.Write(rest.Bytes())
	b.Write(bars.Bytes())
}

// writeElement sends one line, box, barcode or QR code (bitmaps went
// before).
func writeElement(b *bytes.Buffer, e label.Element) error {
	switch e := e.(type) {
	case *label.Text, *label.Image:
	case *label.Bar:
		fmt.Fprintf(b, "BAR %d,%d,%d,%d\r\n", e.X, e.Y, e.W, e.H)
	case *label.Box:
		fmt.Fprintf(b, "BOX %d,%d,%d,%d,%d\r\n", e.X, e.Y, e.X+e.W, e.Y+e.H, e.Thickness)
	case *label.Code128:
		data, err := code128Data(e)
		if err != nil {
			return err
		}
		// Rotated 90°, TSPL turns the barcode clockwise about (x, y): the
		// bars then lie to the left of x.
		x, rot := e.X, 0
		if e.Rotated {
			x, rot = e.X+e.Height, 90
		}
		fmt.Fprintf(b, "BARCODE %d,%d,\"128M\",%d,0,%d,%d,%d,\"%s\"\r\n", x, e.Y, e.Height, rot, e.Module, e.Module, data)
	case *label.QR:
		data, err := qrData(e)
		if err != nil {
			return err
		}
		fmt.Fprintf(b, "QRCODE %d,%d,%c,%d,M,0,M2,S%d,\"%s\"\r\n", e.X, e.Y, e.Level(), e.Cell, e.Mask, data)
	default:
		return fmt.Errorf("tspl encode: unsupported element %T", e)
	}
	return nil
}

// code128Data writes the barcode's runs with explicit code sets: !104
// start B, !105 start C, !099 to C, !100 to B. A '!' in the content could
// be read as a control, so it is refused.
func code128Data(c *label.Code128) (string, error) {
	runs, err := c.Plan()
	if err != nil {
		return "", fmt.Errorf("tspl encode: %w", err)
	}
	var s strings.Builder
	for i, r := range runs {
		switch {
		case r.Set == 'B' && i == 0:
			s.WriteString("!104")
		case r.Set == 'C' && i == 0:
			s.WriteString("!105")
		case r.Set == 'B':
			s.WriteString("!100")
		case r.Set == 'C':
			s.WriteString("!099")
		default:
			return "", fmt.Errorf("tspl encode: code set %q", r.Set)
		}
		if strings.ContainsAny(r.Text, "!\r\n") {
			return "", fmt.Errorf("tspl encode: code 128 content %q holds '!' or a line break", c.Content)
		}
		s.WriteString(quote(r.Text))
	}
	return s.String(), nil
}

// qrData is the manual-mode content: the input mode letter, for byte mode
// the 4-digit byte count, then the data.
func qrData(q *label.QR) (string, error) {
	if strings.ContainsAny(q.Content, "\r\n") {
		return "", fmt.Errorf("tspl encode: qr content holds a line break")
	}
	switch q.Mode {
	case 'N', 'A':
		return string(q.Mode) + quote(q.Content), nil
	case 'B':
		if len(q.Content) > 9999 {
			return "", fmt.Errorf("tspl encode: qr content of %d bytes", len(q.Content))
		}
		return fmt.Sprintf("B%04d", len(q.Content)) + quote(q.Content), nil
	}
	return "", fmt.Errorf("tspl encode: qr input mode %q", q.Mode)
}

// setup writes everything a TSPL printer keeps between jobs, so that a
// previous job (ours or another program's) cannot move or distort this
// label: size, media, direction, origin, shift, speed, density and the
// tear/peel/cut mode.
func setup(b *bytes.Buffer, l *label.Label, p label.PrintSettings) {
	fmt.Fprintf(b, "SIZE %d mm,%d mm\r\n", l.Size.WidthMM, l.Size.HeightMM)
	b.WriteString(mediaCommand(p))
	dir := 0
	if p.Direction == 1 {
		dir = 1
	}
	fmt.Fprintf(b, "DIRECTION %d,0\r\n", dir)
	dx := int(math.Round(p.OffsetXmm * float64(l.DPI) / 25.4))
	dy := int(math.Round(p.OffsetYmm * float64(l.DPI) / 25.4))
	fmt.Fprintf(b, "REFERENCE %d,%d\r\n", max(dx, 0), max(dy, 0))
	// REFERENCE cannot go negative; SHIFT moves the image back. The one-
	// argument form (vertical only) is in every clone's firmware; the
	// horizontal argument only where it is needed.
	if dx < 0 {
		fmt.Fprintf(b, "SHIFT %d,%d\r\n", dx, min(dy, 0))
	} else {
		fmt.Fprintf(b, "SHIFT %d\r\n", min(dy, 0))
	}
	fmt.Fprintf(b, "SPEED %d\r\n", p.SpeedOrDefault())
	if p.Darkness > 0 {
		fmt.Fprintf(b, "DENSITY %d\r\n", min(p.Darkness, 15))
	}
	switch p.Mode {
	case "peel":
		b.WriteString("SET PEEL ON\r\nSET TEAR OFF\r\nSET CUTTER OFF\r\n")
	case "cut":
		b.WriteString("SET PEEL OFF\r\nSET TEAR OFF\r\nSET CUTTER 1\r\n")
	default:
		b.WriteString("SET PEEL OFF\r\nSET CUTTER OFF\r\nSET TEAR ON\r\n")
	}
}

func mediaCommand(p label.PrintSettings) string {
	switch p.Media {
	case "bline":
		return "BLINE 3 mm,0 mm\r\n"
	case "continuous":
		return "GAP 0,0\r\n"
	}
	return "GAP 2 mm,0 mm\r\n"
}

// quote escapes a double quote the TSPL way, \["], and drops CR and LF,
// which would end the command.
func quote(s string) string {
	s = strings.NewReplacer("\r", "", "\n", "").Replace(s)
	return strings.ReplaceAll(s, `"`, `\["]`)
}

// Calibrate returns the job that makes the printer measure its media (gap or
// black mark) for p's label size: the SIZE, the media command and
// AUTODETECT. size may be zero to keep the printer's current SIZE.
func Calibrate(p label.PrintSettings, size label.Size) []byte {
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
