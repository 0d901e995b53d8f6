package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/user"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/width"

	"shipdesk/assets/i18n"
	"shipdesk/kuaidi100"
	"shipdesk/shipping"
	"shipdesk/store"
	"shipdesk/tracking/relay"
)

// cliUser is the person the command line acts for: a manager named after
// the login ("cli:alice").
func cliUser() shipping.User {
	name := "cli"
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = "cli:" + u.Username
	}
	return shipping.User{Name: name, Role: store.RoleManager}
}

// orderJSON is the --json output of order create and order resume.
type orderJSON struct {
	OrderID   string  `json:"orderId"`
	Waybill   string  `json:"waybill"`
	Carrier   string  `json:"carrier"`
	Milestone string  `json:"milestone"`
	Step      string  `json:"step"`
	Warning   string  `json:"warning,omitempty"`
	Job       jobJSON `json:"job"`
	// LabelWarnings name the characters the label printed as boxes.
	LabelWarnings []shipping.GlyphWarning `json:"labelWarnings,omitempty"`
}

type jobJSON struct {
	ID      uint64 `json:"id"`
	State   string `json:"state"`
	Printer string `json:"printer"`
	Error   string `json:"error,omitempty"`
}

func runOrder(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef(i18n.N("order needs a subcommand: create --order FILE.json [--print URI] [--json], or resume ORDER-ID"))
	}
	switch args[0] {
	case "create":
		return runOrderCreate(ctx, g, args[1:], stdout, stderr)
	case "resume":
		return runOrderResume(ctx, g, args[1:], stdout, stderr)
	case "-h", "--help", "-help":
		return flag.ErrHelp
	}
	return usagef(i18n.N("unknown order subcommand %q (want create or resume)"), args[0])
}

// shipFlags are the print options shared by order create and resume.
type shipFlags struct {
	print, size string
	dpi         int
	json        bool
}

// register adds --print, --size, --dpi and --json to fs.
func (f *shipFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.print, "print", "", "printer URI")
	fs.StringVar(&f.size, "size", "", "label size")
	fs.IntVar(&f.dpi, "dpi", 0, "print resolution")
	fs.BoolVar(&f.json, "json", false, "JSON output")
}

// options checks the flags and turns them into ship options.
func (f *shipFlags) options() (shipping.ShipOptions, error) {
	return printOptions(f.print, f.size, f.dpi)
}

func runOrderCreate(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("order create")
	var of orderFlags
	of.register(fs)
	var sf shipFlags
	sf.register(fs)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if !of.given() {
		return usagef(i18n.N("order create needs --order FILE.json (or --to-name, --to-phone and --to-addr)"))
	}
	opt, err := sf.options()
	if err != nil {
		return err
	}
	return withRuntime(ctx, g, runtimeOptions{Logf: quietLogf(stderr)}, func(ctx context.Context, rt *wiring) error {
		o, err := of.load(rt.Settings)
		if err != nil {
			return err
		}
		if o.Waybill != "" {
			return usagef(i18n.N("order create issues a new waybill: remove \"waybill\" from the order (use 'shipdesk label' or 'print' for an existing one)"))
		}
		if o.Carrier == "" {
			// "carrier": "" means guess: the settings' default, else the
			// carrier used most, else the most common one.
			if c := rt.Service.SuggestCarriers(ctx, o); len(c) > 0 {
				o.Carrier = c[0].Code
				fmt.Fprintf(stderr, "shipdesk order: %s\n", i18n.F("No carrier given: using %s (%s).", c[0].Code, c[0].Name))
			}
		}
		res, err := rt.Service.Ship(ctx, cliUser(), o, opt)
		if err != nil {
			return shipError(res, err)
		}
		return printShipResult(res, sf.json, stdout, stderr)
	})
}

