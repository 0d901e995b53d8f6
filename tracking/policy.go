package tracking

import (
	"math"
	"strings"
	"time"

	"shipdesk/store"
)

// China Standard Time: Kuaidi100's times and the calendar day of the
// per-number query count use it.
var cst = time.FixedZone("CST", 8*3600)

// Policy is the pure poll-scheduling rule: given what is stored about a
// shipment and the time now, when is the next query worth its cost. It does
// no I/O and keeps no state, so the worker and the simulation benchmark use
// the very same rule. A zero Policy is not usable; start from
// DefaultPolicy.
//
// The rule spends queries where news is likely. Rate gives the density of
// the next trace event at a moment, from a model of how long each stage
// takes after its newest event (DefaultRate: nothing can follow a pickup
// within the first hour, a delivery follows "out for delivery" within
// hours, a long line-haul leg takes 5 to 20 hours, a problem about a day),
// conditioned on no event having come by the last poll. The next poll is
// the earliest of
//
//	the first t with ∫ sqrt(Rate(u)) du (hours, from the last poll) >= Theta
//	the moment Rate has been at least LiveRate for LiveCap since the last poll
//	MaxInterval after the last poll
//
// The square root is the classic answer to "minimise the mean delay of
// events for a fixed number of polls": poll density proportional to
// sqrt(density). LiveCap bounds the delay (and so the 95th percentile)
// wherever an event is possible, while dead time right after an event
// costs nothing. Hints.Stretch scales Theta and LiveCap when the station
// has more parcels than the global query rate serves at that pace.
//
// Kuaidi100's limits are enforced here, not left to luck: never sooner
// than MinInterval after the previous query (31 minutes, so that any 24
// hours hold at most 47 queries of one number, fewer than the 48 that lock
// it) and at most DailyCap queries per China calendar day. Terminal
// shipments are never polled.
type Policy struct {
	// MinInterval is the least time between two queries of one number.
	// Kuaidi100 locks a number queried more often than every 30 minutes or
	// 48 times in 24 hours; 31 minutes keeps both with a margin.
	MinInterval time.Duration
	// MaxInterval is the longest a non-terminal shipment goes unpolled when
	// no push subscription covers it.
	MaxInterval time.Duration
	// DailyCap is the most queries of one number per China calendar day.
	DailyCap int
	// SafetyNet: with an active push subscription the worker polls a
	// parcel only once it is overdue: nothing heard for the longest gap
	// its stage model allows after its newest event (OverdueAfter) plus
	// PushLag, the longest a push may follow an event. After such a poll
	// the next waits at least SafetyNet.
	SafetyNet time.Duration
	// PushLag is the longest time from an event to its push: Kuaidi100
	// checks a subscribed number about every 4 hours (up to ~5 h apart).
	PushLag time.Duration
	// WindowQueries (0-3) are real-time queries of a pushed parcel in its
	// likely delivery window: once it has reached its delivery outlet
	// (到达派件城市), at 08:30, 09:45 and 11:00 of its delivery morning, so
	// that the 派件 SMS reaches the patient before the parcel more often
	// than a push (up to ~5 hours late) allows. 0 means none.
	WindowQueries int
	// Theta is the poll threshold of the integral above; smaller spends
	// more queries for smaller delays.
	Theta float64
	// LiveCap bounds the delay where news is possible: a poll is due once
	// the rate has been at least LiveRate for LiveCap since the last poll,
	// whatever the integral says. Zero disables it.
	LiveCap  time.Duration
	LiveRate float64
	// PerParcelHour is the queries one polled parcel needs per hour at the
	// normal pace (measured by the simulation in sim_test.go), and
	// Utilisation the share of the global rate polls may plan to use;
	// Stretch uses both.
	PerParcelHour float64
	Utilisation   float64
	// Step is the integration step.
	Step time.Duration
	// Rate is the event-rate model; nil means DefaultRate.
	// It is called with the moment of the last poll (from: no new event by
	// then) and the moment t the rate is wanted for.
	Rate func(s *store.Shipment, h Hints, from, t time.Time) float64
}

