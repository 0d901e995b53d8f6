package relay_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"shipdesk/internal/testkit"
	"shipdesk/kuaidi100"
	"shipdesk/tracking/relay"
)

type relayEnv struct {
	path string
	db   *relay.DB
	srv  *relay.Server
	ts   *httptest.Server
	logs *testkit.Log
}

func newRelay(t *testing.T, o relay.Options) *relayEnv {
	t.Helper()
	e := &relayEnv{path: filepath.Join(t.TempDir(), "relay.db"), logs: &testkit.Log{}}
	db, err := relay.OpenDB(e.path)
	if err != nil {
		t.Fatal(err)
	}
	e.db = db
	o.Logf = e.logs.Logf
	e.srv = relay.NewServer(db, o)
	e.ts = httptest.NewServer(e.srv.Handler())
	t.Cleanup(func() {
		e.ts.Close()
		db.Close()
	})
	return e
}

func (e *relayEnv) add(t *testing.T, name string) string {
	t.Helper()
	tok, err := e.db.AddStation(name, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// push posts a push form to the relay as Kuaidi100 would and reports the
// status and whether the reply is the documented success body.
func (e *relayEnv) push(t *testing.T, station string, form url.Values) (int, bool) {
	t.Helper()
	resp, err := http.PostForm(e.ts.URL+"/push/"+station+"?order=7", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, kuaidi100.IsPushReplyOK(b)
}

func form(num, salt string) url.Values {
	b, _ := json.Marshal(kuaidi100.PushParam{Status: kuaidi100.PushPolling, AutoCheck: "0",
		LastResult: kuaidi100.ResultEnvelope{Message: "ok", Nu: num, Com: "zhongtong", Status: "200", State: "0", Data: []kuaidi100.WireEvent{}}})
	return url.Values{"param": {string(b)}, "sign": {kuaidi100.PushSign(string(b), salt)}}
}

func take(t *testing.T, base, token string, query string) (int, relay.TakeReply) {
	t.Helper()
	code, r, err := tryTake(t.Context(), base, token, query)
	if err != nil {
		t.Fatal(err)
	}
	return code, r
}

// tryTake is take for a goroutine other than the test's, which must not
// call t.Fatal: it returns what went wrong.
func tryTake(ctx context.Context, base, token string, query string) (int, relay.TakeReply, error) {
	var r relay.TakeReply
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+relay.PathTake+"?"+query, nil)
	if err != nil {
		return 0, r, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, r, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
			return resp.StatusCode, r, fmt.Errorf("decode take reply: %w", err)
		}
	}
	return resp.StatusCode, r, nil
}

func TestTokensAreHashedAndStationsSeparate(t *testing.T) {
	e := newRelay(t, relay.Options{})
	a, b := e.add(t, "clinic-a"), e.add(t, "clinic-b")
	if _, err := e.db.AddStation("clinic-a", time.Now()); !errors.Is(err, relay.ErrStationExists) {
		t.Fatalf("second clinic-a: %v", err)
	}
	for _, bad := range []string{"", "A", "has space", strings.Repeat("x", 33), "-lead"} {
		if _, err := e.db.AddStation(bad, time.Now()); !errors.Is(err, relay.ErrBadName) {
			t.Errorf("AddStation(%q): %v, want ErrBadName", bad, err)
		}
	}
	if !strings.HasPrefix(a, "clinic-a.") || len(a) != len("clinic-a.")+64 {
		t.Fatalf("token %q: want clinic-a. + 64 hex digits", a)
	}
	if code, ok := e.push(t, "clinic-a", form("YT1", "s")); code != 200 || !ok {
		t.Fatalf("push: %d %v", code, ok)
	}
	// B's token sees nothing of A's; a token with A's name and B's secret
	// is refused; so is a made-up one.
	if code, r := take(t, e.ts.URL, b, "wait=0s"); code != 200 || r.Station != "clinic-b" || len(r.Pushes) != 0 {
		t.Fatalf("B takes: %d %+v", code, r)
	}
	_, secretB, _ := strings.Cut(b, ".")
	for _, tok := range []string{"clinic-a." + secretB, "clinic-a." + strings.Repeat("0", 64), "nobody." + strings.Repeat("1", 64), "garbage"} {
		if code, _ := take(t, e.ts.URL, tok, "wait=0s"); code != http.StatusUnauthorized {
			t.Errorf("token %q: %d, want 401", tok[:min(len(tok), 12)], code)
		}
	}
	if code, r := take(t, e.ts.URL, a, "wait=0s"); code != 200 || len(r.Pushes) != 1 || r.Pushes[0].Query != "order=7" {
		t.Fatalf("A takes: %d %+v", code, r)
	}
	// The file holds the hashes, never the tokens.
	e.db.Close()
	raw, err := os.ReadFile(e.path)
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{a, b} {
		_, sec, _ := strings.Cut(tok, ".")
		if strings.Contains(string(raw), sec) {
			t.Fatal("relay file contains a token in clear")
		}
	}
	if strings.Contains(e.logs.String(), secretB) {
		t.Fatal("a token reached the log")
	}
}

func TestStoredBeforeAnsweredAndKeptAcrossRestart(t *testing.T) {
	e := newRelay(t, relay.Options{})
	tok := e.add(t, "desk")
	for i := range 3 {
		if code, ok := e.push(t, "desk", form(fmt.Sprint("ZT", i), "s")); code != 200 || !ok {
			t.Fatalf("push %d: %d %v", i, code, ok)
		}
	}
	// Unknown station, no param, wrong method: refused, so Kuaidi100 retries.
	if code, ok := e.push(t, "nobody", form("ZT9", "s")); code != http.StatusNotFound || ok {
		t.Fatalf("unknown station: %d %v", code, ok)
	}
	if code, ok := e.push(t, "desk", url.Values{"sign": {"x"}}); code != http.StatusBadRequest || ok {
		t.Fatalf("no param: %d %v", code, ok)
	}
	e.ts.Close()
	e.db.Close()
	db, err := relay.OpenDB(e.path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := db.Pending("desk", 0, 10)
	if err != nil || len(got) != 3 {
		t.Fatalf("after restart: %d pushes, %v", len(got), err)
	}
	if f, _ := url.ParseQuery(string(got[0].Body)); f.Get("param") != form("ZT0", "s").Get("param") {
		t.Fatalf("stored body changed: %q", got[0].Body)
	}
	n, err := db.Acknowledge("desk", []relay.Ack{{Seq: got[0].Seq, Outcome: relay.Applied}, {Seq: got[1].Seq, Outcome: relay.Forged}, {Seq: got[1].Seq, Outcome: relay.Forged}})
	if err != nil || n != 2 {
		t.Fatalf("ack: %d %v", n, err)
	}
	list, _ := db.Stations()
	if len(list) != 1 || list[0].Waiting != 1 || list[0].Applied != 1 || list[0].Forged != 1 || list[0].Received != 3 {
		t.Fatalf("stations: %+v", list)
	}
	if name, err := db.Authenticate(tok); err != nil || name != "desk" {
		t.Fatalf("token after restart: %q %v", name, err)
	}
	// A second process cannot open the file while it is in use.
	if _, err := relay.OpenDB(e.path); !errors.Is(err, relay.ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
}

func TestHardening(t *testing.T) {
	e := newRelay(t, relay.Options{MaxBody: 4096, MaxPending: 3, SourceBurst: 6, SourceRate: 0.001, AuthBurst: 2, AuthRate: 0.001})
	tok := e.add(t, "desk")
	big := url.Values{"param": {strings.Repeat("x", 5000)}}
	if code, ok := e.push(t, "desk", big); code != http.StatusRequestEntityTooLarge || ok {
		t.Fatalf("big body: %d %v", code, ok)
	}
	var codes []int
	for i := range 5 {
		code, _ := e.push(t, "desk", form(fmt.Sprint("N", i), "s"))
		codes = append(codes, code)
	}
	// 3 kept, the next 2 refused (the cap keeps the oldest); then the
	// source's burst of 6 is spent: 429.
	if fmt.Sprint(codes) != "[200 200 200 503 503]" {
		t.Fatalf("codes under the cap: %v", codes)
	}
	if code, ok := e.push(t, "desk", form("N9", "s")); code != http.StatusTooManyRequests || ok {
		t.Fatalf("over the rate: %d %v", code, ok)
	}
	_, r := take(t, e.ts.URL, tok, "wait=0s")
	if len(r.Pushes) != 3 || !strings.Contains(string(r.Pushes[0].Body), "N0") || !strings.Contains(string(r.Pushes[2].Body), "N2") {
		t.Fatalf("kept: %+v", r.Pushes)
	}
	list, _ := e.db.Stations()
	if list[0].Refused != 2 {
		t.Fatalf("refused count %d, want 2", list[0].Refused)
	}
	// Failed logins from one source are limited: after 2, even the right
	// token waits.
	for range 2 {
		if code, _ := take(t, e.ts.URL, "desk."+strings.Repeat("a", 64), "wait=0s"); code != 401 {
			t.Fatalf("bad token: %d", code)
		}
	}
	if code, _ := take(t, e.ts.URL, tok, "wait=0s"); code != http.StatusTooManyRequests {
		t.Fatalf("after failed logins: %d, want 429", code)
	}
	// The admin handler refuses anyone but loopback.
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, relay.PathAdmin, nil)
	req.RemoteAddr = "203.0.113.5:5000"
	e.srv.AdminHandler().ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden {
		t.Fatalf("admin from outside: %d", rec.Code)
	}
}

// TestLongPollWakesOnPush: a station waiting in a long poll gets a push
// as soon as it is stored.
func TestLongPollWakesOnPush(t *testing.T) {
	e := newRelay(t, relay.Options{})
	tok := e.add(t, "desk")
	type taken struct {
		r   relay.TakeReply
		err error
	}
	got := make(chan taken, 1)
	go func() {
		_, r, err := tryTake(t.Context(), e.ts.URL, tok, "wait=50s")
		got <- taken{r, err}
	}()
	start := time.Now()
	if code, ok := e.push(t, "desk", form("LP1", "s")); code != 200 || !ok {
		t.Fatalf("push: %d %v", code, ok)
	}
	tk := <-got
	if tk.err != nil {
		t.Fatalf("long poll: %v", tk.err)
	}
	r := tk.r
	if len(r.Pushes) != 1 || !strings.Contains(string(r.Pushes[0].Body), "LP1") {
		t.Fatalf("long poll got %+v", r)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Fatalf("long poll took %v: it did not wake on the push", d)
	}
}

// TestClientAcksOnlyAfterApply: a push the station cannot apply (its
// store failed) stays at the relay and is taken again; forged ones are
// acknowledged as forged and counted.
func TestClientAcksOnlyAfterApply(t *testing.T) {
	e := newRelay(t, relay.Options{})
	tok := e.add(t, "desk")
	for _, n := range []string{"OK1", "FORGED", "FAIL", "OK2"} {
		e.push(t, "desk", form(n, "s"))
	}
	failing := true
	apply := func(ctx context.Context, param, sign string) (relay.Outcome, error) {
		switch {
		case strings.Contains(param, "FORGED"):
			return relay.Forged, nil
		case strings.Contains(param, "FAIL") && failing:
			return "", errors.New("store: disk full")
		}
		return relay.Applied, nil
	}
	lg := &testkit.Log{}
	c, err := relay.NewClient(relay.ClientConfig{URL: e.ts.URL, Token: tok, Apply: apply, Wait: time.Millisecond, Logf: lg.Logf})
	if err != nil {
		t.Fatal(err)
	}
	if c.CallbackURL() != e.ts.URL+"/push/desk" {
		t.Fatalf("callback %q", c.CallbackURL())
	}
	var after uint64
	n, err := c.Once(t.Context(), &after)
	if n != 2 || err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("first take: %d acked, %v", n, err)
	}
	list, _ := e.db.Stations()
	if list[0].Waiting != 2 || list[0].Forged != 1 || list[0].Applied != 1 {
		t.Fatalf("after first take: %+v", list[0])
	}
	failing = false
	if n, err := c.Once(t.Context(), &after); n != 2 || err != nil {
		t.Fatalf("second take: %d %v", n, err)
	}
	list, _ = e.db.Stations()
	if list[0].Waiting != 0 || list[0].Applied != 3 || list[0].Forged != 1 {
		t.Fatalf("after second take: %+v", list[0])
	}
	st := c.Stats()
	if st.Taken != 4 || st.Applied != 3 || st.Forged != 1 || !st.Connected {
		t.Fatalf("client stats %+v", st)
	}
	// A refused token is reported as such.
	bad, _ := relay.NewClient(relay.ClientConfig{URL: e.ts.URL, Token: "desk." + strings.Repeat("b", 64), Apply: apply, Wait: time.Millisecond})
	if _, err := bad.Once(t.Context(), &after); !errors.Is(err, relay.ErrTokenRefused) {
		t.Fatalf("bad token: %v", err)
	}
}

func TestCallbackURL(t *testing.T) {
	tok := "desk." + strings.Repeat("a", 64)
	for base, want := range map[string]string{
		"https://relay.example.com":      "https://relay.example.com/push/desk",
		"https://relay.example.com/":     "https://relay.example.com/push/desk",
		"https://h.example/shipdesk?x=1": "https://h.example/shipdesk/push/desk",
	} {
		if got, err := relay.CallbackURL(base, tok); err != nil || got != want {
			t.Errorf("CallbackURL(%q) = %q, %v; want %q", base, got, err, want)
		}
	}
	for _, base := range []string{"", "relay.example.com", "ftp://x"} {
		if _, err := relay.CallbackURL(base, tok); err == nil {
			t.Errorf("CallbackURL(%q): no error", base)
		}
	}
	if _, err := relay.CallbackURL("https://r.example", "short.abc"); err == nil {
		t.Error("short token accepted")
	}
}

// TestClientRetriesAFailedAck: pushes applied whose acknowledgement was
// lost are acknowledged again before the next take, not applied twice and
// not left at the relay.
func TestClientRetriesAFailedAck(t *testing.T) {
	e := newRelay(t, relay.Options{})
	tok := e.add(t, "desk")
	for _, n := range []string{"A1", "A2"} {
		e.push(t, "desk", form(n, "s"))
	}
	var failed atomic.Bool
	flaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == relay.PathAck && failed.CompareAndSwap(false, true) {
			http.Error(w, "proxy hiccup", http.StatusBadGateway)
			return
		}
		e.srv.Handler().ServeHTTP(w, r)
	}))
	defer flaky.Close()
	applied := 0
	c, _ := relay.NewClient(relay.ClientConfig{URL: flaky.URL, Token: tok, Wait: time.Millisecond,
		Apply: func(context.Context, string, string) (relay.Outcome, error) { applied++; return relay.Applied, nil }})
	var after uint64
	if _, err := c.Once(t.Context(), &after); err == nil || !strings.Contains(err.Error(), "502") {
		t.Fatalf("first take: %v, want the failed acknowledgement", err)
	}
	if list, _ := e.db.Stations(); list[0].Waiting != 2 {
		t.Fatalf("waiting %d after the failed ack", list[0].Waiting)
	}
	if _, err := c.Once(t.Context(), &after); err != nil {
		t.Fatal(err)
	}
	if list, _ := e.db.Stations(); list[0].Waiting != 0 || list[0].Applied != 2 || applied != 2 {
		t.Fatalf("after the retry: %+v, applied %d times", list[0], applied)
	}
}
