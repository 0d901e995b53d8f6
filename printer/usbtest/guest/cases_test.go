//go:build linux && usbguest

package guest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"shipdesk/printer"
	"shipdesk/printer/label"
	"shipdesk/printer/tspl"
	"shipdesk/store"
)

// fullLabel is the TSPL job for a complete 100x150 mm e-waybill with
// Chinese recipient, sender and address, as the front desk would print it.
func fullLabel(t *testing.T) []byte {
	t.Helper()
	d := label.Data{
		Waybill: "75312345678901", Carrier: "zhongtong", CarrierName: "中通快递", Product: "标准快递",
		Routing:   label.Routing{BigPen: "300-W01 02", PkgName: "天津转运中心"},
		Recipient: label.Party{Name: "王芳", Phone: "13700001111", Address: "天津市河西区友谊路32号金皇大厦1205室"},
		Sender:    label.Party{Name: "天津眼科医院视光中心", Phone: "022-23346655", Address: "天津市南开区复康路4号"},
		Items:     "眼镜 1副", Remark: "易碎，轻放", Count: 1, Weight: 0.5,
		PrintedAt: time.Date(2026, 11, 26, 10, 30, 0, 0, time.Local), Privacy: label.Privacy{MaskPhones: true},
	}
	size, err := label.ParseSize("100x150")
	if err != nil {
		t.Fatal(err)
	}
	l, err := label.EWaybill(d, size, 203)
	if err != nil {
		t.Fatalf("build label: %v", err)
	}
	job, err := tspl.Encode(l, label.PrintSettings{Speed: 4, Darkness: 8, Media: "gap", Mode: "tear"})
	if err != nil {
		t.Fatalf("encode label: %v", err)
	}
	return job
}

func ctxFor(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// Case 1: discovery finds exactly the gadget printer, with vendor/product,
// model and language from its IEEE-1284 device ID; a ZPL device ID is
// detected as ZPL.
func TestDiscovery(t *testing.T) {
	for _, tc := range []struct {
		pnp, lang, model string
	}{
		{tsplDeviceID, "tspl", "TTP-244 Pro"},
		{zplDeviceID, "zpl", "ZD421"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			newGadget(t, tc.pnp)
			infos, err := printer.Discover(ctxFor(t, 10*time.Second))
			if err != nil {
				t.Fatalf("Discover: %v", err)
			}
			var usb []printer.Info
			for _, in := range infos {
				if in.Transport == "usb" {
					usb = append(usb, in)
				}
			}
			if len(usb) != 1 {
				t.Fatalf("found %d USB printers, want exactly the gadget: %+v", len(usb), usb)
			}
			in := usb[0]
			t.Logf("discovered: %+v", in)
			if in.VendorID != vendorID || in.ProductID != productID {
				t.Errorf("vendor/product = %04x:%04x, want %04x:%04x", in.VendorID, in.ProductID, vendorID, productID)
			}
			if string(in.Language) != tc.lang {
				t.Errorf("language = %q, want %q (device ID %q)", in.Language, tc.lang, in.DeviceID)
			}
			if in.Model != tc.model {
				t.Errorf("model = %q, want %q", in.Model, tc.model)
			}
			if in.DeviceID != tc.pnp {
				t.Errorf("device ID = %q, want %q", in.DeviceID, tc.pnp)
			}
		})
	}
}

// Case 2: a full 100x150 label printed through usb:// and usb://1203:0230
// arrives byte-identical at the printer.
func TestPrintFullLabel(t *testing.T) {
	job := fullLabel(t)
	t.Logf("job: %d bytes of TSPL", len(job))
	for _, uri := range []string{"usb://", "usb://1203:0230"} {
		t.Run(uri, func(t *testing.T) {
			newGadget(t, tsplDeviceID)
			end := openPrinterEnd(t, nil, 0)
			ctx := ctxFor(t, 30*time.Second)
			dev, err := printer.Open(ctx, uri)
			if err != nil {
				t.Fatalf("Open(%s): %v", uri, err)
			}
			defer dev.Close()
			if err := dev.Print(ctx, job); err != nil {
				t.Fatalf("Print: %v", err)
			}
			got := end.waitJob(t, ctx, len(job))
			if !bytes.Equal(got, job) {
				t.Fatalf("printer received %d bytes that differ from the %d-byte job (first difference at %d)", len(got), len(job), firstDiff(got, job))
			}
		})
	}
}

