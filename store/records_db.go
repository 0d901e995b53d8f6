package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"
)

func unmarshal(v []byte, p any) error { return json.Unmarshal(v, p) }

func putJSON(b *bolt.Bucket, k []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(k, raw)
}

// getJSON loads key k of bucket into p; what names the record for errors.
func getJSON(b *bolt.Bucket, k []byte, what string, p any) error {
	v := b.Get(k)
	if v == nil {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	if err := json.Unmarshal(v, p); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// seqIDs collects the sequence numbers of index entries starting with
// prefix (keys are prefix + 8-byte id).
func seqIDs(b *bolt.Bucket, prefix []byte) []uint64 {
	var ids []uint64
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if len(k) == len(prefix)+8 {
			ids = append(ids, binary.BigEndian.Uint64(k[len(prefix):]))
		}
	}
	return ids
}

// ---- Orders ----

func validStep(s OrderStep) bool {
	switch s {
	case StepSaved, StepWaybilled, StepQueued, StepSubscribed, StepDone:
		return true
	}
	return false
}

// SaveOrder creates or replaces an order. An empty ID gets the next one of
// the local day: "SD" + yyyymmdd + "-" + 6-digit daily sequence, written
// back to o and never changed afterwards. CreatedAt is set when zero (kept
// from the stored order on replace), UpdatedAt always, Step defaults to
// StepSaved. An unknown Step is ErrInvalid.
func (db *DB) SaveOrder(ctx context.Context, o *Order) error {
	if o.Step == "" {
		o.Step = StepSaved
	}
	if !validStep(o.Step) {
		return fmt.Errorf("save order: %w", invalid("step", "unknown value %q", o.Step))
	}
	o.ID = strings.TrimSpace(o.ID)
	if err := validKeyText("id", o.ID, 64); err != nil {
		return fmt.Errorf("save order: %w", err)
	}
	now := db.now()
	cp := *o
	err := db.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bOrders)
		if cp.ID == "" {
			day := now.In(db.loc).Format("20060102")
			seqs := tx.Bucket(bOrderSeq)
			var n uint64 = 1
			if v := seqs.Get([]byte(day)); len(v) == 8 {
				n = binary.BigEndian.Uint64(v) + 1
			}
			if err := seqs.Put([]byte(day), u64(n)); err != nil {
				return err
			}
			cp.ID = fmt.Sprintf("SD%s-%06d", day, n)
		}
		var old Order
		if err := getJSON(b, []byte(cp.ID), "", &old); err == nil {
			if err := tx.Bucket(bOrderStep).Delete(cat([]byte(old.Step), sep, []byte(old.ID))); err != nil {
				return err
			}
			if cp.CreatedAt.IsZero() {
				cp.CreatedAt = old.CreatedAt
			}
		}
		if cp.CreatedAt.IsZero() {
			cp.CreatedAt = now
		}
		cp.UpdatedAt = now
		if err := tx.Bucket(bOrderStep).Put(cat([]byte(cp.Step), sep, []byte(cp.ID)), nil); err != nil {
			return err
		}
		return putJSON(b, []byte(cp.ID), &cp)
	})
	if err != nil {
		return fmt.Errorf("save order: %w", err)
	}
	*o = cp
	return nil
}

// Order returns the order with that ID, or ErrNotFound.
func (db *DB) Order(ctx context.Context, id string) (Order, error) {
	var o Order
	err := db.view(ctx, func(tx *bolt.Tx) error {
		return getJSON(tx.Bucket(bOrders), []byte(id), "order "+id, &o)
	})
	return o, err
}

// OrdersByStep returns the orders currently at step, oldest ID first; the
// ship workflow uses it to resume orders that stopped half way.
func (db *DB) OrdersByStep(ctx context.Context, step OrderStep) ([]Order, error) {
	var out []Order
	err := db.view(ctx, func(tx *bolt.Tx) error {
		prefix := cat([]byte(step), sep)
		c := tx.Bucket(bOrderStep).Cursor()
		b := tx.Bucket(bOrders)
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			var o Order
			if err := getJSON(b, k[len(prefix):], "order "+string(k[len(prefix):]), &o); err != nil {
				return err
			}
			out = append(out, o)
		}
		return nil
	})
	return out, err
}

