// Package store keeps everything Shipdesk knows in one bbolt file: orders,
// shipments, tracking events, print jobs, SMS messages, exceptions, the audit
// log and settings. Secrets live beside it in an owner-only file.
//
// A *DB is safe for concurrent use by many goroutines. Values returned are
// copies the caller owns.
//
// # Layout
//
// Every record kind has its own bucket. Shipments are keyed by waybill
// number; print jobs, SMS messages, exceptions and audit entries by an 8-byte
// big-endian sequence. All tracking events of one waybill are one compact
// value keyed by the waybill. Secondary indexes (phone, recipient name,
// milestone, creation time, next poll time, reference and order id, ...)
// and the dashboard counters are updated in the same transaction as the
// record they describe, so a lookup never scans the database and a crash
// never leaves them out of step.
//
// # API
//
//   - Open, Close, Path; Check, CheckCounters, CheckIndexes and Recount for
//     repair tools. Open migrates older files (schema v3 added the
//     reference index).
//   - Orders: SaveOrder (assigns "SD" + yyyymmdd + "-" + 6-digit daily
//     sequence IDs), Order, OrdersByStep.
//   - Shipments: CreateShipment, Shipment, UpdateShipment, ShipmentsByPhone,
//     ShipmentsByName, ShipmentsByReference (the clinic's 配镜单号 or our
//     order id), ShipmentsByState, ShipmentsByDay, ShipmentsDue,
//     ActiveShipments, AllShipments.
//   - Tracking events: AddEvents (dedupes on time and context), Events.
//   - Print jobs: AddJob, Job, UpdateJob, Jobs.
//   - SMS: AddSMS, UpdateSMS, SMSByOutOrder, SMSFor, SMSInState, SMSDay.
//   - Exceptions: RaiseException, ResolveException, Exceptions.
//   - Audit, AuditLog; Settings, SaveSettings.
//   - Counts (the dashboard), Backup, BackupFile, ExportShipmentsCSV.
//   - LoadSecrets, SaveSecrets for the owner-only secrets.json.
//
// Errors wrap the sentinels ErrNotFound, ErrInvalid, ErrDuplicate,
// ErrExists, ErrAlreadyRunning and ErrInsecureSecrets. Callbacks passed to
// UpdateShipment, UpdateJob and UpdateSMS run inside the write transaction
// and must not call the DB; callbacks passed to ActiveShipments and
// AllShipments run outside any transaction and may.
package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Options tune Open. The zero value is what the application uses.
type Options struct {
	// NoSync skips fsync after each commit. Only for tests and benchmarks:
	// a crash may lose or corrupt recent writes.
	NoSync bool
	// Now, if non-nil, replaces time.Now for timestamps the store assigns
	// (tests inject a fixed clock).
	Now func() time.Time
	// Location is the time zone that decides which local day a timestamp
	// belongs to (order IDs, daily counters, day lists). Nil means time.Local.
	Location *time.Location
	// LockTimeout is how long Open waits for another process to release the
	// file before returning ErrAlreadyRunning. Zero means one second.
	LockTimeout time.Duration
}

// DB is an open Shipdesk database. It is safe for concurrent use; Close it
// once when done (the opener owns it).
type DB struct {
	bolt *bolt.DB
	path string
	now  func() time.Time
	loc  *time.Location

	orders orderLocks // LockOrder
}

// Open opens (creating if needed) the database file at path, creating its
// parent folder with mode 0700, and migrates it to the current schema. When
// another process holds the file it returns an error matching
// ErrAlreadyRunning after Options.LockTimeout.
func Open(path string, opts Options) (*DB, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	timeout := opts.LockTimeout
	if timeout <= 0 {
		timeout = time.Second
	}
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:        timeout,
		NoSync:         opts.NoSync,
		NoFreelistSync: false,
		FreelistType:   bolt.FreelistMapType,
	})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, &AlreadyRunningError{Dir: dir}
	}
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	db := &DB{bolt: bdb, path: path, now: opts.Now, loc: opts.Location}
	if db.now == nil {
		db.now = time.Now
	}
	if db.loc == nil {
		db.loc = time.Local
	}
	if err := db.migrate(); err != nil {
		bdb.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return db, nil
}

// Close closes the file. It waits for running transactions to finish.
func (db *DB) Close() error { return db.bolt.Close() }

// Path returns the file the DB was opened from.
func (db *DB) Path() string { return db.path }

// view and update wrap bbolt transactions with a context check up front.
func (db *DB) view(ctx context.Context, fn func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.bolt.View(fn)
}

func (db *DB) update(ctx context.Context, fn func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		for _, name := range appendBuckets {
			if b := tx.Bucket(name); b != nil {
				b.FillPercent = appendFill
			}
		}
		return fn(tx)
	})
}

// appendBuckets mostly receive keys in increasing order (sequences, times,
// waybill numbers that carriers issue in runs, order ids and clinic
// references that start with the date). bbolt splits a full page
// at FillPercent, so the default 0.5 would leave such pages half empty;
// appendFill keeps them nearly full. Buckets with random keys (phone, name)
// keep the default.
var appendBuckets = [][]byte{bShip, bEvents, bDay, bState, bDue, bRef, bOrders, bJobs, bSMS, bExc, bAudit, bSMSOut}

const appendFill = 0.9

// Check runs bbolt's consistency check over the whole file and returns the
// first problem found, or nil. It reads every page, so it is slow on a big
// file; the repair tool and the tests call it.
func (db *DB) Check(ctx context.Context) error {
	return db.view(ctx, func(tx *bolt.Tx) error {
		var first error
		for err := range tx.Check() {
			if first == nil {
				first = err
			}
		}
		return first
	})
}
