package tracking

import (
	"container/heap"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"shipdesk/kuaidi100"
	"shipdesk/kuaidi100/sandbox"
	"shipdesk/store"
)

// This file is an in-process simulation of many parcels moving through
// their journeys while a scheduler polls them, on a simulated clock. The
// timelines are the sandbox's own (sandbox.Timing.PlanJourney, with the
// outcome shares of sandbox.DefaultOptions), so the figures carry over to
// the end-to-end tests. The state the app keeps is a
// real store.Shipment updated by the worker's own merge and countPoll, and
// the smart scheduler is the worker's Policy.

// simEvent is one planned trace line.
type simEvent struct {
	at   time.Time
	code string
	text string
}

// simTimeline plans a parcel created at t exactly as the sandbox does
// (its Timing model, from the clinic in Tianjin to any of its cities,
// with its outcome shares).
func simTimeline(rng *rand.Rand, t time.Time) []simEvent {
	cities := sandbox.Cities()
	plan := sandbox.DefaultTiming().PlanJourney(rng, t, "zhongtong", "天津", cities[rng.IntN(len(cities))], sandbox.PickOutcome(rng, sandbox.DefaultOptions()))
	evs := make([]simEvent, len(plan))
	for i, e := range plan {
		evs[i] = simEvent{e.At, e.Code, e.Context}
	}
	return evs
}

// scheduler returns the next poll time of s (zero: never).
type scheduler func(s *store.Shipment, h Hints, now time.Time) time.Time

func smartScheduler(p Policy) scheduler {
	return func(s *store.Shipment, h Hints, now time.Time) time.Time { return p.Next(s, h, now) }
}

// naiveScheduler polls every parcel every interval until the app knows it
// is finished.
func naiveScheduler(every time.Duration) scheduler {
	return func(s *store.Shipment, _ Hints, now time.Time) time.Time {
		if s.Milestone.Terminal() {
			return time.Time{}
		}
		if s.LastPollAt.IsZero() {
			return s.CreatedAt.Add(every)
		}
		return s.LastPollAt.Add(every)
	}
}

type simConfig struct {
	seed      uint64
	active    int           // target steady-state number of active parcels
	duration  time.Duration // simulated span
	qps       float64       // global query rate
	scheduler scheduler
	policy    *Policy // the smart scheduler's policy, for its stretch
	byCode    bool    // collect delays per state code
}

type simResult struct {
	parcels, finished    int
	queries              int
	queriesFinished      int // spent on parcels the app saw finish
	delays               []float64
	byCode               map[string][]float64
	violations           int // per-number interval, per-number 24 h, global rate
	peakActive, endQueue int
}

func (r simResult) perFinished() float64 {
	if r.finished == 0 {
		return 0
	}
	return float64(r.queriesFinished) / float64(r.finished)
}

func (r simResult) delayQuantile(q float64) float64 {
	if len(r.delays) == 0 {
		return 0
	}
	d := slices.Clone(r.delays)
	slices.Sort(d)
	return d[min(int(q*float64(len(d))), len(d)-1)]
}

type simParcel struct {
	s       store.Shipment
	plan    []simEvent
	seen    int // events the app knows
	hints   Hints
	queries int
	history []time.Time // query times within the last 24 h
}

type pollItem struct {
	at time.Time
	p  *simParcel
}

type pollHeap []pollItem

func (h pollHeap) Len() int           { return len(h) }
func (h pollHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h pollHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *pollHeap) Push(x any)        { *h = append(*h, x.(pollItem)) }
func (h *pollHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}

// meanLifetime estimates the mean hours from creation to the final event.
func meanLifetime(seed uint64) float64 {
	rng := rand.New(rand.NewPCG(seed, 99))
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, cst)
	var sum float64
	const n = 20000
	for range n {
		evs := simTimeline(rng, t0)
		sum += evs[len(evs)-1].at.Sub(t0).Hours()
	}
	return sum / n
}

