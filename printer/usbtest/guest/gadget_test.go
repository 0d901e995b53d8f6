//go:build linux && usbguest

package guest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The printer gadget the cases talk to, configured through configfs.
const (
	gadgetDir = "/sys/kernel/config/usb_gadget/shipdesk"
	udcName   = "dummy_udc.0"
	gadgetDev = "/dev/g_printer0"
	vendorID  = 0x1203 // TSC
	productID = 0x0230

	tsplDeviceID = "MFG:TSC;CMD:TSPL2;MDL:TTP-244 Pro;CLS:PRINTER;"
	zplDeviceID  = "MFG:Zebra Technologies;CMD:ZPL;MDL:ZD421;CLS:PRINTER;"
)

// gadget is one configured printer gadget; the device side of the link.
type gadget struct {
	t   *testing.T
	pnp string
}

func write(t *testing.T, path, value string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(value), 0o644); err != nil {
		t.Fatalf("configfs: write %q to %s: %v", value, path, err)
	}
}

// newGadget creates the gadget with the given IEEE-1284 device ID, binds it
// to the dummy UDC and waits until the host side has enumerated it. Cleanup
// unbinds and removes it.
func newGadget(t *testing.T, pnp string) *gadget {
	t.Helper()
	g := &gadget{t: t, pnp: pnp}
	mk := func(p string) {
		if err := os.MkdirAll(filepath.Join(gadgetDir, p), 0o755); err != nil {
			t.Fatalf("configfs: %v", err)
		}
	}
	mk("")
	write(t, filepath.Join(gadgetDir, "idVendor"), fmt.Sprintf("0x%04x", vendorID))
	write(t, filepath.Join(gadgetDir, "idProduct"), fmt.Sprintf("0x%04x", productID))
	write(t, filepath.Join(gadgetDir, "bcdUSB"), "0x0200")
	mk("strings/0x409")
	write(t, filepath.Join(gadgetDir, "strings/0x409/manufacturer"), "TSC")
	write(t, filepath.Join(gadgetDir, "strings/0x409/product"), "TTP-244 Pro")
	write(t, filepath.Join(gadgetDir, "strings/0x409/serialnumber"), "SD0001")
	mk("functions/printer.usb0")
	// The 6.1 printer gadget puts strlen(pnp_string) in the two length bytes
	// and sends only that many bytes in all, so the last two characters of
	// the ID would be cut off, and the length would not count itself as
	// IEEE 1284 says. Two trailing pad characters make its reply exactly
	// what a real printer sends: a length that includes its own two bytes,
	// then the whole ID.
	write(t, filepath.Join(gadgetDir, "functions/printer.usb0/pnp_string"), pnp+"  ")
	mk("configs/c.1/strings/0x409")
	write(t, filepath.Join(gadgetDir, "configs/c.1/strings/0x409/configuration"), "printer")
	if err := os.Symlink(filepath.Join(gadgetDir, "functions/printer.usb0"), filepath.Join(gadgetDir, "configs/c.1/printer.usb0")); err != nil {
		t.Fatalf("configfs: link function: %v", err)
	}
	t.Cleanup(g.remove)
	g.bind()
	return g
}

// bind attaches the gadget to the UDC ("plugs it in") and waits for the host
// side to see it and for the printer's character device.
func (g *gadget) bind() {
	g.t.Helper()
	write(g.t, filepath.Join(gadgetDir, "UDC"), udcName)
	waitFor(g.t, 20*time.Second, "the host to enumerate the printer", hostSeesPrinter)
	waitFor(g.t, 10*time.Second, gadgetDev, func() bool { _, err := os.Stat(gadgetDev); return err == nil })
}

// unbind detaches the gadget from the UDC ("pulls the cable").
func (g *gadget) unbind() {
	g.t.Helper()
	write(g.t, filepath.Join(gadgetDir, "UDC"), "\n")
	waitFor(g.t, 20*time.Second, "the host to lose the printer", func() bool { return !hostSeesPrinter() })
}

func (g *gadget) remove() {
	_ = os.WriteFile(filepath.Join(gadgetDir, "UDC"), []byte("\n"), 0o644)
	_ = os.Remove(filepath.Join(gadgetDir, "configs/c.1/printer.usb0"))
	for _, d := range []string{"configs/c.1/strings/0x409", "configs/c.1", "functions/printer.usb0", "strings/0x409", ""} {
		_ = os.Remove(filepath.Join(gadgetDir, d))
	}
	waitFor(g.t, 20*time.Second, "the host to lose the printer", func() bool { return !hostSeesPrinter() })
}

