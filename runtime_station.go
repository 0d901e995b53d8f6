package main

import (
	"context"
	"net/http"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"shipdesk/shipping"
	"shipdesk/store"
	"shipdesk/store/postgres"
)

// election is the runtime's view of the tracking-worker election: on a
// bbolt file the station is always the worker; on a shared store the
// stations elect one (postgres.DB.Elect) and the others stand by.
type election struct {
	mu    sync.Mutex
	state store.WorkerState
	known bool
	subs  []func(store.WorkerState)
	kick  chan struct{}
}

// WorkerState returns the election's state now, and whether it is known
// yet (a station on a shared store knows after its first try).
func (rt *wiring) WorkerState() (store.WorkerState, bool) {
	rt.election.mu.Lock()
	defer rt.election.mu.Unlock()
	return rt.election.state, rt.election.known
}

// OnWorkerChange calls fn with the election's state on every change (and
// at once with the current state when it is known). fn runs on the
// election's goroutine and must not block. The returned func stops it.
func (rt *wiring) OnWorkerChange(fn func(store.WorkerState)) (stop func()) {
	e := &rt.election
	e.mu.Lock()
	e.subs = append(e.subs, fn)
	i := len(e.subs) - 1
	st, known := e.state, e.known
	e.mu.Unlock()
	if known {
		fn(st)
	}
	return func() {
		e.mu.Lock()
		e.subs[i] = nil
		e.mu.Unlock()
	}
}

func (rt *wiring) setWorker(w store.WorkerState) {
	e := &rt.election
	e.mu.Lock()
	if e.known && e.state == w {
		e.mu.Unlock()
		return
	}
	e.state, e.known = w, true
	subs := append([]func(store.WorkerState){}, e.subs...)
	kick := e.kick
	e.mu.Unlock()
	for _, fn := range subs {
		if fn != nil {
			fn(w)
		}
	}
	if kick != nil {
		select {
		case kick <- struct{}{}:
		default:
		}
	}
}

// onlyActive answers 503 for h while this station is not the worker: the
// push receiver runs with the elected worker, and Kuaidi100 retries a push
// that was not taken.
func (rt *wiring) onlyActive(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if st, _ := rt.WorkerState(); !st.Active {
			http.Error(w, "standby: another station runs the tracking worker", http.StatusServiceUnavailable)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// runElected runs parts while this station is the elected worker, until
// ctx ends. On a bbolt file it runs them at once; on a shared store it
// starts them when the election is won and stops them (waiting until they
// have returned) as soon as it is lost, so two stations never run them at
// the same time on purpose. (Each poll and subscription is also claimed in
// the database before it is sent, so even an overlap cannot query a number
// twice.)
func (rt *wiring) runElected(ctx context.Context, parts func(context.Context) error) error {
	pg, shared := rt.DB.(*postgres.DB)
	if !shared {
		rt.setWorker(store.WorkerState{Active: true})
		return parts(ctx)
	}
	kick := make(chan struct{}, 1)
	rt.election.mu.Lock()
	rt.election.kick = kick
	rt.election.mu.Unlock()
	ectx, ecancel := context.WithCancel(ctx)
	defer ecancel()
	electDone := make(chan error, 1)
	go func() { electDone <- pg.Elect(ectx, postgres.ElectOptions{Retry: rt.opt.ElectRetry}, rt.setWorker) }()
	var stop context.CancelFunc
	var partsDone chan error
	halt := func() error {
		if stop == nil {
			return nil
		}
		stop()
		err := <-partsDone
		stop, partsDone = nil, nil
		return ignoreCanceled(err)
	}
	for {
		select {
		case <-ctx.Done():
			err := halt()
			ecancel()
			<-electDone
			return err
		case err := <-partsDone:
			// A part failed while active: report it (the station keeps the
			// election; the errgroup of Run stops the runtime).
			stop()
			stop, partsDone = nil, nil
			ecancel()
			<-electDone
			return ignoreCanceled(err)
		case <-kick:
			st, _ := rt.WorkerState()
			switch {
			case st.Active && stop == nil:
				pctx, cancel := context.WithCancel(ctx)
				stop = cancel
				done := make(chan error, 1)
				partsDone = done
				go func() { done <- parts(pctx) }()
				rt.logf("shipdesk: %s: this station runs the tracking worker", st)
			case !st.Active && stop != nil:
				if err := halt(); err != nil {
					rt.logf("shipdesk: tracking worker stopped: %v", err)
				}
				rt.logf("shipdesk: %s", st)
			}
		}
	}
}

// runWorkerParts runs the tracking worker, the relay client, the SMS
// sender and the completion of interrupted subscriptions until ctx ends.
func (rt *wiring) runWorkerParts(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return ignoreCanceled(rt.Worker.Run(ctx)) })
	if rt.Relay != nil {
		g.Go(func() error { return ignoreCanceled(rt.Relay.Run(ctx)) })
	}
	g.Go(func() error { return ignoreCanceled(rt.SMS.Run(ctx)) })
	g.Go(func() error { return rt.Service.NewHousekeeper(0).Run(ctx) })
	g.Go(func() error {
		if n, err := rt.Service.FinishSubscriptions(ctx, shipping.System); err != nil && ctx.Err() == nil {
			rt.logf("shipdesk: finish subscriptions: %v", err)
		} else if n > 0 {
			rt.logf("shipdesk: finished %d interrupted orders", n)
		}
		return nil
	})
	return g.Wait()
}

