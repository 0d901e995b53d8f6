// Package store keeps everything Shipdesk knows in one bbolt file: orders,
// shipments, tracking events, print jobs, SMS messages, exceptions, the audit
// log and settings. Secrets live beside it in an owner-only file.
//
// A *DB is safe for concurrent use by many goroutines. Values returned are
// copies the caller owns.
package store

// CONTRACT (filled in by the store implementation; signatures are fixed
// because every other package codes against them):
//
//	func Open(path string, opts Options) (*DB, error)      // ErrAlreadyRunning on lock timeout
//	func (db *DB) Close() error
//	func (db *DB) Path() string
//
//	func (db *DB) SaveOrder(ctx, o *Order) error            // assigns o.ID when empty ("SD" + yyyymmdd + "-" + seq), sets timestamps
//	func (db *DB) Order(ctx, id string) (Order, error)      // ErrNotFound
//	func (db *DB) OrdersByStep(ctx, step OrderStep) ([]Order, error)  // unfinished orders to resume
//
//	func (db *DB) CreateShipment(ctx, s *Shipment) error    // ErrInvalid (empty waybill, bad milestone), ErrDuplicate (same waybill, other carrier); same waybill+carrier: ErrExists
//	func (db *DB) Shipment(ctx, waybill string) (Shipment, error)
//	func (db *DB) UpdateShipment(ctx, waybill string, fn func(*Shipment) error) (Shipment, error) // indexes and counters follow the change atomically
//	func (db *DB) ShipmentsByPhone(ctx, phoneOrLast4 string, limit int) ([]Shipment, error)
//	func (db *DB) ShipmentsByName(ctx, name string, limit int) ([]Shipment, error)      // exact name or prefix
//	func (db *DB) ShipmentsByState(ctx, m Milestone, after string, limit int) (page []Shipment, next string, err error)  // newest first; after = cursor
//	func (db *DB) ShipmentsByDay(ctx, from, to time.Time, limit int) ([]Shipment, error) // by CreatedAt, local day
//	func (db *DB) ShipmentsDue(ctx, now time.Time, limit int) ([]Shipment, error)       // NextPollAt <= now, not terminal
//	func (db *DB) ActiveShipments(ctx, fn func(Shipment) error) error                  // every non-terminal shipment
//	func (db *DB) AllShipments(ctx, fn func(Shipment) error) error
//
//	func (db *DB) AddEvents(ctx, waybill string, evs []TrackingEvent) (added int, err error) // dedupes on (time, context)
//	func (db *DB) Events(ctx, waybill string) ([]TrackingEvent, error)                      // newest first
//
//	func (db *DB) AddJob(ctx, j *PrintJob) error            // assigns ID, state queued
//	func (db *DB) Job(ctx, id uint64) (PrintJob, error)
//	func (db *DB) UpdateJob(ctx, id uint64, fn func(*PrintJob) error) (PrintJob, error)
//	func (db *DB) Jobs(ctx, f JobFilter) ([]PrintJob, error) // newest first
//
//	func (db *DB) AddSMS(ctx, m *SMSMessage) error           // assigns ID and OutOrder when empty
//	func (db *DB) UpdateSMS(ctx, id uint64, fn func(*SMSMessage) error) (SMSMessage, error)
//	func (db *DB) SMSByOutOrder(ctx, outOrder string) (SMSMessage, error)
//	func (db *DB) SMSFor(ctx, waybill string) ([]SMSMessage, error)
//	func (db *DB) SMSInState(ctx, st SMSState) ([]SMSMessage, error)
//	func (db *DB) SMSDay(ctx, day time.Time) (count, costFen int, err error)   // counter, not a scan
//
//	func (db *DB) RaiseException(ctx, e *Exception) (raised bool, err error)   // no-op if an open one exists for (waybill, kind)
//	func (db *DB) ResolveException(ctx, id uint64, who string) error
//	func (db *DB) Exceptions(ctx, openOnly bool, limit int) ([]Exception, error)
//
//	func (db *DB) Audit(ctx, e AuditEntry) error
//	func (db *DB) AuditLog(ctx, limit int) ([]AuditEntry, error)   // newest first
//
//	func (db *DB) Settings(ctx) (Settings, error)             // DefaultSettings() when none saved
//	func (db *DB) SaveSettings(ctx, s Settings) error
//
//	func (db *DB) Counts(ctx, now time.Time, days int) (Counts, error)  // from counters kept on write
//	func (db *DB) Backup(ctx, w io.Writer) (int64, error)     // hot backup via Tx.WriteTo
//	func (db *DB) BackupFile(ctx, path string) error
//	func (db *DB) ExportShipmentsCSV(ctx, w io.Writer) error
//
//	func LoadSecrets(dir string) (Secrets, error)  // refuses group/world-readable file (ErrInsecureSecrets); missing file: zero Secrets, nil
//	func SaveSecrets(dir string, s Secrets) error  // writes 0600 atomically
