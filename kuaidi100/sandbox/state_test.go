package sandbox_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"shipdesk/kuaidi100"
	"shipdesk/kuaidi100/sandbox"
)

// restart starts a new sandbox from o (with e's manual clock and push
// receiver), as a program would after an exit, and points e at it.
func (e *env) restart(o sandbox.Options) {
	e.t.Helper()
	real := time.Unix(1_900_000_000, 0) // a different real time: it must not matter
	o.Clock = func() time.Time { return real }
	o.HTTPClient = e.recv.Client()
	e.srv.Close()
	e.sb = sandbox.New(o)
	e.srv = httptest.NewServer(e.sb)
	e.t.Cleanup(e.srv.Close)
	cfg := e.sb.Credentials()
	cfg.BaseURL, cfg.HTTPClient = e.srv.URL, e.srv.Client()
	e.cl = kuaidi100.New(cfg)
}

func TestStateSurvivesRestart(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "sandbox-state.json")
	o := sandbox.Options{Seed: 7, QueryRate: 1, SubscribeRate: 10, DailyQuota: 1000, StatePath: path}
	e := newEnv(t, o)

	tracked, err := e.cl.Order(ctx, order("SD-1", "zhongtong"))
	if err != nil {
		t.Fatal(err)
	}
	locked, err := e.cl.Order(ctx, order("SD-2", "yuantong"))
	if err != nil {
		t.Fatal(err)
	}
	sub := kuaidi100.SubscribeRequest{Com: "zhongtong", Num: tracked.Waybill, Phone: "1111", CallbackURL: e.recv.URL + "/push", Salt: salt}
	if err := e.cl.Subscribe(ctx, sub); err != nil {
		t.Fatal(err)
	}
	e.advance(6*time.Hour, time.Hour)
	before := e.gotPushes()
	if len(before) == 0 {
		t.Fatal("no push in the first 6 hours")
	}
	q := kuaidi100.QueryRequest{Com: "yuantong", Num: locked.Waybill}
	if _, err := e.cl.Query(ctx, q); err != nil {
		t.Fatal(err)
	}
	e.sb.Advance(time.Second) // past the global rate
	if _, err := e.cl.Query(ctx, q); !lockedBy(e.sb, err, q.Num) {
		t.Fatalf("second query within 30 min: %v, want locked", err)
	}
	if _, err := e.cl.SendSMS(ctx, kuaidi100.SMSRequest{Phone: "13700001111", TemplateID: "1001",
		Vars: map[string]string{"快递单号": tracked.Waybill}, OutOrder: "sms-1", CallbackURL: e.recv.URL + "/sms"}); err != nil {
		t.Fatal(err)
	}
	stopped, stStopped := e.sb.Now(), e.sb.Stats()
	if err := e.sb.Save(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file: %v %v", fi, err)
	}
	stale := filepath.Join(filepath.Dir(path), ".sandbox-state.json.tmp-123")
	os.WriteFile(stale, []byte("half a save"), 0o600)

	o.Seed = 99 // the saved seed wins
	e.restart(o)

	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temporary file of an interrupted save left behind: %v", err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("files beside the state: %v", entries)
	}
	// The clock resumes where it stopped.
	if now := e.sb.Now(); !now.Equal(stopped) {
		t.Errorf("clock resumed at %s, stopped at %s", now, stopped)
	}
	st := e.sb.Stats()
	if st.Parcels != stStopped.Parcels || st.Active != 1 || st.QuotaUsed != stStopped.QuotaUsed ||
		st.Requests["order"] != 2 || st.Violations["query_interval"] != 1 {
		t.Errorf("stats after restart %+v, before %+v", st, stStopped)
	}
	// (a) The same orderId gives the same waybill; a new one a new number.
	again, err := e.cl.Order(ctx, order("SD-1", "zhongtong"))
	if err != nil || again.Waybill != tracked.Waybill || again.TaskID != tracked.TaskID {
		t.Errorf("orderId SD-1 after restart: %+v %v, want %s", again, err, tracked.Waybill)
	}
	if fresh, err := e.cl.Order(ctx, order("SD-3", "zhongtong")); err != nil || fresh.Waybill == tracked.Waybill {
		t.Errorf("new order after restart: %+v %v", fresh, err)
	}
	if _, err := e.cl.Reprint(ctx, tracked.TaskID); err != nil {
		t.Errorf("reprint after restart: %v", err)
	}
	// (c) The lock survived.
	e.sb.Advance(time.Hour)
	if _, err := e.cl.Query(ctx, q); !lockedBy(e.sb, err, q.Num) {
		t.Errorf("locked number after restart: %v, want locked", err)
	}
	if st := e.sb.Stats(); len(st.Locked) != 1 || st.Locked[0] != locked.Waybill {
		t.Errorf("locked %v", st.Locked)
	}
	// The pending SMS receipt is delivered.
	e.advance(time.Minute, time.Minute)
	e.mu.Lock()
	receipts := len(e.receipts)
	e.mu.Unlock()
	if receipts != 1 {
		t.Errorf("%d SMS receipts after restart, want 1", receipts)
	}
	// (b) The parcel carries on along the same timeline to its end.
	for i := 0; i < 30*24 && e.sb.Stats().Active > 0; i++ {
		e.advance(time.Hour, time.Hour)
	}
	after := e.gotPushes()[len(before):]
	if len(after) == 0 {
		t.Fatal("no push after the restart")
	}
	last := after[len(after)-1]
	if last.Status != kuaidi100.PushShutdown || !last.Track.Milestone.Terminal() {
		t.Fatalf("last push %s %s", last.Status, last.Track.Milestone)
	}
	first, end := before[len(before)-1].Track.Events, last.Track.Events // newest first
	same := func(a, b kuaidi100.Event) bool { return a.Time.Equal(b.Time) && a.Context == b.Context }
	if len(end) <= len(first) || !same(end[len(end)-1], first[len(first)-1]) || !same(end[len(end)-len(first)], first[0]) {
		t.Errorf("trace after restart does not continue the one before:\nbefore %v\nafter  %v", first, end)
	}
	if err := e.cl.Subscribe(ctx, sub); err != nil { // subscription 2 of 4 this month
		t.Fatal(err)
	}
	if st := e.sb.Stats(); st.Violations["subscribe_monthly"] != 0 || st.Violations["query_locked"] != 1 {
		t.Errorf("violations %v", st.Violations)
	}
}

