package label

import (
	"errors"
	"fmt"
	"image"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"
)

// QR codes with every choice spelled out. A firmware left to itself picks
// the input mode and the mask pattern by its own rules (Zebra's default mask
// is 7 whatever the data), so the symbol it prints may differ from the
// preview's. The label fixes both: QRMode chooses numeric, alphanumeric or
// byte mode; the mask is the one the encoder chose, and the printer
// commands name it. The virtual printers rebuild the symbol from the mode
// and mask in the bytes with QRMatrix.

// ErrQR reports content or parameters a QR code cannot carry.
var ErrQR = errors.New("qr code: cannot encode")

// QRMode returns the input mode that carries content in one segment:
// 'N' (digits only), 'A' (0-9, A-Z, space and $%*+-./:) or 'B' (bytes).
func QRMode(content string) byte {
	num, alnum := true, true
	for i := 0; i < len(content); i++ {
		c := content[i]
		if c < '0' || c > '9' {
			num = false
		}
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c == ' ' || c == '$' || c == '%' || c == '*' || c == '+' || c == '-' || c == '.' || c == '/' || c == ':') {
			alnum = false
		}
	}
	switch {
	case content == "":
		return 'B'
	case num:
		return 'N'
	case alnum:
		return 'A'
	}
	return 'B'
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
	return qr.M, fmt.Errorf("qr error correction %q: want L, M, Q or H: %w", ecc, ErrQR)
}

// QRSymbol is a QR code's modules, row-major, true = dark, Size x Size.
type QRSymbol struct {
	Size int
	Dark []bool
	Mask int
}

// At reports whether the module at column x, row y is dark.
func (s *QRSymbol) At(x, y int) bool { return s.Dark[y*s.Size+x] }

// QRMatrix encodes content (model 2, the smallest version, one segment in
// mode 'N', 'A' or 'B' — byte mode carries content's bytes as they are) at
// error correction ecc with mask pattern mask (0-7), or with the mask of
// lowest penalty when mask < 0.
func QRMatrix(content string, ecc, mode byte, mask int) (*QRSymbol, error) {
	lv, err := qrLevel(ecc)
	if err != nil {
		return nil, err
	}
	var enc qr.Encoding
	switch mode {
	case 'N':
		enc = qr.Numeric
	case 'A':
		enc = qr.AlphaNumeric
	case 'B':
		enc = qr.Unicode // byte mode, the bytes of the Go string
	default:
		return nil, fmt.Errorf("qr input mode %q: want N, A or B: %w", mode, ErrQR)
	}
	switch m := QRMode(content); {
	case mode == 'N' && m != 'N', mode == 'A' && m == 'B':
		return nil, fmt.Errorf("qr %q does not fit input mode %q: %w", content, mode, ErrQR)
	}
	if mask > 7 {
		return nil, fmt.Errorf("qr mask %d: want 0-7: %w", mask, ErrQR)
	}
	bc, err := qr.Encode(content, lv, enc)
	if err != nil {
		return nil, fmt.Errorf("qr %q: %v: %w", content, err, ErrQR)
	}
	s := symbolOf(bc)
	got, ok := s.formatMask(ecc)
	if !ok {
		return nil, fmt.Errorf("qr %q: unreadable format information: %w", content, ErrQR)
	}
	s.Mask = got
	if mask >= 0 && mask != got {
		s.remask(ecc, mask)
	}
	return s, nil
}

func symbolOf(bc barcode.Barcode) *QRSymbol {
	n := bc.Bounds().Dx()
	s := &QRSymbol{Size: n, Dark: make([]bool, n*n)}
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			s.Dark[y*n+x] = isDark(bc.At(x, y))
		}
	}
	return s
}

// QRModules returns the width in modules of content as QRMatrix encodes it
// in its QRMode, without quiet zone.
func QRModules(content string, ecc byte) (int, error) {
	s, err := QRMatrix(content, ecc, QRMode(content), -1)
	if err != nil {
		return 0, err
	}
	return s.Size, nil
}

// DrawQRSymbol draws s with its top-left module at (x, y), each module
// cell x cell dots.
func DrawQRSymbol(img *image.Gray, x, y, cell int, s *QRSymbol) {
	for j := 0; j < s.Size; j++ {
		for i := 0; i < s.Size; i++ {
			if s.At(i, j) {
				FillRect(img, x+i*cell, y+j*cell, cell, cell)
			}
		}
	}
}

// eccBits are the two error-correction bits of the format information.
func eccBits(ecc byte) int {
	switch ecc {
	case 'L':
		return 1
	case 'Q':
		return 3
	case 'H':
		return 2
	}
	return 0 // M
}

// formatBits is the 15-bit format information for ecc and mask, masked.
func formatBits(ecc byte, mask int) int {
	data := eccBits(ecc)<<3 | mask
	rem := data
	for i := 0; i < 10; i++ {
		rem = rem<<1 ^ (rem>>9)*0x537
	}
	return (data<<10 | rem) ^ 0x5412
}

