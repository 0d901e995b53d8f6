// Package shipping holds the workflows of the shipping desk, free of any GUI:
// create and ship an order (validate, save, obtain the waybill, store the
// routing data, render the label, queue the print job, subscribe the
// waybill), smart paste, reprint, cancel, search, CSV import and batch
// shipping, and the dashboard figures. The desktop app and the command line
// both call a *Service; every method takes a context and, where it acts for
// a person, the acting User, whose role decides what is allowed (Allowed,
// CanSeePhone).
//
// Shipping is resumable: the order records the last step that succeeded
// (store.StepSaved -> StepWaybilled -> StepQueued -> StepSubscribed ->
// StepDone) and Resume continues from there. Issuing is idempotent: the
// order id is sent to Kuaidi100 as orderId with reorder=false, so a retry
// after a timeout or a crash returns the first waybill, and concurrent Ship
// calls for one order (a double click) are serialised.
package shipping

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"log"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"shipdesk/kuaidi100"
	"shipdesk/printer/label"
	"shipdesk/store"
)

// Waybills issues and cancels e-waybills; *kuaidi100.Client implements it.
type Waybills interface {
	Order(ctx context.Context, r kuaidi100.OrderRequest) (*kuaidi100.OrderResult, error)
	Cancel(ctx context.Context, r kuaidi100.CancelRequest) error
	AutoNumber(ctx context.Context, num string) ([]kuaidi100.Candidate, error)
}

// PrintQueue is the persisted print queue; *printer.Queue implements it.
// Submit stores the job before sending and returns when the printer took it
// or failed.
type PrintQueue interface {
	Submit(ctx context.Context, job store.PrintJob) (store.PrintJob, error)
	Retry(ctx context.Context, id uint64, who string) (store.PrintJob, error)
	Cancel(ctx context.Context, id uint64, who string) error
}

// Subscriber makes sure a new waybill is tracked; *tracking.Worker
// implements it.
type Subscriber interface {
	Subscribe(ctx context.Context, waybill string) error
}

// Resender sends a milestone SMS again at a person's request;
// *sms.Notifier implements it.
type Resender interface {
	Resend(ctx context.Context, who, waybill string, m store.Milestone) (store.SMSMessage, error)
}

// Encoder turns a laid-out label into printer bytes for a profile (tspl.Encode,
// zpl.Encode).
type Encoder func(l *label.Label, p store.PrinterProfile) ([]byte, error)

// Deps are what a Service works with. DB, Waybills and Queue are required;
// the others may be nil (no tracking subscription, no SMS resend).
type Deps struct {
	DB       *store.DB
	Waybills Waybills
	Queue    PrintQueue
	Tracker  Subscriber
	SMS      Resender
	// Encoders maps a printer language ("tspl", "zpl") to its encoder; nil
	// means DefaultEncoders.
	Encoders map[string]Encoder
	// DefaultPrinter is the printer URI used when neither the call nor the
	// settings name one (the virtual printer in demo mode).
	DefaultPrinter string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logf receives detail for the operator; nil means log.Printf.
	Logf func(format string, args ...any)
	// PushURL and Salt, when set, ask Kuaidi100 to subscribe the waybill
	// while issuing it; normally left empty and the Tracker subscribes.
	PushURL, Salt string
	// DedupWindow is how long an identical order submitted without an id
	// (a double click before the first call returned) is taken to be the
	// same order; 0 means 2 minutes, negative disables.
	DedupWindow time.Duration
}

// Service runs the shipping workflows. Create it with New; all methods are
// safe for concurrent use. It owns no goroutines and nothing to close.
type Service struct {
	d    Deps
	now  func() time.Time
	logf func(string, ...any)

	mu     sync.Mutex
	locks  map[string]*orderLock // per order id
	recent map[string]recentOrder
}

type orderLock struct {
	mu   sync.Mutex
	refs int
}

type recentOrder struct {
	id string
	at time.Time
}

// New returns a Service over d.
func New(d Deps) *Service {
	s := &Service{d: d, now: d.Now, logf: d.Logf, locks: map[string]*orderLock{}, recent: map[string]recentOrder{}}
	if s.now == nil {
		s.now = time.Now
	}
	if s.logf == nil {
		s.logf = log.Printf
	}
	if s.d.Encoders == nil {
		s.d.Encoders = DefaultEncoders()
	}
	if s.d.DedupWindow == 0 {
		s.d.DedupWindow = 2 * time.Minute
	}
	return s
}