func runOrderResume(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("order resume")
	var sf shipFlags
	sf.register(fs)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return flagUsage(err)
	}
	if len(pos) != 1 {
		return usagef(i18n.N("order resume needs one order id (SD…)"))
	}
	opt, err := sf.options()
	if err != nil {
		return err
	}
	return withRuntime(ctx, g, runtimeOptions{Logf: quietLogf(stderr)}, func(ctx context.Context, rt *wiring) error {
		res, err := rt.Service.Resume(ctx, cliUser(), pos[0], opt)
		if err != nil {
			return shipError(res, err)
		}
		return printShipResult(res, sf.json, stdout, stderr)
	})
}

// shipError is the one line for a ship that failed: what to do, and the
// order (and waybill) already stored, so that 'order resume' can carry on.
func shipError(res *shipping.ShipResult, err error) error {
	switch {
	case res == nil || res.Order.ID == "":
		return err
	case res.Order.Waybill != "":
		return withNextStep(err, i18n.N("Order %s (waybill %s) is saved: carry on with shipdesk order resume %s."), res.Order.ID, res.Order.Waybill, res.Order.ID)
	}
	return withNextStep(err, i18n.N("Order %s is saved: carry on with shipdesk order resume %s."), res.Order.ID, res.Order.ID)
}

// printShipResult writes one line "WAYBILL CARRIER JOBSTATE" (or the JSON
// object) and, when a step after the waybill failed, the warning on stderr.
func printShipResult(res *shipping.ShipResult, asJSON bool, stdout, stderr io.Writer) error {
	state := string(res.Job.State)
	if state == "" {
		state = "none"
	}
	if asJSON {
		out := orderJSON{
			OrderID: res.Order.ID, Waybill: res.Order.Waybill, Carrier: res.Order.Carrier,
			Milestone: res.Shipment.Milestone.String(), Step: string(res.Order.Step), Warning: res.Warning,
			Job:           jobJSON{ID: res.Job.ID, State: state, Printer: res.Job.PrinterURI, Error: res.Job.Error},
			LabelWarnings: res.LabelWarnings,
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(stdout, "%s %s %s\n", res.Order.Waybill, res.Order.Carrier, state)
	}
	if res.Warning != "" {
		fmt.Fprintf(stderr, "shipdesk order: %s\n", oneLine(i18n.F("%s (order %s)", res.Warning, res.Order.ID)))
	}
	warnGlyphs(stderr, "shipdesk order", res.LabelWarnings)
	return nil
}

// quietLogf keeps the command line's stdout clean: operator detail goes to
// stderr only when SHIPDESK_VERBOSE is set.
func quietLogf(stderr io.Writer) func(string, ...any) {
	if os.Getenv("SHIPDESK_VERBOSE") == "" {
		return func(string, ...any) {}
	}
	var mu sync.Mutex
	return func(format string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(stderr, format+"\n", a...)
	}
}

// withRuntime opens the runtime, runs its background parts (the in-process
// sandbox must answer while fn works) and closes everything after fn.
func withRuntime(ctx context.Context, g *globals, opt runtimeOptions, fn func(ctx context.Context, rt *wiring) error) error {
	rt, err := openRuntime(ctx, g, opt)
	if err != nil {
		return err
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- rt.Run(runCtx) }()
	ferr := fn(ctx, rt)
	cancel()
	rerr := <-done
	cerr := rt.Close()
	return errors.Join(ferr, rerr, cerr)
}

// shipmentJSON is one element of `shipments --json`.
type shipmentJSON struct {
	Waybill       string    `json:"waybill"`
	Carrier       string    `json:"carrier"`
	CarrierName   string    `json:"carrierName"`
	Reference     string    `json:"reference"`
	Recipient     string    `json:"recipient"`
	Phone         string    `json:"phone"` // masked
	Milestone     string    `json:"milestone"`
	MilestoneName string    `json:"milestoneName"`
	CreatedAt     time.Time `json:"createdAt"`
	UpdatedAt     time.Time `json:"updatedAt"`
	Events        int       `json:"events"` // number of tracking events stored
}

func runShipments(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("shipments")
	stateName := fs.String("state", "", "only this state")
	asJSON := fs.Bool("json", false, "JSON output")
	limit := fs.Int("limit", 0, "at most this many (newest first); 0 = all")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *limit < 0 {
		return usagef(i18n.N("--limit %d: give a positive number, or 0 for all"), *limit)
	}
	var want *store.Milestone
	if *stateName != "" {
		m, err := store.ParseMilestone(*stateName)
		if err != nil {
			return usagef(i18n.N("--state %q: want ordered, picked_up, in_transit, out_for_delivery, delivered, problem, returning, returned, refused, cancelled or customs"), *stateName)
		}
		want = &m
	}
	db, err := openCLIStore(ctx, g)
	if err != nil {
		return err
	}
	defer db.Close()
	list, err := listShipments(ctx, db, want, *limit)
	if err != nil {
		return fmt.Errorf("list shipments: %w", err)
	}
	if *asJSON {
		return writeShipmentsJSON(ctx, db, list, stdout)
	}
	rows := [][]string{header(i18n.N("WAYBILL"), i18n.N("CARRIER"), i18n.N("STATE"), i18n.N("RECIPIENT"), i18n.N("PHONE"), i18n.N("REFERENCE"), i18n.N("CREATED"), i18n.N("UPDATED"))}
	for _, s := range list {
		rows = append(rows, []string{s.Waybill, s.Carrier, milestoneName(s.Milestone), s.RecipientName,
			store.MaskPhone(s.RecipientPhone), dash(s.Reference), s.CreatedAt.In(clinicTime).Format("2006-01-02 15:04"),
			s.UpdatedAt.In(clinicTime).Format("2006-01-02 15:04")})
	}
	return writeTable(stdout, rows)
}

// listShipments reads the shipments at milestone want (nil: all), newest
// first, at most limit of them (0: all).
func listShipments(ctx context.Context, db store.Store, want *store.Milestone, limit int) ([]store.Shipment, error) {
	var list []store.Shipment
	if want != nil {
		after := ""
		for {
			page, next, err := db.ShipmentsByState(ctx, *want, after, 500)
			if err != nil {
				return nil, err
			}
			list = append(list, page...)
			if next == "" || len(page) == 0 || (limit > 0 && len(list) >= limit) {
				break
			}
			after = next
		}
	} else if err := db.AllShipments(ctx, func(s store.Shipment) error {
		list = append(list, s)
		return nil
	}); err != nil {
		return nil, err
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].CreatedAt.After(list[j].CreatedAt) })
	if limit > 0 && len(list) > limit {
		list = list[:limit]
	}
	return list, nil
}

