package printer

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"shipdesk/assets/i18n"
)

// Status is what a printer reports about itself.
type Status int

// Printer states. Unknown is the zero value: the printer did not answer, or
// cannot answer (one-way USB, file, most serial wiring).
const (
	Unknown   Status = iota
	Ready            // idle and ready
	Printing         // busy with a job, no error
	Paused           // paused by the pause key or a command
	PaperOut         // out of labels
	HeadOpen         // print head (or cover) open
	PaperJam         // labels jammed
	RibbonOut        // out of ribbon (thermal transfer)
	Fault            // some other error (temperature, cutter, memory)
	Offline          // not reachable at all
)

var statusNames = [...]string{
	Unknown: "unknown", Ready: "ready", Printing: "printing", Paused: "paused",
	PaperOut: "paper out", HeadOpen: "head open", PaperJam: "paper jam",
	RibbonOut: "ribbon out", Fault: "error", Offline: "offline",
}

// statusText is the short name a person reads, as a catalogue key.
var statusText = [...]string{
	Unknown: i18n.N("Status unknown"), Ready: i18n.N("Ready"), Printing: i18n.N("Printing"), Paused: i18n.N("Paused"),
	PaperOut: i18n.N("Out of paper"), HeadOpen: i18n.N("Head open"), PaperJam: i18n.N("Paper jam"),
	RibbonOut: i18n.N("Out of ribbon"), Fault: i18n.N("Printer fault"), Offline: i18n.N("Not connected"),
}

// statusAdvice is the sentence telling a clerk what to do, as a catalogue
// key.
var statusAdvice = [...]string{
	Unknown:   i18n.N("The printer did not report its state; please look at its lights."),
	Ready:     i18n.N("The printer is ready."),
	Printing:  i18n.N("The printer is printing; please wait."),
	Paused:    i18n.N("The printer is paused: press its pause/feed key, then try again."),
	PaperOut:  i18n.N("The printer is out of labels: load labels, then press Retry."),
	HeadOpen:  i18n.N("The print head or cover is open: close it, then press Retry."),
	PaperJam:  i18n.N("Labels are jammed: take out the stuck labels, reload, then press Retry."),
	RibbonOut: i18n.N("The ribbon has run out: change the ribbon, then press Retry."),
	Fault:     i18n.N("The printer reports a fault: switch it off for a few seconds and on again, then press Retry."),
	Offline:   i18n.N("The printer is not connected or not switched on: check its power and cable."),
}

// Statuses lists every state, Unknown first.
func Statuses() []Status {
	out := make([]Status, 0, len(statusNames))
	for s := range statusNames {
		out = append(out, Status(s))
	}
	return out
}

// String is the English name used in logs and --json output.
func (s Status) String() string {
	if s < 0 || int(s) >= len(statusNames) {
		return "unknown"
	}
	return statusNames[s]
}

// Text is the short name a person reads, in the app's language (i18n).
func (s Status) Text() string { return i18n.T(s.textKey()) }

// Chinese is the short Chinese name (the --json output's statusText).
func (s Status) Chinese() string {
	zh, _ := i18n.Lookup("zh", s.textKey())
	return zh
}

func (s Status) textKey() string {
	if s < 0 || int(s) >= len(statusText) {
		return statusText[Unknown]
	}
	return statusText[s]
}

// Advice is the sentence telling a clerk what to do, in the app's language.
func (s Status) Advice() string { return i18n.T(s.adviceKey()) }

func (s Status) adviceKey() string {
	if s < 0 || int(s) >= len(statusAdvice) {
		return statusAdvice[Unknown]
	}
	return statusAdvice[s]
}

// Blocking reports whether a job sent now would not print (or would print
// later, unattended, once someone fixes the printer). The queue does not send
// to a printer in a blocking state.
func (s Status) Blocking() bool {
	switch s {
	case Paused, PaperOut, HeadOpen, PaperJam, RibbonOut, Fault:
		return true
	}
	return false
}

// ParseTSPLStatus decodes the one-byte reply to TSPL <ESC>!? (printers.md
// §1.4): bit0 head open, bit1 paper jam, bit2 paper out, bit3 ribbon out,
// bit4 paused, bit5 printing, bit6 cover open, bit7 other error. When several
// bits are set the one a clerk must fix first wins.
func ParseTSPLStatus(b byte) Status {
	switch {
	case b&0x01 != 0, b&0x40 != 0:
		return HeadOpen
	case b&0x02 != 0:
		return PaperJam
	case b&0x04 != 0:
		return PaperOut
	case b&0x08 != 0:
		return RibbonOut
	case b&0x80 != 0:
		return Fault
	case b&0x10 != 0:
		return Paused
	case b&0x20 != 0:
		return Printing
	}
	return Ready
}

// errShortHostStatus marks a ~HS reply that has not (yet) got both of the
// lines that carry the flags.
var errShortHostStatus = errors.New("zpl host status: incomplete reply")

// ParseZPLHostStatus decodes the reply to ZPL ~HS (printers.md §2.4): up to
// three <STX>...<ETX><CR><LF> lines of comma-separated fields. Line 1 field 2
// is paper out and field 3 pause; line 2 field 3 is head up and field 4
// ribbon out; a non-zero count of formats in the buffer (line 1 field 5)
// means printing. It needs the first two lines and returns an error for
// anything else.
func ParseZPLHostStatus(b []byte) (Status, error) {
	lines := hostStatusLines(b)
	if len(lines) < 2 {
		return Unknown, errShortHostStatus
	}
	l1 := strings.Split(lines[0], ",")
	l2 := strings.Split(lines[1], ",")
	if len(l1) < 12 || len(l2) < 11 {
		return Unknown, fmt.Errorf("zpl host status: %d and %d fields, want 12 and 11", len(l1), len(l2))
	}
	flag := func(field, name string) (bool, error) {
		switch strings.TrimSpace(field) {
		case "0":
			return false, nil
		case "1":
			return true, nil
		}
		return false, fmt.Errorf("zpl host status: %s flag %q is not 0 or 1", name, field)
	}
	paperOut, err := flag(l1[1], "paper out")
	if err != nil {
		return Unknown, err
	}
	pause, err := flag(l1[2], "pause")
	if err != nil {
		return Unknown, err
	}
	headUp, err := flag(l2[2], "head up")
	if err != nil {
		return Unknown, err
	}
	ribbonOut, err := flag(l2[3], "ribbon out")
	if err != nil {
		return Unknown, err
	}
	formats, err := strconv.Atoi(strings.TrimSpace(l1[4]))
	if err != nil || formats < 0 {
		return Unknown, fmt.Errorf("zpl host status: formats in buffer %q is not a count", l1[4])
	}
	switch {
	case headUp:
		return HeadOpen, nil
	case paperOut:
		return PaperOut, nil
	case ribbonOut:
		return RibbonOut, nil
	case pause:
		return Paused, nil
	case formats > 0:
		return Printing, nil
	}
	return Ready, nil
}

// hostStatusLines returns the text of each complete <STX>...<ETX> frame.
func hostStatusLines(b []byte) []string {
	var lines []string
	for {
		start := bytes.IndexByte(b, 0x02)
		if start < 0 {
			return lines
		}
		end := bytes.IndexByte(b[start+1:], 0x03)
		if end < 0 {
			return lines
		}
		lines = append(lines, string(b[start+1:start+1+end]))
		b = b[start+1+end+1:]
	}
}
