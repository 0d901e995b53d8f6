package tracking

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"shipdesk/kuaidi100"
	"shipdesk/store"
)

// waitAll advances the bubble's clock an hour at a time until every
// shipment is terminal or limit has passed.
func waitAll(ctx context.Context, e *env, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if done, n := e.allTerminal(ctx); done == n {
			return
		}
		time.Sleep(time.Hour)
	}
}

// checkFinished asserts the end state every scenario must reach: every
// shipment terminal, its trace stored, the notifier told of its final
// milestone exactly once, the exceptions its journey calls for raised, and
// not one of Kuaidi100's limits broken.
func checkFinished(ctx context.Context, t *testing.T, e *env) {
	t.Helper()
	if v := e.violations(); v != "" {
		t.Errorf("sandbox counted limit violations: %s", v)
	}
	exc, err := e.db.Exceptions(ctx, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	has := map[excKey]bool{}
	for _, x := range exc {
		has[excKey{x.Waybill, x.Kind}] = true
	}
	n := 0
	e.db.AllShipments(ctx, func(s store.Shipment) error {
		n++
		if !s.Milestone.Terminal() {
			t.Errorf("%s still %s after the run", s.Waybill, s.Milestone)
			return nil
		}
		evs, err := e.db.Events(ctx, s.Waybill)
		if err != nil || len(evs) < 3 {
			t.Errorf("%s: %d events stored (%v)", s.Waybill, len(evs), err)
		}
		if s.EventCount != len(evs) {
			t.Errorf("%s: EventCount %d, %d events stored", s.Waybill, s.EventCount, len(evs))
		}
		if !evs[0].Time.Equal(s.LastEventAt) {
			t.Errorf("%s: LastEventAt %v, newest stored event %v", s.Waybill, s.LastEventAt, evs[0].Time)
		}
		calls := e.notes.of(s.Waybill)
		if len(calls) == 0 || calls[len(calls)-1] != s.Milestone {
			t.Errorf("%s: notifier calls %v, final milestone %s", s.Waybill, calls, s.Milestone)
		}
		for i := 1; i < len(calls); i++ {
			if calls[i] == calls[i-1] {
				t.Errorf("%s: notified %s twice in a row: %v", s.Waybill, calls[i], calls)
			}
		}
		for m, kind := range map[store.Milestone]store.ExceptionKind{
			store.MilestoneProblem: store.ExcProblem, store.MilestoneRefused: store.ExcRefused, store.MilestoneReturned: store.ExcReturned,
		} {
			if slices.Contains(calls, m) && !has[excKey{s.Waybill, kind}] {
				t.Errorf("%s reached %s but no %s exception was raised", s.Waybill, m, kind)
			}
		}
		if s.NextPollAt.IsZero() == false {
			due, _ := e.db.ShipmentsDue(ctx, time.Now().Add(1000*time.Hour), 0)
			for _, d := range due {
				if d.Waybill == s.Waybill {
					t.Errorf("%s is terminal but still due for polling", s.Waybill)
				}
			}
		}
		return nil
	})
	if n == 0 {
		t.Fatal("no shipments")
	}
}

// TestEndToEnd ships parcels in the sandbox and lets the worker follow
// them to the end, once with pushes and once polling only. Half the
// shipments exist before the worker starts (made from the command line
// while no worker ran); the other half arrive while it runs.
func TestEndToEnd(t *testing.T) {
	for _, mode := range []struct{ name, url string }{{"push", testPushURL}, {"poll", ""}} {
		t.Run(mode.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := t.Context()
				e := newEnv(t, mode.url, nil)
				const n = 60
				for i := range n / 2 {
					e.ship(ctx, i)
				}
				w := e.worker(nil)
				stopSB := run(ctx, t, e.sb.Run)
				stopW := run(ctx, t, w.Run)
				// Listeners run on the worker's goroutines (push
				// receiver, poller, subscriber): count atomically.
				var changes atomic.Int64
				cancel := w.OnChange(func(store.Shipment) { changes.Add(1) })
				for i := n / 2; i < n; i++ {
					s := e.ship(ctx, i)
					if err := w.Subscribe(ctx, s.Waybill); err != nil {
						t.Errorf("subscribe: %v", err)
					}
					time.Sleep(7 * time.Minute)
				}
				waitAll(ctx, e, 10*24*time.Hour)
				stopW()
				stopSB()
				cancel()
				checkFinished(ctx, t, e)
				st := e.sb.Stats()
				if mode.url != "" {
					if st.Pushes["sent"] == 0 {
						t.Errorf("push mode but no push delivered: %v", st.Pushes)
					}
					if st.Requests["subscribe"] < n {
						t.Errorf("%d subscriptions for %d shipments", st.Requests["subscribe"], n)
					}
				} else if st.Requests["subscribe"] != 0 {
					t.Errorf("poll-only mode subscribed %d times", st.Requests["subscribe"])
				}
				if changes.Load() == 0 {
					t.Error("OnChange listener never called")
				}
				t.Logf("%s: %d queries, %d subscriptions, pushes %v", mode.name, st.Requests["query"], st.Requests["subscribe"], st.Pushes)
			})
		})
	}
}

