package printer

import (
	"fmt"
	"image"
	"strings"

	"shipdesk/printer/label"
	"shipdesk/printer/tspl"
	"shipdesk/printer/zpl"
)

// Language is a label printer's command language. It knows its encoder,
// its media calibration, its virtual printer and how to ask a printer for
// its status. The zero value is no language chosen.
type Language string

// The languages Shipdesk drives.
const (
	TSPL Language = "tspl"
	ZPL  Language = "zpl"
)

// Languages lists every language, the default first.
func Languages() []Language { return []Language{TSPL, ZPL} }

// ParseLanguage reads a language name ("tspl", "TSPL2", "zpl"); false when
// it is none of them.
func ParseLanguage(s string) (Language, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "tspl", "tspl2":
		return TSPL, true
	case "zpl", "zpl2", "zplii":
		return ZPL, true
	}
	return "", false
}

// LanguageOr is ParseLanguage(s), or def when s names no language.
func LanguageOr(s string, def Language) Language {
	if l, ok := ParseLanguage(s); ok {
		return l
	}
	return def
}

// Or is l, or def when l is no language.
func (l Language) Or(def Language) Language {
	if l == "" {
		return def
	}
	return l
}

// String is the name stored in settings and jobs ("tspl", "zpl").
func (l Language) String() string { return string(l) }

// Encode turns a laid-out label into this language's bytes.
func (l Language) Encode(lb *label.Label, p label.PrintSettings) ([]byte, error) {
	switch l {
	case TSPL:
		return tspl.Encode(lb, p)
	case ZPL:
		return zpl.Encode(lb, p)
	}
	return nil, fmt.Errorf("encode label in %q: %w", string(l), ErrUnsupportedLanguage)
}

// Calibrate returns the job that makes the printer measure its media as p
// says (gap, black mark or continuous) for labels of size (zero: keep the
// printer's): TSPL SIZE, GAP or BLINE and AUTODETECT; ZPL ^MN and ~JC.
func (l Language) Calibrate(p label.PrintSettings, size label.Size) ([]byte, error) {
	switch l {
	case TSPL:
		return tspl.Calibrate(p, size), nil
	case ZPL:
		return zpl.Calibrate(p), nil
	}
	return nil, fmt.Errorf("calibrate in %q: %w", string(l), ErrUnsupportedLanguage)
}

// Render is the virtual printer: it draws a job as a printer of this
// language just switched on would print it.
func (l Language) Render(job []byte) (*image.Gray, error) {
	switch l {
	case TSPL:
		return tspl.Render(job)
	case ZPL:
		return zpl.Render(job)
	}
	return nil, fmt.Errorf("render %q job: %w", string(l), ErrUnsupportedLanguage)
}

// StatusQuery is the bytes that ask a printer of this language how it is
// (TSPL <ESC>!?, ZPL ~HS); TSPL for no language.
func (l Language) StatusQuery() []byte {
	if l == ZPL {
		return []byte("~HS")
	}
	return []byte{0x1b, '!', '?'}
}

// parseStatus reads a status answer collected so far: done is false while
// more bytes are needed.
func (l Language) parseStatus(got []byte) (st Status, done bool) {
	if l != ZPL {
		if len(got) == 0 {
			return Unknown, false
		}
		return ParseTSPLStatus(got[len(got)-1]), true
	}
	st, err := ParseZPLHostStatus(got)
	switch {
	case err == nil:
		return st, true
	case err == errShortHostStatus:
		return Unknown, false
	}
	return Unknown, true
}
