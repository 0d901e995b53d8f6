package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"shipdesk/assets/i18n"
	"shipdesk/store"
	"shipdesk/store/postgres"
)

// A station (one desk PC) keeps, in its data folder, which store it uses and
// its name: stationFile holds {"station": NAME, "db": DSN-without-password};
// the password of a DSN lives in the secrets file (store.Secrets.DBPassword).
// --db / SHIPDESK_DB and --station / SHIPDESK_STATION given once are
// remembered there; the station name defaults to the PC's host name at the
// first start.
const stationFile = "station.json"

// envDB and envStation override the remembered choice for one run.
const (
	envDB      = "SHIPDESK_DB"
	envStation = "SHIPDESK_STATION"
)

type stationConfig struct {
	Station string `json:"station"`
	DB      string `json:"db,omitempty"`
}

func loadStation(dir string) (stationConfig, error) {
	var c stationConfig
	raw, err := os.ReadFile(filepath.Join(dir, stationFile))
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("read %s: %w", stationFile, err)
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return c, i18n.Wrap(fmt.Errorf("read %s: %w", filepath.Join(dir, stationFile), err), "%s cannot be read: fix or delete the file.", filepath.Join(dir, stationFile))
	}
	return c, nil
}

func saveStation(dir string, c stationConfig) error {
	raw, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("save %s: %w", stationFile, err)
	}
	path := filepath.Join(dir, stationFile)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(raw, '\n'), 0o600); err != nil {
		return fmt.Errorf("save %s: %w", stationFile, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("save %s: %w", stationFile, err)
	}
	return nil
}

// storeChoice is where a station keeps its records.
type storeChoice struct {
	DSN      string // postgres://... without password; "" = the bbolt file
	Password string // from the DSN given now, or the secrets file
	Station  string
}

// Shared reports whether the station is on PostgreSQL.
func (c storeChoice) Shared() bool { return c.DSN != "" }

// Describe names the store for the status line and logs (no password).
func (c storeChoice) Describe() string {
	if !c.Shared() {
		return i18n.T("bbolt file")
	}
	return i18n.F("PostgreSQL %s as station %s", postgres.Redact(c.DSN), c.Station)
}

// chooseStore resolves --db, SHIPDESK_DB, the remembered choice, and the
// station name, remembering what was given (the password in the secrets
// file, never in station.json).
func chooseStore(g *globals) (storeChoice, error) {
	cfg, err := loadStation(g.DataDir)
	if err != nil {
		return storeChoice{}, err
	}
	before := cfg
	var ch storeChoice
	if ch.Password, err = chooseDB(g, &cfg); err != nil {
		return ch, err
	}
	ch.DSN = cfg.DB
	if ch.Shared() && ch.Password == "" {
		sec, err := store.LoadSecrets(g.DataDir)
		if err != nil {
			return ch, err
		}
		ch.Password = sec.DBPassword
	}
	cfg.Station = stationName(g, cfg.Station)
	ch.Station = cfg.Station
	if cfg != before {
		if err := saveStation(g.DataDir, cfg); err != nil {
			return ch, err
		}
	}
	return ch, nil
}

// chooseDB applies --db (else SHIPDESK_DB) to the remembered choice cfg:
// bbolt (or file) forgets a remembered PostgreSQL store; a PostgreSQL
// connection string is remembered without its password, which goes to the
// secrets file and is returned.
func chooseDB(g *globals, cfg *stationConfig) (password string, err error) {
	dsn := g.DB
	if dsn == "" {
		dsn = os.Getenv(envDB)
	}
	switch {
	case dsn == "":
		return "", nil
	case dsn == "bbolt" || dsn == "file":
		cfg.DB = ""
		return "", nil
	case !postgres.IsDSN(dsn):
		return "", usagef(i18n.N("--db %q: give a PostgreSQL connection string such as postgres://shipdesk@db-host:5432/shipdesk?sslmode=verify-full, or bbolt for the file in the data folder"), postgres.Redact(dsn))
	}
	clean, pw := postgres.SplitPassword(dsn)
	if pw != "" {
		sec, err := store.LoadSecrets(g.DataDir)
		if err != nil {
			return "", err
		}
		if sec.DBPassword != pw {
			sec.DBPassword = pw
			if err := store.SaveSecrets(g.DataDir, sec); err != nil {
				return "", err
			}
		}
	}
	cfg.DB = clean
	return pw, nil
}

