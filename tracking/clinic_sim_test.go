package tracking

import (
	"container/heap"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"shipdesk/kuaidi100"
	"shipdesk/kuaidi100/sandbox"
	"shipdesk/store"
)

// This file simulates one clinic in every tracking mode on the same
// parcels: 300 new parcels a working day (printed Monday to Saturday
// while the desk PC is on, 08:00-19:00 China time), journeys planned by
// the sandbox's own timing model (sandbox.Timing.PlanJourney), the
// service's checks and pushes as the sandbox makes them (a check about
// every 4 hours, a push on change carrying the whole trace, a failed push
// retried 3 times 35 minutes apart and then dropped, the subscription
// ended when its final push is dropped), and the station's worker deciding
// its queries with its own Policy, querying only while the PC is on. Every
// query is checked against Kuaidi100's limits by counters independent of
// the policy.

// clinicMode is how the station learns of events.
type clinicMode int

const (
	modeRelay  clinicMode = iota // pushes through the always-on relay
	modeDirect                   // pushes straight to the desk PC (lost while it is off)
	modePoll                     // no push: the worker's policy
	modeNaive                    // no push: every 2 hours
)

func (m clinicMode) String() string {
	return [...]string{"relay", "direct push", "polling (policy)", "polling (naive 2 h)"}[m]
}

type clinicConfig struct {
	seed    uint64
	days    int // days on which parcels are printed (from a Monday)
	drain   int // further days simulated with no new parcels
	perDay  int
	mode    clinicMode
	window  int // delivery-window queries per parcel (push modes), 0-3
	qps     float64
	policy  Policy
	timing  sandbox.Timing
	options sandbox.Options
}

type clinicEvent struct {
	at    time.Time
	code  string
	text  string
	known time.Time // when the desk learned it; zero: never
	// drop: the first push carrying the event was dropped (direct mode).
	dropped bool
}

type clinicJob struct {
	n        int // events the push carries
	due      time.Time
	attempts int
	final    bool
}

type clinicParcel struct {
	s       store.Shipment
	evs     []clinicEvent
	printed time.Time
	outcome sandbox.Outcome

	// the service's side
	subActive bool
	nextCheck time.Time
	pushed    int
	job       *clinicJob

	// the station's side
	seen    int
	leg     Leg
	queries int
	history []time.Time
	ver     int
	done    bool // the station saw it finish
}

type clinicPoll struct {
	at  time.Time
	ver int
	p   *clinicParcel
}

type clinicHeap []clinicPoll

func (h clinicHeap) Len() int           { return len(h) }
func (h clinicHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h clinicHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *clinicHeap) Push(x any)        { *h = append(*h, x.(clinicPoll)) }
func (h *clinicHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}

// deskOn reports whether the desk PC is on: Monday to Saturday,
// 08:00-19:00 China time.
func deskOn(t time.Time) bool {
	l := t.In(cst)
	if l.Weekday() == time.Sunday {
		return false
	}
	h := l.Hour()
	return h >= 8 && h < 19
}

// workingHours is the part of [a, b] during which the desk was on.
func workingHours(a, b time.Time) float64 {
	if !b.After(a) {
		return 0
	}
	total := 0.0
	l := a.In(cst)
	day := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, cst)
	for ; day.Before(b); day = day.AddDate(0, 0, 1) {
		if day.Weekday() == time.Sunday {
			continue
		}
		lo, hi := day.Add(8*time.Hour), day.Add(19*time.Hour)
		if a.After(lo) {
			lo = a
		}
		if b.Before(hi) {
			hi = b
		}
		if hi.After(lo) {
			total += hi.Sub(lo).Hours()
		}
	}
	return total
}

func arrivalCode(c string) bool {
	switch c {
	case "501", "301", "302", "303", "304":
		return true
	}
	return false
}

func signCode(c string) bool {
	switch c {
	case "301", "302", "303", "304":
		return true
	}
	return false
}