// simulate runs cfg: parcels arrive at the rate that keeps cfg.active
// parcels on their way, each is polled when the scheduler says (queued
// behind the global rate), and every query is checked against Kuaidi100's
// limits by a counter independent of the scheduler.
func simulate(cfg simConfig) simResult {
	rng := rand.New(rand.NewPCG(cfg.seed, 1))
	start := time.Date(2026, 11, 1, 9, 0, 0, 0, cst)
	end := start.Add(cfg.duration)
	perHour := float64(cfg.active) / meanLifetime(cfg.seed)
	gapQPS := time.Duration(float64(time.Second) / cfg.qps)

	var res simResult
	if cfg.byCode {
		res.byCode = map[string][]float64{}
	}
	var parcels []*simParcel
	h := &pollHeap{}
	// Arrivals: a Poisson process over the span.
	for t := start; ; {
		t = t.Add(time.Duration(rng.ExpFloat64() / perHour * float64(time.Hour)))
		if !t.Before(end) {
			break
		}
		p := &simParcel{plan: simTimeline(rng, t)}
		p.s = store.Shipment{Waybill: "S", Carrier: "zhongtong", CreatedAt: t, PrintedAt: t, Milestone: store.MilestoneOrdered}
		parcels = append(parcels, p)
		if at := cfg.scheduler(&p.s, p.hints, t); !at.IsZero() {
			heap.Push(h, pollItem{latest(at, t), p})
		}
	}
	res.parcels = len(parcels)

	var free, lastQuery time.Time // the global bucket
	// The worker recomputes the stretch from the number of active parcels
	// every 10 minutes (its rules walk); so does the simulation.
	created := 0 // parcels created by the time of the current query
	var stretchAt time.Time
	stretch := 1.0
	for h.Len() > 0 {
		it := heap.Pop(h).(pollItem)
		t := it.at
		if t.Before(free) {
			t = free
		}
		if !t.Before(stretchAt) && cfg.policy != nil {
			for created < len(parcels) && !parcels[created].s.CreatedAt.After(t) {
				created++
			}
			stretch = cfg.policy.Stretch(created-res.finished, cfg.qps)
			stretchAt = t.Add(10 * time.Minute)
		}
		if !t.Before(end) {
			res.endQueue++
			continue
		}
		free = t.Add(gapQPS)
		p := it.p
		// Independent limit checks.
		if !lastQuery.IsZero() && t.Sub(lastQuery) < gapQPS {
			res.violations++
		}
		lastQuery = t
		if n := len(p.history); n > 0 && t.Sub(p.history[n-1]) < 30*time.Minute {
			res.violations++
		}
		kept := p.history[:0]
		for _, q := range p.history {
			if t.Sub(q) < 24*time.Hour {
				kept = append(kept, q)
			}
		}
		p.history = append(kept, t)
		if len(p.history) >= 48 {
			res.violations++
		}
		res.queries++
		p.queries++

		// The query: every planned event up to t, newest first.
		n := 0
		for n < len(p.plan) && !p.plan[n].at.After(t) {
			n++
		}
		prev := p.seen
		for i := p.seen; i < n; i++ {
			if p.plan[i].code != "101" { // the app made the waybill itself
				d := t.Sub(p.plan[i].at).Hours()
				res.delays = append(res.delays, d)
				if res.byCode != nil {
					res.byCode[p.plan[i].code] = append(res.byCode[p.plan[i].code], d)
				}
			}
		}
		p.seen = max(p.seen, n)
		// The newest event the app knew and the new ones are enough for
		// merge: the older ones it has already folded in.
		tr := &kuaidi100.Track{}
		for i := n - 1; i >= max(prev-1, 0); i-- {
			c := p.plan[i].code
			tr.Events = append(tr.Events, kuaidi100.Event{Time: p.plan[i].at, Context: p.plan[i].text, State: c, Milestone: kuaidi100.MilestoneOf(c)})
		}
		if n > 0 {
			tr.State = p.plan[n-1].code
			tr.Milestone = kuaidi100.MilestoneOf(tr.State)
		}
		if trc := traceOf(tr); merge(&p.s, trc) {
			p.hints.Leg = newestLeg(trc)
		}
		countPoll(&p.s, t)
		if p.s.Milestone.Terminal() {
			res.finished++
			res.queriesFinished += p.queries
			continue
		}
		p.hints.Stretch = stretch
		if at := cfg.scheduler(&p.s, p.hints, t); !at.IsZero() {
			heap.Push(h, pollItem{at, p})
		}
	}
	// Peak of parcels on their way (by the plan): a sweep over starts and ends.
	type edge struct {
		at time.Time
		d  int
	}
	edges := make([]edge, 0, 2*len(parcels))
	for _, p := range parcels {
		edges = append(edges, edge{p.s.CreatedAt, 1}, edge{p.plan[len(p.plan)-1].at, -1})
	}
	slices.SortFunc(edges, func(a, b edge) int { return a.at.Compare(b.at) })
	a := 0
	for _, e := range edges {
		a += e.d
		res.peakActive = max(res.peakActive, a)
	}
	return res
}

