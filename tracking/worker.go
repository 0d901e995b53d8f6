// Package tracking is Shipdesk's background tracking worker: it subscribes
// every waybill to Kuaidi100's push service when the station has a
// reachable callback address, receives and verifies the pushes, polls
// within Kuaidi100's limits when no push arrives, stores every event, moves
// shipments through their milestones, tells the SMS notifier about
// milestone changes and raises the exceptions the manager's rules ask for.
//
// The poll rule itself is the pure Policy; the Worker is the loop around it.
package tracking

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"sync"
	"time"

	"shipdesk/kuaidi100"
	"shipdesk/store"
)

// Store is the part of *store.DB the worker uses.
type Store interface {
	Shipment(ctx context.Context, waybill string) (store.Shipment, error)
	UpdateShipment(ctx context.Context, waybill string, fn func(*store.Shipment) error) (store.Shipment, error)
	AddEvents(ctx context.Context, waybill string, evs []store.TrackingEvent) (int, error)
	ShipmentsDue(ctx context.Context, now time.Time, limit int) ([]store.Shipment, error)
	ActiveShipments(ctx context.Context, fn func(store.Shipment) error) error
	RaiseException(ctx context.Context, e *store.Exception) (bool, error)
	Exceptions(ctx context.Context, openOnly bool, limit int) ([]store.Exception, error)
	Settings(ctx context.Context) (store.Settings, error)
}

// Tracker is the part of *kuaidi100.Client the worker uses.
type Tracker interface {
	Query(ctx context.Context, r kuaidi100.QueryRequest) (*kuaidi100.Track, error)
	Subscribe(ctx context.Context, r kuaidi100.SubscribeRequest) error
}

// Notifier is told when a shipment reaches a new milestone (the SMS
// notifier implements it). It is called after the change is committed, at
// most once per change, from the goroutine that applied it.
type Notifier interface {
	Notify(ctx context.Context, s store.Shipment, m store.Milestone) error
}

// Config configures a Worker.
type Config struct {
	// DB stores shipments, events and exceptions; usually a *store.DB.
	DB Store
	// Client talks to Kuaidi100 (or the sandbox); usually a *kuaidi100.Client.
	Client Tracker
	// Notifier, when not nil, is told of every milestone change.
	Notifier Notifier
	// Now is the worker's clock; nil means time.Now.
	Now func() time.Time
	// After waits on the worker's clock; nil means time.After. Tests and an
	// accelerated sandbox replace Now and After together.
	After func(d time.Duration) <-chan time.Time
	// PushURL is the callback address Kuaidi100 can reach. Empty (or the
	// PollOnly setting) means no subscriptions: poll only.
	PushURL string
	// QueriesPerSecond caps real-time queries across all numbers; 0 means
	// the Tracking.QueriesPerSecond setting, or 1.
	QueriesPerSecond float64
	// SubscribesPerSecond caps subscribe calls; 0 means 5.
	SubscribesPerSecond float64
	// Policy is the poll rule; nil means DefaultPolicy().
	Policy *Policy
	// RulesEvery is how often the exception rules are checked; 0 means 10
	// minutes. Each check walks every active shipment once.
	RulesEvery time.Duration
	// IdleEvery is how often an idle worker looks for due shipments; 0
	// means one minute.
	IdleEvery time.Duration
	// Logf logs; nil means log.Printf. It must be safe for concurrent use.
	Logf func(format string, args ...any)
}

// Worker subscribes, polls and receives pushes. Create it with New; run the
// loop with Run; serve Handler for pushes. Its methods are safe for
// concurrent use.
type Worker struct {
	db       Store
	client   Tracker
	notifier Notifier
	now      func() time.Time
	after    func(time.Duration) <-chan time.Time
	pushURL  string
	policy   Policy
	logf     func(string, ...any)
	rulesDur time.Duration
	idleDur  time.Duration
	cfgQPS   float64

	queries *bucket
	subs    *bucket
	wake    chan struct{}

	mu        sync.Mutex
	pollOnly  bool
	rules     store.ExceptionRules
	backoff   map[string]backoffState // per number, poll failures
	subRetry  map[string]backoffState // per number, subscribe failures
	inflight  map[string]bool
	legs      map[string]Leg // newest event's leg, kept in memory only
	stretch   float64        // Hints.Stretch from the last walk
	pauseTill time.Time      // global back-off after service-wide failures
	pauseN    int            // consecutive global pauses
	failRun   int            // consecutive transient failures across numbers
	raised    map[excKey]time.Time
	raisedOK  bool // raised loaded from the store
	listeners map[int]func(store.Shipment)
	nextID    int
}

