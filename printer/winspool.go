package printer

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"shipdesk/assets/i18n"
)

// Printing through the Windows print spooler (winspool://NAME).
//
// On the clinic's Windows PCs the label printers are installed with their
// vendors' drivers; the spooler owns the USB (or COM, or network) port, and
// every Windows label tool sends its TSPL/ZPL as one RAW document to the
// printer's Windows name. The calls live in winspool_windows.go; this file
// holds what every platform can parse and test: the address, the language a
// driver name implies and the meaning of the spooler's status bits.

// ErrNotWindows says a winspool:// printer was opened outside Windows.
var ErrNotWindows = errors.New("winspool printers exist only on Windows")

// parseWinspool reads the part of "winspool://NAME[?lang=..&timeout=..]"
// after the scheme. NAME is the printer's Windows name, URL-escaped
// (space = %20, backslash = %5C for \\server\share connections); url.Parse
// cannot be used because it refuses escaped spaces in a host.
func parseWinspool(s, rest string) (URI, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("printer address %q: %s: %w", s, fmt.Sprintf(format, a...), ErrBadURI)
	}
	rawName, rawQuery, _ := strings.Cut(rest, "?")
	if strings.Contains(rawName, "#") {
		return URI{}, bad("write # in a printer name as %%23")
	}
	name, err := url.PathUnescape(rawName)
	if err != nil {
		return URI{}, bad("the printer name is not escaped correctly (%v); write a space as %%20", err)
	}
	switch {
	case name == "":
		return URI{}, bad("no printer name; write winspool://NAME with the printer's name from Windows Settings > Printers (space = %%20)")
	case !utf8.ValidString(name):
		return URI{}, bad("the printer name is not valid UTF-8")
	case strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return URI{}, bad("the printer name contains a control character")
	case len(name) > 259:
		return URI{}, bad("the printer name is longer than Windows allows")
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return URI{}, bad("%v", err)
	}
	out := URI{Scheme: "winspool", Printer: name}
	for k, v := range q {
		switch k {
		case "lang":
			lang := strings.ToLower(v[0])
			if lang != "tspl" && lang != "zpl" {
				return URI{}, bad("lang=%s: use lang=tspl or lang=zpl", v[0])
			}
			out.Language = Language(lang)
		case "timeout":
			d, err := time.ParseDuration(v[0])
			if err != nil || d <= 0 {
				return URI{}, bad("timeout=%s: use a duration like 30s", v[0])
			}
			out.Timeout = d
		default:
			return URI{}, bad("unknown option %q", k)
		}
	}
	return out, nil
}

// winspoolEscape writes a printer name for a winspool:// address: the bytes
// that mean something in an address (space, %, ?, #, /, \ and other ASCII
// punctuation outside the unreserved set) are %-escaped; letters, digits
// and non-ASCII text (Chinese names) stay readable.
func winspoolEscape(name string) string {
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 0x80, 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '.', c == '~', c == '(', c == ')':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// WinspoolURI is the address of the Windows printer called name.
func WinspoolURI(name string) string { return "winspool://" + winspoolEscape(name) }

// LanguageFromDriver guesses the printer language from a Windows driver
// name: the TSC family and its Chinese clones (TSC, Xprinter, Gprinter,
// Deli, Godex, HPRT, iDPRT) speak TSPL; Zebra's drivers (ZDesigner, Zebra)
// speak ZPL. "" when the name says nothing.
func LanguageFromDriver(driver string) Language {
	d := strings.ToLower(driver)
	// Brand names are matched as words ("TSC TTP-244", "TSC244"), not
	// inside others ("PostScript" holds "tsc").
	words := strings.FieldsFunc(d, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) || r >= 0x2e80 })
	brand := func(names ...string) bool {
		for _, w := range words {
			for _, n := range names {
				if rest, ok := strings.CutPrefix(w, n); ok && (rest == "" || !unicode.IsLetter(rune(rest[0]))) {
					return true
				}
			}
		}
		return false
	}
	switch {
	case brand("zdesigner", "zebra"):
		return "zpl"
	case brand("tsc", "xprinter", "gprinter", "deli", "godex", "hprt", "idprt"),
		strings.Contains(d, "得力"), strings.Contains(d, "佳博"), strings.Contains(d, "芯烨"):
		return "tspl"
	}
	return ""
}

