package label_test

import (
	"image"
	"math/rand/v2"
	"testing"

	"github.com/boombuler/barcode/code128"

	"shipdesk/printer/label"
	"shipdesk/printer/label/labeltest"
)

// TestCode128FewestModules pins the widths the issue measured: Zebra's
// automatic mode prints YT1234567890123 in 145 modules (boombuler's
// automatic choice takes 156), and our plan must match the firmware's best.
func TestCode128FewestModules(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int{
		"YT1234567890123":      145,
		"JDVA12345678901-1-3-": 222,
		"773123456789012":      134,
		"SF1234567890123":      145,
		"1":                    46,
		"12":                   46,
	} {
		if got, err := label.Code128Modules(in); err != nil || got != want {
			t.Errorf("Code128Modules(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
}

// TestCode128PatternsMatchLibrary checks our symbol table against
// boombuler's encoder where both must choose the same code set: single
// characters (code set B) and even runs of digits (code set C).
func TestCode128PatternsMatchLibrary(t *testing.T) {
	t.Parallel()
	var ins []string
	for c := byte(32); c < 127; c++ {
		ins = append(ins, string([]byte{c}))
	}
	for i := 0; i < 100; i += 7 {
		ins = append(ins, string([]byte{'0' + byte(i/10), '0' + byte(i%10), '1', '2'}))
	}
	ins = append(ins, "00112233445566778899", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
	for _, in := range ins {
		runs, err := label.Code128Plan(in)
		if err != nil {
			t.Fatal(err)
		}
		v, err := label.Code128Values(runs)
		if err != nil {
			t.Fatal(err)
		}
		bits, err := label.Code128Bits(v)
		if err != nil {
			t.Fatal(err)
		}
		bc, err := code128.Encode(in)
		if err != nil {
			t.Fatal(err)
		}
		if bc.Bounds().Dx() != len(bits) {
			t.Errorf("%q: %d modules, library %d", in, len(bits), bc.Bounds().Dx())
			continue
		}
		for i, b := range bits {
			r, _, _, _ := bc.At(i, 0).RGBA()
			if b != (r < 0x8000) {
				t.Errorf("%q: module %d differs from the library", in, i)
				break
			}
		}
	}
}

// TestCode128Decodes draws random waybill-like numbers from their plan and
// reads them back with an independent decoder.
func TestCode128Decodes(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ-"
	for i := 0; i < 60; i++ {
		n := 4 + rng.IntN(18)
		b := make([]byte, n)
		for k := range b {
			if rng.IntN(3) == 0 {
				b[k] = alphabet[rng.IntN(len(alphabet))]
			} else {
				b[k] = '0' + byte(rng.IntN(10))
			}
		}
		in := string(b)
		c, err := label.NewCode128(30, 10, 2, 60, in, i%2 == 1)
		if err != nil {
			t.Fatal(err)
		}
		r := c.Bounds()
		img := label.NewCanvas(r.Max.X+30, r.Max.Y+30)
		if err := label.DrawCode128(img, c); err != nil {
			t.Fatal(err)
		}
		var src image.Image = img
		if c.Rotated {
			src = turnLeft(img) // reads left to right again
			r = src.Bounds()
		}
		if got, err := labeltest.Code128(src, r); err != nil || got != in {
			t.Errorf("%q (rotated %v): decoded %q, %v", in, c.Rotated, got, err)
		}
	}
}

// turnLeft rotates img 90° counter-clockwise, undoing a clockwise barcode.
func turnLeft(img *image.Gray) *image.Gray {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	out := image.NewGray(image.Rect(0, 0, h, w))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			out.Pix[(w-1-x)*out.Stride+y] = img.Pix[y*img.Stride+x]
		}
	}
	return out
}

// TestQRMasks builds every mask pattern of a few contents and decodes each:
// the virtual printers rebuild the mask a job names, which need not be the
// one the encoder would pick.
func TestQRMasks(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"YT7512345678901", "123456789012", "https://k.example/q?n=YT1&c=yuantong", "JDVA12345678901-1-3-", "二维码 ÜÖ"} {
		for _, ecc := range []byte{'L', 'M', 'Q', 'H'} {
			for mask := 0; mask < 8; mask++ {
				s, err := label.QRMatrix(in, ecc, label.QRMode(in), mask)
				if err != nil {
					t.Fatalf("%q %c mask %d: %v", in, ecc, mask, err)
				}
				if s.Mask != mask {
					t.Fatalf("%q: mask %d, want %d", in, s.Mask, mask)
				}
				cell := 4
				img := label.NewCanvas((s.Size+8)*cell, (s.Size+8)*cell)
				label.DrawQRSymbol(img, 4*cell, 4*cell, cell, s)
				if got, err := labeltest.QR(img, img.Rect); err != nil || got != in {
					t.Errorf("%q %c mask %d: decoded %q, %v", in, ecc, mask, got, err)
				}
			}
		}
	}
}

func TestQRMode(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]byte{"0123": 'N', "YT75-1 $%*+./:": 'A', "yt1": 'B', "": 'B', "运单": 'B'} {
		if got := label.QRMode(in); got != want {
			t.Errorf("QRMode(%q) = %c, want %c", in, got, want)
		}
	}
	if _, err := label.QRMatrix("abc", 'M', 'A', 0); err == nil {
		t.Error("lower case accepted in alphanumeric mode")
	}
}
