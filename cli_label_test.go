package main

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"shipdesk/printer/label/labeltest"
)

func readPNG(t *testing.T, path string) *image.Gray {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	g, ok := img.(*image.Gray)
	if !ok {
		t.Fatalf("%s is %T, not gray", path, img)
	}
	return g
}

// TestLabelThenRender runs `shipdesk label` to PNG, TSPL and ZPL and `shipdesk
// render` on the printer bytes, and requires the same picture every way.
func TestLabelThenRender(t *testing.T) {
	dir := t.TempDir()
	g := &globals{DataDir: dir}
	order := filepath.Join(dir, "order.json")
	if err := os.WriteFile(order, []byte(`{"reference":"PJ1","recipient":{"name":"王珺","phone":"13700001111","address":"天津市河西区友谊路32号"},"carrier":"zhongtong","items":"眼镜 1副","waybill":"ZT7512345678901"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	var out, errb bytes.Buffer
	for _, size := range []string{"76x130", "100x150"} {
		pngPath := filepath.Join(dir, size+".png")
		if err := runLabel(ctx, g, []string{"--order", order, "--size", size, "--format", "png", "--out", pngPath}, &out, &errb); err != nil {
			t.Fatal(err)
		}
		preview := readPNG(t, pngPath)
		if v, err := labeltest.Code128(preview, image.Rectangle{}); err != nil || v != "ZT7512345678901" {
			t.Errorf("%s preview code 128: %q %v", size, v, err)
		}
		if v, err := labeltest.QR(preview, image.Rectangle{}); err != nil || v != "ZT7512345678901" {
			t.Errorf("%s preview qr: %q %v", size, v, err)
		}
		for _, f := range []string{"tspl", "zpl"} {
			prn := filepath.Join(dir, size+"."+f+".prn")
			// The flags may also name the waybill directly.
			args := []string{"--waybill", "ZT7512345678901", "--carrier", "zhongtong", "--to-name", "王珺", "--to-phone", "13700001111",
				"--to-addr", "天津市河西区友谊路32号", "--items", "眼镜 1副", "--reference", "PJ1", "--size", size, "--format", f, "--out", prn}
			if err := runLabel(ctx, g, args, &out, &errb); err != nil {
				t.Fatal(err)
			}
			got := filepath.Join(dir, size+"."+f+".png")
			if err := runRender(ctx, g, []string{prn, "--out", got}, &out, &errb); err != nil {
				t.Fatal(err)
			}
			n, box, err := labeltest.Diff(preview, readPNG(t, got))
			if err != nil {
				t.Fatal(err)
			}
			// The print time is taken at each run and may tick over a
			// minute between them; allow only that small text to differ.
			if n > 0 && (box.Dx() > 300 || box.Dy() > 40) {
				t.Errorf("%s %s: %d dots differ in %v", size, f, n, box)
			}
		}
	}
}

func TestLabelUsage(t *testing.T) {
	dir := t.TempDir()
	g := &globals{DataDir: dir}
	ctx := t.Context()
	var out, errb bytes.Buffer
	for _, args := range [][]string{
		{"--to-name", "王芳", "--out", filepath.Join(dir, "x.png")}, // no waybill
		{"--waybill", "YT1"}, // no --out
		{"--waybill", "YT1", "--out", "x.png", "--size", "80x80"},
		{"--waybill", "YT1", "--out", "x.png", "--dpi", "600"},
		{"--waybill", "YT1", "--out", "x.bin", "--format", "pdf"},
	} {
		err := runLabel(ctx, g, args, &out, &errb)
		var ue *usageError
		if !errors.As(err, &ue) {
			t.Errorf("%v: want a usage error, got %v", args, err)
		}
		if args[0] == "--to-name" && (err == nil || !strings.Contains(err.Error(), "--waybill")) {
			t.Errorf("no-waybill error should say to give --waybill: %v", err)
		}
	}
	bad := filepath.Join(dir, "bad.prn")
	os.WriteFile(bad, []byte("hello"), 0o644)
	if err := runRender(ctx, g, []string{bad, "--out", filepath.Join(dir, "o.png")}, &out, &errb); err == nil {
		t.Error("render of unknown bytes succeeded")
	}
	if err := runRender(ctx, g, []string{"--out", "o.png"}, &out, &errb); !errors.As(err, new(*usageError)) {
		t.Errorf("render without a file: want usage error, got %v", err)
	}
}
