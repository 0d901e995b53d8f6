package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"shipdesk/store"
)

// row is the indexed columns of a shipment, derived from the record alone
// (CheckIndexes recomputes them the same way).
type row struct {
	waybill, carrier, phone, name string
	ref, oid                      *string
	milestone                     int16
	created                       int64
	nextPoll                      *int64
}

func rowOf(s *store.Shipment) row {
	r := row{
		waybill: s.Waybill, carrier: s.Carrier,
		phone: store.PhoneKey(s.RecipientPhone), name: store.NameKey(s.RecipientName),
		milestone: int16(s.Milestone), created: s.CreatedAt.UnixNano(),
	}
	if k := store.RefKey(s.Reference); k != "" {
		r.ref = &k
	}
	if k := store.RefKey(s.OrderID); k != "" && (r.ref == nil || *r.ref != k) {
		r.oid = &k
	}
	if !s.Milestone.Terminal() && !s.NextPollAt.IsZero() {
		n := s.NextPollAt.UnixNano()
		r.nextPoll = &n
	}
	return r
}

func eqPtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// CreateShipment stores a new shipment (see store.DB.CreateShipment); the
// primary key on the waybill makes a second station's insert of the same
// number wait for the first and then fail with ErrExists or ErrDuplicate.
func (db *DB) CreateShipment(ctx context.Context, in *store.Shipment) error {
	s, err := store.NewShipment(in, db.now())
	if err != nil {
		return fmt.Errorf("create shipment: %w", err)
	}
	r := rowOf(s)
	data := store.EncodeShipment(s)
	err = db.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO shipments (waybill, carrier, phone_key, name_key, ref_key, oid_key, milestone, created_ns, next_poll_ns, data)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (waybill) DO NOTHING`,
			r.waybill, r.carrier, r.phone, r.name, r.ref, r.oid, r.milestone, r.created, r.nextPoll, data)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			var carrier string
			if err := tx.QueryRow(ctx, "SELECT carrier FROM shipments WHERE waybill = $1", s.Waybill).Scan(&carrier); err != nil {
				return err
			}
			if carrier == s.Carrier {
				return fmt.Errorf("%w: waybill %s (%s)", store.ErrExists, s.Waybill, s.Carrier)
			}
			return fmt.Errorf("%w: waybill %s is stored for %s, not %s", store.ErrDuplicate, s.Waybill, carrier, s.Carrier)
		}
		if err := db.applyCounters(ctx, tx, nil, db.rules.ShipmentCounters(s)); err != nil {
			return err
		}
		return notify(ctx, tx, "shipment", s.Waybill)
	})
	if err != nil {
		return fmt.Errorf("create shipment: %w", err)
	}
	*in = *s
	return nil
}

func (db *DB) decode(waybill string, raw []byte) (store.Shipment, error) {
	s, err := store.DecodeShipment(raw, db.loc)
	if err != nil {
		return s, fmt.Errorf("shipment %s: %w", waybill, err)
	}
	return s, nil
}

// Shipment returns the shipment with that waybill number, or ErrNotFound.
func (db *DB) Shipment(ctx context.Context, waybill string) (store.Shipment, error) {
	waybill = strings.TrimSpace(waybill)
	var raw []byte
	err := db.pool.QueryRow(ctx, "SELECT data FROM shipments WHERE waybill = $1", waybill).Scan(&raw)
	if isNoRows(err) {
		return store.Shipment{}, fmt.Errorf("shipment %s: %w", waybill, store.ErrNotFound)
	}
	if err != nil {
		return store.Shipment{}, fmt.Errorf("shipment %s: %w", waybill, unavailable(err))
	}
	return db.decode(waybill, raw)
}

// UpdateShipment locks the shipment's row, lets fn change it and stores
// the result with its index columns and counters, all in one transaction
// (see store.DB.UpdateShipment). The row lock makes it the claim the
// tracking worker takes before each query: two stations cannot both claim
// the same poll. fn may run more than once if the server aborts the
// transaction for a deadlock; it must be quick and not call the store.
func (db *DB) UpdateShipment(ctx context.Context, waybill string, fn func(*store.Shipment) error) (store.Shipment, error) {
	waybill = strings.TrimSpace(waybill)
	var out store.Shipment
	err := db.tx(ctx, func(tx pgx.Tx) error {
		var raw []byte
		err := tx.QueryRow(ctx, "SELECT data FROM shipments WHERE waybill = $1 FOR UPDATE", waybill).Scan(&raw)
		if isNoRows(err) {
			return fmt.Errorf("shipment %s: %w", waybill, store.ErrNotFound)
		}
		if err != nil {
			return err
		}
		old, err := db.decode(waybill, raw)
		if err != nil {
			return err
		}
		cur, _ := db.decode(waybill, raw)
		if err := fn(&cur); err != nil {
			return err
		}
		if err := store.ChangedShipment(old, &cur, db.now()); err != nil {
			return err
		}
		r := rowOf(&cur)
		if _, err := tx.Exec(ctx, `UPDATE shipments SET carrier = $2, phone_key = $3, name_key = $4, ref_key = $5, oid_key = $6,
			milestone = $7, created_ns = $8, next_poll_ns = $9, data = $10 WHERE waybill = $1`,
			r.waybill, r.carrier, r.phone, r.name, r.ref, r.oid, r.milestone, r.created, r.nextPoll, store.EncodeShipment(&cur)); err != nil {
			return err
		}
		if err := db.applyCounters(ctx, tx, db.rules.ShipmentCounters(&old), db.rules.ShipmentCounters(&cur)); err != nil {
			return err
		}
		out = cur
		return notify(ctx, tx, "shipment", waybill)
	})
	return out, err
}

// query runs a shipments query whose first column is waybill and second
// data, returning the decoded shipments in order.
func (db *DB) query(ctx context.Context, sql string, args ...any) ([]store.Shipment, error) {
	rows, err := db.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, unavailable(err)
	}
	defer rows.Close()
	var out []store.Shipment
	for rows.Next() {
		var wb string
		var raw []byte
		if err := rows.Scan(&wb, &raw); err != nil {
			return nil, err
		}
		s, err := db.decode(wb, raw)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func limitOr(limit, otherwise int) int {
	if limit <= 0 {
		return otherwise
	}
	return limit
}

// ShipmentsByPhone returns shipments whose recipient phone ends in the
// digits given, newest first (see store.DB.ShipmentsByPhone).
func (db *DB) ShipmentsByPhone(ctx context.Context, phoneOrLast4 string, limit int) ([]store.Shipment, error) {
	k := store.PhoneKey(phoneOrLast4)
	if len(k) < 4 {
		return nil, fmt.Errorf("shipments by phone: %w", store.Invalid("phone", "give the full number or at least the last 4 digits"))
	}
	// A range, not LIKE: the planner keeps a parameter's LIKE pattern off
	// the index. Phone keys are digits, which sort before '~'.
	out, err := db.query(ctx, `SELECT waybill, data FROM shipments WHERE phone_key >= $1 AND phone_key < $2
		ORDER BY created_ns DESC, waybill LIMIT $3`, k, k+"~", limitOr(limit, store.MaxIndexScan))
	if err != nil {
		return nil, fmt.Errorf("shipments by phone: %w", err)
	}
	return out, nil
}

// ShipmentsByReference returns the shipments whose reference or order id
// is ref (case, spaces, dashes and full-width forms ignored), newest first.
func (db *DB) ShipmentsByReference(ctx context.Context, ref string, limit int) ([]store.Shipment, error) {
	k := store.RefKey(ref)
	if k == "" {
		return nil, fmt.Errorf("shipments by reference: %w", store.Invalid("reference", "empty"))
	}
	out, err := db.query(ctx, `SELECT waybill, data FROM shipments WHERE ref_key = $1 OR oid_key = $1
		ORDER BY created_ns DESC, waybill LIMIT $2`, k, limitOr(limit, store.MaxIndexScan))
	if err != nil {
		return nil, fmt.Errorf("shipments by reference: %w", err)
	}
	return out, nil
}

// prefixEnd bounds the keys that start with prefix: in byte order (COLLATE
// "C") every such key sorts below prefix + U+10FFFF, the largest character.
func prefixEnd(prefix string) string { return prefix + string(rune(0x10FFFF)) }

// ShipmentsByName returns shipments whose recipient name is name, newest
// first, then those whose name starts with it (newest first among the
// first few thousand such names), as store.DB.ShipmentsByName does.
func (db *DB) ShipmentsByName(ctx context.Context, name string, limit int) ([]store.Shipment, error) {
	n := store.NameKey(name)
	if n == "" {
		return nil, fmt.Errorf("shipments by name: %w", store.Invalid("name", "empty"))
	}
	exact, err := db.query(ctx, `SELECT waybill, data FROM shipments WHERE name_key = $1
		ORDER BY created_ns DESC, waybill LIMIT $2`, n, limitOr(limit, store.MaxIndexScan))
	if err != nil {
		return nil, fmt.Errorf("shipments by name: %w", err)
	}
	if limit > 0 && len(exact) >= limit {
		return exact, nil
	}
	more := limit - len(exact)
	scan := store.MaxIndexScan
	if limit > 0 {
		scan = min(scan, max(more*20, 1000))
	} else {
		more = store.MaxIndexScan
	}
	prefix, err := db.query(ctx, `SELECT waybill, data FROM (
			SELECT waybill, data, created_ns FROM shipments
			WHERE name_key > $1 AND name_key < $2
			ORDER BY name_key, waybill LIMIT $3) AS p
		ORDER BY created_ns DESC, waybill LIMIT $4`, n, prefixEnd(n), scan, more)
	if err != nil {
		return nil, fmt.Errorf("shipments by name: %w", err)
	}
	return append(exact, prefix...), nil
}

// ShipmentsByState returns one page of shipments in milestone m, newest
// first; the cursors are those of store.DB.ShipmentsByState.
func (db *DB) ShipmentsByState(ctx context.Context, m store.Milestone, after string, limit int) ([]store.Shipment, string, error) {
	if !m.Valid() {
		return nil, "", fmt.Errorf("shipments by state: %w", store.Invalid("milestone", "unknown value %d", uint8(m)))
	}
	if limit <= 0 {
		limit = 50
	}
	var page []store.Shipment
	var err error
	if after == "" {
		page, err = db.query(ctx, `SELECT waybill, data FROM shipments WHERE milestone = $1
			ORDER BY created_ns DESC, waybill DESC LIMIT $2`, int16(m), limit+1)
	} else {
		ns, wb, perr := store.ParseStateCursor(after)
		if perr != nil {
			return nil, "", fmt.Errorf("shipments by state: %w", perr)
		}
		page, err = db.query(ctx, `SELECT waybill, data FROM shipments WHERE milestone = $1 AND (created_ns, waybill) < ($2, $3)
			ORDER BY created_ns DESC, waybill DESC LIMIT $4`, int16(m), ns, wb, limit+1)
	}
	if err != nil {
		return nil, "", fmt.Errorf("shipments by state: %w", err)
	}
	next := ""
	if len(page) > limit {
		page = page[:limit]
		last := page[len(page)-1]
		next = store.StateCursor(last.CreatedAt, last.Waybill)
	}
	return page, next, nil
}

// ShipmentsByDay returns shipments created on the local days from from's
// day through to's day, oldest first.
func (db *DB) ShipmentsByDay(ctx context.Context, from, to time.Time, limit int) ([]store.Shipment, error) {
	lo := db.rules.DayStart(from).UnixNano()
	hi := db.rules.DayStart(to).AddDate(0, 0, 1).UnixNano()
	sql := `SELECT waybill, data FROM shipments WHERE created_ns >= $1 AND created_ns < $2 ORDER BY created_ns, waybill`
	args := []any{lo, hi}
	if limit > 0 {
		sql += " LIMIT $3"
		args = append(args, limit)
	}
	out, err := db.query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("shipments by day: %w", err)
	}
	return out, nil
}

// ShipmentsDue returns non-terminal shipments whose NextPollAt is at or
// before now, most overdue first.
func (db *DB) ShipmentsDue(ctx context.Context, now time.Time, limit int) ([]store.Shipment, error) {
	sql := `SELECT waybill, data FROM shipments WHERE next_poll_ns IS NOT NULL AND next_poll_ns <= $1 ORDER BY next_poll_ns, waybill`
	args := []any{now.UnixNano()}
	if limit > 0 {
		sql += " LIMIT $2"
		args = append(args, limit)
	}
	out, err := db.query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("shipments due: %w", err)
	}
	return out, nil
}

const walkChunk = 500

// ActiveShipments calls fn for every non-terminal shipment, grouped by
// milestone, oldest first within each; fn runs outside any transaction
// (pages of 500 are read at a time) and may call the store.
func (db *DB) ActiveShipments(ctx context.Context, fn func(store.Shipment) error) error {
	for _, m := range store.Milestones() {
		if m.Terminal() {
			continue
		}
		var ns int64 = -1 << 63
		wb := ""
		for {
			page, err := db.query(ctx, `SELECT waybill, data FROM shipments WHERE milestone = $1 AND (created_ns, waybill) > ($2, $3)
				ORDER BY created_ns, waybill LIMIT $4`, int16(m), ns, wb, walkChunk)
			if err != nil {
				return fmt.Errorf("active shipments: %w", err)
			}
			for _, s := range page {
				if err := fn(s); err != nil {
					return err
				}
			}
			if len(page) < walkChunk {
				break
			}
			last := page[len(page)-1]
			ns, wb = last.CreatedAt.UnixNano(), last.Waybill
		}
	}
	return nil
}

// AllShipments calls fn for every shipment in waybill order, with the
// rules of ActiveShipments.
func (db *DB) AllShipments(ctx context.Context, fn func(store.Shipment) error) error {
	wb := ""
	for {
		page, err := db.query(ctx, `SELECT waybill, data FROM shipments WHERE waybill > $1 ORDER BY waybill LIMIT $2`, wb, walkChunk)
		if err != nil {
			return fmt.Errorf("all shipments: %w", err)
		}
		for _, s := range page {
			if err := fn(s); err != nil {
				return err
			}
		}
		if len(page) < walkChunk {
			return nil
		}
		wb = page[len(page)-1].Waybill
	}
}

// byDay walks every shipment oldest first (the CSV export's order).
func (db *DB) byDay(ctx context.Context, fn func(store.Shipment) error) error {
	var ns int64 = -1 << 63
	wb := ""
	for {
		page, err := db.query(ctx, `SELECT waybill, data FROM shipments WHERE (created_ns, waybill) > ($1, $2)
			ORDER BY created_ns, waybill LIMIT $3`, ns, wb, walkChunk)
		if err != nil {
			return err
		}
		for _, s := range page {
			if err := fn(s); err != nil {
				return err
			}
		}
		if len(page) < walkChunk {
			return nil
		}
		last := page[len(page)-1]
		ns, wb = last.CreatedAt.UnixNano(), last.Waybill
	}
}