// DefaultPolicy returns the policy the worker uses unless told otherwise.
func DefaultPolicy() Policy {
	return Policy{
		MinInterval:   31 * time.Minute,
		MaxInterval:   12 * time.Hour,
		DailyCap:      40,
		SafetyNet:     8 * time.Hour,
		PushLag:       5 * time.Hour,
		Theta:         1.2,
		LiveCap:       105 * time.Minute,
		LiveRate:      0.03,
		PerParcelHour: 0.45,
		Utilisation:   0.95,
		Step:          10 * time.Minute,
		Rate:          DefaultRate,
	}
}

// Stretch returns the Hints.Stretch that keeps polled parcels (those
// without an active push subscription) within qps queries per second:
// 1 while they fit, proportionally more beyond.
func (p Policy) Stretch(polled int, qps float64) float64 {
	if qps <= 0 || p.PerParcelHour <= 0 || p.Utilisation <= 0 {
		return 1
	}
	return max(1, float64(polled)*p.PerParcelHour/(qps*3600*p.Utilisation))
}

// Stage is the part of a parcel's journey the rate model distinguishes.
type Stage uint8

// The stages.
const (
	StageAwaitingPickup Stage = iota // no trace, or 已下单/待揽收
	StagePickedUp                    // 揽收: leaves the outlet within hours
	StageLineHaul                    // 在途/干线: long legs between sorting centres
	StageDestCity                    // 到达派件城市: out for delivery the next morning
	StageOutForDelivery              // 派件: delivered within hours, in the day
	StageLocker                      // 投柜或驿站: waits for the recipient
	StageProblem                     // 疑难: someone must call; slow
	StageReturning                   // 退回: a slow journey back
	StageCustoms                     // 清关
	StageTerminal                    // nothing more will happen
)

// StageOf classifies a shipment by its milestone and raw state code.
func StageOf(s *store.Shipment) Stage {
	switch s.Milestone {
	case store.MilestoneUnknown, store.MilestoneOrdered:
		return StageAwaitingPickup
	case store.MilestonePickedUp:
		return StagePickedUp
	case store.MilestoneInTransit:
		if s.RawState == "1001" {
			return StageDestCity
		}
		return StageLineHaul
	case store.MilestoneOutForDelivery:
		if s.RawState == "501" {
			return StageLocker
		}
		return StageOutForDelivery
	case store.MilestoneProblem:
		return StageProblem
	case store.MilestoneReturning:
		return StageReturning
	case store.MilestoneCustoms:
		return StageCustoms
	}
	return StageTerminal
}

// gap is one component of a stage's gap model: with weight W the next
// trace event follows the last one after a delay uniform in [Lo, Hi] hours.
type gap struct{ W, Lo, Hi float64 }

// gapModels say how long, after the newest event of each stage, the next
// event takes. They follow how domestic express parcels move (and how the
// sandbox imitates them, kuaidi100/sandbox/journey.go): the courier
// collects in the afternoon round of the print day or the next, the
// outlet sends the parcel on within a few hours, a line-haul "1002" event
// is either a short hop (leaving an outlet, arriving at or leaving a hub)
// or a leg between sorting centres of 4 to 60 hours by distance, a parcel
// that reached its delivery outlet (early in the morning) goes out in the
// morning or early-afternoon wave and is then delivered within hours (or
// waits in a locker for its recipient, overnight at worst), and a problem
// takes about a day to resolve.
var gapModels = [...][]gap{
	StageAwaitingPickup: {{0.7, 0, 10}, {0.3, 14, 27}},
	StagePickedUp:       {{1, 1, 3}},
	StageLineHaul:       {{0.45, 1, 4}, {0.3, 0.5, 2.5}, {0.25, 3, 60}},
	StageDestCity:       {{1, 0, 11}},
	StageOutForDelivery: {{0.6, 0.5, 3}, {0.25, 0.5, 2}, {0.15, 1, 4}},
	StageLocker:         {{0.75, 1, 6}, {0.25, 6, 24}},
	StageProblem:        {{0.4, 3, 8}, {0.6, 14, 26}},
	StageReturning:      {{0.4, 1, 4}, {0.4, 6, 20}, {0.2, 3, 10}},
	StageCustoms:        {{1, 6, 48}},
	StageTerminal:       nil,
}

