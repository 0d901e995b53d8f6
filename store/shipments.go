package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
)

// normalizePhone keeps the digits of a phone number and drops a leading
// "86" country code from 13-digit mobile numbers.
func normalizePhone(p string) string {
	var b strings.Builder
	for _, r := range p {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if len(d) == 13 && strings.HasPrefix(d, "861") {
		d = d[2:]
	}
	return d
}

func reverseDigits(d string) []byte {
	out := make([]byte, len(d))
	for i := range len(d) {
		out[len(d)-1-i] = d[i]
	}
	return out
}

// normalizeName is the form names are indexed and searched in.
func normalizeName(n string) string { return strings.ToLower(strings.Join(strings.Fields(n), " ")) }

func validKeyText(field, v string, max int) error {
	if len(v) > max {
		return invalid(field, "longer than %d bytes", max)
	}
	for _, r := range v {
		if r == 0 || unicode.IsControl(r) {
			return invalid(field, "contains a control character")
		}
	}
	return nil
}

// validateShipment checks what the store relies on. It normalises the
// waybill (trims spaces).
func validateShipment(s *Shipment) error {
	s.Waybill = strings.TrimSpace(s.Waybill)
	if s.Waybill == "" {
		return invalid("waybill", "empty")
	}
	if strings.ContainsAny(s.Waybill, " \t") {
		return invalid("waybill", "%q contains spaces", s.Waybill)
	}
	if err := validKeyText("waybill", s.Waybill, 64); err != nil {
		return err
	}
	s.Carrier = strings.TrimSpace(s.Carrier)
	if s.Carrier == "" {
		return invalid("carrier", "empty (waybill %s)", s.Waybill)
	}
	if err := validKeyText("carrier", s.Carrier, 64); err != nil {
		return err
	}
	if !s.Milestone.Valid() {
		return invalid("milestone", "unknown value %d", uint8(s.Milestone))
	}
	if err := validKeyText("recipientName", s.RecipientName, 256); err != nil {
		return err
	}
	if len(s.RecipientPhone) > 64 {
		return invalid("recipientPhone", "longer than 64 bytes")
	}
	for k := range s.MilestoneAt {
		if _, err := ParseMilestone(k); err != nil {
			return invalid("milestoneAt", "unknown milestone %q", k)
		}
	}
	return nil
}

// ixEntry is one secondary-index entry of a record.
type ixEntry struct {
	bucket   []byte
	key, val []byte
}

func dueKey(s *Shipment) []byte {
	if s.Milestone.Terminal() || s.NextPollAt.IsZero() {
		return nil
	}
	return cat(timeKey(s.NextPollAt), []byte(s.Waybill))
}

// stateKey orders a milestone's shipments oldest first, so new shipments
// append at the end of their milestone's range; lists read it backwards.
func stateKey(m Milestone, created time.Time, waybill string) []byte {
	k := make([]byte, 0, 9+len(waybill))
	k = append(k, byte(m))
	k = append(k, timeKey(created)...)
	return append(k, waybill...)
}

// maxRefKey bounds the indexed form of a reference or order id; longer
// values are indexed (and looked up) by their first maxRefKey bytes.
const maxRefKey = 128

// refKey is the form references and order ids are indexed and looked up
// in: full-width ASCII folded to half-width, lower case, with spaces,
// control characters and dashes removed, so "PJ20261126-001",
// "pj20261126001" and "ＰＪ２０２６１１２６－００１" are the same key.
func refKey(ref string) []byte {
	out := make([]byte, 0, len(ref))
	for _, r := range ref {
		if r >= 0xFF01 && r <= 0xFF5E { // full-width ASCII
			r -= 0xFEE0
		}
		switch {
		case unicode.IsSpace(r), unicode.IsControl(r), r == '-', r == '\u2010', r == '\u2011', r == '\u2012', r == '\u2013', r == '\u2014', r == '\u2212':
			continue
		case r == utf8.RuneError:
			continue
		}
		r = unicode.ToLower(r)
		if len(out)+utf8.RuneLen(r) > maxRefKey {
			break
		}
		out = utf8.AppendRune(out, r)
	}
	return out
}

// refEntries lists the ix_ref entries of s: one for the reference and one
// for the order id (a single one when both give the same key).
func refEntries(s *Shipment) []ixEntry {
	var out []ixEntry
	wb := []byte(s.Waybill)
	created := timeKey(s.CreatedAt)
	for _, v := range []string{s.Reference, s.OrderID} {
		k := refKey(v)
		if len(k) == 0 {
			continue
		}
		key := cat(k, sep, wb)
		if len(out) > 0 && bytes.Equal(out[0].key, key) {
			continue
		}
		out = append(out, ixEntry{bRef, key, created})
	}
	return out
}

// shipmentIndex lists the index entries of s.
func shipmentIndex(s *Shipment) []ixEntry {
	wb := []byte(s.Waybill)
	created := timeKey(s.CreatedAt)
	out := make([]ixEntry, 0, 7)
	if d := normalizePhone(s.RecipientPhone); d != "" {
		out = append(out, ixEntry{bPhone, cat(reverseDigits(d), sep, wb), created})
	}
	if n := normalizeName(s.RecipientName); n != "" {
		out = append(out, ixEntry{bName, cat([]byte(n), sep, wb), created})
	}
	out = append(out, ixEntry{bState, stateKey(s.Milestone, s.CreatedAt, s.Waybill), nil})
	out = append(out, ixEntry{bDay, cat(created, wb), nil})
	if k := dueKey(s); k != nil {
		out = append(out, ixEntry{bDue, k, nil})
	}
	return append(out, refEntries(s)...)
}

// shipmentIndexBuckets are the buckets shipmentIndex writes to.
var shipmentIndexBuckets = [][]byte{bPhone, bName, bState, bDay, bDue, bRef}

// diffIndex returns the entries of old not in new and those of new not in
// old, so an update only touches the index pages that change.
func diffIndex(old, new []ixEntry) (gone, added []ixEntry) {
	same := func(a, b ixEntry) bool {
		return bytes.Equal(a.bucket, b.bucket) && bytes.Equal(a.key, b.key) && bytes.Equal(a.val, b.val)
	}
	for _, o := range old {
		if !slices.ContainsFunc(new, func(n ixEntry) bool { return same(o, n) }) {
			gone = append(gone, o)
		}
	}
	for _, n := range new {
		if !slices.ContainsFunc(old, func(o ixEntry) bool { return same(o, n) }) {
			added = append(added, n)
		}
	}
	return gone, added
}

func putIndex(tx *bolt.Tx, entries []ixEntry) error {
	for _, e := range entries {
		if err := tx.Bucket(e.bucket).Put(e.key, e.val); err != nil {
			return err
		}
	}
	return nil
}

func deleteIndex(tx *bolt.Tx, entries []ixEntry) error {
	for _, e := range entries {
		if err := tx.Bucket(e.bucket).Delete(e.key); err != nil {
			return err
		}
	}
	return nil
}

// CreateShipment stores a new shipment. It trims the waybill, sets CreatedAt
// (when zero) and UpdatedAt and records MilestoneAt for the current
// milestone when missing; on success *in is updated to the stored form.
// Errors: ErrInvalid (empty waybill or carrier, unknown milestone; the
// message names the field), ErrDuplicate (the waybill is stored for another
// carrier), ErrExists (same waybill and carrier). On error nothing is
// written and *in is unchanged.
func (db *DB) CreateShipment(ctx context.Context, in *Shipment) error {
	s := new(Shipment)
	*s = *in
	s.MilestoneAt = maps.Clone(in.MilestoneAt)
	if err := validateShipment(s); err != nil {
		return fmt.Errorf("create shipment: %w", err)
	}
	now := db.now()
	if s.CreatedAt.IsZero() {
		s.CreatedAt = now
	}
	s.UpdatedAt = now
	if s.Milestone != MilestoneUnknown {
		s.SetMilestoneTime(s.Milestone, now)
	}
	val, err := encodeShipment(s)
	if err != nil {
		return fmt.Errorf("create shipment %s: %w", s.Waybill, err)
	}
	err = db.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bShip)
		if old := b.Get([]byte(s.Waybill)); old != nil {
			o, err := decodeShipment(old, db.loc)
			if err != nil {
				return err
			}
			if o.Carrier == s.Carrier {
				return fmt.Errorf("%w: waybill %s (%s)", ErrExists, s.Waybill, s.Carrier)
			}
			return fmt.Errorf("%w: waybill %s is stored for %s, not %s", ErrDuplicate, s.Waybill, o.Carrier, s.Carrier)
		}
		if err := b.Put([]byte(s.Waybill), val); err != nil {
			return err
		}
		if err := putIndex(tx, shipmentIndex(s)); err != nil {
			return err
		}
		return db.applyCounters(tx, nil, db.shipmentCounters(s))
	})
	if err != nil {
		return fmt.Errorf("create shipment: %w", err)
	}
	*in = *s
	return nil
}

