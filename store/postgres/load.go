package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5"

	"shipdesk/store"
)

// Loader fills an empty database with records as they are, ids and
// timestamps included (db migrate from a bbolt file; the benchmark
// fixture). Shipments and events go in with COPY. Counters are not touched
// while loading: Finish rebuilds them, the id sequences and the daily order
// sequences from the records. A Loader is not safe for concurrent use.
type Loader struct {
	db     *DB
	events [][]any // queued for one COPY (see Events)
}

// NewLoader returns a loader into db, refusing a database that already
// holds shipments or orders (a second migrate would mix two clinics' data).
func (db *DB) NewLoader(ctx context.Context) (*Loader, error) {
	var n int64
	if err := db.pool.QueryRow(ctx, "SELECT (SELECT count(*) FROM shipments) + (SELECT count(*) FROM orders)").Scan(&n); err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	if n > 0 {
		return nil, fmt.Errorf("load: the database already holds %d shipments and orders; migrate into an empty database (目标数据库不是空的)", n)
	}
	return &Loader{db: db}, nil
}

// Shipments copies ss in (validated as CreateShipment validates).
func (l *Loader) Shipments(ctx context.Context, ss []store.Shipment) error {
	rows := make([][]any, 0, len(ss))
	for i := range ss {
		s := ss[i]
		if err := store.PrepareShipment(&s); err != nil {
			return fmt.Errorf("load shipment %s: %w", s.Waybill, err)
		}
		r := rowOf(&s)
		rows = append(rows, []any{r.waybill, r.carrier, r.phone, r.name, r.ref, r.oid, r.milestone, r.created, r.nextPoll, store.EncodeShipment(&s)})
	}
	_, err := l.db.pool.CopyFrom(ctx, pgx.Identifier{"shipments"},
		[]string{"waybill", "carrier", "phone_key", "name_key", "ref_key", "oid_key", "milestone", "created_ns", "next_poll_ns", "data"},
		pgx.CopyFromRows(rows))
	if err != nil {
		return fmt.Errorf("load shipments: %w", err)
	}
	return nil
}

// Events queues the trace of waybill, oldest first; the queue goes in with
// one COPY per 20,000 events (and at Finish).
func (l *Loader) Events(ctx context.Context, waybill string, evs []store.TrackingEvent) error {
	evs = slices.Clone(evs)
	slices.SortStableFunc(evs, func(a, b store.TrackingEvent) int { return a.Time.Compare(b.Time) })
	for _, e := range evs {
		l.events = append(l.events, []any{waybill, e.Time.UnixNano(), e.Context, e.Area, e.Location, e.RawState, int16(e.Milestone)})
	}
	if len(l.events) >= 20000 {
		return l.flushEvents(ctx)
	}
	return nil
}

func (l *Loader) flushEvents(ctx context.Context) error {
	if len(l.events) == 0 {
		return nil
	}
	_, err := l.db.pool.CopyFrom(ctx, pgx.Identifier{"events"}, []string{"waybill", "t_ns", "context", "area", "location", "raw_state", "milestone"}, pgx.CopyFromRows(l.events))
	if err != nil {
		return fmt.Errorf("load events: %w", err)
	}
	l.events = l.events[:0]
	return nil
}

func (l *Loader) insert(ctx context.Context, what, sql string, rows [][]any) error {
	b := &pgx.Batch{}
	for _, r := range rows {
		b.Queue(sql, r...)
	}
	if err := l.db.pool.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("load %s: %w", what, err)
	}
	return nil
}

// Orders inserts orders as they are.
func (l *Loader) Orders(ctx context.Context, os []store.Order) error {
	var rows [][]any
	for _, o := range os {
		data, err := json.Marshal(&o)
		if err != nil {
			return err
		}
		rows = append(rows, []any{o.ID, string(o.Step), data})
	}
	return l.insert(ctx, "orders", "INSERT INTO orders (id, step, data) VALUES ($1, $2, $3)", rows)
}

