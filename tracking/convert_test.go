package tracking

import (
	"testing"
	"time"

	"shipdesk/kuaidi100"
	"shipdesk/store"
)

// TestStoreMilestoneIsOneToOne: every milestone the wire client reads maps
// to the store milestone of the same machine name, no two to the same one,
// and every store milestone is reached, with the same idea of terminal.
func TestStoreMilestoneIsOneToOne(t *testing.T) {
	wire := kuaidi100.Milestones()
	if len(wire) != store.NumMilestones {
		t.Fatalf("kuaidi100 has %d milestones, the store %d", len(wire), store.NumMilestones)
	}
	seen := map[store.Milestone]kuaidi100.Milestone{}
	for _, m := range wire {
		s := StoreMilestone(m)
		if s.String() != m.String() {
			t.Errorf("StoreMilestone(%v) = %v", m, s)
		}
		if s.Terminal() != m.Terminal() {
			t.Errorf("%v: terminal %v on the wire, %v in the store", m, m.Terminal(), s.Terminal())
		}
		if o, dup := seen[s]; dup {
			t.Errorf("%v and %v both map to %v", o, m, s)
		}
		seen[s] = m
	}
	if s := StoreMilestone(kuaidi100.Milestone(200)); s != store.MilestoneUnknown {
		t.Errorf("an undefined wire milestone maps to %v, want unknown", s)
	}
}

// TestTraceOfKeepsEveryField converts a decoded trace and reads back every
// field the store keeps.
func TestTraceOfKeepsEveryField(t *testing.T) {
	at := time.Date(2026, 11, 27, 9, 30, 0, 0, cst)
	tr := &kuaidi100.Track{State: "5", Milestone: kuaidi100.MilestoneOutForDelivery, Events: []kuaidi100.Event{
		{Time: at, Context: "派件中", Area: "天津,天津市,河西区", Location: "河西区", State: "501", Milestone: kuaidi100.MilestoneOutForDelivery},
		{Time: at.Add(-time.Hour), Context: "已揽收", State: "", Milestone: kuaidi100.MilestonePickedUp},
	}}
	got := traceOf(tr)
	if got.state != "5" || got.milestone != store.MilestoneOutForDelivery || len(got.events) != 2 {
		t.Fatalf("traceOf = %+v", got)
	}
	want := store.TrackingEvent{Time: at, Context: "派件中", Area: "天津,天津市,河西区", Location: "河西区", RawState: "501", Milestone: store.MilestoneOutForDelivery}
	if got.events[0] != want {
		t.Errorf("event 0 = %+v, want %+v", got.events[0], want)
	}
	if e := got.events[1]; !e.Time.Equal(at.Add(-time.Hour)) || e.RawState != "" || e.Milestone != store.MilestonePickedUp {
		t.Errorf("event 1 = %+v", e)
	}
}