// TestRestartMidway stops the worker in the middle of the journeys, ships
// more parcels while none runs, and starts a fresh worker (empty memory)
// on the same store: the schedule survives, the new parcels are picked up,
// no number is queried too soon after the restart.
func TestRestartMidway(t *testing.T) {
	for _, mode := range []struct{ name, url string }{{"push", testPushURL}, {"poll", ""}} {
		t.Run(mode.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := t.Context()
				e := newEnv(t, mode.url, nil)
				for i := range 30 {
					e.ship(ctx, i)
				}
				stopSB := run(ctx, t, e.sb.Run)
				stopW := run(ctx, t, e.worker(nil).Run)
				time.Sleep(17*time.Hour + 13*time.Minute)
				stopW()
				e.w.Store(nil) // pushes fail while no worker runs; the sandbox retries
				mid, _ := e.allTerminal(ctx)
				time.Sleep(20 * time.Minute)
				for i := 30; i < 40; i++ {
					e.ship(ctx, i) // from the command line: nobody subscribes them
				}
				stopW = run(ctx, t, e.worker(nil).Run)
				waitAll(ctx, e, 10*24*time.Hour)
				stopW()
				stopSB()
				checkFinished(ctx, t, e)
				if mid == 30 {
					t.Error("every parcel finished before the restart; the test proves nothing")
				}
			})
		})
	}
}

// TestServiceDownForAnHour cuts the network to Kuaidi100 for an hour: the
// worker backs off (a handful of probes, not a query per due parcel),
// keeps its schedule and catches up afterwards within the limits.
func TestServiceDownForAnHour(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		e := newEnv(t, "", nil)
		for i := range 40 {
			e.ship(ctx, i)
		}
		stopSB := run(ctx, t, e.sb.Run)
		stopW := run(ctx, t, e.worker(nil).Run)
		time.Sleep(10 * time.Hour)
		before := e.queries.Load()
		e.down.Store(true)
		time.Sleep(time.Hour)
		e.down.Store(false)
		during := e.queries.Load() - before
		waitAll(ctx, e, 10*24*time.Hour)
		stopW()
		stopSB()
		checkFinished(ctx, t, e)
		if during > 15 {
			t.Errorf("%d requests during a one-hour outage; want a few probes", during)
		}
		if during == 0 {
			t.Error("no request during the outage: the test did not exercise the back-off")
		}
		if !e.logs.Contains("unavailable") {
			t.Error("the outage was not logged")
		}
		t.Logf("%d requests during the outage", during)
	})
}

