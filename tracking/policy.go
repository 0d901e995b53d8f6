package tracking

import (
	"math"
	"time"

	"shipdesk/store"
)

// China Standard Time: Kuaidi100's times, the carriers' working day and
// the calendar day of the per-number query count all use it.
var cst = time.FixedZone("CST", 8*3600)

// Policy is the pure poll-scheduling rule: given what is stored about a
// shipment and the time now, when is the next query worth its cost. It does
// no I/O and keeps no state, so the worker and the simulation benchmark use
// the very same rule. A zero Policy is not usable; start from
// DefaultPolicy.
//
// The rule spends queries where news is likely. Rate returns the expected
// number of new trace events per hour for the shipment's stage at a given
// moment (a pickup is likely in the late afternoon, a delivery in the day
// once the parcel is out for delivery, a line-haul leg takes many hours).
// The next poll is the first moment t after the last poll at which
//
//	∫ sqrt(Rate(u)) du  (hours)  >=  Theta
//
// The square root is the classic answer to "minimise the mean delay of
// Poisson events for a fixed number of polls": poll density proportional to
// sqrt(rate). With a constant rate r the interval is Theta/sqrt(r) hours.
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
	// SafetyNet: with an active push subscription the worker still polls
	// when nothing (no push, no poll) was heard for this long.
	SafetyNet time.Duration
	// Theta is the poll threshold of the integral above; smaller spends
	// more queries for smaller delays.
	Theta float64
	// Step is the integration step.
	Step time.Duration
	// Rate is the event-rate model; nil means DefaultRate.
	Rate func(s *store.Shipment, t time.Time) float64
}

// DefaultPolicy returns the policy the worker uses unless told otherwise.
func DefaultPolicy() Policy {
	return Policy{
		MinInterval: 31 * time.Minute,
		MaxInterval: 12 * time.Hour,
		DailyCap:    40,
		SafetyNet:   8 * time.Hour,
		Theta:       0.75,
		Step:        10 * time.Minute,
		Rate:        DefaultRate,
	}
}

// hourOf returns the China time of day of t in hours (0 <= h < 24).
func hourOf(t time.Time) float64 {
	t = t.In(cst)
	return float64(t.Hour()) + float64(t.Minute())/60 + float64(t.Second())/3600
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

// DefaultRate is the event-rate model (expected new trace events per hour)
// behind DefaultPolicy, by stage and China time of day. The figures follow
// how domestic express parcels move: couriers collect in the late afternoon,
// sorting centres work through the night, delivery runs from morning to
// evening, parcels reach the destination city in the night and go out for
// delivery the next morning.
func DefaultRate(s *store.Shipment, t time.Time) float64 {
	h := hourOf(t)
	day := func(from, to, in, out float64) float64 {
		if h >= from && h < to {
			return in
		}
		return out
	}
	switch StageOf(s) {
	case StageAwaitingPickup:
		switch {
		case h >= 15 && h < 20:
			return 0.45
		case h >= 9 && h < 15:
			return 0.12
		}
		return 0.02
	case StagePickedUp:
		return 0.5
	case StageLineHaul:
		return 0.16
	case StageDestCity:
		switch {
		case h >= 6.5 && h < 10.5:
			return 0.7
		case h >= 10.5 && h < 19:
			return 0.15
		}
		return 0.03
	case StageOutForDelivery:
		return day(8, 20.5, 0.45, 0.02)
	case StageLocker:
		return day(8, 22, 0.12, 0.01)
	case StageProblem:
		return day(8, 20, 0.08, 0.01)
	case StageReturning, StageCustoms:
		return 0.03
	}
	return 0
}

// Next returns when s should next be queried. pushActive says a push
// subscription with the worker's current callback URL covers s, in which
// case polling is only a safety net. The zero time means never (terminal).
// The result may lie before now: the shipment is due.
func (p Policy) Next(s *store.Shipment, pushActive bool, now time.Time) time.Time {
	if s.Milestone.Terminal() {
		return time.Time{}
	}
	last := s.LastPollAt
	var next time.Time
	if pushActive {
		// Trust the pushes; poll only when nothing was heard for SafetyNet.
		heard := latest(s.Subscription.LastPushAt, s.Subscription.SubscribedAt, last)
		if heard.IsZero() {
			heard = latest(s.PrintedAt, s.CreatedAt)
		}
		next = heard.Add(p.SafetyNet)
	} else {
		start := last
		if start.IsZero() {
			start = latest(s.PrintedAt, s.CreatedAt)
		}
		if start.IsZero() {
			start = now
		}
		next = p.integrate(s, start)
	}
	return p.clamp(s, next)
}

// integrate walks forward from start until the sqrt-rate integral reaches
// Theta or MaxInterval has passed.
func (p Policy) integrate(s *store.Shipment, start time.Time) time.Time {
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
	hours := step.Hours()
	for t := start; t.Before(end); t = t.Add(step) {
		r := rate(s, t.Add(step/2))
		if r <= 0 {
			continue
		}
		inc := math.Sqrt(r) * hours
		if acc+inc >= p.Theta {
			// Interpolate inside the step.
			frac := (p.Theta - acc) / inc
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
