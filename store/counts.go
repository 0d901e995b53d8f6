package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Counter keys in the counters bucket. Each counter is the sum of a pure
// function of the records (see shipmentCounters and smsCounters), so writes
// apply the difference between a record's old and new contribution, and
// Recount can rebuild every counter from the records alone.
const (
	ckMilestone = "m:"  // + milestone byte: shipments in that milestone
	ckCarrier   = "c:"  // + carrier code: shipments of that carrier
	ckCreated   = "dc:" // + yyyymmdd: shipments created that local day
	ckDelivered = "dd:" // + yyyymmdd: shipments delivered that local day
	ckPrinted   = "dp:" // + yyyymmdd: shipments first printed that local day
	ckSMSCount  = "sc:" // + yyyymmdd: SMS counted against that day
	ckSMSFen    = "sf:" // + yyyymmdd: their cost in fen
)

func (db *DB) dayKey(t time.Time) string { return t.In(db.loc).Format("20060102") }

// shipmentCounters is what one shipment adds to the counters.
func (db *DB) shipmentCounters(s *Shipment) map[string]int64 {
	c := map[string]int64{
		ckMilestone + string([]byte{byte(s.Milestone)}): 1,
		ckCarrier + s.Carrier:                           1,
		ckCreated + db.dayKey(s.CreatedAt):              1,
	}
	if s.Milestone == MilestoneDelivered {
		at := s.MilestoneTime(MilestoneDelivered)
		if at.IsZero() {
			at = s.CreatedAt
		}
		c[ckDelivered+db.dayKey(at)]++
	}
	if !s.PrintedAt.IsZero() {
		c[ckPrinted+db.dayKey(s.PrintedAt)]++
	}
	return c
}

// smsCounted reports whether a message counts against the daily SMS
// totals: decided (intent), sent or delivered. Held, failed and skipped
// messages do not.
func smsCounted(st SMSState) bool {
	return st == SMSIntent || st == SMSSent || st == SMSDelivered
}

// smsCounters is what one message adds: it counts on the local day it was
// sent (or created, before it is sent).
func (db *DB) smsCounters(m *SMSMessage) map[string]int64 {
	if !smsCounted(m.State) {
		return nil
	}
	at := m.SentAt
	if at.IsZero() {
		at = m.CreatedAt
	}
	d := db.dayKey(at)
	return map[string]int64{ckSMSCount + d: 1, ckSMSFen + d: int64(m.CostFen)}
}

// applyCounters subtracts old and adds new. Counters that reach zero are
// deleted, so the bucket holds exactly the non-zero sums.
func (db *DB) applyCounters(tx *bolt.Tx, old, new map[string]int64) error {
	delta := make(map[string]int64, len(old)+len(new))
	for k, v := range old {
		delta[k] -= v
	}
	for k, v := range new {
		delta[k] += v
	}
	b := tx.Bucket(bCounters)
	for _, k := range slices.Sorted(maps.Keys(delta)) {
		d := delta[k]
		if d == 0 {
			continue
		}
		v := getCounter(b, k) + d
		if v == 0 {
			if err := b.Delete([]byte(k)); err != nil {
				return err
			}
			continue
		}
		if err := b.Put([]byte(k), u64(uint64(v))); err != nil {
			return err
		}
	}
	return nil
}

func getCounter(b *bolt.Bucket, k string) int64 {
	v := b.Get([]byte(k))
	if len(v) != 8 {
		return 0
	}
	return int64(binary.BigEndian.Uint64(v))
}

// DayCount is one local day on the dashboard.
type DayCount struct {
	Day        string `json:"day"`        // "2006-01-02", local
	Created    int    `json:"created"`    // shipments created
	Delivered  int    `json:"delivered"`  // shipments signed for
	Printed    int    `json:"printed"`    // shipments whose first label printed
	SMS        int    `json:"sms"`        // messages sent or being sent
	SMSCostFen int    `json:"smsCostFen"` // their cost in fen
}

// Counts is the dashboard's summary, read from counters kept on write.
type Counts struct {
	Total       int               `json:"total"`       // every stored shipment
	Active      int               `json:"active"`      // not in a terminal milestone
	ByMilestone map[Milestone]int `json:"byMilestone"` // every milestone, zero included
	ByCarrier   map[string]int    `json:"byCarrier"`   // carrier code -> shipments
	// Days are the requested days, oldest first, ending with today.
	Days []DayCount `json:"days"`
	// Totals over Days.
	Created    int `json:"created"`
	Delivered  int `json:"delivered"`
	Printed    int `json:"printed"`
	SMS        int `json:"sms"`
	SMSCostFen int `json:"smsCostFen"`
	// OpenExceptions is the number of unresolved exceptions.
	OpenExceptions int `json:"openExceptions"`
}

// Counts returns the dashboard counts: per milestone and per carrier over
// all shipments, and per local day for the days days ending on now's day
// (days <= 0: none; at most 3660). It reads counters, never records.
func (db *DB) Counts(ctx context.Context, now time.Time, days int) (Counts, error) {
	var c Counts
	err := db.view(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bCounters)
		carriers := map[string]int64{}
		cur := b.Cursor()
		for k, v := cur.Seek([]byte(ckCarrier)); k != nil && bytes.HasPrefix(k, []byte(ckCarrier)); k, v = cur.Next() {
			carriers[string(k[2:])] = int64(binary.BigEndian.Uint64(v))
		}
		get := func(k string) int64 { return getCounter(b, k) }
		c = Rules{Loc: db.loc}.CountsFrom(get, carriers, tx.Bucket(bExcOpen).Stats().KeyN, now, days)
		return nil
	})
	return c, err
}

