package label_test

import (
	"image"
	"image/color"
	"testing"

	"shipdesk/printer/label"
)

func TestImageLabel(t *testing.T) {
	t.Parallel()
	src := image.NewNRGBA(image.Rect(0, 0, 40, 20))
	for y := 0; y < 20; y++ {
		for x := 0; x < 40; x++ {
			switch {
			case x < 10:
				src.Set(x, y, color.Black)
			case x < 20:
				src.Set(x, y, color.NRGBA{0, 0, 0, 40}) // faint: white on the label
			default:
				src.Set(x, y, color.White)
			}
		}
	}
	l, err := label.ImageLabel(label.Size76x130, 203, src)
	if err != nil {
		t.Fatal(err)
	}
	img, err := label.Render(l)
	if err != nil {
		t.Fatal(err)
	}
	if img.GrayAt(5, 5).Y != 0 || img.GrayAt(15, 5).Y != 255 || img.GrayAt(30, 5).Y != 255 {
		t.Fatal("picture not thresholded as expected")
	}
	if _, err := label.ImageLabel(label.Size76x130, 203, image.NewGray(image.Rect(0, 0, 700, 10))); err == nil {
		t.Fatal("a picture wider than the label was accepted")
	}
}
