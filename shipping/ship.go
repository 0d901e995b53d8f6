package shipping

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"shipdesk/assets/i18n"
	"shipdesk/printer"
	"shipdesk/printer/label"
	"shipdesk/store"
	"time"
)

// ShipOptions choose where and how the label prints. Zero fields take the
// settings (label size and resolution, the printer profile for the size)
// and then Deps.DefaultPrinter.
type ShipOptions struct {
	PrinterURI string
	Size       label.Size
	DPI        int
	Language   printer.Language // empty: the printer profile's (resolvePrint)
	// NoPrint issues the waybill and subscribes it but queues no label
	// (for a clerk who prints later by reprinting).
	NoPrint bool
}

// ShipResult is how far Ship got. When the waybill exists, Ship returns a
// nil error even if printing or subscribing failed: Order.Step says which
// step is next, Order.LastError and Warning say what went wrong, and Job
// holds the print job (state failed with its error when the printer
// refused; the clerk fixes the printer and retries the job).
type ShipResult struct {
	Order    store.Order
	Shipment store.Shipment
	Job      store.PrintJob
	Preview  *image.Gray // the label as printed; nil if it could not be rendered
	// Warning is a Chinese sentence for the clerk when something after the
	// waybill did not work; empty when everything did.
	Warning string
	// LabelWarnings name the characters the label printed as boxes (the
	// font cannot draw them), field by field; empty when every character
	// printed, and when this call laid out no label (a resumed order whose
	// label was already queued).
	LabelWarnings []GlyphWarning
}

// Done reports whether every step finished.
func (r *ShipResult) Done() bool { return r != nil && r.Order.Step == store.StepDone }