// DB returns the store the service works on.
func (s *Service) DB() *store.DB { return s.d.DB }

// Errors callers branch on. Their text is a Chinese sentence for a clerk.
var (
	ErrForbidden      = errors.New("没有权限做这件事，请让主管操作。")
	ErrInvalidOrder   = errors.New("订单信息不完整或有误，请按提示修改。")
	ErrPickedUp       = errors.New("快件已揽收，运单不能再取消。")
	ErrCancelled      = errors.New("运单已取消，不能再打印。")
	ErrReasonRequired = errors.New("请填写原因。")
	ErrNoWaybill      = errors.New("找不到这个运单号。")
	ErrNoPrinter      = errors.New("没有可用的打印机，请在设置里添加打印机。")
	// ErrOrderClosed: the order was closed without a waybill (it was
	// corrected and shipped under a new id, which the message names).
	ErrOrderClosed = errors.New("这个订单已关闭，没有运单：")
)

// ValidationError lists what is wrong with an order. It matches
// ErrInvalidOrder with errors.Is.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	var parts []string
	for _, f := range e.Fields {
		parts = append(parts, f.Message)
	}
	return strings.Join(parts, " ")
}

// Is reports whether target is ErrInvalidOrder.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidOrder }

func (s *Service) allow(u User, a Action) error {
	if !Allowed(u.Role, a) {
		return fmt.Errorf("%s: %w", a, ErrForbidden)
	}
	return nil
}

// ShipOptions choose where and how the label prints. Zero fields take the
// settings (label size and resolution, the printer profile for the size)
// and then Deps.DefaultPrinter.
type ShipOptions struct {
	PrinterURI string
	Size       label.Size
	DPI        int
	Language   string // tspl or zpl; empty: the printer profile's
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
}

// Done reports whether every step finished.
func (r *ShipResult) Done() bool { return r != nil && r.Order.Step == store.StepDone }

// KnownCarrier reports whether code is in the carrier table.
func KnownCarrier(code string) bool {
	_, ok := kuaidi100.LookupCarrier(code)
	return ok
}

// Validate checks an order as the form has it; nil means it can be shipped.
func (s *Service) Validate(o store.Order) []FieldError {
	return CheckOrder(normalizeOrder(o), KnownCarrier)
}

// normalizeOrder tidies what a person typed: spaces, phone format, carrier
// code case, a count of at least one.
func normalizeOrder(o store.Order) store.Order {
	trimParty := func(p *store.Party) {
		p.Name = strings.TrimSpace(p.Name)
		p.Phone = NormalizePhone(p.Phone)
		p.Address = strings.TrimSpace(p.Address)
	}
	trimParty(&o.Recipient)
	trimParty(&o.Sender)
	if o.Recipient.Province == "" && o.Recipient.City == "" {
		o.Recipient.Province, o.Recipient.City, o.Recipient.District = Region(o.Recipient.Address)
	}
	o.Carrier = strings.ToLower(strings.TrimSpace(o.Carrier))
	o.Reference = strings.TrimSpace(o.Reference)
	if o.Count <= 0 {
		o.Count = 1
	}
	return o
}

// lock serialises work on one order id; the returned func unlocks.
func (s *Service) lock(id string) func() {
	s.mu.Lock()
	l := s.locks[id]
	if l == nil {
		l = &orderLock{}
		s.locks[id] = l
	}
	l.refs++
	s.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		s.mu.Lock()
		l.refs--
		if l.refs == 0 {
			delete(s.locks, id)
		}
		s.mu.Unlock()
	}
}

