package sandbox

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"shipdesk/kuaidi100"
)

// Timing is the sandbox's model of when things happen to a domestic
// express parcel, on the clinic's wall clock (China Standard Time, UTC+8;
// the whole country keeps it). Hours of the day are in CST. Every default
// says where it comes from; most are our assumption of how domestic
// express networks work (no public figures were found), and say so.
type Timing struct {
	// PickupFrom-PickupTo is the courier's afternoon collection round at
	// the clinic; a parcel printed after PickupCutoff goes in the next
	// day's round. Assumption: 15:00-18:00, cutoff 17:00.
	PickupFrom, PickupTo, PickupCutoff float64
	// LeaveBranch is the hours from pickup to leaving the outlet, and
	// OriginHub the hours from there to the origin sorting centre (so the
	// parcel reaches it in the evening). Assumption: 1-3 h each.
	LeaveBranch, OriginHub [2]float64
	// HubDwell is the hours a sorting centre keeps a parcel before it
	// leaves again; hubs scan at any hour. Assumption: 0.5-2.5 h.
	HubDwell [2]float64
	// RoadFactor turns great-circle distance into road distance, and
	// TruckKmh plus TruckLoad (hours of loading and unloading) give the
	// line-haul time: hours = LoadHours + km*RoadFactor/TruckKmh, times a
	// uniform factor in LegSpread. Assumption: 1.25, 65 km/h, 2 h, ±20 %.
	RoadFactor, TruckKmh, LoadHours float64
	LegSpread                       [2]float64
	// TransitKm: a road leg longer than this passes a transit hub on the
	// way when one lies within 15 % detour. Assumption: 1000 km.
	TransitKm float64
	// OutletFrom-OutletTo is when the destination hub's night sort reaches
	// the delivery outlet (到达派件城市), at least OutletAfterHub hours after
	// the parcel reached the hub. Assumption: 04:30-07:30, 2 h.
	OutletFrom, OutletTo, OutletAfterHub float64
	// Waves are the delivery rounds (派件): Weight is each wave's share of
	// the parcels that can still make it. Assumption: a morning wave
	// 07:00-10:30 and a smaller early-afternoon wave 13:00-15:30.
	Waves []Wave
	// Handover is the hours from 派件 to 签收 at the door, Locker the hours
	// to 驿站/快递柜 (with a pickup code), and LockerShare the share of
	// parcels left there. Pickup is the hours from the code to the
	// recipient taking the parcel. Assumption: 0.5-3 h, 0.5-2 h, 1/3, 1-6 h.
	Handover, Locker [2]float64
	LockerShare      float64
	Pickup           [2]float64
	// QuietFrom-QuietTo: no last-mile event (派件, 签收, 驿站, a recipient's
	// pickup, a failed delivery) happens then; one that would is moved to
	// the next morning. Assumption: 22:00-06:00 (the issue's "almost
	// nothing at the last mile").
	QuietFrom, QuietTo float64
}

// Wave is one delivery round.
type Wave struct {
	From, To, Weight float64
}

// DefaultTiming returns the model the sandbox uses unless told otherwise.
func DefaultTiming() Timing {
	return Timing{
		PickupFrom: 15, PickupTo: 18, PickupCutoff: 17,
		LeaveBranch: [2]float64{1, 3}, OriginHub: [2]float64{1, 3},
		HubDwell:   [2]float64{0.5, 2.5},
		RoadFactor: 1.25, TruckKmh: 65, LoadHours: 2, LegSpread: [2]float64{0.8, 1.2},
		TransitKm:  1000,
		OutletFrom: 4.5, OutletTo: 7.5, OutletAfterHub: 2,
		Waves:       []Wave{{7, 10.5, 0.75}, {13, 15.5, 0.25}},
		Handover:    [2]float64{0.5, 3},
		Locker:      [2]float64{0.5, 2},
		LockerShare: 1.0 / 3,
		Pickup:      [2]float64{1, 6},
		QuietFrom:   22, QuietTo: 6,
	}
}

