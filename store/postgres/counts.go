package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"shipdesk/store"
)

// pgKey is the counters row of a store counter key: the milestone byte of
// "m:" keys becomes its decimal number (text cannot hold a NUL byte).
func pgKey(k string) string {
	if len(k) == 3 && strings.HasPrefix(k, "m:") {
		return "m:" + strconv.Itoa(int(k[2]))
	}
	return k
}

// applyCounters subtracts old and adds new, row by row in key order (so
// concurrent transactions lock counter rows in the same order and cannot
// deadlock on them).
func (db *DB) applyCounters(ctx context.Context, tx pgx.Tx, old, new map[string]int64) error {
	delta := make(map[string]int64, len(old)+len(new))
	for k, v := range old {
		delta[pgKey(k)] -= v
	}
	for k, v := range new {
		delta[pgKey(k)] += v
	}
	var keys []string
	var vals []int64
	for _, k := range slices.Sorted(maps.Keys(delta)) {
		if delta[k] != 0 {
			keys = append(keys, k)
			vals = append(vals, delta[k])
		}
	}
	if len(keys) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO counters (key, n) SELECT k, d FROM unnest($1::text[], $2::bigint[]) AS u(k, d) ORDER BY k
		ON CONFLICT (key) DO UPDATE SET n = counters.n + EXCLUDED.n`, keys, vals)
	return err
}

// Counts returns the dashboard counts from the counter rows (one indexed
// read; no record is scanned).
func (db *DB) Counts(ctx context.Context, now time.Time, days int) (store.Counts, error) {
	days = min(days, 3660)
	var keys []string
	for _, m := range store.Milestones() {
		keys = append(keys, pgKey(store.MilestoneCounter(m)))
	}
	today := db.rules.DayStart(now)
	for i := days - 1; i >= 0; i-- {
		dk := today.AddDate(0, 0, -i).Format("20060102")
		for _, p := range []string{"dc:", "dd:", "dp:", "sc:", "sf:"} {
			keys = append(keys, p+dk)
		}
	}
	vals := map[string]int64{}
	carriers := map[string]int64{}
	var open int
	b := &pgx.Batch{}
	b.Queue(`SELECT key, n FROM counters WHERE key = ANY($1) OR key LIKE 'c:%'`, keys)
	b.Queue(`SELECT count(*) FROM exceptions WHERE NOT resolved`)
	br := db.pool.SendBatch(ctx, b)
	rows, err := br.Query()
	if err == nil {
		for rows.Next() {
			var k string
			var n int64
			if err = rows.Scan(&k, &n); err != nil {
				break
			}
			if c, ok := strings.CutPrefix(k, store.CarrierCounterPrefix); ok {
				carriers[c] = n
			} else {
				vals[k] = n
			}
		}
		rows.Close()
		if err == nil {
			err = rows.Err()
		}
	}
	if err == nil {
		err = br.QueryRow().Scan(&open)
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return store.Counts{}, fmt.Errorf("counts: %w", err)
	}
	get := func(k string) int64 { return vals[pgKey(k)] }
	return db.rules.CountsFrom(get, carriers, open, now, days), nil
}

// SMSDay returns how many messages count against day and their cost.
func (db *DB) SMSDay(ctx context.Context, day time.Time) (count, costFen int, err error) {
	ck, fk := db.rules.SMSDayCounters(day)
	rows, err := db.pool.Query(ctx, "SELECT key, n FROM counters WHERE key = ANY($1)", []string{ck, fk})
	if err != nil {
		return 0, 0, fmt.Errorf("sms day: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var n int64
		if err := rows.Scan(&k, &n); err != nil {
			return 0, 0, fmt.Errorf("sms day: %w", err)
		}
		if k == ck {
			count = int(n)
		} else {
			costFen = int(n)
		}
	}
	return count, costFen, rows.Err()
}

// recount computes every counter from the records (a full scan).
func (db *DB) recount(ctx context.Context) (map[string]int64, error) {
	sum := map[string]int64{}
	add := func(c map[string]int64) {
		for k, v := range c {
			sum[pgKey(k)] += v
		}
	}
	err := db.AllShipments(ctx, func(s store.Shipment) error {
		add(db.rules.ShipmentCounters(&s))
		return ctx.Err()
	})
	if err != nil {
		return nil, err
	}
	rows, err := db.pool.Query(ctx, "SELECT data FROM sms")
	if err != nil {
		return nil, err
	}
	msgs, err := collectJSON[store.SMSMessage](rows)
	if err != nil {
		return nil, err
	}
	for _, m := range msgs {
		add(db.rules.SMSCounters(&m))
	}
	for k, v := range sum {
		if v == 0 {
			delete(sum, k)
		}
	}
	return sum, nil
}

func (db *DB) storedCounters(ctx context.Context) (map[string]int64, error) {
	rows, err := db.pool.Query(ctx, "SELECT key, n FROM counters WHERE n <> 0")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	have := map[string]int64{}
	for rows.Next() {
		var k string
		var n int64
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		have[k] = n
	}
	return have, rows.Err()
}

// CheckCounters recomputes every counter from the records and returns a
// line per counter that differs from the stored one.
func (db *DB) CheckCounters(ctx context.Context) ([]string, error) {
	want, err := db.recount(ctx)
	if err != nil {
		return nil, fmt.Errorf("check counters: %w", err)
	}
	have, err := db.storedCounters(ctx)
	if err != nil {
		return nil, fmt.Errorf("check counters: %w", err)
	}
	var diffs []string
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
	return diffs, nil
}

// Recount rebuilds every counter from the records. It locks the counters
// table against writers meanwhile, so the sums are of one moment.
func (db *DB) Recount(ctx context.Context) error {
	err := db.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "LOCK TABLE counters IN EXCLUSIVE MODE"); err != nil {
			return err
		}
		want, err := db.recount(ctx)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM counters"); err != nil {
			return err
		}
		keys := slices.Sorted(maps.Keys(want))
		vals := make([]int64, len(keys))
		for i, k := range keys {
			vals[i] = want[k]
		}
		_, err = tx.Exec(ctx, "INSERT INTO counters (key, n) SELECT * FROM unnest($1::text[], $2::bigint[])", keys, vals)
		return err
	})
	if err != nil {
		return fmt.Errorf("recount: %w", err)
	}
	return nil
}

// CheckIndexes recomputes every shipment's indexed columns from its record
// and returns a line per column that differs, and per event, job or SMS
// row whose waybill names no shipment; none means consistent.
func (db *DB) CheckIndexes(ctx context.Context) ([]string, error) {
	var diffs []string
	wb := ""
	for {
		rows, err := db.pool.Query(ctx, `SELECT waybill, carrier, phone_key, name_key, ref_key, oid_key, milestone, created_ns, next_poll_ns, data
			FROM shipments WHERE waybill > $1 ORDER BY waybill LIMIT $2`, wb, walkChunk)
		if err != nil {
			return nil, fmt.Errorf("check indexes: %w", err)
		}
		n := 0
		for rows.Next() {
			var have row
			var raw []byte
			if err := rows.Scan(&have.waybill, &have.carrier, &have.phone, &have.name, &have.ref, &have.oid, &have.milestone, &have.created, &have.nextPoll, &raw); err != nil {
				rows.Close()
				return nil, fmt.Errorf("check indexes: %w", err)
			}
			n++
			wb = have.waybill
			s, err := db.decode(have.waybill, raw)
			if err != nil {
				diffs = append(diffs, err.Error())
				continue
			}
			want := rowOf(&s)
			if s.Waybill != have.waybill {
				diffs = append(diffs, fmt.Sprintf("shipment stored under %q says waybill %q", have.waybill, s.Waybill))
			}
			if have.carrier != want.carrier || have.phone != want.phone || have.name != want.name || !eqPtr(have.ref, want.ref) || !eqPtr(have.oid, want.oid) ||
				have.milestone != want.milestone || have.created != want.created || !eqPtr(have.nextPoll, want.nextPoll) {
				diffs = append(diffs, fmt.Sprintf("shipment %s: indexed columns %+v, record says %+v", have.waybill, have, want))
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("check indexes: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if n < walkChunk {
			break
		}
	}
	return diffs, nil
}

// ExportShipmentsCSV writes every shipment, oldest first, as the CSV
// store.DB.ExportShipmentsCSV writes.
func (db *DB) ExportShipmentsCSV(ctx context.Context, w io.Writer) error {
	return db.rules.WriteShipmentsCSV(ctx, w, db.byDay)
}

// ErrBackupWithPgDump is returned by BackupFile: a shared database is
// backed up on the server with pg_dump, not by one station.
var ErrBackupWithPgDump = errors.New("备份共享数据库请在数据库服务器上用 pg_dump（见 README 多工位一节）; a shared PostgreSQL store is backed up with pg_dump on the server")

// BackupFile refuses with ErrBackupWithPgDump (wrapping
// errors.ErrUnsupported): one station's copy of a database the others keep
// writing would not be a backup anyone can restore with the rest.
func (db *DB) BackupFile(ctx context.Context, path string) error {
	return fmt.Errorf("backup %s: %w (%w)", path, ErrBackupWithPgDump, errors.ErrUnsupported)
}