// stationName is this station's name: --station, else SHIPDESK_STATION,
// else the remembered one, else the host name ("station" without one).
func stationName(g *globals, remembered string) string {
	station := g.Station
	if station == "" {
		station = os.Getenv(envStation)
	}
	station = strings.TrimSpace(station)
	if station == "" {
		station = remembered
	}
	if station == "" {
		h, _ := os.Hostname()
		station = strings.TrimSpace(h)
		if station == "" {
			station = "station"
		}
	}
	return station
}

// openStore opens the station's store: the bbolt file in the data folder,
// or the shared PostgreSQL database (migrated on the way, one station at a
// time).
func openStore(ctx context.Context, g *globals, now func() time.Time, logf func(string, ...any)) (store.Store, storeChoice, error) {
	ch, err := chooseStore(g)
	if err != nil {
		return nil, ch, err
	}
	if !ch.Shared() {
		db, err := store.Open(filepath.Join(g.DataDir, "shipdesk.db"), store.Options{Now: now, Location: clinicTime})
		return db, ch, err
	}
	db, err := postgres.Open(ctx, ch.DSN, postgres.Options{Station: ch.Station, Password: ch.Password, Now: now, Location: clinicTime, Logf: logf})
	if err != nil {
		return nil, ch, i18n.Wrap(err, "The shared database cannot be reached: check the network and the database server.")
	}
	return db, ch, nil
}

// runDB is `shipdesk db migrate --from FILE.db --to postgres://...` and
// `shipdesk db check`.
func runDB(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef(i18n.N("db: give migrate --from FILE.db --to postgres://... or check"))
	}
	switch args[0] {
	case "migrate":
		fs := newFlagSet("db migrate")
		from := fs.String("from", "", "the bbolt file to copy")
		to := fs.String("to", "", "the PostgreSQL database to copy into")
		if err := parseNoArgs(fs, args[1:]); err != nil {
			return err
		}
		if *from == "" || *to == "" {
			return usagef(i18n.N("db migrate: give --from FILE.db and --to postgres://..."))
		}
		if !postgres.IsDSN(*to) {
			return usagef(i18n.N("db migrate --to %q: give a postgres:// connection string"), postgres.Redact(*to))
		}
		return migrateToPostgres(ctx, g, *from, *to, stdout)
	case "check":
		fs := newFlagSet("db check")
		if err := parseNoArgs(fs, args[1:]); err != nil {
			return err
		}
		return checkStore(ctx, g, stdout)
	default:
		return usagef(i18n.N("db: unknown subcommand %q (migrate or check)"), args[0])
	}
}

