package tracking

import (
	"math/rand/v2"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"shipdesk/store"
)

var t0 = time.Date(2026, 11, 26, 9, 30, 0, 0, cst)

// TestPolicyNeverBreaksLimits drives the policy with random shipments and
// random clocks and checks every rule it must keep.
func TestPolicyNeverBreaksLimits(t *testing.T) {
	p := DefaultPolicy()
	rng := rand.New(rand.NewPCG(1, 2))
	codes := []string{"", "101", "103", "1002", "1001", "5", "501", "206", "6", "8"}
	for i := range 20000 {
		s := store.Shipment{Waybill: "X", CreatedAt: t0, PrintedAt: t0}
		code := codes[rng.IntN(len(codes))]
		s.RawState = code
		s.Milestone = store.MilestoneOrdered
		if code != "" {
			s.Milestone = milestoneOfCode(code)
		}
		now := t0.Add(time.Duration(rng.Float64() * 72 * float64(time.Hour)))
		if rng.IntN(4) > 0 {
			s.LastEventAt = t0.Add(time.Duration(rng.Float64() * float64(now.Sub(t0))))
		}
		if rng.IntN(5) > 0 {
			s.LastPollAt = now.Add(-time.Duration(rng.Float64() * 3 * float64(time.Hour)))
			s.PollDay = dayOf(s.LastPollAt)
			s.PollsToday = rng.IntN(45)
		}
		h := Hints{Leg: Leg(rng.IntN(3)), Stretch: 1 + rng.Float64()*2, PushActive: rng.IntN(4) == 0}
		next := p.Next(&s, h, now)
		if next.IsZero() {
			t.Fatalf("case %d: non-terminal %s never polled", i, s.Milestone)
		}
		if !s.LastPollAt.IsZero() && next.Sub(s.LastPollAt) <= 30*time.Minute {
			t.Fatalf("case %d: next poll %v only %v after the last", i, next, next.Sub(s.LastPollAt))
		}
		if s.PollDay == dayOf(next) && s.PollsToday >= p.DailyCap {
			t.Fatalf("case %d: poll on a day whose cap is used (%d)", i, s.PollsToday)
		}
		ref := latest(s.LastPollAt, s.PrintedAt)
		if !h.PushActive && next.Sub(ref) > p.MaxInterval && s.PollDay != dayOf(ref.Add(p.MaxInterval)) {
			t.Fatalf("case %d: %v without a poll", i, next.Sub(ref))
		}
		if p.Allowed(&s, next.Add(-time.Second)) && !s.LastPollAt.IsZero() && next.Add(-time.Second).Sub(s.LastPollAt) < p.MinInterval {
			t.Fatalf("case %d: Allowed before MinInterval", i)
		}
	}
	// Kuaidi100 locks a number queried within 30 minutes or 48 times in 24
	// hours; the spacing alone must keep both.
	if p.MinInterval <= 30*time.Minute || int(24*time.Hour/p.MinInterval)+1 >= 48 {
		t.Errorf("MinInterval %v allows a lock", p.MinInterval)
	}
	for _, m := range store.Milestones() {
		if !m.Terminal() {
			continue
		}
		s := store.Shipment{Milestone: m, CreatedAt: t0}
		if !p.Next(&s, Hints{}, t0).IsZero() || p.Allowed(&s, t0.Add(time.Hour)) {
			t.Errorf("terminal %s still polled", m)
		}
	}
}

func milestoneOfCode(c string) store.Milestone { return milestoneOf(c) }

