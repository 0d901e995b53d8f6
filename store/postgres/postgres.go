// Package postgres is the Shipdesk store on a PostgreSQL server, shared by
// the stations of one clinic. It keeps the store.Store contract of the
// embedded bbolt engine (the shared tests in store/storetest run against
// both), with real constraints doing what the bbolt code does by hand: a
// waybill is stored once (for one carrier), an order id once, an event once
// per (waybill, time, text), one open exception per (waybill, kind), one
// automatic SMS per (waybill, milestone). Every lookup uses an index and
// the dashboard counters are rows updated in the same transaction as the
// records they count.
//
// Beyond the contract it elects the one tracking worker of the clinic
// (Elect, a session advisory lock), tells every station of changes
// (Listen, LISTEN/NOTIFY) and keeps each station's printers apart from the
// clinic's shared settings.
//
// A *DB is safe for concurrent use; Close it once.
package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"shipdesk/store"
)

// Options tune Open.
type Options struct {
	// Station names this PC: its printers (and default printer per label
	// size) are kept under this name; everything else is shared. Required.
	Station string
	// Password, when set, is used for the connection instead of one in the
	// connection string (it comes from the secrets file, so the string in
	// the settings and the logs carries none).
	Password string
	// Now replaces time.Now for timestamps the store assigns (tests).
	Now func() time.Time
	// Location decides which local day a time belongs to; nil: time.Local.
	Location *time.Location
	// Logf logs operator detail; nil means log.Printf.
	Logf func(format string, args ...any)
}

// DB is an open connection pool to a Shipdesk database.
type DB struct {
	pool    *pgxpool.Pool
	locks   *pgxpool.Pool // LockOrder's transactions, apart so they cannot starve pool
	cfg     *pgxpool.Config
	station string
	now     func() time.Time
	loc     *time.Location
	rules   store.Rules
	logf    func(string, ...any)
}

var _ store.Store = (*DB)(nil)

// IsDSN reports whether s is a PostgreSQL connection string this package
// opens (postgres:// or postgresql://).
func IsDSN(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Redact returns dsn with any password replaced by "xxxxx", for logs and
// screens.
func Redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://(unreadable connection string)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// SplitPassword returns dsn without its password and the password, so the
// string can be remembered in the settings and the password in the
// secrets file.
func SplitPassword(dsn string) (clean, password string) {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn, ""
	}
	if p, ok := u.User.Password(); ok {
		password = p
		u.User = url.User(u.User.Username())
	}
	q := u.Query()
	if q.Has("password") {
		if password == "" {
			password = q.Get("password")
		}
		q.Del("password")
		u.RawQuery = q.Encode()
	}
	return u.String(), password
}

// Open connects to the database at dsn (postgres://user@host:5432/db?
// sslmode=verify-full&sslrootcert=...) and migrates its schema; with
// several stations starting at once one migrates and the others wait.
// The pool holds up to 16 connections unless dsn says pool_max_conns.
func Open(ctx context.Context, dsn string, opts Options) (*DB, error) {
	if strings.TrimSpace(opts.Station) == "" {
		return nil, errors.New("open postgres store: no station name")
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres store %s: %w", Redact(dsn), redactErr(err, dsn))
	}
	if opts.Password != "" {
		cfg.ConnConfig.Password = opts.Password
	}
	if !strings.Contains(dsn, "pool_max_conns") {
		cfg.MaxConns = 16
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 10 * time.Second
	}
	if cfg.ConnConfig.RuntimeParams == nil {
		cfg.ConnConfig.RuntimeParams = map[string]string{}
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "shipdesk:" + opts.Station
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	db := &DB{cfg: cfg, station: opts.Station, now: opts.Now, loc: opts.Location, logf: opts.Logf}
	if db.now == nil {
		db.now = time.Now
	}
	if db.loc == nil {
		db.loc = time.Local
	}
	if db.logf == nil {
		db.logf = log.Printf
	}
	db.rules = store.Rules{Loc: db.loc}
	db.pool, err = pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres store %s: %w", Redact(dsn), err)
	}
	db.locks, err = pgxpool.NewWithConfig(ctx, cfg.Copy())
	if err != nil {
		db.pool.Close()
		return nil, fmt.Errorf("open postgres store %s: %w", Redact(dsn), err)
	}
	if err := db.migrate(ctx); err != nil {
		db.pool.Close()
		db.locks.Close()
		return nil, fmt.Errorf("open postgres store %s: %w", Redact(dsn), err)
	}
	return db, nil
}