// fingerprint identifies an order's content: everything that goes on the
// waybill and the label (not the id, step or times). Two orders with the
// same fingerprint would get the same waybill.
func fingerprint(o store.Order) string {
	o.ID, o.Waybill, o.Step, o.LastError, o.CreatedBy = "", "", "", "", ""
	o.CreatedAt, o.UpdatedAt = time.Time{}, time.Time{}
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
	if errs := CheckOrder(o, KnownCarrier); len(errs) > 0 {
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
		unlockOld := s.lock(replaces)
		old, err := s.d.DB.Order(ctx, replaces)
		if err != nil {
			unlockOld()
			return nil, fmt.Errorf("ship: load order %s: %w", replaces, err)
		}
		if old.Waybill != "" {
			// It got its waybill meanwhile (another window resumed it).
			unlockOld()
			res, err := s.run(ctx, u, replaces, opt)
			if res != nil && err == nil {
				res.Warning = "这个订单在修改前已取得运单 " + old.Waybill + "，修改没有生效；如需按新内容发货，请先取消该运单。"
			}
			return res, err
		}
		if id == "" {
			if err := s.saveNew(ctx, u, &o); err != nil {
				unlockOld()
				return nil, err
			}
			id = o.ID
		}
		if !closedWithoutWaybill(old) {
			old.Step, old.LastError = store.StepDone, "已修改，改用新订单 "+id
			if err := s.d.DB.SaveOrder(ctx, &old); err != nil {
				s.logf("shipping: close corrected order %s: %v", old.ID, err)
			}
		}
		unlockOld()
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

func (s *Service) recentID(fp string) string {
	if s.d.DedupWindow < 0 {
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for k, r := range s.recent {
		if now.Sub(r.at) > s.d.DedupWindow {
			delete(s.recent, k)
		}
	}
	return s.recent[fp].id
}

func (s *Service) remember(fp, id string) {
	if s.d.DedupWindow < 0 {
		return
	}
	s.mu.Lock()
	s.recent[fp] = recentOrder{id: id, at: s.now()}
	s.mu.Unlock()
}

// Resume continues a stored order from the step it stopped at, with the
// default print options. A finished order returns its result unchanged.
func (s *Service) Resume(ctx context.Context, u User, orderID string) (*ShipResult, error) {
	if err := s.allow(u, ActShip); err != nil {
		return nil, err
	}
	return s.run(ctx, u, orderID, ShipOptions{})
}

// ResumeOpts is Resume with explicit print options.
func (s *Service) ResumeOpts(ctx context.Context, u User, orderID string, opt ShipOptions) (*ShipResult, error) {
	if err := s.allow(u, ActShip); err != nil {
		return nil, err
	}
	return s.run(ctx, u, orderID, opt)
}

// Unfinished lists orders that stopped before StepDone, oldest step first
// (no waybill yet, then no label, then not subscribed), to a user who may
// ship (ErrForbidden otherwise); background work passes System.
func (s *Service) Unfinished(ctx context.Context, u User) ([]store.Order, error) {
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
	o, err := s.d.DB.Order(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("ship: load order %s: %w", id, err)
	}
	res := &ShipResult{Order: o}
	if closedWithoutWaybill(o) {
		// Replaced by a corrected order (LastError names it): nothing to
		// resume, and no waybill to report.
		return res, fmt.Errorf("ship %s: %w%s", id, ErrOrderClosed, o.LastError)
	}
	save := func() error {
		// The outcome is stored even when ctx ended meanwhile.
		if err := s.d.DB.SaveOrder(context.WithoutCancel(ctx), &res.Order); err != nil {
			return fmt.Errorf("ship %s: save step %s: %w", id, res.Order.Step, err)
		}
		return nil
	}
	fail := func(msg string, err error) {
		res.Order.LastError = msg
		if res.Warning == "" {
			res.Warning = msg
		}
		s.logf("shipping: order %s at step %s: %v", id, res.Order.Step, err)
	}
	for res.Order.Step != store.StepDone {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		switch res.Order.Step {
		case store.StepSaved, "":
			sh, err := s.issue(ctx, u, res.Order)
			if err != nil {
				res.Order.LastError = Describe(err)
				if serr := save(); serr != nil {
					s.logf("shipping: %v", serr)
				}
				return res, fmt.Errorf("ship %s: waybill: %w", id, err)
			}
			res.Shipment = sh
			res.Order.Waybill = sh.Waybill
			res.Order.Step = store.StepWaybilled
			res.Order.LastError = ""
			if err := save(); err != nil {
				return res, err
			}
		case store.StepWaybilled:
			if res.Shipment.Waybill == "" {
				if res.Shipment, err = s.d.DB.Shipment(ctx, res.Order.Waybill); err != nil {
					return res, fmt.Errorf("ship %s: load shipment: %w", id, err)
				}
			}
			if res.Shipment.Milestone == store.MilestoneCancelled {
				res.Order.Step = store.StepDone
				res.Order.LastError = ErrCancelled.Error()
				return res, save()
			}
			if !opt.NoPrint {
				job, img, err := s.printFirst(ctx, u, res.Order, res.Shipment, opt)
				res.Preview = img
				if err != nil {
					// The label could not be made (font, size): stay here
					// so a resume tries again once fixed, but start
					// tracking the waybill that exists anyway.
					fail(Describe(err), err)
					if s.d.Tracker != nil {
						if serr := s.d.Tracker.Subscribe(ctx, res.Order.Waybill); serr != nil {
							s.logf("shipping: subscribe %s: %v", res.Order.Waybill, serr)
						}
					}
					return s.finishResult(ctx, res), save()
				}
				res.Job = job
				if job.State == store.JobFailed {
					fail("运单已生成，但打印失败："+job.Error+" 请处理打印机后在打印记录里重试。", errors.New(job.Error))
				}
			}
			res.Order.Step = store.StepQueued
			if res.Warning == "" {
				res.Order.LastError = ""
			}
			if err := save(); err != nil {
				return res, err
			}
		case store.StepQueued:
			if s.d.Tracker != nil {
				if err := s.d.Tracker.Subscribe(ctx, res.Order.Waybill); err != nil {
					// The worker retries failed subscriptions by itself;
					// the order stays here so Resume (or the next start)
					// makes sure.
					fail("运单已生成，物流订阅暂时失败，系统会自动重试："+Describe(err), err)
					return s.finishResult(ctx, res), save()
				}
			}
			res.Order.Step = store.StepSubscribed
			if err := save(); err != nil {
				return res, err
			}
		case store.StepSubscribed:
			res.Order.Step = store.StepDone
			if res.Warning == "" {
				res.Order.LastError = ""
			}
			if err := save(); err != nil {
				return res, err
			}
		default:
			return res, fmt.Errorf("ship %s: unknown step %q", id, res.Order.Step)
		}
	}
	return s.finishResult(ctx, res), nil
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

// issue obtains the waybill for o (idempotently) and stores the shipment
// with its routing data.
func (s *Service) issue(ctx context.Context, u User, o store.Order) (store.Shipment, error) {
	req := kuaidi100.OrderRequest{
		OrderID: o.ID, Com: o.Carrier, Recipient: o.Recipient, Sender: o.Sender,
		Cargo: o.Items, Count: o.Count, Weight: o.Weight, PayType: o.PayType, ExpType: o.Product,
		Remark: o.Remark, InsuredValue: o.InsuredValue, COD: o.COD,
	}
	if s.d.PushURL != "" {
		req.NeedSubscribe, req.PollCallbackURL, req.Salt = true, s.d.PushURL, s.d.Salt
	}
	r, err := s.d.Waybills.Order(ctx, req)
	if err != nil {
		return store.Shipment{}, err
	}
	if r.Waybill == "" {
		return store.Shipment{}, errors.New("kuaidi100 order: 快递100没有返回运单号，请稍后重试（重试不会重复下单）。")
	}
	now := s.now()
	sh := store.Shipment{
		Waybill: r.Waybill, Carrier: o.Carrier, OrderID: o.ID, Reference: o.Reference,
		ChildWaybills: r.ChildWaybills, Routing: r.Routing,
		RecipientName: o.Recipient.Name, RecipientPhone: o.Recipient.Phone, RecipientAddr: o.Recipient.Address,
		Milestone: store.MilestoneOrdered, CreatedAt: now, UpdatedAt: now, CreatedBy: u.Name,
	}
	sh.SetMilestoneTime(store.MilestoneOrdered, now)
	// A waybill obtained is stored even if ctx ended meanwhile.
	wctx := context.WithoutCancel(ctx)
	switch err := s.d.DB.CreateShipment(wctx, &sh); {
	case errors.Is(err, store.ErrExists):
		// A retry after a crash between issuing and saving the step: the
		// same waybill came back and is already stored.
		existing, gerr := s.d.DB.Shipment(wctx, r.Waybill)
		if gerr != nil {
			return store.Shipment{}, fmt.Errorf("store shipment: %w", gerr)
		}
		if existing.OrderID != "" && existing.OrderID != o.ID {
			// Not ours: the service reused a number (a sandbox restarted
			// with the same seed). Taking it would give this parcel the
			// other one's label job and tracking.
			return store.Shipment{}, fmt.Errorf("store shipment %s: 快递100返回的运单号 %s 已属于订单 %s，没有用于这个订单；请核对快递100账号后重试。", r.Waybill, r.Waybill, existing.OrderID)
		}
		return existing, nil
	case err != nil:
		return store.Shipment{}, fmt.Errorf("store shipment %s: %w", r.Waybill, err)
	}
	detail := "order " + o.ID
	if r.TaskID != "" {
		detail += " taskId=" + r.TaskID
	}
	if r.CarrierOrder != "" {
		detail += " carrierOrder=" + r.CarrierOrder
	}
	if err := s.d.DB.Audit(wctx, store.AuditEntry{Time: now, Who: u.Name, Action: "waybill", Target: r.Waybill, Detail: detail}); err != nil {
		s.logf("shipping: audit waybill %s: %v", r.Waybill, err)
	}
	return sh, nil
}

// firstJob returns the original (not reprint) print job of a waybill.
func (s *Service) firstJob(ctx context.Context, waybill string) (store.PrintJob, bool) {
	jobs, err := s.d.DB.Jobs(ctx, store.JobFilter{Waybill: waybill})
	if err != nil {
		return store.PrintJob{}, false
	}
	for i := len(jobs) - 1; i >= 0; i-- { // oldest first
		if !jobs[i].Reprint {
			return jobs[i], true
		}
	}
	return store.PrintJob{}, false
}

// printFirst queues the label of a new waybill, unless a job for it already
// exists (a crash after queueing and before saving the step): a label is
// never queued twice unasked.
func (s *Service) printFirst(ctx context.Context, u User, o store.Order, sh store.Shipment, opt ShipOptions) (store.PrintJob, *image.Gray, error) {
	st, err := s.d.DB.Settings(ctx)
	if err != nil {
		return store.PrintJob{}, nil, fmt.Errorf("print: settings: %w", err)
	}
	if j, ok := s.firstJob(ctx, sh.Waybill); ok {
		return j, nil, nil
	}
	return s.printLabel(ctx, u, st, o, sh, opt, false, "")
}

// printLabel lays out, renders, encodes and submits one label.
func (s *Service) printLabel(ctx context.Context, u User, st store.Settings, o store.Order, sh store.Shipment, opt ShipOptions, reprint bool, reason string) (store.PrintJob, *image.Gray, error) {
	prof, size, dpi, err := s.resolvePrint(st, opt)
	if err != nil {
		return store.PrintJob{}, nil, err
	}
	d := label.DataFromOrder(o, &sh, s.now(), st.Label.MaskPhones)
	l, err := label.EWaybill(d, size, dpi)
	if err != nil {
		return store.PrintJob{}, nil, fmt.Errorf("print: lay out label: %w", err)
	}
	img, rerr := label.Render(l)
	if rerr != nil {
		s.logf("shipping: render preview %s: %v", sh.Waybill, rerr)
		img = nil
	}
	enc := s.d.Encoders[prof.Language]
	if enc == nil {
		return store.PrintJob{}, img, fmt.Errorf("print: no encoder for printer language %q", prof.Language)
	}
	data, err := enc(l, prof)
	if err != nil {
		return store.PrintJob{}, img, fmt.Errorf("print: encode %s: %w", prof.Language, err)
	}
	job := store.PrintJob{
		Waybill: sh.Waybill, OrderID: o.ID, PrinterURI: prof.URI, Format: prof.Language,
		Size: size.String(), Data: data, Who: u.Name, Reprint: reprint, Reason: reason,
	}
	job, err = s.d.Queue.Submit(ctx, job)
	if err != nil && job.ID == 0 {
		// Not even stored: a real failure.
		return job, img, fmt.Errorf("print: queue job: %w", err)
	}
	if err != nil && job.Error == "" {
		job.Error = Describe(err)
	}
	if job.State == store.JobSent {
		if _, err := s.d.DB.UpdateShipment(ctx, sh.Waybill, func(x *store.Shipment) error {
			if x.PrintedAt.IsZero() {
				x.PrintedAt = s.now()
			}
			return nil
		}); err != nil {
			s.logf("shipping: mark %s printed: %v", sh.Waybill, err)
		}
	}
	return job, img, nil
}

// resolvePrint picks the printer profile, label size and resolution.
func (s *Service) resolvePrint(st store.Settings, opt ShipOptions) (store.PrinterProfile, label.Size, int, error) {
	size := opt.Size
	if size == (label.Size{}) {
		z, err := label.ParseSize(st.Label.Size)
		if err != nil {
			z = label.Size76x130
		}
		size = z
	}
	dpi := opt.DPI
	if dpi == 0 {
		dpi = st.Label.DPI
	}
	if dpi == 0 {
		dpi = 203
	}
	prof := PrinterFor(st, opt.PrinterURI, size)
	if prof.URI == "" {
		prof.URI = s.d.DefaultPrinter
		prof.Name = "默认打印机"
	}
	if prof.URI == "" {
		return prof, size, dpi, ErrNoPrinter
	}
	switch {
	case opt.Language != "":
		prof.Language = opt.Language
	case prof.Language == "":
		prof.Language = uriLanguage(prof.URI)
	}
	if prof.Language == "" {
		prof.Language = st.Label.Format
	}
	if prof.Language != "tspl" && prof.Language != "zpl" {
		prof.Language = "tspl"
	}
	return prof, size, dpi, nil
}

// PrinterFor returns the configured printer profile for uri (matched by
// URI), or when uri is empty the profile that is the default for size (then
// the first profile). With nothing configured it returns a profile for uri
// alone.
func PrinterFor(st store.Settings, uri string, size label.Size) store.PrinterProfile {
	if uri != "" {
		for _, p := range st.Printers {
			if p.URI == uri {
				return p
			}
		}
		return store.PrinterProfile{Name: uri, URI: uri, Language: uriLanguage(uri)}
	}
	for _, p := range st.Printers {
		for _, z := range p.Sizes {
			if z == size.String() {
				return p
			}
		}
	}
	if len(st.Printers) > 0 {
		return st.Printers[0]
	}
	return store.PrinterProfile{}
}

// uriLanguage reads "?lang=zpl" from a printer URI.
func uriLanguage(uri string) string {
	_, q, ok := strings.Cut(uri, "?")
	if !ok {
		return ""
	}
	for _, kv := range strings.Split(q, "&") {
		if k, v, _ := strings.Cut(kv, "="); k == "lang" {
			return strings.ToLower(v)
		}
	}
	return ""
}

// Describe turns an error from any step into one Chinese sentence a clerk
// can act on; the detail stays in the log.
func Describe(err error) string {
	if err == nil {
		return ""
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		return ve.Error()
	}
	var ke *kuaidi100.Error
	if errors.As(err, &ke) && ke.Message != "" {
		return ke.Message
	}
	for _, e := range []error{ErrForbidden, ErrWrongPIN, ErrUnknownUser, ErrPickedUp, ErrCancelled, ErrReasonRequired, ErrNoWaybill, ErrNoPrinter} {
		if errors.Is(err, e) {
			return e.Error()
		}
	}
	switch {
	case errors.Is(err, label.ErrMissingGlyph), errors.Is(err, label.ErrTextTooLong), errors.Is(err, label.ErrNoWaybill):
		return "面单无法生成：" + fromHan(err.Error())
	case errors.Is(err, label.ErrSize):
		return "不支持这个标签尺寸，请选 76x130、100x150 或 100x180。"
	case errors.Is(err, store.ErrNotFound):
		return "找不到这条记录。"
	case errors.Is(err, store.ErrDuplicate):
		return "这个运单号已被另一家快递使用，请核对快递公司。"
	case errors.Is(err, context.DeadlineExceeded):
		return "网络超时，请稍后重试（重试不会重复下单）。"
	case errors.Is(err, context.Canceled):
		return "操作已取消。"
	}
	msg := err.Error()
	if hasHan(msg) {
		return fromHan(msg)
	}
	return "操作失败：" + msg
}

// fromHan drops the English "op: " prefixes wrapping a Chinese message.
func fromHan(msg string) string {
	for i, r := range msg {
		if r >= 0x4E00 && r <= 0x9FFF {
			// Keep an opening quote or bracket right before it.
			j := strings.LastIndex(msg[:i], ": ")
			if j >= 0 && j+2 <= i && !strings.ContainsAny(msg[j+2:i], ":") {
				return msg[j+2:]
			}
			return msg[i:]
		}
	}
	return msg
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4E00 && r <= 0x9FFF {
			return true
		}
	}
	return false
}

// reasonOK reports whether a reason given for a sensitive action says
// something (at least two characters).
func reasonOK(reason string) bool {
	return utf8.RuneCountInString(strings.TrimSpace(reason)) >= 2
}