type backoffState struct {
	fails int
	until time.Time
}

type excKey struct {
	waybill string
	kind    store.ExceptionKind
}

// New returns a worker for cfg. It does nothing until Run is called (the
// push Handler and Subscribe work without Run).
func New(cfg Config) *Worker {
	w := &Worker{
		db:        cfg.DB,
		client:    cfg.Client,
		notifier:  cfg.Notifier,
		now:       cfg.Now,
		after:     cfg.After,
		pushURL:   cfg.PushURL,
		logf:      cfg.Logf,
		rulesDur:  cfg.RulesEvery,
		idleDur:   cfg.IdleEvery,
		cfgQPS:    cfg.QueriesPerSecond,
		wake:      make(chan struct{}, 1),
		backoff:   map[string]backoffState{},
		subRetry:  map[string]backoffState{},
		inflight:  map[string]bool{},
		legs:      map[string]Leg{},
		raised:    map[excKey]time.Time{},
		listeners: map[int]func(store.Shipment){},
		rules:     store.DefaultSettings().Rules,
	}
	if w.now == nil {
		w.now = time.Now
	}
	if w.after == nil {
		w.after = time.After
	}
	if w.logf == nil {
		w.logf = log.Printf
	}
	if cfg.Policy != nil {
		w.policy = *cfg.Policy
	} else {
		w.policy = DefaultPolicy()
	}
	if w.rulesDur <= 0 {
		w.rulesDur = 10 * time.Minute
	}
	if w.idleDur <= 0 {
		w.idleDur = time.Minute
	}
	qps := cfg.QueriesPerSecond
	if qps <= 0 {
		qps = 1
	}
	w.queries = newBucket(qps, 1)
	sps := cfg.SubscribesPerSecond
	if sps <= 0 {
		sps = 5
	}
	w.subs = newBucket(sps, 1)
	return w
}

// Policy returns the poll rule the worker uses.
func (w *Worker) Policy() Policy { return w.policy }

// OnChange registers fn to be called with the stored shipment after every
// committed change the worker makes (new events, milestone, subscription
// state). fn runs synchronously on the goroutine that made the change (the
// Run loop, a push request, a Subscribe or Refresh caller), so it must
// return quickly and must not call back into the worker; a GUI hands the
// value to its own goroutine (fyne.Do). The returned func unregisters fn.
func (w *Worker) OnChange(fn func(store.Shipment)) (cancel func()) {
	w.mu.Lock()
	id := w.nextID
	w.nextID++
	w.listeners[id] = fn
	w.mu.Unlock()
	return func() {
		w.mu.Lock()
		delete(w.listeners, id)
		w.mu.Unlock()
	}
}

func (w *Worker) changed(s store.Shipment) {
	w.mu.Lock()
	fns := make([]func(store.Shipment), 0, len(w.listeners))
	for _, fn := range w.listeners {
		fns = append(fns, fn)
	}
	w.mu.Unlock()
	for _, fn := range fns {
		fn(s)
	}
}

// nudge wakes the Run loop early (a new shipment or a changed schedule).
func (w *Worker) nudge() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// pushEnabled reports whether the worker subscribes numbers for pushes.
func (w *Worker) pushEnabled() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.pushURL != "" && !w.pollOnly
}

// hints returns what the worker knows of s beyond the record.
func (w *Worker) hints(s *store.Shipment) Hints {
	w.mu.Lock()
	leg, st := w.legs[s.Waybill], w.stretch
	w.mu.Unlock()
	return Hints{PushActive: w.pushActive(s), Leg: leg, Stretch: st}
}

func (w *Worker) setLeg(waybill string, l Leg) {
	w.mu.Lock()
	if l == LegUnknown {
		delete(w.legs, waybill)
	} else {
		w.legs[waybill] = l
	}
	w.mu.Unlock()
}

// pushActive reports whether a push subscription with the current
// callback URL covers s, so polling is only a safety net.
func (w *Worker) pushActive(s *store.Shipment) bool {
	return w.pushEnabled() && s.Subscription.State == store.SubActive && s.Subscription.CallbackURL == w.pushURL
}

