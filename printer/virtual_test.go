package printer

import (
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"shipdesk/printer/label"
	"shipdesk/printer/tspl"
	"shipdesk/printer/zpl"
)

func TestVirtualPrinter(t *testing.T) {
	l, err := label.TestLabel(label.Size76x130, 203)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := tspl.Encode(l, label.PrintSettings{})
	if err != nil {
		t.Fatal(err)
	}
	zp, err := zpl.Encode(l, label.PrintSettings{})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "virtual") // created on Open
	dev, err := Open(t.Context(), PathURI("virtual", dir))
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	if st, _ := dev.Status(t.Context()); st != Ready {
		t.Errorf("status %v", st)
	}
	for i, job := range [][]byte{ts, zp} {
		if err := dev.Print(t.Context(), job); err != nil {
			t.Fatalf("job %d: %v", i+1, err)
		}
		name := filepath.Join(dir, []string{"label-1.png", "label-2.png"}[i])
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// The picture is what the interpreter draws, about 76 x 130 mm at
		// 8 dots/mm, with ink on it.
		want, _ := renderLabel([]Language{TSPL, ZPL}[i], job)
		if b := img.Bounds(); b != want.Bounds() || b.Dx() < 600 || b.Dy() < 1030 {
			t.Errorf("%s is %v, want %v (about 608x1040)", name, b, want.Bounds())
		}
		black := 0
		for y := 0; y < img.Bounds().Dy(); y += 2 {
			for x := 0; x < img.Bounds().Dx(); x += 2 {
				if r, _, _, _ := img.At(x, y).RGBA(); r < 0x8000 {
					black++
				}
			}
		}
		if black < 500 {
			t.Errorf("%s is nearly blank (%d black samples)", name, black)
		}
		if prn, _ := os.ReadFile(filepath.Join(dir, []string{"label-1.prn", "label-2.prn"}[i])); string(prn) != string(job) {
			t.Errorf("raw bytes not kept beside the picture")
		}
	}
	if err := dev.Print(t.Context(), []byte("hello")); !errors.Is(err, ErrUnsupportedLanguage) {
		t.Errorf("garbage job: %v", err)
	}
}

// TestVirtualPrinterKeepsFirmwareState: the demo printer keeps its
// firmware's state between jobs like a real one, so a label printed after
// another program's format that left a tall ^BY still matches its preview,
// while a QR code that relies on the printer's ^BY lands lower.
func TestVirtualPrinterKeepsFirmwareState(t *testing.T) {
	dir := t.TempDir()
	dev, err := Open(t.Context(), PathURI("virtual", dir))
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	l, err := label.EWaybill(label.Sample(label.SampleTime), label.Size76x130, 203)
	if err != nil {
		t.Fatal(err)
	}
	want, err := label.Render(l)
	if err != nil {
		t.Fatal(err)
	}
	job, err := zpl.Encode(l, label.PrintSettings{})
	if err != nil {
		t.Fatal(err)
	}
	const qr = "^XA^PW608^LL1040^FO50,50^BQN,2,4,M,3^FDMM,AYT1^FS^XZ"
	for _, j := range []string{"^XA^BY3,3.0,300^XZ", string(job), qr} {
		if err := dev.Print(t.Context(), []byte(j)); err != nil {
			t.Fatal(err)
		}
	}
	read := func(name string) *image.Gray {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		img, err := png.Decode(f)
		if err != nil {
			t.Fatal(err)
		}
		g, ok := img.(*image.Gray)
		if !ok {
			t.Fatalf("%s is %T", name, img)
		}
		return g
	}
	got := read("label-2.png")
	for i := range want.Pix {
		if want.Pix[i] != got.Pix[i] {
			t.Fatalf("the label after a tall ^BY differs from its preview at dot %d", i)
		}
	}
	// Our label reset ^BY to height 10: the bare QR lands 10 dots below
	// its origin, not 300.
	q := read("label-3.png")
	if q.GrayAt(52, 60).Y != 0 || q.GrayAt(52, 59).Y != 255 {
		t.Fatal("QR not 10 dots below its ^FO after our label reset ^BY")
	}
}
