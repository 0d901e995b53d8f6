package printer

import (
	"bytes"
	"errors"
	"io"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/creack/pty"
)

// ptyPrinter opens a real pseudo-terminal pair and returns the printer's
// end (the master) and the serial URI of the computer's end.
func ptyPrinter(t *testing.T, query string) (*os.File, string) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	name := tty.Name()
	// Keep tty open until the test ends so the master never sees a hangup
	// between our Open and Close.
	t.Cleanup(func() { ptmx.Close(); tty.Close() })
	return ptmx, "serial://" + name + "?baud=115200" + query
}

func TestSerialPrint(t *testing.T) {
	ptmx, uri := ptyPrinter(t, "")
	dev, err := Open(t.Context(), uri)
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	job := bytes.Repeat([]byte("BAR 0,96,800,3\r\n"), 2000) // 32 KB: more than a pty buffers
	got := make(chan []byte, 1)
	go func() {
		b := make([]byte, len(job))
		n, _ := io.ReadFull(ptmx, b)
		got <- b[:n]
	}()
	if err := dev.Print(t.Context(), job); err != nil {
		t.Fatal(err)
	}
	select {
	case b := <-got:
		if !bytes.Equal(b, job) {
			t.Fatalf("printer end got %d bytes, want the %d-byte job", len(b), len(job))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("printer end got nothing")
	}
	if in := dev.Info(); in.Transport != "serial" {
		t.Errorf("Info = %+v", in)
	}
}

func TestSerialStatus(t *testing.T) {
	for _, tt := range []struct {
		name, query string
		reply       []byte
		want        Status
	}{
		{"tspl paper out", "", []byte{0x04}, PaperOut},
		{"tspl head open", "&lang=tspl", []byte{0x01}, HeadOpen},
		{"zpl paused", "&lang=zpl", hs("0", "1", "0", "0", "0"), Paused},
		{"silent", "", nil, Unknown},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ptmx, uri := ptyPrinter(t, tt.query)
			dev, err := Open(t.Context(), uri)
			if err != nil {
				t.Fatal(err)
			}
			defer dev.Close()
			asked := make(chan []byte, 1)
			go func() {
				b := make([]byte, 3)
				n, _ := io.ReadFull(ptmx, b)
				asked <- b[:n]
				if tt.reply != nil {
					ptmx.Write(tt.reply)
				}
			}()
			st, err := dev.Status(t.Context())
			if err != nil || st != tt.want {
				t.Fatalf("Status = %v, %v; want %v", st, err, tt.want)
			}
			lang := ""
			if tt.query == "&lang=zpl" {
				lang = "zpl"
			}
			if q := <-asked; !bytes.Equal(q, statusQuery(Language(lang))) {
				t.Errorf("printer was asked %q", q)
			}
		})
	}
}

func TestSerialNotFound(t *testing.T) {
	missing := "serial://" + t.TempDir() + "/ttyUSB9"
	if runtime.GOOS == "windows" {
		missing = "serial://COM199"
	}
	_, err := Open(t.Context(), missing)
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("Open of a missing port: %v, want ErrNotFound", err)
	}
}

func TestSerialStalledPrinter(t *testing.T) {
	// The printer end never reads: the pty fills up and the job times out
	// instead of hanging.
	_, uri := ptyPrinter(t, "&timeout=300ms")
	dev, err := Open(t.Context(), uri)
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	err = dev.Print(t.Context(), bytes.Repeat([]byte("z"), 1<<20))
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("Print to a printer that never reads: %v, want ErrTimeout", err)
	}
	if err := dev.Print(t.Context(), []byte("CLS\r\n")); !errors.Is(err, ErrBusy) {
		t.Fatalf("Print after a stuck job: %v, want ErrBusy (never two jobs interleaved)", err)
	}
}
