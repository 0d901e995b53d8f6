package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"shipdesk/assets/i18n"
	"shipdesk/kuaidi100"
	"shipdesk/kuaidi100/sandbox"
	"shipdesk/printer"
	"shipdesk/shipping"
	"shipdesk/sms"
	"shipdesk/store"
	"shipdesk/tracking"
	"shipdesk/tracking/relay"
)

// DemoCompress is how much faster than in reality parcels move in the
// built-in sandbox of demo mode: a day of travel passes in six real
// minutes, so a parcel shipped now is delivered about 5-15 minutes later.
// The sandbox's clock and the app's clock are both the real one, so every
// event, delivery and statistic carries today's real times, and
// Kuaidi100's rules (30 minutes between queries of a number, 4
// subscriptions a month, the rates and the quota) stay as strict as the
// real service keeps them.
const DemoCompress = sandbox.DemoCompress

// Default paths the receiver serves: Kuaidi100 tracking pushes and SMS
// delivery receipts.
const (
	defaultPushPath = "/kuaidi100/push"
	smsReceiptPath  = "/kuaidi100/sms"
)

// The demo sandbox keeps its state in the data folder, so parcels shipped
// before the app was closed carry on after it is reopened. With it are kept
// (as sandbox notes) the loopback addresses of the sandbox and of the local
// push receiver, which the next start binds again when they are free:
// subscriptions in the sandbox then keep calling the right address, and
// the tracking worker has no reason to re-subscribe.
const (
	sandboxStateFile = "sandbox-state.json"
	noteSandboxAddr  = "shipdesk.sandboxAddr"
	notePushAddr     = "shipdesk.pushAddr"
)

// runtimeOptions choose what openRuntime starts.
type runtimeOptions struct {
	// Worker runs the tracking worker and the SMS sender in Run (the GUI
	// and the daemon); without it Run serves only the sandbox.
	Worker bool
	// PushListen and PushURL override (and are remembered in) the
	// settings: the receiver listens on PushListen and Kuaidi100 is told
	// to call PushURL (default http://<PushListen>/kuaidi100/push).
	PushListen, PushURL string
	// RelayURL and RelayToken point the station at a push relay
	// (remembered like PushURL; see configureRelay in cli_relay.go).
	RelayURL, RelayToken string
	// Logf receives operator detail; nil means log.Printf.
	Logf func(format string, args ...any)
	// SandboxSpeed, above 1, runs the in-process sandbox on an
	// accelerated clock (as `shipdesk sandbox --speed N` does) instead of
	// the demo's real-time clock with DemoCompress; the tracking worker
	// then schedules on the sandbox's clock and a restart resumes that
	// clock where it stopped. Tests use it to run whole journeys in
	// seconds.
	SandboxSpeed float64
	// ElectRetry is how often a station on a shared store tries for the
	// tracking-worker election (0: 2 s; tests shorten it).
	ElectRetry time.Duration
	// Clock replaces time.Now for the store, the sandbox, the tracking
	// worker, the SMS sender and the shipping service (a test hook; nil
	// means time.Now).
	Clock func() time.Time
}

// wiring is everything the GUI and the command line work with, wired
// together. openRuntime builds it; Run runs its background parts; Close
// releases the database. The fields are read-only after openRuntime.
type wiring struct {
	DataDir string
	// DB is the station's store: the bbolt file or the shared PostgreSQL
	// database (Store says which, see cli_db.go).
	DB       store.Store
	Store    storeChoice
	Settings store.Settings
	Client   *kuaidi100.Client
	// Sandbox is the in-process sandbox (nil in production or with
	// --api-base); SandboxURL is where it is served. Its state is kept in
	// <DataDir>/sandbox-state.json (saved while Run runs and by Close), so
	// demo parcels carry on after a restart.
	Sandbox    *sandbox.Server
	SandboxURL string
	Queue      *printer.Queue
	Service    *shipping.Service
	// Retrier obtains the numbers of orders kept waiting (待取号) while
	// Kuaidi100 or the network was down; Run runs it on every station.
	Retrier *shipping.Retrier
	Worker  *tracking.Worker
	SMS     *sms.Notifier
	// Demo is true when no real Kuaidi100 account is used: the in-process
	// sandbox or a sandbox at --api-base. The GUI marks it clearly.
	Demo bool
	// Mode describes the connection for the status bar: "demo (built-in
	// sandbox)", "sandbox at URL" or "production".
	Mode string
	// PushURL is the callback address given to Kuaidi100 ("" = poll only);
	// PushListen is where the receiver listens.
	PushURL, PushListen string
	// DefaultPrinter is used when no printer is configured.
	DefaultPrinter string
	// Relay takes the station's pushes from a push relay (nil: none);
	// PushURL is then the relay's callback URL for this station.
	Relay *relay.Client

	relayURL, relayToken string

	opt        runtimeOptions
	logf       func(string, ...any)
	sbLn       net.Listener
	pushLn     net.Listener
	pushPath   string
	closeOnce  sync.Once
	runStarted chan struct{}
	election   election // runtime_station.go
	watch      dbWatch
}