// formatCells are the modules of the first copy of the format
// information, bit 0 first.
func (s *QRSymbol) formatCells() [15][2]int {
	var c [15][2]int
	for i := 0; i <= 5; i++ {
		c[i] = [2]int{8, i}
	}
	c[6], c[7], c[8] = [2]int{8, 7}, [2]int{8, 8}, [2]int{7, 8}
	for i := 9; i < 15; i++ {
		c[i] = [2]int{14 - i, 8}
	}
	return c
}

// formatCells2 are the modules of the second copy.
func (s *QRSymbol) formatCells2() [15][2]int {
	var c [15][2]int
	for i := 0; i < 8; i++ {
		c[i] = [2]int{s.Size - 1 - i, 8}
	}
	for i := 8; i < 15; i++ {
		c[i] = [2]int{8, s.Size - 15 + i}
	}
	return c
}

// formatMask reads which mask the symbol carries.
func (s *QRSymbol) formatMask(ecc byte) (int, bool) {
	cells := s.formatCells()
	for m := 0; m < 8; m++ {
		f := formatBits(ecc, m)
		ok := true
		for i, c := range cells {
			if s.At(c[0], c[1]) != (f>>i&1 == 1) {
				ok = false
				break
			}
		}
		if ok {
			return m, true
		}
	}
	return 0, false
}

func maskAt(mask, x, y int) bool {
	switch mask {
	case 0:
		return (x+y)%2 == 0
	case 1:
		return y%2 == 0
	case 2:
		return x%3 == 0
	case 3:
		return (x+y)%3 == 0
	case 4:
		return (x/3+y/2)%2 == 0
	case 5:
		return x*y%2+x*y%3 == 0
	case 6:
		return (x*y%2+x*y%3)%2 == 0
	}
	return ((x+y)%2+x*y%3)%2 == 0
}

// alignment returns the centre coordinates of the alignment patterns of
// a symbol of size n.
func alignment(n int) []int {
	v := (n - 17) / 4
	if v < 2 {
		return nil
	}
	k := v/7 + 2
	step := 26
	if v != 32 {
		step = (v*4 + k*2 + 1) / (k*2 - 2) * 2
	}
	out := make([]int, k)
	out[0] = 6
	for i, pos := k-1, n-7; i >= 1; i, pos = i-1, pos-step {
		out[i] = pos
	}
	return out
}

// function reports the modules that carry no data: finders and their
// separators, timing, alignment patterns, format and version information.
func (s *QRSymbol) function() []bool {
	n := s.Size
	f := make([]bool, n*n)
	set := func(x, y int) {
		if x >= 0 && y >= 0 && x < n && y < n {
			f[y*n+x] = true
		}
	}
	rect := func(x0, y0, w, h int) {
		for y := y0; y < y0+h; y++ {
			for x := x0; x < x0+w; x++ {
				set(x, y)
			}
		}
	}
	rect(0, 0, 9, 9)   // top-left finder, separator, format
	rect(n-8, 0, 8, 9) // top-right
	rect(0, n-8, 9, 8) // bottom-left (with the dark module)
	rect(6, 0, 1, n)
	rect(0, 6, n, 1)
	al := alignment(n)
	for _, cy := range al {
		for _, cx := range al {
			if cx == 6 && cy == 6 || cx == 6 && cy == al[len(al)-1] || cy == 6 && cx == al[len(al)-1] {
				continue // under a finder
			}
			rect(cx-2, cy-2, 5, 5)
		}
	}
	if (n-17)/4 >= 7 {
		rect(n-11, 0, 3, 6)
		rect(0, n-11, 6, 3)
	}
	return f
}

// remask changes the symbol's mask pattern to mask, rewriting the format
// information.
func (s *QRSymbol) remask(ecc byte, mask int) {
	fn := s.function()
	n := s.Size
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if !fn[y*n+x] && maskAt(s.Mask, x, y) != maskAt(mask, x, y) {
				s.Dark[y*n+x] = !s.Dark[y*n+x]
			}
		}
	}
	f := formatBits(ecc, mask)
	for i, c := range s.formatCells() {
		s.Dark[c[1]*n+c[0]] = f>>i&1 == 1
	}
	for i, c := range s.formatCells2() {
		s.Dark[c[1]*n+c[0]] = f>>i&1 == 1
	}
	s.Mask = mask
}

// NewQR encodes content at ecc in its QRMode with the mask of lowest
// penalty and returns the element with its top-left module at (x, y).
func NewQR(x, y, cell int, ecc byte, content string) (*QR, error) {
	mode := QRMode(content)
	s, err := QRMatrix(content, ecc, mode, -1)
	if err != nil {
		return nil, err
	}
	return &QR{X: x, Y: y, Cell: cell, ECC: ecc, Mode: mode, Mask: s.Mask, Content: content, Modules: s.Size}, nil
}
