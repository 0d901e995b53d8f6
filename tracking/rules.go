package tracking

import (
	"context"
	"fmt"
	"time"

	"shipdesk/store"
)

// checkRules walks every active shipment once: it sizes the poll pace
// (Hints.Stretch) to the number of polled parcels, schedules shipments
// that have no next poll time yet, and applies the manager's exception
// rules: not picked up within NotPickedUpHours of printing (or of
// creation when never printed), no new event for NoUpdateHours, not
// delivered within LateDays of creation. A rule set to 0 is off.
//
// Each condition is raised once per occurrence: the worker remembers (and
// on its first check loads from the store) when each (waybill, kind) was
// last raised, and raises again only when the condition began after that,
// so an exception a manager resolved is not raised again by the next check
// while a parcel that stalls a second time is.
//
// Cost: one walk over the active shipments per RulesEvery (10 minutes by
// default), decoding each record; about a second of CPU per check for
// 10,000 active parcels at the store's decode speed, and no writes unless
// something is raised.
func (w *Worker) checkRules(ctx context.Context, now time.Time) error {
	if err := w.loadRaised(ctx); err != nil {
		return err
	}
	w.mu.Lock()
	rules := w.rules
	w.mu.Unlock()
	type hit struct {
		waybill string
		kind    store.ExceptionKind
		since   time.Time
		detail  string
	}
	var hits []hit
	var unscheduled []string
	polled := 0
	err := w.db.ActiveShipments(ctx, func(s store.Shipment) error {
		for _, h := range ruleHits(&s, rules, now) {
			hits = append(hits, hit{s.Waybill, h.kind, h.since, h.detail})
		}
		if !w.pushActive(&s) {
			polled++
		}
		if s.NextPollAt.IsZero() {
			unscheduled = append(unscheduled, s.Waybill)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("walk active shipments: %w", err)
	}
	// The same walk sizes the poll pace to the global rate and picks up
	// shipments nobody scheduled (stored while the worker ran, without a
	// call to Subscribe).
	st := w.policy.Stretch(polled, w.queries.perSecond())
	w.mu.Lock()
	w.stretch = st
	w.mu.Unlock()
	for _, n := range unscheduled {
		if err := w.Subscribe(ctx, n); err != nil && ctx.Err() == nil {
			w.logf("tracking: schedule %s: %v", n, err)
		}
	}
	for _, h := range hits {
		w.mu.Lock()
		last, ok := w.raised[excKey{h.waybill, h.kind}]
		w.mu.Unlock()
		if ok && !last.Before(h.since) {
			continue // already raised for this occurrence
		}
		w.raise(ctx, h.waybill, h.kind, h.detail)
	}
	return nil
}

type ruleHit struct {
	kind   store.ExceptionKind
	since  time.Time // when the condition became true
	detail string
}

// ruleHits returns the rule conditions s meets at now.
func ruleHits(s *store.Shipment, r store.ExceptionRules, now time.Time) []ruleHit {
	if s.Milestone.Terminal() {
		return nil
	}
	var out []ruleHit
	if r.NotPickedUpHours > 0 && (s.Milestone == store.MilestoneUnknown || s.Milestone == store.MilestoneOrdered) {
		from := s.PrintedAt
		what := "打印面单"
		if from.IsZero() {
			from, what = s.CreatedAt, "下单"
		}
		if since := from.Add(time.Duration(r.NotPickedUpHours) * time.Hour); !from.IsZero() && !now.Before(since) {
			out = append(out, ruleHit{store.ExcNotPickedUp, since,
				fmt.Sprintf("%s后超过%d小时仍未揽收，请联系快递员上门取件", what, r.NotPickedUpHours)})
		}
	}
	if r.NoUpdateHours > 0 && !s.LastEventAt.IsZero() {
		if since := s.LastEventAt.Add(time.Duration(r.NoUpdateHours) * time.Hour); !now.Before(since) {
			out = append(out, ruleHit{store.ExcNoUpdate, since,
				fmt.Sprintf("超过%d小时没有新的物流信息，请向快递公司查询", r.NoUpdateHours)})
		}
	}
	if r.LateDays > 0 && !s.CreatedAt.IsZero() {
		if since := s.CreatedAt.Add(time.Duration(r.LateDays) * 24 * time.Hour); !now.Before(since) {
			out = append(out, ruleHit{store.ExcLate, since,
				fmt.Sprintf("下单超过%d天仍未签收，请跟进", r.LateDays)})
		}
	}
	return out
}

// loadRaised fills the memory of raised exceptions from the store once.
func (w *Worker) loadRaised(ctx context.Context) error {
	w.mu.Lock()
	done := w.raisedOK
	w.mu.Unlock()
	if done {
		return nil
	}
	list, err := w.db.Exceptions(ctx, false, 0)
	if err != nil {
		return fmt.Errorf("load exceptions: %w", err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, e := range list {
		k := excKey{e.Waybill, e.Kind}
		if e.RaisedAt.After(w.raised[k]) {
			w.raised[k] = e.RaisedAt
		}
	}
	w.raisedOK = true
	return nil
}

// raise records an exception for the manager's list (a no-op in the store
// when one is already open for the waybill and kind).
func (w *Worker) raise(ctx context.Context, waybill string, kind store.ExceptionKind, detail string) {
	now := w.now()
	e := &store.Exception{Waybill: waybill, Kind: kind, Detail: detail, RaisedAt: now}
	raised, err := w.db.RaiseException(ctx, e)
	if err != nil {
		if ctx.Err() == nil {
			w.logf("tracking: raise %s %s: %v", kind, waybill, err)
		}
		return
	}
	w.mu.Lock()
	w.raised[excKey{waybill, kind}] = now
	w.mu.Unlock()
	if raised {
		w.logf("tracking: exception %s for %s: %s", kind, waybill, detail)
	}
}
