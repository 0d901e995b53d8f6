package label

import (
	"fmt"
	"image"
	"image/color"
)

// NewImage turns img into a 1-bit Image element with its top-left corner
// at (x, y): a pixel is black where its luminance is below half (alpha
// composed over white). Both encoders send an Image as they send text
// (TSPL BITMAP, ZPL ^GFA Z64), so any picture prints dot for dot as the
// preview shows it.
func NewImage(x, y int, img image.Image) *Image {
	r := img.Bounds()
	bm := NewBitmap(r.Dx(), r.Dy())
	for yy := r.Min.Y; yy < r.Max.Y; yy++ {
		for xx := r.Min.X; xx < r.Max.X; xx++ {
			c := color.NRGBAModel.Convert(img.At(xx, yy)).(color.NRGBA)
			// Over white: luminance of the composed pixel, 0-255.
			a := int(c.A)
			lum := (299*int(c.R) + 587*int(c.G) + 114*int(c.B)) / 1000
			lum = (lum*a + 255*(255-a)) / 255
			if lum < 128 {
				bm.Set(xx-r.Min.X, yy-r.Min.Y)
			}
		}
	}
	return &Image{X: x, Y: y, Bitmap: bm}
}

// ImageLabel is a label of size and dpi that prints img from its top-left
// corner (a carrier's ready-made label picture, for example); img must not
// be larger than the label.
func ImageLabel(size Size, dpi int, img image.Image) (*Label, error) {
	if err := CheckDPI(dpi); err != nil {
		return nil, err
	}
	w, h := Dots(float64(size.WidthMM), dpi), Dots(float64(size.HeightMM), dpi)
	if b := img.Bounds(); b.Dx() > w || b.Dy() > h || b.Empty() {
		return nil, fmt.Errorf("image label: picture %dx%d dots for a %dx%d-dot label", b.Dx(), b.Dy(), w, h)
	}
	return &Label{Size: size, DPI: dpi, WidthDots: w, HeightDots: h, Elements: []Element{NewImage(0, 0, img)}}, nil
}