// Shipment returns the shipment with that waybill number, or ErrNotFound.
func (db *DB) Shipment(ctx context.Context, waybill string) (Shipment, error) {
	var s Shipment
	err := db.view(ctx, func(tx *bolt.Tx) error {
		var err error
		s, err = db.getShipment(tx, strings.TrimSpace(waybill))
		return err
	})
	return s, err
}

func (db *DB) getShipment(tx *bolt.Tx, waybill string) (Shipment, error) {
	v := tx.Bucket(bShip).Get([]byte(waybill))
	if v == nil {
		return Shipment{}, fmt.Errorf("shipment %s: %w", waybill, ErrNotFound)
	}
	s, err := decodeShipment(v, db.loc)
	if err != nil {
		return s, fmt.Errorf("shipment %s: %w", waybill, err)
	}
	return s, nil
}

// UpdateShipment loads the shipment, lets fn change it and stores the
// result; indexes and counters follow the change in the same transaction.
// fn runs inside the write transaction: it must be quick and must not call
// the DB. If fn returns an error it is returned unchanged and nothing is
// written. fn may not change the waybill. UpdatedAt is set, and MilestoneAt
// gets the current milestone when missing. Returns the stored shipment.
func (db *DB) UpdateShipment(ctx context.Context, waybill string, fn func(*Shipment) error) (Shipment, error) {
	waybill = strings.TrimSpace(waybill)
	var out Shipment
	err := db.update(ctx, func(tx *bolt.Tx) error {
		old, err := db.getShipment(tx, waybill)
		if err != nil {
			return err
		}
		cur, err := db.getShipment(tx, waybill) // a second copy fn may change freely
		if err != nil {
			return err
		}
		if err := fn(&cur); err != nil {
			return err
		}
		if strings.TrimSpace(cur.Waybill) != waybill {
			return fmt.Errorf("update shipment %s: %w", waybill, invalid("waybill", "cannot change (to %q)", cur.Waybill))
		}
		if err := validateShipment(&cur); err != nil {
			return fmt.Errorf("update shipment %s: %w", waybill, err)
		}
		now := db.now()
		if cur.CreatedAt.IsZero() {
			cur.CreatedAt = old.CreatedAt
		}
		cur.UpdatedAt = now
		if cur.Milestone != MilestoneUnknown {
			cur.SetMilestoneTime(cur.Milestone, now)
		}
		val, err := encodeShipment(&cur)
		if err != nil {
			return err
		}
		gone, added := diffIndex(shipmentIndex(&old), shipmentIndex(&cur))
		if err := deleteIndex(tx, gone); err != nil {
			return err
		}
		if err := putIndex(tx, added); err != nil {
			return err
		}
		if err := db.applyCounters(tx, db.shipmentCounters(&old), db.shipmentCounters(&cur)); err != nil {
			return err
		}
		out = cur
		return tx.Bucket(bShip).Put([]byte(waybill), val)
	})
	return out, err
}

