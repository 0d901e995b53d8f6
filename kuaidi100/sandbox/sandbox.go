// Package sandbox is a local imitation of the Kuaidi100 service that speaks
// the same wire protocol as the real endpoints (query, subscribe, push,
// autonumber, e-waybill, SMS). It checks every signature and credential,
// enforces the documented limits, issues waybill numbers in each carrier's
// format, moves every parcel through a seeded-random timeline on a clock
// that can run faster than real time, delivers pushes and SMS receipts, and
// reports its counters at GET /sandbox/stats.
//
// All times inside the sandbox are simulated: limits (30 minutes between
// queries of a number, 48 a day, 4 subscriptions a month, the global
// request rates and the daily quota) are measured on the simulated clock,
// so a client that schedules on the same clock sees the same behaviour at
// any speed.
//
// With Options.StatePath the sandbox is durable: it keeps its state in a
// JSON file (see Save) and carries on from it after a restart, its
// simulated clock resuming where it stopped.
package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"shipdesk/kuaidi100"
)

// DemoCredentials are the credentials a sandbox accepts when none are
// configured. They are printed at start; they work nowhere else.
func DemoCredentials() kuaidi100.Config {
	return kuaidi100.Config{
		Key:       "shipdesk-demo-key",
		Customer:  "SHIPDESKDEMOCUSTOMER0001",
		Secret:    "shipdesk-demo-secret",
		UserID:    "shipdesk-demo",
		SMSSeller: "发货台",
	}
}

// Options configure a sandbox. The zero value is a sandbox without rate
// limits or quota, running at real speed; DefaultOptions gives the
// documented limits.
type Options struct {
	// Speed is how many simulated seconds pass per real second (3600 = one
	// simulated hour per second). 0 means 1.
	Speed float64
	// Seed makes timelines, numbers and outcomes reproducible.
	Seed int64
	// Creds are the accepted credentials; empty fields take the demo value.
	Creds kuaidi100.Config
	// QueryRate and SubscribeRate are the global request rates in requests
	// per simulated second (burst: one second's worth, at least 1). Beyond
	// them the service answers busy (502). 0 means unlimited.
	QueryRate, SubscribeRate float64
	// DailyQuota is the number of billable calls (queries, accepted
	// subscriptions, new waybills) per simulated day; beyond it queries and
	// subscriptions get 601 and orders 30004. 0 means unlimited.
	DailyQuota int
	// ProblemShare, RefusedShare and ReturnedShare are the shares of parcels
	// that meet a delivery problem (then are delivered), are refused, or are
	// returned to the sender.
	ProblemShare, RefusedShare, ReturnedShare float64
	// NoAutoNumber makes autonumber/auto answer 601, as for an account
	// without the feature.
	NoAutoNumber bool
	// Clock is the real clock the simulated one is derived from; nil means
	// time.Now. Tests may pass a fixed clock and move time with Advance.
	Clock func() time.Time
	// Start is the simulated time at creation; zero means Clock().
	Start time.Time
	// HTTPClient delivers pushes and SMS receipts; nil means a client with a
	// 20 s timeout (the service's push timeout).
	HTTPClient *http.Client
	// PushInterval is the simulated time between checks of a subscribed
	// number (the service checks about every 4 hours); 0 means 4h.
	// FirstPush is the delay before the first check (0 means 15 min).
	PushInterval, FirstPush time.Duration
	// Tick is the real interval at which Run steps; 0 means 50 ms.
	Tick time.Duration
	// Logf, when set, receives one line per notable event.
	Logf func(format string, args ...any)
	// StatePath, when set, makes the sandbox durable: New loads the state
	// saved there (parcels, waybills and their orderIds, subscriptions,
	// pending pushes and SMS receipts, query history and locks, quota and
	// rate counters, the seed and the simulated clock, which resumes where
	// it stopped: Start is then ignored), Run saves it every SaveEvery when
	// it changed and when it returns, and Save saves it on demand. A file
	// that cannot be read or decoded is logged and renamed to
	// StatePath.corrupt-TIME; the sandbox then starts fresh.
	StatePath string
	// SaveEvery is the real interval of Run's saves; 0 means
	// DefaultSaveEvery.
	SaveEvery time.Duration
	// Compress makes parcels move Compress times faster than in reality
	// while the clock itself is not sped up: the gaps of every planned
	// journey (pickup, trunk legs, delivery, re-delivery, return) and the
	// service's own scheduling delays (FirstPush, PushInterval, the push
	// retry spacing, SMS receipts) are divided by it. The rules the service
	// enforces on clients keep their real durations: 30 minutes between
	// queries of a number, 48 a day, the 24 h lock, 4 subscriptions a
	// month, the global rates, the daily quota, the order and reprint
	// windows, and the 3-day/60-day subscription aborts. 0 or 1 means no
	// compression. Demo mode uses it with RealTime, so parcels visibly
	// move within minutes while every time they carry is a real one.
	Compress float64
	// RealTime ties the simulated clock to Clock itself: Speed is taken as
	// 1 and Start is ignored. With StatePath, a restart does not resume
	// the clock where it stopped: the clock is Clock(), so parcels went on
	// moving while the program was closed, as real ones do. A state saved
	// ahead of Clock() by an accelerated session keeps its times (moving
	// them would make the app, which already holds the pushed events,
	// store every event twice): events, checks and locks dated after
	// Clock() take effect when the real clock reaches them, and a query
	// history in the future counts as a query less than 30 minutes ago.
	// Without RealTime a restart resumes the clock exactly where it
	// stopped.
	RealTime bool
	// Timing is the model of parcels' journeys and of the service's checks
	// (journey.go); nil means DefaultTiming().
	Timing *Timing
}

