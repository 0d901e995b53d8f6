package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"shipdesk/assets/i18n"
	"shipdesk/kuaidi100"
	"shipdesk/kuaidi100/sandbox"
	"shipdesk/shipping"
	"shipdesk/store"
	"shipdesk/tracking"
)

// parseInterleaved parses flags that may come before or after the
// positional arguments, which it returns in order.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// parseNoArgs parses the flags of a command that takes no positional
// arguments; a stray one is a usage error naming the command (fs.Name()).
func parseNoArgs(fs *flag.FlagSet, args []string) error {
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return flagUsage(err)
	}
	if len(pos) > 0 {
		return usagef(i18n.N("%s takes no arguments, got %q"), fs.Name(), pos[0])
	}
	return nil
}

func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func flagUsage(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	return flagError(err)
}

// flagError turns the flag package's English complaint into a sentence
// in the language in use.
func flagError(err error) error {
	msg := err.Error()
	for _, f := range []struct{ prefix, key string }{
		{"flag provided but not defined: ", i18n.N("there is no flag %s here")},
		{"flag needs an argument: ", i18n.N("flag %s needs a value")},
		{"bad flag syntax: ", i18n.N("%s is not a flag: flags look like --name VALUE")},
	} {
		if rest, ok := strings.CutPrefix(msg, f.prefix); ok {
			return usagef(f.key, "-"+strings.TrimLeft(rest, "-"))
		}
	}
	// invalid value "x" for flag -n: parse error
	if rest, ok := strings.CutPrefix(msg, "invalid value "); ok {
		if val, fl, ok := strings.Cut(rest, " for flag "); ok {
			fl, _, _ = strings.Cut(fl, ":")
			return usagef(i18n.N("%s %s: that is not a value this flag takes"), "-"+strings.TrimLeft(fl, "-"), val)
		}
	}
	return usagef(i18n.N("the command is not written right: %s"), msg)
}

// sandboxOptionsFromEnv are the sandbox defaults with the KUAIDI100_*
// credentials from the environment, where set.
func sandboxOptionsFromEnv() sandbox.Options {
	o := sandbox.DefaultOptions()
	o.Creds = kuaidi100.ConfigFromEnv(sandbox.DemoCredentials())
	o.Seed = time.Now().UnixNano()
	return o
}

func runSandbox(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("sandbox")
	o := sandboxOptionsFromEnv()
	addr := fs.String("addr", "127.0.0.1:8100", "")
	fs.Float64Var(&o.Speed, "speed", 1, "")
	fs.Int64Var(&o.Seed, "seed", o.Seed, "")
	fs.IntVar(&o.DailyQuota, "quota", o.DailyQuota, "")
	fs.Float64Var(&o.QueryRate, "query-rate", o.QueryRate, "")
	fs.Float64Var(&o.SubscribeRate, "subscribe-rate", o.SubscribeRate, "")
	fs.Float64Var(&o.ProblemShare, "problem", o.ProblemShare, "")
	fs.Float64Var(&o.RefusedShare, "refused", o.RefusedShare, "")
	fs.Float64Var(&o.ReturnedShare, "returned", o.ReturnedShare, "")
	fs.StringVar(&o.StatePath, "state", "", "")
	verbose := fs.Bool("v", false, "")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if o.Speed <= 0 {
		return usagef(i18n.N("--speed must be above 0"))
	}
	if *verbose {
		o.Logf = func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) }
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("sandbox: listen %s: %w", *addr, err)
	}
	sb := sandbox.New(o)
	base := "http://" + ln.Addr().String()
	fmt.Fprintln(stdout, i18n.F("Kuaidi100 sandbox listening on %s (speed %g, seed %d)", base, o.Speed, o.Seed))
	if o.StatePath != "" {
		fmt.Fprintln(stdout, i18n.F("State kept in %s (waybills, parcels, subscriptions and limits survive a restart)", o.StatePath))
	}
	printSandboxCreds(stdout, sb.Credentials())
	fmt.Fprintln(stdout, i18n.F("Try: shipdesk --api-base %s track NUMBER    counters: %s/sandbox/stats", base, base))
	return sb.Serve(ctx, ln)
}