// DBHealth is whether a station on a shared store reaches its database.
// A station that does not keeps what it shows, refuses to ship (the store
// calls fail with the connection error) and recovers by itself.
type DBHealth struct {
	OK  bool
	Err string // why not, when !OK
}

// String is the line `shipdesk daemon` prints on every change.
func (h DBHealth) String() string {
	if h.OK {
		return "database: connected"
	}
	return "database: unreachable (" + h.Err + ")"
}

// dbWatch fans the shared store's change notices and health out to the
// screens and the daemon.
type dbWatch struct {
	mu      sync.Mutex
	health  DBHealth
	known   bool
	healthF []func(DBHealth)
	changeF []func(store.Change)
}

// OnDBHealth calls fn on every change of the shared store's health (and at
// once when it is known). A bbolt station never calls it.
func (rt *wiring) OnDBHealth(fn func(DBHealth)) {
	w := &rt.watch
	w.mu.Lock()
	w.healthF = append(w.healthF, fn)
	h, known := w.health, w.known
	w.mu.Unlock()
	if known {
		fn(h)
	}
}

// OnStoreChange calls fn for every record another station (or this one)
// changes on a shared store, within about a second of its commit; a
// Change of Kind "resync" after the database came back means "reload".
func (rt *wiring) OnStoreChange(fn func(store.Change)) {
	w := &rt.watch
	w.mu.Lock()
	w.changeF = append(w.changeF, fn)
	w.mu.Unlock()
}

// runWatch listens to the shared store until ctx ends (nothing to do on a
// bbolt file).
func (rt *wiring) runWatch(ctx context.Context) error {
	pg, shared := rt.DB.(*postgres.DB)
	if !shared {
		return nil
	}
	w := &rt.watch
	return pg.Listen(ctx, func(c store.Change) {
		w.mu.Lock()
		fs := append([]func(store.Change){}, w.changeF...)
		w.mu.Unlock()
		for _, f := range fs {
			f(c)
		}
	}, func(ok bool, err error) {
		h := DBHealth{OK: ok}
		if err != nil {
			h.Err = err.Error()
		}
		w.mu.Lock()
		w.health, w.known = h, true
		fs := append([]func(DBHealth){}, w.healthF...)
		w.mu.Unlock()
		if !ok {
			rt.logf("shipdesk: %s", h)
		}
		for _, f := range fs {
			f(h)
		}
	})
}

// OnShipmentChange calls fn with every shipment that changes: those this
// station's tracking worker changes and, on a shared store, those any
// station changes (read again when the notice arrives), so a dashboard or a
// search list on one PC follows what another PC printed or learned. fn
// runs on a background goroutine. The returned func stops the worker's
// part; notices stop with Run.
func (rt *wiring) OnShipmentChange(fn func(store.Shipment)) (cancel func()) {
	stop := rt.Worker.OnChange(fn)
	if _, shared := rt.DB.(*postgres.DB); shared {
		rt.OnStoreChange(func(c store.Change) {
			if c.Kind != "shipment" {
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if s, err := rt.DB.Shipment(ctx, c.Key); err == nil {
				fn(s)
			}
		})
	}
	return stop
}

// sharedState feeds the desktop app's status bar and banner (app.Deps
// Shared): the worker ("" = this PC) and why the database is unreachable
// ("" = reachable). Nil on a bbolt station.
func (rt *wiring) sharedState() func(fn func(worker, offline string)) (cancel func()) {
	if !rt.Store.Shared() {
		return nil
	}
	return func(fn func(worker, offline string)) func() {
		var mu sync.Mutex
		stopped := false
		worker, offline := "none", ""
		emit := func() {
			if !stopped {
				fn(worker, offline)
			}
		}
		stop := rt.OnWorkerChange(func(w store.WorkerState) {
			mu.Lock()
			defer mu.Unlock()
			worker = w.Holder
			if w.Active {
				worker = ""
			} else if worker == "" {
				worker = "none"
			}
			emit()
		})
		rt.OnDBHealth(func(h DBHealth) {
			mu.Lock()
			defer mu.Unlock()
			offline = h.Err
			if h.OK {
				offline = ""
			} else if offline == "" {
				offline = "unreachable"
			}
			emit()
		})
		return func() {
			mu.Lock()
			stopped = true
			mu.Unlock()
			stop()
		}
	}
}
