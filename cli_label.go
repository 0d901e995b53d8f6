package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"shipdesk/assets/i18n"
	"shipdesk/printer"
	"shipdesk/printer/label"
	"shipdesk/printer/tspl"
	"shipdesk/shipping"
	"shipdesk/store"
)

// runLabel makes the label of an existing waybill from order flags or an
// order file, as a PNG preview or as TSPL/ZPL printer bytes, laid out as
// every label is (shipping.OrderLabel) with the default settings.
func runLabel(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	settings := store.DefaultSettings()
	f, err := parseLabelFlags(args, settings)
	if err != nil {
		return err
	}
	order, err := f.order.load(settings)
	if err != nil {
		return err
	}
	if order.Waybill == "" {
		return usagef(i18n.N("a label needs a waybill number: give --waybill N (the label of an existing waybill) or \"waybill\" in the order file; 'shipdesk order create' issues new waybills"))
	}
	ls := settings.Label
	ls.MaskPhones = ls.MaskPhones && !f.fullPhone
	l, warnings, err := shipping.OrderLabel(order, nil, ls, f.size, f.dpi, time.Now())
	if err != nil {
		return err
	}
	warnGlyphs(stderr, "shipdesk label", warnings)
	data, err := encodeLabel(l, f.format)
	if err != nil {
		return err
	}
	if err := writeOut(f.out, data, stdout); err != nil {
		return err
	}
	if f.out != "-" {
		fmt.Fprintf(stdout, "%s: %s\n", f.out, i18n.F("%s label %s mm, %d dpi, %d bytes", f.format, f.size, f.dpi, len(data)))
	}
	return nil
}

// labelFlags are the flags of shipdesk label, checked.
type labelFlags struct {
	order     orderFlags
	format    string // png, tspl or zpl
	size      label.Size
	dpi       int
	out       string
	fullPhone bool
}

// parseLabelFlags reads and checks the flags of shipdesk label; settings
// give the defaults.
func parseLabelFlags(args []string, settings store.Settings) (labelFlags, error) {
	var f labelFlags
	fs := flag.NewFlagSet("label", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f.order.register(fs)
	format := fs.String("format", "", "png, tspl or zpl (default: from --out's extension, else "+settings.Label.Format+")")
	sizeFlag := fs.String("size", settings.Label.Size, "label size: 76x130, 100x150 or 100x180")
	fs.IntVar(&f.dpi, "dpi", settings.Label.DPI, "print resolution: 203 or 300")
	fs.StringVar(&f.out, "out", "", "output file (- for standard output)")
	fs.BoolVar(&f.fullPhone, "full-phone", false, "print the recipient's phone in full instead of masked")
	if err := fs.Parse(args); err != nil {
		return f, flagUsage(err)
	}
	if fs.NArg() > 0 {
		return f, usagef(i18n.N("unexpected argument %q"), fs.Arg(0))
	}
	if f.out == "" {
		return f, usagef(i18n.N("give --out FILE (.png, .prn, .tspl or .zpl)"))
	}
	f.format = strings.ToLower(*format)
	if f.format == "" {
		f.format = formatFromExt(f.out, settings.Label.Format)
	}
	if f.format != "png" && f.format != "tspl" && f.format != "zpl" {
		return f, usagef(i18n.N("--format %q: want png, tspl or zpl"), *format)
	}
	size, err := label.ParseSize(*sizeFlag)
	if err != nil {
		return f, usagef(i18n.N("--size %q: want 76x130, 100x150 or 100x180"), *sizeFlag)
	}
	f.size = size
	if err := label.CheckDPI(f.dpi); err != nil {
		return f, usagef(i18n.N("--dpi %d: want 203 or 300"), f.dpi)
	}
	if !f.order.given() {
		return f, usagef(i18n.N("give --waybill N with the order flags, or --order FILE.json"))
	}
	return f, nil
}

// encodeLabel is l as a PNG picture or in a printer language (the
// printer's own settings: none).
func encodeLabel(l *label.Label, format string) ([]byte, error) {
	if format != "png" {
		return printer.Language(format).Encode(l, label.PrintSettings{})
	}
	img, err := label.Render(l)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("encode png: %w", err)
	}
	return b.Bytes(), nil
}

// warnGlyphs writes one line on stderr per order field holding characters
// the label prints as boxes; the label is made all the same.
func warnGlyphs(stderr io.Writer, cmd string, ws []shipping.GlyphWarning) {
	for _, w := range ws {
		fmt.Fprintf(stderr, "%s: %s\n", cmd, w.Message)
	}
}

// runRender is the virtual printer: TSPL or ZPL bytes to a PNG.
func runRender(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("render", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	out := fs.String("out", "", "PNG to write")
	format := fs.String("format", "", "tspl or zpl (default: sniffed from the bytes)")
	dpi := fs.Int("dpi", 0, "TSPL resolution, 203 or 300 (default: inferred)")
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return flagUsage(err)
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(files) != 1 {
		return usagef(i18n.N("give exactly one FILE.prn"))
	}
	if *out == "" {
		return usagef(i18n.N("give --out FILE.png"))
	}
	if *dpi != 0 {
		if err := label.CheckDPI(*dpi); err != nil {
			return usagef(i18n.N("--dpi %d: want 203 or 300"), *dpi)
		}
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		return err
	}
	lang := printer.SniffLanguage(data)
	if *format != "" {
		l, ok := printer.ParseLanguage(*format)
		if !ok {
			return usagef(i18n.N("--format %q: want tspl or zpl"), *format)
		}
		lang = l
	}
	if lang == "" {
		return i18n.Wrap(errors.New("neither ^XA nor SIZE in the file"), "Cannot tell whether %s is TSPL or ZPL: give --format tspl or --format zpl.", files[0])
	}
	im, err := renderJob(lang, data, *dpi)
	if err != nil {
		return fmt.Errorf("%s: %w", files[0], err)
	}
	return writePNG(*out, im, stdout)
}

// renderJob is the virtual printer of lang drawing data; a TSPL job at dpi
// (0: inferred from the job).
func renderJob(lang printer.Language, data []byte, dpi int) (*image.Gray, error) {
	if lang == printer.TSPL {
		return tspl.RenderDPI(data, dpi)
	}
	return lang.Render(data)
}

func writePNG(path string, img *image.Gray, stdout io.Writer) error {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return fmt.Errorf("encode png: %w", err)
	}
	if err := writeOut(path, b.Bytes(), stdout); err != nil {
		return err
	}
	if path != "-" {
		fmt.Fprintf(stdout, "%s: %s\n", path, i18n.F("%dx%d dots", img.Rect.Dx(), img.Rect.Dy()))
	}
	return nil
}

// writeOut writes data to path, or to stdout for "-".
func writeOut(path string, data []byte, stdout io.Writer) error {
	if path == "-" {
		_, err := stdout.Write(data)
		return err
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// formatFromExt picks the label format from the output file's extension.
func formatFromExt(path, def string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png":
		return "png"
	case ".zpl":
		return "zpl"
	case ".tspl", ".tsc":
		return "tspl"
	}
	return def
}