// DefaultOptions are the documented limits: 1 query/s, 10 subscriptions/s,
// 10,000 billable calls a day, 8 % problem, 3 % refused and 3 % returned
// parcels, real speed.
func DefaultOptions() Options {
	return Options{Speed: 1, Seed: 1, QueryRate: 1, SubscribeRate: 10, DailyQuota: 10000,
		ProblemShare: 0.08, RefusedShare: 0.03, ReturnedShare: 0.03}
}

// DemoCompress is the Options.Compress of the app's demo mode: one hour
// of a parcel's journey passes in 15 real seconds, so a typical domestic
// parcel goes from ordered to delivered in about 3 to 15 minutes (a day and
// a half of travel in about 8), and the service checks a subscribed
// number every minute instead of every 4 hours.
const DemoCompress = 240

// The documented limits the sandbox enforces.
const (
	QueryMinInterval   = 30 * time.Minute    // between two queries of one number
	QueryMaxPerDay     = 48                  // queries of one number per 24 h
	LockDuration       = 24 * time.Hour      // a lock lasts this long after the last query
	SubscriptionsMonth = 4                   // per carrier+number per calendar month
	PushRetries        = 3                   // retries after a failed push
	PushRetryDelay     = 35 * time.Minute    // between push retries
	NoTraceAbort       = 72 * time.Hour      // abort a subscription with no trace
	NoChangeAbort      = 60 * 24 * time.Hour // abort a subscription without change
	OrderIdempotency   = 48 * time.Hour      // orderId+reorder=false window
	ReprintWindow      = 48 * time.Hour      // printOld allowed within
	ReprintMax         = 10                  // printOld per task
)

// Server is the sandbox. It implements http.Handler; Run delivers pushes and
// SMS receipts. All methods are safe for concurrent use.
type Server struct {
	opts   Options
	timing Timing
	creds  kuaidi100.Config
	hc     *http.Client
	mux    *http.ServeMux

	stepMu sync.Mutex    // one Step at a time
	saveMu sync.Mutex    // one Save at a time
	gen    atomic.Uint64 // counts changes (for Run's periodic save)
	saved  atomic.Uint64 // gen at the last save

	mu        sync.Mutex
	realStart time.Time
	simStart  time.Time
	offset    time.Duration
	pcg       *rand.PCG // rng's source, saved with the state
	rng       *rand.Rand
	parcels   map[string]*parcel // by number
	orders    map[string]*orderRec
	tasks     map[string]*parcel
	queries   map[string]*queryHist
	subs      map[string]*subscription // by com|num
	subCounts map[string]int           // com|num|month -> accepted subscriptions
	smsQueue  []*smsJob
	qBucket   bucket
	sBucket   bucket
	quotaDay  string
	quotaUsed int
	stats     counters
	smsSeq    int
	notes     map[string]string // Note/SetNote
}

type counters struct {
	Requests   map[string]int `json:"requests"`
	Responses  map[string]int `json:"responses"`
	Violations map[string]int `json:"violations"`
	Pushes     map[string]int `json:"pushes"`
	SMS        map[string]int `json:"sms"`
}

