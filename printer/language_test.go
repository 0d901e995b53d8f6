package printer

import (
	"bytes"
	"strings"
	"testing"

	"shipdesk/printer/label"
)

// TestLanguageKnowsItsParts: each language encodes a label its own virtual
// printer can print, calibrates the media the profile names, and asks for
// status its own way; an unknown one is refused, never guessed.
func TestLanguageKnowsItsParts(t *testing.T) {
	l, err := label.TestLabel(label.Size76x130, 203)
	if err != nil {
		t.Fatal(err)
	}
	bline := label.PrintSettings{Media: "bline"}
	for _, c := range []struct {
		lang      Language
		query     []byte
		calibrate []string
	}{
		{TSPL, []byte{0x1b, '!', '?'}, []string{"SIZE 76 mm,130 mm", "BLINE", "AUTODETECT"}},
		{ZPL, []byte("~HS"), []string{"^MNM", "~JC"}},
	} {
		if got, ok := ParseLanguage(strings.ToUpper(c.lang.String())); !ok || got != c.lang {
			t.Errorf("ParseLanguage(%q) = %q, %v", strings.ToUpper(c.lang.String()), got, ok)
		}
		job, err := c.lang.Encode(l, label.PrintSettings{})
		if err != nil {
			t.Fatalf("%s: encode: %v", c.lang, err)
		}
		img, err := c.lang.Render(job)
		if err != nil || img.Bounds().Dx() != 76*8 {
			t.Errorf("%s: the virtual printer printed %v, %v", c.lang, img.Bounds(), err)
		}
		if q := c.lang.StatusQuery(); !bytes.Equal(q, c.query) {
			t.Errorf("%s: status query %q, want %q", c.lang, q, c.query)
		}
		cal, err := c.lang.Calibrate(bline, label.Size76x130)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range c.calibrate {
			if !bytes.Contains(cal, []byte(w)) {
				t.Errorf("%s: calibrate = %q, want %q", c.lang, cal, w)
			}
		}
	}
	if _, ok := ParseLanguage("escpos"); ok {
		t.Error("escpos taken for a label language")
	}
	if _, err := Language("escpos").Encode(l, label.PrintSettings{}); err == nil {
		t.Error("an unknown language encoded a label")
	}
	if LanguageOr("", TSPL) != TSPL {
		t.Error("LanguageOr does not default")
	}
}
