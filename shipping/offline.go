package shipping

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"

	"shipdesk/assets/i18n"
	"shipdesk/kuaidi100"
	"shipdesk/printer"
	"shipdesk/printer/label"
	"shipdesk/store"
)

// CheckWaiting raises an ExcNoWaybill exception (Waybill holds the order
// id) for every order that has waited for its waybill number longer than
// the manager allows (CounterSettings.WaitingMax). It returns how many it
// raised; the housekeeper calls it.
func (s *Service) CheckWaiting(ctx context.Context) (int, error) {
	st, err := s.d.DB.Settings(ctx)
	if err != nil {
		return 0, fmt.Errorf("check waiting orders: %w", err)
	}
	max := st.Counter.WaitingMax()
	orders, err := s.d.DB.OrdersByStep(ctx, store.StepSaved)
	if err != nil {
		return 0, fmt.Errorf("check waiting orders: %w", err)
	}
	now := s.now()
	n := 0
	for _, o := range orders {
		if o.Waybill != "" || now.Sub(o.CreatedAt) < max {
			continue
		}
		raised, err := s.d.DB.RaiseException(ctx, &store.Exception{Waybill: o.ID, Kind: store.ExcNoWaybill, RaisedAt: now,
			Detail: i18n.F("Order %s (%s) has waited more than %d minutes for its waybill number: %s", o.ID, maskName(o.Recipient.Name), int(max.Minutes()), o.LastError)})
		if err != nil {
			return n, fmt.Errorf("check waiting orders: %w", err)
		}
		if raised {
			n++
		}
	}
	return n, nil
}

// ErrWaitingForNumber means Kuaidi100 or the network is down; the order is kept
// as 待取号 and the Retrier obtains its number (and prints its label at this
// station) once the service answers again. The clerk moves on.
var ErrWaitingForNumber = errors.New("waiting for a waybill number: kuaidi100 or the network is down")

// WaitingError is what Ship returns (inside the *i18n.Error the clerk
// reads) for an order kept as 待取号. It matches ErrWaitingForNumber and
// unwraps to the network error.
type WaitingError struct {
	OrderID string
	Err     error
}

func (e *WaitingError) Error() string {
	return fmt.Sprintf("order %s: %v: %v", e.OrderID, ErrWaitingForNumber, e.Err)
}

// Is reports whether target is ErrWaitingForNumber.
func (e *WaitingError) Is(target error) bool { return target == ErrWaitingForNumber }

// Unwrap returns the network error.
func (e *WaitingError) Unwrap() error { return e.Err }

// waitingKey is the sentence the clerk reads for a waiting order; the
// network error's own sentence would say only that the network failed.
var waitingKey = i18n.N("Kuaidi100 cannot be reached: the order is kept as waiting for its number and is issued and printed by itself when the service is back. Go on with the next patient.")

// networkDown reports whether err means Kuaidi100 could not be reached or
// is out of service, as opposed to refusing the order: a timeout, a
// connection that failed, an HTTP 5xx, a server or busy answer.
func networkDown(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false // the caller gave up; not the network
	}
	var ne net.Error
	var ke *kuaidi100.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, kuaidi100.ErrServer), errors.Is(err, kuaidi100.ErrBusy):
		return true
	case errors.As(err, &ne):
		return true
	case errors.As(err, &ke) && strings.HasPrefix(ke.Code, "http5"):
		return true
	}
	var ue *url.Error
	return errors.As(err, &ue)
}

// wait keeps o as 待取号 when err says the service is down, remembering
// where its label is to print; it returns the *WaitingError to report, or
// nil when err is not a network failure.
func (s *Service) wait(ctx context.Context, o *store.Order, opt ShipOptions, err error) error {
	if !networkDown(ctx, err) {
		return nil
	}
	if o.Waiting == nil {
		o.Waiting = &store.WaitingFor{Station: s.d.Station, PrinterURI: opt.PrinterURI, DPI: opt.DPI,
			Language: opt.Language.String(), NoPrint: opt.NoPrint, Since: s.now()}
		if opt.Size != (label.Size{}) {
			o.Waiting.Size = opt.Size.String()
		}
	}
	o.Waiting.Tries++
	return i18n.Wrap(&WaitingError{OrderID: o.ID, Err: err}, waitingKey)
}

// Waiting lists the orders of this station waiting for their waybill
// number, oldest first (anyone who may ship).
func (s *Service) Waiting(ctx context.Context, u User) ([]store.Order, error) {
	if err := s.allow(u, ActShip); err != nil {
		return nil, err
	}
	orders, err := s.d.DB.OrdersByStep(ctx, store.StepSaved)
	if err != nil {
		return nil, fmt.Errorf("waiting orders: %w", err)
	}
	var out []store.Order
	for _, o := range orders {
		if o.Waiting != nil && o.Waybill == "" && o.Waiting.Station == s.d.Station {
			out = append(out, o)
		}
	}
	return out, nil
}