// TestRefreshObeysLimits: a person's "update now" is refused within 31
// minutes of the last query and for a finished parcel.
func TestRefreshObeysLimits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		e := newEnv(t, "", nil)
		s := e.ship(ctx, 1)
		w := e.worker(nil)
		time.Sleep(time.Hour)
		if err := w.Refresh(ctx, s.Waybill); err != nil {
			t.Fatalf("first refresh: %v", err)
		}
		if err := w.Refresh(ctx, s.Waybill); !errors.Is(err, ErrTooSoon) {
			t.Fatalf("second refresh at once: %v, want ErrTooSoon", err)
		}
		time.Sleep(29 * time.Minute)
		if err := w.Refresh(ctx, s.Waybill); !errors.Is(err, ErrTooSoon) {
			t.Fatalf("refresh after 29 min: %v, want ErrTooSoon", err)
		}
		time.Sleep(2 * time.Minute)
		if err := w.Refresh(ctx, s.Waybill); err != nil {
			t.Fatalf("refresh after 31 min: %v", err)
		}
		got, _ := e.db.Shipment(ctx, s.Waybill)
		if got.PollsToday != 2 || got.LastPollAt.IsZero() {
			t.Errorf("refresh not recorded: %+v", got)
		}
		for range 100 {
			time.Sleep(time.Hour)
			if err := w.Refresh(ctx, s.Waybill); errors.Is(err, ErrTerminal) {
				break
			}
		}
		got, _ = e.db.Shipment(ctx, s.Waybill)
		if !got.Milestone.Terminal() {
			t.Errorf("hourly refreshes never reached the end: %s", got.Milestone)
		}
		if v := e.violations(); v != "" {
			t.Errorf("violations: %s", v)
		}
	})
}

// TestAcceleratedClock: waits shrink by the speed factor.
func TestAcceleratedClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sim := time.Date(2026, 11, 26, 8, 0, 0, 0, cst)
		now, after := AcceleratedClock(func() time.Time { return sim }, 60)
		start := time.Now()
		<-after(time.Hour)
		if got := time.Since(start); got != time.Minute {
			t.Errorf("an hour at speed 60 took %v", got)
		}
		if !now().Equal(sim) {
			t.Errorf("now %v", now())
		}
	})
}

// TestResubscribeOnNewURL: a worker started with a new callback URL
// subscribes every active shipment again, within the monthly limit.
func TestResubscribeOnNewURL(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		e := newEnv(t, testPushURL, nil)
		w := e.worker(nil)
		a := subscribed(ctx, t, e, w, 1)
		b := subscribed(ctx, t, e, w, 2)
		// b has used its four subscriptions this month already.
		if _, err := e.db.UpdateShipment(ctx, b.Waybill, func(s *store.Shipment) error {
			s.Subscription.MonthCount = MaxSubscriptionsPerMonth
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		before := e.sb.Stats().Requests["subscribe"]
		const newURL = "http://relay.example.com/kd100/push"
		e.pushURL = newURL
		stop := run(ctx, t, e.worker(nil).Run)
		time.Sleep(time.Minute)
		stop()
		if got := e.sb.Stats().Requests["subscribe"] - before; got != 1 {
			t.Errorf("%d subscriptions on start, want 1 (b is over its monthly limit)", got)
		}
		ga, _ := e.db.Shipment(ctx, a.Waybill)
		if ga.Subscription.CallbackURL != newURL || ga.Subscription.MonthCount != 2 || ga.Subscription.State != store.SubActive {
			t.Errorf("a after restart: %+v", ga.Subscription)
		}
		gb, _ := e.db.Shipment(ctx, b.Waybill)
		if gb.Subscription.CallbackURL != testPushURL || gb.NextPollAt.IsZero() {
			t.Errorf("b after restart: %+v next %v", gb.Subscription, gb.NextPollAt)
		}
	})
}

// TestAbortThenResubscribe: an abort push stops the subscription; the
// worker subscribes again half an hour later and polls meanwhile.
func TestAbortThenResubscribe(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		e := newEnv(t, testPushURL, nil)
		w := e.worker(nil)
		s := subscribed(ctx, t, e, w, 1)
		stop := run(ctx, t, w.Run)
		time.Sleep(2 * time.Hour)
		abort := pushForm(s.Waybill, "abort", nil, s.Subscription.Salt)
		if code, ok := post(w.Handler(), abort); code != http.StatusOK || !ok {
			t.Fatalf("abort push: %d %v", code, ok)
		}
		got, _ := e.db.Shipment(ctx, s.Waybill)
		if got.Subscription.State != store.SubAborted {
			t.Fatalf("after abort: %s", got.Subscription.State)
		}
		before := e.sb.Stats().Requests["subscribe"]
		time.Sleep(10 * time.Minute)
		stop() // a restart must not forget the half-hour wait
		stop = run(ctx, t, e.worker(nil).Run)
		time.Sleep(10 * time.Minute)
		if n := e.sb.Stats().Requests["subscribe"] - before; n != 0 {
			t.Errorf("re-subscribed %d times within 20 minutes of the abort", n)
		}
		time.Sleep(15 * time.Minute)
		stop()
		got, _ = e.db.Shipment(ctx, s.Waybill)
		if n := e.sb.Stats().Requests["subscribe"] - before; n != 1 || got.Subscription.State != store.SubActive || got.Subscription.MonthCount != 2 {
			t.Errorf("35 min after the abort: %d subscriptions, %+v", n, got.Subscription)
		}
	})
}

