package e2e

import (
	"bytes"
	"context"
	"debug/pe"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	_ "image/png"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"shipdesk/assets/i18n"
	"shipdesk/store"
)

// harness is what windows/test-windows.sh prepared.
type harness struct {
	exe, setup, hostBin string
	prefix, cups        string // WINEPREFIX, CUPS_SERVER host:port
	artifacts           string // screenshots and label bytes are kept here
	work                string // Linux folder for order files and outputs
	appData             string // %AppData%\shipdesk of the prefix's user, as a Linux path
}

func setup(t *testing.T) *harness {
	h := &harness{
		exe: os.Getenv("SHIPDESK_WINE_EXE"), setup: os.Getenv("SHIPDESK_WINE_SETUP"),
		hostBin: os.Getenv("SHIPDESK_HOST_BIN"), prefix: os.Getenv("WINEPREFIX"),
		cups: os.Getenv("CUPS_SERVER"), artifacts: os.Getenv("SHIPDESK_WINE_ARTIFACTS"),
	}
	if h.exe == "" || h.prefix == "" || h.cups == "" || os.Getenv("DISPLAY") == "" {
		msg := "the Windows build is tested under Wine by make test-windows (windows/test-windows.sh); SHIPDESK_WINE_EXE, WINEPREFIX, CUPS_SERVER or DISPLAY is unset"
		if os.Getenv("SHIPDESK_REQUIRE_WINE") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if h.artifacts == "" {
		h.artifacts = t.TempDir()
	}
	h.work = t.TempDir()
	user := os.Getenv("USER")
	if user == "" {
		user = "root"
	}
	h.appData = filepath.Join(h.prefix, "drive_c", "users", user, "AppData", "Roaming", "shipdesk")
	return h
}

// winPath is a Linux path as the exe sees it (Wine maps Z: to /).
func winPath(p string) string { return `Z:` + strings.ReplaceAll(p, "/", `\`) }

// run runs the exe (or another Windows program) under Wine and waits.
func (h *harness) run(t *testing.T, ctx context.Context, prog string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	var o, e bytes.Buffer
	cmd := exec.CommandContext(ctx, "wine", append([]string{prog}, args...)...)
	cmd.Env = h.env()
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("wine %s %v: %v", prog, args, err)
	}
	return o.String(), e.String(), code
}

func (h *harness) env() []string {
	return append(os.Environ(), "WINEDEBUG=-all", "TZ=UTC", "SHIPDESK_DATA_DIR=")
}

// waitWine waits until every Wine process of the prefix has exited (the
// NSIS uninstaller goes on in a copy of itself).
func (h *harness) waitWine(t *testing.T) {
	t.Helper()
	cmd := exec.Command("wineserver", "-w")
	cmd.Env = h.env()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("wineserver -w: %v %s", err, out)
	}
}

func (h *harness) lp(t *testing.T, tool string, args ...string) {
	t.Helper()
	out, err := exec.Command(tool, append([]string{"-h", h.cups}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v %s", tool, args, err, out)
	}
}

// sink is the label printer: a TCP listener at the end of a CUPS socket
// queue. Every connection is one job; got receives its bytes.
type sink struct {
	ln  net.Listener
	got chan []byte
}

func newSink(t *testing.T) *sink {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &sink{ln: ln, got: make(chan []byte, 16)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b, _ := io.ReadAll(c)
			c.Close()
			s.got <- b
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return s
}

func (s *sink) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// next waits for one job.
func (s *sink) next(t *testing.T, within time.Duration) []byte {
	t.Helper()
	select {
	case b := <-s.got:
		return b
	case <-time.After(within):
		t.Fatalf("no job reached the printer's port within %v", within)
	}
	return nil
}

// none checks that nothing reaches the port for a while.
func (s *sink) none(t *testing.T, wait time.Duration, why string) {
	t.Helper()
	select {
	case b := <-s.got:
		t.Fatalf("%s, but %d bytes reached the printer", why, len(b))
	case <-time.After(wait):
	}
}

const orderJSON = `{
  "reference": "PJ20261126-001",
  "recipient": {"name": "王芳", "phone": "13700001111", "address": "天津市河西区友谊路32号"},
  "sender":    {"name": "天津眼科医院视光中心", "phone": "022-23346655", "address": "天津市南开区复康路4号"},
  "carrier": "zhongtong",
  "items": "眼镜 1副", "count": 1, "weight": 0.5,
  "payType": "MONTHLY", "product": "标准快递", "remark": "易碎",
  "waybill": "773123456789012"
}`

// TestWindowsBuildUnderWine is the end-to-end test of issue 13: the real
// shipdesk.exe prints through the Windows spooler (Wine's, handing RAW
// jobs to CUPS), keeps a disabled queue's job safe, opens its window,
// refuses a second instance, encrypts the secrets file, and the installer
// installs and uninstalls it keeping the data.
func TestWindowsBuildUnderWine(t *testing.T) {
	h := setup(t)
	ctx := t.Context()
	order := filepath.Join(h.work, "order.json")
	if err := os.WriteFile(order, []byte(orderJSON), 0o600); err != nil {
		t.Fatal(err)
	}
	sk := newSink(t)
	// LABEL is the label printer; the Zebra queue only shows that the
	// driver name picks the language.
	h.lp(t, "lpadmin", "-p", "LABEL", "-E", "-v", fmt.Sprintf("socket://127.0.0.1:%d", sk.port()), "-m", "raw")
	h.lp(t, "lpadmin", "-p", "ZDesigner_GK888t", "-E", "-v", "socket://127.0.0.1:9", "-m", "raw")

	labelTSPL := func(name string) []byte {
		out := filepath.Join(h.work, name)
		_, stderr, code := h.run(t, ctx, h.exe, "label", "--order", winPath(order), "--format", "tspl", "--size", "76x130", "--out", winPath(out))
		if code != 0 {
			t.Fatalf("shipdesk.exe label: exit %d: %s", code, stderr)
		}
		b, err := os.ReadFile(out)
		if err != nil || len(b) == 0 {
			t.Fatalf("label output: %v (%d bytes)", err, len(b))
		}
		return b
	}
	// printed is the label bytes for a print that happened between two
	// renderings: the label carries the print time to the minute, so the
	// job equals one of them.
	matchesLabel := func(got, before, after []byte) bool {
		return bytes.Equal(got, before) || bytes.Equal(got, after)
	}

	t.Run("discovery", func(t *testing.T) {
		stdout, stderr, code := h.run(t, ctx, h.exe, "printers", "--json")
		if code != 0 {
			t.Fatalf("printers --json: exit %d: %s", code, stderr)
		}
		var list []struct {
			URI, Name, Language, Transport, Driver, Port, Status string
		}
		if err := json.Unmarshal([]byte(stdout), &list); err != nil {
			t.Fatalf("printers --json: %v\n%s", err, stdout)
		}
		seen := map[string]bool{}
		for _, p := range list {
			if p.Transport != "winspool" {
				continue
			}
			seen[p.Name] = true
			if p.Driver == "" || p.Port == "" {
				t.Errorf("%s: no driver or port: %+v", p.Name, p)
			}
			switch p.Name {
			case "LABEL":
				if p.URI != "winspool://LABEL" || p.Status != "ready" {
					t.Errorf("LABEL listed as %+v, want winspool://LABEL, ready", p)
				}
			case "ZDesigner_GK888t":
				if p.Language != "zpl" {
					t.Errorf("a ZDesigner driver gives language %q, want zpl", p.Language)
				}
			}
		}
		if !seen["LABEL"] || !seen["ZDesigner_GK888t"] {
			t.Fatalf("the CUPS queues are not listed as Windows printers: %s", stdout)
		}
	})

	t.Run("spooler prints the label byte for byte", func(t *testing.T) {
		before := labelTSPL("before.prn")
		stdout, stderr, code := h.run(t, ctx, h.exe, "print", "--printer", "winspool://LABEL", "--order", winPath(order), "--size", "76x130")
		after := labelTSPL("after.prn")
		if code != 0 {
			t.Fatalf("print: exit %d: %s%s", code, stdout, stderr)
		}
		if !says(stdout, "job %d sent: %d bytes to %s") {
			t.Errorf("print said %q", stdout)
		}
		got := sk.next(t, 60*time.Second)
		os.WriteFile(filepath.Join(h.artifacts, "printed.prn"), got, 0o644)
		if !matchesLabel(got, before, after) {
			t.Fatalf("the printer received %d bytes that differ from shipdesk label --format tspl (%d bytes)", len(got), len(before))
		}
		if !bytes.Contains(got[:min(len(got), 200)], []byte("SIZE 76 mm,130 mm\r\n")) {
			t.Errorf("not a 76x130 TSPL label: %q", got[:min(len(got), 80)])
		}
		if h.hostBin != "" {
			// The Linux build renders the same label to the same bytes.
			out := filepath.Join(h.work, "linux.prn")
			cmd := exec.CommandContext(ctx, h.hostBin, "--data-dir", filepath.Join(h.work, "linux-data"), "label", "--order", order, "--format", "tspl", "--size", "76x130", "--out", out)
			cmd.Env = append(os.Environ(), "TZ=UTC")
			if o, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("linux shipdesk label: %v %s", err, o)
			}
			lin, _ := os.ReadFile(out)
			// Rendered between the Windows "after" label and this one, so
			// within the same minute as one of them.
			later := labelTSPL("later.prn")
			if !bytes.Equal(lin, after) && !bytes.Equal(lin, later) {
				os.WriteFile(filepath.Join(h.artifacts, "linux.prn"), lin, 0o644)
				os.WriteFile(filepath.Join(h.artifacts, "windows.prn"), later, 0o644)
				t.Errorf("the Linux build's label (%d bytes) differs from the Windows build's (%d)", len(lin), len(later))
			}
		}
		sk.none(t, 2*time.Second, "one print")
	})

	t.Run("disabled queue loses nothing and prints nothing twice", func(t *testing.T) {
		h.lp(t, "cupsdisable", "LABEL")
		enabled := false
		t.Cleanup(func() {
			if !enabled {
				h.lp(t, "cupsenable", "LABEL")
			}
		})
		before := labelTSPL("before2.prn")
		stdout, stderr, code := h.run(t, ctx, h.exe, "print", "--printer", "winspool://LABEL", "--order", winPath(order), "--size", "76x130")
		after := labelTSPL("after2.prn")
		sk.none(t, 3*time.Second, "the queue is disabled")
		db, err := store.Open(filepath.Join(h.appData, "shipdesk.db"), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		jobs, err := db.Jobs(ctx, store.JobFilter{})
		db.Close()
		if err != nil || len(jobs) == 0 {
			t.Fatalf("print jobs in the store: %v, %v", len(jobs), err)
		}
		last := jobs[0]
		for _, j := range jobs {
			if j.ID > last.ID {
				last = j
			}
		}
		if !matchesLabel(last.Data, before, after) {
			t.Errorf("the stored job does not hold the label")
		}
		h.lp(t, "cupsenable", "LABEL")
		enabled = true
		switch code {
		case 1:
			// The spooler said the printer is not ready: the job is kept
			// as failed for a person to retry, and nothing is sent on
			// its own.
			t.Logf("Wine reported the disabled queue as not ready: %s", strings.TrimSpace(stderr))
			if last.State != store.JobFailed || !says(stderr, "Print job %d is kept as failed: retry it from the print queue.") {
				t.Errorf("job %d is %s (%s), want failed and retryable", last.ID, last.State, stderr)
			}
			sk.none(t, 5*time.Second, "a failed job waits for a person")
		case 0:
			// Wine does not report CUPS's stopped state: the spooler took
			// the job and CUPS holds it; enabling the queue prints it once.
			t.Logf("Wine reports the disabled queue as ready; CUPS held the job: %s", strings.TrimSpace(stdout))
			if last.State != store.JobSent {
				t.Errorf("job %d is %s, want sent", last.ID, last.State)
			}
			got := sk.next(t, 60*time.Second)
			if !matchesLabel(got, before, after) {
				t.Errorf("the held job came out as %d different bytes", len(got))
			}
			sk.none(t, 3*time.Second, "the held job printed once")
		default:
			t.Fatalf("print to a disabled queue: exit %d: %s%s", code, stdout, stderr)
		}
	})

	t.Run("window, second instance, DPAPI", func(t *testing.T) {
		const plainSecret = "s3cr3tVALUE99"
		if err := os.MkdirAll(h.appData, 0o700); err != nil {
			t.Fatal(err)
		}
		secrets := filepath.Join(h.appData, "secrets.json")
		if err := os.WriteFile(secrets, []byte(`{"secret": "`+plainSecret+`", "userid": "user42xyz"}`), 0o600); err != nil {
			t.Fatal(err)
		}
		var logs bytes.Buffer
		gui := exec.Command("wine", h.exe)
		gui.Env = append(h.env(), "LANG=zh_CN.UTF-8", "LC_ALL=zh_CN.UTF-8")
		gui.Stdout, gui.Stderr = &logs, &logs
		if err := gui.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- gui.Wait() }()
		defer func() {
			gui.Process.Kill()
			<-exited
			h.waitWine(t)
		}()
		id := waitWindow(t, exited, &logs)
		shot := filepath.Join(h.artifacts, "shipdesk-wine.png")
		colours, top := screenshot(t, id, shot)
		t.Logf("window %s: screenshot %s, %d colours, top colour %.1f%%", id, shot, colours, top*100)

		// The running app holds the data folder: a second one is told.
		_, stderr, code := h.run(t, ctx, h.exe, "shipments")
		if code != 1 || !strings.Contains(stderr, "already running") {
			t.Errorf("second instance: exit %d, %q; want exit 1 saying it is already running", code, stderr)
		}
		// The plain secrets file was encrypted on start.
		raw, err := os.ReadFile(secrets)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(raw, []byte("shipdesk-dpapi-1 ")) || bytes.Contains(raw, []byte(plainSecret)) {
			t.Errorf("secrets.json after start: %q, want it DPAPI-encrypted", raw[:min(len(raw), 60)])
		}
	})

	t.Run("exe metadata", func(t *testing.T) {
		f, err := pe.Open(h.exe)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		oh, ok := f.OptionalHeader.(*pe.OptionalHeader64)
		if !ok || oh.Subsystem != pe.IMAGE_SUBSYSTEM_WINDOWS_GUI {
			t.Errorf("subsystem %v, want the Windows GUI subsystem (no console window)", f.OptionalHeader)
		}
		if f.Section(".rsrc") == nil {
			t.Fatal("no resources (icon, version)")
		}
		rsrc, _ := f.Section(".rsrc").Data()
		version := fyneVersion(t)
		for _, s := range []string{"ProductVersion", version, "Shipdesk 发货台"} {
			if !bytes.Contains(rsrc, utf16le(s)) {
				t.Errorf("version resource lacks %q", s)
			}
		}
	})

	t.Run("installer", func(t *testing.T) {
		if h.setup == "" {
			t.Skip("SHIPDESK_WINE_SETUP unset")
		}
		if _, stderr, code := h.run(t, ctx, h.setup, "/S"); code != 0 {
			t.Fatalf("silent install: exit %d %s", code, stderr)
		}
		h.waitWine(t)
		c := filepath.Join(h.prefix, "drive_c")
		installed := filepath.Join(c, "Program Files", "Shipdesk", "shipdesk.exe")
		want, _ := os.ReadFile(h.exe)
		got, err := os.ReadFile(installed)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("installed exe: %v (%d bytes, want %d)", err, len(got), len(want))
		}
		shortcuts := []string{
			filepath.Join(c, "users", "Public", "Desktop", "Shipdesk 发货台.lnk"),
			filepath.Join(c, "ProgramData", "Microsoft", "Windows", "Start Menu", "Programs", "Shipdesk 发货台", "Shipdesk 发货台.lnk"),
		}
		for _, s := range shortcuts {
			if _, err := os.Stat(s); err != nil {
				t.Errorf("shortcut: %v", err)
			}
		}
		stdout, _, code := h.run(t, ctx, `C:\Program Files\Shipdesk\shipdesk.exe`, "--help")
		if code != 0 || !strings.Contains(stdout, "shipdesk print") {
			t.Errorf("installed shipdesk.exe --help: exit %d, %q", code, stdout)
		}
		if _, stderr, code := h.run(t, ctx, `C:\Program Files\Shipdesk\uninstall.exe`, "/S"); code != 0 {
			t.Fatalf("silent uninstall: exit %d %s", code, stderr)
		}
		h.waitWine(t)
		if _, err := os.Stat(installed); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("after uninstall the exe is still there: %v", err)
		}
		for _, s := range shortcuts {
			if _, err := os.Stat(s); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("after uninstall %s is still there", s)
			}
		}
		if _, err := os.Stat(filepath.Join(h.appData, "shipdesk.db")); err != nil {
			t.Errorf("uninstall without ticking 'also delete data' removed the data: %v", err)
		}
	})
}

// waitWindow waits for the app's top-level window (发货台) on $DISPLAY.
func waitWindow(t *testing.T, exited <-chan error, logs *bytes.Buffer) string {
	t.Helper()
	re := regexp.MustCompile(`(?m)^\s+(0x[0-9a-f]+) "(发货台|Shipdesk|\\345\\217\\221\\350\\264\\247\\345\\217\\260)"`)
	tick := time.NewTicker(300 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(120 * time.Second)
	for {
		c := exec.Command("xwininfo", "-root", "-tree")
		c.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
		if out, err := c.Output(); err == nil {
			if m := re.FindSubmatch(out); m != nil {
				return string(m[1])
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("shipdesk.exe exited before showing a window: %v\n%s", err, logs)
		case <-deadline:
			t.Fatalf("no window after 120 s\n%s", logs)
		case <-tick.C:
		}
	}
}

// screenshot captures window id until it is drawn (many colours, no colour
// covering nearly everything) or 30 s pass.
func screenshot(t *testing.T, id, path string) (colours int, top float64) {
	t.Helper()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	end := time.Now().Add(30 * time.Second)
	for {
		<-tick.C
		out, err := exec.Command("import", "-window", id, path).CombinedOutput()
		if err == nil {
			colours, top, err = pictureStats(path)
		}
		if err == nil && colours >= 16 && top < 0.97 {
			return colours, top
		}
		if time.Now().After(end) {
			t.Fatalf("window looks blank: %d colours, top colour %.1f%% (%v %s)", colours, top*100, err, out)
		}
	}
}

func pictureStats(path string) (colours int, top float64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return 0, 0, err
	}
	count := map[uint32]int{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			count[r>>8<<16|g>>8<<8|bl>>8]++
		}
	}
	most := 0
	for _, n := range count {
		most = max(most, n)
	}
	return len(count), float64(most) / float64(b.Dx()*b.Dy()), nil
}

func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

// fyneVersion reads Version from FyneApp.toml at the module root.
func fyneVersion(t *testing.T) string {
	raw, err := os.ReadFile(filepath.Join("..", "..", "FyneApp.toml"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*Version\s*=\s*"([^"]+)"`).FindSubmatch(raw)
	if m == nil {
		t.Fatal("no Version in FyneApp.toml")
	}
	return string(m[1])
}

// says reports whether out contains the catalogue's sentence key, in
// English or in Chinese (the station's language decides which the exe
// prints), with anything in place of its verbs.
func says(out, key string) bool {
	texts := []string{key}
	if zh, ok := i18n.Lookup("zh", key); ok {
		texts = append(texts, zh)
	}
	verb := regexp.MustCompile(`%[a-z]`)
	for _, text := range texts {
		if regexp.MustCompile(verb.ReplaceAllString(regexp.QuoteMeta(text), ".*")).MatchString(out) {
			return true
		}
	}
	return false
}