// Retrier obtains the waybill numbers of the orders waiting at this station
// once Kuaidi100 answers again: each order is resumed under its own id
// (orderId with reorder=false, so a reply lost on the way never becomes a
// second waybill), with backoff between rounds, and its label prints at
// this station with the options the clerk had (or waits in the print
// queue, failed, when the printer is not ready). Create it with
// NewRetrier; Run owns its goroutine; Kick and RetryDue are safe to call
// from any goroutine.
type Retrier struct {
	s        *Service
	min, max time.Duration
	kick     chan struct{}

	mu        sync.Mutex
	listeners map[int]func(*ShipResult, error)
	nextID    int
	next      time.Time // the next round when the last failed
	wait      time.Duration
}

// NewRetrier retries after min at first, doubling to max (0: 30 s and
// 10 minutes).
func (s *Service) NewRetrier(min, max time.Duration) *Retrier {
	if min <= 0 {
		min = 30 * time.Second
	}
	if max <= 0 {
		max = 10 * time.Minute
	}
	return &Retrier{s: s, min: min, max: max, kick: make(chan struct{}, 1)}
}

// Listen registers fn to hear of every waiting order that got its number
// (res has the print job and any warning for the clerk, e.g. the printer
// was not ready) or was refused (err, not a network failure). fn runs on
// the retrier's goroutine and must return quickly. cancel removes it.
func (r *Retrier) Listen(fn func(res *ShipResult, err error)) (cancel func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.listeners == nil {
		r.listeners = map[int]func(*ShipResult, error){}
	}
	id := r.nextID
	r.nextID++
	r.listeners[id] = fn
	return func() {
		r.mu.Lock()
		delete(r.listeners, id)
		r.mu.Unlock()
	}
}

func (r *Retrier) tell(res *ShipResult, err error) {
	r.mu.Lock()
	fns := make([]func(*ShipResult, error), 0, len(r.listeners))
	for _, fn := range r.listeners {
		fns = append(fns, fn)
	}
	r.mu.Unlock()
	for _, fn := range fns {
		fn(res, err)
	}
}

// Kick asks for a round now (a new order was kept waiting, or a person
// pressed 重试).
func (r *Retrier) Kick() {
	r.mu.Lock()
	r.next = time.Time{}
	r.mu.Unlock()
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// Run retries until ctx ends, then returns nil.
func (r *Retrier) Run(ctx context.Context) error {
	t := time.NewTimer(r.min)
	defer t.Stop()
	for {
		d := r.RetryDue(ctx)
		t.Reset(d)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-r.kick:
		}
	}
}

// RetryDue runs one round if one is due and returns how long to wait for
// the next: the backoff while the service is still down, else min.
func (r *Retrier) RetryDue(ctx context.Context) time.Duration {
	now := r.s.now()
	r.mu.Lock()
	if now.Before(r.next) {
		d := r.next.Sub(now)
		r.mu.Unlock()
		return d
	}
	r.mu.Unlock()
	orders, err := r.s.Waiting(ctx, System)
	if err != nil {
		r.s.logf("shipping: retrier: %v", err)
		return r.min
	}
	down := false
	for _, o := range orders {
		if ctx.Err() != nil {
			return r.min
		}
		w := o.Waiting
		opt := ShipOptions{PrinterURI: w.PrinterURI, DPI: w.DPI, Language: printer.LanguageOr(w.Language, ""), NoPrint: w.NoPrint}
		if w.Size != "" {
			opt.Size, _ = label.ParseSize(w.Size)
		}
		who := User{Name: o.CreatedBy, Role: store.RoleFrontDesk}
		if who.Name == "" {
			who = System
		}
		res, err := r.s.run(ctx, who, o.ID, opt)
		if errors.Is(err, ErrWaitingForNumber) {
			down = true
			break // still down: the others would fail the same way
		}
		if err != nil {
			r.s.logf("shipping: retrier: order %s: %v", o.ID, err)
			if serr := r.stopWaiting(ctx, o.ID); serr != nil {
				r.s.logf("shipping: retrier: %v", serr)
			}
		} else {
			r.s.logf("shipping: retrier: order %s got waybill %s", o.ID, res.Order.Waybill)
		}
		r.tell(res, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !down {
		r.wait, r.next = 0, time.Time{}
		return r.min
	}
	if r.wait == 0 {
		r.wait = r.min
	} else if r.wait *= 2; r.wait > r.max {
		r.wait = r.max
	}
	r.next = now.Add(r.wait)
	return r.wait
}

// stopWaiting takes an order the service refused (not a network failure)
// off the waiting list; it stays saved with its error for a person.
func (r *Retrier) stopWaiting(ctx context.Context, id string) error {
	o, err := r.s.d.DB.Order(ctx, id)
	if err != nil {
		return err
	}
	if o.Waybill != "" || o.Waiting == nil {
		return nil
	}
	o.Waiting = nil
	return r.s.d.DB.SaveOrder(ctx, &o)
}
