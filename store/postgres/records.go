package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"shipdesk/store"
)

// ---- Tracking events ----

// AddEvents merges evs into the trace of waybill and returns how many were
// new (see store.DB.AddEvents). The unique index on (waybill, time,
// md5(text)) is the duplicate rule, so two stations adding the same push
// store it once.
func (db *DB) AddEvents(ctx context.Context, waybill string, evs []store.TrackingEvent) (int, error) {
	waybill = strings.TrimSpace(waybill)
	if err := store.ValidateEvents(waybill, evs); err != nil {
		return 0, err
	}
	added := 0
	err := db.tx(ctx, func(tx pgx.Tx) error {
		added = 0
		var one int
		err := tx.QueryRow(ctx, "SELECT 1 FROM shipments WHERE waybill = $1", waybill).Scan(&one)
		if isNoRows(err) {
			return fmt.Errorf("add events: shipment %s: %w", waybill, store.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if len(evs) == 0 {
			return nil
		}
		b := &pgx.Batch{}
		for _, e := range evs {
			b.Queue(`INSERT INTO events (waybill, t_ns, context, area, location, raw_state, milestone)
				VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
				waybill, e.Time.UnixNano(), e.Context, e.Area, e.Location, e.RawState, int16(e.Milestone))
		}
		br := tx.SendBatch(ctx, b)
		for range evs {
			tag, err := br.Exec()
			if err != nil {
				br.Close()
				return err
			}
			added += int(tag.RowsAffected())
		}
		if err := br.Close(); err != nil {
			return err
		}
		if added > 0 {
			return notify(ctx, tx, "events", waybill)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return added, nil
}

// Events returns the trace of waybill, newest first, times in the store's
// location; an unknown waybill is ErrNotFound.
func (db *DB) Events(ctx context.Context, waybill string) ([]store.TrackingEvent, error) {
	waybill = strings.TrimSpace(waybill)
	rows, err := db.pool.Query(ctx, `SELECT t_ns, context, area, location, raw_state, milestone FROM events
		WHERE waybill = $1 ORDER BY t_ns DESC, id DESC`, waybill)
	if err != nil {
		return nil, fmt.Errorf("events %s: %w", waybill, err)
	}
	evs := []store.TrackingEvent{}
	for rows.Next() {
		var e store.TrackingEvent
		var ns int64
		var m int16
		if err := rows.Scan(&ns, &e.Context, &e.Area, &e.Location, &e.RawState, &m); err != nil {
			rows.Close()
			return nil, fmt.Errorf("events %s: %w", waybill, err)
		}
		e.Time = time.Unix(0, ns).In(db.loc)
		e.Milestone = store.Milestone(m)
		evs = append(evs, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("events %s: %w", waybill, err)
	}
	if len(evs) == 0 {
		if _, err := db.Shipment(ctx, waybill); err != nil {
			return nil, fmt.Errorf("events: %w", err)
		}
	}
	return evs, nil
}

// ---- Print jobs ----

// AddJob stores a new print job before a byte is sent (see
// store.DB.AddJob).
func (db *DB) AddJob(ctx context.Context, j *store.PrintJob) error {
	cp := *j
	if cp.State == "" {
		cp.State = store.JobQueued
	}
	if err := store.ValidateJob(&cp); err != nil {
		return fmt.Errorf("add job: %w", err)
	}
	now := db.now()
	if cp.CreatedAt.IsZero() {
		cp.CreatedAt = now
	}
	cp.UpdatedAt = now
	err := db.tx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT nextval('jobs_id_seq')").Scan(&cp.ID); err != nil {
			return err
		}
		data, err := marshal(&cp)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO jobs (id, state, waybill, data) VALUES ($1, $2, $3, $4)", cp.ID, string(cp.State), cp.Waybill, data); err != nil {
			return err
		}
		return notify(ctx, tx, "job", fmt.Sprint(cp.ID))
	})
	if err != nil {
		return fmt.Errorf("add job: %w", err)
	}
	*j = cp
	return nil
}

// Job returns the print job with that ID, or ErrNotFound.
func (db *DB) Job(ctx context.Context, id uint64) (store.PrintJob, error) {
	var j store.PrintJob
	var raw []byte
	err := db.pool.QueryRow(ctx, "SELECT data FROM jobs WHERE id = $1", id).Scan(&raw)
	if isNoRows(err) {
		return j, fmt.Errorf("job %d: %w", id, store.ErrNotFound)
	}
	if err == nil {
		err = json.Unmarshal(raw, &j)
	}
	if err != nil {
		return j, fmt.Errorf("job %d: %w", id, err)
	}
	return j, nil
}

// UpdateJob locks job id, lets fn change it and stores it (see
// store.DB.UpdateJob).
func (db *DB) UpdateJob(ctx context.Context, id uint64, fn func(*store.PrintJob) error) (store.PrintJob, error) {
	var out store.PrintJob
	what := fmt.Sprintf("job %d", id)
	err := db.tx(ctx, func(tx pgx.Tx) error {
		var raw []byte
		err := tx.QueryRow(ctx, "SELECT data FROM jobs WHERE id = $1 FOR UPDATE", id).Scan(&raw)
		if isNoRows(err) {
			return fmt.Errorf("%s: %w", what, store.ErrNotFound)
		}
		if err != nil {
			return err
		}
		var cur store.PrintJob
		if err := json.Unmarshal(raw, &cur); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if err := fn(&cur); err != nil {
			return err
		}
		if cur.ID != id {
			return fmt.Errorf("update %s: %w", what, store.Invalid("id", "cannot change"))
		}
		if err := store.ValidateJob(&cur); err != nil {
			return fmt.Errorf("update %s: %w", what, err)
		}
		cur.UpdatedAt = db.now()
		data, err := marshal(&cur)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE jobs SET state = $2, waybill = $3, data = $4 WHERE id = $1", id, string(cur.State), cur.Waybill, data); err != nil {
			return err
		}
		out = cur
		return notify(ctx, tx, "job", fmt.Sprint(id))
	})
	return out, err
}

// Jobs returns the print jobs matching f, newest first.
func (db *DB) Jobs(ctx context.Context, f store.JobFilter) ([]store.PrintJob, error) {
	sql := "SELECT data FROM jobs WHERE true"
	var args []any
	if f.Waybill != "" {
		args = append(args, f.Waybill)
		sql += fmt.Sprintf(" AND waybill = $%d", len(args))
	}
	if f.State != "" {
		args = append(args, string(f.State))
		sql += fmt.Sprintf(" AND state = $%d", len(args))
	}
	sql += " ORDER BY id DESC"
	if f.Limit > 0 {
		args = append(args, f.Limit)
		sql += fmt.Sprintf(" LIMIT $%d", len(args))
	}
	rows, err := db.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	out, err := collectJSON[store.PrintJob](rows)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return out, nil
}

// ---- SMS ----

// manualSMSPrefix starts the Reply of a message a person asked to resend
// (package sms writes it); all others are automatic, and the unique
// auto_once column allows one automatic message per (waybill, milestone)
// across every station.
const manualSMSPrefix = "人工重发"

func autoOnce(m *store.SMSMessage) *string {
	if m.Waybill == "" || strings.HasPrefix(m.Reply, manualSMSPrefix) {
		return nil
	}
	k := fmt.Sprintf("%s/%d", m.Waybill, m.Milestone)
	return &k
}

// AddSMS stores a new message (see store.DB.AddSMS). An OutOrder already
// used, or a second automatic message for the same waybill and milestone,
// is ErrExists.
func (db *DB) AddSMS(ctx context.Context, m *store.SMSMessage) error {
	cp := *m
	if cp.State == "" {
		cp.State = store.SMSIntent
	}
	now := db.now()
	if cp.CreatedAt.IsZero() {
		cp.CreatedAt = now
	}
	cp.UpdatedAt = now
	if err := store.ValidateSMS(&cp); err != nil {
		return fmt.Errorf("add sms: %w", err)
	}
	err := db.tx(ctx, func(tx pgx.Tx) error {
		c := cp
		if err := tx.QueryRow(ctx, "SELECT nextval('sms_id_seq')").Scan(&c.ID); err != nil {
			return err
		}
		if c.OutOrder == "" {
			c.OutOrder = db.rules.SMSOutOrder(c.CreatedAt, c.ID)
		}
		data, err := marshal(&c)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "INSERT INTO sms (id, out_order, waybill, state, milestone, auto_once, data) VALUES ($1, $2, $3, $4, $5, $6, $7)",
			c.ID, c.OutOrder, c.Waybill, string(c.State), int16(c.Milestone), autoOnce(&c), data)
		switch {
		case uniqueViolation(err, "sms_out_order_key"):
			return fmt.Errorf("%w: outOrder %s", store.ErrExists, c.OutOrder)
		case uniqueViolation(err, "sms_auto_once_key"):
			return fmt.Errorf("%w: an SMS for %s at %s is already recorded", store.ErrExists, c.Waybill, c.Milestone)
		case err != nil:
			return err
		}
		if err := db.applyCounters(ctx, tx, nil, db.rules.SMSCounters(&c)); err != nil {
			return err
		}
		cp = c
		return notify(ctx, tx, "sms", fmt.Sprint(c.ID))
	})
	if err != nil {
		return fmt.Errorf("add sms: %w", err)
	}
	*m = cp
	return nil
}

// UpdateSMS locks message id, lets fn change it and stores it; the daily
// counters follow (see store.DB.UpdateSMS).
func (db *DB) UpdateSMS(ctx context.Context, id uint64, fn func(*store.SMSMessage) error) (store.SMSMessage, error) {
	var out store.SMSMessage
	what := fmt.Sprintf("sms %d", id)
	err := db.tx(ctx, func(tx pgx.Tx) error {
		var raw []byte
		err := tx.QueryRow(ctx, "SELECT data FROM sms WHERE id = $1 FOR UPDATE", id).Scan(&raw)
		if isNoRows(err) {
			return fmt.Errorf("%s: %w", what, store.ErrNotFound)
		}
		if err != nil {
			return err
		}
		var old, cur store.SMSMessage
		if err := json.Unmarshal(raw, &old); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		json.Unmarshal(raw, &cur)
		if err := fn(&cur); err != nil {
			return err
		}
		if cur.ID != id || cur.OutOrder != old.OutOrder {
			return fmt.Errorf("update %s: %w", what, store.Invalid("id", "id and outOrder cannot change"))
		}
		if err := store.ValidateSMS(&cur); err != nil {
			return fmt.Errorf("update %s: %w", what, err)
		}
		cur.UpdatedAt = db.now()
		data, err := marshal(&cur)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE sms SET waybill = $2, state = $3, milestone = $4, auto_once = $5, data = $6 WHERE id = $1",
			id, cur.Waybill, string(cur.State), int16(cur.Milestone), autoOnce(&cur), data)
		if uniqueViolation(err, "sms_auto_once_key") {
			return fmt.Errorf("update %s: %w: an SMS for %s at %s is already recorded", what, store.ErrExists, cur.Waybill, cur.Milestone)
		}
		if err != nil {
			return err
		}
		if err := db.applyCounters(ctx, tx, db.rules.SMSCounters(&old), db.rules.SMSCounters(&cur)); err != nil {
			return err
		}
		out = cur
		return notify(ctx, tx, "sms", fmt.Sprint(id))
	})
	return out, err
}

// SMSByOutOrder returns the message with that OutOrder, or ErrNotFound.
func (db *DB) SMSByOutOrder(ctx context.Context, outOrder string) (store.SMSMessage, error) {
	var m store.SMSMessage
	var raw []byte
	err := db.pool.QueryRow(ctx, "SELECT data FROM sms WHERE out_order = $1", strings.TrimSpace(outOrder)).Scan(&raw)
	if isNoRows(err) {
		return m, fmt.Errorf("sms outOrder %s: %w", outOrder, store.ErrNotFound)
	}
	if err == nil {
		err = json.Unmarshal(raw, &m)
	}
	if err != nil {
		return m, fmt.Errorf("sms outOrder %s: %w", outOrder, err)
	}
	return m, nil
}

func (db *DB) smsWhere(ctx context.Context, col, val string) ([]store.SMSMessage, error) {
	rows, err := db.pool.Query(ctx, "SELECT data FROM sms WHERE "+col+" = $1 ORDER BY id", val)
	if err != nil {
		return nil, fmt.Errorf("sms: %w", err)
	}
	out, err := collectJSON[store.SMSMessage](rows)
	if err != nil {
		return nil, fmt.Errorf("sms: %w", err)
	}
	return out, nil
}

// SMSFor returns the messages for waybill, oldest first.
func (db *DB) SMSFor(ctx context.Context, waybill string) ([]store.SMSMessage, error) {
	return db.smsWhere(ctx, "waybill", strings.TrimSpace(waybill))
}

// SMSInState returns the messages in state st, oldest first.
func (db *DB) SMSInState(ctx context.Context, st store.SMSState) ([]store.SMSMessage, error) {
	return db.smsWhere(ctx, "state", string(st))
}

// ---- Exceptions ----

// RaiseException stores e unless an open exception for the same (Waybill,
// Kind) exists (see store.DB.RaiseException); a partial unique index keeps
// it to one across stations.
func (db *DB) RaiseException(ctx context.Context, e *store.Exception) (bool, error) {
	if err := store.ValidateException(e); err != nil {
		return false, fmt.Errorf("raise exception: %w", err)
	}
	cp := *e
	if cp.RaisedAt.IsZero() {
		cp.RaisedAt = db.now()
	}
	raised := false
	err := db.tx(ctx, func(tx pgx.Tx) error {
		raised = false
		err := tx.QueryRow(ctx, "SELECT id FROM exceptions WHERE waybill = $1 AND kind = $2 AND NOT resolved", cp.Waybill, string(cp.Kind)).Scan(&cp.ID)
		if err == nil {
			return nil
		}
		if !isNoRows(err) {
			return err
		}
		if err := tx.QueryRow(ctx, "SELECT nextval('exceptions_id_seq')").Scan(&cp.ID); err != nil {
			return err
		}
		data, err := marshal(&cp)
		if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO exceptions (id, waybill, kind, data) VALUES ($1, $2, $3, $4)
			ON CONFLICT (waybill, kind) WHERE NOT resolved DO NOTHING`, cp.ID, cp.Waybill, string(cp.Kind), data)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 { // another station raised it meanwhile
			return tx.QueryRow(ctx, "SELECT id FROM exceptions WHERE waybill = $1 AND kind = $2 AND NOT resolved", cp.Waybill, string(cp.Kind)).Scan(&cp.ID)
		}
		raised = true
		return notify(ctx, tx, "exception", fmt.Sprint(cp.ID))
	})
	if err != nil {
		return false, fmt.Errorf("raise exception: %w", err)
	}
	if raised {
		*e = cp
	} else {
		e.ID = cp.ID
	}
	return raised, nil
}

// ResolveException marks exception id resolved by who now.
func (db *DB) ResolveException(ctx context.Context, id uint64, who string) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		var raw []byte
		err := tx.QueryRow(ctx, "SELECT data FROM exceptions WHERE id = $1 FOR UPDATE", id).Scan(&raw)
		if isNoRows(err) {
			return fmt.Errorf("exception %d: %w", id, store.ErrNotFound)
		}
		if err != nil {
			return err
		}
		var e store.Exception
		if err := json.Unmarshal(raw, &e); err != nil {
			return fmt.Errorf("exception %d: %w", id, err)
		}
		if !e.Open() {
			return nil
		}
		e.ResolvedAt = db.now()
		e.ResolvedBy = who
		data, err := marshal(&e)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE exceptions SET resolved = true, data = $2 WHERE id = $1", id, data); err != nil {
			return err
		}
		return notify(ctx, tx, "exception", fmt.Sprint(id))
	})
}

