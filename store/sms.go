package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"
)

func validSMSState(s SMSState) bool {
	switch s {
	case SMSIntent, SMSHeld, SMSSent, SMSDelivered, SMSFailed, SMSSkipped:
		return true
	}
	return false
}

func validateSMS(m *SMSMessage) error {
	if !validSMSState(m.State) {
		return invalid("state", "unknown value %q", m.State)
	}
	if !m.Milestone.Valid() {
		return invalid("milestone", "unknown value %d", uint8(m.Milestone))
	}
	if normalizePhone(m.Phone) == "" {
		return invalid("phone", "empty")
	}
	if m.CostFen < 0 {
		return invalid("costFen", "negative")
	}
	if err := validKeyText("outOrder", m.OutOrder, 64); err != nil {
		return err
	}
	return validKeyText("waybill", m.Waybill, 64)
}

func smsIndex(m *SMSMessage) []ixEntry {
	id := u64(m.ID)
	out := []ixEntry{
		{bSMSOut, []byte(m.OutOrder), id},
		{bSMSState, cat([]byte(m.State), sep, id), nil},
	}
	if m.Waybill != "" {
		out = append(out, ixEntry{bSMSWaybill, cat([]byte(m.Waybill), sep, id), nil})
	}
	return out
}

// AddSMS stores a new message (normally in SMSIntent, before the provider
// is called). It assigns m.ID, an OutOrder when empty ("SDM" + yyyymmdd +
// "-" + ID), State SMSIntent when empty, and the timestamps. A message in a
// counted state adds to the day's SMS counters. An OutOrder already used is
// ErrExists.
func (db *DB) AddSMS(ctx context.Context, m *SMSMessage) error {
	cp := *m
	if cp.State == "" {
		cp.State = SMSIntent
	}
	now := db.now()
	if cp.CreatedAt.IsZero() {
		cp.CreatedAt = now
	}
	cp.UpdatedAt = now
	if err := validateSMS(&cp); err != nil {
		return fmt.Errorf("add sms: %w", err)
	}
	err := db.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bSMS)
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		cp.ID = id
		if cp.OutOrder == "" {
			cp.OutOrder = fmt.Sprintf("SDM%s-%d", cp.CreatedAt.In(db.loc).Format("20060102"), id)
		}
		if tx.Bucket(bSMSOut).Get([]byte(cp.OutOrder)) != nil {
			return fmt.Errorf("%w: outOrder %s", ErrExists, cp.OutOrder)
		}
		if err := putIndex(tx, smsIndex(&cp)); err != nil {
			return err
		}
		if err := db.applyCounters(tx, nil, db.smsCounters(&cp)); err != nil {
			return err
		}
		return putJSON(b, u64(id), &cp)
	})
	if err != nil {
		return fmt.Errorf("add sms: %w", err)
	}
	*m = cp
	return nil
}

// UpdateSMS loads message id, lets fn change it and stores it; indexes and
// the daily SMS counters follow (same rules as UpdateShipment; ID and
// OutOrder cannot change).
func (db *DB) UpdateSMS(ctx context.Context, id uint64, fn func(*SMSMessage) error) (SMSMessage, error) {
	var out SMSMessage
	err := db.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bSMS)
		what := fmt.Sprintf("sms %d", id)
		var old, cur SMSMessage
		if err := getJSON(b, u64(id), what, &old); err != nil {
			return err
		}
		getJSON(b, u64(id), what, &cur)
		if err := fn(&cur); err != nil {
			return err
		}
		if cur.ID != id || cur.OutOrder != old.OutOrder {
			return fmt.Errorf("update %s: %w", what, invalid("id", "id and outOrder cannot change"))
		}
		if err := validateSMS(&cur); err != nil {
			return fmt.Errorf("update %s: %w", what, err)
		}
		cur.UpdatedAt = db.now()
		if err := deleteIndex(tx, smsIndex(&old)); err != nil {
			return err
		}
		if err := putIndex(tx, smsIndex(&cur)); err != nil {
			return err
		}
		if err := db.applyCounters(tx, db.smsCounters(&old), db.smsCounters(&cur)); err != nil {
			return err
		}
		out = cur
		return putJSON(b, u64(id), &cur)
	})
	return out, err
}