type clinicResult struct {
	mode                  clinicMode
	window                int
	parcels, delivered    int
	finished, unfinished  int // of all parcels, the station saw finish / did not by the end
	queries               int
	queriesDelivered      int
	pushesSent, pushesIn  int // pushes the service delivered; pushes the station applied
	pushesDropped         int
	events, eventsDropped int // events; of them, whose first push was dropped
	eventsUnknown         int
	delays                []float64 // working hours, every event
	delays5, delaysSign   []float64
	smsFirst, smsOf       int // 派件 SMS before the parcel reached the patient, of parcels with 派件
	violations            int
}

func quantile(v []float64, q float64) float64 {
	if len(v) == 0 {
		return 0
	}
	d := slices.Clone(v)
	slices.Sort(d)
	return d[min(int(q*float64(len(d))), len(d)-1)]
}

func (r clinicResult) perDelivered() float64 {
	return float64(r.queriesDelivered) / float64(max(r.delivered, 1))
}

func (r clinicResult) smsShare() float64 { return float64(r.smsFirst) / float64(max(r.smsOf, 1)) }

// simulateClinic runs cfg and measures it.
func simulateClinic(cfg clinicConfig) clinicResult {
	rng := rand.New(rand.NewPCG(cfg.seed, 15))
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, cst) // a Monday
	end := start.AddDate(0, 0, cfg.days+cfg.drain)
	cities := sandbox.Cities()
	var parcels []*clinicParcel
	for d := range cfg.days {
		day := start.AddDate(0, 0, d)
		if day.Weekday() == time.Sunday {
			continue
		}
		for i := 0; i < cfg.perDay; i++ {
			printed := day.Add(time.Duration((8 + rng.Float64()*11) * float64(time.Hour)))
			out := sandbox.PickOutcome(rng, cfg.options)
			plan := cfg.timing.PlanJourney(rng, printed, "zhongtong", "天津", cities[rng.IntN(len(cities))], out)
			p := &clinicParcel{printed: printed, outcome: out}
			for _, e := range plan {
				p.evs = append(p.evs, clinicEvent{at: e.At, code: e.Code, text: e.Context})
			}
			p.s = store.Shipment{Waybill: fmt.Sprint("C", len(parcels)), Carrier: "zhongtong", CreatedAt: printed, PrintedAt: printed, Milestone: store.MilestoneOrdered}
			if cfg.mode == modeRelay || cfg.mode == modeDirect {
				p.subActive = true
				p.nextCheck = printed.Add(15 * time.Minute)
				p.s.Subscription = store.Subscription{State: store.SubActive, SubscribedAt: printed, CallbackURL: "cb"}
			}
			// The ordered event is the app's own: known at once.
			p.evs[0].known = printed
			p.seen = 1
			parcels = append(parcels, p)
		}
	}
	slices.SortFunc(parcels, func(a, b *clinicParcel) int { return a.printed.Compare(b.printed) })

	res := clinicResult{mode: cfg.mode, window: cfg.window, parcels: len(parcels)}
	h := &clinicHeap{}
	gap := time.Duration(float64(time.Second) / cfg.qps)
	var lastQuery time.Time
	checkRng := rand.New(rand.NewPCG(cfg.seed, 4))

	visible := func(p *clinicParcel, t time.Time) int {
		n := 0
		for n < len(p.evs) && !p.evs[n].at.After(t) {
			n++
		}
		return n
	}
	schedule := func(p *clinicParcel, now time.Time) {
		p.ver++
		if p.done {
			return
		}
		var at time.Time
		hints := Hints{Leg: p.leg}
		switch cfg.mode {
		case modeNaive:
			at = latest(p.s.LastPollAt, p.printed).Add(2 * time.Hour)
		default:
			hints.PushActive = (cfg.mode == modeRelay || cfg.mode == modeDirect) && p.s.Subscription.State == store.SubActive
			at = cfg.policy.Next(&p.s, hints, now)
		}
		if at.IsZero() {
			return
		}
		at = cfg.policy.clamp(&p.s, at)
		heap.Push(h, clinicPoll{at: latest(at, now), ver: p.ver, p: p})
	}
	learn := func(p *clinicParcel, n int, t time.Time, push, final bool) {
		tr := &kuaidi100.Track{}
		for i := n - 1; i >= 0; i-- {
			e := p.evs[i]
			tr.Events = append(tr.Events, kuaidi100.Event{Time: e.at, Context: e.text, State: e.code, Milestone: kuaidi100.MilestoneOf(e.code)})
		}
		if n > 0 {
			tr.State = p.evs[n-1].code
			tr.Milestone = kuaidi100.MilestoneOf(tr.State)
		}
		for i := p.seen; i < n; i++ {
			p.evs[i].known = t
		}
		p.seen = max(p.seen, n)
		if trc := traceOf(tr); merge(&p.s, trc) {
			p.leg = newestLeg(trc)
		}
		if push {
			p.s.Subscription.LastPushAt = t
			if final {
				p.s.Subscription.State = store.SubShutdown
			}
		}
		if p.s.Milestone.Terminal() && !p.done {
			p.done = true
			res.finished++
		}
		schedule(p, t)
	}
	for _, p := range parcels {
		schedule(p, p.printed)
	}

	var relayQueue []struct {
		p     *clinicParcel
		n     int
		final bool
	}
	next := 0 // parcels printed so far
	var active []*clinicParcel
	for t := start; t.Before(end); t = t.Add(time.Minute) {
		for next < len(parcels) && !parcels[next].printed.After(t) {
			active = append(active, parcels[next])
			next++
		}
		on := deskOn(t)
		// The service's checks and push deliveries.
		if cfg.mode == modeRelay || cfg.mode == modeDirect {
			keep := active[:0]
			for _, p := range active {
				if p.job != nil && !t.Before(p.job.due) {
					j := p.job
					ok := cfg.mode == modeRelay || on
					switch {
					case ok:
						res.pushesSent++
						p.pushed = max(p.pushed, j.n)
						p.job = nil
						if j.final {
							p.subActive = false
						}
						if cfg.mode == modeRelay {
							relayQueue = append(relayQueue, struct {
								p     *clinicParcel
								n     int
								final bool
							}{p, j.n, j.final})
						} else {
							res.pushesIn++
							learn(p, j.n, t, true, j.final)
						}
					case j.attempts >= sandbox.PushRetries:
						res.pushesDropped++
						for i := p.pushed; i < j.n; i++ {
							if p.evs[i].known.IsZero() {
								p.evs[i].dropped = true
							}
						}
						p.job = nil
						if j.final {
							p.subActive = false
						}
					default:
						j.attempts++
						j.due = t.Add(sandbox.PushRetryDelay)
					}
				}
				if p.subActive && p.job == nil && !t.Before(p.nextCheck) {
					p.nextCheck = t.Add(time.Duration((0.75 + 0.5*checkRng.Float64()) * float64(4*time.Hour)))
					if n := visible(p, t); n > p.pushed {
						p.job = &clinicJob{n: n, due: t, final: milestoneOf(p.evs[n-1].code).Terminal()}
					}
				}
				if p.subActive || p.job != nil || !p.done {
					keep = append(keep, p)
				}
			}
			active = keep
		}
		if !on {
			continue
		}
		// The station is on: it takes what the relay kept, then polls.
		for _, it := range relayQueue {
			res.pushesIn++
			learn(it.p, it.n, t, true, it.final)
		}
		relayQueue = relayQueue[:0]
		q := t
		for h.Len() > 0 && !(*h)[0].at.After(t) && q.Before(t.Add(time.Minute)) {
			it := heap.Pop(h).(clinicPoll)
			p := it.p
			if it.ver != p.ver || p.done {
				continue
			}
			if !cfg.policy.Allowed(&p.s, q) {
				schedule(p, q)
				continue
			}
			// Independent limit checks.
			if !lastQuery.IsZero() && q.Sub(lastQuery) < gap {
				res.violations++
			}
			lastQuery = q
			if n := len(p.history); n > 0 && q.Sub(p.history[n-1]) < 30*time.Minute {
				res.violations++
			}
			kept := p.history[:0]
			for _, x := range p.history {
				if q.Sub(x) < 24*time.Hour {
					kept = append(kept, x)
				}
			}
			p.history = append(kept, q)
			if len(p.history) >= 48 {
				res.violations++
			}
			res.queries++
			p.queries++
			countPoll(&p.s, q)
			learn(p, visible(p, q), q, false, false)
			q = q.Add(gap)
		}
	}

	for _, p := range parcels {
		if !p.done {
			res.unfinished++
		}
		last := p.evs[len(p.evs)-1]
		delivered := signCode(last.code)
		if delivered && p.done {
			res.delivered++
			res.queriesDelivered += p.queries
		}
		var arrival time.Time
		var sms time.Time
		first5 := true
		for i, e := range p.evs[1:] {
			_ = i
			res.events++
			if e.dropped {
				res.eventsDropped++
			}
			if e.known.IsZero() {
				res.eventsUnknown++
				continue
			}
			d := workingHours(e.at, e.known)
			res.delays = append(res.delays, d)
			if e.code == "5" && first5 {
				first5 = false
				res.delays5 = append(res.delays5, d)
				sms = e.known
			}
			if signCode(e.code) {
				res.delaysSign = append(res.delaysSign, d)
			}
			if arrival.IsZero() && arrivalCode(e.code) {
				arrival = e.at
			}
		}
		if delivered && !arrival.IsZero() {
			res.smsOf++
			if !sms.IsZero() && sms.Before(arrival) {
				res.smsFirst++
			}
		}
	}
	return res
}

