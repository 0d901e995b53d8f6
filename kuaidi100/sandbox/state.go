package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// StateVersion is the version of the state file format Save writes and
// the loader accepts.
const StateVersion = 1

// DefaultSaveEvery is how often (real time) Run saves a changed state when
// Options.SaveEvery is 0.
const DefaultSaveEvery = 2 * time.Second

// state is the state file: everything a sandbox needs to carry on where it
// stopped. Times are simulated.
type state struct {
	Version int       `json:"version"`
	Now     time.Time `json:"now"` // the simulated clock when saved; a restart resumes here
	Seed    int64     `json:"seed"`
	RNG     []byte    `json:"rng"` // the waybill/task number generator (PCG state)

	Parcels   map[string]*parcel       `json:"parcels"` // by number
	Orders    map[string]*orderRec     `json:"orders"`  // by orderId: the idempotent answer
	Queries   map[string]*queryHist    `json:"queries"` // by number: recent queries and locks
	Subs      map[string]*subscription `json:"subscriptions"`
	SubCounts map[string]int           `json:"subscriptionCounts"` // com|num|month
	SMSQueue  []*smsJob                `json:"smsReceipts"`        // receipts not yet delivered
	QBucket   bucket                   `json:"queryBucket"`
	SBucket   bucket                   `json:"subscribeBucket"`
	QuotaDay  string                   `json:"quotaDay"`
	QuotaUsed int                      `json:"quotaUsed"`
	SMSSeq    int                      `json:"smsSeq"`
	Stats     counters                 `json:"stats"`
	Notes     map[string]string        `json:"notes,omitempty"`
}

// MarshalJSON writes a city as its short name ("" for none).
func (c city) MarshalJSON() ([]byte, error) { return json.Marshal(c.Short) }

// UnmarshalJSON reads a city by its short name.
func (c *city) UnmarshalJSON(b []byte) error {
	var name string
	if err := json.Unmarshal(b, &name); err != nil {
		return err
	}
	if name == "" {
		*c = city{}
		return nil
	}
	for _, x := range cities {
		if x.Short == name {
			*c = x
			return nil
		}
	}
	return fmt.Errorf("unknown city %q", name)
}

// snapshotLocked encodes the state. s.mu must be held.
func (s *Server) snapshotLocked() ([]byte, error) {
	now := s.nowLocked()
	rng, err := s.pcg.MarshalBinary()
	if err != nil {
		return nil, err
	}
	queries := make(map[string]*queryHist, len(s.queries))
	for num, h := range s.queries {
		// A history with nothing in the last 24 h and no lock behaves
		// like no history: leave it out.
		if now.Before(h.LockedUntil) || len(h.Times) > 0 && now.Sub(h.Times[len(h.Times)-1]) < 24*time.Hour {
			queries[num] = h
		}
	}
	orders := make(map[string]*orderRec, len(s.orders))
	for id, o := range s.orders {
		if now.Sub(o.At) < OrderIdempotency { // older ones are issued anew anyway
			orders[id] = o
		}
	}
	month := "|" + now.In(cst).Format("2006-01")
	subCounts := make(map[string]int, len(s.subCounts))
	for k, n := range s.subCounts {
		if strings.HasSuffix(k, month) { // past months no longer count
			subCounts[k] = n
		}
	}
	st := state{
		Version: StateVersion, Now: now, Seed: s.opts.Seed, RNG: rng,
		Parcels: s.parcels, Orders: orders, Queries: queries, Subs: s.subs, SubCounts: subCounts,
		SMSQueue: s.smsQueue, QBucket: s.qBucket, SBucket: s.sBucket, QuotaDay: s.quotaDay, QuotaUsed: s.quotaUsed,
		SMSSeq: s.smsSeq, Stats: s.stats, Notes: s.notes,
	}
	return json.Marshal(st)
}

// decodeState parses and checks a state file.
func decodeState(data []byte) (*state, error) {
	var st state
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, err
	}
	if st.Version != StateVersion {
		return nil, fmt.Errorf("version %d, want %d", st.Version, StateVersion)
	}
	if y := st.Now.Year(); y < 2000 || y > 2999 {
		return nil, fmt.Errorf("clock %s out of range", st.Now)
	}
	for num, p := range st.Parcels {
		if p == nil || p.Num != num {
			return nil, fmt.Errorf("parcel %q: bad entry", num)
		}
	}
	for id, o := range st.Orders {
		if o == nil {
			return nil, fmt.Errorf("order %q: empty", id)
		}
	}
	for num, h := range st.Queries {
		if h == nil {
			return nil, fmt.Errorf("queries of %q: empty", num)
		}
	}
	for k, sub := range st.Subs {
		if sub == nil {
			return nil, fmt.Errorf("subscription %q: empty", k)
		}
		if sub.Job != nil {
			sub.Job.sub = sub
		}
	}
	for i, j := range st.SMSQueue {
		if j == nil {
			return nil, fmt.Errorf("sms receipt %d: empty", i)
		}
	}
	return &st, nil
}