// Exceptions returns exceptions newest first: only unresolved ones when
// openOnly. limit <= 0 means no limit.
func (db *DB) Exceptions(ctx context.Context, openOnly bool, limit int) ([]store.Exception, error) {
	sql := "SELECT data FROM exceptions"
	if openOnly {
		sql += " WHERE NOT resolved"
	}
	sql += " ORDER BY id DESC"
	var args []any
	if limit > 0 {
		sql += " LIMIT $1"
		args = append(args, limit)
	}
	rows, err := db.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("exceptions: %w", err)
	}
	out, err := collectJSON[store.Exception](rows)
	if err != nil {
		return nil, fmt.Errorf("exceptions: %w", err)
	}
	return out, nil
}

// ---- Audit log ----

// Audit appends e to the audit log, assigning ID and Time (when zero).
func (db *DB) Audit(ctx context.Context, e store.AuditEntry) error {
	if strings.TrimSpace(e.Action) == "" {
		return fmt.Errorf("audit: %w", store.Invalid("action", "empty"))
	}
	if e.Time.IsZero() {
		e.Time = db.now()
	}
	err := db.tx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT nextval('audit_id_seq')").Scan(&e.ID); err != nil {
			return err
		}
		data, err := marshal(&e)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "INSERT INTO audit (id, data) VALUES ($1, $2)", e.ID, data)
		return err
	})
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// AuditLog returns the newest limit entries, newest first (limit <= 0: all).
func (db *DB) AuditLog(ctx context.Context, limit int) ([]store.AuditEntry, error) {
	sql := "SELECT data FROM audit ORDER BY id DESC"
	var args []any
	if limit > 0 {
		sql += " LIMIT $1"
		args = append(args, limit)
	}
	rows, err := db.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	out, err := collectJSON[store.AuditEntry](rows)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return out, nil
}