func clinicConfigFor(mode clinicMode, window int) clinicConfig {
	pol := DefaultPolicy()
	pol.WindowQueries = window
	return clinicConfig{seed: 15, days: 14, drain: 10, perDay: 300, mode: mode, window: window, qps: 1,
		policy: pol, timing: sandbox.DefaultTiming(), options: sandbox.DefaultOptions()}
}

func (r clinicResult) report() string {
	var b strings.Builder
	name := r.mode.String()
	if r.window > 0 {
		name += fmt.Sprintf(" + %d window queries", r.window)
	}
	fmt.Fprintf(&b, "%-32s parcels %d, delivered %d, unfinished %d; queries %d (%.2f per delivered parcel); violations %d\n",
		name, r.parcels, r.delivered, r.unfinished, r.queries, r.perDelivered(), r.violations)
	fmt.Fprintf(&b, "%-32s delay (working hours) all events median %.2f p95 %.2f; 派件 median %.2f p95 %.2f; 签收 median %.2f p95 %.2f; events never learned %d of %d\n",
		"", quantile(r.delays, .5), quantile(r.delays, .95), quantile(r.delays5, .5), quantile(r.delays5, .95), quantile(r.delaysSign, .5), quantile(r.delaysSign, .95), r.eventsUnknown, r.events)
	fmt.Fprintf(&b, "%-32s pushes delivered %d, applied %d, dropped %d; events whose push was dropped %d (%.1f %%); 派件 SMS before the parcel reached the patient %.1f %% (%d of %d)\n",
		"", r.pushesSent, r.pushesIn, r.pushesDropped, r.eventsDropped, 100*float64(r.eventsDropped)/float64(max(r.events, 1)), 100*r.smsShare(), r.smsFirst, r.smsOf)
	return b.String()
}

