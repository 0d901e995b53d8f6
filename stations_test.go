package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"shipdesk/assets/i18n"
	"shipdesk/kuaidi100/sandbox"
	"shipdesk/store"
	"shipdesk/store/postgres"
	"shipdesk/store/postgres/pgtest"
	"shipdesk/store/storetest"
)

// The tests in this file run real station processes (the built binary)
// against a real PostgreSQL server: the one `make test` starts, or one this
// test binary starts itself (pgtest).
// The station binary stationBinary builds is removed afterwards.
func TestMain(m *testing.M) {
	code := pgtest.Main(m)
	if buildOnce.bin != "" {
		os.RemoveAll(filepath.Dir(buildOnce.bin))
	}
	os.Exit(code)
}

var buildOnce struct {
	sync.Once
	bin string
	err error
	out []byte
}

// stationBinary builds the shipdesk binary once per test run.
func stationBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "shipdesk-bin-")
		if err != nil {
			buildOnce.err = err
			return
		}
		buildOnce.bin = filepath.Join(dir, "shipdesk")
		buildOnce.out, buildOnce.err = exec.Command("go", "build", "-o", buildOnce.bin, ".").CombinedOutput()
	})
	if buildOnce.err != nil {
		t.Fatalf("build: %v\n%s", buildOnce.err, buildOnce.out)
	}
	return buildOnce.bin
}

// station is one desk PC: its own data folder and name, the shared DSN.
type station struct {
	name, dir, dsn, api string
}

func (s station) args(more ...string) []string {
	return append([]string{"--data-dir", s.dir, "--db", s.dsn, "--station", s.name, "--api-base", s.api}, more...)
}

// daemon is a running `shipdesk daemon`, stdout and stderr as lines.
type stationProc struct {
	cmd   *exec.Cmd
	lines chan string
	done  chan struct{}
	mu    sync.Mutex
	log   []string
}

func startStation(t *testing.T, bin string, s station) *stationProc {
	t.Helper()
	cmd := exec.Command(bin, s.args("daemon")...)
	cmd.Env = append(os.Environ(), "SHIPDESK_VERBOSE=1")
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	d := &stationProc{cmd: cmd, lines: make(chan string, 1<<16), done: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			d.mu.Lock()
			d.log = append(d.log, sc.Text())
			d.mu.Unlock()
			d.lines <- sc.Text()
		}
	}()
	go func() {
		cmd.Wait()
		pw.Close()
		close(d.done)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-d.done
		if t.Failed() {
			d.mu.Lock()
			t.Logf("station %s said:\n%s", s.name, strings.Join(d.log, "\n"))
			d.mu.Unlock()
		}
	})
	return d
}

// expect waits up to within for a line matching re.
func (d *stationProc) expect(t *testing.T, re *regexp.Regexp, within time.Duration) []string {
	t.Helper()
	timeout := time.NewTimer(within)
	defer timeout.Stop()
	for {
		select {
		case l := <-d.lines:
			if m := re.FindStringSubmatch(l); m != nil {
				return m
			}
		case <-d.done:
			t.Fatalf("%v exited before printing %v", d.cmd.Args[1:], re)
		case <-timeout.C:
			t.Fatalf("%v printed no line matching %v within %v", d.cmd.Args[1:], re, within)
		}
	}
}

// expectAll waits up to within until a line matching each of res has
// come, in any order.
func (d *stationProc) expectAll(t *testing.T, within time.Duration, res ...*regexp.Regexp) {
	t.Helper()
	left := append([]*regexp.Regexp{}, res...)
	timeout := time.NewTimer(within)
	defer timeout.Stop()
	for len(left) > 0 {
		select {
		case l := <-d.lines:
			for i, re := range left {
				if re.MatchString(l) {
					left = append(left[:i], left[i+1:]...)
					break
				}
			}
		case <-d.done:
			t.Fatalf("%v exited before printing %v", d.cmd.Args[1:], left)
		case <-timeout.C:
			t.Fatalf("%v printed no lines matching %v within %v", d.cmd.Args[1:], left, within)
		}
	}
}

var workerLine = regexp.MustCompile(`^worker: (active|standby \(active: (.*)\))$`)

