package label

import (
	"fmt"
	"image"
)

// Render draws the label at printer resolution: an *image.Gray whose pixels
// are only 0 (black, a burnt dot) and 255 (white). It is the preview, and
// what the virtual printers in packages tspl and zpl must reproduce.
func Render(l *Label) (*image.Gray, error) {
	if l == nil || l.WidthDots <= 0 || l.HeightDots <= 0 {
		return nil, fmt.Errorf("render label: empty label")
	}
	img := NewCanvas(l.WidthDots, l.HeightDots)
	for _, e := range l.Elements {
		switch e := e.(type) {
		case *Text:
			DrawBitmap(img, e.X, e.Y, e.Bitmap, false)
		case *Image:
			DrawBitmap(img, e.X, e.Y, e.Bitmap, false)
		case *Bar:
			FillRect(img, e.X, e.Y, e.W, e.H)
		case *Box:
			DrawBox(img, e.X, e.Y, e.W, e.H, e.Thickness)
		case *Code128:
			if err := DrawCode128(img, e); err != nil {
				return nil, fmt.Errorf("render label: %w", err)
			}
		case *QR:
			if err := DrawQR(img, e); err != nil {
				return nil, fmt.Errorf("render label: %w", err)
			}
		default:
			return nil, fmt.Errorf("render label: unknown element %T", e)
		}
	}
	return img, nil
}

// The drawing primitives below are shared by the preview and the virtual
// printers, so that what a printer draws natively (bars, boxes, barcodes)
// comes out dot for dot the same. All clip to the image.

// NewCanvas returns a white w x h image.
func NewCanvas(w, h int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	return img
}

// FillRect blackens the w x h rectangle at (x, y).
func FillRect(img *image.Gray, x, y, w, h int) {
	r := image.Rect(x, y, x+w, y+h).Intersect(img.Rect)
	for yy := r.Min.Y; yy < r.Max.Y; yy++ {
		row := img.Pix[img.PixOffset(r.Min.X, yy):img.PixOffset(r.Max.X, yy)]
		for i := range row {
			row[i] = 0
		}
	}
}

// DrawBox draws a rectangle outline t dots thick inside (x, y, w, h).
func DrawBox(img *image.Gray, x, y, w, h, t int) {
	if t <= 0 {
		t = 1
	}
	if 2*t >= w || 2*t >= h {
		FillRect(img, x, y, w, h)
		return
	}
	FillRect(img, x, y, w, t)
	FillRect(img, x, y+h-t, w, t)
	FillRect(img, x, y, t, h)
	FillRect(img, x+w-t, y, t, h)
}

// DrawBitmap draws b with its top-left at (x, y). With overwrite, b's white
// dots whiten the image too (TSPL BITMAP mode 0); otherwise only black dots
// are drawn.
func DrawBitmap(img *image.Gray, x, y int, b *Bitmap, overwrite bool) {
	r := image.Rect(x, y, x+b.W, y+b.H).Intersect(img.Rect)
	for yy := r.Min.Y; yy < r.Max.Y; yy++ {
		for xx := r.Min.X; xx < r.Max.X; xx++ {
			if b.Black(xx-x, yy-y) {
				img.Pix[img.PixOffset(xx, yy)] = 0
			} else if overwrite {
				img.Pix[img.PixOffset(xx, yy)] = 255
			}
		}
	}
}

// DrawCode128 draws c as planned (its Runs, or Code128Plan of its Content
// when Runs is empty).
func DrawCode128(img *image.Gray, c *Code128) error {
	runs, err := c.Plan()
	if err != nil {
		return err
	}
	v, err := Code128Values(runs)
	if err != nil {
		return err
	}
	bits, err := Code128Bits(v)
	if err != nil {
		return err
	}
	DrawCode128Bits(img, c.X, c.Y, c.Module, c.Height, bits, c.Rotated)
	return nil
}

// DrawQR draws q with the input mode and mask it names.
func DrawQR(img *image.Gray, q *QR) error {
	s, err := QRMatrix(q.Content, q.ECC, q.Mode, q.Mask)
	if err != nil {
		return err
	}
	DrawQRSymbol(img, q.X, q.Y, q.Cell, s)
	return nil
}

func isDark(c interface{ RGBA() (r, g, b, a uint32) }) bool {
	r, _, _, _ := c.RGBA()
	return r < 0x8000
}
