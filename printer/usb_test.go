package printer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
)

// fakeUSB is a usbDevice: it records what is written, can take fewer bytes
// than asked, fail after a number of bytes, and answer status queries from
// a scripted IN endpoint.
type fakeUSB struct {
	id       string
	maxWrite int   // bytes taken per Write (0: all)
	failAt   int   // fail once this many bytes were written (0: never)
	failErr  error // the error then
	zeroes   int   // Writes that take nothing before taking data again
	in       [][]byte
	noIn     bool

	written bytes.Buffer
	writes  int
	closed  bool
}

func (f *fakeUSB) DeviceID(ctx context.Context) (string, error) { return f.id, nil }

func (f *fakeUSB) Write(ctx context.Context, p []byte) (int, error) {
	f.writes++
	if f.zeroes > 0 {
		f.zeroes--
		return 0, nil
	}
	n := len(p)
	if f.maxWrite > 0 && n > f.maxWrite {
		n = f.maxWrite
	}
	if f.failAt > 0 && f.written.Len()+n >= f.failAt {
		n = f.failAt - f.written.Len()
		f.written.Write(p[:n])
		return n, f.failErr
	}
	f.written.Write(p[:n])
	return n, nil
}

func (f *fakeUSB) Read(ctx context.Context, p []byte) (int, error) {
	if f.noIn {
		return 0, errNoBackChannel
	}
	if len(f.in) == 0 {
		<-ctx.Done() // a printer that says nothing
		return 0, fmt.Errorf("%w: %w", ErrTimeout, ctx.Err())
	}
	n := copy(p, f.in[0])
	f.in = f.in[1:]
	return n, nil
}

func (f *fakeUSB) Close() error { f.closed = true; return nil }

// fakeBackend hands out one fakeUSB.
type fakeBackend struct {
	dev  *fakeUSB
	desc usbDesc
	err  error
}

func (b fakeBackend) List(ctx context.Context) ([]usbDesc, error) { return []usbDesc{b.desc}, b.err }

func (b fakeBackend) Open(ctx context.Context, u URI) (usbDevice, usbDesc, error) {
	if b.err != nil {
		return nil, usbDesc{}, b.err
	}
	return b.dev, b.desc, nil
}