// testSandbox serves an in-process Kuaidi100 sandbox on the real clock,
// parcels moving ten times faster than in the demo (a real minute is 40
// hours of travel, so a parcel polled a minute after it was issued has
// milestones that send SMS), limits kept (the 30-minute rule included) but
// rates high enough for three stations.
func testSandbox(t *testing.T) (*sandbox.Server, string) {
	o := sandbox.DefaultOptions()
	o.Seed = 16
	o.RealTime, o.Compress = true, 10*sandbox.DemoCompress
	o.QueryRate, o.SubscribeRate, o.DailyQuota = 200, 200, 0
	sb := sandbox.New(o)
	ln := listenLoopback(t)
	srv := &http.Server{Handler: sb}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return sb, "http://" + ln.Addr().String()
}

// shipOne runs `order create` on station s; ok is false (and out the
// error) when the station refused.
func shipOne(bin string, s station, i int) (waybill string, out string, ok bool) {
	cmd := exec.Command(bin, s.args("order", "create", "--json", "--carrier", "zhongtong",
		"--to-name", fmt.Sprintf("病人%03d", i), "--to-phone", fmt.Sprintf("1370%07d", i), "--to-addr", "天津市河西区友谊路32号")...)
	var o, e strings.Builder
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Run(); err != nil {
		return "", e.String() + err.Error(), false
	}
	var res struct{ Waybill string }
	if err := json.Unmarshal([]byte(o.String()), &res); err != nil || res.Waybill == "" {
		return "", o.String() + e.String(), false
	}
	return res.Waybill, "", true
}

