package tracking

import (
	"context"
	"errors"
	"fmt"
	"time"

	"shipdesk/kuaidi100"
	"shipdesk/store"
)

// MaxSubscriptionsPerMonth is Kuaidi100's limit for one carrier and number.
// The service answers a fifth subscription with the same 501 as a
// duplicate, so the worker counts its own (Subscription.MonthCount) and
// never sends one past the limit.
const MaxSubscriptionsPerMonth = kuaidi100.SubscriptionsPerMonth

// ResubscribeAfter is how long to wait after an abort push before
// subscribing again, as Kuaidi100 asks.
const ResubscribeAfter = 30 * time.Minute

// monthCount returns the subscriptions of s in now's month.
func monthCount(s *store.Shipment, now time.Time) int {
	if s.Subscription.Month != monthOf(now) {
		return 0
	}
	return s.Subscription.MonthCount
}

// needsSubscribe reports whether s should be (re)subscribed at some point
// under the current callback URL and this month's limit.
func (w *Worker) needsSubscribe(s *store.Shipment, now time.Time) bool {
	_, ok := w.subscribeDue(s, now)
	return ok
}

// subscribeDue returns when s should next be (re)subscribed, and false when
// it should not be: terminal, over this month's limit, or subscribed with
// the current URL.
func (w *Worker) subscribeDue(s *store.Shipment, now time.Time) (time.Time, bool) {
	if s.Milestone.Terminal() || monthCount(s, now) >= MaxSubscriptionsPerMonth {
		return time.Time{}, false
	}
	sub := s.Subscription
	var at time.Time
	switch sub.State {
	case store.SubNone, store.SubPollOnly:
		at = now
	case store.SubFailed:
		at = now
	case store.SubActive:
		if sub.CallbackURL == w.pushURL {
			return time.Time{}, false
		}
		at = now // the station's address changed
	case store.SubAborted:
		at = sub.LastPushAt.Add(ResubscribeAfter)
	case store.SubOverLimits:
		at = now // a new month: the limit reset (checked above)
	default: // shutdown: the service finished; polls take over
		return time.Time{}, false
	}
	w.mu.Lock()
	if b, ok := w.subRetry[s.Waybill]; ok && b.until.After(at) {
		at = b.until
	}
	w.mu.Unlock()
	return at, true
}

// Subscribe makes sure waybill is tracked: with pushes enabled it
// subscribes the number with the callback URL and a fresh salt (within the
// monthly limit), otherwise it marks the shipment poll-only; either way the
// shipment gets its next poll time. Shipping calls it after a waybill is
// issued. A failed subscription is stored and retried by Run; the error is
// returned so the caller can show it. An already-active subscription with
// the current URL is left alone.
func (w *Worker) Subscribe(ctx context.Context, waybill string) error {
	s, err := w.db.Shipment(ctx, waybill)
	if err != nil {
		return fmt.Errorf("subscribe %s: %w", waybill, err)
	}
	defer w.nudge()
	if s.Milestone.Terminal() {
		return nil
	}
	now := w.now()
	if !w.pushEnabled() {
		upd, err := w.db.UpdateShipment(ctx, waybill, func(s *store.Shipment) error {
			if s.Subscription.State == store.SubNone {
				s.Subscription.State = store.SubPollOnly
			}
			s.NextPollAt = w.schedule(s, now)
			return nil
		})
		if err != nil {
			return fmt.Errorf("subscribe %s: %w", waybill, err)
		}
		w.changed(upd)
		return nil
	}
	if !w.needsSubscribe(&s, now) {
		if monthCount(&s, now) >= MaxSubscriptionsPerMonth && s.Subscription.State != store.SubActive {
			w.markOverLimit(ctx, waybill, now)
		} else if s.NextPollAt.IsZero() {
			w.reschedule(ctx, waybill)
		}
		return nil
	}
	return w.subscribe(ctx, waybill)
}

func (w *Worker) markOverLimit(ctx context.Context, waybill string, now time.Time) {
	upd, err := w.db.UpdateShipment(ctx, waybill, func(s *store.Shipment) error {
		s.Subscription.State = store.SubOverLimits
		s.NextPollAt = w.schedule(s, now)
		return nil
	})
	if err != nil {
		w.logf("tracking: subscribe %s: %v", waybill, err)
		return
	}
	w.changed(upd)
}

