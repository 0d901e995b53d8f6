package printer

import (
	"bytes"
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

// SniffLanguage guesses the language of a job from its bytes, for the
// queue, the virtual printer and `shipdesk render`/`print FILE.prn`: ZPL
// if it starts (after whitespace) with a ^ or ~ command, TSPL if it starts
// with a TSPL command or <ESC>!; failing that, ZPL if ^XA appears in its
// first 4 KiB and TSPL if a line there starts with SIZE; "" otherwise.
func SniffLanguage(job []byte) Language {
	if l := sniffFirstCommand(job); l != "" {
		return l
	}
	head := job[:min(len(job), 4096)]
	if bytes.Contains(head, []byte("^XA")) || bytes.Contains(head, []byte("^xa")) {
		return ZPL
	}
	up := bytes.ToUpper(head)
	if bytes.HasPrefix(bytes.TrimSpace(up), []byte("SIZE ")) || bytes.Contains(up, []byte("\nSIZE ")) {
		return TSPL
	}
	return ""
}

// sniffFirstCommand is the language of a job's first command, if known.
func sniffFirstCommand(job []byte) Language {
	s := strings.TrimLeft(string(job[:min(len(job), 256)]), " \t\r\n\x00")
	switch {
	case strings.HasPrefix(s, "^") || strings.HasPrefix(s, "~"):
		return ZPL
	case s == "":
		return ""
	}
	word, _, _ := strings.Cut(s, " ")
	word, _, _ = strings.Cut(word, "\r")
	word, _, _ = strings.Cut(word, "\n")
	switch strings.ToUpper(word) {
	case "SIZE", "GAP", "BLINE", "DIRECTION", "REFERENCE", "CLS", "SPEED", "DENSITY", "SET", "CODEPAGE", "OFFSET", "SHIFT", "PRINT", "BITMAP", "BAR", "BOX", "TEXT", "BARCODE", "QRCODE":
		return TSPL
	}
	if s[0] == 0x1b && len(s) > 1 && s[1] == '!' {
		return TSPL
	}
	return ""
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