// fetch loads the shipments named by waybills, in that order.
func (db *DB) fetch(tx *bolt.Tx, waybills [][]byte) ([]Shipment, error) {
	out := make([]Shipment, 0, len(waybills))
	b := tx.Bucket(bShip)
	for _, wb := range waybills {
		v := b.Get(wb)
		if v == nil {
			return nil, fmt.Errorf("index names missing shipment %s", wb)
		}
		s, err := decodeShipment(v, db.loc)
		if err != nil {
			return nil, fmt.Errorf("shipment %s: %w", wb, err)
		}
		out = append(out, s)
	}
	return out, nil
}

type hit struct {
	waybill []byte
	created uint64
}

// newestFirst sorts hits by creation time, newest first, and keeps limit.
func newestFirst(hits []hit, limit int) [][]byte {
	slices.SortStableFunc(hits, func(a, b hit) int {
		if a.created != b.created {
			if a.created > b.created {
				return -1
			}
			return 1
		}
		return bytes.Compare(a.waybill, b.waybill)
	})
	if limit > 0 && len(hits) > limit {
		hits = hits[:limit]
	}
	out := make([][]byte, len(hits))
	for i, h := range hits {
		out[i] = h.waybill
	}
	return out
}

// maxIndexScan bounds how many index entries one prefix lookup reads.
const maxIndexScan = 20000

// scanPrefix collects index hits whose key (text 0 waybill) starts with
// prefix. keep, if non-nil, filters on the text part.
func scanPrefix(b *bolt.Bucket, prefix []byte, max int, keep func(rest []byte) bool) []hit {
	var hits []hit
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && len(hits) < max; k, v = c.Next() {
		i := bytes.IndexByte(k, 0)
		if i < 0 {
			continue
		}
		if keep != nil && !keep(k[:i]) {
			continue
		}
		h := hit{waybill: bytes.Clone(k[i+1:])}
		if len(v) == 8 {
			h.created = binary.BigEndian.Uint64(v)
		}
		hits = append(hits, h)
	}
	return hits
}

