package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"shipdesk/assets/i18n"
	"shipdesk/printer"
	"shipdesk/printer/label"
	"shipdesk/shipping"
	"shipdesk/store"
)

const testJob = "SIZE 76 mm,130 mm\r\nGAP 2 mm,0 mm\r\nCLS\r\nBAR 0,96,608,3\r\nPRINT 1,1\r\n"

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(t.Context(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func writePRN(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "label.prn")
	if err := os.WriteFile(p, []byte(testJob), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPrintToFile(t *testing.T) {
	data := t.TempDir()
	out := filepath.Join(t.TempDir(), "out.prn")
	code, stdout, stderr := runCLI(t, "--data-dir", data, "print", "--printer", printer.PathURI("file", out), writePRN(t))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if b, _ := os.ReadFile(out); string(b) != testJob {
		t.Fatalf("file got %q", b)
	}
	if want := i18n.F("job %d sent: %d bytes to %s", 1, len(testJob), printer.PathURI("file", out)) + "\n"; stdout != want {
		t.Errorf("stdout %q", stdout)
	}
}

func TestPrintOverTCPAndPersist(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan []byte, 8)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b, _ := io.ReadAll(c)
			c.Close()
			got <- b
		}
	}()
	data := t.TempDir()
	uri := "tcp://" + ln.Addr().String()
	code, _, stderr := runCLI(t, "--data-dir", data, "print", writePRN(t), "--printer", uri)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var job []byte
	for job = <-got; len(job) <= 3; job = <-got { // skip the status query
	}
	if string(job) != testJob {
		t.Fatalf("printer got %q", job)
	}

	// The printer goes away: the job fails, exit 1, one line naming the job.
	ln.Close()
	code, _, stderr = runCLI(t, "--data-dir", data, "print", "--printer", uri, writePRN(t))
	if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "job 2") || !strings.Contains(stderr, "拒绝连接") {
		t.Fatalf("refused: exit %d, stderr %q", code, stderr)
	}
	// Both jobs survive in the store, the second failed and retryable.
	db, err := store.Open(filepath.Join(data, "shipdesk.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	jobs, err := db.Jobs(t.Context(), store.JobFilter{})
	if err != nil || len(jobs) != 2 || jobs[0].State != store.JobFailed || jobs[1].State != store.JobSent || string(jobs[0].Data) != testJob {
		t.Fatalf("stored jobs: %+v, %v", jobs, err)
	}
}

func TestPrintOverSerialPTY(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	got := make(chan []byte, 1)
	go func() {
		b := make([]byte, 3+len(testJob)) // the status query, then the job
		n, _ := io.ReadFull(ptmx, b)
		got <- b[:n]
	}()
	code, stdout, stderr := runCLI(t, "--data-dir", t.TempDir(), "print", "--printer", "serial://"+tty.Name()+"?baud=115200", writePRN(t))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	select {
	case b := <-got:
		if string(b) != "\x1b!?"+testJob {
			t.Fatalf("serial end got %q", b)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("nothing arrived on the serial line")
	}
	if !strings.Contains(stdout, "serial://") {
		t.Errorf("stdout %q", stdout)
	}
}

func TestPrintUsage(t *testing.T) {
	prn := writePRN(t)
	for _, args := range [][]string{
		{"print", prn},
		{"print", "--printer", "lpt://x", prn},
		{"print", "--printer", "file:///tmp/x.prn"},
		{"print", "--printer", "file:///tmp/x.prn", prn, prn},
		{"print", "--printer", "file:///tmp/x.prn", "--lang", "epl", prn},
		{"print", "--printer", "file:///tmp/x.prn", "--waybill", "YT1", prn},
	} {
		code, _, stderr := runCLI(t, append([]string{"--data-dir", t.TempDir()}, args...)...)
		if code != 2 || stderr == "" {
			t.Errorf("%q: exit %d, stderr %q; want usage error", args, code, stderr)
		}
	}
}

func TestPrintersJSON(t *testing.T) {
	data := t.TempDir()
	db, err := store.Open(filepath.Join(data, "shipdesk.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := db.Settings(t.Context())
	s.Printers = []store.PrinterProfile{{Name: "前台", URI: printer.PathURI("file", t.TempDir()), Language: "tspl"}}
	if err := db.SaveSettings(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	db.Close()
	code, stdout, stderr := runCLI(t, "--data-dir", data, "printers", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(stdout), &list); err != nil {
		t.Fatalf("%v in %s", err, stdout)
	}
	if len(list) == 0 {
		t.Fatalf("configured printer missing: %s", stdout)
	}
	first := list[0]
	for _, k := range []string{"uri", "name", "model", "manufacturer", "language", "transport", "status", "statusText", "configured"} {
		if _, ok := first[k]; !ok {
			t.Errorf("field %q missing in %v", k, first)
		}
	}
	if first["name"] != "前台" || first["configured"] != true || first["status"] != "ready" || first["statusText"] != "就绪" || first["transport"] != "file" {
		t.Errorf("configured printer: %v", first)
	}
}

func TestPrintFromOrderFlags(t *testing.T) {
	data := t.TempDir()
	order := []string{"--waybill", "YT7512345678901", "--carrier", "yuantong", "--to-name", "王芳", "--to-phone", "13700001111",
		"--to-addr", "天津市河西区友谊路32号", "--from-name", "天津眼科医院视光中心", "--from-phone", "022-23346655", "--from-addr", "天津市南开区复康路4号"}
	for i, tt := range []struct {
		lang, prefix string
	}{{"", "SIZE 76 mm,130 mm"}, {"zpl", "^XA"}} {
		out := filepath.Join(t.TempDir(), "label.prn")
		args := append([]string{"--data-dir", data, "print", "--printer", printer.PathURI("file", out)}, order...)
		if tt.lang != "" {
			args = append(args, "--lang", tt.lang)
		}
		code, stdout, stderr := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("lang %q: exit %d: %s", tt.lang, code, stderr)
		}
		b, _ := os.ReadFile(out)
		if !bytes.Contains(b[:min(len(b), 200)], []byte(tt.prefix)) || !bytes.Contains(b, []byte("YT7512345678901")) {
			t.Fatalf("lang %q: label starts %q", tt.lang, b[:min(len(b), 80)])
		}
		if want := i18n.F("job %d sent: %d bytes to %s", i+1, len(b), printer.PathURI("file", out)) + "\n"; stdout != want {
			t.Errorf("stdout %q", stdout)
		}
	}
	// The virtual printer draws it.
	dir := t.TempDir()
	code, _, stderr := runCLI(t, append([]string{"--data-dir", data, "print", "--printer", printer.PathURI("virtual", dir), "--size", "100x150"}, order...)...)
	if code != 0 {
		t.Fatalf("virtual: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "label-1.png")); err != nil {
		t.Fatal(err)
	}
	// No waybill: bad usage.
	if code, _, _ := runCLI(t, "--data-dir", data, "print", "--printer", "file:///tmp/x.prn", "--to-name", "王芳"); code != 2 {
		t.Errorf("order without waybill: exit %d, want 2", code)
	}
}

// TestPrintSendsTheServicesLabel: `shipdesk print` from order flags sends
// exactly the bytes the service printed when it shipped the same order on
// the same printer (the GUI's path: order create), and exactly what
// Service.LabelJob builds for an explicit size and language. The printer
// is configured with its own language, loaded size and mechanics, and the
// sandbox's ZTO account is no 月结 account, so the label must carry the
// pay type sent with the waybill, not the order's MONTHLY.
func TestPrintSendsTheServicesLabel(t *testing.T) {
	data := t.TempDir()
	out := filepath.Join(t.TempDir(), "label.prn")
	uri := printer.PathURI("file", out)
	db, err := store.Open(filepath.Join(data, "shipdesk.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := db.Settings(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	s.Printers = []store.PrinterProfile{{Name: "前台", URI: uri, Language: "zpl", Sizes: []string{"100x150"}, Darkness: 20, Speed: 4}}
	if err := db.SaveSettings(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	db.Close()
	order := filepath.Join(t.TempDir(), "order.json")
	if err := os.WriteFile(order, []byte(`{"reference":"PJ20261202-009","recipient":{"name":"王芳","phone":"13700001111","address":"天津市河西区友谊路32号"},"carrier":"zhongtong","items":"眼镜 1副"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	read := func() []byte {
		t.Helper()
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}

	// The label shows the print time to the minute: a run that crosses a
	// minute is repeated (it cannot happen twice in a row).
	var shipped, printed []byte
	var waybill string
	for attempt := 0; ; attempt++ {
		t0 := time.Now()
		code, stdout, stderr := runCLI(t, "--data-dir", data, "--sandbox", "order", "create", "--order", order, "--print", uri)
		if code != 0 {
			t.Fatalf("order create: exit %d: %s", code, stderr)
		}
		shipped = read()
		waybill = strings.Fields(stdout)[0]
		code, _, stderr = runCLI(t, "--data-dir", data, "print", "--printer", uri, "--order", order, "--waybill", waybill)
		if code != 0 {
			t.Fatalf("print: exit %d: %s", code, stderr)
		}
		printed = read()
		if t0.Truncate(time.Minute).Equal(time.Now().Truncate(time.Minute)) || attempt == 1 {
			break
		}
	}
	if !bytes.HasPrefix(shipped, []byte("~SD20\n^XA")) || !bytes.Contains(shipped, []byte("^PW800\n^LL1200")) {
		t.Errorf("the service's label is not ZPL at 100x150 with the profile's darkness: starts %q", shipped[:min(len(shipped), 120)])
	}
	if !bytes.Equal(shipped, printed) {
		t.Errorf("shipdesk print sent %d bytes that differ from the %d the service printed for waybill %s", len(printed), len(shipped), waybill)
	}

	// Explicit size and language: the CLI's job is LabelJob's.
	labelJob := func(t0 time.Time, o store.Order, opt shipping.ShipOptions) store.PrintJob {
		t.Helper()
		db, err := store.Open(filepath.Join(data, "shipdesk.db"), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if sh, err := db.Shipment(t.Context(), waybill); err != nil || sh.PayType != "SHIPPER" {
			t.Fatalf("stored shipment pay type %q, %v; want SHIPPER (the account's)", sh.PayType, err)
		}
		job, _, err := shipping.New(shipping.Deps{DB: db, Now: func() time.Time { return t0 }}).LabelJob(t.Context(), o, opt)
		if err != nil {
			t.Fatal(err)
		}
		return job
	}
	opt := shipping.ShipOptions{PrinterURI: uri, Size: label.Size76x130, Language: printer.TSPL}
	for attempt := 0; ; attempt++ {
		t0 := time.Now()
		code, _, stderr := runCLI(t, "--data-dir", data, "print", "--printer", uri, "--order", order, "--waybill", waybill, "--size", "76x130", "--lang", "tspl")
		if code != 0 {
			t.Fatalf("print --size --lang: exit %d: %s", code, stderr)
		}
		printed = read()
		o := s.OrderDefaults(store.Order{Reference: "PJ20261202-009", Carrier: "zhongtong", Items: "眼镜 1副", Waybill: waybill,
			Recipient: store.Party{Name: "王芳", Phone: "13700001111", Address: "天津市河西区友谊路32号"}})
		job := labelJob(t0, o, opt)
		if bytes.Equal(job.Data, printed) {
			if !bytes.HasPrefix(printed, []byte("SIZE 76 mm,130 mm")) || job.Format != "tspl" || job.Size != "76x130" {
				t.Errorf("LabelJob: %s %s, starts %q", job.Format, job.Size, printed[:min(len(printed), 40)])
			}
			break
		}
		if t0.Truncate(time.Minute).Equal(time.Now().Truncate(time.Minute)) || attempt == 1 {
			t.Fatalf("shipdesk print --size 76x130 --lang tspl sent %d bytes, LabelJob built %d other bytes", len(printed), len(job.Data))
		}
	}
}
