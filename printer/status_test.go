package printer

import (
	"errors"
	"testing"
)

func TestParseTSPLStatus(t *testing.T) {
	tests := []struct {
		b    byte
		want Status
	}{
		{0x00, Ready}, {0x01, HeadOpen}, {0x02, PaperJam}, {0x04, PaperOut}, {0x08, RibbonOut},
		{0x10, Paused}, {0x20, Printing}, {0x40, HeadOpen}, {0x80, Fault},
		{0x05, HeadOpen}, // head open and paper out: close the head first
		{0x14, PaperOut}, // paper out while paused
		{0x30, Paused},   // paused mid-batch
		{0x0c, PaperOut}, // paper and ribbon out
		{0xa0, Fault},    // error while printing
		{0x24, PaperOut}, // paper ran out while printing
	}
	for _, tt := range tests {
		if got := ParseTSPLStatus(tt.b); got != tt.want {
			t.Errorf("ParseTSPLStatus(%#02x) = %v, want %v", tt.b, got, tt.want)
		}
	}
}

// hs builds a ~HS reply with the given flags.
func hs(paperOut, pause, formats, headUp, ribbonOut string) []byte {
	return []byte("\x02030," + paperOut + "," + pause + ",1218,0" + formats + ",0,0,0,000,0,0,0\x03\r\n" +
		"\x02000,0," + headUp + "," + ribbonOut + ",0,2,4,0,00000000,1,000\x03\r\n" +
		"\x021234,0\x03\r\n")
}

func TestParseZPLHostStatus(t *testing.T) {
	tests := []struct {
		name  string
		reply []byte
		want  Status
	}{
		{"ready", hs("0", "0", "0", "0", "0"), Ready},
		{"paper out", hs("1", "0", "0", "0", "0"), PaperOut},
		{"paused", hs("0", "1", "0", "0", "0"), Paused},
		{"head up", hs("1", "1", "0", "1", "0"), HeadOpen},
		{"ribbon out", hs("0", "0", "0", "0", "1"), RibbonOut},
		{"printing", hs("0", "0", "2", "0", "0"), Printing},
		{"two lines are enough", hs("0", "0", "0", "0", "0")[:len(hs("0", "0", "0", "0", "0"))-10], Ready},
	}
	for _, tt := range tests {
		got, err := ParseZPLHostStatus(tt.reply)
		if err != nil || got != tt.want {
			t.Errorf("%s: ParseZPLHostStatus = %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
	bad := [][]byte{nil, []byte("\x02030,0,0\x03"), hs("0", "x", "0", "0", "0"), []byte("\x02a,b,c,d,e,f,g,h,i,j,k,l\x03\x02a,b,c,d,e,f,g,h,i,j,k\x03")}
	for _, b := range bad {
		if st, err := ParseZPLHostStatus(b); err == nil {
			t.Errorf("ParseZPLHostStatus(%q) = %v, want an error", b, st)
		}
	}
	if _, err := ParseZPLHostStatus(hs("0", "0", "0", "0", "0")[:30]); !errors.Is(err, errShortHostStatus) {
		t.Errorf("half a reply: %v, want errShortHostStatus", err)
	}
}

func TestStatusNames(t *testing.T) {
	seen := map[string]bool{}
	for s := Unknown; s <= Offline; s++ {
		if s.String() == "" || s.Chinese() == "" || s.Advice() == "" || seen[s.String()] {
			t.Errorf("status %d: %q %q %q", s, s.String(), s.Chinese(), s.Advice())
		}
		seen[s.String()] = true
	}
	if Status(99).String() != "unknown" || Status(-1).Chinese() != "状态未知" {
		t.Error("out-of-range status is not unknown")
	}
	if Ready.Blocking() || Unknown.Blocking() || Printing.Blocking() || !PaperOut.Blocking() || !Paused.Blocking() {
		t.Error("Blocking is wrong")
	}
}

func FuzzParseZPLHostStatus(f *testing.F) {
	f.Add(hs("0", "0", "0", "0", "0"))
	f.Add(hs("1", "0", "3", "1", "0"))
	f.Add([]byte("\x02\x03\x02\x03"))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := ParseZPLHostStatus(b)
		if err != nil && st != Unknown {
			t.Fatalf("error %v with status %v", err, st)
		}
		if st < Unknown || st > Offline {
			t.Fatalf("status %d out of range", st)
		}
	})
}