// redactErr keeps a password out of a parse error's text.
func redactErr(err error, dsn string) error {
	_, pw := SplitPassword(dsn)
	if pw == "" || !strings.Contains(err.Error(), pw) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), pw, "xxxxx"))
}

// Close closes every connection. It waits for queries in flight.
func (db *DB) Close() error {
	db.locks.Close()
	db.pool.Close()
	return nil
}

// Station is the station name the store was opened with.
func (db *DB) Station() string { return db.station }

// Ping checks that the server answers.
func (db *DB) Ping(ctx context.Context) error { return db.pool.Ping(ctx) }

// unavailable marks err with store.ErrUnavailable when it says the server
// cannot be reached (no connection, connection lost, server shutting
// down), so the workflows can tell the clerk what is wrong.
func unavailable(err error) error {
	if err == nil || errors.Is(err, store.ErrUnavailable) {
		return err
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &ce), errors.As(err, &ne), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.As(err, &pe) && (strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "57P")),
		!errors.As(err, &pe) && pgconn.SafeToRetry(err), strings.Contains(err.Error(), "conn closed"):
		return fmt.Errorf("%w: %w", store.ErrUnavailable, err)
	}
	return err
}

// tx runs fn in a read-committed transaction, retrying a few times when
// the server aborts it for a deadlock or a serialization failure (fn then
// runs again: it must not have effects outside tx).
func (db *DB) tx(ctx context.Context, fn func(pgx.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = pgx.BeginFunc(ctx, db.pool, fn)
		var pe *pgconn.PgError
		if errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01") {
			continue
		}
		return unavailable(err)
	}
	return unavailable(err)
}

// notify queues a change notice delivered to listeners on commit.
func notify(ctx context.Context, tx pgx.Tx, kind, key string) error {
	_, err := tx.Exec(ctx, "SELECT pg_notify('shipdesk_changes', $1)", kind+":"+key)
	return err
}

// uniqueViolation reports whether err is a unique-constraint violation
// of the named constraint ("" = any).
func uniqueViolation(err error, constraint string) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505" && (constraint == "" || pe.ConstraintName == constraint)
}

func marshal(v any) ([]byte, error) { return json.Marshal(v) }

// ---- Settings ----

const clinicSettings = "clinic"

// Settings returns the clinic's shared settings with this station's
// printers, or store.DefaultSettings() when none were saved.
func (db *DB) Settings(ctx context.Context) (store.Settings, error) {
	s := store.DefaultSettings()
	var raw []byte
	err := db.pool.QueryRow(ctx, "SELECT data FROM settings WHERE id = $1", clinicSettings).Scan(&raw)
	switch {
	case isNoRows(err):
	case err != nil:
		return s, fmt.Errorf("settings: %w", err)
	default:
		s = store.Settings{}
		if err := json.Unmarshal(raw, &s); err != nil {
			return s, fmt.Errorf("settings: %w", err)
		}
	}
	s.Printers = nil
	var printers []byte
	err = db.pool.QueryRow(ctx, "SELECT printers FROM station_printers WHERE station = $1", db.station).Scan(&printers)
	switch {
	case isNoRows(err):
	case err != nil:
		return s, fmt.Errorf("settings: printers of %s: %w", db.station, err)
	default:
		if err := json.Unmarshal(printers, &s.Printers); err != nil {
			return s, fmt.Errorf("settings: printers of %s: %w", db.station, err)
		}
	}
	return s, nil
}

// SaveSettings validates and stores s: the printers for this station, the
// rest for the whole clinic. ErrInvalid names the first bad field.
func (db *DB) SaveSettings(ctx context.Context, s store.Settings) error {
	if err := store.ValidateSettings(&s); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	printers, err := marshal(s.Printers)
	if err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	s.Printers = nil
	shared, err := marshal(&s)
	if err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	err = db.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO settings (id, data) VALUES ($1, $2)
			ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data`, clinicSettings, shared); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO station_printers (station, printers) VALUES ($1, $2)
			ON CONFLICT (station) DO UPDATE SET printers = EXCLUDED.printers, updated_at = now()`, db.station, printers); err != nil {
			return err
		}
		return notify(ctx, tx, "settings", db.station)
	})
	if err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	return nil
}

