package main

import (
	"bytes"
	"errors"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"shipdesk/kuaidi100"
	"shipdesk/shipping"
	"shipdesk/store"
)

// TestGUIUnderX starts the real binary on the X display in $DISPLAY (make
// test starts Xvfb) with a fresh data folder, waits for its window, takes a
// screenshot and checks that the window is drawn (many colours, no single
// colour covering almost everything). Then it stops the app with SIGTERM
// and expects a clean exit. The screenshot is kept in $SHIPDESK_SHOT when
// set.
func TestGUIUnderX(t *testing.T) {
	if os.Getenv("DISPLAY") == "" {
		t.Skip("DISPLAY is unset: skipping the real-window test (make test runs it under Xvfb)")
	}
	if testing.Short() {
		t.Skip("-short: skipping the real-window test")
	}
	for _, tool := range []string{"xwininfo", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not found (x11-utils, imagemagick); make deps installs them", tool)
		}
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "shipdesk")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "data")
	var logs bytes.Buffer
	cmd := exec.Command(bin, "--data-dir", data)
	cmd.Env = append(os.Environ(), "SHIPDESK_DATA_DIR=")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
	})

	// Wait for a new top-level window named 发货台 (or Shipdesk with
	// English chosen; non-ASCII may come out octal-escaped). Windows that
	// were there before (another app on the same display) do not count.
	id := ""
	re := regexp.MustCompile(`(?m)^\s+(0x[0-9a-f]+) "(发货台|Shipdesk|\\345\\217\\221\\350\\264\\247\\345\\217\\260)"`)
	before := map[string]bool{}
	if out, err := xwininfoTree(); err == nil {
		for _, m := range re.FindAllSubmatch(out, -1) {
			before[string(m[1])] = true
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for id == "" {
		out, _ := xwininfoTree()
		for _, m := range re.FindAllSubmatch(out, -1) {
			if !before[string(m[1])] {
				id = string(m[1])
			}
		}
		if id != "" {
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("app exited before showing a window: %v\n%s", err, logs.String())
		case <-tick.C:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no window after 60 s\n%s", logs.String())
		}
	}
	t.Logf("window %s after %v", id, time.Since(start).Round(time.Millisecond))

	// The first frames may still be blank: capture until the window is
	// drawn or 20 s pass.
	shot := filepath.Join(dir, "shot.png")
	if p := os.Getenv("SHIPDESK_SHOT"); p != "" {
		shot = p
	}
	var colours int
	var top float64
	for end := time.Now().Add(20 * time.Second); ; {
		<-tick.C
		out, err := exec.Command("import", "-window", id, shot).CombinedOutput()
		if err == nil {
			colours, top, err = pictureStats(shot)
		}
		if err == nil && colours >= 16 && top < 0.97 {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("window looks blank: %d colours, top colour %.1f%% (%v %s)\n%s", colours, top*100, err, out, logs.String())
		}
	}
	t.Logf("screenshot %s: %d colours, top colour %.1f%%", shot, colours, top*100)

	// SIGTERM ends the app (tray and worker too) cleanly.
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v\n%s", err, logs.String())
		}
	case <-time.After(20 * time.Second):
		t.Errorf("still running 20 s after SIGTERM\n%s", logs.String())
	}
	if strings.Contains(logs.String(), "panic") {
		t.Errorf("log mentions a panic:\n%s", logs.String())
	}
}

// pictureStats counts the distinct colours of a PNG and the share of
// pixels that have the most common one.
func pictureStats(path string) (colours int, top float64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return 0, 0, err
	}
	b := img.Bounds()
	count := map[[3]uint32]int{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			count[[3]uint32{r >> 8, g >> 8, bl >> 8}]++
		}
	}
	most := 0
	for _, n := range count {
		most = max(most, n)
	}
	total := b.Dx() * b.Dy()
	if total == 0 {
		return 0, 1, nil
	}
	return len(count), float64(most) / float64(total), nil
}

// TestGUIWithoutDisplay: with no X11 or Wayland display the app says so in
// one line and exits 1 instead of crashing inside GLFW.
func TestGUIWithoutDisplay(t *testing.T) {
	if !slices.Contains([]string{"linux", "freebsd", "openbsd", "netbsd", "dragonfly"}, runtime.GOOS) {
		t.Skip("only X11/Wayland systems can lack a display")
	}
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	var out, errb bytes.Buffer
	code := run(t.Context(), []string{"--data-dir", t.TempDir()}, &out, &errb)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr %q", code, errb.String())
	}
	if lines := strings.Count(strings.TrimSpace(errb.String()), "\n"); lines != 0 || !strings.Contains(errb.String(), "DISPLAY") {
		t.Errorf("stderr = %q, want one line naming DISPLAY", errb.String())
	}
}

// TestConnectionNeedsCredentials: testing production without a key says
// what to fill in, in Chinese.
func TestConnectionNeedsCredentials(t *testing.T) {
	rt := &wiring{}
	err := rt.testConnection(t.Context(), store.Secrets{}, true)
	if !errors.Is(err, kuaidi100.ErrAuth) {
		t.Fatalf("err = %v, want ErrAuth", err)
	}
	if got := shipping.Describe(err); !strings.HasPrefix(got, "请先填写快递100的 key") {
		t.Errorf("clerk sees %q", got)
	}
}

// TestGUIStartupErrorWindow starts the real binary while the data folder is
// in use (the app already running, hidden in the tray): the clerk, who
// started it from the desktop and sees no stderr, must get a window saying
// so. SIGTERM closes it; the exit status is 1 with the one line on stderr.
func TestGUIStartupErrorWindow(t *testing.T) {
	if os.Getenv("DISPLAY") == "" {
		t.Skip("DISPLAY is unset: skipping the real-window test (make test runs it under Xvfb)")
	}
	if testing.Short() {
		t.Skip("-short: skipping the real-window test")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "shipdesk")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "data")
	held, err := store.Open(filepath.Join(data, "shipdesk.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	re := regexp.MustCompile(`(?m)^\s+(0x[0-9a-f]+) "(发货台|\\345\\217\\221\\350\\264\\247\\345\\217\\260)"`)
	before := map[string]bool{}
	if out, err := xwininfoTree(); err == nil {
		for _, m := range re.FindAllSubmatch(out, -1) {
			before[string(m[1])] = true
		}
	}
	var logs bytes.Buffer
	cmd := exec.Command(bin, "--data-dir", data)
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for deadline, found := time.Now().Add(60*time.Second), false; !found; {
		out, _ := xwininfoTree()
		for _, m := range re.FindAllSubmatch(out, -1) {
			found = found || !before[string(m[1])]
		}
		if found {
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("exited without a window: %v\n%s", err, logs.String())
		case <-tick.C:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no window after 60 s\n%s\n%s", logs.String(), out)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			t.Errorf("exit: %v, want status 1\n%s", err, logs.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("still running 20 s after SIGTERM\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "already running") {
		t.Errorf("stderr %q", logs.String())
	}
}

// xwininfoTree lists the display's windows. Window names are UTF-8, and
// this test binary's environment says LANG=C (locale_cgo.go shortens
// C.UTF-8 before main), under which xwininfo prints "failure in
// conversion" instead of the names: it gets a UTF-8 locale back.
func xwininfoTree() ([]byte, error) {
	c := exec.Command("xwininfo", "-root", "-tree")
	c.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	return c.Output()
}