// migrateToPostgres copies every record of the bbolt file into an empty
// PostgreSQL database, rebuilds the counters there and prints the counts
// of both, which must match. The file's printers become this station's.
func migrateToPostgres(ctx context.Context, g *globals, from, to string, stdout io.Writer) error {
	if _, err := os.Stat(from); err != nil {
		return fmt.Errorf("db migrate: %w", err)
	}
	src, err := store.Open(from, store.Options{Location: clinicTime, LockTimeout: time.Second})
	if err != nil {
		return i18n.Wrap(fmt.Errorf("db migrate: %w", err), "The file cannot be opened: close Shipdesk on this PC first.")
	}
	defer src.Close()
	ch, err := chooseStore(&globals{DataDir: g.DataDir, Station: g.Station})
	if err != nil {
		return err
	}
	clean, pw := postgres.SplitPassword(to)
	if pw == "" {
		pw = ch.Password
	}
	dst, err := postgres.Open(ctx, clean, postgres.Options{Station: ch.Station, Password: pw, Location: clinicTime})
	if err != nil {
		return fmt.Errorf("db migrate: %w", err)
	}
	defer dst.Close()
	want, err := copyStore(ctx, src, dst)
	if err != nil {
		return fmt.Errorf("db migrate: %w", err)
	}
	have, err := dst.Tally(ctx)
	if err != nil {
		return fmt.Errorf("db migrate: %w", err)
	}
	fmt.Fprintf(stdout, "%-12s %10s %10s\n", i18n.T("records"), "bbolt", "postgres")
	bad := false
	for _, k := range slices.Sorted(maps.Keys(want)) {
		mark := ""
		if want[k] != have[k] {
			mark, bad = "  "+i18n.T("MISMATCH"), true
		}
		fmt.Fprintf(stdout, "%-12s %10d %10d%s\n", k, want[k], have[k], mark)
	}
	for _, c := range []struct {
		name string
		fn   func(context.Context) ([]string, error)
	}{{"counters", dst.CheckCounters}, {"indexes", dst.CheckIndexes}} {
		diffs, err := c.fn(ctx)
		if err != nil {
			return fmt.Errorf("db migrate: check %s: %w", c.name, err)
		}
		for _, d := range diffs {
			fmt.Fprintf(stdout, "%s: %s\n", c.name, d)
			bad = true
		}
	}
	sc, _ := src.Counts(ctx, time.Now(), 0)
	dc, _ := dst.Counts(ctx, time.Now(), 0)
	fmt.Fprintf(stdout, "%-12s %10d %10d\n", "dashboard", sc.Total, dc.Total)
	if bad || sc.Total != dc.Total || !maps.Equal(sc.ByMilestone, dc.ByMilestone) {
		return i18n.Wrap(errors.New("db migrate: the copy differs from the file"), "The copy differs from the file (see above); the file is unchanged.")
	}
	fmt.Fprintln(stdout, i18n.F("Migrated %s to %s; the printers are station %s's. Start every station with --db %s", from, postgres.Redact(clean), ch.Station, postgres.Redact(clean)))
	return nil
}

// copyStore loads every record of src into dst and returns how many of
// each kind src holds.
func copyStore(ctx context.Context, src *store.DB, dst *postgres.DB) (map[string]int64, error) {
	l, err := dst.NewLoader(ctx)
	if err != nil {
		return nil, err
	}
	c := storeCopy{src: src, l: l, n: map[string]int64{}}
	for _, step := range []func(context.Context) error{
		c.shipmentsAndEvents, c.orders, c.jobs, c.sms, c.exceptions, c.audit,
	} {
		if err := step(ctx); err != nil {
			return nil, err
		}
	}
	st, err := src.Settings(ctx)
	if err != nil {
		return nil, err
	}
	if err := dst.SaveSettings(ctx, st); err != nil {
		return nil, err
	}
	return c.n, l.Finish(ctx)
}

// storeCopy is one copy of a bbolt store into a PostgreSQL loader, kind
// by kind; n counts the records of each kind copied.
type storeCopy struct {
	src *store.DB
	l   *postgres.Loader
	n   map[string]int64
}