func openFakeUSB(t *testing.T, f *fakeUSB, bidir bool, uri string) *usbPrinter {
	t.Helper()
	u, err := ParseURI(uri)
	if err != nil {
		t.Fatal(err)
	}
	p, err := openUSB(t.Context(), fakeBackend{dev: f, desc: usbDesc{VendorID: 0x1203, ProductID: 0x0230,
		Manufacturer: "TSC", Product: "TTP-244 Pro", Serial: "A1", Bidirectional: bidir}}, u)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestUSBInfoFromDeviceID(t *testing.T) {
	for _, tt := range realDeviceIDs {
		f := &fakeUSB{id: tt.id}
		p := openFakeUSB(t, f, true, "usb://")
		in := p.Info()
		if in.Language != Language(tt.lang) {
			t.Errorf("%q: language %q, want %q", tt.id, in.Language, tt.lang)
		}
		wantMfg := tt.mfg
		if wantMfg == "" {
			wantMfg = "TSC" // from the USB string descriptor
		}
		if in.Manufacturer != wantMfg || in.URI != "usb://1203:0230?serial=A1" || in.Transport != "usb" {
			t.Errorf("%q: Info = %+v", tt.id, in)
		}
	}
	// ?lang= beats the device ID.
	p := openFakeUSB(t, &fakeUSB{id: realDeviceIDs[0].id}, true, "usb://?lang=tspl")
	if p.Info().Language != "tspl" {
		t.Errorf("lang override ignored: %+v", p.Info())
	}
}

func TestUSBPrintShortWrites(t *testing.T) {
	job := bytes.Repeat([]byte("0123456789"), 30000) // 300 KB, several chunks
	f := &fakeUSB{maxWrite: 5000, zeroes: 2}
	p := openFakeUSB(t, f, false, "usb://1203:0230")
	if err := p.Print(t.Context(), job); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(f.written.Bytes(), job) {
		t.Fatalf("device got %d bytes, want %d in order", f.written.Len(), len(job))
	}
	if f.writes < len(job)/5000 {
		t.Errorf("only %d writes for short-writing device", f.writes)
	}
	p.Close()
	if !f.closed {
		t.Error("Close did not release the device")
	}
}

func TestUSBPrintErrors(t *testing.T) {
	job := bytes.Repeat([]byte("x"), 200000)
	unplugged := &fakeUSB{failAt: 70000, failErr: fmt.Errorf("%w: libusb: no device [code -4]", ErrDisconnected)}
	err := openFakeUSB(t, unplugged, false, "usb://").Print(t.Context(), job)
	if !errors.Is(err, ErrDisconnected) {
		t.Fatalf("unplugged mid-job: %v, want ErrDisconnected", err)
	}
	if unplugged.written.Len() != 70000 {
		t.Errorf("wrote %d bytes before the failure, want 70000", unplugged.written.Len())
	}
	dead := &fakeUSB{zeroes: 100}
	if err := openFakeUSB(t, dead, false, "usb://").Print(t.Context(), job); !errors.Is(err, ErrDisconnected) {
		t.Fatalf("device that takes nothing: %v, want ErrDisconnected", err)
	}
	_, err = openUSB(t.Context(), fakeBackend{err: fmt.Errorf("%w (add the udev rule)", ErrPermission)}, URI{Scheme: "usb"})
	if !errors.Is(err, ErrPermission) || !bytes.Contains([]byte(Describe(err)), []byte("udev")) {
		t.Fatalf("permission: %v / %s", err, Describe(err))
	}
	_, err = openUSB(t.Context(), noUSBBackend(), URI{Scheme: "usb"})
	if err == nil {
		t.Fatal("no error from a backend that finds nothing")
	}
}

// noUSBBackend finds nothing.
func noUSBBackend() usbBackend { return fakeBackend{err: ErrNotFound} }

func TestUSBStatus(t *testing.T) {
	tests := []struct {
		name  string
		id    string
		bidir bool
		in    [][]byte
		noIn  bool
		want  Status
		query string
	}{
		{"tspl paper out", "MFG:TSC;CMD:TSPL2;MDL:TTP-244;", true, [][]byte{{0x04}}, false, PaperOut, "\x1b!?"},
		{"zpl in pieces", "MFG:Zebra;CMD:ZPL;MDL:GK420d;", true, splitInto(hs("0", "0", "0", "1", "0"), 7), false, HeadOpen, "~HS"},
		{"silent", "MFG:TSC;CMD:TSPL;", true, nil, false, Unknown, "\x1b!?"},
		{"one-way printer", "MFG:TSC;CMD:TSPL;", false, nil, false, Unknown, ""},
		{"no IN endpoint", "MFG:TSC;CMD:TSPL;", true, nil, true, Unknown, "\x1b!?"},
	}
	for _, tt := range tests {
		f := &fakeUSB{id: tt.id, in: tt.in, noIn: tt.noIn}
		p := openFakeUSB(t, f, tt.bidir, "usb://")
		st, err := p.Status(t.Context())
		if err != nil || st != tt.want {
			t.Errorf("%s: Status = %v, %v; want %v", tt.name, st, err, tt.want)
		}
		if f.written.String() != tt.query {
			t.Errorf("%s: asked %q, want %q", tt.name, f.written.String(), tt.query)
		}
	}
	gone := &fakeUSB{failAt: 1, failErr: ErrDisconnected}
	if st, _ := openFakeUSB(t, gone, true, "usb://").Status(t.Context()); st != Offline {
		t.Errorf("unplugged printer status %v, want offline", st)
	}
}

func splitInto(b []byte, n int) [][]byte {
	var out [][]byte
	for len(b) > n {
		out = append(out, b[:n])
		b = b[n:]
	}
	return append(out, b)
}

func FuzzParseDeviceIDReply(f *testing.F) {
	f.Add([]byte("\x00\x2aMFG:Zebra;CMD:ZPL;MDL:GK420d;CLS:PRINTER;"))
	f.Add([]byte{0xff, 0xff, 'M'})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := parseDeviceIDReply(b)
		if err == nil && len(s) > len(b) {
			t.Fatalf("id longer than the reply")
		}
	})
}
