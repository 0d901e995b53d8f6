package label

import (
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

var previewDir = flag.String("preview", "", "write preview PNGs of every template into this folder")

// TestPreviewFiles writes the previews for eyeballing when -preview is given.
func TestPreviewFiles(t *testing.T) {
	if *previewDir == "" {
		t.Skip("no -preview folder")
	}
	samples := map[string]Data{"label": Sample(SampleTime), "heavy": HeavySample(SampleTime)}
	for name, d := range samples {
		for _, s := range Sizes {
			for _, dpi := range DPIs {
				l, err := EWaybill(d, s, dpi)
				if err != nil {
					t.Fatal(err)
				}
				img, err := Render(l)
				if err != nil {
					t.Fatal(err)
				}
				f, err := os.Create(filepath.Join(*previewDir, name+"-"+s.String()+"-"+itoa(dpi)+".png"))
				if err != nil {
					t.Fatal(err)
				}
				if err := png.Encode(f, img); err != nil {
					t.Fatal(err)
				}
				f.Close()
			}
		}
	}
}

func itoa(i int) string {
	if i == 203 {
		return "203"
	}
	return "300"
}
