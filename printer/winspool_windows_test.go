//go:build windows

package printer

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"shipdesk/store"
)

func TestWinspoolUnknownPrinter(t *testing.T) {
	_, err := Open(t.Context(), "winspool://No%20Such%20Label%20Printer")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("Open(unknown printer) = %v, want ErrNotFound", err)
	}
	if d := Describe(err); !strings.Contains(d, "找不到打印机") {
		t.Errorf("Describe = %q", d)
	}
}

func TestWinspoolUSBExplainsWindowsName(t *testing.T) {
	_, err := Open(t.Context(), "usb://")
	var ue *usbOnWindowsError
	if !errors.As(err, &ue) {
		t.Fatalf("Open(usb://) on Windows = %v, want the winspool explanation", err)
	}
	if !strings.Contains(Describe(err), "winspool://") {
		t.Errorf("Describe = %q", Describe(err))
	}
}

// TestWinspoolPrintsRawBytes sends a job through the spooler to a printer
// whose port ends at a TCP listener of this test. make test-windows sets it
// up under Wine: a CUPS raw queue (SHIPDESK_WINSPOOL_PRINTER) with the
// device socket://SHIPDESK_WINSPOOL_SINK.
func TestWinspoolPrintsRawBytes(t *testing.T) {
	name, sink := os.Getenv("SHIPDESK_WINSPOOL_PRINTER"), os.Getenv("SHIPDESK_WINSPOOL_SINK")
	if name == "" || sink == "" {
		t.Skip("needs a spooler printer whose port is a TCP listener: run make test-windows")
	}
	ln, err := net.Listen("tcp", sink)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan []byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- nil
			return
		}
		defer c.Close()
		b, _ := io.ReadAll(c)
		got <- b
	}()

	infos, err := Discover(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var found *Info
	for i := range infos {
		if infos[i].Transport == "winspool" && infos[i].Name == name {
			found = &infos[i]
		}
	}
	if found == nil {
		t.Fatalf("Discover did not list the Windows printer %q: %+v", name, infos)
	}
	if found.URI != WinspoolURI(name) || found.Driver == "" || found.Port == "" {
		t.Errorf("discovered %+v, want its URI, driver and port", *found)
	}
	dev, err := Open(t.Context(), found.URI)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := dev.Status(t.Context()); err != nil || st.Blocking() || st == Offline {
		t.Errorf("Status = %v, %v; want a printer ready to print", st, err)
	}
	if in := dev.Info(); in.Name != name || in.Transport != "winspool" || in.Driver != found.Driver {
		t.Errorf("Info = %+v", in)
	}
	dev.Close()

	// A TSPL job with every byte value in it (RAW means nothing is
	// translated: NUL, ^Z, CR and LF pass as they are) and more than one
	// WritePrinter chunk.
	var job bytes.Buffer
	job.WriteString("SIZE 76 mm,130 mm\r\nCLS\r\nBITMAP 0,0,32,2048,0,")
	for i := range 32 * 2048 {
		job.WriteByte(byte(i * 7))
	}
	job.WriteString("\r\nPRINT 1\r\n")

	db, err := store.Open(filepath.Join(t.TempDir(), "shipdesk.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q := NewQueue(db, nil)
	j, err := q.Submit(t.Context(), store.PrintJob{PrinterURI: found.URI, Data: job.Bytes(), Format: "tspl"})
	if err != nil {
		t.Fatalf("Submit: %v (job %d %s: %s)", err, j.ID, j.State, j.Error)
	}
	if j.State != store.JobSent || j.Attempts != 1 {
		t.Errorf("job = %s after %d attempts, want sent after 1", j.State, j.Attempts)
	}
	b := <-got
	if !bytes.Equal(b, job.Bytes()) {
		t.Fatalf("the port received %d bytes, want the %d sent unchanged", len(b), job.Len())
	}
}