// SMSByOutOrder returns the message with that OutOrder (the id the provider
// echoes in delivery receipts), or ErrNotFound.
func (db *DB) SMSByOutOrder(ctx context.Context, outOrder string) (SMSMessage, error) {
	var m SMSMessage
	err := db.view(ctx, func(tx *bolt.Tx) error {
		id := tx.Bucket(bSMSOut).Get([]byte(strings.TrimSpace(outOrder)))
		if id == nil {
			return fmt.Errorf("sms outOrder %s: %w", outOrder, ErrNotFound)
		}
		return getJSON(tx.Bucket(bSMS), id, "sms "+outOrder, &m)
	})
	return m, err
}

func (db *DB) smsByIndex(ctx context.Context, bucket, prefix []byte) ([]SMSMessage, error) {
	var out []SMSMessage
	err := db.view(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bSMS)
		for _, id := range seqIDs(tx.Bucket(bucket), prefix) {
			var m SMSMessage
			if err := getJSON(b, u64(id), fmt.Sprintf("sms %d", id), &m); err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	return out, err
}

// SMSFor returns the messages for waybill, oldest first.
func (db *DB) SMSFor(ctx context.Context, waybill string) ([]SMSMessage, error) {
	return db.smsByIndex(ctx, bSMSWaybill, cat([]byte(strings.TrimSpace(waybill)), sep))
}

// SMSInState returns the messages in state st, oldest first (the sender
// works through SMSIntent and SMSHeld in that order).
func (db *DB) SMSInState(ctx context.Context, st SMSState) ([]SMSMessage, error) {
	return db.smsByIndex(ctx, bSMSState, cat([]byte(st), sep))
}

// ---- Exceptions ----

func excOpenKey(e *Exception) []byte { return cat([]byte(e.Waybill), sep, []byte(e.Kind)) }

// RaiseException stores e unless an open exception for the same (Waybill,
// Kind) exists, in which case it returns raised=false and sets e.ID to the
// open one. It assigns e.ID and RaisedAt (when zero). An empty Kind or a
// set ResolvedAt is ErrInvalid.
func (db *DB) RaiseException(ctx context.Context, e *Exception) (raised bool, err error) {
	if strings.TrimSpace(string(e.Kind)) == "" {
		return false, fmt.Errorf("raise exception: %w", invalid("kind", "empty"))
	}
	if !e.ResolvedAt.IsZero() {
		return false, fmt.Errorf("raise exception: %w", invalid("resolvedAt", "set on a new exception"))
	}
	if err := validKeyText("waybill", e.Waybill, 64); err != nil {
		return false, fmt.Errorf("raise exception: %w", err)
	}
	cp := *e
	if cp.RaisedAt.IsZero() {
		cp.RaisedAt = db.now()
	}
	err = db.update(ctx, func(tx *bolt.Tx) error {
		open := tx.Bucket(bExcOpen)
		if v := open.Get(excOpenKey(&cp)); len(v) == 8 {
			cp.ID = binary.BigEndian.Uint64(v)
			return nil
		}
		b := tx.Bucket(bExc)
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		cp.ID = id
		raised = true
		if err := open.Put(excOpenKey(&cp), u64(id)); err != nil {
			return err
		}
		return putJSON(b, u64(id), &cp)
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

// ResolveException marks exception id resolved by who now. Resolving a
// resolved exception is a no-op; an unknown id is ErrNotFound.
func (db *DB) ResolveException(ctx context.Context, id uint64, who string) error {
	return db.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bExc)
		var e Exception
		if err := getJSON(b, u64(id), fmt.Sprintf("exception %d", id), &e); err != nil {
			return err
		}
		if !e.Open() {
			return nil
		}
		e.ResolvedAt = db.now()
		e.ResolvedBy = who
		if err := tx.Bucket(bExcOpen).Delete(excOpenKey(&e)); err != nil {
			return err
		}
		return putJSON(b, u64(id), &e)
	})
}

// Exceptions returns exceptions newest first: only unresolved ones when
// openOnly. limit <= 0 means no limit.
func (db *DB) Exceptions(ctx context.Context, openOnly bool, limit int) ([]Exception, error) {
	var out []Exception
	err := db.view(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bExc)
		var ids []uint64
		if openOnly {
			tx.Bucket(bExcOpen).ForEach(func(k, v []byte) error {
				ids = append(ids, binary.BigEndian.Uint64(v))
				return nil
			})
			sortDesc(ids)
		} else {
			c := b.Cursor()
			for k, _ := c.Last(); k != nil && (limit <= 0 || len(ids) < limit); k, _ = c.Prev() {
				ids = append(ids, binary.BigEndian.Uint64(k))
			}
		}
		for _, id := range ids {
			if limit > 0 && len(out) >= limit {
				break
			}
			var e Exception
			if err := getJSON(b, u64(id), fmt.Sprintf("exception %d", id), &e); err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}