// ---- Print jobs ----

func validJobState(s JobState) bool {
	switch s {
	case JobQueued, JobSending, JobSent, JobFailed, JobCancelled:
		return true
	}
	return false
}

func jobIndex(j *PrintJob) []ixEntry {
	id := u64(j.ID)
	out := []ixEntry{{bJobState, cat([]byte(j.State), sep, id), nil}}
	if j.Waybill != "" {
		out = append(out, ixEntry{bJobWaybill, cat([]byte(j.Waybill), sep, id), nil})
	}
	return out
}

func validateJob(j *PrintJob) error {
	if !validJobState(j.State) {
		return invalid("state", "unknown value %q", j.State)
	}
	if strings.TrimSpace(j.PrinterURI) == "" {
		return invalid("printerUri", "empty")
	}
	return validKeyText("waybill", j.Waybill, 64)
}

// AddJob stores a new print job before a byte is sent: it assigns j.ID,
// sets State to JobQueued when empty and the timestamps. An empty
// PrinterURI is ErrInvalid.
func (db *DB) AddJob(ctx context.Context, j *PrintJob) error {
	cp := *j
	if cp.State == "" {
		cp.State = JobQueued
	}
	if err := validateJob(&cp); err != nil {
		return fmt.Errorf("add job: %w", err)
	}
	now := db.now()
	if cp.CreatedAt.IsZero() {
		cp.CreatedAt = now
	}
	cp.UpdatedAt = now
	err := db.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bJobs)
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		cp.ID = id
		if err := putIndex(tx, jobIndex(&cp)); err != nil {
			return err
		}
		return putJSON(b, u64(id), &cp)
	})
	if err != nil {
		return fmt.Errorf("add job: %w", err)
	}
	*j = cp
	return nil
}

// Job returns the print job with that ID, or ErrNotFound.
func (db *DB) Job(ctx context.Context, id uint64) (PrintJob, error) {
	var j PrintJob
	err := db.view(ctx, func(tx *bolt.Tx) error {
		return getJSON(tx.Bucket(bJobs), u64(id), fmt.Sprintf("job %d", id), &j)
	})
	return j, err
}

// UpdateJob loads job id, lets fn change it and stores it (same rules as
// UpdateShipment: fn runs in the write transaction, its error is returned
// unchanged, ID cannot change). UpdatedAt is set.
func (db *DB) UpdateJob(ctx context.Context, id uint64, fn func(*PrintJob) error) (PrintJob, error) {
	var out PrintJob
	err := db.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bJobs)
		var old, cur PrintJob
		what := fmt.Sprintf("job %d", id)
		if err := getJSON(b, u64(id), what, &old); err != nil {
			return err
		}
		getJSON(b, u64(id), what, &cur)
		if err := fn(&cur); err != nil {
			return err
		}
		if cur.ID != id {
			return fmt.Errorf("update %s: %w", what, invalid("id", "cannot change"))
		}
		if err := validateJob(&cur); err != nil {
			return fmt.Errorf("update %s: %w", what, err)
		}
		cur.UpdatedAt = db.now()
		if err := deleteIndex(tx, jobIndex(&old)); err != nil {
			return err
		}
		if err := putIndex(tx, jobIndex(&cur)); err != nil {
			return err
		}
		out = cur
		return putJSON(b, u64(id), &cur)
	})
	return out, err
}

// JobFilter selects print jobs. Zero fields match everything.
type JobFilter struct {
	State   JobState // only jobs in this state
	Waybill string   // only jobs for this waybill
	Limit   int      // at most this many; <= 0 means no limit
}