// hostSeesPrinter reports whether the host side of the link lists our
// vendor/product in sysfs.
func hostSeesPrinter() bool {
	matches, _ := filepath.Glob("/sys/bus/usb/devices/*/idVendor")
	for _, m := range matches {
		v, _ := os.ReadFile(m)
		p, _ := os.ReadFile(filepath.Join(filepath.Dir(m), "idProduct"))
		if strings.TrimSpace(string(v)) == fmt.Sprintf("%04x", vendorID) && strings.TrimSpace(string(p)) == fmt.Sprintf("%04x", productID) {
			return true
		}
	}
	return false
}

// waitFor polls a kernel-side condition (device enumeration happens in the
// kernel, with no event a test could wait on more directly) until it holds.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", limit, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// printerEnd is the printer's side of /dev/g_printer0: it records every
// byte the host sends and answers status queries from a script of replies.
type printerEnd struct {
	f *os.File

	mu       sync.Mutex
	got      bytes.Buffer
	replies  []byte        // status bytes to answer ESC ! ? with, in order
	hold     int           // stop reading after this many bytes (0: never)
	progress chan struct{} // signalled (non-blocking) whenever bytes arrive
	stop     chan struct{} // closed by close
	done     chan struct{}
	once     sync.Once
}

// openPrinterEnd opens the gadget's character device; the device allows one
// open at a time, so reads and writes happen here in one process.
func openPrinterEnd(t *testing.T, replies []byte, hold int) *printerEnd {
	t.Helper()
	// The character device can exist a moment before the function behind
	// it is ready (a node left by the gadget just removed, or udev ahead of
	// the driver): open answers ENODEV then. Only that is waited out.
	var f *os.File
	var err error
	waitFor(t, 10*time.Second, "an openable "+gadgetDev, func() bool {
		f, err = os.OpenFile(gadgetDev, os.O_RDWR, 0)
		if err != nil && !errors.Is(err, syscall.ENODEV) {
			t.Fatalf("open %s: %v", gadgetDev, err)
		}
		return err == nil
	})
	p := &printerEnd{f: f, replies: replies, hold: hold, progress: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go p.loop()
	t.Cleanup(p.close)
	return p
}

// close stops the printer end and closes the device. Close it before the
// gadget is unbound: the 6.1 kernel corrupts its character-device list when
// a /dev/g_printer0 opened before an unbind is closed after it.
func (p *printerEnd) close() {
	p.once.Do(func() {
		close(p.stop)
		p.f.Close()
		<-p.done
	})
}

func (p *printerEnd) loop() {
	defer close(p.done)
	buf := make([]byte, 64*1024)
	for {
		p.mu.Lock()
		held := p.hold > 0 && p.got.Len() >= p.hold
		p.mu.Unlock()
		if held {
			// A stalled printer: stop taking data and let the host block.
			<-p.stop
			return
		}
		n, err := p.f.Read(buf)
		if n > 0 {
			p.mu.Lock()
			p.got.Write(buf[:n])
			var answer []byte
			if bytes.Contains(buf[:n], []byte("\x1b!?")) && len(p.replies) > 0 {
				answer = p.replies[:1]
				p.replies = p.replies[1:]
			}
			p.mu.Unlock()
			if answer != nil {
				_, _ = p.f.Write(answer)
			}
			select {
			case p.progress <- struct{}{}:
			default:
			}
		}
		if err != nil {
			return
		}
	}
}

// received returns a copy of everything the host sent so far.
func (p *printerEnd) received() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return bytes.Clone(p.got.Bytes())
}

// waitJob waits until n bytes of job data have arrived and returns them.
// The sender may ask the printer's status (ESC ! ?) before a job, as the
// print queue does; those queries are not part of the job and are dropped
// from the front. Anything else, before or after, stays and fails the
// comparison.
func (p *printerEnd) waitJob(t *testing.T, ctx context.Context, n int) []byte {
	t.Helper()
	for {
		got := p.received()
		for bytes.HasPrefix(got, []byte("\x1b!?")) {
			got = got[3:]
		}
		if len(got) >= n {
			return got
		}
		select {
		case <-p.progress:
		case <-ctx.Done():
			t.Fatalf("printer received %d of %d job bytes before %v", len(got), n, ctx.Err())
		}
	}
}

// waitBytes waits until at least n bytes have arrived.
func (p *printerEnd) waitBytes(t *testing.T, ctx context.Context, n int) []byte {
	t.Helper()
	for {
		got := p.received()
		if len(got) >= n {
			return got
		}
		select {
		case <-p.progress:
		case <-ctx.Done():
			t.Fatalf("printer received %d of %d bytes before %v", len(got), n, ctx.Err())
		}
	}
}
