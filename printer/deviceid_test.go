package printer

import (
	"testing"
)

// Device IDs seen on real printers (printers.md §3, §4.1).
var realDeviceIDs = []struct {
	id, mfg, mdl, lang string
}{
	{"MFG:Zebra Technologies;CMD:EPL,ZPL;MDL:ZP 505;CLS:PRINTER;", "Zebra Technologies", "ZP 505", "zpl"},
	{"MFG:4BARCODE;CMD:TSPL2;MDL:3B-363B;CLS:PRINTER;", "4BARCODE", "3B-363B", "tspl"},
	{"MFG:Munbyn;CMD:TSPL;MDL:RW403B;CLS:PRINTER;", "Munbyn", "RW403B", "tspl"},
	{"MFG:iDPRT;MDL:SP410;CMD:TSPL;", "iDPRT", "SP410", "tspl"},
	{"MFG:Xprinter;CMD:TSPL,ESC/POS;MDL:XP-350B;", "Xprinter", "XP-350B", "tspl"},
	{"MANUFACTURER:Zebra;COMMAND SET:ZPL;MODEL:GK420t;", "Zebra", "GK420t", "zpl"},
	{"MFG:Generic;CMD:EPL;MDL:LP2844;", "Generic", "LP2844", ""},
	{"MFG:Epson;CMD:ESC/POS;MDL:TM-T20;", "Epson", "TM-T20", ""},
	{"", "", "", ""},
}

func TestDeviceID(t *testing.T) {
	for _, tt := range realDeviceIDs {
		m := ParseDeviceID(tt.id)
		if m["MFG"] != tt.mfg || m["MDL"] != tt.mdl {
			t.Errorf("ParseDeviceID(%q) = %v", tt.id, m)
		}
		if got := LanguageFromDeviceID(tt.id); got != Language(tt.lang) {
			t.Errorf("LanguageFromDeviceID(%q) = %q, want %q", tt.id, got, tt.lang)
		}
	}
	if got := LanguageFromDeviceID("CMD:TSPLX;"); got != "" {
		t.Errorf("TSPLX taken as %q", got)
	}
}

func TestParseDeviceIDReply(t *testing.T) {
	id := "MFG:4BARCODE;CMD:TSPL2;MDL:3B-363B;CLS:PRINTER;"
	be := append([]byte{0, byte(len(id) + 2)}, id...)
	le := append([]byte{byte(len(id) + 2), 0}, id...)
	padded := append(append([]byte{}, be...), make([]byte, 20)...)
	for name, reply := range map[string][]byte{"big-endian": be, "little-endian": le, "padded": padded} {
		got, err := parseDeviceIDReply(reply)
		if err != nil || got != id {
			t.Errorf("%s: %q, %v", name, got, err)
		}
	}
	if _, err := parseDeviceIDReply([]byte{0}); err == nil {
		t.Error("one byte: no error")
	}
}

func TestSniffLanguage(t *testing.T) {
	tests := map[string]string{
		"^XA^PW800^XZ":               "zpl",
		"\r\n ~HS":                   "zpl",
		"SIZE 100 mm,150 mm\r\n":     "tspl",
		"CLS\r\nPRINT 1\r\n":         "tspl",
		"\x1b!?":                     "tspl",
		"hello":                      "",
		"CT~~CD,~CC^~CT~\r\n^XA^XZ":  "zpl",
		"garbage\nSIZE 76 mm,130 mm": "tspl",
		"":                           "",
	}
	for in, want := range tests {
		if got := SniffLanguage([]byte(in)); got != Language(want) {
			t.Errorf("SniffLanguage(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParseDeviceID(f *testing.F) {
	for _, tt := range realDeviceIDs {
		f.Add(tt.id)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m := ParseDeviceID(s)
		for k := range m {
			if k == "" {
				t.Fatal("empty key")
			}
		}
		switch LanguageFromDeviceID(s) {
		case "", "tspl", "zpl":
		default:
			t.Fatal("unexpected language")
		}
		reply := append([]byte{byte((len(s) + 2) >> 8), byte(len(s) + 2)}, s...)
		if _, err := parseDeviceIDReply(reply); err != nil {
			t.Fatal(err)
		}
	})
}