// TestPolicyFollowsTheModel: no poll while the next event cannot have
// come yet, quick polls once a delivery is due, and pushes replace polls.
func TestPolicyFollowsTheModel(t *testing.T) {
	p := DefaultPolicy()
	base := store.Shipment{CreatedAt: t0, PrintedAt: t0}

	// A problem is tried again in a later delivery round, 3 hours later
	// at the earliest: nothing before.
	s := base
	s.Milestone, s.RawState, s.LastEventAt, s.LastPollAt = store.MilestoneProblem, "206", t0, t0.Add(10*time.Minute)
	if got := p.Next(&s, Hints{}, s.LastPollAt).Sub(t0); got < 3*time.Hour {
		t.Errorf("problem polled %v after the event, before any resolution can come", got)
	}
	// Out for delivery: polled again once the live cap has passed after
	// the half hour in which no delivery can follow.
	s = base
	s.Milestone, s.RawState, s.LastEventAt, s.LastPollAt = store.MilestoneOutForDelivery, "5", t0, t0.Add(10*time.Minute)
	if got := p.Next(&s, Hints{}, s.LastPollAt).Sub(t0); got > 30*time.Minute+p.LiveCap+p.Step || got < 40*time.Minute {
		t.Errorf("out for delivery: next poll %v after the event", got)
	}
	// A departure on a long leg waits longer than an arrival.
	s = base
	s.Milestone, s.RawState, s.LastEventAt, s.LastPollAt = store.MilestoneInTransit, "1002", t0, t0.Add(10*time.Minute)
	dep := p.Next(&s, Hints{Leg: LegDeparted}, s.LastPollAt)
	arr := p.Next(&s, Hints{Leg: LegArrived}, s.LastPollAt)
	if !dep.After(arr) {
		t.Errorf("after a departure next poll %v, after an arrival %v", dep.Sub(t0), arr.Sub(t0))
	}
	// More parcels than the rate serves: polls spread out.
	if st := p.Next(&s, Hints{Leg: LegArrived, Stretch: 2}, s.LastPollAt); !st.After(arr) {
		t.Errorf("stretch 2 polls at %v, unstretched at %v", st.Sub(t0), arr.Sub(t0))
	}
	// An active push subscription: only the safety net, once the parcel
	// is overdue (the longest line-haul leg, 60 h, plus the push lag).
	s.Subscription = store.Subscription{State: store.SubActive, LastPushAt: t0.Add(time.Hour)}
	if got := p.Next(&s, Hints{PushActive: true}, t0.Add(time.Hour)); !got.Equal(t0.Add(60*time.Hour + p.PushLag)) {
		t.Errorf("push active: next poll %v, want 65h", got.Sub(t0))
	}
	// Overdue and polled: the next poll waits SafetyNet after that poll.
	late := s
	late.LastPollAt = t0.Add(70 * time.Hour)
	if got := p.Next(&late, Hints{PushActive: true}, late.LastPollAt); !got.Equal(late.LastPollAt.Add(p.SafetyNet)) {
		t.Errorf("overdue, polled: next poll %v after the poll", got.Sub(late.LastPollAt))
	}
	// At the delivery outlet (05:40) with 3 window queries: 08:30, 09:45,
	// 11:00 that morning, then the overdue rule (11 h after the scan + lag).
	day := time.Date(2026, 11, 3, 0, 0, 0, 0, cst)
	out := store.Shipment{Milestone: store.MilestoneInTransit, RawState: "1001", LastEventAt: day.Add(5*time.Hour + 40*time.Minute),
		Subscription: store.Subscription{State: store.SubActive}, CreatedAt: day.Add(-30 * time.Hour)}
	wp := p
	wp.WindowQueries = 3
	var got []string
	for range 4 {
		next := wp.Next(&out, Hints{PushActive: true}, out.LastEventAt)
		got = append(got, next.In(cst).Format("15:04"))
		out.LastPollAt = next
	}
	if strings.Join(got, " ") != "08:30 09:45 11:00 21:40" {
		t.Errorf("window queries at %v", got)
	}
	if n := p.Next(&store.Shipment{Milestone: store.MilestoneInTransit, RawState: "1001", LastEventAt: out.LastEventAt, Subscription: out.Subscription}, Hints{PushActive: true}, out.LastEventAt); !n.Equal(out.LastEventAt.Add(11*time.Hour + p.PushLag)) {
		t.Errorf("without window queries: next poll %v", n.In(cst))
	}
	// The last mile rests at night.
	ofd := store.Shipment{Milestone: store.MilestoneOutForDelivery, RawState: "5", LastEventAt: day.Add(20 * time.Hour)}
	if r := DefaultRate(&ofd, Hints{}, ofd.LastEventAt, day.Add(23*time.Hour)); r != 0 {
		t.Errorf("rate of a delivery at 23:00: %v", r)
	}
	if r := DefaultRate(&ofd, Hints{}, ofd.LastEventAt, day.Add(21*time.Hour)); r <= 0 {
		t.Errorf("rate of a delivery at 21:00: %v", r)
	}
	if st := p.Stretch(100, 1); st != 1 {
		t.Errorf("100 parcels at 1/s: stretch %v", st)
	}
	if st := p.Stretch(20000, 1); st <= 2 {
		t.Errorf("20,000 parcels at 1/s: stretch %v", st)
	}
}