// clockAt returns the time on t's CST day at hour h (fractional).
func clockAt(t time.Time, h float64) time.Time {
	l := t.In(cst)
	d := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, cst)
	return d.Add(time.Duration(h * float64(time.Hour)))
}

func hourOf(t time.Time) float64 {
	l := t.In(cst)
	return float64(l.Hour()) + float64(l.Minute())/60 + float64(l.Second())/3600
}

func uniform(rng *rand.Rand, r [2]float64) time.Duration {
	return time.Duration((r[0] + rng.Float64()*(r[1]-r[0])) * float64(time.Hour))
}

// inWindow returns a time uniform in [from, to) hours of the first day on
// which that window ends after not; the time is not before not.
func inWindow(rng *rand.Rand, not time.Time, from, to float64) time.Time {
	for d := 0; ; d++ {
		day := not.AddDate(0, 0, d)
		lo, hi := clockAt(day, from), clockAt(day, to)
		if !hi.After(not) {
			continue
		}
		if lo.Before(not) {
			lo = not
		}
		return lo.Add(time.Duration(rng.Float64() * float64(hi.Sub(lo))))
	}
}

// quiet reports whether t falls in the last-mile quiet hours.
func (tm Timing) quiet(t time.Time) bool {
	h := hourOf(t)
	if tm.QuietFrom > tm.QuietTo {
		return h >= tm.QuietFrom || h < tm.QuietTo
	}
	return h >= tm.QuietFrom && h < tm.QuietTo
}

// awake moves a last-mile event out of the quiet hours: to the next
// morning's first 2 hours after QuietTo (plus one hour: people and outlets
// start a little after the vans).
func (tm Timing) awake(rng *rand.Rand, t time.Time) time.Time {
	if !tm.quiet(t) {
		return t
	}
	return inWindow(rng, t, tm.QuietTo+1, tm.QuietTo+3)
}

// wave picks the delivery round for a parcel at its outlet at t.
func (tm Timing) wave(rng *rand.Rand, t time.Time) time.Time {
	for d := 0; ; d++ {
		day := t.AddDate(0, 0, d)
		var open []Wave
		total := 0.0
		for _, w := range tm.Waves {
			if clockAt(day, w.To).After(t) {
				open = append(open, w)
				total += w.Weight
			}
		}
		if len(open) == 0 {
			continue
		}
		x := rng.Float64() * total
		for _, w := range open {
			if x -= w.Weight; x <= 0 || w == open[len(open)-1] {
				lo := clockAt(day, w.From)
				if lo.Before(t) {
					lo = t
				}
				return lo.Add(time.Duration(rng.Float64() * float64(clockAt(day, w.To).Sub(lo))))
			}
		}
	}
}

// distanceKm is the great-circle distance between two cities.
func distanceKm(a, b city) float64 {
	const r = 6371.0
	la1, la2 := a.Lat*math.Pi/180, b.Lat*math.Pi/180
	dla, dlo := la2-la1, (b.Lon-a.Lon)*math.Pi/180
	h := math.Sin(dla/2)*math.Sin(dla/2) + math.Cos(la1)*math.Cos(la2)*math.Sin(dlo/2)*math.Sin(dlo/2)
	return 2 * r * math.Asin(math.Sqrt(h))
}

// legHours is the line-haul time of a road leg between two cities.
func (tm Timing) legHours(rng *rand.Rand, a, b city) time.Duration {
	km := distanceKm(a, b) * tm.RoadFactor
	h := (tm.LoadHours + km/tm.TruckKmh) * (tm.LegSpread[0] + rng.Float64()*(tm.LegSpread[1]-tm.LegSpread[0]))
	return time.Duration(h * float64(time.Hour))
}

// transit returns a hub city on the way from a to b, or false.
func (tm Timing) transit(a, b city) (city, bool) {
	direct := distanceKm(a, b)
	if direct*tm.RoadFactor <= tm.TransitKm {
		return city{}, false
	}
	best, bestD := city{}, math.Inf(1)
	for _, c := range cities {
		if c.Short == a.Short || c.Short == b.Short {
			continue
		}
		if d := distanceKm(a, c) + distanceKm(c, b); d < bestD && distanceKm(a, c) > 200 && distanceKm(c, b) > 200 {
			best, bestD = c, d
		}
	}
	if bestD > direct*1.15 {
		return city{}, false
	}
	return best, true
}

