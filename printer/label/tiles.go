package label

// Tile is a piece of a bitmap at (X, Y) relative to the bitmap's corner.
type Tile struct {
	X, Y   int
	Bitmap *Bitmap
}

// Tiles cuts b into pieces that hold all its ink and as little white as
// is worth a separate command: bands of rows split at blank rows, each band
// split at wide blank columns, each piece cropped to its ink. Encoders of
// uncompressed bitmaps (TSPL BITMAP) send the tiles instead of b; drawn at
// their offsets they give exactly b's black dots. headerBytes is the cost of
// one more command, which a split must save.
func (b *Bitmap) Tiles(headerBytes int) []Tile {
	rowInk := func(y, x0, x1 int) bool {
		for x := x0; x < x1; x++ {
			if b.Black(x, y) {
				return true
			}
		}
		return false
	}
	colInk := func(x, y0, y1 int) bool {
		for y := y0; y < y1; y++ {
			if b.Black(x, y) {
				return true
			}
		}
		return false
	}
	var out []Tile
	// Bands: runs of inked rows; a blank gap splits when the white it
	// saves (gap rows x full width) beats a header.
	y := 0
	for y < b.H {
		for y < b.H && !rowInk(y, 0, b.W) {
			y++
		}
		if y >= b.H {
			break
		}
		y0 := y
		last := y
		for y < b.H {
			if rowInk(y, 0, b.W) {
				last = y
				y++
				continue
			}
			gap := 0
			for y+gap < b.H && !rowInk(y+gap, 0, b.W) {
				gap++
			}
			if y+gap >= b.H || gap*b.Stride > headerBytes {
				break
			}
			y += gap
		}
		y1 := last + 1
		out = append(out, b.columns(y0, y1, headerBytes, colInk, rowInk)...)
		y = y1
	}
	return out
}

func (b *Bitmap) columns(y0, y1, headerBytes int, colInk func(x, y0, y1 int) bool, rowInk func(y, x0, x1 int) bool) []Tile {
	var out []Tile
	h := y1 - y0
	x := 0
	for x < b.W {
		for x < b.W && !colInk(x, y0, y1) {
			x++
		}
		if x >= b.W {
			break
		}
		x0, last := x, x
		for x < b.W {
			if colInk(x, y0, y1) {
				last = x
				x++
				continue
			}
			gap := 0
			for x+gap < b.W && !colInk(x+gap, y0, y1) {
				gap++
			}
			if x+gap >= b.W || (gap/8)*h > headerBytes {
				break
			}
			x += gap
		}
		x1 := last + 1
		// Crop the piece's rows to its ink.
		ty0, ty1 := y0, y1
		for ty0 < ty1 && !rowInk(ty0, x0, x1) {
			ty0++
		}
		for ty1 > ty0 && !rowInk(ty1-1, x0, x1) {
			ty1--
		}
		t := NewBitmap(x1-x0, ty1-ty0)
		for yy := ty0; yy < ty1; yy++ {
			for xx := x0; xx < x1; xx++ {
				if b.Black(xx, yy) {
					t.Set(xx-x0, yy-ty0)
				}
			}
		}
		out = append(out, Tile{X: x0, Y: ty0, Bitmap: t})
		x = x1
	}
	return out
}
