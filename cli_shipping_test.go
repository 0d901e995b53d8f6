package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"shipdesk/assets/i18n"
	"shipdesk/kuaidi100"
	"shipdesk/kuaidi100/sandbox"
	"shipdesk/printer"
	"shipdesk/store"
)

// signalWriter collects output and signals each write.
type signalWriter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	note chan struct{}
}

func newSignalWriter() *signalWriter { return &signalWriter{note: make(chan struct{}, 1000)} }

func (w *signalWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(p)
	select {
	case w.note <- struct{}{}:
	default:
	}
	return n, err
}

func (w *signalWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// waitFor waits until the output contains s, failing after a generous
// real-time limit (the wait itself is driven by writes, not by sleeping).
func (w *signalWriter) waitFor(t *testing.T, s string) {
	t.Helper()
	limit := time.After(30 * time.Second)
	for !strings.Contains(w.String(), s) {
		select {
		case <-w.note:
		case <-limit:
			t.Fatalf("no %q in output:\n%s", s, w.String())
		}
	}
}

// daemon starts `shipdesk daemon` and returns its outputs and a stop func.
func startDaemon(t *testing.T, base string, args ...string) (*signalWriter, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	out, errw := newSignalWriter(), newSignalWriter()
	code := make(chan int, 1)
	go func() { code <- run(ctx, append(base2args(base), append([]string{"daemon"}, args...)...), out, errw) }()
	errw.waitFor(t, "shipdesk daemon:")
	return out, func() int {
		cancel()
		c := <-code
		if c != 0 {
			t.Errorf("daemon exit %d: %s", c, errw.String())
		}
		return c
	}
}

var testDataDir string

func base2args(apiBase string) []string {
	return []string{"--data-dir", testDataDir, "--api-base", apiBase}
}

// TestOrderCreateThenDelivered is the "done when": order create
// against the sandbox prints the waybill and writes the label to the chosen
// printer; the daemon receives the pushes; shipments later shows the parcel
// delivered.
func TestOrderCreateThenDelivered(t *testing.T) {
	for _, env := range []string{"KUAIDI100_KEY", "KUAIDI100_CUSTOMER", "KUAIDI100_SECRET"} {
		t.Setenv(env, "")
	}
	ctx := t.Context()
	o := sandbox.DefaultOptions()
	o.DailyQuota = 0
	o.ProblemShare, o.RefusedShare, o.ReturnedShare = 0, 0, 0
	o.Seed = 3
	sb, base, stopSB, err := sandbox.Start(ctx, "", o)
	if err != nil {
		t.Fatal(err)
	}
	defer stopSB()
	testDataDir = t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pushAddr := ln.Addr().String()
	ln.Close()

	// The daemon remembers the push address once given.
	_, stop := startDaemon(t, base, "--push-listen", pushAddr)
	stop()

	orderFile := filepath.Join(t.TempDir(), "order.json")
	if err := os.WriteFile(orderFile, []byte(`{
  "reference": "PJ20261126-001",
  "recipient": {"name": "王芳", "phone": "13700001111", "address": "天津市河西区友谊路32号"},
  "carrier": "zhongtong", "items": "眼镜 1副", "count": 1, "weight": 0.5, "remark": "易碎"
}`), 0o644); err != nil {
		t.Fatal(err)
	}
	prn := filepath.Join(t.TempDir(), "label.prn")
	var out, errb bytes.Buffer
	code := run(ctx, append(base2args(base), "order", "create", "--order", orderFile, "--print", printer.PathURI("file", prn)), &out, &errb)
	if code != 0 {
		t.Fatalf("order create: exit %d: %s", code, errb.String())
	}
	m := regexp.MustCompile(`^(\d{12,15}) zhongtong sent\n$`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("order create printed %q (stderr %q)", out.String(), errb.String())
	}
	waybill := m[1]
	label, err := os.ReadFile(prn)
	if err != nil || !bytes.Contains(label, []byte("BARCODE")) || !bytes.Contains(label, []byte(waybill)) {
		t.Fatalf("label file: %v, %.100q", err, label)
	}

	// The parcel travels; the sandbox pushes to the daemon.
	dout, stop := startDaemon(t, base)
	sb.Advance(6 * 24 * time.Hour)
	sb.Step(ctx)
	dout.waitFor(t, waybill+" zhongtong delivered 已签收")
	stop()

	out.Reset()
	errb.Reset()
	if code := run(ctx, append(base2args(base), "shipments", "--state", "delivered", "--json"), &out, &errb); code != 0 {
		t.Fatalf("shipments: exit %d: %s", code, errb.String())
	}
	var list []map[string]any
	if err := json.Unmarshal(out.Bytes(), &list); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if len(list) != 1 || list[0]["waybill"] != waybill || list[0]["milestone"] != "delivered" || list[0]["milestoneName"] != "已签收" ||
		list[0]["phone"] != "137****1111" || list[0]["carrierName"] != "中通快递" || list[0]["reference"] != "PJ20261126-001" ||
		list[0]["events"].(float64) == 0 {
		t.Errorf("shipments --json: %s", out.String())
	}
	out.Reset()
	if code := run(ctx, append(base2args(base), "shipments"), &out, &errb); code != 0 || !strings.Contains(out.String(), waybill) ||
		!strings.Contains(out.String(), i18n.T(store.MilestoneDelivered.English())) || !strings.HasPrefix(out.String(), i18n.T("WAYBILL")+" ") {
		t.Errorf("shipments table: exit %d\n%s", code, out.String())
	}
}

func TestOrderCreateUsageAndValidation(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if code := run(t.Context(), []string{"--data-dir", dir, "order", "create"}, &out, &errb); code != 2 {
		t.Errorf("no order: exit %d", code)
	}
	if code := run(t.Context(), []string{"--data-dir", dir, "order", "frobnicate"}, &out, &errb); code != 2 {
		t.Errorf("unknown subcommand: exit %d", code)
	}
	if code := run(t.Context(), []string{"--data-dir", dir, "shipments", "--state", "flying"}, &out, &errb); code != 2 {
		t.Errorf("bad state: exit %d", code)
	}
	errb.Reset()
	code := run(t.Context(), []string{"--data-dir", dir, "--sandbox", "order", "create",
		"--to-name", "王芳", "--to-phone", "12345", "--to-addr", "天津", "--carrier", "zhongtong", "--json"}, &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "收件人电话") || strings.Count(strings.TrimSpace(errb.String()), "\n") != 0 {
		t.Errorf("invalid order: exit %d, stderr %q", code, errb.String())
	}
}

func TestOrderCreateJSONDemo(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	code := run(t.Context(), []string{"--data-dir", dir, "--sandbox", "order", "create", "--json",
		"--to-name", "王芳", "--to-phone", "13700001111", "--to-addr", "天津市河西区友谊路32号", "--carrier", "yuantong"}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var got struct {
		OrderID, Waybill, Carrier, Milestone, Step string
		Job                                        struct {
			ID             uint64
			State, Printer string
		}
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if !strings.HasPrefix(got.OrderID, "SD") || !strings.HasPrefix(got.Waybill, "YT") || got.Carrier != "yuantong" ||
		got.Milestone != "ordered" || got.Step != "done" || got.Job.ID == 0 || got.Job.State != "sent" ||
		!strings.HasPrefix(got.Job.Printer, "virtual:///") {
		t.Errorf("json %+v", got)
	}
	pngs, _ := filepath.Glob(filepath.Join(dir, "labels", "*.png"))
	if len(pngs) != 1 {
		t.Errorf("virtual printer wrote %v", pngs)
	}
}

func TestOrderCreateGuessesCarrier(t *testing.T) {
	var out, errb bytes.Buffer
	code := run(t.Context(), []string{"--data-dir", t.TempDir(), "--sandbox", "order", "create",
		"--to-name", "王芳", "--to-phone", "13700001111", "--to-addr", "天津市河西区友谊路32号"}, &out, &errb)
	if code != 0 || !strings.Contains(errb.String(), i18n.F("No carrier given: using %s (%s).", "zhongtong", kuaidi100.CarrierName("zhongtong"))) || !strings.Contains(out.String(), " zhongtong sent") {
		t.Errorf("exit %d, out %q, stderr %q", code, out.String(), errb.String())
	}
}

// A failed waybill leaves the order stored: the one line on stderr names it
// so the operator can resume it.
func TestOrderCreateFailureNamesTheOrder(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	var out, errb bytes.Buffer
	code := run(t.Context(), []string{"--data-dir", dir, "--api-base", dead, "order", "create",
		"--to-name", "王芳", "--to-phone", "13700001111", "--to-addr", "天津市河西区友谊路32号", "--carrier", "zhongtong"}, &out, &errb)
	line := strings.TrimSpace(errb.String())
	if code != 1 || strings.Contains(line, "\n") || !strings.Contains(line, "order resume SD") {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
}

// --help on a command is not bad usage: it prints the command's grammar on
// stdout and exits 0.
func TestCommandHelp(t *testing.T) {
	for _, args := range [][]string{{"order", "--help"}, {"order", "create", "--help"}, {"label", "--help"},
		{"render", "-h"}, {"shipments", "--help"}, {"daemon", "-help"}} {
		var out, errb bytes.Buffer
		code := run(t.Context(), append([]string{"--data-dir", t.TempDir()}, args...), &out, &errb)
		if code != 0 || !strings.Contains(out.String(), "shipdesk "+args[0]+" ") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out.String(), errb.String())
		}
	}
}

func TestShipmentsNegativeLimitIsUsage(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(t.Context(), []string{"--data-dir", t.TempDir(), "shipments", "--limit", "-3"}, &out, &errb); code != 2 {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}