// shipmentsAndEvents copies the shipments in batches of 1000, then each
// one's tracking events in the order they were added.
func (c storeCopy) shipmentsAndEvents(ctx context.Context) error {
	var batch []store.Shipment
	var waybills []string
	flush := func() error {
		if err := c.l.Shipments(ctx, batch); err != nil {
			return err
		}
		batch = batch[:0]
		return nil
	}
	err := c.src.AllShipments(ctx, func(s store.Shipment) error {
		c.n["shipments"]++
		batch = append(batch, s)
		waybills = append(waybills, s.Waybill)
		if len(batch) == 1000 {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return err
	}
	for _, wb := range waybills {
		evs, err := c.src.Events(ctx, wb)
		if err != nil {
			return err
		}
		c.n["events"] += int64(len(evs))
		slices.Reverse(evs) // Events lists newest first; the loader takes them as they were added
		if err := c.l.Events(ctx, wb, evs); err != nil {
			return err
		}
	}
	return nil
}

// orders copies the orders of every step.
func (c storeCopy) orders(ctx context.Context) error {
	for _, step := range []store.OrderStep{store.StepSaved, store.StepWaybilled, store.StepQueued, store.StepSubscribed, store.StepDone} {
		os, err := c.src.OrdersByStep(ctx, step)
		if err != nil {
			return err
		}
		c.n["orders"] += int64(len(os))
		if err := c.l.Orders(ctx, os); err != nil {
			return err
		}
	}
	return nil
}

// jobs copies the print jobs.
func (c storeCopy) jobs(ctx context.Context) error {
	jobs, err := c.src.Jobs(ctx, store.JobFilter{})
	if err != nil {
		return err
	}
	c.n["jobs"] = int64(len(jobs))
	return c.l.Jobs(ctx, jobs)
}

// sms copies the SMS messages of every state.
func (c storeCopy) sms(ctx context.Context) error {
	for _, st := range []store.SMSState{store.SMSIntent, store.SMSHeld, store.SMSSent, store.SMSDelivered, store.SMSFailed, store.SMSSkipped} {
		ms, err := c.src.SMSInState(ctx, st)
		if err != nil {
			return err
		}
		c.n["sms"] += int64(len(ms))
		if err := c.l.SMS(ctx, ms); err != nil {
			return err
		}
	}
	return nil
}

// exceptions copies the exceptions, open and closed.
func (c storeCopy) exceptions(ctx context.Context) error {
	excs, err := c.src.Exceptions(ctx, false, 0)
	if err != nil {
		return err
	}
	c.n["exceptions"] = int64(len(excs))
	return c.l.Exceptions(ctx, excs)
}

// audit copies the audit log.
func (c storeCopy) audit(ctx context.Context) error {
	audit, err := c.src.AuditLog(ctx, 0)
	if err != nil {
		return err
	}
	c.n["audit"] = int64(len(audit))
	return c.l.Audit(ctx, audit)
}

// checkStore verifies the station's store: counters and indexes against a
// recount of the records (and, for the bbolt file, its pages).
func checkStore(ctx context.Context, g *globals, stdout io.Writer) error {
	db, ch, err := openStore(ctx, g, nil, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	bad := 0
	if b, ok := db.(*store.DB); ok {
		if err := b.Check(ctx); err != nil {
			fmt.Fprintf(stdout, "%s %v\n", i18n.T("file:"), err)
			bad++
		}
	}
	for _, c := range []struct {
		name string
		fn   func(context.Context) ([]string, error)
	}{{"counters", db.CheckCounters}, {"indexes", db.CheckIndexes}} {
		diffs, err := c.fn(ctx)
		if err != nil {
			return fmt.Errorf("db check: %s: %w", c.name, err)
		}
		for _, d := range diffs {
			fmt.Fprintf(stdout, "%s: %s\n", c.name, d)
		}
		bad += len(diffs)
	}
	c, err := db.Counts(ctx, time.Now(), 0)
	if err != nil {
		return fmt.Errorf("db check: %w", err)
	}
	if bad > 0 {
		return i18n.Wrap(fmt.Errorf("db check: %s: %d problems", ch.Describe(), bad), "%s: %d problems (see above).", ch.Describe(), bad)
	}
	fmt.Fprintln(stdout, i18n.F("ok: %s: %d shipments; counters and indexes match the records", ch.Describe(), c.Total))
	return nil
}