// runClinic runs every mode on the same parcels (the same seed plans the
// same journeys in each run).
func runClinic() []clinicResult {
	var out []clinicResult
	for _, c := range []struct {
		m clinicMode
		w int
	}{{modeRelay, 0}, {modeRelay, 3}, {modeDirect, 0}, {modePoll, 0}, {modeNaive, 0}} {
		out = append(out, simulateClinic(clinicConfigFor(c.m, c.w)))
	}
	return out
}

// BenchmarkClinic is the benchmark: a clinic's load (300 new
// parcels a working day, desk PC on 08:00-19:00 Monday to Saturday) over
// 14 simulated days (and 10 more to let the last parcels finish), every
// mode on the same simulated parcels in one run.
func BenchmarkClinic(b *testing.B) {
	for b.Loop() {
		rs := runClinic()
		for _, r := range rs {
			fmt.Print(r.report())
			key := strings.NewReplacer(" ", "-", "(", "", ")", "", "+", "").Replace(r.mode.String())
			if r.window > 0 {
				key += fmt.Sprintf("-window%d", r.window)
			}
			b.ReportMetric(r.perDelivered(), key+"-queries/delivered")
			b.ReportMetric(quantile(r.delays, .5), key+"-delay-p50-wh")
			b.ReportMetric(quantile(r.delays, .95), key+"-delay-p95-wh")
			b.ReportMetric(100*r.smsShare(), key+"-sms-first-%")
			b.ReportMetric(float64(r.violations), key+"-violations")
		}
	}
}