// Stations lists the stations that saved printers, by name.
func (db *DB) Stations(ctx context.Context) ([]string, error) {
	rows, err := db.pool.Query(ctx, "SELECT station FROM station_printers ORDER BY station")
	if err != nil {
		return nil, fmt.Errorf("stations: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("stations: %w", err)
	}
	return out, nil
}

// ---- Orders ----

// SaveOrder creates or replaces an order (see store.DB.SaveOrder). A new
// order's daily sequence is a counter row, so stations never hand out the
// same id; the order id is the primary key.
func (db *DB) SaveOrder(ctx context.Context, o *store.Order) error {
	cp := *o
	if err := store.PrepareOrder(&cp); err != nil {
		return fmt.Errorf("save order: %w", err)
	}
	now := db.now()
	err := db.tx(ctx, func(tx pgx.Tx) error {
		c := cp
		if c.ID == "" {
			day := db.rules.DayKey(now)
			var n uint64
			if err := tx.QueryRow(ctx, `INSERT INTO order_seq (day, n) VALUES ($1, 1)
				ON CONFLICT (day) DO UPDATE SET n = order_seq.n + 1 RETURNING n`, day).Scan(&n); err != nil {
				return err
			}
			c.ID = store.OrderID(day, n)
		}
		var raw []byte
		err := tx.QueryRow(ctx, "SELECT data FROM orders WHERE id = $1 FOR UPDATE", c.ID).Scan(&raw)
		if err == nil && c.CreatedAt.IsZero() {
			var old store.Order
			if err := json.Unmarshal(raw, &old); err != nil {
				return fmt.Errorf("order %s: %w", c.ID, err)
			}
			c.CreatedAt = old.CreatedAt
		} else if err != nil && !isNoRows(err) {
			return err
		}
		if c.CreatedAt.IsZero() {
			c.CreatedAt = now
		}
		c.UpdatedAt = now
		data, err := marshal(&c)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO orders (id, step, data) VALUES ($1, $2, $3)
			ON CONFLICT (id) DO UPDATE SET step = EXCLUDED.step, data = EXCLUDED.data`, c.ID, string(c.Step), data); err != nil {
			return err
		}
		if err := notify(ctx, tx, "order", c.ID); err != nil {
			return err
		}
		cp = c
		return nil
	})
	if err != nil {
		return fmt.Errorf("save order: %w", err)
	}
	*o = cp
	return nil
}

// Order returns the order with that ID, or ErrNotFound.
func (db *DB) Order(ctx context.Context, id string) (store.Order, error) {
	var o store.Order
	var raw []byte
	err := db.pool.QueryRow(ctx, "SELECT data FROM orders WHERE id = $1", id).Scan(&raw)
	if isNoRows(err) {
		return o, fmt.Errorf("order %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return o, fmt.Errorf("order %s: %w", id, err)
	}
	if err := json.Unmarshal(raw, &o); err != nil {
		return o, fmt.Errorf("order %s: %w", id, err)
	}
	return o, nil
}

// OrdersByStep returns the orders at step, oldest ID first.
func (db *DB) OrdersByStep(ctx context.Context, step store.OrderStep) ([]store.Order, error) {
	rows, err := db.pool.Query(ctx, "SELECT data FROM orders WHERE step = $1 ORDER BY id", string(step))
	if err != nil {
		return nil, fmt.Errorf("orders by step: %w", err)
	}
	out, err := collectJSON[store.Order](rows)
	if err != nil {
		return nil, fmt.Errorf("orders by step: %w", err)
	}
	return out, nil
}

// LockOrder holds order id against every station until release: a
// transaction of its own takes a transaction-level advisory lock keyed by
// the order id, so a second station shipping the same order waits, then
// reads the order again and finds the waybill the first one stored. (A row
// lock would do the same between stations but would also block this
// station's own writes of the order while it holds it.) If this station
// dies, the server ends the transaction and the lock goes with it.
func (db *DB) LockOrder(ctx context.Context, id string) (func(), error) {
	conn, err := db.locks.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("lock order %s: %w", id, err)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		conn.Release()
		return nil, fmt.Errorf("lock order %s: %w", id, err)
	}
	fail := func(err error) (func(), error) {
		tx.Rollback(context.WithoutCancel(ctx))
		conn.Release()
		return nil, fmt.Errorf("lock order %s: %w", id, err)
	}
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", "shipdesk-order:"+id); err != nil {
		return fail(err)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			tx.Rollback(rctx)
			conn.Release()
		})
	}, nil
}

// collectJSON decodes rows of one JSON column.
func collectJSON[T any](rows pgx.Rows) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			return nil, err
		}
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// OpenAdmin connects one plain session to dsn, for administration (tests
// and benchmarks create databases with it). The caller closes it.
func OpenAdmin(ctx context.Context, dsn string) (*pgx.Conn, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("connect %s: %w", Redact(dsn), err)
	}
	return conn, nil
}