// TestSimulatedSchedulerBeatsNaive runs small simulations on the
// sandbox's day-and-night journeys: the policy must keep every limit and
// need fewer queries per finished parcel than polling every 2 hours, and
// learn the events a patient hears of (派件, 签收) about as soon: median
// within a quarter hour of the naive poller's. It spends its queries where
// news is likely, so it learns the line-haul scans in the middle of a
// long leg later (its delay over all events is higher, and logged). Both
// at a load where the global rate binds (300 parcels on 0.03 queries/s)
// and at light load (300 parcels on 1 query/s).
func TestSimulatedSchedulerBeatsNaive(t *testing.T) {
	for _, qps := range []float64{0.03, 1} {
		cfg := simConfig{seed: 7, active: 300, duration: 8 * 24 * time.Hour, qps: qps, byCode: true}
		pol := DefaultPolicy()
		cfg.scheduler, cfg.policy = smartScheduler(pol), &pol
		smart := simulate(cfg)
		cfg.scheduler, cfg.policy = naiveScheduler(2*time.Hour), nil
		naive := simulate(cfg)
		lastMile := func(r simResult) (float64, float64) {
			var d5, ds []float64
			for code, v := range r.byCode {
				switch code {
				case "5":
					d5 = append(d5, v...)
				case "301", "302", "303", "304":
					ds = append(ds, v...)
				}
			}
			return quantile(d5, 0.5), quantile(ds, 0.5)
		}
		s5, ss := lastMile(smart)
		n5, ns := lastMile(naive)
		t.Logf("%.2f q/s smart: %d parcels, %d finished, %.1f queries/finished, delay median %.2f h p95 %.2f h (派件 %.2f h, 签收 %.2f h), violations %d",
			qps, smart.parcels, smart.finished, smart.perFinished(), smart.delayQuantile(0.5), smart.delayQuantile(0.95), s5, ss, smart.violations)
		t.Logf("%.2f q/s naive: %d parcels, %d finished, %.1f queries/finished, delay median %.2f h p95 %.2f h (派件 %.2f h, 签收 %.2f h), violations %d",
			qps, naive.parcels, naive.finished, naive.perFinished(), naive.delayQuantile(0.5), naive.delayQuantile(0.95), n5, ns, naive.violations)
		if smart.violations != 0 {
			t.Errorf("%.2f q/s: smart scheduler broke a limit %d times", qps, smart.violations)
		}
		if smart.finished < smart.parcels/2 {
			t.Errorf("%.2f q/s: only %d of %d parcels finished", qps, smart.finished, smart.parcels)
		}
		if smart.perFinished() >= naive.perFinished() {
			t.Errorf("%.2f q/s: smart used %.1f queries per parcel, naive %.1f", qps, smart.perFinished(), naive.perFinished())
		}
		if s5 > n5+0.25 || ss > ns+0.25 {
			t.Errorf("%.2f q/s: smart learns 派件 after %.2f h and 签收 after %.2f h (median), naive after %.2f h and %.2f h", qps, s5, ss, n5, ns)
		}
	}
}

// BenchmarkScheduler simulates 10,000 active parcels over 10 days at the
// default global rate (1 query/s) with the worker's policy and with a
// naive every-2-hours poller, and reports for both the queries per
// finished parcel, the median and 95th-percentile delay in hours between
// an event and the app knowing it, and the limit violations.
func BenchmarkScheduler(b *testing.B) {
	for b.Loop() {
		cfg := simConfig{seed: 1, active: 10000, duration: 10 * 24 * time.Hour, qps: 1}
		pol := DefaultPolicy()
		cfg.scheduler, cfg.policy = smartScheduler(pol), &pol
		smart := simulate(cfg)
		cfg.scheduler, cfg.policy = naiveScheduler(2*time.Hour), nil
		naive := simulate(cfg)
		b.ReportMetric(smart.perFinished(), "smart-queries/delivered")
		b.ReportMetric(smart.delayQuantile(0.5), "smart-delay-p50-h")
		b.ReportMetric(smart.delayQuantile(0.95), "smart-delay-p95-h")
		b.ReportMetric(float64(smart.violations), "smart-violations")
		b.ReportMetric(naive.perFinished(), "naive-queries/delivered")
		b.ReportMetric(naive.delayQuantile(0.5), "naive-delay-p50-h")
		b.ReportMetric(naive.delayQuantile(0.95), "naive-delay-p95-h")
		b.ReportMetric(float64(naive.violations), "naive-violations")
		b.ReportMetric(float64(smart.peakActive), "peak-active")
		b.Logf("smart: %d parcels, %d finished, %d queries, %d pending at the end; naive: %d finished, %d queries, %d pending",
			smart.parcels, smart.finished, smart.queries, smart.endQueue, naive.finished, naive.queries, naive.endQueue)
	}
}
