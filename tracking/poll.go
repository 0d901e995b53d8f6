package tracking

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"shipdesk/kuaidi100"
	"shipdesk/store"
)

// poll queries one number and stores the answer. The query is first
// claimed in the store (LastPollAt, the day's count and a provisional next
// poll time are written before the request leaves), so neither a crash nor
// a concurrent Refresh can make two queries of one number within the
// limits. errSkipped means nothing was sent.
func (w *Worker) poll(ctx context.Context, waybill string, manual bool) error {
	release, ok := w.takeInflight(waybill)
	if !ok {
		return errSkipped
	}
	defer release()
	if d := w.queries.reserve(w.now()); d > 0 && !w.sleep(ctx, d) {
		return ctx.Err()
	}
	s, err := w.claimPoll(ctx, waybill, w.now())
	if err != nil {
		return err
	}
	tr, qerr := w.client.Query(ctx, kuaidi100.QueryRequest{Com: s.Carrier, Num: s.Waybill, Phone: s.RecipientPhone,
		From: CityOf(s.SenderAddr), To: CityOf(s.RecipientAddr)})
	now := w.now()
	if qerr != nil && ctx.Err() != nil {
		return ctx.Err() // shutting down: the claim keeps the limits safe
	}
	switch {
	case qerr == nil:
		w.succeeded(waybill)
		_, err := w.apply(ctx, waybill, tr, sourcePoll, func(sh *store.Shipment) { keepCourier(sh, tr.Courier) })
		return err
	case errors.Is(qerr, kuaidi100.ErrNoResult):
		// No trace yet: a normal answer for a parcel not yet picked up.
		w.succeeded(waybill)
		w.reschedule(ctx, waybill)
		return nil
	}
	w.queryFailed(ctx, waybill, qerr, now)
	w.reschedule(ctx, waybill)
	if manual {
		return fmt.Errorf("refresh %s: %w", waybill, qerr)
	}
	return nil
}

// takeInflight marks a number as being queried; ok is false when it
// already is. release unmarks it.
func (w *Worker) takeInflight(waybill string) (release func(), ok bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.inflight[waybill] {
		return nil, false
	}
	w.inflight[waybill] = true
	return func() {
		w.mu.Lock()
		delete(w.inflight, waybill)
		w.mu.Unlock()
	}, true
}

// claimPoll writes the query into the shipment before it is sent: the
// poll time, the day's count and a provisional next poll time. It returns
// errSkipped when the policy does not allow a query now.
func (w *Worker) claimPoll(ctx context.Context, waybill string, now time.Time) (store.Shipment, error) {
	s, err := w.db.UpdateShipment(ctx, waybill, func(s *store.Shipment) error {
		if !w.policy.Allowed(s, now) {
			return errSkipped
		}
		countPoll(s, now)
		s.NextPollAt = now.Add(w.policy.MinInterval)
		return nil
	})
	switch {
	case errors.Is(err, errSkipped):
		return s, errSkipped
	case err != nil:
		return s, fmt.Errorf("poll %s: claim: %w", waybill, err)
	}
	return s, nil
}

// queryFailed acts on a query the service refused or that got no answer:
// an account problem pauses every query, a problem with the number backs
// it off for 12 hours and tells a person, anything else is retried with a
// growing back-off and reported once it persists.
func (w *Worker) queryFailed(ctx context.Context, waybill string, qerr error, now time.Time) {
	switch {
	case errors.Is(qerr, kuaidi100.ErrAuth), errors.Is(qerr, kuaidi100.ErrQuota), errors.Is(qerr, kuaidi100.ErrSignature):
		// The account is the problem, not the number: stop asking for a while.
		w.logf("tracking: query %s: %v; pausing all queries for 1 h", waybill, qerr)
		w.pause(now, time.Hour)
	case errors.Is(qerr, kuaidi100.ErrBadCarrier), errors.Is(qerr, kuaidi100.ErrPhoneRequired),
		errors.Is(qerr, kuaidi100.ErrBadRequest), errors.Is(qerr, kuaidi100.ErrBadNumber):
		w.logf("tracking: query %s: %v", waybill, qerr)
		w.setBackoff(waybill, backoffState{fails: 1, until: now.Add(12 * time.Hour)})
		w.raise(ctx, waybill, store.ExcSubscription, "查询物流失败："+userMessage(qerr))
	default:
		// Network, 5xx, busy, malformed, or an answer Kuaidi100 does not
		// document: unknown. Retry later; a person hears of it if it
		// persists.
		if fails := w.transient(waybill, now, qerr); fails == PersistentFailures {
			w.raise(ctx, waybill, store.ExcSubscription, fmt.Sprintf("快递100连续%d次没有返回这票的物流信息（%s）：系统会继续重试；如一直如此，请联系快递100或快递公司", fails, userMessage(qerr)))
		}
	}
}

