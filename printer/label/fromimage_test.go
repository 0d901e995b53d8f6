package label_test

import (
	"image"
	"image/color"
	"testing"

	"shipdesk/printer/label"
	"shipdesk/printer/tspl"
	"shipdesk/printer/zpl"
)

// TestImageLabelPrintsWhatItShows: a carrier's label picture becomes a 1-bit
// bitmap that fits the label, and both printer languages print it dot for
// dot as the preview shows it.
func TestImageLabelPrintsWhatItShows(t *testing.T) {
	// 400x600 picture (2:3, as 100x150 mm): white, a black frame and a
	// black square, a mid-grey band that must come out white, a dark-grey
	// one that must come out black.
	src := image.NewRGBA(image.Rect(0, 0, 400, 600))
	for y := range 600 {
		for x := range 400 {
			c := color.RGBA{255, 255, 255, 255}
			switch {
			case x < 8 || y < 8 || x >= 392 || y >= 592, x >= 100 && x < 200 && y >= 100 && y < 200:
				c = color.RGBA{0, 0, 0, 255}
			case y >= 300 && y < 320:
				c = color.RGBA{170, 170, 170, 255}
			case y >= 400 && y < 420:
				c = color.RGBA{60, 60, 60, 255}
			}
			src.Set(x, y, c)
		}
	}
	l, err := label.ImageLabel(src, label.Size100x150, 203)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Elements) != 1 || l.WidthDots != label.Dots(100, 203) || l.HeightDots != label.Dots(150, 203) {
		t.Fatalf("label %dx%d with %d elements", l.WidthDots, l.HeightDots, len(l.Elements))
	}
	want, err := label.Render(l)
	if err != nil {
		t.Fatal(err)
	}
	im := l.Elements[0].(*label.Image)
	scale := float64(im.Bitmap.W) / 400
	at := func(x, y int) bool { // source pixel (x, y) -> black on the label?
		return want.GrayAt(im.X+int(float64(x)*scale), im.Y+int(float64(y)*scale)).Y < 128
	}
	for _, c := range []struct {
		x, y  int
		black bool
	}{{150, 150, true}, {50, 50, false}, {2, 300, true}, {200, 310, false}, {200, 410, true}} {
		if at(c.x, c.y) != c.black {
			t.Errorf("source (%d,%d): black %v, want %v", c.x, c.y, !c.black, c.black)
		}
	}
	for name, enc := range map[string]func(*label.Label, label.PrintSettings) ([]byte, error){"tspl": tspl.Encode, "zpl": zpl.Encode} {
		data, err := enc(l, label.PrintSettings{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var got *image.Gray
		if name == "tspl" {
			got, err = tspl.RenderDPI(data, 203)
		} else {
			got, err = zpl.Render(data)
		}
		if err != nil {
			t.Fatalf("%s render: %v", name, err)
		}
		diff := 0
		for y := 0; y < min(got.Bounds().Dy(), want.Bounds().Dy()); y++ {
			for x := 0; x < min(got.Bounds().Dx(), want.Bounds().Dx()); x++ {
				if (got.GrayAt(x, y).Y < 128) != (want.GrayAt(x, y).Y < 128) {
					diff++
				}
			}
		}
		if diff != 0 || got.Bounds().Size() != want.Bounds().Size() {
			t.Errorf("%s prints %v with %d dots different from the preview %v", name, got.Bounds().Size(), diff, want.Bounds().Size())
		}
	}
	if _, err := label.ImageLabel(image.NewGray(image.Rect(0, 0, 0, 0)), label.Size76x130, 203); err == nil {
		t.Error("empty picture accepted")
	}
}