// writeShipmentsJSON writes the stable --json shape of shipdesk shipments,
// phones masked, with each one's number of stored tracking events.
func writeShipmentsJSON(ctx context.Context, db store.Store, list []store.Shipment, stdout io.Writer) error {
	out := make([]shipmentJSON, 0, len(list))
	for _, s := range list {
		events := s.EventCount
		if evs, err := db.Events(ctx, s.Waybill); err == nil && len(evs) > events {
			events = len(evs)
		}
		out = append(out, shipmentJSON{
			Waybill: s.Waybill, Carrier: s.Carrier, CarrierName: kuaidi100.CarrierName(s.Carrier),
			Reference: s.Reference, Recipient: s.RecipientName, Phone: store.MaskPhone(s.RecipientPhone),
			Milestone: s.Milestone.String(), MilestoneName: s.Milestone.Chinese(),
			CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt, Events: events,
		})
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// writeTable writes rows as columns two spaces apart, padding by display
// width so Chinese names (two columns each) line up.
func writeTable(w io.Writer, rows [][]string) error {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], displayWidth(c))
		}
	}
	bw := bufio.NewWriter(w)
	for _, r := range rows {
		for i, c := range r {
			bw.WriteString(c)
			if i < len(r)-1 {
				bw.WriteString(strings.Repeat(" ", widths[i]-displayWidth(c)+2))
			}
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// displayWidth counts East Asian wide and full-width characters as two
// columns.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func runDaemon(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("daemon")
	listen := fs.String("push-listen", "", "address the push receiver listens on")
	pushURL := fs.String("push-url", "", "callback URL given to Kuaidi100")
	relayURL := fs.String("relay", "", "push relay to take pushes from, e.g. https://relay.example.com")
	relayToken := fs.String("relay-token", "", "this station's token from shipdesk relay add-station")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) }
	rt, err := openRuntime(ctx, g, runtimeOptions{Worker: true, PushListen: *listen, PushURL: *pushURL, RelayURL: *relayURL, RelayToken: *relayToken, Logf: daemonLogf(stderr, logf)})
	if err != nil {
		return err
	}
	defer rt.Close()
	active, stop, err := printDaemonChanges(ctx, rt, stdout)
	if err != nil {
		return err
	}
	defer stop()
	logf("shipdesk daemon: %s", i18n.F("%s; %s; %s; %d active shipments; Ctrl-C stops", rt.Mode, rt.Store.Describe(), describePush(rt), active))
	if u, err := url.Parse(rt.PushURL); err == nil && rt.PushURL != "" && rt.Relay == nil {
		if h := u.Hostname(); h == "" || h == "0.0.0.0" || h == "::" {
			logf("shipdesk daemon: %s", i18n.F("Warning: Kuaidi100 cannot call %s; give --push-url with an address it can reach.", rt.PushURL))
		}
	}
	err = rt.Run(ctx)
	logf("shipdesk daemon: %s", i18n.T("stopped"))
	return err
}