// succeeded clears the failure state after an answer.
func (w *Worker) succeeded(waybill string) {
	w.mu.Lock()
	delete(w.backoff, waybill)
	w.failRun, w.pauseN = 0, 0
	w.mu.Unlock()
}

func (w *Worker) setBackoff(waybill string, b backoffState) {
	w.mu.Lock()
	w.backoff[waybill] = b
	w.mu.Unlock()
}

// transient backs off one number exponentially (2 min doubling to 2 h) and,
// after three failures in a row across numbers, pauses every query (1 min
// doubling to 30 min). The next query after a pause is the probe: its
// success ends the back-off. Schedules are kept, so due shipments are
// caught up at the global rate once the service answers again.
//
// It returns how many times in a row this number has failed.
func (w *Worker) transient(waybill string, now time.Time, err error) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	b := w.backoff[waybill]
	b.fails++
	d := min(2*time.Minute<<min(b.fails-1, 10), 2*time.Hour)
	b.until = now.Add(d)
	w.backoff[waybill] = b
	w.failRun++
	if w.failRun >= 3 {
		pd := min(time.Minute<<min(w.pauseN, 10), 30*time.Minute)
		w.pauseN++
		if t := now.Add(pd); t.After(w.pauseTill) {
			w.pauseTill = t
		}
		w.logf("tracking: Kuaidi100 unavailable (%v); pausing queries for %v", err, pd)
		return b.fails
	}
	w.logf("tracking: query %s failed (%v); retry in %v", waybill, err, d)
	return b.fails
}

// PersistentFailures is how many failed queries in a row of one number
// (for a reason Kuaidi100 does not document) raise a problem for a person.
const PersistentFailures = 5

// source says where a trace came from.
type source uint8

const (
	sourcePoll source = iota
	sourcePush
)

// apply stores a trace: new events, and, unless the trace is older than
// what is stored, the milestone and raw state. It never moves a milestone
// backwards (see advance). extra, when not nil, edits the shipment in the
// same transaction. After the commit it tells the notifier and the
// listeners and raises the exceptions a new milestone calls for; it returns
// the stored shipment.
func (w *Worker) apply(ctx context.Context, waybill string, tr *kuaidi100.Track, src source, extra func(*store.Shipment)) (store.Shipment, error) {
	post, s, err := w.commit(ctx, waybill, tr, src, extra)
	if err != nil {
		return s, err
	}
	post(ctx)
	return s, nil
}

// commit is apply without the after-commit effects, which it returns as
// post (the push handler replies between the two).
func (w *Worker) commit(ctx context.Context, waybill string, wire *kuaidi100.Track, src source, extra func(*store.Shipment)) (post func(context.Context), _ store.Shipment, _ error) {
	tr := traceOf(wire)
	added := 0
	evs := storable(tr.events)
	if len(evs) > 0 {
		n, err := w.db.AddEvents(ctx, waybill, evs)
		if err != nil {
			return nil, store.Shipment{}, fmt.Errorf("store events %s: %w", waybill, err)
		}
		added = n
	}
	var from, to store.Milestone
	now := w.now()
	s, err := w.db.UpdateShipment(ctx, waybill, func(s *store.Shipment) error {
		from = s.Milestone
		// AddEvents leaves the count to its caller. A trace carries the
		// whole history, so its distinct lines are a floor: that mends the
		// count when an earlier write of this shipment failed after its
		// events were stored (the retry then adds none).
		s.EventCount = max(s.EventCount+added, distinct(evs))
		if merge(s, tr) {
			w.setLeg(waybill, newestLeg(tr))
		}
		if extra != nil {
			extra(s)
		}
		if src == sourcePush {
			s.Subscription.LastPushAt = now
		}
		s.NextPollAt = w.schedule(s, now)
		to = s.Milestone
		return nil
	})
	if err != nil {
		return nil, s, fmt.Errorf("store trace %s: %w", waybill, err)
	}
	post = func(ctx context.Context) {
		if to != from {
			w.logf("tracking: %s %s -> %s", waybill, from, to)
			w.milestoneReached(ctx, s, to)
		}
		w.changed(s)
	}
	return post, s, nil
}

