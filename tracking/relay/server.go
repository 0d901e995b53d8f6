package relay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"shipdesk/kuaidi100"
)

// Defaults of Options.
const (
	DefaultMaxBody     = 1 << 20 // bytes of one push, as the station's own receiver
	DefaultMaxPending  = 20000   // pushes kept per station (a clinic's few weeks offline)
	DefaultSourceRate  = 20      // pushes per second from one address
	DefaultSourceBurst = 200
	DefaultAuthRate    = 0.2 // failed station logins per second from one address
	DefaultAuthBurst   = 10
	DefaultWait        = 25 * time.Second // a station's long poll
	MaxWait            = 55 * time.Second
	MaxBatch           = 200 // pushes handed to a station at once
)

// Paths the relay serves. A station's callback URL (given to Kuaidi100 in
// its subscriptions) is <public URL>/push/<station>.
const (
	PathPush    = "/push/"
	PathTake    = "/station/pushes"
	PathAck     = "/station/ack"
	PathHealth  = "/healthz"
	PathAdmin   = "/admin/stations"
	maxAckBytes = 64 << 10
)

// Options tune a Server; zero fields take the defaults above.
type Options struct {
	MaxBody     int64
	MaxPending  int
	SourceRate  float64
	SourceBurst float64
	AuthRate    float64
	AuthBurst   float64
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logf logs; nil means log.Printf. Tokens are never logged.
	Logf func(format string, args ...any)
}

// Server is the relay's HTTP side. Handler serves Kuaidi100 and the
// stations; AdminHandler serves the loopback-only admin endpoint. Safe for
// concurrent use.
type Server struct {
	db   *DB
	o    Options
	push *limiter // per source address, pushes
	auth *limiter // per source address, failed logins

	mu      sync.Mutex
	signals map[string]chan struct{} // per station: closed when a push is stored
}

// NewServer returns a server over db (which the caller closes after the
// server has stopped).
func NewServer(db *DB, o Options) *Server {
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.MaxPending <= 0 {
		o.MaxPending = DefaultMaxPending
	}
	if o.SourceRate <= 0 {
		o.SourceRate = DefaultSourceRate
	}
	if o.SourceBurst <= 0 {
		o.SourceBurst = DefaultSourceBurst
	}
	if o.AuthRate <= 0 {
		o.AuthRate = DefaultAuthRate
	}
	if o.AuthBurst <= 0 {
		o.AuthBurst = DefaultAuthBurst
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logf == nil {
		o.Logf = log.Printf
	}
	return &Server{db: db, o: o,
		push:    newLimiter(o.SourceRate, o.SourceBurst),
		auth:    newLimiter(o.AuthRate, o.AuthBurst),
		signals: map[string]chan struct{}{},
	}
}

// Handler serves POST /push/{station} (Kuaidi100), GET /station/pushes and
// POST /station/ack (stations, with "Authorization: Bearer TOKEN") and
// GET /healthz.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /push/{station}", s.servePush)
	mux.HandleFunc("GET "+PathTake, s.serveTake)
	mux.HandleFunc("POST "+PathAck, s.serveAck)
	mux.HandleFunc("GET "+PathHealth, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	return mux
}

// AdminHandler serves GET /admin/stations (the list) and POST
// /admin/stations?name=NAME (a new station; the reply carries its token).
// Serve it on a loopback listener only: it refuses any other peer too.
func (s *Server) AdminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+PathAdmin, func(w http.ResponseWriter, r *http.Request) {
		list, err := s.db.Stations()
		if err != nil {
			s.o.Logf("relay: admin: %v", err)
			http.Error(w, "store unavailable", http.StatusInternalServerError)
			return
		}
		writeJSON(w, http.StatusOK, list)
	})
	mux.HandleFunc("POST "+PathAdmin, func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Query().Get("name")
		tok, err := s.db.AddStation(name, s.o.Now())
		switch {
		case errors.Is(err, ErrBadName), errors.Is(err, ErrStationExists):
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		case err != nil:
			s.o.Logf("relay: admin: %v", err)
			http.Error(w, "store unavailable", http.StatusInternalServerError)
			return
		}
		s.o.Logf("relay: station %s added", name)
		writeJSON(w, http.StatusOK, map[string]string{"name": name, "token": tok})
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isLoopback(r.RemoteAddr) {
			http.Error(w, "admin is for this host only", http.StatusForbidden)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func sourceOf(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	w.Write(append(b, '\n'))
}

// servePush receives one Kuaidi100 push: it checks only what it can (size,
// rate, a form with a param field, a known station), stores the body
// durably and only then answers with the documented success body. Any
// failure answers result=false, which Kuaidi100 retries later.
func (s *Server) servePush(w http.ResponseWriter, r *http.Request) {
	reply := func(code int, ok bool, msg string) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(code)
		w.Write(kuaidi100.PushReply(ok, msg))
	}
	src := sourceOf(r)
	if !s.push.allow(src, s.o.Now()) {
		reply(http.StatusTooManyRequests, false, "too many requests")
		return
	}
	name := r.PathValue("station")
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.o.MaxBody))
	if err != nil {
		s.o.Logf("relay: push from %s for %q: body unreadable or over %d bytes: %v", src, name, s.o.MaxBody, err)
		reply(http.StatusRequestEntityTooLarge, false, "body too large")
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("param") == "" {
		s.o.Logf("relay: push from %s for %q: not a push form", src, name)
		reply(http.StatusBadRequest, false, "no param")
		return
	}
	if !nameRE.MatchString(name) || !s.db.HasStation(name) {
		s.o.Logf("relay: push from %s for unknown station %q refused", src, name)
		reply(http.StatusNotFound, false, "unknown station")
		return
	}
	_, err = s.db.Store(name, Push{Received: s.o.Now(), Query: r.URL.RawQuery, Body: body}, s.o.MaxPending)
	if errors.Is(err, ErrFull) {
		s.o.Logf("relay: push from %s for %s refused: %d pushes already waiting (kept the oldest)", src, name, s.o.MaxPending)
		reply(http.StatusServiceUnavailable, false, "station store full")
		return
	}
	if err != nil {
		s.o.Logf("relay: %v", err)
		reply(http.StatusInternalServerError, false, "store unavailable")
		return
	}
	reply(http.StatusOK, true, "")
	s.signal(name)
}

