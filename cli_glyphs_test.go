package main

import (
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"shipdesk/printer"
	"shipdesk/printer/label/labeltest"
)

// glyphFlags are order flags with an emoji in the remark and a CJK
// Extension B character in the items: the label font draws neither.
var glyphFlags = []string{"--to-name", "王芳", "--to-phone", "13700001111", "--to-addr", "天津市河西区友谊路32号",
	"--carrier", "zhongtong", "--items", "眼镜𠀀", "--remark", "易碎😀"}

// wantGlyphLines wants one stderr line per field, from cmd, naming the
// field (in Chinese, the command line's language) and the character.
func wantGlyphLines(t *testing.T, cmd, stderr string) {
	t.Helper()
	found := map[string]bool{}
	for line := range strings.SplitSeq(stderr, "\n") {
		if !strings.HasPrefix(line, cmd+": ") || !strings.Contains(line, "方框") {
			continue
		}
		switch {
		case strings.Contains(line, "备注") && strings.Contains(line, "😀") && strings.Contains(line, "U+1F600"):
			found["remark"] = true
		case strings.Contains(line, "物品") && strings.Contains(line, "𠀀") && strings.Contains(line, "U+20000"):
			found["items"] = true
		}
	}
	if !found["remark"] || !found["items"] {
		t.Errorf("stderr lacks a %s line for each of 备注 😀 and 物品 𠀀 (found %v):\n%s", cmd, found, stderr)
	}
}

// TestLabelWarnsOfUndrawableCharacters: `shipdesk label` writes the label
// (boxes for what the font lacks), exits 0 and names each character and its
// field on stderr. A waybill number such a character is still refused.
func TestLabelWarnsOfUndrawableCharacters(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "label.png")
	code, stdout, stderr := runCLI(t, append([]string{"--data-dir", dir, "label", "--waybill", "ZT7512345678901", "--out", out}, glyphFlags...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	wantGlyphLines(t, "shipdesk label", stderr)
	if !strings.Contains(stdout, out) {
		t.Errorf("stdout %q does not name the file", stdout)
	}
	if v, err := labeltest.Code128(readPNG(t, out), image.Rectangle{}); err != nil || v != "ZT7512345678901" {
		t.Errorf("the label written: code 128 %q %v", v, err)
	}

	bad := filepath.Join(dir, "bad.png")
	code, _, stderr = runCLI(t, append([]string{"--data-dir", dir, "label", "--waybill", "ZT751234😀", "--out", bad}, glyphFlags...)...)
	if code == 0 {
		t.Errorf("a waybill number with 😀 made a label (stderr %q)", stderr)
	}
	if _, err := os.Stat(bad); err == nil {
		t.Error("a label was written for a waybill number with 😀")
	}
}

// TestOrderCreateAndPrintWarnOfUndrawableCharacters: `order create` ships
// such an order and `print` prints its label, each exiting 0 with the same
// lines on stderr.
func TestOrderCreateAndPrintWarnOfUndrawableCharacters(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runCLI(t, append([]string{"--data-dir", dir, "--sandbox", "order", "create"}, glyphFlags...)...)
	if code != 0 {
		t.Fatalf("order create: exit %d: %s", code, stderr)
	}
	wantGlyphLines(t, "shipdesk order", stderr)
	if !strings.Contains(stdout, " zhongtong sent") {
		t.Errorf("order create: stdout %q", stdout)
	}
	if pngs, _ := filepath.Glob(filepath.Join(dir, "labels", "*.png")); len(pngs) != 1 {
		t.Errorf("virtual printer wrote %v", pngs)
	}

	prn := filepath.Join(t.TempDir(), "out.prn")
	code, _, stderr = runCLI(t, append([]string{"--data-dir", t.TempDir(), "print", "--printer", printer.PathURI("file", prn), "--waybill", "ZT7512345678901"}, glyphFlags...)...)
	if code != 0 {
		t.Fatalf("print: exit %d: %s", code, stderr)
	}
	wantGlyphLines(t, "shipdesk print", stderr)
	if b, err := os.ReadFile(prn); err != nil || len(b) == 0 {
		t.Errorf("print wrote %d bytes (%v)", len(b), err)
	}
}