// sharedSettings prepares the clinic's shared settings: SMS on at pickup
// (no quiet hours, so the test's hour does not matter) and a query rate
// that gets through the due parcels quickly.
func sharedSettings(t *testing.T, dsn string) {
	t.Helper()
	db, err := postgres.Open(t.Context(), dsn, postgres.Options{Station: "setup", Location: clinicTime})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := db.Settings(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	st.Tracking.QueriesPerSecond = 20
	st.SMS.Enabled, st.SMS.QuietStart, st.SMS.QuietEnd = true, "", ""
	if err := db.SaveSettings(t.Context(), st); err != nil {
		t.Fatal(err)
	}
}

// TestStationsShareOneDatabase is the multi-station test: three
// station processes on one PostgreSQL database ship 300 orders at once;
// the station running the tracking worker is killed outright while it
// polls; another takes over within 30 s. Afterwards no waybill is stored
// twice, every acknowledged order is there, the counters equal a recount,
// no number was queried twice within 30 minutes and each SMS went once.
func TestStationsShareOneDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the three-station run")
	}
	bin := stationBinary(t)
	dsn := pgtest.NewDatabase(t)
	sb, api := testSandbox(t)
	sharedSettings(t, dsn)
	names := []string{"front", "warehouse", "office"}
	var stations []station
	daemons := map[string]*stationProc{}
	for _, n := range names {
		s := station{name: n, dir: t.TempDir(), dsn: dsn, api: api}
		stations = append(stations, s)
		daemons[n] = startStation(t, bin, s)
	}
	// Exactly one is active; the others name it.
	active := ""
	standbyOf := map[string]string{}
	for _, n := range names {
		m := daemons[n].expect(t, workerLine, 30*time.Second)
		if m[1] == "active" {
			if active != "" {
				t.Fatalf("both %s and %s are active", active, n)
			}
			active = n
		} else {
			standbyOf[n] = m[2]
		}
	}
	if active == "" {
		t.Fatal("no station became the worker")
	}
	for n, h := range standbyOf {
		if h != active {
			// It may have asked before the winner's name was visible.
			if h == "none" {
				m := daemons[n].expect(t, workerLine, 10*time.Second)
				h = m[2]
			}
			if h != active {
				t.Errorf("%s says the worker is %q, want %q", n, h, active)
			}
		}
	}

	// 300 orders from the three stations at once.
	type ack struct{ station, waybill string }
	acks := make(chan ack, 300)
	var wg sync.WaitGroup
	for si, s := range stations {
		wg.Go(func() {
			for j := range 100 {
				wb, out, ok := shipOne(bin, s, si*100+j)
				if !ok {
					t.Errorf("%s order %d: %s", s.name, j, out)
					continue
				}
				acks <- ack{s.name, wb}
			}
		})
	}
	shipped := make(chan struct{})
	go func() { wg.Wait(); close(shipped) }()

	// When half are in, pretend they were shipped 13 hours ago (longer
	// than the poll policy's longest gap) and are due now: the worker polls
	// them, each claimed in the database before it is sent.
	view, err := postgres.Open(t.Context(), dsn, postgres.Options{Station: "test", Location: clinicTime})
	if err != nil {
		t.Fatal(err)
	}
	defer view.Close()
	var got []ack
	for len(got) < 150 {
		select {
		case a := <-acks:
			got = append(got, a)
		case <-shipped:
			t.Fatalf("shipping ended after %d orders", len(got))
		}
	}
	due := map[string]bool{}
	for _, a := range got {
		if _, err := view.UpdateShipment(t.Context(), a.waybill, func(s *store.Shipment) error {
			back := time.Now().Add(-13 * time.Hour)
			s.CreatedAt, s.PrintedAt, s.NextPollAt = back, back, time.Now().Add(-time.Second)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		due[a.waybill] = true
	}
	// Kill the worker's process while it is polling.
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(2 * time.Minute)
	for sb.Stats().Requests["query"] < 20 {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("the worker on %s made %d queries in 2 minutes", active, sb.Stats().Requests["query"])
		}
	}
	killedAt := time.Now()
	daemons[active].cmd.Process.Signal(syscall.SIGKILL)
	<-daemons[active].done
	queriesAtKill := sb.Stats().Requests["query"]
	next := ""
	var takeover time.Duration
	var mu sync.Mutex
	var tw sync.WaitGroup
	won := make(chan struct{})
	for _, n := range names {
		if n == active {
			continue
		}
		tw.Go(func() {
			timeout := time.NewTimer(30 * time.Second)
			defer timeout.Stop()
			for {
				select {
				case l := <-daemons[n].lines:
					if l == "worker: active" {
						mu.Lock()
						if next != "" {
							t.Errorf("both %s and %s took over", next, n)
						}
						next, takeover = n, time.Since(killedAt)
						mu.Unlock()
						close(won)
						return
					}
				case <-timeout.C:
					return
				case <-won:
					return
				}
			}
		})
	}
	tw.Wait()
	if next == "" {
		t.Fatalf("no station took over within 30 s of killing %s", active)
	}
	t.Logf("%s killed after %d queries; %s took over in %v", active, queriesAtKill, next, takeover.Round(time.Millisecond))

	// The rest of the orders, then the new worker polls what is left due.
	for a := range acks {
		got = append(got, a)
		if len(got) == 300 {
			break
		}
	}
	<-shipped
	close(acks)
	for a := range acks {
		got = append(got, a)
	}
	deadline = time.After(2 * time.Minute)
	for {
		left, err := view.ShipmentsDue(t.Context(), time.Now(), 0)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, s := range left {
			if due[s.Waybill] {
				n++
			}
		}
		if n == 0 {
			break
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("%d parcels still due 2 minutes after the takeover", n)
		}
	}
	for _, n := range names {
		if n != active {
			daemons[n].cmd.Process.Signal(syscall.SIGINT)
			<-daemons[n].done
		}
	}

	// Nothing lost, nothing twice.
	if len(got) != 300 {
		t.Fatalf("%d orders acknowledged, want 300", len(got))
	}
	seen := map[string]bool{}
	for _, a := range got {
		if seen[a.waybill] {
			t.Errorf("waybill %s given to two orders", a.waybill)
		}
		seen[a.waybill] = true
		if _, err := view.Shipment(t.Context(), a.waybill); err != nil {
			t.Errorf("acknowledged shipment %s (%s): %v", a.waybill, a.station, err)
		}
	}
	c, err := view.Counts(t.Context(), time.Now(), 1)
	if err != nil || c.Total != 300 {
		t.Errorf("Counts = %+v, %v; want 300 shipments", c, err)
	}
	storetest.CheckConsistent(t, view)
	st := sb.Stats()
	for _, v := range []string{"query_interval", "query_daily", "query_locked", "subscribe_monthly"} {
		if st.Violations[v] != 0 {
			t.Errorf("sandbox counted %d %s violations: a number was queried against the rules", st.Violations[v], v)
		}
	}
	if st.Requests["order"] != 300 {
		t.Errorf("sandbox issued %d waybills for 300 orders", st.Requests["order"])
	}
	if st.Requests["query"] < len(due) {
		t.Errorf("%d queries for %d due parcels", st.Requests["query"], len(due))
	}
	// Each SMS once: one automatic message per (waybill, milestone), and
	// the provider accepted no more messages than are recorded.
	records, sent := 0, 0
	perMilestone := map[string]int{}
	for wb := range seen {
		ms, err := view.SMSFor(t.Context(), wb)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			records++
			if m.State == store.SMSSent || m.State == store.SMSDelivered {
				sent++
			}
			perMilestone[fmt.Sprintf("%s/%s", wb, m.Milestone)]++
		}
	}
	for k, n := range perMilestone {
		if n != 1 {
			t.Errorf("%d messages for %s", n, k)
		}
	}
	if st.SMS["accepted"] > records || st.SMS["accepted"] < sent {
		t.Errorf("provider accepted %d messages; %d recorded, %d as sent", st.SMS["accepted"], records, sent)
	}
	t.Logf("300 orders from 3 stations, %d queries, %d SMS (%d sent), takeover %v, milestones %v", st.Requests["query"], records, sent, takeover.Round(time.Millisecond), c.ByMilestone)
}