// signal wakes the station's waiting long polls.
func (s *Server) signal(name string) {
	s.mu.Lock()
	if ch, ok := s.signals[name]; ok {
		close(ch)
		delete(s.signals, name)
	}
	s.mu.Unlock()
}

// waitCh returns a channel closed at the station's next push.
func (s *Server) waitCh(name string) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.signals[name]
	if !ok {
		ch = make(chan struct{})
		s.signals[name] = ch
	}
	return ch
}

// station authenticates a station request; it answers the failure itself.
func (s *Server) station(w http.ResponseWriter, r *http.Request) (string, bool) {
	src := sourceOf(r)
	now := s.o.Now()
	if s.auth.blocked(src, now) {
		http.Error(w, "too many failed logins; wait and try again", http.StatusTooManyRequests)
		return "", false
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="shipdesk relay"`)
		http.Error(w, "station token required", http.StatusUnauthorized)
		return "", false
	}
	name, err := s.db.Authenticate(tok)
	if err != nil {
		s.auth.allow(src, now) // count the failure
		if !errors.Is(err, ErrBadToken) {
			s.o.Logf("relay: %v", err)
			http.Error(w, "store unavailable", http.StatusInternalServerError)
			return "", false
		}
		s.o.Logf("relay: station login from %s refused: bad token", src)
		w.Header().Set("WWW-Authenticate", `Bearer realm="shipdesk relay", error="invalid_token"`)
		http.Error(w, "bad station token", http.StatusUnauthorized)
		return "", false
	}
	return name, true
}

// TakeReply is the body of GET /station/pushes.
type TakeReply struct {
	Station string `json:"station"`
	Pushes  []Push `json:"pushes"`
}

// serveTake hands the station its waiting pushes (after=SEQ skips those it
// has seen), waiting up to wait=DURATION for one when none is waiting.
func (s *Server) serveTake(w http.ResponseWriter, r *http.Request) {
	name, ok := s.station(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	after, _ := strconv.ParseUint(q.Get("after"), 10, 64)
	wait := DefaultWait
	if v := q.Get("wait"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			http.Error(w, "wait must be a duration such as 25s", http.StatusBadRequest)
			return
		}
		wait = min(d, MaxWait)
	}
	limit := MaxBatch
	if v, err := strconv.Atoi(q.Get("limit")); err == nil && v > 0 {
		limit = min(v, MaxBatch)
	}
	var timeout <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		timeout = t.C
	}
	for {
		ch := s.waitCh(name) // before reading, so no push slips between
		list, err := s.db.Pending(name, after, limit)
		if err != nil {
			s.o.Logf("relay: %v", err)
			http.Error(w, "store unavailable", http.StatusInternalServerError)
			return
		}
		if len(list) > 0 || wait == 0 {
			writeJSON(w, http.StatusOK, TakeReply{Station: name, Pushes: list})
			return
		}
		select {
		case <-ch:
		case <-timeout:
			writeJSON(w, http.StatusOK, TakeReply{Station: name, Pushes: list})
			return
		case <-r.Context().Done():
			return
		}
	}
}

// AckRequest is the body of POST /station/ack.
type AckRequest struct {
	Acks []Ack `json:"acks"`
}

func (s *Server) serveAck(w http.ResponseWriter, r *http.Request) {
	name, ok := s.station(w, r)
	if !ok {
		return
	}
	var req AckRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAckBytes))
	if err := dec.Decode(&req); err != nil {
		http.Error(w, "body must be {\"acks\":[{\"seq\":N,\"outcome\":\"applied\"}]}", http.StatusBadRequest)
		return
	}
	for _, a := range req.Acks {
		switch a.Outcome {
		case Applied, Forged, Unknown, Bad:
		default:
			http.Error(w, fmt.Sprintf("outcome %q: want applied, forged, unknown or bad", a.Outcome), http.StatusBadRequest)
			return
		}
	}
	n, err := s.db.Acknowledge(name, req.Acks)
	if err != nil {
		s.o.Logf("relay: %v", err)
		http.Error(w, "store unavailable", http.StatusInternalServerError)
		return
	}
	for _, a := range req.Acks {
		if a.Outcome == Forged {
			s.o.Logf("relay: station %s refused push %d: its sign did not match (forged or for another salt)", name, a.Seq)
		}
	}
	writeJSON(w, http.StatusOK, map[string]int{"deleted": n})
}

// Serve runs h on ln until ctx ends, then shuts it down (waiting up to 5 s
// for requests in flight; long polls end with ctx). It returns nil when
// ctx ended.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, certFile, keyFile string) error {
	base, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		BaseContext: func(net.Listener) context.Context { return base }}
	errc := make(chan error, 1)
	go func() {
		if certFile != "" {
			errc <- srv.ServeTLS(ln, certFile, keyFile)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	cancel() // ends long polls
	sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer scancel()
	srv.Shutdown(sctx)
	<-errc
	return nil
}

// limiter is a token bucket per source address. Its map is bounded: idle
// full buckets are dropped when it grows past maxSources.
type limiter struct {
	rate, burst float64
	mu          sync.Mutex
	m           map[string]*tokens
}

type tokens struct {
	n    float64
	last time.Time
}

const maxSources = 10000

func newLimiter(rate, burst float64) *limiter {
	return &limiter{rate: rate, burst: max(burst, 1), m: map[string]*tokens{}}
}

func (l *limiter) refill(src string, now time.Time) *tokens {
	t, ok := l.m[src]
	if !ok {
		if len(l.m) >= maxSources {
			for k, v := range l.m {
				if v.n+now.Sub(v.last).Seconds()*l.rate >= l.burst {
					delete(l.m, k)
				}
			}
		}
		t = &tokens{n: l.burst, last: now}
		l.m[src] = t
	}
	if el := now.Sub(t.last).Seconds(); el > 0 {
		t.n = min(l.burst, t.n+el*l.rate)
		t.last = now
	}
	return t
}

// allow takes a token for src; false when none is left.
func (l *limiter) allow(src string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.refill(src, now)
	if t.n < 1 {
		return false
	}
	t.n--
	return true
}

// blocked reports whether src has no token left, without taking one.
func (l *limiter) blocked(src string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.refill(src, now).n < 1
}