// Jobs inserts print jobs with their ids.
func (l *Loader) Jobs(ctx context.Context, js []store.PrintJob) error {
	var rows [][]any
	for _, j := range js {
		data, err := json.Marshal(&j)
		if err != nil {
			return err
		}
		rows = append(rows, []any{j.ID, string(j.State), j.Waybill, data})
	}
	return l.insert(ctx, "print jobs", "INSERT INTO jobs (id, state, waybill, data) VALUES ($1, $2, $3, $4)", rows)
}

// SMS inserts messages with their ids.
func (l *Loader) SMS(ctx context.Context, ms []store.SMSMessage) error {
	var rows [][]any
	for _, m := range ms {
		data, err := json.Marshal(&m)
		if err != nil {
			return err
		}
		rows = append(rows, []any{m.ID, m.OutOrder, m.Waybill, string(m.State), int16(m.Milestone), autoOnce(&m), data})
	}
	return l.insert(ctx, "sms", "INSERT INTO sms (id, out_order, waybill, state, milestone, auto_once, data) VALUES ($1, $2, $3, $4, $5, $6, $7)", rows)
}

// Exceptions inserts exceptions with their ids.
func (l *Loader) Exceptions(ctx context.Context, es []store.Exception) error {
	var rows [][]any
	for _, e := range es {
		data, err := json.Marshal(&e)
		if err != nil {
			return err
		}
		rows = append(rows, []any{e.ID, e.Waybill, string(e.Kind), !e.Open(), data})
	}
	return l.insert(ctx, "exceptions", "INSERT INTO exceptions (id, waybill, kind, resolved, data) VALUES ($1, $2, $3, $4, $5)", rows)
}

// Audit inserts audit entries with their ids.
func (l *Loader) Audit(ctx context.Context, es []store.AuditEntry) error {
	var rows [][]any
	for _, e := range es {
		data, err := json.Marshal(&e)
		if err != nil {
			return err
		}
		rows = append(rows, []any{e.ID, data})
	}
	return l.insert(ctx, "audit", "INSERT INTO audit (id, data) VALUES ($1, $2)", rows)
}

var orderIDPattern = regexp.MustCompile(`^SD(\d{8})-(\d{6})$`)

// Finish moves every id sequence past the loaded ids, sets each day's order
// sequence to its highest order number, rebuilds the counters and
// analyses the tables.
func (l *Loader) Finish(ctx context.Context) error {
	if err := l.flushEvents(ctx); err != nil {
		return err
	}
	for _, t := range []string{"jobs", "sms", "exceptions", "audit", "events"} {
		if _, err := l.db.pool.Exec(ctx, fmt.Sprintf("SELECT setval('%s_id_seq', coalesce((SELECT max(id) FROM %s), 0) + 1, false)", t, t)); err != nil {
			return fmt.Errorf("load: sequence of %s: %w", t, err)
		}
	}
	rows, err := l.db.pool.Query(ctx, "SELECT id FROM orders")
	if err != nil {
		return fmt.Errorf("load: order ids: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("load: order ids: %w", err)
	}
	seq := map[string]int64{}
	for _, id := range ids {
		if m := orderIDPattern.FindStringSubmatch(id); m != nil {
			n, _ := strconv.ParseInt(m[2], 10, 64)
			seq[m[1]] = max(seq[m[1]], n)
		}
	}
	var rs [][]any
	for day, n := range seq {
		rs = append(rs, []any{day, n})
	}
	if err := l.insert(ctx, "order sequences", "INSERT INTO order_seq (day, n) VALUES ($1, $2) ON CONFLICT (day) DO UPDATE SET n = greatest(order_seq.n, EXCLUDED.n)", rs); err != nil {
		return err
	}
	if err := l.db.Recount(ctx); err != nil {
		return err
	}
	if _, err := l.db.pool.Exec(ctx, "ANALYZE"); err != nil {
		return fmt.Errorf("load: analyze: %w", err)
	}
	return nil
}

// Tally counts the records of every kind, for the migrate summary.
func (db *DB) Tally(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	for _, t := range []string{"shipments", "events", "orders", "jobs", "sms", "exceptions", "audit"} {
		var n int64
		if err := db.pool.QueryRow(ctx, "SELECT count(*) FROM "+t).Scan(&n); err != nil {
			return nil, fmt.Errorf("tally %s: %w", t, err)
		}
		out[t] = n
	}
	return out, nil
}
