package app

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// shownTexts are the texts of the labels a person can see in the window:
// visible themselves and inside visible containers (and the selected tab).
func shownTexts(o fyne.CanvasObject) []string {
	if o == nil || !o.Visible() {
		return nil
	}
	var out []string
	switch w := o.(type) {
	case *widget.Label:
		return []string{w.Text}
	case *fyne.Container:
		for _, c := range w.Objects {
			out = append(out, shownTexts(c)...)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(w).Objects() {
			out = append(out, shownTexts(c)...)
		}
	}
	return out
}

// TestShipFormWarnsOfUndrawableCharacters: an emoji in the remark and an
// Extension B character in the items do not stop the form; the preview
// names both characters and their fields in Chinese, the parcel ships, and
// the warning stays with the label just printed.
func TestShipFormWarnsOfUndrawableCharacters(t *testing.T) {
	e := newEnv(t)
	s := e.ui.ship
	e.fill(t, "王芳", "13700001111", "天津市河西区友谊路32号")
	test.Type(s.remark, "易碎😀")
	s.items.SetText("")
	test.Type(s.items, "眼镜𠀀")
	e.wait()

	want := []string{"备注", "“😀”（U+1F600）", "物品", "“𠀀”（U+20000）", "面单上印成方框"}
	check := func(when string) {
		t.Helper()
		if !s.glyphWarn.Visible() {
			t.Fatalf("%s: no warning line under the preview", when)
		}
		var shown string
		for _, txt := range shownTexts(e.ui.win.Canvas().Content()) {
			if strings.Contains(txt, "😀") {
				shown = txt
			}
		}
		if shown == "" {
			t.Fatalf("%s: the window shows no text naming 😀 (warning %q)", when, s.glyphWarn.Text)
		}
		for _, w := range want {
			if !strings.Contains(shown, w) {
				t.Errorf("%s: warning %q lacks %q", when, shown, w)
			}
		}
	}
	check("preview")
	if s.preview.Image == nil {
		t.Fatal("no preview")
	}

	s.submit()
	e.wait()
	if n := len(e.pngs(t)); n != 1 {
		t.Fatalf("virtual printer holds %d labels, want 1 (status %q)", n, s.status.Text)
	}
	for _, l := range s.errs {
		if l.Visible() && l.Text != "" {
			t.Errorf("field error shown: %q", l.Text)
		}
	}
	check("printed")

	// The next patient's ordinary form clears the warning.
	e.fill(t, "李四", "13912345678", "天津市和平区南京路219号")
	if s.glyphWarn.Visible() {
		t.Errorf("warning %q still shown for a form every character of which prints", s.glyphWarn.Text)
	}
}