// New returns a sandbox for opts. Start Run to deliver pushes.
func New(opts Options) *Server {
	opts = opts.withDefaults()
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 20 * time.Second}
	}
	s := &Server{
		opts: opts, creds: opts.credentials(), hc: hc,
		realStart: opts.Clock(),
		pcg:       rand.NewPCG(uint64(opts.Seed), 0x6b75616964693130),
		parcels:   map[string]*parcel{}, orders: map[string]*orderRec{}, tasks: map[string]*parcel{},
		queries: map[string]*queryHist{}, subs: map[string]*subscription{}, subCounts: map[string]int{},
		stats: counters{Requests: map[string]int{}, Responses: map[string]int{}, Violations: map[string]int{}, Pushes: map[string]int{}, SMS: map[string]int{}},
	}
	s.timing = DefaultTiming()
	if opts.Timing != nil {
		s.timing = *opts.Timing
	}
	s.simStart = opts.Start
	if s.simStart.IsZero() || opts.RealTime {
		s.simStart = s.realStart
	}
	s.rng = rand.New(s.pcg)
	s.qBucket = bucket{rate: opts.QueryRate}
	s.sBucket = bucket{rate: opts.SubscribeRate}
	s.mux = s.routes()
	if opts.StatePath != "" {
		s.restore()
	}
	return s
}

// withDefaults fills the zero fields New gives a default.
func (opts Options) withDefaults() Options {
	if opts.Speed <= 0 || opts.RealTime {
		opts.Speed = 1
	}
	if opts.Compress < 1 {
		opts.Compress = 1
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.PushInterval <= 0 {
		opts.PushInterval = 4 * time.Hour
	}
	if opts.FirstPush <= 0 {
		opts.FirstPush = 15 * time.Minute
	}
	if opts.Tick <= 0 {
		opts.Tick = 50 * time.Millisecond
	}
	if opts.SaveEvery <= 0 {
		opts.SaveEvery = DefaultSaveEvery
	}
	return opts
}

// credentials are the demo credentials with those opts.Creds sets instead.
func (opts Options) credentials() kuaidi100.Config {
	creds := DemoCredentials()
	fill := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	fill(&creds.Key, opts.Creds.Key)
	fill(&creds.Customer, opts.Creds.Customer)
	fill(&creds.Secret, opts.Creds.Secret)
	fill(&creds.UserID, opts.Creds.UserID)
	fill(&creds.SMSSeller, opts.Creds.SMSSeller)
	return creds
}

// routes serves the service's endpoints and the sandbox's own.
func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc(kuaidi100.PathQuery, s.handleQuery)
	mux.HandleFunc(kuaidi100.PathSubscribe, s.handleSubscribe)
	mux.HandleFunc(kuaidi100.PathAutoNumber, s.handleAutoNumber)
	mux.HandleFunc(kuaidi100.PathLabel, s.handleLabel)
	mux.HandleFunc(kuaidi100.PathSMS, s.handleSMS)
	mux.HandleFunc("GET /sandbox/stats", s.handleStats)
	mux.HandleFunc("POST /sandbox/advance", s.handleAdvance)
	mux.HandleFunc("GET /sandbox/label/{task}", s.handleLabelImage)
	return mux
}

// Credentials returns the credentials the sandbox accepts.
func (s *Server) Credentials() kuaidi100.Config { return s.creds }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s.changed() // every other request at least counts in the stats
	}
}

// Now returns the simulated time.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nowLocked()
}

func (s *Server) nowLocked() time.Time {
	real := s.opts.Clock().Sub(s.realStart)
	return s.simStart.Add(time.Duration(float64(real)*s.opts.Speed) + s.offset)
}

// scaled is a journey gap or a delay of the service's own scheduling,
// shortened by Options.Compress.
func (s *Server) scaled(d time.Duration) time.Duration {
	if s.opts.Compress <= 1 {
		return d
	}
	return time.Duration(float64(d) / s.opts.Compress)
}

// Advance moves the simulated clock forward by d (a test hook; also
// POST /sandbox/advance?by=2h). Call Step to deliver what became due.
func (s *Server) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	s.mu.Lock()
	s.offset += d
	s.mu.Unlock()
	s.changed()
}

// Run steps the sandbox every Options.Tick (real time), delivering due pushes
// and SMS receipts, until ctx ends. With Options.StatePath it also saves the
// state every Options.SaveEvery when it changed, and once more before it
// returns (a failed save is logged). It returns ctx.Err().
func (s *Server) Run(ctx context.Context) error {
	t := time.NewTicker(s.opts.Tick)
	defer t.Stop()
	var save <-chan time.Time
	if s.opts.StatePath != "" {
		st := time.NewTicker(s.opts.SaveEvery)
		defer st.Stop()
		save = st.C
	}
	for {
		select {
		case <-ctx.Done():
			if err := s.Save(); err != nil {
				s.logf("%v", err)
			}
			return ctx.Err()
		case <-t.C:
			s.Step(ctx)
		case <-save:
			s.saveIfChanged()
		}
	}
}