// Line-haul gaps once the newest event is known to be an arrival (the
// parcel is sent on within hours, or reaches its delivery outlet) or a
// departure (a short trip from an outlet to its hub, or a long leg between
// sorting centres).
var (
	arrivedGaps  = []gap{{0.6, 0.5, 2.5}, {0.4, 1, 4}}
	departedGaps = []gap{{0.4, 1, 3}, {0.6, 3, 60}}
)

// Bounds of the hazard: a floor so that a parcel off the model is still
// polled now and then, a ceiling at the end of a window, and the rate once
// a parcel is overdue against its model.
const (
	hazardFloor   = 0.01
	hazardCeiling = 4.0
	hazardOverdue = 0.3
)

// DefaultRate is the event-rate model behind DefaultPolicy: the hazard
// (expected new events per hour) of the shipment's stage gap model at the
// time elapsed since its newest event (or since printing, before the first
// event). It is zero-ish right after an event when the next one cannot
// come yet, rises through the window where it is due, and settles at a
// moderate rate once the parcel is overdue.
func DefaultRate(s *store.Shipment, h Hints, from, t time.Time) float64 {
	st := StageOf(s)
	if st == StageTerminal {
		return 0
	}
	model := gapModels[st]
	if st == StageLineHaul {
		switch h.Leg {
		case LegArrived:
			model = arrivedGaps
		case LegDeparted:
			model = departedGaps
		}
	}
	ref := s.LastEventAt
	if ref.IsZero() {
		ref = latest(s.PrintedAt, s.CreatedAt)
	}
	e := t.Sub(ref).Hours()
	if ref.IsZero() || e < 0 {
		e = 0
	}
	e0 := from.Sub(ref).Hours()
	if ref.IsZero() || e0 < 0 {
		e0 = 0
	}
	if lastMile(st) && quietHour(t) {
		return 0 // couriers and recipients sleep: nothing to learn
	}
	return density(model, e0, e)
}

func shiftTime(t time.Time, d time.Duration) time.Time {
	if t.IsZero() {
		return t
	}
	return t.Add(d)
}

// RateAnyHour is DefaultRate without the last mile's night rest, for the
// demo's compressed journeys, whose hours of the day are not real ones.
func RateAnyHour(s *store.Shipment, h Hints, from, t time.Time) float64 {
	if lastMile(StageOf(s)) && quietHour(t) {
		// Ask the model about the same elapsed time at noon instead.
		l := t.In(cst)
		noon := time.Date(l.Year(), l.Month(), l.Day(), 12, 0, 0, 0, cst)
		shift := noon.Sub(t)
		c := *s
		c.LastEventAt, c.PrintedAt, c.CreatedAt = shiftTime(s.LastEventAt, shift), shiftTime(s.PrintedAt, shift), shiftTime(s.CreatedAt, shift)
		return DefaultRate(&c, h, from.Add(shift), noon)
	}
	return DefaultRate(s, h, from, t)
}

// lastMile reports whether the next event of a stage happens at the last
// mile (a courier or a recipient), which rests between 22:00 and 06:00.
func lastMile(st Stage) bool {
	switch st {
	case StageDestCity, StageOutForDelivery, StageLocker, StageProblem:
		return true
	}
	return false
}

func quietHour(t time.Time) bool {
	h := t.In(cst).Hour()
	return h >= 22 || h < 6
}