// fingerprint identifies an order's content: everything that goes on the
// waybill and the label (not the id, step or times). Two orders with the
// same fingerprint would get the same waybill.
func fingerprint(o store.Order) string {
	o.ID, o.Waybill, o.Step, o.LastError, o.CreatedBy = "", "", "", "", ""
	o.CreatedAt, o.UpdatedAt, o.Waiting = time.Time{}, time.Time{}, nil
	b, _ := json.Marshal(o) // plain strings and numbers: cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// closedWithoutWaybill reports whether o was closed before it got a waybill
// (replaced by a corrected order).
func closedWithoutWaybill(o store.Order) bool {
	return o.Step == store.StepDone && o.Waybill == ""
}

// Ship validates and saves o, then runs every step: waybill, routing data,
// label, print job, tracking subscription. An order with an id already
// stored is resumed instead (so calling Ship twice never issues twice); an
// id the store does not know is ignored (new orders get the store's id). An
// order without an id whose content is identical to one submitted within
// Deps.DedupWindow (a double click), or to a stored order whose label was
// never queued (a retry after a failure or an interruption), resumes that
// order, so a lost reply never turns into a second waybill. A stored order with no waybill
// whose content the clerk changed is closed and shipped as a new order. It
// returns a *ValidationError (ErrInvalidOrder) for bad input and the
// Kuaidi100 error (with the order saved and LastError set) when no waybill
// could be obtained; see ShipResult for the rest.
func (s *Service) Ship(ctx context.Context, u User, o store.Order, opt ShipOptions) (*ShipResult, error) {
	if err := s.allow(u, ActShip); err != nil {
		return nil, err
	}
	o = normalizeOrder(o)
	replaces := ""
	if o.ID != "" {
		stored, err := s.d.DB.Order(ctx, o.ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			// Not an id the store assigned: it hands out SD<day>-<seq>
			// without looking, so a later order could get this id, replace
			// this order and be given its waybill (same orderId). New
			// orders always get the store's id.
			o.ID = ""
		case err != nil:
			return nil, fmt.Errorf("ship: load order %s: %w", o.ID, err)
		case closedWithoutWaybill(stored),
			stored.Step == store.StepSaved && stored.Waybill == "" && fingerprint(stored) != fingerprint(o):
			// No waybill, and the order was closed or the clerk corrected
			// it. The last try may still have issued a waybill for the old
			// content (a timeout), which the same orderId would return; so
			// the content is shipped under another id and the old order
			// closed.
			replaces, o.ID = o.ID, ""
		default:
			return s.run(ctx, u, stored.ID, opt)
		}
	}
	if errs := checkOrder(o, knownCarrier); len(errs) > 0 {
		return nil, &ValidationError{Fields: errs}
	}
	fp := fingerprint(o)
	unlock := s.lock("fp:" + fp)
	defer unlock()
	id, err := s.sameOrder(ctx, fp, replaces)
	if err != nil {
		return nil, err
	}
	if replaces != "" {
		newID, waybill, err := s.supersede(ctx, u, &o, replaces, id)
		if err != nil {
			return nil, err
		}
		if waybill != "" {
			// It got its waybill meanwhile (another window resumed it).
			res, err := s.run(ctx, u, replaces, opt)
			if res != nil && err == nil {
				res.Warning = i18n.F("This order already had waybill %s before it was changed, so the change did not take effect; to ship the new content, cancel that waybill first.", waybill)
			}
			return res, err
		}
		id = newID
	} else if id != "" {
		s.logf("shipping: identical order, resuming %s instead of creating another", id)
	} else {
		if err := s.saveNew(ctx, u, &o); err != nil {
			return nil, err
		}
		id = o.ID
	}
	s.remember(fp, id)
	return s.run(ctx, u, id, opt)
}

// supersede replaces the stored order old (no waybill, closed or
// corrected) by o under old's lock: o is saved as a new order unless id
// (an identical order to resume) is given, and old is closed naming the
// order that replaces it. When old got its waybill meanwhile nothing
// changes and waybill is that waybill: the caller resumes old instead. The
// lock is released on every return, before the caller runs either order.
func (s *Service) supersede(ctx context.Context, u User, o *store.Order, old, id string) (newID, waybill string, err error) {
	unlock := s.lock(old)
	defer unlock()
	prev, err := s.d.DB.Order(ctx, old)
	if err != nil {
		return "", "", fmt.Errorf("ship: load order %s: %w", old, err)
	}
	if prev.Waybill != "" {
		return "", prev.Waybill, nil
	}
	if id == "" {
		if err := s.saveNew(ctx, u, o); err != nil {
			return "", "", err
		}
		id = o.ID
	}
	if !closedWithoutWaybill(prev) {
		prev.Step, prev.LastError = store.StepDone, i18n.F("Changed: shipped as new order %s.", id)
		if err := s.d.DB.SaveOrder(ctx, &prev); err != nil {
			s.logf("shipping: close corrected order %s: %v", prev.ID, err)
		}
	}
	return id, "", nil
}

// sameOrder returns the order with content fp that Ship should resume
// rather than create: the one shipped within Deps.DedupWindow, else a
// stored order whose label was never queued: still without its waybill
// (its reply was lost or Kuaidi100 failed; reorder=false returns any waybill
// already issued for its id) or stopped right after it (interrupted, or the
// label could not be made). except is never returned. Call it holding the
// fingerprint's lock.
func (s *Service) sameOrder(ctx context.Context, fp, except string) (string, error) {
	if id := s.recentID(fp); id != "" && id != except {
		if o, err := s.d.DB.Order(ctx, id); err == nil && !closedWithoutWaybill(o) {
			return id, nil
		}
	}
	for _, st := range []store.OrderStep{store.StepWaybilled, store.StepSaved} {
		os, err := s.d.DB.OrdersByStep(ctx, st)
		if err != nil {
			return "", fmt.Errorf("ship: %w", err)
		}
		for i := len(os) - 1; i >= 0; i-- { // newest first
			if o := os[i]; o.ID != except && fingerprint(o) == fp {
				return o.ID, nil
			}
		}
	}
	return "", nil
}

func (s *Service) saveNew(ctx context.Context, u User, o *store.Order) error {
	o.Step = store.StepSaved
	o.Waybill = ""
	o.LastError = ""
	if o.CreatedBy == "" {
		o.CreatedBy = u.Name
	}
	if err := s.d.DB.SaveOrder(ctx, o); err != nil {
		return fmt.Errorf("ship: save order: %w", err)
	}
	return nil
}

// Resume continues a stored order from the step it stopped at, printing
// as opt says (zero: the settings' printer and size). A finished order
// returns its result unchanged.
func (s *Service) Resume(ctx context.Context, u User, orderID string, opt ShipOptions) (*ShipResult, error) {
	if err := s.allow(u, ActShip); err != nil {
		return nil, err
	}
	return s.run(ctx, u, orderID, opt)
}

// unfinished lists orders that stopped before StepDone, oldest step first
// (no waybill yet, then no label, then not subscribed), to a user who may
// ship (ErrForbidden otherwise); background work passes System.
func (s *Service) unfinished(ctx context.Context, u User) ([]store.Order, error) {
	if err := s.allow(u, ActShip); err != nil {
		return nil, err
	}
	var out []store.Order
	for _, st := range []store.OrderStep{store.StepSaved, store.StepWaybilled, store.StepQueued, store.StepSubscribed} {
		os, err := s.d.DB.OrdersByStep(ctx, st)
		if err != nil {
			return nil, fmt.Errorf("unfinished orders: %w", err)
		}
		out = append(out, os...)
	}
	return out, nil
}

// FinishSubscriptions completes orders whose label is queued but whose
// subscription did not go through (the app stopped, or the service was
// busy). It prints nothing and issues nothing; the runtime calls it at start.
func (s *Service) FinishSubscriptions(ctx context.Context, u User) (int, error) {
	n := 0
	for _, st := range []store.OrderStep{store.StepQueued, store.StepSubscribed} {
		os, err := s.d.DB.OrdersByStep(ctx, st)
		if err != nil {
			return n, fmt.Errorf("finish subscriptions: %w", err)
		}
		for _, o := range os {
			if ctx.Err() != nil {
				return n, ctx.Err()
			}
			if r, err := s.run(ctx, u, o.ID, ShipOptions{NoPrint: true}); err == nil && r.Done() {
				n++
			}
		}
	}
	return n, nil
}

// run drives order id through its remaining steps under the order's lock.
func (s *Service) run(ctx context.Context, u User, id string, opt ShipOptions) (*ShipResult, error) {
	unlock := s.lock(id)
	defer unlock()
	// Another station may be shipping the same order: the store's lock
	// (the order's row on a shared store) is held across the waybill call,
	// and the order is read again below, so the second one finds the
	// waybill the first one stored.
	release, err := s.d.DB.LockOrder(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("ship %s: %w", id, err)
	}
	defer release()
	o, err := s.d.DB.Order(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("ship: load order %s: %w", id, err)
	}
	r := &shipRun{s: s, u: u, id: id, opt: opt, res: &ShipResult{Order: o}}
	if closedWithoutWaybill(o) {
		// Replaced by a corrected order (LastError names it): nothing to
		// resume, and no waybill to report.
		return r.res, i18n.Wrap(fmt.Errorf("ship %s: %w", id, ErrOrderClosed), "This order was closed without a waybill: %s", o.LastError)
	}
	for r.res.Order.Step != store.StepDone {
		if err := ctx.Err(); err != nil {
			return r.res, err
		}
		if stop, err := r.step(ctx); stop || err != nil {
			return r.res, err
		}
	}
	return s.finishResult(ctx, r.res), nil
}

// shipRun is one run of an order through its steps: the result so far and
// what every step needs. Each step saves the order's new step before the
// next one starts.
type shipRun struct {
	s   *Service
	u   User
	id  string
	opt ShipOptions
	res *ShipResult
}

// step runs the order's current step. stop reports that the run ends here:
// with err, or with the order saved where a resume picks it up again.
func (r *shipRun) step(ctx context.Context) (stop bool, err error) {
	switch r.res.Order.Step {
	case store.StepSaved, "":
		return r.issueWaybill(ctx)
	case store.StepWaybilled:
		return r.printLabel(ctx)
	case store.StepQueued:
		return r.subscribe(ctx)
	case store.StepSubscribed:
		r.res.Order.Step = store.StepDone
		if r.res.Warning == "" {
			r.res.Order.LastError = ""
		}
		return false, r.save(ctx)
	}
	return true, fmt.Errorf("ship %s: unknown step %q", r.id, r.res.Order.Step)
}

// save stores the order's step and outcome, even when ctx ended meanwhile.
func (r *shipRun) save(ctx context.Context) error {
	if err := r.s.d.DB.SaveOrder(context.WithoutCancel(ctx), &r.res.Order); err != nil {
		return fmt.Errorf("ship %s: save step %s: %w", r.id, r.res.Order.Step, err)
	}
	return nil
}

// fail records what went wrong after the waybill: msg for the clerk on the
// order (and as the result's warning unless one is set), err in the log.
func (r *shipRun) fail(msg string, err error) {
	r.res.Order.LastError = msg
	if r.res.Warning == "" {
		r.res.Warning = msg
	}
	r.s.logf("shipping: order %s at step %s: %v", r.id, r.res.Order.Step, err)
}

// issueWaybill obtains the waybill. When it cannot, the order is saved
// with the reason and, while the network is down, kept waiting for its
// number (待取号).
func (r *shipRun) issueWaybill(ctx context.Context) (bool, error) {
	sh, err := r.s.issue(ctx, r.u, r.res.Order)
	if err != nil {
		r.res.Order.LastError = Describe(err)
		werr := r.s.wait(ctx, &r.res.Order, r.opt, err)
		if serr := r.save(ctx); serr != nil {
			r.s.logf("shipping: %v", serr)
		}
		if werr != nil {
			return true, werr
		}
		return true, fmt.Errorf("ship %s: waybill: %w", r.id, err)
	}
	r.res.Shipment = sh
	r.res.Order.Waybill = sh.Waybill
	r.res.Order.Step = store.StepWaybilled
	r.res.Order.LastError = ""
	r.res.Order.Waiting = nil
	return false, r.save(ctx)
}

// printLabel queues the first label (unless opt.NoPrint). A label that
// cannot be made keeps the order at this step, so a resume tries again,
// and starts tracking the waybill that exists anyway; a printer that
// refused the job leaves it failed for the clerk to retry.
func (r *shipRun) printLabel(ctx context.Context) (bool, error) {
	res := r.res
	if res.Shipment.Waybill == "" {
		sh, err := r.s.d.DB.Shipment(ctx, res.Order.Waybill)
		if err != nil {
			return true, fmt.Errorf("ship %s: load shipment: %w", r.id, err)
		}
		res.Shipment = sh
	}
	if res.Shipment.Milestone == store.MilestoneCancelled {
		res.Order.Step = store.StepDone
		res.Order.LastError = Describe(ErrCancelled)
		return true, r.save(ctx)
	}
	if !r.opt.NoPrint {
		job, img, warnings, err := r.s.printFirst(ctx, r.u, res.Order, res.Shipment, r.opt)
		res.Preview, res.LabelWarnings = img, warnings
		if err != nil {
			r.fail(Describe(err), err)
			if r.s.d.Tracker != nil {
				if serr := r.s.d.Tracker.Subscribe(ctx, res.Order.Waybill); serr != nil {
					r.s.logf("shipping: subscribe %s: %v", res.Order.Waybill, serr)
				}
			}
			r.s.finishResult(ctx, res)
			return true, r.save(ctx)
		}
		res.Job = job
		if job.State == store.JobFailed {
			r.fail(i18n.F("The waybill was issued but printing failed: %s Fix the printer, then retry the job in the print log.", i18n.T(job.Error)), errors.New(job.ErrorDetail))
		}
	}
	res.Order.Step = store.StepQueued
	if res.Warning == "" {
		res.Order.LastError = ""
	}
	return false, r.save(ctx)
}

// subscribe makes sure the waybill is tracked. The worker retries failed
// subscriptions by itself; the order stays at this step so Resume (or the
// next start) makes sure.
func (r *shipRun) subscribe(ctx context.Context) (bool, error) {
	if t := r.s.d.Tracker; t != nil {
		if err := t.Subscribe(ctx, r.res.Order.Waybill); err != nil {
			r.fail(i18n.F("The waybill was issued; subscribing it for tracking failed for now and is retried automatically: %s", Describe(err)), err)
			r.s.finishResult(ctx, r.res)
			return true, r.save(ctx)
		}
	}
	r.res.Order.Step = store.StepSubscribed
	return false, r.save(ctx)
}

// finishResult fills the shipment and the first print job when the run did
// not produce them itself (a resumed or finished order).
func (s *Service) finishResult(ctx context.Context, res *ShipResult) *ShipResult {
	if res.Order.Waybill == "" {
		return res
	}
	if sh, err := s.d.DB.Shipment(ctx, res.Order.Waybill); err == nil {
		res.Shipment = sh
	}
	if res.Job.ID == 0 {
		if j, ok := s.firstJob(ctx, res.Order.Waybill); ok {
			res.Job = j
		}
	}
	return res
}