// apply makes st the server's state. The simulated clock resumes at st.Now,
// except with Options.RealTime (see there). Called from New only.
func (s *Server) apply(st *state) error {
	pcg := rand.NewPCG(0, 0)
	if err := pcg.UnmarshalBinary(st.RNG); err != nil {
		return fmt.Errorf("rng: %w", err)
	}
	orEmpty := func(m map[string]int) map[string]int {
		if m == nil {
			return map[string]int{}
		}
		return m
	}
	s.pcg, s.rng = pcg, rand.New(pcg)
	s.opts.Seed = st.Seed
	if !s.opts.RealTime {
		s.simStart, s.offset = st.Now, 0
	} // else the clock stays the real one: the downtime passed as in reality
	if st.Parcels != nil {
		s.parcels = st.Parcels
	}
	for _, p := range s.parcels {
		if p.TaskID != "" {
			s.tasks[p.TaskID] = p
		}
	}
	if st.Orders != nil {
		s.orders = st.Orders
	}
	if st.Queries != nil {
		s.queries = st.Queries
	}
	if st.Subs != nil {
		s.subs = st.Subs
	}
	s.subCounts = orEmpty(st.SubCounts)
	s.smsQueue = st.SMSQueue
	s.qBucket.Tokens, s.qBucket.Last = st.QBucket.Tokens, st.QBucket.Last
	s.sBucket.Tokens, s.sBucket.Last = st.SBucket.Tokens, st.SBucket.Last
	s.quotaDay, s.quotaUsed, s.smsSeq = st.QuotaDay, st.QuotaUsed, st.SMSSeq
	s.stats = counters{Requests: orEmpty(st.Stats.Requests), Responses: orEmpty(st.Stats.Responses),
		Violations: orEmpty(st.Stats.Violations), Pushes: orEmpty(st.Stats.Pushes), SMS: orEmpty(st.Stats.SMS)}
	if st.Notes != nil {
		s.notes = st.Notes
	}
	return nil
}

// restore loads Options.StatePath into a new server. A missing file means
// a fresh start; an unreadable or invalid one is logged, renamed to
// PATH.corrupt-TIME and the server starts fresh.
func (s *Server) restore() {
	path := s.opts.StatePath
	if stale, _ := filepath.Glob(tempPattern(path)); len(stale) > 0 { // left by a crash during Save
		for _, f := range stale {
			os.Remove(f)
		}
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err == nil {
		var st *state
		if st, err = decodeState(data); err == nil {
			err = s.apply(st)
		}
		if err == nil {
			s.logf("sandbox: resumed %d parcels, %d subscriptions from %s (simulated time %s)",
				len(s.parcels), len(s.subs), path, st.Now.In(cst).Format(time.DateTime))
			return
		}
	}
	aside := path + ".corrupt-" + time.Now().UTC().Format("20060102T150405.000Z")
	if rerr := os.Rename(path, aside); rerr != nil {
		s.logf("sandbox: state %s unusable (%v) and not moved aside (%v); starting fresh", path, err, rerr)
		return
	}
	s.logf("sandbox: state %s unusable (%v); moved to %s, starting fresh", path, err, aside)
}

// Save writes the state to Options.StatePath atomically (a temporary file
// in the same folder, then rename; mode 0600). It does nothing without a
// StatePath. Run saves periodically when something changed and when it
// returns; a program that uses the sandbox without Run (or serves it
// itself) calls Save before it exits. Safe for concurrent use.
func (s *Server) Save() error {
	if s.opts.StatePath == "" {
		return nil
	}
	s.saveMu.Lock()
	defer s.saveMu.Unlock()
	gen := s.gen.Load()
	s.mu.Lock()
	data, err := s.snapshotLocked()
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("sandbox: save state: %w", err)
	}
	if err := writeFileAtomic(s.opts.StatePath, data); err != nil {
		return fmt.Errorf("sandbox: save state: %w", err)
	}
	s.saved.Store(gen)
	return nil
}

// saveIfChanged saves when the state changed since the last save, and logs
// a failure.
func (s *Server) saveIfChanged() {
	if s.opts.StatePath == "" || s.gen.Load() == s.saved.Load() {
		return
	}
	if err := s.Save(); err != nil {
		s.logf("%v", err)
	}
}

// changed records that the state changed (for saveIfChanged).
func (s *Server) changed() { s.gen.Add(1) }

// tempPattern is the glob of Save's temporary files for path.
func tempPattern(path string) string {
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
}

func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, filepath.Base(tempPattern(path)))
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o600)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	if d, err := os.Open(dir); err == nil { // make the rename durable
		d.Sync()
		d.Close()
	}
	return nil
}

// Note returns a value the embedding program keeps with the saved state
// (SetNote), or "".
func (s *Server) Note(key string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.notes[key]
}

// SetNote keeps a small value with the saved state, e.g. the address a
// demo program listened on, to reuse it after a restart.
func (s *Server) SetNote(key, value string) {
	s.mu.Lock()
	if s.notes == nil {
		s.notes = map[string]string{}
	}
	s.notes[key] = value
	s.mu.Unlock()
	s.changed()
}

// RedirectCallbacks points the pushes and SMS receipts of every
// subscription and pending receipt whose callback URL starts with from to
// the same path under to, and returns how many it changed. It is a demo
// hook, not a Kuaidi100 feature: a program whose local receiver had to move
// to another port after a restart tells its sandbox (the real service keeps
// a subscription's callback URL until the subscription ends).
func (s *Server) RedirectCallbacks(from, to string) int {
	if from == "" || from == to {
		return 0
	}
	s.mu.Lock()
	n := 0
	for _, sub := range s.subs {
		if rest, ok := strings.CutPrefix(sub.Callback, from); ok {
			sub.Callback = to + rest
			n++
		}
	}
	for _, j := range s.smsQueue {
		if rest, ok := strings.CutPrefix(j.Callback, from); ok {
			j.Callback = to + rest
			n++
		}
	}
	s.mu.Unlock()
	if n > 0 {
		s.changed()
	}
	return n
}
