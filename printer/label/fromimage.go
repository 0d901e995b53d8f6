package label

import (
	"errors"
	"fmt"
	"image"
)

// ErrEmptyImage is returned by ImageLabel for an image without pixels.
var ErrEmptyImage = errors.New("label image is empty")

// ImageLabel lays out a picture that is already a whole label (a
// carrier's own template rendered by Kuaidi100) as a Label of size at dpi:
// scaled to fit the label, keeping its proportions, centred, and made 1-bit
// (a dot is black where the picture's luminance is below half). The
// result has one *Image element, so every encoder sends it as a bitmap
// (TSPL BITMAP, ZPL ^GFA Z64) through the same queue as any label, and
// Render shows what will print.
func ImageLabel(img image.Image, size Size, dpi int) (*Label, error) {
	if err := CheckDPI(dpi); err != nil {
		return nil, err
	}
	b := img.Bounds()
	if b.Dx() <= 0 || b.Dy() <= 0 {
		return nil, ErrEmptyImage
	}
	w, h := Dots(float64(size.WidthMM), dpi), Dots(float64(size.HeightMM), dpi)
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("image label: %w: %v", ErrSize, size)
	}
	// Fit: the scale that makes the picture as large as the label allows.
	sw, sh := w, b.Dy()*w/b.Dx()
	if sh > h {
		sw, sh = b.Dx()*h/b.Dy(), h
	}
	sw, sh = max(sw, 1), max(sh, 1)
	bm := NewBitmap(sw, sh)
	for y := range sh {
		sy := b.Min.Y + y*b.Dy()/sh
		for x := range sw {
			sx := b.Min.X + x*b.Dx()/sw
			r, g, bl, a := img.At(sx, sy).RGBA()
			if a == 0 {
				continue // transparent is paper
			}
			// Rec. 601 luma on 16-bit channels, over white where translucent.
			luma := (299*r + 587*g + 114*bl) / 1000
			luma = (luma*a + 0xffff*(0xffff-a)) / 0xffff
			if luma < 0x8000 {
				bm.Set(x, y)
			}
		}
	}
	return &Label{Size: size, DPI: dpi, WidthDots: w, HeightDots: h,
		Elements: []Element{&Image{X: (w - sw) / 2, Y: (h - sh) / 2, Bitmap: bm}}}, nil
}