func printSandboxCreds(w io.Writer, c kuaidi100.Config) {
	demo := sandbox.DemoCredentials()
	show := func(label, env, v, d string) {
		if v == d {
			fmt.Fprintf(w, "  %-9s %s   %s\n", label, v, i18n.F("(demo; set %s to change)", env))
		} else {
			fmt.Fprintf(w, "  %-9s %s   %s\n", label, store.MaskSecret(v), i18n.F("(from %s)", env))
		}
	}
	fmt.Fprintln(w, i18n.T("Credentials accepted:"))
	show("key", kuaidi100.EnvKey, c.Key, demo.Key)
	show("customer", kuaidi100.EnvCustomer, c.Customer, demo.Customer)
	show("secret", kuaidi100.EnvSecret, c.Secret, demo.Secret)
	show("userid", kuaidi100.EnvUserID, c.UserID, demo.UserID)
	show("seller", kuaidi100.EnvSMSSeller, c.SMSSeller, demo.SMSSeller)
	fmt.Fprintln(w, sandbox.AccountsNote())
}

// kuaidiClient builds the client the global flags ask for: an in-process
// sandbox (--sandbox), one base URL (--api-base, demo credentials unless the
// environment has some), or the real service with the stored secrets and
// the KUAIDI100_* environment. stop releases what it started.
func kuaidiClient(ctx context.Context, g *globals) (c *kuaidi100.Client, online bool, stop func(), err error) {
	hc := &http.Client{Timeout: 30 * time.Second}
	switch {
	case g.Sandbox:
		sb, base, stop, err := sandbox.Start(ctx, "", sandboxOptionsFromEnv())
		if err != nil {
			return nil, false, nil, err
		}
		cfg := sb.Credentials()
		cfg.BaseURL, cfg.HTTPClient = base, hc
		return kuaidi100.New(cfg), true, stop, nil
	case g.APIBase != "":
		cfg := kuaidi100.ConfigFromEnv(sandbox.DemoCredentials())
		cfg.BaseURL, cfg.HTTPClient = g.APIBase, hc
		return kuaidi100.New(cfg), true, func() {}, nil
	}
	sec, err := store.LoadSecrets(g.DataDir)
	if err != nil {
		return nil, false, nil, err
	}
	cfg := shipping.ClientConfig(sec)
	cfg.HTTPClient = hc
	st, ok := savedSettings(ctx, g)
	if !ok {
		// No store to read (another program holds it): the stored and
		// environment credentials decide alone.
		return kuaidi100.New(cfg), cfg.HasQueryCredentials(), func() {}, nil
	}
	// The same rule as the GUI and the worker: the saved API address, then
	// the saved mode.
	switch conn, base := shipping.ChooseConnection(false, "", st, cfg); conn {
	case shipping.SandboxAt:
		return kuaidi100.New(sandboxAtConfig(cfg, base)), true, func() {}, nil
	case shipping.Production:
		return kuaidi100.New(cfg), true, func() {}, nil
	}
	if cfg.HasQueryCredentials() {
		return nil, false, nil, errDemoMode
	}
	return kuaidi100.New(cfg), false, func() {}, nil
}

// errDemoMode: credentials exist but the settings choose demo mode, which
// the GUI would run against its built-in sandbox.
var errDemoMode = i18n.Wrap(errors.New("settings choose demo mode"),
	"The settings choose demo mode: choose Production in Settings to use the Kuaidi100 account, or pass --sandbox or --api-base URL.")

// savedSettings reads the settings of the data folder's store; false when
// it cannot be opened.
func savedSettings(ctx context.Context, g *globals) (store.Settings, bool) {
	db, err := openCLIStore(ctx, g)
	if err != nil {
		return store.Settings{}, false
	}
	defer db.Close()
	st, err := db.Settings(ctx)
	return st, err == nil
}

var errNoCredentials = i18n.Wrap(kuaidi100.ErrNoCredentials,
	"Kuaidi100 is not set up: set KUAIDI100_KEY and KUAIDI100_CUSTOMER (from the Kuaidi100 business console, My information), or try the built-in sandbox with --sandbox, or a running sandbox with --api-base URL.")

func runDetect(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("detect")
	asJSON := fs.Bool("json", false, "")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return flagUsage(err)
	}
	if len(pos) != 1 {
		return usagef(i18n.N("detect needs exactly one NUMBER"))
	}
	num := kuaidi100.NormalizeNumber(pos[0])
	var cands []kuaidi100.Candidate
	// Online when a sandbox or an account is configured: the environment,
	// or the account saved in the app's settings (the secrets file).
	c, online, stop, err := kuaidiClient(ctx, g)
	if err == nil {
		if online {
			cands, err = c.AutoNumber(ctx, num)
		}
		stop()
	}
	if err != nil && !*asJSON {
		fmt.Fprintf(stderr, "%s (%v)\n", i18n.T("Online detection is not available: this is the offline guess only."), oneLine(err.Error()))
	}
	seen := map[string]bool{}
	for _, c := range cands {
		seen[c.Code] = true
	}
	for _, c := range kuaidi100.Guess(num) {
		if !seen[c.Code] {
			cands = append(cands, c)
		}
	}
	if cands == nil {
		cands = []kuaidi100.Candidate{}
	}
	if *asJSON {
		return writeJSONOut(stdout, cands)
	}
	if len(cands) == 0 {
		return i18n.Wrap(fmt.Errorf("detect %s: no carrier matches", num), "No carrier matches the number %s: choose the carrier by hand.", num)
	}
	rows := [][]string{header(i18n.N("CODE"), i18n.N("NAME"), i18n.N("CONFIDENCE"), i18n.N("SOURCE"))}
	for _, c := range cands {
		rows = append(rows, []string{c.Code, c.Name, fmt.Sprintf("%.2f", c.Confidence), c.Source})
	}
	return writeTable(stdout, rows)
}

