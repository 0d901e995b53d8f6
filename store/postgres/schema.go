package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Advisory lock keys (database-wide). migrateLock serialises schema
// migrations: the first station to start migrates, the others wait on the
// lock and then find nothing left to do. workerLock is the tracking-worker
// election (see Elect).
const (
	migrateLock int64 = 0x5344_6d69_6772_0001 // "SDmigr"
	workerLock  int64 = 0x5344_776b_7200_0001 // "SDwkr"
)

// migrations[i] moves the schema from version i to i+1; each runs in one
// transaction with its version row, so a crash leaves the old version.
//
// Every record keeps its full encoding (shipments: store.EncodeShipment,
// the others JSON) beside the columns the lookups and constraints use, so
// a field added to a record flows through without a schema change. Text
// keys are COLLATE "C": byte order, as the bbolt engine sorts, so prefix
// lookups are B-tree ranges.
var migrations = []string{
	// 0 -> 1: the initial layout.
	`
CREATE TABLE settings (
	id   text PRIMARY KEY,
	data bytea NOT NULL
);
CREATE TABLE station_printers (
	station    text PRIMARY KEY,
	printers   bytea NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE orders (
	id   text COLLATE "C" PRIMARY KEY,
	step text COLLATE "C" NOT NULL,
	data bytea NOT NULL
);
CREATE INDEX orders_by_step ON orders (step, id);
CREATE TABLE order_seq (
	day text PRIMARY KEY,
	n   bigint NOT NULL
);
CREATE TABLE shipments (
	waybill      text COLLATE "C" PRIMARY KEY,
	carrier      text COLLATE "C" NOT NULL,
	phone_key    text COLLATE "C" NOT NULL,
	name_key     text COLLATE "C" NOT NULL,
	ref_key      text COLLATE "C",
	oid_key      text COLLATE "C",
	milestone    smallint NOT NULL CHECK (milestone >= 0 AND milestone < 12),
	created_ns   bigint NOT NULL,
	next_poll_ns bigint,
	data         bytea NOT NULL,
	CONSTRAINT shipments_waybill_carrier UNIQUE (waybill, carrier)
);
CREATE INDEX shipments_by_phone ON shipments (phone_key) WHERE phone_key <> '';
CREATE INDEX shipments_by_name ON shipments (name_key, waybill) WHERE name_key <> '';
CREATE INDEX shipments_by_ref ON shipments (ref_key) WHERE ref_key IS NOT NULL;
CREATE INDEX shipments_by_order ON shipments (oid_key) WHERE oid_key IS NOT NULL;
CREATE INDEX shipments_by_state ON shipments (milestone, created_ns, waybill);
CREATE INDEX shipments_by_day ON shipments (created_ns, waybill);
CREATE INDEX shipments_due ON shipments (next_poll_ns, waybill) WHERE next_poll_ns IS NOT NULL;
CREATE TABLE events (
	id        bigserial PRIMARY KEY,
	waybill   text COLLATE "C" NOT NULL REFERENCES shipments (waybill),
	t_ns      bigint NOT NULL,
	context   text NOT NULL,
	area      text NOT NULL,
	location  text NOT NULL,
	raw_state text NOT NULL,
	milestone smallint NOT NULL
);
CREATE UNIQUE INDEX events_once ON events (waybill, t_ns, md5(context));
CREATE TABLE jobs (
	id      bigserial PRIMARY KEY,
	state   text COLLATE "C" NOT NULL,
	waybill text COLLATE "C" NOT NULL,
	data    bytea NOT NULL
);
CREATE INDEX jobs_by_state ON jobs (state, id);
CREATE INDEX jobs_by_waybill ON jobs (waybill, id) WHERE waybill <> '';
CREATE TABLE sms (
	id        bigserial PRIMARY KEY,
	out_order text COLLATE "C" NOT NULL UNIQUE,
	waybill   text COLLATE "C" NOT NULL,
	state     text COLLATE "C" NOT NULL,
	milestone smallint NOT NULL,
	auto_once text COLLATE "C" UNIQUE,
	data      bytea NOT NULL
);
CREATE INDEX sms_by_waybill ON sms (waybill, id);
CREATE INDEX sms_by_state ON sms (state, id);
CREATE TABLE exceptions (
	id       bigserial PRIMARY KEY,
	waybill  text COLLATE "C" NOT NULL,
	kind     text COLLATE "C" NOT NULL,
	resolved boolean NOT NULL DEFAULT false,
	data     bytea NOT NULL
);
CREATE UNIQUE INDEX exceptions_open_once ON exceptions (waybill, kind) WHERE NOT resolved;
CREATE TABLE audit (
	id   bigserial PRIMARY KEY,
	data bytea NOT NULL
);
CREATE TABLE counters (
	key text COLLATE "C" PRIMARY KEY,
	n   bigint NOT NULL
);
`,
}

// SchemaVersion is the schema version this package writes.
var SchemaVersion = len(migrations)

// migrate brings the schema to SchemaVersion under migrateLock.
func (db *DB) migrate(ctx context.Context) error {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrateLock); err != nil {
		return fmt.Errorf("migrate: wait for another station: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrateLock)
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var ver int
	if err := conn.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&ver); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if ver > SchemaVersion {
		return fmt.Errorf("database schema v%d is newer than this Shipdesk understands (v%d); install the newer Shipdesk on this station", ver, SchemaVersion)
	}
	for ; ver < SchemaVersion; ver++ {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, migrations[ver]); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version) VALUES ($1)", ver+1)
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate schema v%d to v%d: %w", ver, ver+1, err)
		}
	}
	return nil
}

var errNoRows = pgx.ErrNoRows

func isNoRows(err error) bool { return errors.Is(err, errNoRows) }