// OverdueAfter is the longest gap the rate model allows after the newest
// event of s: past it, the next event is late.
func OverdueAfter(s *store.Shipment, h Hints) time.Duration {
	st := StageOf(s)
	if st == StageTerminal {
		return 0
	}
	model := gapModels[st]
	if st == StageLineHaul && h.Leg == LegArrived {
		model = arrivedGaps
	} else if st == StageLineHaul {
		model = departedGaps
	}
	return time.Duration(maxHi(model) * float64(time.Hour))
}

// windowSlots are the delivery-window query times (minutes after
// midnight, China time) of Policy.WindowQueries.
var windowSlots = []int{8*60 + 30, 9*60 + 45, 11 * 60}

// windowNext returns the next delivery-window query of s after after, or
// the zero time: s must be at its delivery outlet (1001, no 派件 yet); the
// slots lie on the day of the outlet scan, or the next day when the scan
// came after the last slot.
func (p Policy) windowNext(s *store.Shipment, after time.Time) time.Time {
	n := min(p.WindowQueries, len(windowSlots))
	if n <= 0 || StageOf(s) != StageDestCity || s.LastEventAt.IsZero() {
		return time.Time{}
	}
	l := s.LastEventAt.In(cst)
	day := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, cst)
	if l.Hour()*60+l.Minute() >= windowSlots[n-1] {
		day = day.AddDate(0, 0, 1)
	}
	for _, m := range windowSlots[:n] {
		if at := day.Add(time.Duration(m) * time.Minute); at.After(after) {
			return at
		}
	}
	return time.Time{}
}

// density returns f(e)/S(e0) of a mixture of uniform gaps, bounded: the
// density of the next event at e hours after the newest one, given that
// none had come e0 hours after it (at the last poll).
func density(model []gap, e0, e float64) float64 {
	var f, surv float64
	for _, g := range model {
		w := g.Hi - g.Lo
		if e >= g.Lo && e < g.Hi {
			f += g.W / w
		}
		switch {
		case e0 < g.Lo:
			surv += g.W
		case e0 < g.Hi:
			surv += g.W * (g.Hi - e0) / w
		}
	}
	if surv <= 1e-9 || (f == 0 && e >= maxHi(model)) {
		return hazardOverdue
	}
	return min(max(f/surv, hazardFloor), hazardCeiling)
}

func maxHi(model []gap) float64 {
	m := 0.0
	for _, g := range model {
		m = max(m, g.Hi)
	}
	return m
}

// Hints are what the worker knows of a shipment beyond its stored record.
type Hints struct {
	// PushActive: a push subscription with the worker's current callback
	// URL covers the shipment, so polling is only a safety net.
	PushActive bool
	// Leg says whether the newest event was an arrival or a departure
	// (LegUnknown after a restart: the model then mixes both).
	Leg Leg
	// Stretch (>= 1) spreads polls out when the station has more parcels
	// than the global query rate can serve at the normal pace: Theta and
	// LiveCap are multiplied by it. 0 means 1. See Policy.Stretch.
	Stretch float64
}

// Leg tells an arrival from a departure among line-haul events, which
// share one state code but not the time to the next event.
type Leg uint8

// The legs.
const (
	LegUnknown  Leg = iota
	LegArrived      // 到达: the parcel leaves again (or goes out) within hours
	LegDeparted     // 发出/发往/离开: the next event is the arrival after the trip
)

// LegOf classifies a trace line by its text.
func LegOf(context string) Leg {
	switch {
	case strings.Contains(context, "到达"), strings.Contains(context, "到件"):
		return LegArrived
	case strings.Contains(context, "发出"), strings.Contains(context, "发往"), strings.Contains(context, "离开"):
		return LegDeparted
	}
	return LegUnknown
}