// schedule returns the next time anything must be done for s: a poll, a
// subscribe retry, or the end of a back-off. The zero time means never.
func (w *Worker) schedule(s *store.Shipment, now time.Time) time.Time {
	if s.Milestone.Terminal() {
		w.setLeg(s.Waybill, LegUnknown)
		return time.Time{}
	}
	next := w.policy.Next(s, w.hints(s), now)
	w.mu.Lock()
	if b, ok := w.backoff[s.Waybill]; ok && b.until.After(next) {
		next = b.until
	}
	w.mu.Unlock()
	if w.pushEnabled() {
		if at, ok := w.subscribeDue(s, now); ok && at.Before(next) {
			next = at
		}
	}
	return next
}

// Run is the scheduler loop. On start it makes sure every active shipment
// is subscribed with the current callback URL and has a next poll time;
// then it polls due shipments at the global rate, retries subscriptions and
// checks the exception rules until ctx ends. It returns nil when ctx ends
// and leaves no goroutine behind. Run must not be called twice at once.
func (w *Worker) Run(ctx context.Context) error {
	w.loadSettings(ctx)
	if err := w.reconcile(ctx); err != nil && ctx.Err() == nil {
		w.logf("tracking: start: %v", err)
	}
	rulesAt := w.now()
	for ctx.Err() == nil {
		now := w.now()
		if !now.Before(rulesAt) {
			w.loadSettings(ctx)
			if err := w.checkRules(ctx, now); err != nil && ctx.Err() == nil {
				w.logf("tracking: exception rules: %v", err)
			}
			rulesAt = now.Add(w.rulesDur)
		}
		if p := w.pausedUntil(); p.After(now) {
			w.wait(ctx, min(p.Sub(now), rulesAt.Sub(now)))
			continue
		}
		due, err := w.db.ShipmentsDue(ctx, now, 64)
		if err != nil {
			if ctx.Err() == nil {
				w.logf("tracking: due shipments: %v", err)
				w.wait(ctx, w.idleDur)
			}
			continue
		}
		for _, s := range due {
			if ctx.Err() != nil || w.pausedUntil().After(w.now()) {
				break
			}
			w.process(ctx, s)
		}
		if len(due) == 0 {
			w.wait(ctx, min(w.idleDur, max(rulesAt.Sub(now), 0)))
		}
	}
	return nil
}

// wait blocks for d on the worker's clock, until a nudge or until ctx ends.
func (w *Worker) wait(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	select {
	case <-ctx.Done():
	case <-w.wake:
	case <-w.after(d):
	}
}

// sleep blocks for d on the worker's clock or until ctx ends; it reports
// whether the time passed.
func (w *Worker) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	select {
	case <-ctx.Done():
		return false
	case <-w.after(d):
		return true
	}
}

func (w *Worker) pausedUntil() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.pauseTill
}

// loadSettings reads the settings the worker follows while running.
func (w *Worker) loadSettings(ctx context.Context) {
	st, err := w.db.Settings(ctx)
	if err != nil {
		if ctx.Err() == nil {
			w.logf("tracking: settings: %v", err)
		}
		return
	}
	w.mu.Lock()
	w.pollOnly = st.Tracking.PollOnly
	w.rules = st.Rules
	w.mu.Unlock()
	if w.cfgQPS <= 0 && st.Tracking.QueriesPerSecond > 0 {
		w.queries.setRate(st.Tracking.QueriesPerSecond)
	}
}

