package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"shipdesk/store"
)

// ElectOptions tune Elect; the zero value is what stations use.
type ElectOptions struct {
	// Retry is how often a standby station tries for the lock and an active
	// one checks that its session is alive; 0 means 2 seconds. Takeover
	// after the active station dies takes about one Retry; after it loses
	// the network, the server's TCP keepalive (set to about 15 s on the
	// election session) plus one Retry.
	Retry time.Duration
}

// Elect runs the tracking-worker election until ctx ends: it holds a
// session advisory lock on a connection of its own while this station is
// the worker, and calls report with the new state on every change (first
// once it knows). While standby it names the holder, which it reads from
// the lock holder's application_name. When its session fails (network or
// server gone) it reports standby at once, before another station can take
// over, and reconnects. report runs on Elect's goroutine; it must not
// block for long. Elect returns nil when ctx ends (the lock is released
// with the session).
func (db *DB) Elect(ctx context.Context, opts ElectOptions, report func(store.WorkerState)) error {
	retry := opts.Retry
	if retry <= 0 {
		retry = 2 * time.Second
	}
	var last *store.WorkerState
	set := func(w store.WorkerState) {
		if last == nil || *last != w {
			last = &w
			report(w)
		}
	}
	wait := func() bool {
		t := time.NewTimer(retry)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
			return true
		}
	}
	for ctx.Err() == nil {
		conn, err := db.electConn(ctx)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			set(store.WorkerState{})
			db.logf("shipdesk: worker election: %v", err)
			if !wait() {
				break
			}
			continue
		}
		err = db.contend(ctx, conn, retry, set, wait)
		conn.Close(context.Background())
		if ctx.Err() != nil {
			break
		}
		if err != nil {
			db.logf("shipdesk: worker election: %v", err)
		}
		if last != nil && last.Active {
			set(store.WorkerState{})
		}
		if !wait() {
			break
		}
	}
	return nil
}

// electConn opens the election's own session, named for this station
// and with TCP keepalives short enough that the server ends it (and frees
// the lock) about 15 s after this station's network goes.
func (db *DB) electConn(ctx context.Context) (*pgx.Conn, error) {
	cfg := db.cfg.ConnConfig.Copy()
	cfg.RuntimeParams["application_name"] = electPrefix + db.station
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(cctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	for _, set := range []string{"SET tcp_keepalives_idle = 5", "SET tcp_keepalives_interval = 3", "SET tcp_keepalives_count = 3", "SET tcp_user_timeout = 15000"} {
		if _, err := conn.Exec(cctx, set); err != nil {
			conn.Close(context.Background())
			return nil, fmt.Errorf("%s: %w", set, err)
		}
	}
	return conn, nil
}

// electPrefix starts the application_name of election sessions.
const electPrefix = "shipdesk-worker:"

// contend tries for the lock on conn every retry, reporting standby with
// the holder meanwhile; once it holds the lock it reports active and pings
// the session every retry. It returns when the session fails or ctx ends.
func (db *DB) contend(ctx context.Context, conn *pgx.Conn, retry time.Duration, set func(store.WorkerState), wait func() bool) error {
	q := func(f func(context.Context) error) error {
		qctx, cancel := context.WithTimeout(ctx, max(retry, 3*time.Second))
		defer cancel()
		return f(qctx)
	}
	for {
		var got bool
		err := q(func(c context.Context) error {
			return conn.QueryRow(c, "SELECT pg_try_advisory_lock($1)", workerLock).Scan(&got)
		})
		if err != nil {
			return fmt.Errorf("try lock: %w", err)
		}
		if got {
			set(store.WorkerState{Active: true})
			for wait() {
				if err := q(func(c context.Context) error { return conn.Ping(c) }); err != nil {
					set(store.WorkerState{}) // lost: stop before another station starts
					return fmt.Errorf("session lost: %w", err)
				}
			}
			return nil
		}
		var holder string
		err = q(func(c context.Context) error {
			err := conn.QueryRow(c, `SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
				WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
				AND l.classid::bigint = $1 AND l.objid::bigint = $2 AND l.objsubid = 1 LIMIT 1`,
				int64(uint64(workerLock)>>32), int64(uint64(workerLock)&0xffffffff)).Scan(&holder)
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			return err
		})
		if err != nil {
			return fmt.Errorf("read holder: %w", err)
		}
		set(store.WorkerState{Holder: strings.TrimPrefix(holder, electPrefix)})
		if !wait() {
			return nil
		}
	}
}

// Listen delivers every change committed by any station (including this
// one) to fn until ctx ends, over LISTEN on a connection of its own. It
// reports the connection's health to health (true when listening, false
// with the error when the database is unreachable) on every change, and
// reconnects by itself every few seconds. After a reconnect it delivers a
// Change with Kind "resync": changes made meanwhile were not seen, so a
// screen should reload. fn and health run on Listen's goroutine. Listen
// returns nil when ctx ends.
func (db *DB) Listen(ctx context.Context, fn func(store.Change), health func(ok bool, err error)) error {
	first := true
	var up *bool
	report := func(ok bool, err error) {
		if up == nil || *up != ok {
			up = &ok
			if health != nil {
				health(ok, err)
			}
		}
	}
	for ctx.Err() == nil {
		err := db.listenOnce(ctx, func() {
			report(true, nil)
			if !first {
				fn(store.Change{Kind: "resync"})
			}
			first = false
		}, fn)
		if ctx.Err() != nil {
			break
		}
		report(false, err)
		t := time.NewTimer(2 * time.Second)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
	return nil
}

func (db *DB) listenOnce(ctx context.Context, ready func(), fn func(store.Change)) error {
	cfg := db.cfg.ConnConfig.Copy()
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	conn, err := pgx.ConnectConfig(cctx, cfg)
	cancel()
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.Background())
	for _, set := range []string{"SET tcp_keepalives_idle = 5", "SET tcp_keepalives_interval = 3", "SET tcp_keepalives_count = 3"} {
		if _, err := conn.Exec(ctx, set); err != nil {
			return err
		}
	}
	if _, err := conn.Exec(ctx, "LISTEN shipdesk_changes"); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	ready()
	for {
		// Wake every few seconds to check the session: a server that went
		// away without closing the socket is noticed quickly.
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, context.DeadlineExceeded) {
			pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
			err = conn.Ping(pctx)
			cancel()
			if err != nil {
				return fmt.Errorf("session lost: %w", err)
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("wait: %w", err)
		}
		kind, key, _ := strings.Cut(n.Payload, ":")
		fn(store.Change{Kind: kind, Key: key})
	}
}
