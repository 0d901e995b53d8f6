// Package label is the shipping label: a small model of what is printed
// (text blocks, Code 128, QR codes, lines, boxes, bitmaps), the e-waybill
// templates for the three common sizes, and the raster renderer that makes the
// 1-bit preview at printer resolution. The printer languages (packages tspl
// and zpl) encode the same model, so the preview is what prints.
//
// Chinese text is rasterised from the embedded GBK font subset
// (assets.CJKFont) into 1-bit bitmaps when the label is built; the encoders
// send those bitmaps unchanged. Every function here is safe for concurrent
// use; a *Label is immutable once built.
package label

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Size is a label size in millimetres, width across the print head first.
type Size struct{ WidthMM, HeightMM int }

// The label sizes with templates.
var (
	Size76x130  = Size{76, 130}  // one-ply e-waybill, the common standard
	Size100x150 = Size{100, 150} // 4x6-style e-waybill
	Size100x180 = Size{100, 180} // classic two/three-ply e-waybill
)

// Sizes lists the sizes EWaybill has templates for, most common first.
var Sizes = []Size{Size76x130, Size100x150, Size100x180}

// DPIs lists the print resolutions supported.
var DPIs = []int{203, 300}

// ErrSize reports a size or resolution without a template.
var ErrSize = errors.New("unsupported label size")

// String returns "76x130".
func (s Size) String() string { return fmt.Sprintf("%dx%d", s.WidthMM, s.HeightMM) }

// ParseSize reads "76x130" (also "76×130", "76X130", "76x130mm") and accepts
// only the sizes in Sizes.
func ParseSize(s string) (Size, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	t = strings.TrimSuffix(t, "mm")
	t = strings.ReplaceAll(t, "×", "x")
	w, h, ok := strings.Cut(t, "x")
	if !ok {
		return Size{}, fmt.Errorf("parse label size %q: %w (want one of %s)", s, ErrSize, sizeList())
	}
	wi, err1 := strconv.Atoi(strings.TrimSpace(w))
	hi, err2 := strconv.Atoi(strings.TrimSpace(h))
	if err1 != nil || err2 != nil {
		return Size{}, fmt.Errorf("parse label size %q: %w (want one of %s)", s, ErrSize, sizeList())
	}
	for _, z := range Sizes {
		if z.WidthMM == wi && z.HeightMM == hi {
			return z, nil
		}
	}
	return Size{}, fmt.Errorf("parse label size %q: %w (want one of %s)", s, ErrSize, sizeList())
}

func sizeList() string {
	var parts []string
	for _, z := range Sizes {
		parts = append(parts, z.String())
	}
	return strings.Join(parts, ", ")
}

// CheckDPI reports ErrSize for a resolution other than 203 or 300.
func CheckDPI(dpi int) error {
	for _, d := range DPIs {
		if d == dpi {
			return nil
		}
	}
	return fmt.Errorf("print resolution %d dpi: %w (want 203 or 300)", dpi, ErrSize)
}

// Dots converts millimetres to printer dots at dpi, rounding to nearest.
// 203 dpi heads are exactly 8 dots/mm (a 100 mm label is 800 dots).
func Dots(mm float64, dpi int) int {
	if dpi == 203 {
		return int(mm*8 + 0.5)
	}
	return int(mm*float64(dpi)/25.4 + 0.5)
}