// TestClinicModes runs the clinic simulation at a smaller load (100
// parcels a working day for 7 days) and checks what the benchmark's
// figures claim: no limit violation in any mode; through the relay no
// push is lost and every event is learned; pushed straight to the desk,
// pushes are dropped while the PC is off, and polling recovers every
// event; the policy polls less than the naive poller; and delivery-window
// queries make the 派件 SMS reach the patient first markedly more often.
func TestClinicModes(t *testing.T) {
	get := map[string]clinicResult{}
	for _, c := range []struct {
		m clinicMode
		w int
	}{{modeRelay, 0}, {modeRelay, 3}, {modeDirect, 0}, {modePoll, 0}, {modeNaive, 0}} {
		cfg := clinicConfigFor(c.m, c.w)
		cfg.days, cfg.drain, cfg.perDay = 7, 10, 100
		r := simulateClinic(cfg)
		t.Log("\n" + r.report())
		get[fmt.Sprint(c.m, c.w)] = r
		if r.violations != 0 {
			t.Errorf("%s: %d limit violations", c.m, r.violations)
		}
		if r.unfinished != 0 {
			t.Errorf("%s: %d parcels never seen to finish", c.m, r.unfinished)
		}
	}
	relay, window, direct := get[fmt.Sprint(modeRelay, 0)], get[fmt.Sprint(modeRelay, 3)], get[fmt.Sprint(modeDirect, 0)]
	poll, naive := get[fmt.Sprint(modePoll, 0)], get[fmt.Sprint(modeNaive, 0)]
	if relay.pushesDropped != 0 || relay.pushesIn != relay.pushesSent || relay.eventsUnknown != 0 {
		t.Errorf("relay: %d pushes dropped, %d of %d applied, %d events never learned", relay.pushesDropped, relay.pushesIn, relay.pushesSent, relay.eventsUnknown)
	}
	if relay.perDelivered() > 1 {
		t.Errorf("relay: %.2f safety-net queries per delivered parcel", relay.perDelivered())
	}
	if direct.eventsDropped == 0 || direct.eventsUnknown != 0 || direct.queries <= relay.queries {
		t.Errorf("direct: %d events' pushes dropped, %d never learned, %d queries (relay %d)", direct.eventsDropped, direct.eventsUnknown, direct.queries, relay.queries)
	}
	if poll.perDelivered() >= naive.perDelivered() {
		t.Errorf("polling: the policy used %.2f queries per delivered parcel, the naive poller %.2f", poll.perDelivered(), naive.perDelivered())
	}
	if window.smsShare() < relay.smsShare()+0.1 {
		t.Errorf("window queries: 派件 SMS first %.3f, without %.3f", window.smsShare(), relay.smsShare())
	}
}