// clinicTime is the clock on the clinic's wall: China Standard Time, UTC+8
// all year (China has one time zone and no daylight saving). The store's
// "today", order numbers and day counters and the SMS quiet hours use it, so
// a daemon on a server set to UTC still keeps 21:00-08:00 quiet in Tianjin.
var clinicTime = time.FixedZone("CST", 8*60*60)

// openRuntime opens the store in g.DataDir, reads settings and secrets,
// builds the Kuaidi100 client (the in-process sandbox in demo mode), the
// print queue (recovering jobs interrupted by a crash), the SMS notifier, the
// tracking worker and the shipping service, and binds the listeners Run will
// serve. The caller must Close the returned wiring.
func openRuntime(ctx context.Context, g *globals, opt runtimeOptions) (*wiring, error) {
	rt := &wiring{DataDir: g.DataDir, opt: opt, logf: opt.Logf, runStarted: make(chan struct{})}
	if rt.logf == nil {
		rt.logf = log.Printf
	}
	if err := os.MkdirAll(g.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	db, ch, err := openStore(ctx, g, opt.Clock, rt.logf)
	if err != nil {
		return nil, err
	}
	rt.DB, rt.Store = db, ch
	ok := false
	defer func() {
		if !ok {
			rt.Close()
		}
	}()
	if err := rt.configure(ctx, g); err != nil {
		return nil, err
	}
	ok = true
	return rt, nil
}

// configure builds everything openRuntime promises on the open store:
// the Kuaidi100 connection, the push address and its listener, the print
// queue, the SMS notifier, the tracking worker (and relay client) and the
// shipping service.
func (rt *wiring) configure(ctx context.Context, g *globals) error {
	st, err := rt.DB.Settings(ctx)
	if err != nil {
		return fmt.Errorf("read settings: %w", err)
	}
	if err := rt.connect(g, st); err != nil {
		return err
	}
	relayCallback, err := rt.configureRelay(ctx, g.DataDir, &st)
	if err != nil {
		return err
	}
	listen, pushURL, err := rt.pushAddress(ctx, &st, relayCallback)
	if err != nil {
		return err
	}
	rt.Settings = st
	demoReceiver := listen == "" && rt.Sandbox != nil && !st.Tracking.PollOnly && relayCallback == ""
	if err := rt.bindPush(listen, pushURL, demoReceiver); err != nil {
		return err
	}
	rt.openQueue(ctx, g.DataDir)
	rt.SMS = sms.New(sms.Config{DB: rt.DB, Client: rt.Client, CallbackURL: rt.smsCallbackURL(), Logf: rt.logf, Now: rt.opt.Clock, Location: clinicTime})
	rt.Worker = tracking.New(rt.trackingConfig(st))
	if relayCallback != "" && rt.PushURL != "" && rt.opt.Worker {
		if rt.Relay, err = relay.NewClient(relay.ClientConfig{URL: rt.relayURL, Token: rt.relayToken, Apply: relay.ApplyTo(rt.Worker), Logf: rt.logf}); err != nil {
			return err
		}
	}
	rt.Service = shipping.New(rt.serviceDeps(g))
	rt.Retrier = rt.Service.NewRetrier(0, 0)
	return nil
}

// connect chooses the Kuaidi100 connection (shipping.ChooseConnection:
// the built-in sandbox, a sandbox at --api-base, or production), starts
// the in-process sandbox when it is the one, and builds the client.
func (rt *wiring) connect(g *globals, st store.Settings) error {
	sec, err := store.LoadSecrets(g.DataDir)
	if err != nil {
		return err
	}
	cfg := shipping.ClientConfig(sec)
	conn, apiBase := shipping.ChooseConnection(g.Sandbox, g.APIBase, st, cfg)
	switch conn {
	case shipping.BuiltinSandbox:
		if !g.Sandbox && st.Mode == "production" {
			rt.logf("shipdesk: production mode but no Kuaidi100 credentials: running the built-in sandbox (demo)")
		}
		if err := rt.startSandbox(&cfg); err != nil {
			return err
		}
		rt.Demo = true
		rt.Mode = i18n.T("demo (built-in sandbox)")
	case shipping.SandboxAt:
		cfg = sandboxAtConfig(cfg, apiBase)
		rt.Demo = true
		rt.Mode = i18n.F("sandbox at %s", apiBase)
	default:
		rt.Mode = i18n.T("production")
	}
	rt.Client = kuaidi100.New(cfg)
	return nil
}

// sandboxAtConfig is cfg pointed at the sandbox at base, with the
// sandbox's demo credentials unless cfg has query credentials of its own
// (shipping.SandboxAt; the GUI, the worker and track/detect alike).
func sandboxAtConfig(cfg kuaidi100.Config, base string) kuaidi100.Config {
	if !cfg.HasQueryCredentials() {
		demo := sandbox.DemoCredentials()
		cfg.Key, cfg.Customer, cfg.Secret, cfg.UserID, cfg.SMSSeller = demo.Key, demo.Customer, demo.Secret, demo.UserID, demo.SMSSeller
	}
	cfg.BaseURL = base
	return cfg
}

// pushAddress is where the push receiver listens and the callback URL
// Kuaidi100 is given: the relay's callback when a relay is used; else the
// explicit flags, which are remembered in st; else the settings (in demo
// mode with the in-process sandbox: none here, bindPush makes a local
// one). Tracking set to poll only has neither.
func (rt *wiring) pushAddress(ctx context.Context, st *store.Settings, relayCallback string) (listen, pushURL string, err error) {
	listen, pushURL = rt.opt.PushListen, rt.opt.PushURL
	switch {
	case relayCallback != "":
		listen, pushURL = "", relayCallback
	case listen != "" || pushURL != "":
		if listen, pushURL, err = rt.rememberPush(ctx, st, listen, pushURL); err != nil {
			return "", "", err
		}
	case !rt.Demo || rt.Sandbox == nil:
		listen, pushURL = st.Tracking.PushListen, st.Tracking.PushURL
		if listen != "" && pushURL == "" {
			pushURL = "http://" + listen + defaultPushPath
		}
	}
	if st.Tracking.PollOnly {
		// No callback for Kuaidi100, so nothing to listen for either (a
		// listener with no URL would make one up in bindPush).
		if listen != "" || pushURL != "" {
			rt.logf("shipdesk: tracking is set to poll only: push address %s %s not used", listen, pushURL)
		}
		listen, pushURL = "", ""
	}
	return listen, pushURL, nil
}

// rememberPush completes the push address given by --push-listen and
// --push-url (each defaults from the other) and saves it in st.
func (rt *wiring) rememberPush(ctx context.Context, st *store.Settings, listen, pushURL string) (string, string, error) {
	if listen == "" {
		u, err := url.Parse(pushURL)
		if err != nil || u.Host == "" {
			return "", "", usagef(i18n.N("--push-url %q is not an http URL: give http://HOST:PORT/PATH"), pushURL)
		}
		listen = u.Host
	}
	if pushURL == "" {
		pushURL = "http://" + listen + defaultPushPath
	}
	if st.Tracking.PushListen != listen || st.Tracking.PushURL != pushURL {
		st.Tracking.PushListen, st.Tracking.PushURL = listen, pushURL
		if err := rt.DB.SaveSettings(ctx, *st); err != nil {
			return "", "", fmt.Errorf("remember push address: %w", err)
		}
	}
	return listen, pushURL, nil
}

// bindPush binds the push receiver's listener when the worker runs (the
// demo's on a remembered loopback port), and sets PushListen, PushURL (one
// made up from the listener when none was given or the port was 0) and
// the path the receiver serves.
func (rt *wiring) bindPush(listen, pushURL string, demoReceiver bool) error {
	if rt.opt.Worker {
		if demoReceiver {
			listen = "127.0.0.1:0"
		}
		if listen != "" {
			var ln net.Listener
			var err error
			if demoReceiver {
				ln, err = rt.demoListen(notePushAddr)
			} else {
				ln, err = net.Listen("tcp", listen)
			}
			if err != nil {
				return fmt.Errorf("push receiver: listen on %s: %w", listen, err)
			}
			rt.pushLn = ln
			if pushURL == "" || strings.HasSuffix(listen, ":0") {
				pushURL = "http://" + ln.Addr().String() + defaultPushPath
			}
			rt.PushListen = ln.Addr().String()
		}
	}
	rt.PushURL = pushURL
	rt.pushPath = defaultPushPath
	if u, err := url.Parse(pushURL); err == nil && u.Path != "" {
		rt.pushPath = u.Path
	}
	return nil
}

// smsCallbackURL is where the SMS delivery receipts are sent: the push
// receiver's host with smsReceiptPath; "" without a local receiver.
func (rt *wiring) smsCallbackURL() string {
	if rt.pushLn == nil || rt.PushURL == "" {
		return ""
	}
	u, err := url.Parse(rt.PushURL)
	if err != nil {
		return ""
	}
	u.Path, u.RawQuery = smsReceiptPath, ""
	return u.String()
}

// openQueue opens the print queue (recovering jobs a crash interrupted)
// and sets the default printer: the virtual one in dataDir/labels.
func (rt *wiring) openQueue(ctx context.Context, dataDir string) {
	rt.Queue = printer.NewQueue(rt.DB, nil)
	if err := rt.Queue.Recover(context.WithoutCancel(ctx)); err != nil {
		rt.logf("shipdesk: recover print queue: %v", err)
	}
	rt.DefaultPrinter = "virtual:///" + strings.TrimPrefix(filepath.ToSlash(filepath.Join(dataDir, "labels")), "/")
}

// trackingConfig configures the tracking worker: the demo's compressed
// journeys may be queried at any hour, and with an accelerated sandbox the
// worker schedules in the sandbox's time.
func (rt *wiring) trackingConfig(st store.Settings) tracking.Config {
	tcfg := tracking.Config{
		DB: rt.DB, Client: rt.Client, Notifier: shipping.NotifyEveryReached(rt.SMS), PushURL: rt.PushURL,
		QueriesPerSecond: st.Tracking.QueriesPerSecond, Logf: rt.logf, Now: rt.opt.Clock,
	}
	if n, demo := st.Tracking.WindowQueries, rt.Sandbox != nil && rt.opt.SandboxSpeed <= 1; n > 0 || demo {
		pol := tracking.DefaultPolicy()
		pol.WindowQueries = min(n, 3)
		if demo {
			// The demo's journeys are compressed: their hours of the day
			// are not real, so the last mile's night rest does not apply.
			pol.Rate = tracking.RateAnyHour
		}
		tcfg.Policy = &pol
	}
	if rt.Sandbox != nil && rt.opt.SandboxSpeed > 1 {
		// Parcels move in the sandbox's accelerated time; the worker
		// schedules and rate-limits in the same time. (In the real-time
		// demo both are on the real clock and need nothing.)
		tcfg.Now, tcfg.After = tracking.AcceleratedClock(rt.Sandbox.Now, rt.opt.SandboxSpeed)
	}
	return tcfg
}

// serviceDeps are the shipping service's parts. Demo mode ships on the
// sandbox's account for every carrier, so it works without setup;
// otherwise the accounts in the secrets file.
func (rt *wiring) serviceDeps(g *globals) shipping.Deps {
	var accts shipping.AccountStore = shipping.SecretsAccounts{Dir: g.DataDir}
	if rt.Demo {
		accts = shipping.SandboxAccounts()
	}
	return shipping.Deps{
		DB: rt.DB, Waybills: rt.Client, Queue: rt.Queue, Tracker: rt.Worker, SMS: rt.SMS,
		DefaultPrinter: rt.DefaultPrinter, DataDir: rt.DataDir, Logf: rt.logf, Now: rt.opt.Clock, Accounts: accts,
		Demo: rt.Demo,
	}
}

// startSandbox creates the in-process sandbox and binds it to a loopback
// port; cfg gets its credentials and base URL.
//
// The demo sandbox runs on the real clock (RealTime) with DemoCompress:
// parcels move fast, but every time is a real one, and after a restart the
// clock is the real one too (parcels travelled while the app was closed).
// With opt.SandboxSpeed > 1 it runs on an accelerated clock instead,
// without compression, and resumes that clock where it stopped.
func (rt *wiring) startSandbox(cfg *kuaidi100.Config) error {
	o := sandbox.DefaultOptions()
	if rt.opt.SandboxSpeed > 1 {
		o.Speed = rt.opt.SandboxSpeed
	} else {
		o.RealTime, o.Compress = true, DemoCompress
		// The service checks a subscribed number about every 4 hours; the
		// demo's checks it every simulated hour (15 real seconds), so that
		// pickup, each hub and the delivery mostly arrive as pushes of
		// their own and the screens step through them.
		o.PushInterval = time.Hour
	}
	o.Clock = rt.opt.Clock
	o.Seed = time.Now().UnixNano()
	o.Creds = sandbox.DemoCredentials()
	o.Logf = rt.logf
	o.StatePath = filepath.Join(rt.DataDir, sandboxStateFile)
	rt.Sandbox = sandbox.New(o)
	ln, err := rt.demoListen(noteSandboxAddr)
	if err != nil {
		return fmt.Errorf("start sandbox: %w", err)
	}
	rt.sbLn = ln
	rt.SandboxURL = "http://" + ln.Addr().String()
	creds := rt.Sandbox.Credentials()
	*cfg = kuaidi100.Config{
		Key: creds.Key, Customer: creds.Customer, Secret: creds.Secret, UserID: creds.UserID,
		SMSSeller: creds.SMSSeller, BaseURL: rt.SandboxURL,
	}
	return nil
}

// demoListen binds a loopback port for the demo sandbox or its push
// receiver: the one remembered in the sandbox note key when it is free,
// otherwise a new one, which it remembers. When the push receiver has to
// move, the sandbox's subscriptions and pending SMS receipts are pointed at
// the new port (the tracking worker then re-subscribes with the new URL,
// which the sandbox takes as the duplicate of an active subscription).
func (rt *wiring) demoListen(key string) (net.Listener, error) {
	prev := rt.Sandbox.Note(key)
	var ln net.Listener
	err := errors.New("no previous address")
	if host, _, serr := net.SplitHostPort(prev); serr == nil && host == "127.0.0.1" {
		ln, err = net.Listen("tcp", prev)
	}
	if err != nil {
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			return nil, err
		}
	}
	addr := ln.Addr().String()
	if prev != "" && prev != addr {
		rt.logf("shipdesk: demo address %s is taken; using %s", prev, addr)
		if key == notePushAddr {
			n := rt.Sandbox.RedirectCallbacks("http://"+prev+"/", "http://"+addr+"/")
			rt.logf("shipdesk: %d sandbox callbacks moved to %s", n, addr)
		}
	}
	rt.Sandbox.SetNote(key, addr)
	return ln, nil
}

