package printer

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseWinspoolURI(t *testing.T) {
	tests := []struct {
		in   string
		want URI
	}{
		{"winspool://LABEL", URI{Scheme: "winspool", Printer: "LABEL"}},
		{"WINSPOOL://TSC%20TTP-244%20Pro", URI{Scheme: "winspool", Printer: "TSC TTP-244 Pro"}},
		{"winspool://ZDesigner%20GK888t%20(EPL)?lang=zpl&timeout=20s", URI{Scheme: "winspool", Printer: "ZDesigner GK888t (EPL)", Language: "zpl", Timeout: 20 * time.Second}},
		{"winspool://%5C%5CFRONTDESK%5CXprinter%20XP-365B", URI{Scheme: "winspool", Printer: `\\FRONTDESK\Xprinter XP-365B`}},
		{"winspool://得力DL-888D", URI{Scheme: "winspool", Printer: "得力DL-888D"}},
		{"winspool://%E5%BE%97%E5%8A%9B%20DL-888D", URI{Scheme: "winspool", Printer: "得力 DL-888D"}},
		{"winspool://Label%3F%2350%25", URI{Scheme: "winspool", Printer: "Label?#50%"}},
	}
	for _, tt := range tests {
		got, err := ParseURI(tt.in)
		if err != nil {
			t.Errorf("ParseURI(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseURI(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
		again, err := ParseURI(got.String())
		if err != nil || again != got {
			t.Errorf("round trip of %q via %q: %+v, %v", tt.in, got.String(), again, err)
		}
	}
	if s := WinspoolURI("TSC TTP-244 Pro"); s != "winspool://TSC%20TTP-244%20Pro" {
		t.Errorf("WinspoolURI = %q", s)
	}
	if s := WinspoolURI("得力 DL-888D"); s != "winspool://得力%20DL-888D" {
		t.Errorf("WinspoolURI keeps Chinese readable: got %q", s)
	}
}

func TestParseWinspoolURIErrors(t *testing.T) {
	tests := []struct{ in, mention string }{
		{"winspool://", "no printer name"},
		{"winspool://?lang=zpl", "no printer name"},
		{"winspool://A%2", "escaped"},
		{"winspool://A#b", "%23"},
		{"winspool://A?lang=epl", "lang="},
		{"winspool://A?timeout=soon", "timeout="},
		{"winspool://A?copies=2", "unknown option"},
		{"winspool://A%0AB", "control character"},
		{"winspool://%FF", "UTF-8"},
		{"winspool://" + strings.Repeat("x", 300), "longer"},
	}
	for _, tt := range tests {
		_, err := ParseURI(tt.in)
		if err == nil {
			t.Errorf("ParseURI(%q): no error", tt.in)
			continue
		}
		if !errors.Is(err, ErrBadURI) || !strings.HasPrefix(err.Error(), "printer address") || !strings.Contains(err.Error(), tt.mention) {
			t.Errorf("ParseURI(%q) = %q, want ErrBadURI mentioning %q", tt.in, err, tt.mention)
		}
	}
}

func FuzzParseWinspoolURI(f *testing.F) {
	for _, s := range []string{"winspool://LABEL", "winspool://TSC%20TTP-244?lang=tspl", "winspool://%5C%5Cpc%5Cq", "winspool://得力?timeout=3s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseURI("winspool://" + s)
		if err != nil {
			if !errors.Is(err, ErrBadURI) {
				t.Fatalf("error %v does not wrap ErrBadURI", err)
			}
			return
		}
		again, err := ParseURI(u.String())
		if err != nil || again != u {
			t.Fatalf("round trip of %q via %q: %+v, %v", s, u.String(), again, err)
		}
	})
}

func TestLanguageFromDriver(t *testing.T) {
	for driver, want := range map[string]string{
		"TSC TTP-244 Pro": "tspl", "Xprinter XP-365B": "tspl", "Gprinter GP-1324D": "tspl",
		"Deli DL-888D": "tspl", "Godex G500": "tspl", "得力DL-888B": "tspl",
		"ZDesigner GK888t (EPL)": "zpl", "Zebra ZD421-203dpi ZPL": "zpl",
		"Microsoft Print to PDF": "", "Wine PostScript Driver": "", "": "",
	} {
		if got := LanguageFromDriver(driver); got != Language(want) {
			t.Errorf("LanguageFromDriver(%q) = %q, want %q", driver, got, want)
		}
	}
}

func TestWinspoolStatus(t *testing.T) {
	tests := []struct {
		status, attrs uint32
		want          Status
	}{
		{0, 0, Ready},
		{psPrinting, 0, Printing},
		{psPaused, 0, Paused},
		{psPaperOut | psPaused, 0, PaperOut},
		{psDoorOpen | psPaperOut, 0, HeadOpen},
		{psPaperJam, 0, PaperJam},
		{psError, 0, Fault},
		{psUserIntervention, 0, Fault},
		{psOffline, 0, Offline},
		{psNotAvailable, 0, Offline},
		{0, paWorkOffline, Offline},
		{psPaused, paWorkOffline, Paused},
	}
	for _, tt := range tests {
		if got := winspoolStatus(tt.status, tt.attrs); got != tt.want {
			t.Errorf("winspoolStatus(%#x, %#x) = %v, want %v", tt.status, tt.attrs, got, tt.want)
		}
	}
}

func TestJobOutcome(t *testing.T) {
	tests := []struct {
		status uint32
		done   bool
		stuck  Status
	}{
		{0, false, Unknown},
		{0x08 /* spooling */, false, Unknown},
		{0x10 /* printing */, false, Unknown},
		{jsPrinted, true, Unknown},
		{jsComplete | jsPrinted, true, Unknown},
		{jsPaperOut, false, PaperOut},
		{jsOffline | jsError, false, Offline},
		{jsError, false, Fault},
		{jsBlockedDevQ, false, Fault},
		{jsDeleted, false, Fault},
		{jsPaused, false, Paused},
	}
	for _, tt := range tests {
		done, stuck := jobOutcome(tt.status)
		if done != tt.done || stuck != tt.stuck {
			t.Errorf("jobOutcome(%#x) = %v, %v; want %v, %v", tt.status, done, stuck, tt.done, tt.stuck)
		}
	}
}

func TestUSBOnWindowsAdvice(t *testing.T) {
	err := error(&usbOnWindowsError{printers: []string{"TSC TTP-244 Pro", "Microsoft Print to PDF"}})
	if !errors.Is(err, ErrUSBNotBuilt) {
		t.Errorf("%v does not wrap ErrUSBNotBuilt", err)
	}
	d := Describe(err)
	for _, want := range []string{"Windows", "winspool://", "驱动", "打印机"} {
		if !strings.Contains(d, want) {
			t.Errorf("Describe = %q, want it to mention %q", d, want)
		}
	}
	if !strings.Contains(err.Error(), "TSC TTP-244 Pro") {
		t.Errorf("the log line %q does not list the installed printers", err)
	}
}

func TestPathURI(t *testing.T) {
	dir := t.TempDir()
	for _, scheme := range []string{"file", "virtual"} {
		u, err := ParseURI(PathURI(scheme, dir))
		if err != nil || u.Scheme != scheme || u.Path != dir {
			t.Errorf("ParseURI(PathURI(%s, %q)) = %+v, %v; want the path back", scheme, dir, u, err)
		}
	}
}