// ShipmentsByPhone returns shipments whose recipient phone ends in the
// digits given: a full number or its last four digits (spaces, dashes and a
// +86 prefix are ignored). Newest first; limit <= 0 means no limit. Fewer
// than four digits is ErrInvalid.
func (db *DB) ShipmentsByPhone(ctx context.Context, phoneOrLast4 string, limit int) ([]Shipment, error) {
	d := normalizePhone(phoneOrLast4)
	if len(d) < 4 {
		return nil, fmt.Errorf("shipments by phone: %w", invalid("phone", "give the full number or at least the last 4 digits"))
	}
	var out []Shipment
	err := db.view(ctx, func(tx *bolt.Tx) error {
		hits := scanPrefix(tx.Bucket(bPhone), reverseDigits(d), maxIndexScan, nil)
		var err error
		out, err = db.fetch(tx, newestFirst(hits, limit))
		return err
	})
	return out, err
}

// ShipmentsByReference returns the shipments whose reference (the
// clinic's 配镜单号) or order id is ref, newest first. The match is exact
// except that case, spaces, dashes and full-width forms are ignored, so a
// scanned or typed "pj20261126001" finds "PJ20261126-001". limit <= 0
// means no limit. A ref with nothing left to match is ErrInvalid.
func (db *DB) ShipmentsByReference(ctx context.Context, ref string, limit int) ([]Shipment, error) {
	k := refKey(ref)
	if len(k) == 0 {
		return nil, fmt.Errorf("shipments by reference: %w", invalid("reference", "empty"))
	}
	var out []Shipment
	err := db.view(ctx, func(tx *bolt.Tx) error {
		hits := scanPrefix(tx.Bucket(bRef), cat(k, sep), maxIndexScan, nil)
		var err error
		out, err = db.fetch(tx, newestFirst(hits, limit))
		return err
	})
	return out, err
}

// ShipmentsByName returns shipments whose recipient name is name (case and
// repeated spaces ignored), newest first, followed by those whose name
// starts with it, newest first among the first few thousand such names.
// limit <= 0 means no limit.
func (db *DB) ShipmentsByName(ctx context.Context, name string, limit int) ([]Shipment, error) {
	n := normalizeName(name)
	if n == "" {
		return nil, fmt.Errorf("shipments by name: %w", invalid("name", "empty"))
	}
	var out []Shipment
	err := db.view(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bName)
		exact := newestFirst(scanPrefix(b, cat([]byte(n), sep), maxIndexScan, nil), limit)
		if limit <= 0 || len(exact) < limit {
			more := limit - len(exact)
			scan := maxIndexScan
			if limit > 0 {
				scan = min(scan, max(more*20, 1000))
			}
			prefix := scanPrefix(b, []byte(n), scan, func(text []byte) bool { return len(text) > len(n) })
			if limit <= 0 {
				more = 0
			}
			exact = append(exact, newestFirst(prefix, more)...)
		}
		var err error
		out, err = db.fetch(tx, exact)
		return err
	})
	return out, err
}

// ShipmentsByState returns one page of shipments in milestone m, newest
// (by CreatedAt) first. after is "" for the first page, else the next value
// returned with the previous page; next is "" after the last page. limit
// <= 0 means 50.
func (db *DB) ShipmentsByState(ctx context.Context, m Milestone, after string, limit int) (page []Shipment, next string, err error) {
	if !m.Valid() {
		return nil, "", fmt.Errorf("shipments by state: %w", invalid("milestone", "unknown value %d", uint8(m)))
	}
	if limit <= 0 {
		limit = 50
	}
	start := []byte{byte(m)}
	if after != "" {
		rest, err := hex.DecodeString(after)
		if err != nil || len(rest) < 8 {
			return nil, "", fmt.Errorf("shipments by state: %w", invalid("cursor", "%q is not a cursor from this list", after))
		}
		start = cat(start, rest)
	}
	err = db.view(ctx, func(tx *bolt.Tx) error {
		c := tx.Bucket(bState).Cursor()
		// Position on the newest entry before the cursor (or of m).
		var k []byte
		if after != "" {
			k, _ = c.Seek(start)
		} else {
			k, _ = c.Seek([]byte{byte(m) + 1})
		}
		if k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
		var wbs [][]byte
		var last []byte
		for ; k != nil && k[0] == byte(m) && len(wbs) < limit; k, _ = c.Prev() {
			wbs = append(wbs, bytes.Clone(k[9:]))
			last = k
		}
		if len(wbs) == limit && k != nil && k[0] == byte(m) {
			next = hex.EncodeToString(last[1:])
		}
		var err error
		page, err = db.fetch(tx, wbs)
		return err
	})
	return page, next, err
}