// Run serves the in-process sandbox and runs, with opt.Worker, the push
// receiver, the tracking worker and the SMS sender, until ctx ends; it first
// completes orders whose tracking subscription did not go through. It
// returns nil when ctx ends and the first error of any part otherwise.
// Call it once.
func (rt *wiring) Run(ctx context.Context) error {
	close(rt.runStarted)
	g, ctx := errgroup.WithContext(ctx)
	serve := func(name string, ln net.Listener, h http.Handler) {
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
		g.Go(func() error {
			err := srv.Serve(ln)
			if errors.Is(err, http.ErrServerClosed) {
				return nil
			}
			return fmt.Errorf("%s: %w", name, err)
		})
		g.Go(func() error {
			<-ctx.Done()
			sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			return srv.Shutdown(sctx)
		})
	}
	g.Go(func() error { return rt.runWatch(ctx) })
	if rt.Sandbox != nil {
		serve("sandbox", rt.sbLn, rt.Sandbox)
		g.Go(func() error { return ignoreCanceled(rt.Sandbox.Run(ctx)) })
	}
	if rt.opt.Worker {
		if rt.pushLn != nil {
			mux := http.NewServeMux()
			mux.Handle(rt.pushPath, rt.Worker.Handler())
			mux.Handle(smsReceiptPath, rt.SMS.CallbackHandler())
			serve("push receiver", rt.pushLn, rt.onlyActive(mux))
		}
		g.Go(func() error { return rt.Retrier.Run(ctx) })
		// The tracking worker, the relay client and the SMS sender run on
		// the one station that holds the election (always, on a bbolt file).
		g.Go(func() error { return rt.runElected(ctx, rt.runWorkerParts) })
	}
	return g.Wait()
}

func ignoreCanceled(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return nil
	}
	return err
}

// Close releases the listeners Run did not take over, saves the demo
// sandbox's state and closes the database. Call it after Run has returned.
func (rt *wiring) Close() error {
	var err error
	rt.closeOnce.Do(func() {
		select {
		case <-rt.runStarted:
		default:
			for _, ln := range []net.Listener{rt.sbLn, rt.pushLn} {
				if ln != nil {
					ln.Close()
				}
			}
		}
		if rt.Sandbox != nil {
			// Run saved it when it stopped; this also covers commands
			// that used the sandbox without Run.
			if serr := rt.Sandbox.Save(); serr != nil {
				rt.logf("shipdesk: %v", serr)
			}
		}
		if rt.DB != nil {
			err = rt.DB.Close()
		}
	})
	return err
}
