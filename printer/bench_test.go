package printer

import (
	"bytes"
	"io"
	"net"
	"path/filepath"
	"testing"

	"shipdesk/store"
)

func BenchmarkParseZPLHostStatus(b *testing.B) {
	reply := hs("0", "0", "1", "0", "0")
	for b.Loop() {
		if _, err := ParseZPLHostStatus(reply); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTCPPrint sends a 120 KB job (a full-label bitmap at 203 dpi) to
// a loopback printer, one connection per job.
func BenchmarkTCPPrint(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			io.Copy(io.Discard, c)
			c.Close()
		}
	}()
	dev, _ := Open(b.Context(), "tcp://"+ln.Addr().String())
	job := bytes.Repeat([]byte{0xff}, 120000)
	b.SetBytes(int64(len(job)))
	for b.Loop() {
		if err := dev.Print(b.Context(), job); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQueueSubmit stores and sends a 20 KB job to a file printer
// through the real bbolt store (fsync off).
func BenchmarkQueueSubmit(b *testing.B) {
	db, err := store.Open(filepath.Join(b.TempDir(), "shipdesk.db"), store.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	q := NewQueue(db, nil)
	job := store.PrintJob{PrinterURI: PathURI("file", filepath.Join(b.TempDir(), "out.prn")),
		Format: "tspl", Data: bytes.Repeat([]byte("BAR 0,96,800,3\r\n"), 1250)}
	for b.Loop() {
		if _, err := q.Submit(b.Context(), job); err != nil {
			b.Fatal(err)
		}
	}
}