// daemonLogf is the runtime's log of the daemon: quiet (quietLogf) but for
// the relay client's few lines (cannot reach it, token refused, connected
// again), which are for the operator even when not verbose.
func daemonLogf(stderr io.Writer, logf func(string, ...any)) func(string, ...any) {
	quiet := quietLogf(stderr)
	return func(format string, a ...any) {
		if strings.HasPrefix(format, "relay:") {
			logf("shipdesk daemon: "+format, a...)
			return
		}
		quiet(format, a...)
	}
}

// printDaemonChanges writes one line on stdout per milestone change of a
// shipment, per tracking-worker change (worker: active | worker: standby
// (active: STATION)) and per database health change, and returns how many
// shipments are active now; stop ends the lines.
func printDaemonChanges(ctx context.Context, rt *wiring, stdout io.Writer) (active int, stop func(), err error) {
	var mu sync.Mutex // guards last and the writes to stdout
	last := map[string]store.Milestone{}
	if err := rt.DB.ActiveShipments(ctx, func(s store.Shipment) error {
		last[s.Waybill] = s.Milestone
		return nil
	}); err != nil {
		return 0, nil, fmt.Errorf("daemon: read shipments: %w", err)
	}
	stopChanges := rt.Worker.OnChange(func(s store.Shipment) {
		mu.Lock()
		defer mu.Unlock()
		if prev, ok := last[s.Waybill]; ok && prev == s.Milestone {
			return
		}
		last[s.Waybill] = s.Milestone
		fmt.Fprintf(stdout, "%s %s %s %s %s\n", time.Now().Format(time.RFC3339), s.Waybill, s.Carrier, s.Milestone, milestoneName(s.Milestone))
	})
	stopWorker := rt.OnWorkerChange(func(w store.WorkerState) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintln(stdout, w.String())
	})
	rt.OnDBHealth(func(h DBHealth) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintln(stdout, h.String())
	})
	return len(last), func() { stopWorker(); stopChanges() }, nil
}

// describePush says how the daemon gets its tracking updates.
func describePush(rt *wiring) string {
	switch {
	case rt.Relay != nil:
		return i18n.F("pushes through relay %s as station %s (token %s), callback %s", rt.relayURL, rt.Relay.Station(), relay.Mask(rt.relayToken), rt.PushURL)
	case rt.PushURL != "" && rt.PushListen != "":
		return i18n.F("push %s (listening on %s)", rt.PushURL, rt.PushListen)
	case rt.PushURL != "":
		return i18n.F("push %s", rt.PushURL)
	}
	return i18n.T("polling only (no push address)")
}
