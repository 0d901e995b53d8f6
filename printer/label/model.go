package label

import (
	"image"
)

// Label is one label laid out at printer resolution. Coordinates are dots
// from the top-left corner of the label as printed. Build one with EWaybill
// or TestLabel; treat it as read-only afterwards.
type Label struct {
	Size       Size
	DPI        int
	WidthDots  int
	HeightDots int
	// Elements are drawn in order. Bitmaps (Text and Image) never overlap
	// another element's ink, so printers that overwrite with a bitmap's white
	// pixels (TSPL BITMAP mode 0) print the same as the preview.
	Elements []Element
	// Warnings are sentences for the clerk about what prints other than
	// typed: characters the font cannot draw, printed as placeholder boxes.
	Warnings []string
}

// Element is one thing drawn on a label: *Text, *Image, *Code128, *QR, *Bar
// or *Box.
type Element interface {
	// Bounds is the rectangle the element may ink, in dots. For Code 128 it
	// includes the quiet zones, which must stay white.
	Bounds() image.Rectangle
	element()
}

// Bitmap is a 1-bit picture: rows of Stride bytes, most significant bit
// leftmost, 1 = black. Rows are padded to whole bytes with white.
type Bitmap struct {
	W, H, Stride int
	Bits         []byte
}

// NewBitmap returns an all-white w x h bitmap.
func NewBitmap(w, h int) *Bitmap {
	s := (w + 7) / 8
	return &Bitmap{W: w, H: h, Stride: s, Bits: make([]byte, s*h)}
}

// Black reports whether the dot at (x, y) is black; outside is white.
func (b *Bitmap) Black(x, y int) bool {
	if x < 0 || y < 0 || x >= b.W || y >= b.H {
		return false
	}
	return b.Bits[y*b.Stride+x/8]&(0x80>>(x%8)) != 0
}

// Set makes the dot at (x, y) black; outside is ignored.
func (b *Bitmap) Set(x, y int) {
	if x < 0 || y < 0 || x >= b.W || y >= b.H {
		return
	}
	b.Bits[y*b.Stride+x/8] |= 0x80 >> (x % 8)
}

// Text is a block of text already rasterised into Bitmap, whose top-left
// corner is at (X, Y). Content, SizeDots and Bold say what it shows.
type Text struct {
	X, Y     int
	Content  string
	SizeDots int
	Bold     bool
	Bitmap   *Bitmap
	// Missing are the characters of Content the font cannot draw; they
	// print as placeholder boxes.
	Missing []rune
}

// Image is a bitmap with its top-left corner at (X, Y).
type Image struct {
	X, Y   int
	Bitmap *Bitmap
}

// Code128 is a Code 128 barcode whose first bar starts at (X, Y); Module is
// the narrow bar width in dots, Height the bars' length. Runs are the code
// sets chosen for Content (Code128Plan); the preview draws them and the
// encoders send them, so no firmware chooses. Modules is the width in
// modules without quiet zones. Rotated turns it 90° clockwise: it reads
// from the top down and its bars run Height dots right from X. Content is
// not printed as text by the printer; templates add a Text for that. A
// quiet zone of QuietModules modules is kept white at both ends.
type Code128 struct {
	X, Y, Module, Height int
	Content              string
	Runs                 []Code128Run
	Modules              int
	Rotated              bool
}

// Plan returns the code sets the barcode is drawn and sent with: its Runs,
// or Code128Plan of its Content when Runs is empty.
func (c *Code128) Plan() ([]Code128Run, error) {
	if len(c.Runs) > 0 {
		return c.Runs, nil
	}
	return Code128Plan(c.Content)
}

// QuietModules is the white margin kept at each end of a Code 128.
const QuietModules = 10

// QRQuietModules is the white margin kept around a QR code.
const QRQuietModules = 4

// QR is a QR code (model 2, error correction level ECC: 'L', 'M', 'Q' or
// 'H', input mode Mode: 'N', 'A' or 'B', mask pattern Mask 0-7) whose
// top-left module is at (X, Y); Cell is the module size in dots. Modules is
// the symbol's width in modules, without quiet zone.
type QR struct {
	X, Y, Cell int
	ECC, Mode  byte
	Mask       int
	Content    string
	Modules    int
}

// Level is the error correction level, 'M' when ECC is unset.
func (q *QR) Level() byte {
	if q.ECC == 0 {
		return 'M'
	}
	return q.ECC
}

// Bar is a filled black rectangle (a line).
type Bar struct{ X, Y, W, H int }

// Box is a rectangle outline whose lines are Thickness dots wide, drawn
// inside X, Y, W, H.
type Box struct{ X, Y, W, H, Thickness int }

func (t *Text) element()    {}
func (t *Image) element()   {}
func (c *Code128) element() {}
func (q *QR) element()      {}
func (b *Bar) element()     {}
func (b *Box) element()     {}

// Bounds implements Element.
func (t *Text) Bounds() image.Rectangle {
	return image.Rect(t.X, t.Y, t.X+t.Bitmap.W, t.Y+t.Bitmap.H)
}

// Bounds implements Element.
func (t *Image) Bounds() image.Rectangle {
	return image.Rect(t.X, t.Y, t.X+t.Bitmap.W, t.Y+t.Bitmap.H)
}

// Bounds implements Element.
func (c *Code128) Bounds() image.Rectangle {
	q := QuietModules * c.Module
	l := c.Modules * c.Module
	if c.Rotated {
		return image.Rect(c.X, c.Y-q, c.X+c.Height, c.Y+l+q)
	}
	return image.Rect(c.X-q, c.Y, c.X+l+q, c.Y+c.Height)
}

// Bounds implements Element: the symbol and its quiet zone.
func (q *QR) Bounds() image.Rectangle {
	z := QRQuietModules * q.Cell
	return image.Rect(q.X-z, q.Y-z, q.X+q.Modules*q.Cell+z, q.Y+q.Modules*q.Cell+z)
}

// Bounds implements Element.
func (b *Bar) Bounds() image.Rectangle { return image.Rect(b.X, b.Y, b.X+b.W, b.Y+b.H) }

// Bounds implements Element.
func (b *Box) Bounds() image.Rectangle { return image.Rect(b.X, b.Y, b.X+b.W, b.Y+b.H) }
