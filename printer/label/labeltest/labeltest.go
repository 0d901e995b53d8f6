// Package labeltest holds helpers for tests of labels and printer
// languages: decoding the barcodes on a rendered label with gozxing and
// comparing images.
package labeltest

import (
	"fmt"
	"image"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/qrcode"
)

var hints = map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true}

// Code128 decodes the Code 128 found in r of img.
func Code128(img image.Image, r image.Rectangle) (string, error) {
	bmp, err := gozxing.NewBinaryBitmapFromImage(crop(img, r))
	if err != nil {
		return "", err
	}
	res, err := oned.NewCode128Reader().Decode(bmp, hints)
	if err != nil {
		return "", fmt.Errorf("decode code 128: %w", err)
	}
	return res.GetText(), nil
}

// QR decodes the QR code found in r of img.
func QR(img image.Image, r image.Rectangle) (string, error) {
	bmp, err := gozxing.NewBinaryBitmapFromImage(crop(img, r))
	if err != nil {
		return "", err
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
	if err != nil {
		return "", fmt.Errorf("decode qr: %w", err)
	}
	return res.GetText(), nil
}

// crop copies r (grown by a white margin for the quiet zone) out of img.
func crop(img image.Image, r image.Rectangle) image.Image {
	if r.Empty() {
		return img
	}
	m := 20
	out := image.NewGray(image.Rect(0, 0, r.Dx()+2*m, r.Dy()+2*m))
	for i := range out.Pix {
		out.Pix[i] = 255
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			out.Set(x-r.Min.X+m, y-r.Min.Y+m, img.At(x, y))
		}
	}
	return out
}

// Diff counts the pixels that differ between two gray images of the same
// size and returns the bounding box of the differences; a size mismatch is an
// error.
func Diff(a, b *image.Gray) (int, image.Rectangle, error) {
	if a.Rect != b.Rect {
		return 0, image.Rectangle{}, fmt.Errorf("sizes differ: %v vs %v", a.Rect, b.Rect)
	}
	n := 0
	var box image.Rectangle
	for y := a.Rect.Min.Y; y < a.Rect.Max.Y; y++ {
		for x := a.Rect.Min.X; x < a.Rect.Max.X; x++ {
			if a.GrayAt(x, y) != b.GrayAt(x, y) {
				n++
				box = box.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return n, box, nil
}