// Case 3: the printer answers ESC ! ? with 0x00, then 0x04, then 0x01; the
// app reports ready, paper out, head open.
func TestStatus(t *testing.T) {
	newGadget(t, tsplDeviceID)
	openPrinterEnd(t, []byte{0x00, 0x04, 0x01}, 0)
	ctx := ctxFor(t, 20*time.Second)
	dev, err := printer.Open(ctx, "usb://")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer dev.Close()
	for _, want := range []printer.Status{printer.Ready, printer.PaperOut, printer.HeadOpen} {
		got, err := dev.Status(ctx)
		if err != nil {
			t.Fatalf("Status: %v", err)
		}
		if got != want {
			t.Fatalf("status = %v, want %v", got, want)
		}
		t.Logf("status: %v (%s)", got, got.Chinese())
	}
}

// Case 4: the device disappears mid-job. The job ends failed and retryable,
// nothing is lost, and a retry after the device returns prints it once.
func TestUnplugMidJob(t *testing.T) {
	g := newGadget(t, tsplDeviceID)
	db, err := store.Open(filepath.Join(t.TempDir(), "shipdesk.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q := printer.NewQueue(db, printer.Open)

	// A job far larger than the gadget's buffers, so it is still being sent
	// when the printer stops taking data and the cable is pulled.
	job := bytes.Repeat(fullLabel(t), 40)
	end := openPrinterEnd(t, nil, 64*1024)

	ctx := ctxFor(t, 60*time.Second)
	type result struct {
		job store.PrintJob
		err error
	}
	res := make(chan result, 1)
	go func() {
		j, err := q.Submit(ctx, store.PrintJob{PrinterURI: "usb://", Format: "tspl", Data: job, Who: "前台", Waybill: "75312345678901"})
		res <- result{j, err}
	}()
	end.waitBytes(t, ctx, 64*1024)
	end.close() // the printer stays stalled: nothing reads the gadget any more
	g.unbind()
	r := <-res
	if r.err == nil {
		t.Fatalf("Submit succeeded although the printer vanished mid-job")
	}
	t.Logf("submit failed as it should: %v (%s)", r.err, printer.Describe(r.err))
	stored, err := db.Job(ctx, r.job.ID)
	if err != nil {
		t.Fatalf("the failed job is not in the store: %v", err)
	}
	if stored.State != store.JobFailed {
		t.Fatalf("job state = %s, want failed", stored.State)
	}
	if !bytes.Equal(stored.Data, job) {
		t.Fatalf("the stored job lost its data: %d bytes, want %d", len(stored.Data), len(job))
	}
	if !errors.Is(r.err, printer.ErrDisconnected) {
		t.Errorf("error %v does not say the printer was disconnected", r.err)
	}

	// Plug it back in: a fresh printer that takes everything.
	g.bind()
	fresh := openPrinterEnd(t, []byte{0x00, 0x00}, 0) // answers "ready" if asked
	retried, err := q.Retry(ctx, stored.ID, "仓库")
	if err != nil {
		t.Fatalf("Retry: %v", err)
	}
	if retried.State != store.JobSent {
		t.Fatalf("after retry the job is %s, want sent", retried.State)
	}
	got := fresh.waitJob(t, ctx, len(job))
	if !bytes.Equal(got, job) {
		t.Fatalf("after retry the printer received %d bytes, want the %d-byte job exactly once", len(got), len(job))
	}
	if _, err := q.Retry(ctx, stored.ID, "仓库"); err == nil {
		t.Fatalf("a sent job was retried again: jobs must never print twice without a failure")
	}
}

// Case 5: with the kernel's usblp driver bound to the printer interface,
// the transport detaches it and the job still goes through.
func TestUsblpDetached(t *testing.T) {
	mod := os.Getenv("SHIPDESK_USBLP_MODULE")
	if mod == "" {
		t.Fatal("SHIPDESK_USBLP_MODULE is not set; the guest init passes the usblp module path")
	}
	if out, err := exec.Command("insmod", mod).CombinedOutput(); err != nil {
		t.Fatalf("insmod usblp: %v: %s", err, out)
	}
	newGadget(t, tsplDeviceID)
	waitFor(t, 10*time.Second, "usblp to bind the printer interface", usblpBound)
	t.Log("usblp is bound to the printer interface")
	end := openPrinterEnd(t, nil, 0)
	job := fullLabel(t)
	ctx := ctxFor(t, 30*time.Second)
	dev, err := printer.Open(ctx, "usb://1203:0230")
	if err != nil {
		t.Fatalf("Open with usblp bound: %v", err)
	}
	defer dev.Close()
	if err := dev.Print(ctx, job); err != nil {
		t.Fatalf("Print with usblp bound: %v", err)
	}
	got := end.waitJob(t, ctx, len(job))
	if !bytes.Equal(got, job) {
		t.Fatalf("printer received %d bytes, want the %d-byte job", len(got), len(job))
	}
}

// usblpBound reports whether usblp has claimed an interface.
func usblpBound() bool {
	m, _ := filepath.Glob("/sys/bus/usb/drivers/usblp/*:*")
	return len(m) > 0
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