// subscribe sends one subscription at the subscribe rate and stores the
// outcome and the next action time.
func (w *Worker) subscribe(ctx context.Context, waybill string) error {
	if d := w.subs.reserve(w.now()); d > 0 && !w.sleep(ctx, d) {
		return ctx.Err()
	}
	s, err := w.saltedShipment(ctx, waybill)
	if err != nil {
		return fmt.Errorf("subscribe %s: %w", waybill, err)
	}
	salt, url := s.Subscription.Salt, w.pushURL
	serr := w.client.Subscribe(ctx, kuaidi100.SubscribeRequest{
		Com: s.Carrier, Num: s.Waybill, Phone: s.RecipientPhone, CallbackURL: url, Salt: salt,
		From: CityOf(s.SenderAddr), To: CityOf(s.RecipientAddr),
	})
	if serr != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	now := w.now()
	w.subscribeRetry(ctx, waybill, serr, now)
	// The outcome is written even if ctx ended after the service answered.
	upd, err := w.db.UpdateShipment(context.WithoutCancel(ctx), waybill, func(s *store.Shipment) error {
		recordSubscription(&s.Subscription, url, salt, serr, now)
		s.NextPollAt = w.schedule(s, now)
		return nil
	})
	if err != nil {
		return fmt.Errorf("subscribe %s: %w", waybill, err)
	}
	w.changed(upd)
	if serr != nil {
		return fmt.Errorf("subscribe %s: %w", waybill, serr)
	}
	return nil
}

// saltedShipment returns the shipment with its push salt, stored first if
// it had none. The salt is stored before the request leaves: the service
// keeps the salt of the first subscription it accepts and ignores a
// repeat as a duplicate (501), so a salt it may hold must never be lost (a
// stop between the answer and the store write, or two callers at once).
func (w *Worker) saltedShipment(ctx context.Context, waybill string) (store.Shipment, error) {
	s, err := w.db.Shipment(ctx, waybill)
	if err == nil && s.Subscription.Salt == "" {
		s, err = w.db.UpdateShipment(ctx, waybill, func(s *store.Shipment) error {
			if s.Subscription.Salt == "" {
				s.Subscription.Salt = newSalt()
			}
			return nil
		})
	}
	return s, err
}

// subscribeRetry keeps the back-off of a number's subscriptions: cleared
// on success, growing from 5 minutes to 6 hours with each failure. A
// failure a person must fix (carrier or request refused) raises an
// exception.
func (w *Worker) subscribeRetry(ctx context.Context, waybill string, serr error, now time.Time) {
	w.mu.Lock()
	if serr == nil {
		delete(w.subRetry, waybill)
		w.mu.Unlock()
		return
	}
	b := w.subRetry[waybill]
	b.fails++
	b.until = now.Add(min(5*time.Minute<<min(b.fails-1, 10), 6*time.Hour))
	w.subRetry[waybill] = b
	w.mu.Unlock()
	w.logf("tracking: subscribe %s failed (%v); retry after %s", waybill, serr, b.until.Sub(now))
	if errors.Is(serr, kuaidi100.ErrBadCarrier) || errors.Is(serr, kuaidi100.ErrBadRequest) {
		w.raise(ctx, waybill, store.ExcSubscription, "订阅物流推送失败："+userMessage(serr))
	}
}

// recordSubscription writes a subscription's outcome (serr nil: accepted
// with url and salt at now) and counts it in its calendar month.
func recordSubscription(sub *store.Subscription, url, salt string, serr error, now time.Time) {
	if m := monthOf(now); sub.Month != m {
		sub.Month, sub.MonthCount = m, 0
	}
	if serr != nil {
		sub.State = store.SubFailed
		sub.Error = userMessage(serr)
		return
	}
	sub.State = store.SubActive
	sub.CallbackURL = url
	sub.Salt = salt
	sub.SubscribedAt = now
	sub.MonthCount++
	sub.Error = ""
}
