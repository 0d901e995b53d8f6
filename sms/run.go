package sms

import (
	"context"
	"errors"
	"fmt"
	"time"

	"shipdesk/store"
)

// Run sends held messages when quiet hours end and reconciles interrupted
// sends, until ctx ends; then it returns nil. It wakes at the earliest
// held message's SendAfter, when Notify or Resend holds a new one, and every
// Config.Rescan otherwise. Store errors are logged and retried at the next
// wake-up. Call it once per Notifier.
func (n *Notifier) Run(ctx context.Context) error {
	for {
		if err := n.Reconcile(ctx); err != nil && ctx.Err() == nil {
			n.logf("sms: %v", err)
		}
		next, err := n.ReleaseDue(ctx)
		if err != nil && ctx.Err() == nil {
			n.logf("sms: %v", err)
		}
		wait := n.rescan
		if !next.IsZero() {
			wait = min(wait, max(next.Sub(n.now()), 0))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		case <-n.kick:
			t.Stop()
		}
	}
}

// Reconcile marks every intent older than Config.StaleIntent as failed with
// ReplyUnknown: its send was interrupted and, since the provider cannot be
// asked whether it went out, it is never resent automatically. Run calls it;
// it is exported for the CLI and tests.
func (n *Notifier) Reconcile(ctx context.Context) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	intents, err := n.db.SMSInState(ctx, store.SMSIntent)
	if err != nil {
		return fmt.Errorf("reconcile intents: %w", err)
	}
	now := n.now()
	for _, m := range intents {
		// A held message becomes an intent when released, at or after
		// SendAfter. (UpdatedAt is the store's clock, not ours.)
		decided := m.CreatedAt
		if m.SendAfter.After(decided) {
			decided = m.SendAfter
		}
		if now.Sub(decided) < n.stale {
			continue
		}
		_, err := n.db.UpdateSMS(ctx, m.ID, func(cur *store.SMSMessage) error {
			if cur.State != store.SMSIntent {
				return nil
			}
			cur.State = store.SMSFailed
			cur.Reply = joinReply(cur.Reply, ReplyUnknown)
			cur.UpdatedAt = now
			return nil
		})
		if err != nil {
			return fmt.Errorf("reconcile intent %s: %w", m.OutOrder, err)
		}
		n.logf("sms: %s %s (%s): send interrupted, outcome unknown; marked failed", m.Waybill, m.Milestone, m.OutOrder)
	}
	return nil
}

// ReleaseDue sends every held message whose SendAfter has passed, checking
// the rule, the opt-out, quiet hours and the cap again. It returns the
// earliest SendAfter still in the future (zero when none). Run calls it; it
// is exported for the CLI and tests.
func (n *Notifier) ReleaseDue(ctx context.Context) (next time.Time, err error) {
	held, err := n.db.SMSInState(ctx, store.SMSHeld)
	if err != nil {
		return time.Time{}, fmt.Errorf("release held: %w", err)
	}
	var errs []error
	for _, m := range held {
		if ctx.Err() != nil {
			return next, ctx.Err()
		}
		if m.SendAfter.After(n.now()) {
			if next.IsZero() || m.SendAfter.Before(next) {
				next = m.SendAfter
			}
			continue
		}
		later, err := n.release(ctx, m)
		if err != nil {
			errs = append(errs, err)
		}
		if !later.IsZero() && (next.IsZero() || later.Before(next)) {
			next = later
		}
	}
	if len(errs) > 0 {
		return next, fmt.Errorf("release held: %w (and %d more)", errs[0], len(errs)-1)
	}
	return next, nil
}

const replyNoShipment = "运单已不在系统中，未发送"

// release decides again for one held message and sends it. It returns a new
// SendAfter when the message must wait longer.
func (n *Notifier) release(ctx context.Context, m store.SMSMessage) (time.Time, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	st, err := n.db.Settings(ctx)
	if err != nil {
		return time.Time{}, err
	}
	skip, err := n.heldRefusal(ctx, st, m)
	if err != nil {
		return time.Time{}, err
	}
	var later time.Time
	if skip == "" {
		if later, skip, err = n.heldWait(ctx, st, m); err != nil {
			return time.Time{}, err
		}
	}
	changed := false
	cur, err := n.db.UpdateSMS(ctx, m.ID, func(cur *store.SMSMessage) error {
		if cur.State != store.SMSHeld {
			return nil
		}
		changed = true
		cur.UpdatedAt = n.now()
		switch {
		case skip != "":
			cur.State = store.SMSSkipped
			cur.Reply = joinReply(cur.Reply, skip)
		case !later.IsZero():
			cur.SendAfter = later
		default:
			// Recorded as intent before the provider is called.
			cur.State = store.SMSIntent
		}
		return nil
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("update held %s: %w", m.OutOrder, err)
	}
	if !changed || cur.State != store.SMSIntent {
		return later, nil
	}
	_, err = n.send(ctx, cur)
	return time.Time{}, err
}

// heldRefusal is why a held message may no longer go out (SMS or its
// rule switched off since, the shipment gone, the patient opted out or
// without a mobile), or "".
func (n *Notifier) heldRefusal(ctx context.Context, st store.Settings, m store.SMSMessage) (string, error) {
	rule, ok := ruleFor(st.SMS, m.Milestone)
	if !st.SMS.Enabled || !ok || !rule.Enabled && !isManual(m) {
		return ReplyDisabled, nil
	}
	s, err := n.db.Shipment(ctx, m.Waybill)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return replyNoShipment, nil
	case err != nil:
		return "", fmt.Errorf("shipment %s: %w", m.Waybill, err)
	}
	return refusal(st, s), nil
}

// heldWait is when a held message that may go out is to: later when it
// is still quiet hours, skip (and the cap exception) when the daily cap
// leaves no room, both zero for now.
func (n *Notifier) heldWait(ctx context.Context, st store.Settings, m store.SMSMessage) (later time.Time, skip string, err error) {
	now := n.now().In(n.loc)
	if q := n.quietHours(st); q.contains(now) {
		return q.nextEnd(now), "", nil
	}
	reason, err := n.capReason(ctx, st, m.CostFen)
	if err != nil {
		return time.Time{}, "", err
	}
	if reason != "" {
		n.raiseCap(ctx, reason)
	}
	return time.Time{}, reason, nil
}
