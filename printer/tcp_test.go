package printer

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// fakeNetPrinter listens on 127.0.0.1 and runs serve for each connection.
func fakeNetPrinter(t *testing.T, serve func(c *net.TCPConn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			serve(c.(*net.TCPConn))
			c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return ln.Addr().String()
}

func TestTCPPrint(t *testing.T) {
	job := bytes.Repeat([]byte("SIZE 100 mm,150 mm\r\nCLS\r\nPRINT 1\r\n"), 5000)
	got := make(chan []byte, 2)
	addr := fakeNetPrinter(t, func(c *net.TCPConn) {
		b, _ := io.ReadAll(c) // until our half-close
		got <- b
	})
	dev, err := Open(t.Context(), "tcp://"+addr)
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	for range 2 { // one connection per job
		if err := dev.Print(t.Context(), job); err != nil {
			t.Fatal(err)
		}
		if b := <-got; !bytes.Equal(b, job) {
			t.Fatalf("printer got %d bytes, want %d", len(b), len(job))
		}
	}
	if in := dev.Info(); in.Transport != "tcp" || in.URI != "tcp://"+addr {
		t.Errorf("Info = %+v", in)
	}
}

func TestTCPRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dev, _ := Open(t.Context(), "tcp://"+addr)
	err = dev.Print(t.Context(), []byte("^XA^XZ"))
	if !errors.Is(err, ErrRefused) {
		t.Fatalf("Print to a closed port: %v, want ErrRefused", err)
	}
	if d := Describe(err); d == "" || !bytes.Contains([]byte(d), []byte("拒绝连接")) {
		t.Errorf("Describe = %q", d)
	}
	if st, err := dev.Status(t.Context()); st != Offline || err != nil {
		t.Errorf("Status of a refusing printer = %v, %v; want offline", st, err)
	}
}

func TestTCPStall(t *testing.T) {
	release := make(chan struct{})
	addr := fakeNetPrinter(t, func(c *net.TCPConn) {
		<-release // accept, never read, never close
	})
	defer close(release)
	dev, _ := Open(t.Context(), "tcp://"+addr+"?timeout=300ms")
	start := time.Now()
	err := dev.Print(t.Context(), bytes.Repeat([]byte("x"), 8<<20))
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("Print to a stalled printer: %v, want ErrTimeout", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestTCPNoConfirm(t *testing.T) {
	// The printer reads everything but never closes: the job is not
	// confirmed, so it must be reported (a person checks, then retries).
	release := make(chan struct{})
	addr := fakeNetPrinter(t, func(c *net.TCPConn) {
		io.Copy(io.Discard, c)
		<-release
	})
	defer close(release)
	dev, _ := Open(t.Context(), "tcp://"+addr+"?timeout=300ms")
	if err := dev.Print(t.Context(), []byte("CLS\r\nPRINT 1\r\n")); !errors.Is(err, ErrTimeout) {
		t.Fatalf("unconfirmed job: %v, want ErrTimeout", err)
	}
}

func TestTCPClosedMidJob(t *testing.T) {
	addr := fakeNetPrinter(t, func(c *net.TCPConn) {
		io.CopyN(io.Discard, c, 4096)
		c.SetLinger(0) // reset, like a printer power-cycled mid-job
	})
	dev, _ := Open(t.Context(), "tcp://"+addr+"?timeout=10s")
	err := dev.Print(t.Context(), bytes.Repeat([]byte("y"), 32<<20))
	// Wine (the Windows tests' harness) does not wake a send blocked on a
	// full buffer when the peer resets, so there the job fails by its
	// timeout instead; Linux and real Windows report the reset.
	if os.Getenv("SHIPDESK_TEST_WINE") != "" && errors.Is(err, ErrTimeout) {
		return
	}
	if !errors.Is(err, ErrDisconnected) {
		t.Fatalf("Print to a printer that hung up: %v, want ErrDisconnected", err)
	}
}

func TestTCPStatus(t *testing.T) {
	for _, tt := range []struct {
		name, lang string
		reply      []byte
		want       Status
	}{
		{"tspl paper out", "", []byte{0x04}, PaperOut},
		{"tspl ready", "tspl", []byte{0x00}, Ready},
		{"zpl head up", "zpl", hs("0", "0", "0", "1", "0"), HeadOpen},
		{"silent", "", nil, Unknown},
	} {
		t.Run(tt.name, func(t *testing.T) {
			query := make(chan []byte, 1)
			addr := fakeNetPrinter(t, func(c *net.TCPConn) {
				b := make([]byte, 16)
				n, _ := c.Read(b)
				query <- b[:n]
				if tt.reply != nil {
					c.Write(tt.reply)
				} else {
					io.Copy(io.Discard, c) // until we give up and close
				}
			})
			uri := "tcp://" + addr
			if tt.lang != "" {
				uri += "?lang=" + tt.lang
			}
			dev, _ := Open(t.Context(), uri)
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			st, err := dev.Status(ctx)
			if err != nil || st != tt.want {
				t.Fatalf("Status = %v, %v; want %v", st, err, tt.want)
			}
			if q := <-query; !bytes.Equal(q, statusQuery(Language(tt.lang))) {
				t.Errorf("printer was asked %q", q)
			}
		})
	}
}
