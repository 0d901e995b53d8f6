package label_test

import (
	"errors"
	"strings"
	"testing"

	"shipdesk/printer/label"
)

// eachLayout lays out d in every size and resolution.
func eachLayout(t *testing.T, d label.Data, f func(s label.Size, dpi int, l *label.Label)) {
	t.Helper()
	for _, s := range label.Sizes {
		for _, dpi := range label.DPIs {
			l, err := label.EWaybill(d, s, dpi)
			if err != nil {
				t.Fatalf("%s@%d: %v", s, dpi, err)
			}
			f(s, dpi, l)
		}
	}
}

func texts(l *label.Label) []*label.Text {
	var out []*label.Text
	for _, e := range l.Elements {
		if t, ok := e.(*label.Text); ok {
			out = append(out, t)
		}
	}
	return out
}

func hasText(l *label.Label, sub string) bool {
	for _, t := range texts(l) {
		if strings.Contains(t.Content, sub) {
			return true
		}
	}
	return false
}

// TestLegibilityFloor: no text below 2 mm cap height and no Code 128 bar
// below 3 dots at 203 dpi (0.375 mm at 300), in every template, for the
// usual and the heaviest order.
func TestLegibilityFloor(t *testing.T) {
	t.Parallel()
	for _, d := range []label.Data{label.Sample(label.SampleTime), label.HeavySample(label.SampleTime)} {
		eachLayout(t, d, func(s label.Size, dpi int, l *label.Label) {
			minCap := float64(label.Dots(label.MinCapMM, dpi))
			for _, tx := range texts(l) {
				if cap := float64(tx.SizeDots) * 0.729; cap < minCap-0.5 {
					t.Errorf("%s@%d: %q at %d dots per em: cap height %.1f dots, below %.0f", s, dpi, tx.Content, tx.SizeDots, cap, minCap)
				}
			}
			bars := 0
			for _, e := range l.Elements {
				if c, ok := e.(*label.Code128); ok {
					bars++
					if min := max(3, label.Dots(label.MinModuleMM, dpi)); c.Module < min {
						t.Errorf("%s@%d: %s with %d-dot bars, want at least %d", s, dpi, c.Content, c.Module, min)
					}
				}
			}
			if bars == 0 {
				t.Errorf("%s@%d: no barcode", s, dpi)
			}
		})
	}
}

// TestHeavyOrderPrints lays out the heaviest sample: a JD child number
// too long for 3-dot bars across 76 mm turns the barcode upright, the
// child shows 2/3 and its mother waybill, the 大头笔 zone falls back to
// the province and city, every character of the patient's text is drawn.
func TestHeavyOrderPrints(t *testing.T) {
	t.Parallel()
	d := label.HeavySample(label.SampleTime)
	eachLayout(t, d, func(s label.Size, dpi int, l *label.Label) {
		for _, want := range []string{"2/3", "母单 JDVA12345678901", "新疆维吾尔自治区乌鲁木齐市", "刘*", "“阳光小区”①号楼", "±2.00", "易碎——轻放…冷藏2-8℃", "Jürgen Müller", "PJ20261126-0042"} {
			if !hasText(l, want) {
				t.Errorf("%s@%d: no %q on the label", s, dpi, want)
			}
		}
		if len(l.Warnings) != 0 {
			t.Errorf("%s@%d: warnings %q", s, dpi, l.Warnings)
		}
		for _, e := range l.Elements {
			if c, ok := e.(*label.Code128); ok && c.Rotated != (s == label.Size76x130) {
				t.Errorf("%s@%d: barcode rotated %v", s, dpi, c.Rotated)
			}
		}
	})
	// The name is masked as the settings say; unmasked it prints whole.
	d.Privacy.MaskNames = false
	l, err := label.EWaybill(d, label.Size76x130, 203)
	if err != nil || !hasText(l, "刘䶮") {
		t.Fatalf("unmasked name not printed: %v", err)
	}
}

// TestRealInputsPrint: what patients and clerks write prints, in every
// field, without a warning.
func TestRealInputsPrint(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"“阳光小区”", "①", "镜片 1.56折射率 ±2.00", "易碎——轻放…", "冷藏2-8℃", "Jürgen Müller", "刘䶮"} {
		d := label.Sample(label.SampleTime)
		d.Recipient.Name, d.Recipient.Address, d.Items, d.Remark = in, "天津市河西区"+in, in, in
		eachLayout(t, d, func(s label.Size, dpi int, l *label.Label) {
			if len(l.Warnings) > 0 {
				t.Errorf("%q %s@%d: %q", in, s, dpi, l.Warnings)
			}
		})
	}
}