func TestLegOf(t *testing.T) {
	for text, want := range map[string]Leg{
		"快件已到达【北京转运中心】":              LegArrived,
		"快件离开【南开区营业部】，已发往【天津转运中心】":   LegDeparted,
		"快件已从【天津转运中心】发出，下一站【北京转运中心】": LegDeparted,
		"【天津市】南开区营业部 已揽收":            LegUnknown,
	} {
		if got := LegOf(text); got != want {
			t.Errorf("LegOf(%q) = %d, want %d", text, got, want)
		}
	}
}

// TestAdvance: milestones move forward only, except into the problem and
// return family, and never out of a terminal state.
func TestAdvance(t *testing.T) {
	M := func(names ...string) []store.Milestone {
		var out []store.Milestone
		for _, n := range names {
			m, err := store.ParseMilestone(n)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, m)
		}
		return out
	}
	cases := []struct {
		path []store.Milestone // reached in this order before
		next store.Milestone
		want bool
	}{
		{M("ordered"), store.MilestonePickedUp, true},
		{M("ordered", "picked_up", "in_transit", "out_for_delivery"), store.MilestoneInTransit, false},
		{M("ordered", "in_transit"), store.MilestoneProblem, true},
		{M("ordered", "in_transit", "out_for_delivery", "problem"), store.MilestoneInTransit, false},
		{M("ordered", "in_transit", "out_for_delivery", "problem"), store.MilestoneOutForDelivery, true},
		{M("ordered", "in_transit", "problem"), store.MilestoneDelivered, true},
		{M("ordered", "in_transit", "returning"), store.MilestoneInTransit, false},
		{M("ordered", "in_transit", "returning"), store.MilestoneReturned, true},
		{M("ordered", "delivered"), store.MilestoneProblem, false},
		{M("ordered", "refused"), store.MilestoneDelivered, false},
		{M("ordered", "in_transit"), store.MilestoneCustoms, true},
	}
	for i, c := range cases {
		s := store.Shipment{}
		for j, m := range c.path {
			s.Milestone = m
			s.SetMilestoneTime(m, t0.Add(time.Duration(j)*time.Hour))
		}
		if got := advance(&s, c.next); got != c.want {
			t.Errorf("case %d: %v -> %s: %v, want %v", i, c.path, c.next, got, c.want)
		}
	}
}

