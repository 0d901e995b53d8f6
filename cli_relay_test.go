package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"shipdesk/kuaidi100/sandbox"
	"shipdesk/store"
	"shipdesk/tracking/relay"
)

// proc is a running shipdesk process whose stderr is scanned for lines.
type proc struct {
	cmd   *exec.Cmd
	lines chan string
	done  chan struct{}
	out   *bytes.Buffer
}

func startProc(t *testing.T, bin string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "SHIPDESK_VERBOSE=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, lines: make(chan string, 4096), done: make(chan struct{}), out: &bytes.Buffer{}}
	cmd.Stdout = p.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			select {
			case p.lines <- sc.Text():
			default:
			}
		}
		cmd.Wait()
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.done
	})
	return p
}

// waitLine returns the first stderr line matching re.
func (p *proc) waitLine(t *testing.T, re *regexp.Regexp) []string {
	t.Helper()
	timeout := time.After(60 * time.Second)
	for {
		select {
		case l := <-p.lines:
			if m := re.FindStringSubmatch(l); m != nil {
				return m
			}
		case <-p.done:
			t.Fatalf("%s exited before printing %v", p.cmd.Args[1:], re)
		case <-timeout:
			t.Fatalf("%s printed no line matching %v in 60 s", p.cmd.Args[1:], re)
		}
	}
}

func (p *proc) stop(t *testing.T, sig os.Signal) {
	t.Helper()
	p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not stop", p.cmd.Args[1:])
	}
}

func runBin(t *testing.T, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Run(); err != nil {
		t.Fatalf("shipdesk %s: %v\n%s", strings.Join(args, " "), err, e.String())
	}
	return o.String()
}

// waitDrained waits until the relay has nothing waiting for station (asked
// through the CLI, which reaches the running relay's admin endpoint).
func waitDrained(t *testing.T, bin, relayDir string) relay.StationInfo {
	t.Helper()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(60 * time.Second)
	for {
		var list []relay.StationInfo
		if err := json.Unmarshal([]byte(runBin(t, bin, "--data-dir", relayDir, "relay", "stations", "--json")), &list); err != nil || len(list) != 1 {
			t.Fatalf("relay stations: %v %+v", err, list)
		}
		if list[0].Waiting == 0 {
			return list[0]
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("the station did not take its pushes: %+v", list[0])
		}
	}
}