// storable drops trace lines the store would refuse (no time, no text):
// one bad line must not cost the others.
func storable(evs []store.TrackingEvent) []store.TrackingEvent {
	out := evs[:0:0]
	for _, e := range evs {
		if !e.Time.IsZero() && strings.TrimSpace(e.Context) != "" && e.Milestone.Valid() {
			out = append(out, e)
		}
	}
	return out
}

// distinct counts the events the store tells apart (instant and text).
func distinct(evs []store.TrackingEvent) int {
	type key struct {
		ns  int64
		ctx string
	}
	seen := make(map[key]bool, len(evs))
	for _, e := range evs {
		seen[key{e.Time.UnixNano(), e.Context}] = true
	}
	return len(seen)
}

// merge folds a trace into s unless it is older than what s already knows;
// fresh reports that the trace's newest event is (one of) the newest known.
func merge(s *store.Shipment, tr trace) (fresh bool) {
	// Record when each milestone was first reached, from the trace itself.
	for i := len(tr.events) - 1; i >= 0; i-- {
		ev := tr.events[i]
		if ev.Milestone != store.MilestoneUnknown && ev.Milestone.Valid() && !ev.Time.IsZero() && reachable(s, ev.Milestone) {
			s.SetMilestoneTime(ev.Milestone, ev.Time)
		}
	}
	var newest time.Time
	var newestEv *store.TrackingEvent
	for i := range tr.events {
		if tr.events[i].Time.After(newest) {
			newest, newestEv = tr.events[i].Time, &tr.events[i]
		}
	}
	if newest.Before(s.LastEventAt) {
		return false // an old push or a slow poll: never overwrite newer data
	}
	if newest.IsZero() && tr.milestone == store.MilestoneUnknown {
		return false
	}
	m := tr.milestone
	raw := tr.state
	if m == store.MilestoneUnknown && newestEv != nil {
		m, raw = newestEv.Milestone, newestEv.RawState
	}
	if newestEv != nil && newestEv.RawState != "" && milestoneOf(newestEv.RawState) == m {
		raw = newestEv.RawState // the advanced sub-code (1001, 501) drives the poll stage
	}
	if newest.After(s.LastEventAt) {
		s.LastEventAt = newest
	}
	if m == s.Milestone || !m.Valid() || m == store.MilestoneUnknown {
		if m == s.Milestone && raw != "" {
			s.RawState = raw
		}
		return true
	}
	if !advance(s, m) {
		return true
	}
	at := newest
	if at.IsZero() {
		at = s.UpdatedAt
	}
	s.Milestone = m
	s.RawState = raw
	if !at.IsZero() {
		s.SetMilestoneTime(m, at)
	}
	return true
}

// newestLeg returns the leg of the newest event of tr.
func newestLeg(tr trace) Leg {
	var newest *store.TrackingEvent
	for i := range tr.events {
		if newest == nil || tr.events[i].Time.After(newest.Time) {
			newest = &tr.events[i]
		}
	}
	if newest == nil {
		return LegUnknown
	}
	return LegOf(newest.Context)
}

