package relay_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"shipdesk/internal/testkit"
	"shipdesk/kuaidi100"
	"shipdesk/tracking/relay"
)

// TestServeAndClientEndEveryGoroutine runs the relay over a real listener
// and a station client that takes its pushes by long polling, then stops
// them one at a time and checks, from goroutine snapshots, that each leaves
// nothing behind: the client's cancel ends its goroutines (its keep-alive
// connections included) while the relay stays up, and the relay's cancel
// ends its own with a station's long poll waiting on it.
func TestServeAndClientEndEveryGoroutine(t *testing.T) {
	before := testkit.LiveGoroutines()
	db, err := relay.OpenDB(filepath.Join(t.TempDir(), "relay.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tok, err := db.AddStation("desk", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	lg := &testkit.Log{}
	srv := relay.NewServer(db, relay.Options{Logf: lg.Logf})
	// The handler tells the test when a station's acknowledgement is done
	// and when a long poll of the second station (wait=30s) arrives.
	acked, polling := make(chan struct{}, 16), make(chan struct{}, 16)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == relay.PathTake && r.URL.Query().Get("wait") == "30s" {
			polling <- struct{}{}
		}
		srv.Handler().ServeHTTP(w, r)
		if r.URL.Path == relay.PathAck {
			acked <- struct{}{}
		}
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	serveCtx, stopServe := context.WithCancel(t.Context())
	defer stopServe()
	served := make(chan error, 1)
	go func() { served <- relay.Serve(serveCtx, ln, h, "", "") }()
	k100 := &http.Client{Transport: &http.Transport{}} // posts the pushes
	defer k100.CloseIdleConnections()
	postPush(t, k100, base, "WARMUP")
	k100.CloseIdleConnections()
	serving := testkit.LiveGoroutines() // the relay, up and idle

	// A station takes pushes as they come, then is stopped.
	applied := make(chan string, 8)
	stopClient := runClient(t, base, tok, 20*time.Second, applied)
	for _, n := range []string{"WARMUP", "LEAK1", "LEAK2"} {
		if n != "WARMUP" {
			postPush(t, k100, base, n)
		}
		if got := <-applied; got != n {
			t.Errorf("applied %s, want %s", got, n)
		}
		<-acked
	}
	k100.CloseIdleConnections()
	stopClient() // in its next long poll, or about to send it
	testkit.CheckGoroutines(t, serving)

	// Another is waiting in a long poll when the relay stops.
	stopClient = runClient(t, base, tok, 30*time.Second, applied)
	<-polling
	stopServe()
	if err := <-served; err != nil {
		t.Errorf("Serve = %v", err)
	}
	stopClient()
	testkit.CheckGoroutines(t, before)
}

// runClient starts a station client's Run; each push it applies is sent
// to applied. stop cancels Run and waits for it to return.
func runClient(t *testing.T, base, tok string, wait time.Duration, applied chan<- string) (stop func()) {
	t.Helper()
	c, err := relay.NewClient(relay.ClientConfig{URL: base, Token: tok, Wait: wait, Logf: t.Logf,
		Apply: func(_ context.Context, param, _ string) (relay.Outcome, error) {
			applied <- numberOf(param)
			return relay.Applied, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	return func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("client Run = %v", err)
		}
	}
}

// numberOf is the tracking number a push's param is about.
func numberOf(param string) string {
	var p kuaidi100.PushParam
	if err := json.Unmarshal([]byte(param), &p); err != nil {
		return "unreadable: " + err.Error()
	}
	return string(p.LastResult.Nu)
}

func postPush(t *testing.T, hc *http.Client, base, num string) {
	t.Helper()
	resp, err := hc.PostForm(base+relay.PathPush+"desk", form(num, "s"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("push %s: %s", num, resp.Status)
	}
}
