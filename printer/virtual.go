package printer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
)

// renderFunc draws a job in the given language (tspl or zpl) as the printer
// would print it.
type renderFunc func(lang Language, job []byte) (*image.Gray, error)

// virtualPrinter is the demo printer: each job is rendered to
// label-N.png in its folder (N one more than the highest there), and the
// raw bytes are kept beside it as label-N.prn. Its firmware keeps state
// from job to job like a real printer's while it is open.
type virtualPrinter struct {
	u      URI
	render renderFunc
}

func openVirtual(u URI) (*virtualPrinter, error) {
	fi, err := os.Stat(u.Path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(u.Path, 0o755); err != nil {
			return nil, fmt.Errorf("open virtual printer: %w", classifyFileErr(err))
		}
	} else if err != nil {
		return nil, fmt.Errorf("open virtual printer: %w", classifyFileErr(err))
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("open virtual printer: %s is a file, not a folder: %w", u.Path, ErrBadURI)
	}
	fw := &firmware{}
	return &virtualPrinter{u: u, render: fw.render}, nil
}

func (p *virtualPrinter) Info() Info {
	return Info{URI: p.u.String(), Name: "虚拟打印机 " + p.u.Path, Model: "virtual", Language: p.u.Language, Transport: "virtual"}
}

func (p *virtualPrinter) Close() error { return nil }

// Status is Ready while the folder exists.
func (p *virtualPrinter) Status(ctx context.Context) (Status, error) {
	if fi, err := os.Stat(p.u.Path); err != nil || !fi.IsDir() {
		return Offline, nil
	}
	return Ready, nil
}

// Print renders the job (language from ?lang= or sniffed from the bytes)
// and writes the PNG. A job it cannot draw is an error, like a real
// printer printing garbage would be.
func (p *virtualPrinter) Print(ctx context.Context, job []byte) error {
	lang := p.u.Language
	if s := SniffLanguage(job); s != "" {
		lang = s
	}
	if lang == "" {
		return fmt.Errorf("virtual printer: job is neither TSPL nor ZPL: %w", ErrUnsupportedLanguage)
	}
	img, err := p.render(lang, job)
	if err != nil {
		return fmt.Errorf("virtual printer: render %s: %w", lang, err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return fmt.Errorf("virtual printer: encode png: %w", err)
	}
	n, err := nextNumbered(p.u.Path, "label-", ".png")
	if err != nil {
		return err
	}
	base := filepath.Join(p.u.Path, fmt.Sprintf("label-%d", n))
	if err := writeAtomic(base+".prn", job); err != nil {
		return err
	}
	return writeAtomic(base+".png", buf.Bytes())
}
