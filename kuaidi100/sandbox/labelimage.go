package sandbox

import (
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"net/http"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/code128"
	"github.com/boombuler/barcode/qr"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// LabelWidth and LabelHeight are the size in dots of the carrier-template
// label the sandbox renders for printType IMAGE: 100 x 150 mm at 203 dpi.
const (
	LabelWidth  = 800
	LabelHeight = 1200
)

// handleLabelImage serves the IMAGE label of a task the way Kuaidi100's
// short link does: rendered asynchronously, so the first fetch finds it
// still being made (404 with a JSON note), later ones get a PNG of the
// carrier's template: the waybill's Code 128 barcode twice (main and
// receipt part), the number, the routing codes and the carrier's QR code.
func (s *Server) handleLabelImage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	pc := s.tasks[r.PathValue("task")]
	var num, road, dest, qrText string
	first := false
	if pc != nil {
		pc.LabelFetches++
		first = pc.LabelFetches == 1
		num, road, dest, qrText = pc.Num, pc.To.Tel, pc.To.Tel, pc.Num+"|"+pc.To.Tel
	}
	s.mu.Unlock()
	if pc == nil {
		http.NotFound(w, r)
		return
	}
	s.changed()
	if first {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"success":false,"code":404,"message":"面单生成中，请稍后重试"}`))
		return
	}
	img, err := renderLabel(num, road, dest, qrText)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	png.Encode(w, img)
}

// renderLabel draws a carrier-style label, black on white.
func renderLabel(num, road, dest, qrText string) (*image.Gray, error) {
	img := image.NewGray(image.Rect(0, 0, LabelWidth, LabelHeight))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	black := image.NewUniform(color.Black)
	frame := func(x0, y0, x1, y1 int) {
		draw.Draw(img, image.Rect(x0, y0, x1, y0+4), black, image.Point{}, draw.Src)
		draw.Draw(img, image.Rect(x0, y1-4, x1, y1), black, image.Point{}, draw.Src)
		draw.Draw(img, image.Rect(x0, y0, x0+4, y1), black, image.Point{}, draw.Src)
		draw.Draw(img, image.Rect(x1-4, y0, x1, y1), black, image.Point{}, draw.Src)
	}
	frame(8, 8, LabelWidth-8, LabelHeight-8)
	text := func(x, y, scale int, s string) {
		// basicfont is 7x13; draw it scaled by repeating each pixel.
		small := image.NewGray(image.Rect(0, 0, 7*len(s)+2, 16))
		draw.Draw(small, small.Bounds(), image.White, image.Point{}, draw.Src)
		d := font.Drawer{Dst: small, Src: black, Face: basicfont.Face7x13, Dot: fixed.P(1, 12)}
		d.DrawString(s)
		b := small.Bounds()
		for yy := b.Min.Y; yy < b.Max.Y; yy++ {
			for xx := b.Min.X; xx < b.Max.X; xx++ {
				if small.GrayAt(xx, yy).Y < 128 {
					draw.Draw(img, image.Rect(x+xx*scale, y+yy*scale, x+(xx+1)*scale, y+(yy+1)*scale), black, image.Point{}, draw.Src)
				}
			}
		}
	}
	text(40, 30, 6, road)
	bar := func(y, h int) error {
		raw, err := code128.Encode(num)
		if err != nil {
			return err
		}
		bc, err := barcode.Scale(raw, 680, h)
		if err != nil {
			return err
		}
		draw.Draw(img, image.Rect(60, y, 740, y+h), bc, image.Point{}, draw.Src)
		text(200, y+h+8, 3, num)
		return nil
	}
	if err := bar(160, 200); err != nil {
		return nil, err
	}
	draw.Draw(img, image.Rect(8, 430, LabelWidth-8, 434), black, image.Point{}, draw.Src)
	text(40, 460, 4, "DEST "+dest)
	q, err := qr.Encode(qrText, qr.M, qr.Auto)
	if err != nil {
		return nil, err
	}
	qs, err := barcode.Scale(q, 240, 240)
	if err != nil {
		return nil, err
	}
	draw.Draw(img, image.Rect(520, 540, 760, 780), qs, image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(8, 820, LabelWidth-8, 824), black, image.Point{}, draw.Src)
	if err := bar(860, 160); err != nil {
		return nil, err
	}
	return img, nil
}