// TestUndrawableCharacterWarns: an emoji or an Extension B character
// prints as a box, and the clerk is told which and where.
func TestUndrawableCharacterWarns(t *testing.T) {
	t.Parallel()
	d := label.Sample(label.SampleTime)
	d.Remark = "谢谢😀"
	d.Recipient.Name = "王𠀋"
	l, err := label.EWaybill(d, label.Size76x130, 203)
	if err != nil {
		t.Fatal(err)
	}
	w := strings.Join(l.Warnings, "\n")
	if !strings.Contains(w, "备注") || !strings.Contains(w, "😀") || !strings.Contains(w, "收件人") || !strings.Contains(w, "𠀋") {
		t.Fatalf("warnings %q", l.Warnings)
	}
}

// TestPrivacyMasks: names, phones and address detail are hidden as each
// setting says, and what is hidden does not print.
func TestPrivacyMasks(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"王小芳": "王*芳", "王芳": "王*", "欧阳小芳": "欧**芳", "Jürgen Müller": "J. M.", "": ""} {
		if got := label.MaskName(in); got != want {
			t.Errorf("MaskName(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"天津市河西区友谊路32号":          "天津市河西区****",
		"新疆维吾尔自治区乌鲁木齐市天山区光明路1号": "新疆维吾尔自治区乌鲁木齐市天山区****",
		"江苏省南京市鼓楼区中山北路100号":     "江苏省南京市鼓楼区****",
		"浙江省杭州市余杭区文一西路969号":     "浙江省杭州市余杭区****",
		"广东省东莞市长安镇振安路1号":        "广东省东莞市****",
		"友谊路32号": "友谊路32号****",
	} {
		if got := label.MaskAddress(label.Party{Address: in}); got != want {
			t.Errorf("MaskAddress(%q) = %q, want %q", in, got, want)
		}
	}
	d := label.Sample(label.SampleTime)
	d.Privacy = label.Privacy{MaskPhones: true, MaskNames: true, MaskAddresses: true}
	eachLayout(t, d, func(s label.Size, dpi int, l *label.Label) {
		if !hasText(l, "王*喆") || !hasText(l, "天津市河西区****") || hasText(l, "友谊路") || hasText(l, "13700001111") {
			t.Errorf("%s@%d: privacy not applied", s, dpi)
		}
	})
}

// TestDestinationFallback: without a sorting code the 大头笔 zone shows
// the province and city, also when the city starts past the twelfth
// character.
func TestDestinationFallback(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]string{
		"新疆维吾尔自治区乌鲁木齐市天山区光明路1号": "新疆维吾尔自治区乌鲁木齐市",
		"内蒙古自治区呼和浩特市新城区":        "内蒙古自治区呼和浩特市",
		"江苏省南京市鼓楼区中山北路100号":     "江苏省南京市",
		"天津市河西区友谊路32号":          "天津市",
		"吉林省延边朝鲜族自治州延吉市":        "吉林省延边朝鲜族自治州",
		"光明路1号": "光明路1号",
	} {
		if got := label.Destination(label.Party{Address: addr}); got != want {
			t.Errorf("Destination(%q) = %q, want %q", addr, got, want)
		}
	}
}

// TestTooLongSaysWhatToCut: content that cannot fit even at the smallest
// size names the field and how many characters to remove; removing them
// makes it fit.
func TestTooLongSaysWhatToCut(t *testing.T) {
	t.Parallel()
	d := label.Sample(label.SampleTime)
	d.Remark = strings.Repeat("请务必轻拿轻放谢谢", 30)
	_, err := label.EWaybill(d, label.Size76x130, 203)
	var tl *label.TooLongError
	if !errors.As(err, &tl) || !errors.Is(err, label.ErrTextTooLong) || tl.Field != "备注" || tl.Excess < 1 {
		t.Fatalf("want a TooLongError for 备注, got %v", err)
	}
	r := []rune(d.Remark)
	d.Remark = string(r[:len(r)-tl.Excess-4]) // the margin covers the 备注： prefix wrapping differently
	if _, err := label.EWaybill(d, label.Size76x130, 203); err != nil {
		t.Fatalf("cut by %d as told, still: %v", tl.Excess, err)
	}
}

// TestParcels numbers a multi-parcel shipment: the mother is 1/N, each
// child k/N carries the mother's number.
func TestParcels(t *testing.T) {
	t.Parallel()
	d := label.Sample(label.SampleTime)
	ps := label.Parcels(d, []string{"YT7512345678901-2", "YT7512345678901-3"})
	if len(ps) != 3 || ps[0].ChildIndex != 1 || ps[2].ChildIndex != 3 || ps[2].ChildTotal != 3 || ps[1].ParentWaybill != d.Waybill || ps[0].ParentWaybill != "" {
		t.Fatalf("%+v", ps)
	}
	if got := label.Parcels(d, nil); len(got) != 1 || got[0].ChildTotal != 0 {
		t.Fatalf("%+v", got)
	}
}