func writeJSONOut(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// trackJSON is the stable --json shape of shipdesk track.
type trackJSON struct {
	Number        string           `json:"number"`
	Carrier       string           `json:"carrier"`
	CarrierName   string           `json:"carrierName"`
	Milestone     string           `json:"milestone"`
	MilestoneName string           `json:"milestoneName"`
	State         string           `json:"state"`
	Signed        bool             `json:"signed"`
	Events        []trackEventJSON `json:"events"`
}

type trackEventJSON struct {
	Time      string `json:"time"`
	Context   string `json:"context"`
	Area      string `json:"area"`
	Milestone string `json:"milestone"`
	State     string `json:"state"`
}

func runTrack(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("track")
	carrier := fs.String("carrier", "", "")
	phone := fs.String("phone", "", "")
	asJSON := fs.Bool("json", false, "")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return flagUsage(err)
	}
	if len(pos) != 1 {
		return usagef(i18n.N("track needs exactly one NUMBER"))
	}
	num := kuaidi100.NormalizeNumber(pos[0])
	com := strings.ToLower(strings.TrimSpace(*carrier))
	if com != "" {
		if _, ok := kuaidi100.LookupCarrier(com); !ok {
			return usagef(i18n.N("unknown carrier code %q (see shipdesk detect NUMBER)"), com)
		}
	}
	c, online, stop, err := kuaidiClient(ctx, g)
	if err != nil {
		return err
	}
	defer stop()
	if !online {
		return errNoCredentials
	}
	if com == "" {
		cands := kuaidi100.Guess(num)
		if len(cands) == 0 {
			return usagef(i18n.N("cannot tell the carrier of %s: give --carrier CODE (see shipdesk detect)"), num)
		}
		com = cands[0].Code
		if !*asJSON {
			fmt.Fprintln(stderr, i18n.F("Carrier guessed from the number: %s %s (%.0f%%); give --carrier to choose.", com, cands[0].Name, cands[0].Confidence*100))
		}
	}
	tr, err := c.Query(ctx, kuaidi100.QueryRequest{Com: com, Num: num, Phone: *phone})
	if err != nil {
		return err
	}
	m, evs := tracking.StoreMilestone(tr.Milestone), tracking.StoreEvents(tr.Events)
	out := trackJSON{Number: nonEmptyStr(tr.Num, num), Carrier: nonEmptyStr(tr.Com, com), Milestone: m.String(),
		MilestoneName: m.Chinese(), State: tr.State, Signed: tr.Signed, Events: []trackEventJSON{}}
	out.CarrierName = kuaidi100.CarrierName(out.Carrier)
	for _, e := range evs {
		out.Events = append(out.Events, trackEventJSON{Time: e.Time.Format(time.RFC3339), Context: e.Context, Area: e.Area,
			Milestone: e.Milestone.String(), State: e.RawState})
	}
	if *asJSON {
		return writeJSONOut(stdout, out)
	}
	status := milestoneName(m)
	if out.State != "" {
		state := out.State
		if i18n.Language() == "zh" {
			state += " " + kuaidi100.StateName(out.State)
		}
		status += " " + i18n.F("(Kuaidi100 state %s)", state)
	}
	if err := writeTable(stdout, [][]string{
		{i18n.T("Number:"), out.Number},
		{i18n.T("Carrier:"), out.CarrierName + " (" + out.Carrier + ")"},
		{i18n.T("Status:"), status},
	}); err != nil {
		return err
	}
	rows := [][]string{header(i18n.N("TIME"), i18n.N("STATE"), i18n.N("AREA"), i18n.N("DETAIL"))}
	for _, e := range evs {
		rows = append(rows, []string{e.Time.In(clinicTime).Format("2006-01-02 15:04"), milestoneName(e.Milestone), e.Area, e.Context})
	}
	return writeTable(stdout, rows)
}

func nonEmptyStr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