// reconcile runs on start: every active shipment gets a next poll time,
// and, when pushes are enabled, a subscription with the current URL.
func (w *Worker) reconcile(ctx context.Context) error {
	var todo []string
	now := w.now()
	err := w.db.ActiveShipments(ctx, func(s store.Shipment) error {
		if s.NextPollAt.IsZero() || (w.pushEnabled() && w.needsSubscribe(&s, now)) {
			todo = append(todo, s.Waybill)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("list active shipments: %w", err)
	}
	for _, n := range todo {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s, err := w.db.Shipment(ctx, n)
		if err != nil {
			w.logf("tracking: start %s: %v", n, err)
			continue
		}
		if w.pushEnabled() {
			if at, ok := w.subscribeDue(&s, w.now()); ok && !at.After(w.now()) {
				w.subscribe(ctx, s.Waybill) // logs and reschedules itself
				continue
			}
		}
		w.reschedule(ctx, s.Waybill) // a later re-subscription is part of the schedule
	}
	if len(todo) > 0 {
		w.logf("tracking: start: %d shipments scheduled or subscribed", len(todo))
	}
	return nil
}

// reschedule stores the next action time of waybill.
func (w *Worker) reschedule(ctx context.Context, waybill string) {
	s, err := w.db.UpdateShipment(ctx, waybill, func(s *store.Shipment) error {
		s.NextPollAt = w.schedule(s, w.now())
		return nil
	})
	if err != nil {
		w.logf("tracking: schedule %s: %v", waybill, err)
		return
	}
	w.changed(s)
}

// process handles one due shipment: subscribe if needed, poll if the
// policy and the limits allow, and store the next action time.
func (w *Worker) process(ctx context.Context, s store.Shipment) {
	now := w.now()
	if s.Milestone.Terminal() {
		return
	}
	if w.pushEnabled() {
		if at, ok := w.subscribeDue(&s, now); ok && !at.After(now) {
			w.subscribe(ctx, s.Waybill)
			if s2, err := w.db.Shipment(ctx, s.Waybill); err == nil {
				s = s2
			}
			now = w.now()
		}
	}
	w.mu.Lock()
	b := w.backoff[s.Waybill]
	w.mu.Unlock()
	pollAt := w.policy.Next(&s, w.hints(&s), now)
	if !pollAt.IsZero() && !pollAt.After(now) && !b.until.After(now) && w.policy.Allowed(&s, now) {
		err := w.poll(ctx, s.Waybill, false)
		if err == nil || ctx.Err() != nil {
			return
		}
		if !errors.Is(err, errSkipped) {
			// The store failed around the query; don't spin on it.
			w.logf("tracking: %v", err)
			w.pause(w.now(), time.Minute)
			return
		}
	}
	next := w.schedule(&s, now)
	if !next.After(now) {
		// Never spin on a shipment the limits hold back.
		next = now.Add(time.Minute)
	}
	_, err := w.db.UpdateShipment(ctx, s.Waybill, func(sh *store.Shipment) error {
		if !sh.NextPollAt.Equal(s.NextPollAt) {
			return errSkipped // changed meanwhile (push, refresh): leave it
		}
		sh.NextPollAt = next
		return nil
	})
	if err != nil {
		if !errors.Is(err, errSkipped) && ctx.Err() == nil {
			w.logf("tracking: schedule %s: %v", s.Waybill, err)
			w.pause(now, time.Minute)
		}
		return
	}
}

// errSkipped means a poll was not sent because the limits or another
// caller got there first.
var errSkipped = errors.New("poll skipped")

// ErrTooSoon is returned by Refresh when querying now would break
// Kuaidi100's per-number limits (30 minutes apart, fewer than 48 a day).
// The limits are kept from the shipment's own query record: Kuaidi100 tells
// a locked number by no code of its own, so the worker never sends a query
// that would lock one.
var ErrTooSoon = errors.New("queried too recently")

// ErrTerminal is returned by Refresh for a shipment that has reached a
// terminal state.
var ErrTerminal = errors.New("shipment finished")

// Refresh queries waybill now (a person pressed "update now"), obeying the
// per-number limits and the global rate: ErrTooSoon when the last query was
// less than MinInterval ago or the day's cap is used, ErrTerminal for a
// finished shipment. The result is stored and scheduled like any poll.
func (w *Worker) Refresh(ctx context.Context, waybill string) error {
	s, err := w.db.Shipment(ctx, waybill)
	if err != nil {
		return fmt.Errorf("refresh %s: %w", waybill, err)
	}
	if s.Milestone.Terminal() {
		return fmt.Errorf("refresh %s: %w", waybill, ErrTerminal)
	}
	now := w.now()
	if !w.policy.Allowed(&s, now) {
		return fmt.Errorf("refresh %s: %w", waybill, ErrTooSoon)
	}
	err = w.poll(ctx, waybill, true)
	if errors.Is(err, errSkipped) {
		return fmt.Errorf("refresh %s: %w", waybill, ErrTooSoon)
	}
	return err
}

// pause stops all queries until now+d (service-wide trouble).
func (w *Worker) pause(now time.Time, d time.Duration) {
	w.mu.Lock()
	if t := now.Add(d); t.After(w.pauseTill) {
		w.pauseTill = t
	}
	w.mu.Unlock()
}

// newSalt returns a fresh random push salt.
func newSalt() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// AcceleratedClock returns a Config.Now and Config.After for a worker that
// follows a clock running speed times faster than real time, such as the
// demo sandbox's (now = (*sandbox.Server).Now, speed = its Options.Speed):
// the worker then schedules, rate-limits and waits in the sandbox's time,
// as a worker against the real service does in real time.
func AcceleratedClock(now func() time.Time, speed float64) (func() time.Time, func(time.Duration) <-chan time.Time) {
	if speed <= 0 {
		speed = 1
	}
	return now, func(d time.Duration) <-chan time.Time {
		return time.After(time.Duration(float64(d) / speed))
	}
}
