package printer

import (
	"errors"
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
	dev, err := Open(t.Context(), "virtual://"+filepath.ToSlash(dir))
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
		want, _ := renderLabel([]string{"tspl", "zpl"}[i], job)
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
