package shipping

import (
	"context"
	"image"
	"log"
	"os"
	"shipdesk/kuaidi100"
	"shipdesk/store"
	"sync"
	"time"
)

// Waybills issues and cancels e-waybills; *kuaidi100.Client implements it.
type Waybills interface {
	Order(ctx context.Context, r kuaidi100.OrderRequest) (*kuaidi100.OrderResult, error)
	Cancel(ctx context.Context, r kuaidi100.CancelRequest) error
	AutoNumber(ctx context.Context, num string) ([]kuaidi100.Candidate, error)
	// FetchLabelImage downloads the carrier's own label rendered for an
	// order asked with printType IMAGE (an account with the carrier's
	// template), waiting while Kuaidi100 still renders it.
	FetchLabelImage(ctx context.Context, link string) (image.Image, error)
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

// Deps are what a Service works with. DB, Waybills and Queue are required;
// the others may be nil (no tracking subscription, no SMS resend). A
// service that only builds label jobs (LabelJob, for `shipdesk print`)
// needs only DB: without Waybills a carrier's own label cannot be fetched,
// and ours is laid out instead.
type Deps struct {
	DB       store.Store
	Waybills Waybills
	Queue    PrintQueue
	Tracker  Subscriber
	SMS      Resender
	// DefaultPrinter is the printer URI used when neither the call nor the
	// settings name one (the virtual printer in demo mode).
	DefaultPrinter string
	// DataDir is the data folder, where the Kuaidi100 credentials and the
	// relay token are kept (owner-only files); empty: none can be saved.
	DataDir string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logf receives detail for the operator; nil means log.Printf.
	Logf func(format string, args ...any)
	// Station names this station: an order that waits for its waybill
	// number prints where it was taken (see Retrier). Empty means the host
	// name.
	Station string
	// Accounts holds the centre's e-waybill accounts with the carriers;
	// nil means none, so every order is refused before any request.
	Accounts AccountStore
	// Demo is true in demo mode (the built-in sandbox); outside it a
	// manager must have a PIN (CheckPIN, SetFirstPIN, SaveSettings).
	Demo bool
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

// New returns a Service over d.
func New(d Deps) *Service {
	s := &Service{d: d, now: d.Now, logf: d.Logf, locks: map[string]*orderLock{}, recent: map[string]recentOrder{}}
	if s.now == nil {
		s.now = time.Now
	}
	if s.logf == nil {
		s.logf = log.Printf
	}
	if s.d.Station == "" {
		s.d.Station, _ = os.Hostname()
	}
	if s.d.DedupWindow == 0 {
		s.d.DedupWindow = 2 * time.Minute
	}
	return s
}