func TestSubscriptionCountSurvivesRestart(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "state.json")
	o := sandbox.Options{StatePath: path}
	e := newEnv(t, o)
	res, _ := e.cl.Order(ctx, order("M", "jtexpress"))
	e.sb.Advance(10 * 24 * time.Hour) // delivered: each subscription ends at its first push
	sub := kuaidi100.SubscribeRequest{Com: "jtexpress", Num: res.Waybill, CallbackURL: e.recv.URL + "/push", Salt: salt}
	for i := range 4 {
		if err := e.cl.Subscribe(ctx, sub); err != nil {
			t.Fatalf("subscription %d: %v", i+1, err)
		}
		e.advance(time.Hour, time.Hour)
		if err := e.sb.Save(); err != nil {
			t.Fatal(err)
		}
		e.restart(o)
	}
	if err := e.cl.Subscribe(ctx, sub); err != nil || e.sb.Stats().Violations["subscribe_monthly"] != 1 {
		t.Fatalf("fifth subscription in a month across restarts: %v %v", err, e.sb.Stats().Violations)
	}
}

func TestCorruptStateMovedAside(t *testing.T) {
	for name, content := range map[string]string{
		"garbage":      "\x00\x01not json",
		"empty":        "",
		"truncated":    `{"version":1,"now":"2026-11-02T09:00:00+08:00","parcels":{`,
		"version":      `{"version":99,"now":"2026-11-02T09:00:00+08:00"}`,
		"no clock":     `{"version":1}`,
		"bad rng":      `{"version":1,"now":"2026-11-02T09:00:00+08:00","rng":"AAAA"}`,
		"unknown city": `{"version":1,"now":"2026-11-02T09:00:00+08:00","parcels":{"YT1":{"num":"YT1","from":"火星"}}}`,
		"null parcel":  `{"version":1,"now":"2026-11-02T09:00:00+08:00","parcels":{"YT1":null}}`,
		"null sub":     `{"version":1,"now":"2026-11-02T09:00:00+08:00","subscriptions":{"a|b":null}}`,
	} {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			dir := t.TempDir()
			path := filepath.Join(dir, "sandbox-state.json")
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			var logged []string
			e := newEnv(t, sandbox.Options{StatePath: path, Logf: func(f string, a ...any) { logged = append(logged, f) }})
			aside, _ := filepath.Glob(path + ".corrupt-*")
			if len(aside) != 1 {
				t.Fatalf("moved aside: %v", aside)
			}
			if b, err := os.ReadFile(aside[0]); err != nil || string(b) != content {
				t.Errorf("aside file holds %q (%v)", b, err)
			}
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("state file still there: %v", err)
			}
			if len(logged) == 0 || !strings.Contains(logged[0], "unusable") {
				t.Errorf("log %q", logged)
			}
			// A fresh sandbox that works and saves a state the next start loads.
			res, err := e.cl.Order(ctx, order("after", "yunda"))
			if err != nil {
				t.Fatal(err)
			}
			if err := e.sb.Save(); err != nil {
				t.Fatal(err)
			}
			e.restart(sandbox.Options{StatePath: path})
			if again, err := e.cl.Order(ctx, order("after", "yunda")); err != nil || again.Waybill != res.Waybill {
				t.Errorf("reload after fresh start: %+v %v", again, err)
			}
			if aside, _ := filepath.Glob(path + ".corrupt-*"); len(aside) != 1 {
				t.Errorf("a valid state was moved aside: %v", aside)
			}
		})
	}
}

