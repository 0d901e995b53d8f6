package tracking

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"shipdesk/internal/testkit"
	"shipdesk/kuaidi100"
	"shipdesk/kuaidi100/sandbox"
	"shipdesk/store"
)

// The tests run the real worker against a real store (bbolt in
// t.TempDir()), the real kuaidi100 client and the real sandbox, all inside a
// testing/synctest bubble: HTTP goes through in-process transports instead
// of sockets, so the bubble's fake clock drives the worker, the sandbox and
// the store together and ten simulated days take seconds.

// handlerTransport serves client requests with an http.Handler in-process.
// When down is set it fails every request like a network outage.
type handlerTransport struct {
	h    http.Handler
	down *atomic.Bool
	hits *atomic.Int64 // requests attempted (counted even when down)
}

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if t.hits != nil {
		t.hits.Add(1)
	}
	if t.down != nil && t.down.Load() {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, errors.New("dial tcp: connection refused")
	}
	rec := httptest.NewRecorder()
	r2 := r.Clone(r.Context())
	r2.RemoteAddr = "192.0.2.1:4000"
	r2.RequestURI = r.URL.RequestURI()
	t.h.ServeHTTP(rec, r2)
	return rec.Result(), nil
}

// recorder is a Notifier that remembers every call.
type recorder struct {
	mu    sync.Mutex
	calls map[string][]store.Milestone
}

func (r *recorder) Notify(ctx context.Context, s store.Shipment, m store.Milestone) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.calls == nil {
		r.calls = map[string][]store.Milestone{}
	}
	r.calls[s.Waybill] = append(r.calls[s.Waybill], m)
	return nil
}

func (r *recorder) of(waybill string) []store.Milestone {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]store.Milestone(nil), r.calls[waybill]...)
}

// env is one station: store, sandbox, client and a worker factory.
type env struct {
	t       testing.TB
	db      *store.DB
	sb      *sandbox.Server
	client  *kuaidi100.Client
	down    atomic.Bool
	queries atomic.Int64
	notes   *recorder
	logs    *testkit.Log
	pushURL string
	w       atomic.Pointer[Worker] // the worker receiving pushes now
}

const testPushURL = "http://station.example:8090/kuaidi100/push"

// newEnv builds a station inside the current synctest bubble. pushURL ""
// means poll only. opts tweak the sandbox.
func newEnv(t testing.TB, pushURL string, opts func(*sandbox.Options)) *env {
	t.Helper()
	e := &env{t: t, notes: &recorder{}, logs: &testkit.Log{}, pushURL: pushURL}
	db, err := store.Open(filepath.Join(t.TempDir(), "shipdesk.db"), store.Options{NoSync: true, Location: cst})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e.db = db
	o := sandbox.DefaultOptions()
	o.Seed = 42
	o.Clock = time.Now
	o.Tick = time.Minute
	o.DailyQuota = 0
	// The sandbox pushes to whichever worker is current (restarts swap it).
	o.HTTPClient = &http.Client{Transport: handlerTransport{h: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if w := e.w.Load(); w != nil {
			w.Handler().ServeHTTP(rw, r)
			return
		}
		http.Error(rw, "station offline", http.StatusServiceUnavailable)
	})}}
	if opts != nil {
		opts(&o)
	}
	e.sb = sandbox.New(o)
	cfg := e.sb.Credentials()
	cfg.BaseURL = "http://sandbox.invalid"
	cfg.HTTPClient = &http.Client{Transport: handlerTransport{h: e.sb, down: &e.down, hits: &e.queries}}
	e.client = kuaidi100.New(cfg)
	return e
}

// worker returns a new worker on the env's store and makes it the push
// target.
func (e *env) worker(mod func(*Config)) *Worker {
	cfg := Config{DB: e.db, Client: e.client, Notifier: e.notes, PushURL: e.pushURL, Logf: e.logs.Logf}
	if mod != nil {
		mod(&cfg)
	}
	w := New(cfg)
	e.w.Store(w)
	return w
}

// ship issues a waybill in the sandbox (so its journey starts now) and
// stores the shipment, as the shipping workflow does.
func (e *env) ship(ctx context.Context, i int) store.Shipment {
	e.t.Helper()
	res, err := e.client.Order(ctx, kuaidi100.OrderRequest{
		OrderID: fmt.Sprintf("SD-T-%04d", i), Com: "zhongtong", Cargo: "眼镜", Count: 1, Weight: 0.5, Account: sandboxAccount("zhongtong"),
		Recipient: kuaidi100.Party{Name: "王芳", Phone: fmt.Sprintf("137%08d", i), Address: "天津市河西区友谊路32号"},
		Sender:    kuaidi100.Party{Name: "天津眼科医院视光中心", Phone: "022-23346655", Address: "天津市南开区复康路4号"},
	})
	if err != nil {
		e.t.Fatalf("order %d: %v", i, err)
	}
	now := time.Now()
	s := store.Shipment{Waybill: res.Waybill, Carrier: "zhongtong", RecipientName: "王芳",
		RecipientPhone: fmt.Sprintf("137%08d", i), Milestone: store.MilestoneOrdered, CreatedAt: now, PrintedAt: now}
	if err := e.db.CreateShipment(ctx, &s); err != nil {
		e.t.Fatalf("create shipment: %v", err)
	}
	return s
}

// violations returns the limit violations the sandbox reports at GET
// /sandbox/stats, or "" when none.
func (e *env) violations() string {
	rec := httptest.NewRecorder()
	e.sb.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/sandbox/stats", nil))
	var st sandbox.Stats
	if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil || rec.Code != http.StatusOK {
		return fmt.Sprintf("stats unreadable: %d %v", rec.Code, err)
	}
	var b strings.Builder
	for k, v := range st.Violations {
		if v != 0 {
			fmt.Fprintf(&b, "%s=%d ", k, v)
		}
	}
	return b.String()
}

// allTerminal reports whether every shipment is terminal.
func (e *env) allTerminal(ctx context.Context) (int, int) {
	n, done := 0, 0
	e.db.AllShipments(ctx, func(s store.Shipment) error {
		n++
		if s.Milestone.Terminal() {
			done++
		}
		return nil
	})
	return done, n
}

// run starts fn in a goroutine and returns a stop func that cancels it and
// waits for it to return.
func run(ctx context.Context, t *testing.T, fn func(context.Context) error) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- fn(ctx) }()
	return func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("run: %v", err)
		}
	}
}

// sandboxAccount is the e-waybill account the sandbox accepts for com.
func sandboxAccount(com string) kuaidi100.Account {
	a, _ := kuaidi100.SandboxAccount(com)
	return a
}
