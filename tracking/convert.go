package tracking

import (
	"shipdesk/kuaidi100"
	"shipdesk/store"
)

// This file is the edge between the wire's vocabulary (package kuaidi100,
// which knows nothing of the store) and the store's: every trace the worker
// takes from a query, a push or the relay passes through traceOf before it
// touches a shipment.

// storeMilestones pairs each of Kuaidi100's milestones with the store's
// of the same meaning. Both sets have the same members; the test checks
// that each one maps to the store milestone of the same machine name.
var storeMilestones = map[kuaidi100.Milestone]store.Milestone{
	kuaidi100.MilestoneOrdered:        store.MilestoneOrdered,
	kuaidi100.MilestonePickedUp:       store.MilestonePickedUp,
	kuaidi100.MilestoneInTransit:      store.MilestoneInTransit,
	kuaidi100.MilestoneOutForDelivery: store.MilestoneOutForDelivery,
	kuaidi100.MilestoneDelivered:      store.MilestoneDelivered,
	kuaidi100.MilestoneProblem:        store.MilestoneProblem,
	kuaidi100.MilestoneReturning:      store.MilestoneReturning,
	kuaidi100.MilestoneReturned:       store.MilestoneReturned,
	kuaidi100.MilestoneRefused:        store.MilestoneRefused,
	kuaidi100.MilestoneCancelled:      store.MilestoneCancelled,
	kuaidi100.MilestoneCustoms:        store.MilestoneCustoms,
}

// StoreMilestone is the store's name for a milestone read from Kuaidi100's
// state codes; anything else is store.MilestoneUnknown.
func StoreMilestone(m kuaidi100.Milestone) store.Milestone {
	if sm, ok := storeMilestones[m]; ok {
		return sm
	}
	return store.MilestoneUnknown
}

// StoreEvents are a trace's lines as the store keeps them, in the same
// order.
func StoreEvents(evs []kuaidi100.Event) []store.TrackingEvent {
	out := make([]store.TrackingEvent, len(evs))
	for i, e := range evs {
		out[i] = store.TrackingEvent{Time: e.Time, Context: e.Context, Area: e.Area, Location: e.Location,
			RawState: e.State, Milestone: StoreMilestone(e.Milestone)}
	}
	return out
}

// milestoneOf is kuaidi100.MilestoneOf in the store's vocabulary.
func milestoneOf(stateCode string) store.Milestone {
	return StoreMilestone(kuaidi100.MilestoneOf(stateCode))
}

// trace is a Kuaidi100 trace in the store's vocabulary: what merge folds
// into a shipment.
type trace struct {
	state     string                // raw state code of the whole trace ("0", "1002")
	milestone store.Milestone       // the trace's milestone (ischeck taken into account)
	events    []store.TrackingEvent // newest first, as the trace had them
}

// traceOf converts what the wire client decoded.
func traceOf(tr *kuaidi100.Track) trace {
	return trace{state: tr.State, milestone: StoreMilestone(tr.Milestone), events: StoreEvents(tr.Events)}
}