// TestRelayEndToEnd is the "done when": a real relay process and a
// real station process (the built binary), the sandbox pushing to the
// relay, the station switched off at night (once killed outright), and the
// station learning every event of every parcel through the relay.
func TestRelayEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the build of the real binary")
	}
	bin := filepath.Join(t.TempDir(), "shipdesk")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	relayDir, stationDir := t.TempDir(), t.TempDir()

	// The relay, on a public host (here loopback).
	rp := startProc(t, bin, "--data-dir", relayDir, "relay", "--listen", "127.0.0.1:0")
	relayURL := rp.waitLine(t, regexp.MustCompile(`shipdesk relay: [^h]*(http://127\.0\.0\.1:\d+)`))[1]
	out := runBin(t, bin, "--data-dir", relayDir, "relay", "add-station", "desk")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	token := lines[len(lines)-1]
	if _, ok := relay.StationOfToken(token); !ok {
		t.Fatalf("add-station's last line %q is not a token:\n%s", token, out)
	}

	// The sandbox, on a clock the test moves.
	o := sandbox.DefaultOptions()
	o.Seed = 5
	frozen := time.Unix(1_800_000_000, 0)
	o.Clock = func() time.Time { return frozen }
	o.Start = time.Date(2026, 11, 2, 9, 0, 0, 0, clinicTime) // a Monday
	o.DailyQuota = 0
	sb := sandbox.New(o)
	srv := &http.Server{Handler: sb}
	ln := listenLoopback(t)
	go srv.Serve(ln)
	defer srv.Close()
	api := "http://" + ln.Addr().String()
	night := func(d time.Duration) {
		for done := time.Duration(0); done < d; done += 10 * time.Minute {
			sb.Advance(10 * time.Minute)
			sb.Step(t.Context())
		}
	}

	// Morning: the station is pointed at the relay once (remembered).
	sp := startProc(t, bin, "--data-dir", stationDir, "--api-base", api, "daemon", "--relay", relayURL, "--relay-token", token)
	sp.waitLine(t, catalogueRegexp("pushes through relay %s as station %s (token %s), callback %s", "", "desk", "", ""))
	sp.stop(t, syscall.SIGINT)
	if raw, _ := os.ReadFile(filepath.Join(stationDir, store.RelayTokenFile)); !strings.Contains(string(raw), token) {
		t.Fatal("the token was not kept in the station's secrets")
	}
	// The clerk ships parcels (each subscribes with the relay's URL).
	addrs := []string{"天津市河西区友谊路32号", "上海市杨浦区长江路1号", "成都市武侯区人民路8号", "广州市天河区中山路3号", "北京市朝阳区建设路5号", "昆明市五华区文化路9号"}
	var waybills []string
	for i, a := range addrs {
		sb.Advance(time.Second)
		out := runBin(t, bin, "--data-dir", stationDir, "--api-base", api, "order", "create", "--json", "--carrier", "zhongtong",
			"--to-name", "王芳", "--to-phone", fmt.Sprintf("1370000%04d", i), "--to-addr", a)
		var res struct{ Waybill string }
		if err := json.Unmarshal([]byte(out), &res); err != nil || res.Waybill == "" {
			t.Fatalf("order create: %v\n%s", err, out)
		}
		waybills = append(waybills, res.Waybill)
	}
	// The day's daemon runs; then the PC is switched off (killed outright).
	sp = startProc(t, bin, "--data-dir", stationDir, "--api-base", api, "daemon")
	sp.waitLine(t, catalogueRegexp("pushes through relay %s as station %s (token %s), callback %s", relayURL, "desk", "", ""))
	night(10 * time.Hour)
	waitDrained(t, bin, relayDir)
	sp.stop(t, syscall.SIGKILL)

	// Nights and days with the PC off: the relay keeps every push.
	night(9 * 24 * time.Hour)
	if st := sb.Stats(); st.Pushes["failed"] != 0 || st.Pushes["dropped"] != 0 || st.Active != 0 {
		t.Fatalf("sandbox pushes %v, %d still active: every push must reach the relay and every parcel finish", st.Pushes, st.Active)
	}
	var before []relay.StationInfo
	json.Unmarshal([]byte(runBin(t, bin, "--data-dir", relayDir, "relay", "stations", "--json")), &before)
	if len(before) != 1 || before[0].Waiting == 0 {
		t.Fatalf("nothing waiting at the relay while the station was off: %+v", before)
	}

	// Morning: the station starts and catches up.
	began := time.Now()
	sp = startProc(t, bin, "--data-dir", stationDir, "--api-base", api, "daemon")
	got := waitDrained(t, bin, relayDir)
	t.Logf("caught up on %d pushes in %v (relay: %+v)", before[0].Waiting, time.Since(began), got.Counts)
	sp.stop(t, syscall.SIGINT)
	rp.stop(t, syscall.SIGINT)
	if got.Forged != 0 || got.Unknown != 0 || got.Bad != 0 || got.Applied != sb.Stats().Pushes["sent"] {
		t.Fatalf("relay counts %+v, sandbox sent %d", got.Counts, sb.Stats().Pushes["sent"])
	}

	db, err := store.Open(filepath.Join(stationDir, "shipdesk.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, w := range waybills {
		s, err := db.Shipment(t.Context(), w)
		if err != nil {
			t.Fatal(err)
		}
		evs, _ := db.Events(t.Context(), w)
		known := map[string]bool{}
		for _, e := range evs {
			known[e.Context] = true
		}
		for _, e := range sb.Journey(w) {
			if e.Code != "101" && !known[e.Context] {
				t.Errorf("%s: the station never learned %s %q", w, e.At.Format(time.DateTime), e.Context)
			}
		}
		if !s.Milestone.Terminal() || s.Subscription.CallbackURL != relayURL+"/push/desk" {
			t.Errorf("%s: milestone %s, callback %q", w, s.Milestone, s.Subscription.CallbackURL)
		}
	}
}

func listenLoopback(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// TestRelayStationsOffline: add-station and stations work on a relay that
// is not running (and on a data folder that does not exist yet); bad names
// are bad usage.
func TestRelayStationsOffline(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "relay")
	var out, errb bytes.Buffer
	if code := run(t.Context(), []string{"--data-dir", dir, "relay", "stations", "--json"}, &out, &errb); code != 0 || strings.TrimSpace(out.String()) != "[]" {
		t.Fatalf("stations before any: %d %q %s", code, out.String(), errb.String())
	}
	out.Reset()
	if code := run(t.Context(), []string{"--data-dir", dir, "relay", "add-station", "clinic-a"}, &out, &errb); code != 0 {
		t.Fatalf("add-station: %d %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if _, ok := relay.StationOfToken(lines[len(lines)-1]); !ok {
		t.Fatalf("last line %q is not a token", lines[len(lines)-1])
	}
	if code := run(t.Context(), []string{"--data-dir", dir, "relay", "add-station", "Bad Name"}, &out, &errb); code != 2 {
		t.Fatalf("bad name: exit %d", code)
	}
	if code := run(t.Context(), []string{"--data-dir", dir, "relay", "add-station", "clinic-a"}, &out, &errb); code != 1 {
		t.Fatalf("second clinic-a: exit %d", code)
	}
	out.Reset()
	if code := run(t.Context(), []string{"--data-dir", dir, "relay", "stations"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "clinic-a") || strings.Contains(out.String(), lines[len(lines)-1]) {
		t.Fatalf("stations: %d %q", code, out.String())
	}
	if code := run(t.Context(), []string{"--data-dir", dir, "daemon", "--relay", "https://r.example"}, &out, &errb); code != 2 {
		t.Fatalf("--relay without a token: exit %d", code)
	}
}