// Spooler status bits of PRINTER_INFO_2.Status and the WORK_OFFLINE bit of
// its Attributes (winspool.h).
const (
	psPaused           = 0x00000001
	psError            = 0x00000002
	psPendingDeletion  = 0x00000004
	psPaperJam         = 0x00000008
	psPaperOut         = 0x00000010
	psPaperProblem     = 0x00000040
	psOffline          = 0x00000080
	psBusy             = 0x00000200
	psPrinting         = 0x00000400
	psNotAvailable     = 0x00001000
	psProcessing       = 0x00004000
	psNoToner          = 0x00040000
	psUserIntervention = 0x00100000
	psOutOfMemory      = 0x00200000
	psDoorOpen         = 0x00400000
	psServerUnknown    = 0x00800000

	paWorkOffline = 0x00000400
)

// winspoolStatus maps the spooler's view of a printer to a Status. The
// spooler only knows what the driver's port monitor tells it (many label
// printer drivers report nothing), so Ready means "nothing known against
// printing". Offline here means the spooler would hold the job: the queue
// must not hand it one (see winspoolDevice.Print).
func winspoolStatus(status, attrs uint32) Status {
	switch {
	case status&psDoorOpen != 0:
		return HeadOpen
	case status&psPaperJam != 0:
		return PaperJam
	case status&psPaperOut != 0:
		return PaperOut
	case status&(psError|psPaperProblem|psNoToner|psUserIntervention|psOutOfMemory|psPendingDeletion) != 0:
		return Fault
	case status&psPaused != 0:
		return Paused
	case status&(psOffline|psNotAvailable|psServerUnknown) != 0, attrs&paWorkOffline != 0:
		return Offline
	case status&(psPrinting|psBusy|psProcessing) != 0:
		return Printing
	}
	return Ready
}

// Job status bits of JOB_INFO_1.Status (winspool.h).
const (
	jsPaused           = 0x00000001
	jsError            = 0x00000002
	jsDeleting         = 0x00000004
	jsOffline          = 0x00000020
	jsPaperOut         = 0x00000040
	jsPrinted          = 0x00000080
	jsDeleted          = 0x00000100
	jsBlockedDevQ      = 0x00000200
	jsUserIntervention = 0x00000400
	jsComplete         = 0x00001000
)

// jobOutcome reads a spooled job's status: done (printed, or handed to the
// port), a Status that stops it (the job is stuck in the spooler), or
// neither yet (still spooling or printing).
func jobOutcome(status uint32) (done bool, stuck Status) {
	switch {
	case status&(jsPrinted|jsComplete) != 0:
		return true, Unknown
	case status&jsPaperOut != 0:
		return false, PaperOut
	case status&jsOffline != 0:
		return false, Offline
	case status&(jsError|jsBlockedDevQ|jsUserIntervention|jsDeleting|jsDeleted) != 0:
		return false, Fault
	case status&jsPaused != 0:
		return false, Paused
	}
	return false, Unknown
}

// usbOnWindowsError is what usb:// gives on Windows: the vendor's driver
// owns the printer there, and it is printed to by its Windows name.
type usbOnWindowsError struct{ printers []string }

func (e *usbOnWindowsError) Error() string {
	msg := "usb:// is not used on Windows: print to the printer's Windows name, winspool://NAME"
	if len(e.printers) > 0 {
		msg += " (installed: " + strings.Join(e.printers, ", ") + ")"
	}
	return msg
}

func (e *usbOnWindowsError) Unwrap() error { return ErrUSBNotBuilt }

// usbOnWindowsKey is the sentence a clerk reads for usb:// on Windows.
var usbOnWindowsKey = i18n.N("On Windows a USB label printer is used by its Windows name: install the printer maker's driver, then choose the printer's Windows name in Printers (winspool://NAME).")
