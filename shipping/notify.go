package shipping

import (
	"context"
	"errors"
	"sort"

	"shipdesk/store"
)

// Notifier is told that a shipment reached a milestone (*sms.Notifier
// implements it; tracking.Notifier has the same method).
type Notifier interface {
	Notify(ctx context.Context, s store.Shipment, m store.Milestone) error
}

// NotifyEveryReached wraps n so that every milestone a shipment has reached
// is notified, not only the newest: when one tracking update jumps from
// "ordered" to "in transit", the shipment records when it was picked up
// (from the trace) but the tracker reports only the new milestone; the
// patient should still get the "shipped" message. Milestones are passed to
// n oldest first, before m; n must ignore a milestone it has already
// handled (the SMS notifier keeps at most one message per milestone).
func NotifyEveryReached(n Notifier) Notifier { return catchUp{n} }

type catchUp struct{ next Notifier }

func (c catchUp) Notify(ctx context.Context, s store.Shipment, m store.Milestone) error {
	type reached struct {
		m  store.Milestone
		at int64
	}
	var earlier []reached
	for _, x := range store.Milestones() {
		if x == m || x == store.MilestoneUnknown || x == store.MilestoneOrdered {
			continue
		}
		if at := s.MilestoneTime(x); !at.IsZero() {
			earlier = append(earlier, reached{x, at.UnixNano()})
		}
	}
	sort.SliceStable(earlier, func(i, j int) bool { return earlier[i].at < earlier[j].at })
	var errs []error
	for _, r := range earlier {
		if err := c.next.Notify(ctx, s, r.m); err != nil {
			errs = append(errs, err)
		}
	}
	if err := c.next.Notify(ctx, s, m); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
