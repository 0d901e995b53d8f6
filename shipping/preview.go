package shipping

import (
	"context"
	"fmt"
	"image"
	"shipdesk/printer/label"
	"shipdesk/store"
)

// previewWaybill returns the placeholder number a preview shows for a
// carrier: zeros of the length (and letter prefix) of the carrier's real
// numbers, so the barcode takes the room the real one will.
func previewWaybill(carrier string) string {
	switch carrier {
	case "shunfeng":
		return "SF0000000000000"
	case "yuantong":
		return "YT0000000000000"
	case "jtexpress":
		return "JT0000000000000"
	case "jd":
		return "JD0000000000000"
	case "debangkuaidi":
		return "DPK000000000000"
	case "zhongtong":
		return "00000000000000"
	case "shentong", "yunda":
		return "000000000000000"
	case "ems", "youzhengguonei":
		return "0000000000000"
	}
	return "000000000000"
}

// LabelPreview is a label as Preview renders it, with what the clerk
// should know before printing it.
type LabelPreview struct {
	Image *image.Gray
	// Warnings name the characters that print as boxes, field by field
	// (GlyphWarnings); empty when every character prints.
	Warnings []GlyphWarning
}

// Preview renders the label an order would print, before any waybill
// exists: the real template with a placeholder number (previewWaybill) and
// "预览 PREVIEW" across the top, so nobody mistakes it for a real label.
// With a waybill on the order it renders that waybill unmarked.
func (s *Service) Preview(ctx context.Context, o store.Order, size label.Size, dpi int) (LabelPreview, error) {
	st, err := s.d.DB.Settings(ctx)
	if err != nil {
		return LabelPreview{}, fmt.Errorf("preview: settings: %w", err)
	}
	o = normalizeOrder(o)
	_, size, dpi = labelFormat(st, ShipOptions{Size: size, DPI: dpi})
	placeholder := o.Waybill == ""
	if placeholder {
		o.Waybill = previewWaybill(o.Carrier)
	}
	l, warnings, err := OrderLabel(o, nil, st.Label, size, dpi, s.now())
	if err != nil {
		return LabelPreview{}, fmt.Errorf("preview: %w", err)
	}
	img, err := label.Render(l)
	if err != nil {
		return LabelPreview{}, fmt.Errorf("preview: render: %w", err)
	}
	if placeholder {
		markPreview(img)
	}
	return LabelPreview{Image: img, Warnings: warnings}, nil
}

// markPreview stamps "预览 PREVIEW" in a white box across the label's top.
func markPreview(img *image.Gray) {
	b := img.Bounds()
	h := b.Dy() / 14
	w := b.Dx() * 2 / 3
	x, y := (b.Dx()-w)/2, b.Dy()/40
	t, err := label.FitText("预览 PREVIEW 非正式面单", label.TextOpts{W: w - 16, H: h - 8, MaxPx: h - 8, MinPx: 8, MaxLines: 1, Align: label.Center, Bold: true})
	if err != nil || t == nil {
		label.DrawBox(img, x, y, w, h, 4)
		return
	}
	white := label.NewBitmap(w, h)
	label.DrawBitmap(img, x, y, white, true)
	label.DrawBox(img, x, y, w, h, 4)
	label.DrawBitmap(img, x+(w-t.Bitmap.W)/2, y+(h-t.Bitmap.H)/2, t.Bitmap, false)
}