// planned is one event of a journey before the compression of Options.
type planned struct {
	at   time.Time
	code string
	text string
	area city
}

// journey plans the events of a parcel created at created on the real
// (uncompressed) clock; rng makes it reproducible.
func (tm Timing) journey(rng *rand.Rand, created time.Time, com string, from, to city, out outcome) []planned {
	j := &trip{tm: tm, rng: rng, com: com, carrier: kuaidi100.CarrierName(com), from: from, to: to, t: created}
	j.ordered(created)
	j.pickUp(created)
	j.lineHaul()
	j.toOutlet()
	j.deliver(false)
	switch out {
	case outDelivered:
		j.delivered()
	case outProblem:
		j.problem()
	case outRefused:
		j.refused()
	case outReturned:
		j.returned()
	}
	return j.evs
}

// trip is a journey being planned: the events so far and the people and
// places its later events name. Its steps draw from rng in a fixed order,
// so a seed always plans the same journey.
type trip struct {
	tm       Timing
	rng      *rand.Rand
	com      string
	carrier  string // the carrier's name, for the texts
	from, to city
	t        time.Time // the latest event's time
	evs      []planned

	pickBranch, destBranch string // the outlets that collect and deliver
	courier, courierPhone  string // who delivers
}

// at plans an event at when, or at the previous event's time if that is
// later.
func (j *trip) at(when time.Time, code, text string, c city) {
	if when.Before(j.t) {
		when = j.t
	}
	j.t = when
	j.evs = append(j.evs, planned{j.t, code, text, c})
}

// after plans an event d after the previous one.
func (j *trip) after(d time.Duration, code, text string, c city) { j.at(j.t.Add(d), code, text, c) }

// lastMile plans an event d after the previous one, out of the quiet
// hours.
func (j *trip) lastMile(d time.Duration, code, text string, c city) {
	j.at(j.tm.awake(j.rng, j.t.Add(d)), code, text, c)
}

func (j *trip) hub(c city) string {
	suf := hubSuffix[j.com]
	if suf == "" {
		suf = "转运中心"
	}
	return c.Short + suf
}

func (j *trip) branch(c city) string {
	return c.City + c.District + streets[j.rng.IntN(len(streets))] + "营业部"
}

func (j *trip) phone() string { return fmt.Sprintf("1%d%09d", 3+j.rng.IntN(7), j.rng.IntN(1e9)) }

// ordered is the waybill's first line.
func (j *trip) ordered(created time.Time) {
	j.at(created, "101", fmt.Sprintf("【%s】您的快件已下单，%s快递员将尽快上门揽收", j.from.City, j.carrier), j.from)
}

// pickUp is the collection and the way to the origin hub.
func (j *trip) pickUp(created time.Time) {
	tm, rng, from := j.tm, j.rng, j.from
	// The afternoon collection round: today's if the parcel is ready in
	// time, else tomorrow's.
	round := created.Add(30 * time.Minute)
	if hourOf(created) >= tm.PickupCutoff {
		round = clockAt(created.AddDate(0, 0, 1), 0)
	}
	j.pickBranch = j.branch(from)
	j.at(inWindow(rng, round, tm.PickupFrom, tm.PickupTo), "103",
		fmt.Sprintf("【%s】%s 已揽收，揽件员：%s，电话：%s", from.City, j.pickBranch, couriers[rng.IntN(len(couriers))], j.phone()), from)
	j.after(uniform(rng, tm.LeaveBranch), "1002", fmt.Sprintf("快件离开【%s】，已发往【%s】", j.pickBranch, j.hub(from)), from)
	j.after(uniform(rng, tm.OriginHub), "1002", fmt.Sprintf("快件已到达【%s】", j.hub(from)), from)
}