// SMSDay returns how many messages count against t's local day and what
// they cost, from the counters (see smsCounted for what counts).
func (db *DB) SMSDay(ctx context.Context, day time.Time) (count, costFen int, err error) {
	dk := db.dayKey(day)
	err = db.view(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bCounters)
		count = int(getCounter(b, ckSMSCount+dk))
		costFen = int(getCounter(b, ckSMSFen+dk))
		return nil
	})
	return count, costFen, err
}

// recount computes every counter from the records.
func (db *DB) recount(ctx context.Context, tx *bolt.Tx) (map[string]int64, error) {
	sum := map[string]int64{}
	add := func(c map[string]int64) {
		for k, v := range c {
			sum[k] += v
		}
	}
	n := 0
	err := tx.Bucket(bShip).ForEach(func(k, v []byte) error {
		if n++; n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		s, err := decodeShipment(v, db.loc)
		if err != nil {
			return fmt.Errorf("shipment %s: %w", k, err)
		}
		add(db.shipmentCounters(&s))
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = tx.Bucket(bSMS).ForEach(func(k, v []byte) error {
		var m SMSMessage
		if err := unmarshal(v, &m); err != nil {
			return err
		}
		add(db.smsCounters(&m))
		return nil
	})
	for k, v := range sum {
		if v == 0 {
			delete(sum, k)
		}
	}
	return sum, err
}

// CheckCounters recomputes every counter from the records (a full scan) and
// returns a line per counter that differs from the stored one; none means
// the counters are consistent.
func (db *DB) CheckCounters(ctx context.Context) ([]string, error) {
	var diffs []string
	err := db.view(ctx, func(tx *bolt.Tx) error {
		want, err := db.recount(ctx, tx)
		if err != nil {
			return err
		}
		have := map[string]int64{}
		tx.Bucket(bCounters).ForEach(func(k, v []byte) error {
			have[string(k)] = int64(binary.BigEndian.Uint64(v))
			return nil
		})
		for _, k := range slices.Sorted(maps.Keys(want)) {
			if have[k] != want[k] {
				diffs = append(diffs, fmt.Sprintf("counter %q = %d, records say %d", k, have[k], want[k]))
			}
		}
		for _, k := range slices.Sorted(maps.Keys(have)) {
			if _, ok := want[k]; !ok {
				diffs = append(diffs, fmt.Sprintf("counter %q = %d, records say 0", k, have[k]))
			}
		}
		return nil
	})
	return diffs, err
}

// Recount rebuilds every counter from the records in one write transaction
// (a full scan; a repair tool, not for normal use).
func (db *DB) Recount(ctx context.Context) error {
	return db.update(ctx, func(tx *bolt.Tx) error {
		want, err := db.recount(ctx, tx)
		if err != nil {
			return err
		}
		if err := tx.DeleteBucket(bCounters); err != nil {
			return err
		}
		b, err := tx.CreateBucket(bCounters)
		if err != nil {
			return err
		}
		for _, k := range slices.Sorted(maps.Keys(want)) {
			if err := b.Put([]byte(k), u64(uint64(want[k]))); err != nil {
				return err
			}
		}
		return nil
	})
}

// CheckIndexes recomputes every shipment index entry from the records (a
// full scan) and returns a line per missing, stale or wrong entry; none
// means the indexes are consistent.
func (db *DB) CheckIndexes(ctx context.Context) ([]string, error) {
	var diffs []string
	err := db.view(ctx, func(tx *bolt.Tx) error {
		want := map[string]map[string]string{}
		for _, b := range shipmentIndexBuckets {
			want[string(b)] = map[string]string{}
		}
		err := tx.Bucket(bShip).ForEach(func(k, v []byte) error {
			s, err := decodeShipment(v, db.loc)
			if err != nil {
				return fmt.Errorf("shipment %s: %w", k, err)
			}
			if s.Waybill != string(k) {
				diffs = append(diffs, fmt.Sprintf("shipment stored under %q says waybill %q", k, s.Waybill))
			}
			for _, e := range shipmentIndex(&s) {
				want[string(e.bucket)][string(e.key)] = string(e.val)
			}
			return ctx.Err()
		})
		if err != nil {
			return err
		}
		for _, name := range slices.Sorted(maps.Keys(want)) {
			w := want[name]
			tx.Bucket([]byte(name)).ForEach(func(k, v []byte) error {
				if exp, ok := w[string(k)]; !ok {
					diffs = append(diffs, fmt.Sprintf("%s: stale entry %q", name, k))
				} else if exp != string(v) {
					diffs = append(diffs, fmt.Sprintf("%s: entry %q has value %x, want %x", name, k, v, exp))
				}
				delete(w, string(k))
				return nil
			})
			for _, k := range slices.Sorted(maps.Keys(w)) {
				diffs = append(diffs, fmt.Sprintf("%s: missing entry %q", name, k))
			}
		}
		return nil
	})
	return diffs, err
}
