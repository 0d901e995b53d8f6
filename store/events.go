package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// AddEvents merges evs into the stored trace of waybill and returns how
// many were new. An event is a duplicate when one with the same instant and
// Context is stored (or earlier in evs). The shipment must exist
// (ErrNotFound); an event with a zero time, empty context or unknown
// milestone is ErrInvalid and nothing is written. The shipment record itself
// is not changed: callers update EventCount, LastEventAt and the milestone
// with UpdateShipment.
func (db *DB) AddEvents(ctx context.Context, waybill string, evs []TrackingEvent) (added int, err error) {
	waybill = strings.TrimSpace(waybill)
	for i, e := range evs {
		switch {
		case e.Time.IsZero():
			return 0, fmt.Errorf("add events %s: %w", waybill, invalid(fmt.Sprintf("events[%d].time", i), "zero"))
		case strings.TrimSpace(e.Context) == "":
			return 0, fmt.Errorf("add events %s: %w", waybill, invalid(fmt.Sprintf("events[%d].context", i), "empty"))
		case !e.Milestone.Valid():
			return 0, fmt.Errorf("add events %s: %w", waybill, invalid(fmt.Sprintf("events[%d].milestone", i), "unknown value %d", uint8(e.Milestone)))
		}
	}
	err = db.update(ctx, func(tx *bolt.Tx) error {
		if tx.Bucket(bShip).Get([]byte(waybill)) == nil {
			return fmt.Errorf("add events: shipment %s: %w", waybill, ErrNotFound)
		}
		b := tx.Bucket(bEvents)
		stored, err := decodeEvents(b.Get([]byte(waybill)), db.loc)
		if err != nil {
			return fmt.Errorf("add events: events of %s: %w", waybill, err)
		}
		type key struct {
			ns  int64
			ctx string
		}
		seen := make(map[key]bool, len(stored)+len(evs))
		for _, e := range stored {
			seen[key{e.Time.UnixNano(), e.Context}] = true
		}
		for _, e := range evs {
			k := key{e.Time.UnixNano(), e.Context}
			if seen[k] {
				continue
			}
			seen[k] = true
			stored = append(stored, e)
			added++
		}
		if added == 0 {
			return nil
		}
		slices.SortStableFunc(stored, func(a, b TrackingEvent) int { return a.Time.Compare(b.Time) })
		return b.Put([]byte(waybill), encodeEvents(stored))
	})
	if err != nil {
		return 0, err
	}
	return added, nil
}

// Events returns the stored trace of waybill, newest first, times in the
// DB's location. A shipment without events gives an empty slice; an unknown
// waybill gives ErrNotFound.
func (db *DB) Events(ctx context.Context, waybill string) ([]TrackingEvent, error) {
	waybill = strings.TrimSpace(waybill)
	var evs []TrackingEvent
	err := db.view(ctx, func(tx *bolt.Tx) error {
		v := tx.Bucket(bEvents).Get([]byte(waybill))
		if v == nil {
			if tx.Bucket(bShip).Get([]byte(waybill)) == nil {
				return fmt.Errorf("events: shipment %s: %w", waybill, ErrNotFound)
			}
			return nil
		}
		var err error
		evs, err = decodeEvents(v, db.loc)
		return err
	})
	slices.Reverse(evs)
	if evs == nil && err == nil {
		evs = []TrackingEvent{}
	}
	return evs, err
}