// Next returns when s should next be queried. The zero time means never
// (terminal). The result may lie before now: the shipment is due.
func (p Policy) Next(s *store.Shipment, h Hints, now time.Time) time.Time {
	if s.Milestone.Terminal() {
		return time.Time{}
	}
	last := s.LastPollAt
	var next time.Time
	if h.PushActive {
		// Trust the pushes; poll only when the parcel is overdue: nothing
		// heard for the longest gap of its stage plus the longest push lag,
		// and then not again within SafetyNet.
		ref := latest(s.LastEventAt, s.Subscription.SubscribedAt, s.PrintedAt, s.CreatedAt)
		next = ref.Add(OverdueAfter(s, h) + p.PushLag)
		if !last.IsZero() {
			next = latest(next, last.Add(p.SafetyNet))
		}
		if w := p.windowNext(s, latest(last, s.LastEventAt)); !w.IsZero() && w.Before(next) {
			next = w
		}
	} else {
		start := last
		if start.IsZero() {
			start = latest(s.PrintedAt, s.CreatedAt)
		}
		if start.IsZero() {
			start = now
		}
		next = p.integrate(s, h, start)
	}
	return p.clamp(s, next)
}

// integrate walks forward from start until the sqrt-rate integral reaches
// Theta or MaxInterval has passed.
func (p Policy) integrate(s *store.Shipment, h Hints, start time.Time) time.Time {
	theta, liveCap := p.Theta, p.LiveCap
	if h.Stretch > 1 {
		theta *= h.Stretch
		liveCap = time.Duration(float64(liveCap) * h.Stretch)
	}
	rate := p.Rate
	if rate == nil {
		rate = DefaultRate
	}
	step := p.Step
	if step <= 0 {
		step = 10 * time.Minute
	}
	end := start.Add(p.MaxInterval)
	acc := 0.0
	var live time.Duration
	hours := step.Hours()
	for t := start; t.Before(end); t = t.Add(step) {
		r := rate(s, h, start, t.Add(step/2))
		if liveCap > 0 && r >= p.LiveRate {
			if live += step; live >= liveCap {
				return t.Add(step)
			}
		}
		if r <= 0 {
			continue
		}
		inc := math.Sqrt(r) * hours
		if acc+inc >= theta {
			// Interpolate inside the step.
			frac := (theta - acc) / inc
			return t.Add(time.Duration(frac * float64(step)))
		}
		acc += inc
	}
	return end
}

// clamp applies the per-number limits to a wanted poll time.
func (p Policy) clamp(s *store.Shipment, next time.Time) time.Time {
	if !s.LastPollAt.IsZero() {
		if min := s.LastPollAt.Add(p.MinInterval); next.Before(min) {
			next = min
		}
	}
	if p.DailyCap > 0 && s.PollDay == dayOf(next) && s.PollsToday >= p.DailyCap {
		next = startOfNextDay(next)
	}
	return next
}

// Allowed reports whether a query of s at now keeps Kuaidi100's limits:
// not terminal, MinInterval since the last query and under the daily cap.
func (p Policy) Allowed(s *store.Shipment, now time.Time) bool {
	if s.Milestone.Terminal() {
		return false
	}
	if !s.LastPollAt.IsZero() && now.Sub(s.LastPollAt) < p.MinInterval {
		return false
	}
	if p.DailyCap > 0 && s.PollDay == dayOf(now) && s.PollsToday >= p.DailyCap {
		return false
	}
	return true
}

// countPoll records a query of s at now in its per-number counters.
func countPoll(s *store.Shipment, now time.Time) {
	d := dayOf(now)
	if s.PollDay != d {
		s.PollDay, s.PollsToday = d, 0
	}
	s.PollsToday++
	s.LastPollAt = now
}

// dayOf returns the China calendar day of t, "2026-11-26".
func dayOf(t time.Time) string { return t.In(cst).Format("2006-01-02") }

// monthOf returns the China calendar month of t, "2026-11".
func monthOf(t time.Time) string { return t.In(cst).Format("2006-01") }

func startOfNextDay(t time.Time) time.Time {
	l := t.In(cst)
	return time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, cst)
}

func latest(ts ...time.Time) time.Time {
	var m time.Time
	for _, t := range ts {
		if t.After(m) {
			m = t
		}
	}
	return m
}