// TestStationOutage: a station whose database server stops keeps running,
// says so, refuses to ship, and recovers by itself when the server is back;
// nothing acknowledged is lost and nothing is sent twice.
func TestStationOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the outage run")
	}
	bin := stationBinary(t)
	ctx := t.Context()
	cluster, err := pgtest.StartCluster(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cluster.Remove(context.Background()) })
	dsn := cluster.DSN("postgres")
	sb, api := testSandbox(t)
	s := station{name: "front", dir: t.TempDir(), dsn: dsn, api: api}
	d := startStation(t, bin, s)
	d.expectAll(t, 30*time.Second, regexp.MustCompile(`^database: connected$`), regexp.MustCompile(`^worker: active$`))
	var acked []string
	for i := range 10 {
		wb, out, ok := shipOne(bin, s, i)
		if !ok {
			t.Fatalf("order %d: %s", i, out)
		}
		acked = append(acked, wb)
	}

	if err := cluster.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	d.expectAll(t, 30*time.Second, regexp.MustCompile(`^database: unreachable \(.+\)$`), regexp.MustCompile(`^worker: standby \(active: none\)$`))
	if _, out, ok := shipOne(bin, s, 99); ok {
		t.Fatal("a station without its database shipped an order")
	} else if !strings.Contains(out, "共享数据库连接失败") {
		t.Errorf("refusal does not say what is wrong: %s", out)
	}
	ordersDuringOutage := sb.Stats().Requests["order"]

	if err := cluster.Start(ctx); err != nil {
		t.Fatal(err)
	}
	d.expectAll(t, 30*time.Second, regexp.MustCompile(`^database: connected$`), regexp.MustCompile(`^worker: active$`))
	for i := 10; i < 20; i++ {
		wb, out, ok := shipOne(bin, s, i)
		if !ok {
			t.Fatalf("order %d after the outage: %s", i, out)
		}
		acked = append(acked, wb)
	}
	d.cmd.Process.Signal(syscall.SIGINT)
	<-d.done

	view, err := postgres.Open(ctx, dsn, postgres.Options{Station: "test", Location: clinicTime})
	if err != nil {
		t.Fatal(err)
	}
	defer view.Close()
	for _, wb := range acked {
		if _, err := view.Shipment(ctx, wb); err != nil {
			t.Errorf("acknowledged %s: %v", wb, err)
		}
	}
	if c, err := view.Counts(ctx, time.Now(), 1); err != nil || c.Total != 20 {
		t.Errorf("Counts = %+v, %v; want 20", c, err)
	}
	storetest.CheckConsistent(t, view)
	st := sb.Stats()
	if ordersDuringOutage != 10 || st.Requests["order"] != 20 {
		t.Errorf("sandbox got %d waybill requests by the outage and %d in all; want 10 and 20 (nothing sent twice, nothing while refusing)", ordersDuringOutage, st.Requests["order"])
	}
}