// dayStart returns midnight of t's local day.
func (db *DB) dayStart(t time.Time) time.Time {
	t = t.In(db.loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, db.loc)
}

// ShipmentsByDay returns shipments created on the local days from from's day
// through to's day (both inclusive), oldest first. limit <= 0 means no limit.
func (db *DB) ShipmentsByDay(ctx context.Context, from, to time.Time, limit int) ([]Shipment, error) {
	lo := timeKey(db.dayStart(from))
	hi := timeKey(db.dayStart(to).AddDate(0, 0, 1))
	var out []Shipment
	err := db.view(ctx, func(tx *bolt.Tx) error {
		c := tx.Bucket(bDay).Cursor()
		var wbs [][]byte
		for k, _ := c.Seek(lo); k != nil && bytes.Compare(k[:8], hi) < 0 && (limit <= 0 || len(wbs) < limit); k, _ = c.Next() {
			wbs = append(wbs, bytes.Clone(k[8:]))
		}
		var err error
		out, err = db.fetch(tx, wbs)
		return err
	})
	return out, err
}

// ShipmentsDue returns non-terminal shipments whose NextPollAt is at or
// before now, most overdue first. limit <= 0 means no limit.
func (db *DB) ShipmentsDue(ctx context.Context, now time.Time, limit int) ([]Shipment, error) {
	hi := timeKey(now)
	var out []Shipment
	err := db.view(ctx, func(tx *bolt.Tx) error {
		c := tx.Bucket(bDue).Cursor()
		var wbs [][]byte
		for k, _ := c.First(); k != nil && bytes.Compare(k[:8], hi) <= 0 && (limit <= 0 || len(wbs) < limit); k, _ = c.Next() {
			wbs = append(wbs, bytes.Clone(k[8:]))
		}
		var err error
		out, err = db.fetch(tx, wbs)
		return err
	})
	return out, err
}

// walkChunk is how many shipments a walk reads per read transaction.
const walkChunk = 500

// walk calls fn for the shipments named by the index entries of bucket in
// [lo, hi) (hi nil: to the end), reading walkChunk at a time in short read
// transactions; fn runs outside them. wbOf extracts the waybill from a key.
func (db *DB) walk(ctx context.Context, bucket, lo, hi []byte, wbOf func(k []byte) []byte, fn func(Shipment) error) error {
	from := lo
	skipFirst := false
	for {
		var batch []Shipment
		var last []byte
		err := db.view(ctx, func(tx *bolt.Tx) error {
			c := tx.Bucket(bucket).Cursor()
			k, _ := c.Seek(from)
			if skipFirst && bytes.Equal(k, from) {
				k, _ = c.Next()
			}
			var wbs [][]byte
			for ; k != nil && (hi == nil || bytes.Compare(k, hi) < 0) && len(wbs) < walkChunk; k, _ = c.Next() {
				wbs = append(wbs, bytes.Clone(wbOf(k)))
				last = bytes.Clone(k)
			}
			var err error
			batch, err = db.fetch(tx, wbs)
			return err
		})
		if err != nil {
			return err
		}
		for _, s := range batch {
			if err := fn(s); err != nil {
				return err
			}
		}
		if len(batch) < walkChunk {
			return nil
		}
		from, skipFirst = last, true
	}
}

// ActiveShipments calls fn for every shipment whose milestone is not
// terminal, grouped by milestone, oldest first within each. fn runs outside
// any transaction and may call the DB; a shipment changed during the walk
// may be seen twice or not at all. An error from fn stops the walk and is
// returned.
func (db *DB) ActiveShipments(ctx context.Context, fn func(Shipment) error) error {
	for _, m := range Milestones() {
		if m.Terminal() {
			continue
		}
		err := db.walk(ctx, bState, []byte{byte(m)}, []byte{byte(m) + 1}, func(k []byte) []byte { return k[9:] }, fn)
		if err != nil {
			return err
		}
	}
	return nil
}

// AllShipments calls fn for every shipment in waybill order, with the same
// rules as ActiveShipments.
func (db *DB) AllShipments(ctx context.Context, fn func(Shipment) error) error {
	return db.walk(ctx, bShip, nil, nil, func(k []byte) []byte { return k }, fn)
}