// lineHaul is the road from the origin hub to the destination's, through
// a transit hub when the way is long.
func (j *trip) lineHaul() {
	tm, rng, from, to := j.tm, j.rng, j.from, j.to
	if from.Short == to.Short {
		return
	}
	cur := from
	if mid, ok := tm.transit(from, to); ok {
		j.after(uniform(rng, tm.HubDwell), "1002", fmt.Sprintf("快件已从【%s】发出，下一站【%s】", j.hub(cur), j.hub(mid)), cur)
		j.after(tm.legHours(rng, cur, mid), "1002", fmt.Sprintf("快件已到达【%s】", j.hub(mid)), mid)
		cur = mid
	}
	j.after(uniform(rng, tm.HubDwell), "1002", fmt.Sprintf("快件已从【%s】发出，下一站【%s】", j.hub(cur), j.hub(to)), cur)
	j.after(tm.legHours(rng, cur, to), "1002", fmt.Sprintf("快件已到达【%s】", j.hub(to)), to)
}

// toOutlet is the night sort's van to the delivering outlet, which names
// the courier.
func (j *trip) toOutlet() {
	tm, rng, to := j.tm, j.rng, j.to
	j.destBranch = j.branch(to)
	// The hub's night sort reaches the outlet early in the morning.
	j.at(inWindow(rng, j.t.Add(time.Duration(tm.OutletAfterHub*float64(time.Hour))), tm.OutletFrom, tm.OutletTo), "1001",
		fmt.Sprintf("快件已到达【%s】，准备派送", j.destBranch), to)
	j.courier, j.courierPhone = couriers[rng.IntN(len(couriers))], j.phone()
}

// deliver is a delivery round going out (again after a failed one).
func (j *trip) deliver(again bool) {
	word := "正在为您派件"
	if again {
		word = "正在为您再次派件"
	}
	to := j.to
	j.at(j.tm.wave(j.rng, j.t), "5", fmt.Sprintf("【%s%s】%s %s，电话：%s，请保持电话畅通", to.City, to.District, j.courier, word, j.courierPhone), to)
}

// delivered ends the trip signed for, at a locker or station or by hand.
func (j *trip) delivered() {
	tm, rng, to := j.tm, j.rng, j.to
	if rng.Float64() < tm.LockerShare {
		st := stations[rng.IntN(len(stations))]
		j.lastMile(uniform(rng, tm.Locker), "501", fmt.Sprintf("快件已放入【%s%s】，请凭取件码%d-%d-%04d及时取件", to.District, st, 1+rng.IntN(9), 1+rng.IntN(9), rng.IntN(10000)), to)
		j.lastMile(uniform(rng, tm.Pickup), "304", fmt.Sprintf("【%s】您的快件已从【%s】取出签收，感谢使用%s", to.City, st, j.carrier), to)
		return
	}
	who := []string{"本人", "本人", "家人", "门卫", "前台"}[rng.IntN(5)]
	code := "301"
	if who != "本人" {
		code = "303"
	}
	j.lastMile(uniform(rng, tm.Handover), code, fmt.Sprintf("【%s%s】快件已签收，签收人：%s。如有疑问请联系派件员%s，电话：%s", to.City, to.District, who, j.courier, j.courierPhone), to)
}

// problem is a failed delivery (疑难) that a later round mends.
func (j *trip) problem() {
	tm, rng, to := j.tm, j.rng, j.to
	code, why := []string{"206", "204", "208"}[rng.IntN(3)], ""
	switch code {
	case "206":
		why = "收件人电话无法接通，快件暂存网点"
	case "204":
		why = "派件异常：地址不详，正在联系收件人核实"
	default:
		why = "快件滞留网点，将尽快安排派送"
	}
	j.lastMile(uniform(rng, [2]float64{1, 4}), code, fmt.Sprintf("【%s】%s", j.destBranch, why), to)
	// Tried again in a later round (the next morning's, mostly).
	j.t = j.t.Add(4 * time.Hour)
	j.deliver(true)
	j.lastMile(uniform(rng, tm.Handover), "302", fmt.Sprintf("【%s%s】快件已签收，签收人：本人（派件异常后签收）", to.City, to.District), to)
}