// rank orders the normal journey; the problem and return families have no
// rank.
func rank(m store.Milestone) int {
	switch m {
	case store.MilestoneUnknown:
		return 0
	case store.MilestoneOrdered:
		return 1
	case store.MilestonePickedUp:
		return 2
	case store.MilestoneInTransit, store.MilestoneCustoms:
		return 3
	case store.MilestoneOutForDelivery:
		return 4
	case store.MilestoneDelivered:
		return 5
	}
	return -1
}

// reachedRank is the furthest point of the normal journey s has reached.
func reachedRank(s *store.Shipment) int {
	r := max(rank(s.Milestone), 0)
	for _, m := range []store.Milestone{store.MilestoneOrdered, store.MilestonePickedUp, store.MilestoneInTransit, store.MilestoneCustoms, store.MilestoneOutForDelivery} {
		if !s.MilestoneTime(m).IsZero() {
			r = max(r, rank(m))
		}
	}
	return r
}

// reachable reports whether recording a first-reached time for m makes
// sense for s (not for a milestone after a terminal one).
func reachable(s *store.Shipment, m store.Milestone) bool {
	return !s.Milestone.Terminal() || m == s.Milestone
}

// advance reports whether s may move from its milestone to m (m newer by
// event time). Terminal milestones never change. The problem and return
// family may be entered from any non-terminal state; otherwise the normal
// journey only moves forward: a parcel that was out for delivery does not
// go back to "in transit" because a late event says so, and a problem
// that is resolved resumes at the furthest point reached. From returning
// only an end (returned, refused, delivered, cancelled) or a problem
// follows.
func advance(s *store.Shipment, m store.Milestone) bool {
	cur := s.Milestone
	switch {
	case cur.Terminal():
		return false
	case m == store.MilestoneProblem, m == store.MilestoneReturning, m.Terminal():
		return true
	case cur == store.MilestoneReturning:
		return false
	case cur == store.MilestoneProblem:
		return rank(m) >= reachedRank(s)
	}
	return rank(m) >= rank(cur)
}

// milestoneReached tells the notifier and raises the exception the new
// milestone calls for.
func (w *Worker) milestoneReached(ctx context.Context, s store.Shipment, m store.Milestone) {
	switch m {
	case store.MilestoneProblem:
		w.raise(ctx, s.Waybill, store.ExcProblem, "疑难件："+stateText(s)+"，请联系快递公司或收件人处理")
	case store.MilestoneRefused:
		w.raise(ctx, s.Waybill, store.ExcRefused, "收件人拒签，请联系收件人并安排退回或重新寄送")
	case store.MilestoneReturning:
		w.raise(ctx, s.Waybill, store.ExcReturned, "快件正在退回，请联系收件人确认原因")
	case store.MilestoneReturned:
		w.raise(ctx, s.Waybill, store.ExcReturned, "快件已退回并由寄件方签收，请核对后重新安排寄送")
	}
	if w.notifier == nil {
		return
	}
	if err := w.notifier.Notify(ctx, s, m); err != nil && ctx.Err() == nil {
		w.logf("tracking: notify %s %s: %v", s.Waybill, m, err)
	}
}

func stateText(s store.Shipment) string {
	if n := kuaidi100.StateName(s.RawState); n != "" {
		return n
	}
	return s.Milestone.Chinese()
}

// userMessage returns the clerk's sentence of a Kuaidi100 error.
func userMessage(err error) string {
	var ke *kuaidi100.Error
	if errors.As(err, &ke) && ke.Message != "" {
		return ke.Message
	}
	return err.Error()
}

// keepCourier stores the couriers a query named (needCourierInfo) on the
// shipment, so a clerk can call about a problem parcel; a name or phone the
// answer left out keeps what an earlier answer said.
func keepCourier(s *store.Shipment, c kuaidi100.Courier) {
	set := func(dst *string, v string) {
		if v = strings.TrimSpace(v); v != "" {
			*dst = v
		}
	}
	set(&s.Courier.PickupName, c.PickupName)
	set(&s.Courier.PickupPhone, c.PickupPhone)
	set(&s.Courier.DeliveryName, c.DeliveryName)
	set(&s.Courier.DeliveryPhone, c.DeliveryPhone)
}
