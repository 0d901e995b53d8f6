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
	"text/tabwriter"
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
		return usagef("%s takes no arguments, got %q", fs.Name(), pos[0])
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
	return usagef("%v", err)
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
		return usagef("--speed must be positive")
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
	fmt.Fprintf(stdout, "Kuaidi100 sandbox listening on %s (speed %g, seed %d)\n", base, o.Speed, o.Seed)
	if o.StatePath != "" {
		fmt.Fprintf(stdout, "State kept in %s (waybills, parcels, subscriptions and limits survive a restart)\n", o.StatePath)
	}
	printSandboxCreds(stdout, sb.Credentials())
	fmt.Fprintf(stdout, "Try: shipdesk --api-base %s track NUMBER    counters: %s/sandbox/stats\n", base, base)
	return sb.Serve(ctx, ln)
}

func printSandboxCreds(w io.Writer, c kuaidi100.Config) {
	demo := sandbox.DemoCredentials()
	show := func(label, env, v, d string) {
		if v == d {
			fmt.Fprintf(w, "  %-9s %s   (demo; set %s to change)\n", label, v, env)
		} else {
			fmt.Fprintf(w, "  %-9s %s   (from %s)\n", label, store.MaskSecret(v), env)
		}
	}
	fmt.Fprintln(w, "Credentials accepted:")
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

var errNoCredentials = errors.New("未配置快递100账号：请设置环境变量 KUAIDI100_KEY 和 KUAIDI100_CUSTOMER（在快递100企业管理后台“我的信息”中获取），" +
	"或用 --sandbox 试用内置沙箱、--api-base URL 连接运行中的沙箱 / no Kuaidi100 credentials: set KUAIDI100_KEY and KUAIDI100_CUSTOMER, or use --sandbox or --api-base URL")

func runDetect(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("detect")
	asJSON := fs.Bool("json", false, "")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return flagUsage(err)
	}
	if len(pos) != 1 {
		return usagef("detect needs exactly one NUMBER")
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
		fmt.Fprintf(stderr, "note: online detection unavailable (%v); offline guess only\n", oneLine(err.Error()))
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
		return fmt.Errorf("未能从单号 %s 识别快递公司，请手动选择快递公司 / no carrier matches this number", num)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CODE\tNAME\tCONFIDENCE\tSOURCE")
	for _, c := range cands {
		fmt.Fprintf(tw, "%s\t%s\t%.2f\t%s\n", c.Code, c.Name, c.Confidence, c.Source)
	}
	return tw.Flush()
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
		return usagef("track needs exactly one NUMBER")
	}
	num := kuaidi100.NormalizeNumber(pos[0])
	com := strings.ToLower(strings.TrimSpace(*carrier))
	if com != "" {
		if _, ok := kuaidi100.LookupCarrier(com); !ok {
			return usagef("unknown carrier code %q (see shipdesk detect NUMBER)", com)
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
			return usagef("cannot tell the carrier of %s; pass --carrier CODE (see shipdesk detect)", num)
		}
		com = cands[0].Code
		if !*asJSON {
			fmt.Fprintf(stderr, "carrier guessed from the number: %s %s (%.0f%%); pass --carrier to choose\n", com, cands[0].Name, cands[0].Confidence*100)
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
	fmt.Fprintf(stdout, "单号 Number:   %s\n快递 Carrier:  %s (%s)\n状态 Status:   %s %s", out.Number, out.CarrierName, out.Carrier, m.Chinese(), m.English())
	if out.State != "" {
		fmt.Fprintf(stdout, " (state %s %s)", out.State, kuaidi100.StateName(out.State))
	}
	fmt.Fprintln(stdout)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tSTATE\tAREA\tDETAIL")
	for _, e := range evs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.Time.Format("2006-01-02 15:04"), e.Milestone.Chinese(), e.Area, e.Context)
	}
	return tw.Flush()
}

func nonEmptyStr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