// TestExceptionRules: not picked up within N hours and not delivered
// within N days are raised once per occurrence; a manager's resolution
// is not undone by the next check.
func TestExceptionRules(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		e := newEnv(t, "", nil)
		st, _ := e.db.Settings(ctx)
		st.Rules = store.ExceptionRules{NotPickedUpHours: 24, NoUpdateHours: 0, LateDays: 3}
		if err := e.db.SaveSettings(ctx, st); err != nil {
			t.Fatal(err)
		}
		// A number the sandbox has no trace for: the courier never comes.
		now := time.Now()
		lost := store.Shipment{Waybill: "SF1234567890123", Carrier: "zhongtong", RecipientName: "李雷", RecipientPhone: "13700001111",
			Milestone: store.MilestoneOrdered, CreatedAt: now, PrintedAt: now}
		if err := e.db.CreateShipment(ctx, &lost); err != nil {
			t.Fatal(err)
		}
		stopSB := run(ctx, t, e.sb.Run)
		stopW := run(ctx, t, e.worker(nil).Run)
		count := func(kind store.ExceptionKind) (n, open int) {
			all, _ := e.db.Exceptions(ctx, false, 0)
			for _, x := range all {
				if x.Waybill == lost.Waybill && x.Kind == kind {
					n++
					if x.Open() {
						open++
					}
				}
			}
			return
		}
		time.Sleep(23 * time.Hour)
		if n, _ := count(store.ExcNotPickedUp); n != 0 {
			t.Fatalf("not-picked-up raised before 24 h")
		}
		time.Sleep(90 * time.Minute)
		all, _ := e.db.Exceptions(ctx, true, 0)
		var id uint64
		for _, x := range all {
			if x.Kind == store.ExcNotPickedUp && x.Waybill == lost.Waybill {
				id = x.ID
			}
		}
		if id == 0 {
			t.Fatalf("no not-picked-up exception after 24 h: %v", all)
		}
		if err := e.db.ResolveException(ctx, id, "主管"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Hour)
		if n, open := count(store.ExcNotPickedUp); n != 1 || open != 0 {
			t.Errorf("not-picked-up: %d raised, %d open after resolving; want 1, 0", n, open)
		}
		if n, _ := count(store.ExcLate); n != 1 {
			t.Errorf("late: %d raised after 3 days, want 1", n)
		}
		stopW()
		stopSB()
		if v := e.violations(); v != "" {
			t.Errorf("violations polling a number without trace: %s", v)
		}
		got, _ := e.db.Shipment(ctx, lost.Waybill)
		if got.PollsToday == 0 {
			t.Error("the lost parcel was never polled")
		}
	})
}

// TestRuleHits covers the no-update rule and the thresholds directly.
func TestRuleHits(t *testing.T) {
	r := store.ExceptionRules{NotPickedUpHours: 24, NoUpdateHours: 48, LateDays: 5}
	s := store.Shipment{Milestone: store.MilestoneInTransit, CreatedAt: t0, PrintedAt: t0, LastEventAt: t0.Add(2 * time.Hour)}
	if h := ruleHits(&s, r, t0.Add(49*time.Hour)); len(h) != 0 {
		t.Errorf("49 h after creation, 47 h after the last event: %v", h)
	}
	h := ruleHits(&s, r, t0.Add(51*time.Hour))
	if len(h) != 1 || h[0].kind != store.ExcNoUpdate || !h[0].since.Equal(t0.Add(50*time.Hour)) {
		t.Errorf("51 h: %v", h)
	}
	if h := ruleHits(&s, r, t0.Add(5*24*time.Hour)); len(h) != 2 {
		t.Errorf("5 days: %v", h)
	}
	s.Milestone = store.MilestoneDelivered
	if h := ruleHits(&s, r, t0.Add(30*24*time.Hour)); len(h) != 0 {
		t.Errorf("delivered: %v", h)
	}
	if h := ruleHits(&s, store.ExceptionRules{}, t0.Add(30*24*time.Hour)); len(h) != 0 {
		t.Errorf("rules off: %v", h)
	}
}

// TestRateAnyHour: the demo's rate keeps the last mile awake at night,
// with the density the model gives the same elapsed time by day.
func TestRateAnyHour(t *testing.T) {
	day := time.Date(2026, 11, 3, 0, 0, 0, 0, cst)
	s := store.Shipment{Milestone: store.MilestoneOutForDelivery, RawState: "5", LastEventAt: day.Add(22*time.Hour + 30*time.Minute)}
	at := day.Add(23 * time.Hour)
	if r := DefaultRate(&s, Hints{}, s.LastEventAt, at); r != 0 {
		t.Fatalf("DefaultRate at 23:00: %v", r)
	}
	noonS := s
	noonS.LastEventAt = day.Add(11*time.Hour + 30*time.Minute)
	want := DefaultRate(&noonS, Hints{}, noonS.LastEventAt, day.Add(12*time.Hour))
	if r := RateAnyHour(&s, Hints{}, s.LastEventAt, at); r <= 0 || r != want {
		t.Fatalf("RateAnyHour at 23:00: %v, want %v (the rate 30 minutes after an event by day)", r, want)
	}
}