// handlerTransport serves requests with h in-process (no sockets), so a
// synctest bubble's fake clock drives client and sandbox alike.
type handlerTransport struct{ h http.Handler }

func (ht handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		b, _ := readAll(r)
		r.Body.Close()
		r.Body = nopCloser{bytes.NewReader(b)}
	}
	w := httptest.NewRecorder()
	ht.h.ServeHTTP(w, r)
	return w.Result(), nil
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

func readAll(r *http.Request) ([]byte, error) {
	var b bytes.Buffer
	_, err := b.ReadFrom(r.Body)
	return b.Bytes(), err
}

// TestRunSavesWhenChanged: Run saves a changed state every SaveEvery, not
// an unchanged one, and once more when it stops.
func TestRunSavesWhenChanged(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "state.json")
		sb := sandbox.New(sandbox.Options{Speed: 60, StatePath: path, SaveEvery: time.Second, Tick: time.Second})
		cfg := sb.Credentials()
		cfg.BaseURL, cfg.HTTPClient = "http://sandbox.invalid", &http.Client{Transport: handlerTransport{sb}}
		cl := kuaidi100.New(cfg)
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- sb.Run(ctx) }()

		exists := func() bool { _, err := os.Stat(path); return err == nil }
		time.Sleep(3 * time.Second)
		synctest.Wait()
		if exists() {
			t.Error("saved an unchanged state")
		}
		res, err := cl.Order(ctx, kuaidi100.OrderRequest{OrderID: "o1", Com: "ems", Account: sandboxAccount("ems"),
			Recipient: kuaidi100.Party{Name: "王芳", Phone: "13700001111", Address: "天津市河西区友谊路32号"},
			Sender:    kuaidi100.Party{Name: "视光中心", Phone: "02223346655", Address: "上海市杨浦区复康路4号"}, Cargo: "眼镜", Count: 1})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second + time.Millisecond)
		synctest.Wait()
		if !exists() {
			t.Fatal("changed state not saved within SaveEvery")
		}
		os.Remove(path)
		time.Sleep(3 * time.Second)
		synctest.Wait()
		if exists() {
			t.Error("saved again without a change")
		}
		cancel()
		<-done
		if !exists() {
			t.Fatal("no save when Run returned")
		}
		stopped := sb.Now()
		again := sandbox.New(sandbox.Options{Speed: 60, StatePath: path})
		if again.Stats().Parcels != 1 || again.Now().Sub(stopped) != 0 {
			t.Errorf("reloaded %d parcels at %s, want 1 at %s (waybill %s)", again.Stats().Parcels, again.Now(), stopped, res.Waybill)
		}
	})
}