// refused ends the trip refused by the recipient.
func (j *trip) refused() {
	tm, rng, to := j.tm, j.rng, j.to
	j.lastMile(uniform(rng, tm.Handover), "203", fmt.Sprintf("【%s】收件人拒收，待寄件人确认处理方式", j.destBranch), to)
	j.lastMile(uniform(rng, [2]float64{10, 24}), "14", fmt.Sprintf("【%s】快件已拒签，原因：收件人拒收", j.destBranch), to)
}

// returned ends the trip back with the sender.
func (j *trip) returned() {
	tm, rng, from, to := j.tm, j.rng, j.from, j.to
	j.lastMile(uniform(rng, [2]float64{1, 4}), "206", fmt.Sprintf("【%s】多次联系收件人未果，快件暂存网点", j.destBranch), to)
	j.lastMile(uniform(rng, [2]float64{20, 30}), "6", fmt.Sprintf("【%s】快件已安排退回，退回原因：收件人无法联系", j.destBranch), to)
	j.after(uniform(rng, [2]float64{1, 4}), "6", fmt.Sprintf("退回件已从【%s】发出，下一站【%s】", j.hub(to), j.hub(from)), to)
	j.after(tm.legHours(rng, to, from)+uniform(rng, tm.HubDwell), "6", fmt.Sprintf("退回件已到达【%s】", j.hub(from)), from)
	j.at(tm.wave(rng, j.t.Add(2*time.Hour)), "4", fmt.Sprintf("【%s】退回件已签收，签收人：寄件人", j.pickBranch), from)
}

// plan builds the journey of a parcel from p.Created, deterministic for
// rng: the Timing model on the real clock, its gaps then divided by
// Options.Compress (so a compressed demo keeps the shape of a journey,
// though not its hours of the day).
func (s *Server) plan(p *parcel, rng *rand.Rand) {
	evs := s.timing.journey(rng, p.Created, p.Com, p.From, p.To, p.Outcome)
	p.Events = make([]event, len(evs))
	for i, e := range evs {
		at := p.Created.Add(s.scaled(e.at.Sub(p.Created)))
		p.Events[i] = event{At: at, Code: e.code, Context: e.text, Area: e.area}
	}
}

// Outcome is how a simulated journey ends, for PlanJourney.
type Outcome int

// The outcomes of PlanJourney.
const (
	Delivered Outcome = Outcome(outDelivered)
	Problem   Outcome = Outcome(outProblem) // a delivery problem, then delivered
	Refused   Outcome = Outcome(outRefused)
	Returned  Outcome = Outcome(outReturned)
)

// PickOutcome draws an outcome with the shares of o (ProblemShare,
// RefusedShare, ReturnedShare), as the sandbox does for each parcel.
func PickOutcome(rng *rand.Rand, o Options) Outcome {
	return Outcome((&Server{opts: o}).pickOutcome(rng))
}

// Cities returns the short names of the cities the sandbox's parcels
// travel between (天津 is the clinic's).
func Cities() []string {
	out := make([]string, len(cities))
	for i, c := range cities {
		out[i] = c.Short
	}
	return out
}

// PlanJourney plans, with the Timing model, the journey of a parcel
// created at created from one city to another (short names from Cities),
// as the sandbox plans every waybill it issues; the benchmark and the
// timing tests use it to simulate many parcels without HTTP. Unknown city
// names give nil.
func (tm Timing) PlanJourney(rng *rand.Rand, created time.Time, com, from, to string, out Outcome) []JourneyEvent {
	var a, b city
	var okA, okB bool
	for _, c := range cities {
		if c.Short == from {
			a, okA = c, true
		}
		if c.Short == to {
			b, okB = c, true
		}
	}
	if !okA || !okB {
		return nil
	}
	evs := tm.journey(rng, created, com, a, b, outcome(out))
	res := make([]JourneyEvent, len(evs))
	for i, e := range evs {
		res[i] = JourneyEvent{At: e.at, Code: e.code, Context: e.text}
	}
	return res
}