// Jobs returns the print jobs matching f, newest first.
func (db *DB) Jobs(ctx context.Context, f JobFilter) ([]PrintJob, error) {
	var out []PrintJob
	err := db.view(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bJobs)
		var ids []uint64
		switch {
		case f.Waybill != "":
			ids = seqIDs(tx.Bucket(bJobWaybill), cat([]byte(f.Waybill), sep))
		case f.State != "":
			ids = seqIDs(tx.Bucket(bJobState), cat([]byte(f.State), sep))
		default:
			c := b.Cursor()
			for k, _ := c.Last(); k != nil && (f.Limit <= 0 || len(ids) < f.Limit); k, _ = c.Prev() {
				ids = append(ids, binary.BigEndian.Uint64(k))
			}
		}
		slices.Sort(ids)
		slices.Reverse(ids)
		for _, id := range ids {
			if f.Limit > 0 && len(out) >= f.Limit {
				break
			}
			var j PrintJob
			if err := getJSON(b, u64(id), fmt.Sprintf("job %d", id), &j); err != nil {
				return err
			}
			if f.State != "" && j.State != f.State {
				continue
			}
			out = append(out, j)
		}
		return nil
	})
	return out, err
}

// ---- Audit log ----

// Audit appends e to the audit log, assigning ID and Time (when zero). An
// empty Action is ErrInvalid.
func (db *DB) Audit(ctx context.Context, e AuditEntry) error {
	if strings.TrimSpace(e.Action) == "" {
		return fmt.Errorf("audit: %w", invalid("action", "empty"))
	}
	if e.Time.IsZero() {
		e.Time = db.now()
	}
	err := db.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bAudit)
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		e.ID = id
		return putJSON(b, u64(id), &e)
	})
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// AuditLog returns the newest limit entries, newest first (limit <= 0: all).
func (db *DB) AuditLog(ctx context.Context, limit int) ([]AuditEntry, error) {
	var out []AuditEntry
	err := db.view(ctx, func(tx *bolt.Tx) error {
		c := tx.Bucket(bAudit).Cursor()
		for k, v := c.Last(); k != nil && (limit <= 0 || len(out) < limit); k, v = c.Prev() {
			var e AuditEntry
			if err := unmarshal(v, &e); err != nil {
				return fmt.Errorf("audit entry %d: %w", binary.BigEndian.Uint64(k), err)
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// ---- Settings ----

// Settings returns the saved settings, or DefaultSettings() when none were
// saved.
func (db *DB) Settings(ctx context.Context) (Settings, error) {
	s := DefaultSettings()
	err := db.view(ctx, func(tx *bolt.Tx) error {
		v := tx.Bucket(bMeta).Get(keySettings)
		if v == nil {
			return nil
		}
		s = Settings{}
		if err := unmarshal(v, &s); err != nil {
			return fmt.Errorf("settings: %w", err)
		}
		return nil
	})
	return s, err
}

// SaveSettings validates and stores s, replacing the saved settings.
// ErrInvalid names the first bad field.
func (db *DB) SaveSettings(ctx context.Context, s Settings) error {
	if err := validateSettings(&s); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	return db.update(ctx, func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bMeta), keySettings, &s)
	})
}

func validateSettings(s *Settings) error {
	switch s.Mode {
	case "", "sandbox", "production":
	default:
		return invalid("mode", "%q is not sandbox or production", s.Mode)
	}
	switch s.Language {
	case "", "zh", "en":
	default:
		return invalid("language", "%q is not zh or en", s.Language)
	}
	for i, m := range s.SMS.Milestones {
		if !m.Milestone.Valid() {
			return invalid(fmt.Sprintf("sms.milestones[%d].milestone", i), "unknown value %d", uint8(m.Milestone))
		}
	}
	if s.SMS.DailyCap < 0 || s.SMS.DailyCapFen < 0 {
		return invalid("sms.dailyCap", "negative")
	}
	if s.PromisedDays < 0 {
		return invalid("promisedDays", "negative")
	}
	if err := validateCounter(&s.Counter); err != nil {
		return err
	}
	for i, u := range s.Users {
		if strings.TrimSpace(u.Name) == "" {
			return invalid(fmt.Sprintf("users[%d].name", i), "empty")
		}
		switch u.Role {
		case RoleFrontDesk, RoleWarehouse, RoleManager:
		default:
			return invalid(fmt.Sprintf("users[%d].role", i), "unknown value %q", u.Role)
		}
	}
	return nil
}

func sortDesc(ids []uint64) {
	slices.Sort(ids)
	slices.Reverse(ids)
}
