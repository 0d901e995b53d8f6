package store

import (
	"context"
	"io"
	"sync"
	"time"
)

// Store is the contract every storage engine keeps: the embedded bbolt
// file (*DB, one station) and the shared PostgreSQL database (package
// store/postgres, several stations of one clinic). The workflows, the
// tracking worker, the SMS sender and the GUI work through it and do not
// know which engine they run on. The shared contract tests in package
// store/storetest hold both engines to the same behaviour.
//
// Implementations are safe for concurrent use. Values returned are copies
// the caller owns. The doc comments on *DB's methods are the contract.
type Store interface {
	// Close releases the store; the opener owns it and calls it once.
	Close() error

	SaveOrder(ctx context.Context, o *Order) error
	Order(ctx context.Context, id string) (Order, error)
	OrdersByStep(ctx context.Context, step OrderStep) ([]Order, error)
	// LockOrder holds order id against every other caller, on every
	// station, until the returned release is called (the ship workflow
	// holds it across the call that obtains the waybill). It waits until
	// the lock is free or ctx ends.
	LockOrder(ctx context.Context, id string) (release func(), err error)

	CreateShipment(ctx context.Context, s *Shipment) error
	Shipment(ctx context.Context, waybill string) (Shipment, error)
	UpdateShipment(ctx context.Context, waybill string, fn func(*Shipment) error) (Shipment, error)
	ShipmentsByPhone(ctx context.Context, phoneOrLast4 string, limit int) ([]Shipment, error)
	ShipmentsByReference(ctx context.Context, ref string, limit int) ([]Shipment, error)
	ShipmentsByName(ctx context.Context, name string, limit int) ([]Shipment, error)
	ShipmentsByState(ctx context.Context, m Milestone, after string, limit int) (page []Shipment, next string, err error)
	ShipmentsByDay(ctx context.Context, from, to time.Time, limit int) ([]Shipment, error)
	ShipmentsDue(ctx context.Context, now time.Time, limit int) ([]Shipment, error)
	ActiveShipments(ctx context.Context, fn func(Shipment) error) error
	AllShipments(ctx context.Context, fn func(Shipment) error) error

	AddEvents(ctx context.Context, waybill string, evs []TrackingEvent) (added int, err error)
	Events(ctx context.Context, waybill string) ([]TrackingEvent, error)

	AddJob(ctx context.Context, j *PrintJob) error
	Job(ctx context.Context, id uint64) (PrintJob, error)
	UpdateJob(ctx context.Context, id uint64, fn func(*PrintJob) error) (PrintJob, error)
	Jobs(ctx context.Context, f JobFilter) ([]PrintJob, error)

	AddSMS(ctx context.Context, m *SMSMessage) error
	UpdateSMS(ctx context.Context, id uint64, fn func(*SMSMessage) error) (SMSMessage, error)
	SMSByOutOrder(ctx context.Context, outOrder string) (SMSMessage, error)
	SMSFor(ctx context.Context, waybill string) ([]SMSMessage, error)
	SMSInState(ctx context.Context, st SMSState) ([]SMSMessage, error)
	SMSDay(ctx context.Context, day time.Time) (count, costFen int, err error)

	RaiseException(ctx context.Context, e *Exception) (raised bool, err error)
	ResolveException(ctx context.Context, id uint64, who string) error
	Exceptions(ctx context.Context, openOnly bool, limit int) ([]Exception, error)

	Audit(ctx context.Context, e AuditEntry) error
	AuditLog(ctx context.Context, limit int) ([]AuditEntry, error)

	Settings(ctx context.Context) (Settings, error)
	SaveSettings(ctx context.Context, s Settings) error

	Counts(ctx context.Context, now time.Time, days int) (Counts, error)
	ExportShipmentsCSV(ctx context.Context, w io.Writer) error
	BackupFile(ctx context.Context, path string) error

	CheckCounters(ctx context.Context) ([]string, error)
	CheckIndexes(ctx context.Context) ([]string, error)
	Recount(ctx context.Context) error
}

var _ Store = (*DB)(nil)

// orderLocks serialise LockOrder on one process: a bbolt file belongs to
// one process (Open holds a file lock), so an in-process lock per order id
// is a lock for the whole station.
type orderLocks struct {
	mu    sync.Mutex
	locks map[string]*orderLock
}

type orderLock struct {
	ch   chan struct{} // holds one token while the order is locked
	refs int
}

// LockOrder holds order id until release is called; see Store.
func (db *DB) LockOrder(ctx context.Context, id string) (func(), error) {
	ol := &db.orders
	ol.mu.Lock()
	if ol.locks == nil {
		ol.locks = map[string]*orderLock{}
	}
	l := ol.locks[id]
	if l == nil {
		l = &orderLock{ch: make(chan struct{}, 1)}
		ol.locks[id] = l
	}
	l.refs++
	ol.mu.Unlock()
	drop := func() {
		ol.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(ol.locks, id)
		}
		ol.mu.Unlock()
	}
	select {
	case l.ch <- struct{}{}:
	case <-ctx.Done():
		drop()
		return nil, ctx.Err()
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			<-l.ch
			drop()
		})
	}, nil
}

// Change names a record that changed on some station: Kind is "shipment",
// "job", "sms", "exception", "order" or "settings", Key its waybill or id.
// Engines shared by several stations deliver them (see
// postgres.DB.Listen); a screen that shows such records refreshes on them.
type Change struct {
	Kind string `json:"kind"`
	Key  string `json:"key"`
}

// WorkerState is the outcome of the tracking-worker election: Active when
// this station runs the worker, else Holder names the station that does
// ("" while it is not known, or none does).
type WorkerState struct {
	Active bool
	Holder string
}

// String is the line `shipdesk daemon` prints: "worker: active" or
// "worker: standby (active: STATION)".
func (w WorkerState) String() string {
	if w.Active {
		return "worker: active"
	}
	h := w.Holder
	if h == "" {
		h = "none"
	}
	return "worker: standby (active: " + h + ")"
}
