package label

import (
	"fmt"
	"image"

	"github.com/boombuler/barcode/code128"
	"github.com/boombuler/barcode/qr"
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
			if _, err := DrawCode128(img, e.X, e.Y, e.Module, e.Height, e.Content); err != nil {
				return nil, fmt.Errorf("render label: %w", err)
			}
		case *QR:
			if _, err := DrawQR(img, e.X, e.Y, e.Cell, e.ECC, e.Content); err != nil {
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

// Code128Modules returns the width in modules of content as Code 128 with
// automatic subsets and check character, without quiet zones.
func Code128Modules(content string) (int, error) {
	bc, err := code128.Encode(content)
	if err != nil {
		return 0, fmt.Errorf("code 128 %q: %w", content, err)
	}
	return bc.Bounds().Dx(), nil
}

// DrawCode128 draws content as Code 128 (automatic subsets, check character)
// with its first bar at x, each module m dots wide and h dots tall. It
// returns the width in modules.
func DrawCode128(img *image.Gray, x, y, m, h int, content string) (int, error) {
	bc, err := code128.Encode(content)
	if err != nil {
		return 0, fmt.Errorf("code 128 %q: %w", content, err)
	}
	n := bc.Bounds().Dx()
	for i := 0; i < n; i++ {
		if c := bc.At(i, 0); isDark(c) {
			FillRect(img, x+i*m, y, m, h)
		}
	}
	return n, nil
}

func qrLevel(ecc byte) (qr.ErrorCorrectionLevel, error) {
	switch ecc {
	case 'L':
		return qr.L, nil
	case 'M', 0:
		return qr.M, nil
	case 'Q':
		return qr.Q, nil
	case 'H':
		return qr.H, nil
	}
	return qr.M, fmt.Errorf("qr error correction %q: want L, M, Q or H", ecc)
}

// QRModules returns the width in modules of content as a QR code at ecc
// ('L', 'M', 'Q', 'H'), without quiet zone.
func QRModules(content string, ecc byte) (int, error) {
	lv, err := qrLevel(ecc)
	if err != nil {
		return 0, err
	}
	bc, err := qr.Encode(content, lv, qr.Auto)
	if err != nil {
		return 0, fmt.Errorf("qr %q: %w", content, err)
	}
	return bc.Bounds().Dx(), nil
}

// DrawQR draws content as a QR code (model 2, automatic mode, the smallest
// version) with its top-left module at (x, y), each module cell x cell dots.
// It returns the width in modules.
func DrawQR(img *image.Gray, x, y, cell int, ecc byte, content string) (int, error) {
	lv, err := qrLevel(ecc)
	if err != nil {
		return 0, err
	}
	bc, err := qr.Encode(content, lv, qr.Auto)
	if err != nil {
		return 0, fmt.Errorf("qr %q: %w", content, err)
	}
	n := bc.Bounds().Dx()
	for j := 0; j < n; j++ {
		for i := 0; i < n; i++ {
			if isDark(bc.At(i, j)) {
				FillRect(img, x+i*cell, y+j*cell, cell, cell)
			}
		}
	}
	return n, nil
}

func isDark(c interface{ RGBA() (r, g, b, a uint32) }) bool {
	r, _, _, _ := c.RGBA()
	return r < 0x8000
}