// TestDBMigrate moves a single-station bbolt install to PostgreSQL and
// checks both with db check.
func TestDBMigrate(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the build of the real binary")
	}
	bin := stationBinary(t)
	_, api := testSandbox(t)
	dir := t.TempDir()
	var waybills []string
	for i := range 5 {
		out := runBin(t, bin, "--data-dir", dir, "--api-base", api, "order", "create", "--json", "--carrier", "yuantong",
			"--to-name", "王芳", "--to-phone", fmt.Sprintf("1390000%04d", i), "--to-addr", "天津市南开区复康路4号", "--reference", fmt.Sprintf("PJ-%d", i))
		var res struct{ Waybill string }
		if err := json.Unmarshal([]byte(out), &res); err != nil || res.Waybill == "" {
			t.Fatalf("order create: %v\n%s", err, out)
		}
		waybills = append(waybills, res.Waybill)
	}
	if out := runBin(t, bin, "--data-dir", dir, "db", "check"); !strings.Contains(out, i18n.F("ok: %s: %d shipments; counters and indexes match the records", i18n.T("bbolt file"), 5)) {
		t.Errorf("db check of the file: %s", out)
	}
	dsn := pgtest.NewDatabase(t)
	out := runBin(t, bin, "--data-dir", dir, "--station", "front", "db", "migrate", "--from", filepath.Join(dir, "shipdesk.db"), "--to", dsn)
	for _, want := range []string{"shipments             5          5", "orders                5          5",
		i18n.F("Migrated %s to %s; the printers are station %s's. Start every station with --db %s", filepath.Join(dir, "shipdesk.db"), postgres.Redact(dsn), "front", postgres.Redact(dsn))} {
		if !strings.Contains(strings.Join(strings.Fields(out), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("migrate summary lacks %q:\n%s", want, out)
		}
	}
	// A second migrate into the same database is refused.
	cmd := exec.Command(bin, "--data-dir", dir, "db", "migrate", "--from", filepath.Join(dir, "shipdesk.db"), "--to", dsn)
	if b, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(b), "empty database") {
		t.Errorf("second migrate: %v\n%s", err, b)
	}
	pgOut := runBin(t, bin, "--data-dir", dir, "--db", dsn, "shipments", "--json")
	for _, wb := range waybills {
		if !strings.Contains(pgOut, wb) {
			t.Errorf("shipment %s missing after migrate:\n%s", wb, pgOut)
		}
	}
	if out := runBin(t, bin, "--data-dir", dir, "db", "check"); !strings.Contains(out, i18n.F("ok: %s: %d shipments; counters and indexes match the records", i18n.F("PostgreSQL %s as station %s", postgres.Redact(dsn), "front"), 5)) {
		t.Errorf("db check of the shared store (remembered from --db): %s", out)
	}
	raw, err := os.ReadFile(filepath.Join(dir, stationFile))
	if err != nil || !strings.Contains(string(raw), `"station": "front"`) {
		t.Errorf("station file: %s, %v", raw, err)
	}
}

// TestTwoStationsShipOneOrder: two stations resuming the same order at the
// same moment get one waybill: the order is locked across the Kuaidi100
// call, the second station then finds the waybill the first one stored.
func TestTwoStationsShipOneOrder(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the build of the real binary")
	}
	bin := stationBinary(t)
	dsn := pgtest.NewDatabase(t)
	sb, api := testSandbox(t)
	a := station{name: "front", dir: t.TempDir(), dsn: dsn, api: api}
	b := station{name: "warehouse", dir: t.TempDir(), dsn: dsn, api: api}
	// The order is saved, but Kuaidi100 is unreachable for now.
	dead := a
	dead.api = "http://127.0.0.1:1"
	_, out, ok := shipOne(bin, dead, 1)
	if ok {
		t.Fatal("order create without Kuaidi100 succeeded")
	}
	m := regexp.MustCompile(`order resume (SD\d{8}-\d{6})`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("failed order create names no order to resume: %s", out)
	}
	id := m[1]
	var wg sync.WaitGroup
	outs := make([]string, 2)
	for i, s := range []station{a, b} {
		wg.Go(func() {
			cmd := exec.Command(bin, s.args("order", "resume", id)...)
			o, err := cmd.CombinedOutput()
			outs[i] = string(o)
			if err != nil {
				t.Errorf("%s: order resume: %v\n%s", s.name, err, o)
			}
		})
	}
	wg.Wait()
	view, err := postgres.Open(t.Context(), dsn, postgres.Options{Station: "test", Location: clinicTime})
	if err != nil {
		t.Fatal(err)
	}
	defer view.Close()
	ships, err := view.ShipmentsByReference(t.Context(), id, 0)
	if err != nil || len(ships) != 1 {
		t.Fatalf("shipments of order %s: %v, %v", id, waybills(ships), err)
	}
	if n := sb.Stats().Requests["order"]; n != 1 {
		t.Errorf("Kuaidi100 was asked %d times for order %s's waybill", n, id)
	}
	for i, o := range outs {
		if !strings.Contains(o, ships[0].Waybill) {
			t.Errorf("station %d's resume does not show waybill %s:\n%s", i, ships[0].Waybill, o)
		}
	}
}

func waybills(ss []store.Shipment) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Waybill
	}
	return out
}
