package tracking

import (
	"shipdesk/kuaidi100"
	"shipdesk/store"
)

// This file is the edge between the wire's vocabulary (package kuaidi100,
// which knows nothing of the store) and the store's: every trace the worker
// takes from a query, a push or the relay passes through traceOf before it
// touches a shipment.

// StoreMilestone is the store's name for a milestone read from Kuaidi100's
// state codes. Both sets have the same members; the test checks that each
// one maps to the store milestone of the same machine name.
func StoreMilestone(m kuaidi100.Milestone) store.Milestone {
	switch m {
	case kuaidi100.MilestoneOrdered:
		return store.MilestoneOrdered
	case kuaidi100.MilestonePickedUp:
		return store.MilestonePickedUp
	case kuaidi100.MilestoneInTransit:
		return store.MilestoneInTransit
	case kuaidi100.MilestoneOutForDelivery:
		return store.MilestoneOutForDelivery
	case kuaidi100.MilestoneDelivered:
		return store.MilestoneDelivered
	case kuaidi100.MilestoneProblem:
		return store.MilestoneProblem
	case kuaidi100.MilestoneReturning:
		return store.MilestoneReturning
	case kuaidi100.MilestoneReturned:
		return store.MilestoneReturned
	case kuaidi100.MilestoneRefused:
		return store.MilestoneRefused
	case kuaidi100.MilestoneCancelled:
		return store.MilestoneCancelled
	case kuaidi100.MilestoneCustoms:
		return store.MilestoneCustoms
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
