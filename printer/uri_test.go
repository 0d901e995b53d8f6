package printer

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseURI(t *testing.T) {
	tests := []struct {
		in   string
		want URI
	}{
		{"usb://", URI{Scheme: "usb"}},
		{"USB://1203:0230", URI{Scheme: "usb", VendorID: 0x1203, ProductID: 0x0230}},
		{"usb://0a5f:00d1?serial=XXQ123", URI{Scheme: "usb", VendorID: 0x0a5f, ProductID: 0x00d1, Serial: "XXQ123"}},
		{"serial:///dev/ttyUSB0?baud=115200", URI{Scheme: "serial", Path: "/dev/ttyUSB0", Baud: 115200, DataBits: 8, Parity: "none", StopBits: "1"}},
		{"serial:///dev/ttyS1", URI{Scheme: "serial", Path: "/dev/ttyS1", Baud: 9600, DataBits: 8, Parity: "none", StopBits: "1"}},
		{"serial://COM3?baud=9600&parity=even&databits=7&stopbits=2", URI{Scheme: "serial", Path: "COM3", Baud: 9600, DataBits: 7, Parity: "even", StopBits: "2"}},
		{"tcp://192.168.1.50", URI{Scheme: "tcp", Addr: "192.168.1.50:9100"}},
		{"tcp://printer.local:6101?lang=zpl&timeout=3s", URI{Scheme: "tcp", Addr: "printer.local:6101", Language: "zpl", Timeout: 3 * time.Second}},
		{"tcp://[fe80::1]:9100", URI{Scheme: "tcp", Addr: "[fe80::1]:9100"}},
		{"file:///tmp/out.prn", URI{Scheme: "file", Path: filepath.FromSlash("/tmp/out.prn")}},
		{"virtual:///var/labels?lang=tspl", URI{Scheme: "virtual", Path: filepath.FromSlash("/var/labels"), Language: "tspl"}},
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
			t.Errorf("ParseURI(%q).String() = %q does not parse back: %+v, %v", tt.in, got.String(), again, err)
		}
	}
}

func TestParseURIErrors(t *testing.T) {
	tests := []struct{ in, mention string }{
		{"", "empty"},
		{"/dev/ttyUSB0", "no scheme"},
		{"lpt://x", "unknown scheme"},
		{"usb://1203", "VID:PID"},
		{"usb://12030:0230", "VID:PID"},
		{"usb://zzzz:0230", "VID:PID"},
		{"serial://", "no port"},
		{"serial:///dev/ttyUSB0?baud=fast", "baud"},
		{"serial:///dev/ttyUSB0?parity=maybe", "parity"},
		{"tcp://", "no host"},
		{"tcp://host:99999", "port"},
		{"tcp://host/path", "no path"},
		{"file://relative/out.prn", "three slashes"},
		{"virtual://", "no path"},
		{"tcp://host?lang=epl", "lang=tspl"},
		{"tcp://host?timeout=-1s", "timeout"},
		{"tcp://host?colour=red", "unknown option"},
	}
	for _, tt := range tests {
		_, err := ParseURI(tt.in)
		if err == nil {
			t.Errorf("ParseURI(%q): no error", tt.in)
			continue
		}
		if !errors.Is(err, ErrBadURI) {
			t.Errorf("ParseURI(%q): %v does not wrap ErrBadURI", tt.in, err)
		}
		if !strings.Contains(err.Error(), tt.mention) || !strings.HasPrefix(err.Error(), "printer address") {
			t.Errorf("ParseURI(%q) = %q, want it to start with 'printer address' and mention %q", tt.in, err, tt.mention)
		}
	}
}

func FuzzParseURI(f *testing.F) {
	for _, s := range []string{"usb://", "usb://1203:0230?serial=A1", "serial:///dev/ttyUSB0?baud=115200",
		"serial://COM3", "tcp://10.0.0.5:9100?lang=zpl", "file:///tmp/x.prn", "virtual:///tmp/v", "tcp://[::1]",
		"serial://ttyUSB1?baud=9600&databits=7&parity=even&stopbits=2&timeout=3s", "usb://1203:0230/x", "tcp://h:0",
		"file://host/x", "lpt://x", "serial:///dev/ttyS0?flow=rts", "winspool://Label%20Printer?lang=zpl"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseURI(s)
		if err != nil {
			if !errors.Is(err, ErrBadURI) {
				t.Fatalf("error %v does not wrap ErrBadURI", err)
			}
			return
		}
		again, err := ParseURI(u.String())
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", u.String(), s, err)
		}
		if again != u {
			t.Fatalf("round trip of %q: %+v then %+v", s, u, again)
		}
	})
}