func (s *Server) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf(format, args...)
	}
}

// bucket is a token bucket on the simulated clock.
type bucket struct {
	rate   float64   // from Options, not saved
	Tokens float64   `json:"tokens"`
	Last   time.Time `json:"last"`
}

func (b *bucket) take(now time.Time) bool {
	if b.rate <= 0 {
		return true
	}
	capacity := max(1, b.rate)
	if b.Last.IsZero() {
		b.Tokens, b.Last = capacity, now
	}
	if el := now.Sub(b.Last).Seconds(); el > 0 {
		b.Tokens = min(capacity, b.Tokens+el*b.rate)
		b.Last = now
	}
	if b.Tokens >= 1 {
		b.Tokens--
		return true
	}
	return false
}

// billable counts one billable call against the daily quota; false when the
// quota is used up.
func (s *Server) billable(now time.Time) bool {
	if s.opts.DailyQuota <= 0 {
		s.quotaUsed++
		return true
	}
	day := now.In(cst).Format("2006-01-02")
	if day != s.quotaDay {
		s.quotaDay, s.quotaUsed = day, 0
	}
	if s.quotaUsed >= s.opts.DailyQuota {
		s.stats.Violations["quota"]++
		return false
	}
	s.quotaUsed++
	return true
}

var cst = time.FixedZone("CST", 8*3600)

// Stats are the sandbox's counters, as served at GET /sandbox/stats.
type Stats struct {
	Now        time.Time      `json:"now"`        // simulated time
	Speed      float64        `json:"speed"`      // simulated seconds per real second
	Compress   float64        `json:"compress"`   // how many times faster parcels move (1 = as in reality)
	Requests   map[string]int `json:"requests"`   // by endpoint: query, subscribe, autonumber, order, cancel, printOld, sms
	Responses  map[string]int `json:"responses"`  // by endpoint and code: "query 200", "subscribe 501", "order 30002"
	Violations map[string]int `json:"violations"` // by kind: query_interval, query_daily, query_locked, subscribe_monthly, rate_query, rate_subscribe, quota
	Locked     []string       `json:"locked"`     // numbers locked now
	Parcels    int            `json:"parcels"`    // known parcels (issued or seen)
	Active     int            `json:"activeSubscriptions"`
	Pushes     map[string]int `json:"pushes"` // sent, failed, retried, dropped, and by status
	SMS        map[string]int `json:"sms"`    // accepted, rejected, receipts, receiptFailures
	QuotaUsed  int            `json:"quotaUsed"`
}

// Stats returns a snapshot of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	cp := func(m map[string]int) map[string]int {
		out := make(map[string]int, len(m))
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	st := Stats{Now: now, Speed: s.opts.Speed, Compress: s.opts.Compress, Requests: cp(s.stats.Requests), Responses: cp(s.stats.Responses),
		Violations: cp(s.stats.Violations), Pushes: cp(s.stats.Pushes), SMS: cp(s.stats.SMS),
		Parcels: len(s.parcels), QuotaUsed: s.quotaUsed, Locked: []string{}}
	for num, h := range s.queries {
		if now.Before(h.LockedUntil) {
			st.Locked = append(st.Locked, num)
		}
	}
	sort.Strings(st.Locked)
	for _, sub := range s.subs {
		if sub.Active {
			st.Active++
		}
	}
	return st
}

func (s *Server) handleStats(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, s.Stats())
}

func (s *Server) handleAdvance(w http.ResponseWriter, r *http.Request) {
	d, err := time.ParseDuration(r.URL.Query().Get("by"))
	if err != nil || d <= 0 {
		http.Error(w, "by must be a positive duration, e.g. 2h", http.StatusBadRequest)
		return
	}
	s.Advance(d)
	s.Step(r.Context())
	writeJSON(w, map[string]any{"now": s.Now()})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	b, _ := json.Marshal(v)
	w.Write(b)
}

func (s *Server) count(endpoint, code string) {
	s.stats.Responses[endpoint+" "+code]++
}

// hash64 mixes the seed with a string, for per-number determinism.
func (s *Server) hash64(parts ...string) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d", s.opts.Seed)
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return h.Sum64()
}

func (s *Server) rngFor(parts ...string) *rand.Rand {
	return rand.New(rand.NewPCG(s.hash64(parts...), 0x9e3779b97f4a7c15))
}

func subKey(com, num string) string { return strings.ToLower(com) + "|" + num }