// failingTracker answers one number with a return code Kuaidi100 does not
// document and counts its queries.
type failingTracker struct {
	Tracker
	num   string
	mu    sync.Mutex
	times []time.Time
}

func (f *failingTracker) Query(ctx context.Context, r kuaidi100.QueryRequest) (*kuaidi100.Track, error) {
	if r.Num == f.num {
		f.mu.Lock()
		f.times = append(f.times, time.Now())
		f.mu.Unlock()
		return kuaidi100.DecodeQueryResponse([]byte(`{"result":false,"returnCode":"599","message":"该单号暂停服务"}`))
	}
	return f.Tracker.Query(ctx, r)
}

// TestUndocumentedFailureTellsAPerson: an answer no documented code
// explains is "unknown": retried later with growing waits, never read for
// its words, and raised for a person once it persists.
func TestUndocumentedFailureTellsAPerson(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		e := newEnv(t, "", nil)
		s := e.ship(ctx, 1)
		e.ship(ctx, 2)
		ft := &failingTracker{Tracker: e.client, num: s.Waybill}
		stop := run(ctx, t, e.worker(func(c *Config) { c.Client = ft }).Run)
		time.Sleep(30 * time.Hour)
		stop()
		ft.mu.Lock()
		defer ft.mu.Unlock()
		if len(ft.times) < PersistentFailures {
			t.Fatalf("failing number queried %d times in 30 h", len(ft.times))
		}
		for i := 2; i < len(ft.times); i++ {
			if ft.times[i].Sub(ft.times[i-1]) < ft.times[i-1].Sub(ft.times[i-2]) && ft.times[i].Sub(ft.times[i-1]) < 30*time.Minute {
				t.Errorf("retries do not back off: %v", ft.times)
			}
		}
		exc, err := e.db.Exceptions(ctx, true, 0)
		if err != nil {
			t.Fatal(err)
		}
		var found bool
		for _, x := range exc {
			if x.Waybill == s.Waybill && x.Kind == store.ExcSubscription && strings.Contains(x.Detail, "连续") {
				found = true
			}
		}
		if !found {
			t.Errorf("persistent failure not raised: %+v", exc)
		}
		if v := e.violations(); v != "" {
			t.Errorf("limits broken: %s", v)
		}
	})
}

// TestConcurrentRefreshKeepsLimits: clerks pressing "update now" on every
// parcel from several goroutines while the Run loop polls them never make
// the sandbox see a number queried too soon or too often, nor the global
// rate broken.
func TestConcurrentRefreshKeepsLimits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		e := newEnv(t, "", nil)
		var wbs []string
		for i := range 8 {
			wbs = append(wbs, e.ship(ctx, i).Waybill)
		}
		w := e.worker(nil)
		stop := run(ctx, t, w.Run)
		var wg sync.WaitGroup
		for c := range 4 {
			wg.Go(func() {
				// All clerks press on the same parcel at the same instant.
				for i := range 600 {
					w.Refresh(ctx, wbs[i%len(wbs)])
					time.Sleep(time.Minute + time.Duration(c)*time.Millisecond)
				}
			})
		}
		wg.Wait()
		stop()
		if v := e.violations(); v != "" {
			t.Errorf("violations: %s", v)
		}
		if q := e.sb.Stats().Requests["query"]; q < 100 {
			t.Errorf("only %d queries: the test did not press hard", q)
		}
	})
}
