package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"shipdesk/assets/i18n"
	"shipdesk/store"
	"shipdesk/tracking/relay"
)

// The relay's files in its data folder: the database, and while it runs
// the address of its loopback admin endpoint and its public URL (so that
// add-station and stations reach a running relay).
const (
	relayDBFile   = "relay.db"
	relayInfoFile = "relay-admin.json"
)

// relayInfo is relay-admin.json.
type relayInfo struct {
	Admin     string `json:"admin"`               // host:port on loopback
	PublicURL string `json:"publicUrl,omitempty"` // what stations and Kuaidi100 reach
	PID       int    `json:"pid"`
}

func runRelay(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "add-station":
			return runRelayAdd(ctx, g, args[1:], stdout)
		case "stations":
			return runRelayStations(ctx, g, args[1:], stdout)
		}
	}
	f, err := parseRelayFlags(args)
	if err != nil {
		return err
	}
	db, err := openRelayDB(g.DataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	logf := func(format string, a ...any) {
		fmt.Fprintf(stderr, time.Now().UTC().Format("2006-01-02T15:04:05Z ")+format+"\n", a...)
	}
	srv := relay.NewServer(db, relay.Options{MaxPending: f.maxPending, Logf: logf})
	ln, aln, err := f.bind()
	if err != nil {
		return err
	}
	info := relayInfo{Admin: aln.Addr().String(), PublicURL: strings.TrimRight(f.public, "/"), PID: os.Getpid()}
	defer writeRelayInfo(g.DataDir, info, logf)()
	announceRelay(logf, db, f, ln.Addr().String(), info)
	eg, ctx := errgroup.WithContext(ctx)
	eg.Go(func() error { return relay.Serve(ctx, ln, srv.Handler(), f.cert, f.key) })
	eg.Go(func() error { return relay.Serve(ctx, aln, srv.AdminHandler(), "", "") })
	err = eg.Wait()
	logf("shipdesk relay: %s", i18n.T("stopped"))
	return err
}

// relayFlags are the flags of `shipdesk relay --listen`.
type relayFlags struct {
	listen, public, cert, key, admin string
	maxPending                       int
}

// parseRelayFlags reads and checks the relay's flags.
func parseRelayFlags(args []string) (relayFlags, error) {
	var f relayFlags
	fs := newFlagSet("relay")
	fs.StringVar(&f.listen, "listen", "", "address to serve Kuaidi100 and the stations on, e.g. 0.0.0.0:8443")
	fs.StringVar(&f.public, "public-url", "", "the relay's address as Kuaidi100 and the stations reach it, e.g. https://relay.example.com")
	fs.StringVar(&f.cert, "tls-cert", "", "TLS certificate file (PEM)")
	fs.StringVar(&f.key, "tls-key", "", "TLS key file (PEM)")
	fs.StringVar(&f.admin, "admin", "127.0.0.1:0", "loopback address of the admin endpoint (add-station, stations)")
	fs.IntVar(&f.maxPending, "max-pending", relay.DefaultMaxPending, "pushes kept per station while it is away (the oldest are kept)")
	if err := parseNoArgs(fs, args); err != nil {
		return f, err
	}
	return f, f.check()
}

// check says what is wrong with the flags, as a usage error.
func (f relayFlags) check() error {
	if f.listen == "" {
		return usagef(i18n.N("relay needs --listen ADDR (or a subcommand: add-station NAME, stations)"))
	}
	if (f.cert == "") != (f.key == "") {
		return usagef(i18n.N("--tls-cert and --tls-key go together"))
	}
	if f.public != "" {
		u, err := url.Parse(f.public)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return usagef(i18n.N("--public-url %q: want https://HOST[:PORT]"), f.public)
		}
		if u.Scheme == "http" && f.cert != "" {
			return usagef(i18n.N("--public-url is http:// but --tls-cert makes the relay serve https://"))
		}
	}
	if h, _, err := net.SplitHostPort(f.admin); err != nil || !isLoopbackHost(h) {
		return usagef(i18n.N("--admin %q must be a loopback address such as 127.0.0.1:8091"), f.admin)
	}
	if f.maxPending <= 0 {
		return usagef(i18n.N("--max-pending must be above 0"))
	}
	return nil
}

// scheme is what the relay serves: https with a certificate, else http.
func (f relayFlags) scheme() string {
	if f.cert != "" {
		return "https"
	}
	return "http"
}

// bind listens on --listen and --admin; the caller closes both.
func (f relayFlags) bind() (ln, admin net.Listener, err error) {
	ln, err = net.Listen("tcp", f.listen)
	if err != nil {
		return nil, nil, fmt.Errorf("relay: listen on %s: %w", f.listen, err)
	}
	admin, err = net.Listen("tcp", f.admin)
	if err != nil {
		ln.Close()
		return nil, nil, fmt.Errorf("relay: admin listen on %s: %w", f.admin, err)
	}
	return ln, admin, nil
}

// openRelayDB opens the relay's database in dataDir (created if need be);
// a second relay on the same folder is refused. The caller closes it.
func openRelayDB(dataDir string) (*relay.DB, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	db, err := relay.OpenDB(filepath.Join(dataDir, relayDBFile))
	if errors.Is(err, relay.ErrLocked) {
		return nil, i18n.Wrap(fmt.Errorf("relay %s: %w", dataDir, err), "Another relay is running with the data folder %s: stop it first, or give another --data-dir.", dataDir)
	}
	return db, err
}

// writeRelayInfo leaves the running relay's admin address for add-station
// and stations; the returned func removes it.
func writeRelayInfo(dataDir string, info relayInfo, logf func(string, ...any)) (remove func()) {
	path := filepath.Join(dataDir, relayInfoFile)
	if raw, err := json.Marshal(info); err == nil {
		if err := os.WriteFile(path, raw, 0o600); err != nil {
			logf("relay: cannot write %s (add-station will not reach this relay): %v", path, err)
		}
	}
	return func() { os.Remove(path) }
}

// announceRelay logs where the relay serves and its stations' callback
// URLs, warning when plain http leaves the loopback.
func announceRelay(logf func(string, ...any), db *relay.DB, f relayFlags, addr string, info relayInfo) {
	base := info.PublicURL
	if base == "" {
		base = f.scheme() + "://" + addr
	}
	stations, _ := db.Stations()
	logf("shipdesk relay: %s", i18n.F("serving %s://%s (admin %s); %d stations; callback URLs are %s/push/NAME; Ctrl-C stops",
		f.scheme(), addr, info.Admin, len(stations), base))
	if f.scheme() == "http" && !isLoopbackHost(hostOf(addr)) {
		logf("shipdesk relay: %s", i18n.T("Warning: serving plain http; stations send their token over it. Give --tls-cert and --tls-key (or put the relay behind an HTTPS proxy)."))
	}
}

func hostOf(addr string) string {
	h, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return h
}

func isLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// runningRelay returns the admin URL of a relay running on dataDir, or "".
func runningRelay(dataDir string) (relayInfo, bool) {
	var info relayInfo
	raw, err := os.ReadFile(filepath.Join(dataDir, relayInfoFile))
	if err != nil || json.Unmarshal(raw, &info) != nil || info.Admin == "" {
		return info, false
	}
	return info, true
}

func adminClient() *http.Client { return &http.Client{Timeout: 10 * time.Second} }

func runRelayAdd(ctx context.Context, g *globals, args []string, stdout io.Writer) error {
	fs := newFlagSet("relay add-station")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return flagUsage(err)
	}
	if len(pos) != 1 {
		return usagef(i18n.N("relay add-station takes one NAME (a-z, 0-9, '-'; up to 32)"))
	}
	name := pos[0]
	var token, public string
	if err := os.MkdirAll(g.DataDir, 0o700); err != nil {
		return fmt.Errorf("create data folder: %w", err)
	}
	db, err := relay.OpenDB(filepath.Join(g.DataDir, relayDBFile))
	switch {
	case err == nil:
		token, err = db.AddStation(name, time.Now())
		db.Close()
		if info, ok := runningRelay(g.DataDir); ok {
			public = info.PublicURL
		}
	case errors.Is(err, relay.ErrLocked):
		info, ok := runningRelay(g.DataDir)
		if !ok {
			return errRelayInUse(g.DataDir)
		}
		public = info.PublicURL
		token, err = adminAdd(ctx, info.Admin, name)
	}
	if errors.Is(err, relay.ErrBadName) {
		return usagef(i18n.N("station name %q: use 1-32 characters of a-z, 0-9 and '-'"), name)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, i18n.F("Station %s added; its token is shown only now: keep it with the station.", name))
	if public != "" {
		fmt.Fprintln(stdout, i18n.F("Callback URL given to Kuaidi100: %s/push/%s", public, name))
	} else {
		fmt.Fprintln(stdout, i18n.F("Callback path: /push/%s on the relay's public address", name))
		public = "https://RELAY-HOST"
	}
	fmt.Fprintln(stdout, i18n.F("On the station: shipdesk daemon --relay %s --relay-token TOKEN (or Settings, Tracking and exceptions: Push relay address, Relay token)", public))
	fmt.Fprintln(stdout, token)
	return nil
}

func adminAdd(ctx context.Context, admin, name string) (string, error) {
	u := "http://" + admin + relay.PathAdmin + "?" + url.Values{"name": {name}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, nil)
	if err != nil {
		return "", err
	}
	resp, err := adminClient().Do(req)
	if err != nil {
		return "", fmt.Errorf("reach the running relay's admin endpoint %s: %w", admin, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode == http.StatusBadRequest {
		msg := strings.TrimSpace(string(raw))
		if strings.Contains(msg, relay.ErrBadName.Error()) {
			return "", relay.ErrBadName
		}
		return "", errors.New(msg)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("relay admin: %s: %s", resp.Status, strings.TrimSpace(string(raw)))
	}
	var v struct{ Token string }
	if err := json.Unmarshal(raw, &v); err != nil || v.Token == "" {
		return "", fmt.Errorf("relay admin: unreadable reply")
	}
	return v.Token, nil
}

func runRelayStations(ctx context.Context, g *globals, args []string, stdout io.Writer) error {
	fs := newFlagSet("relay stations")
	asJSON := fs.Bool("json", false, "JSON output")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	var list []relay.StationInfo
	path := filepath.Join(g.DataDir, relayDBFile)
	if _, err := os.Stat(path); err == nil {
		db, err := relay.OpenDB(path)
		switch {
		case err == nil:
			list, err = db.Stations()
			db.Close()
		case errors.Is(err, relay.ErrLocked):
			info, ok := runningRelay(g.DataDir)
			if !ok {
				return errRelayInUse(g.DataDir)
			}
			list, err = adminList(ctx, info.Admin)
		}
		if err != nil {
			return err
		}
	} // no relay file yet: no stations
	if list == nil {
		list = []relay.StationInfo{}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	rows := [][]string{header(i18n.N("STATION"), i18n.N("WAITING"), i18n.N("OLDEST WAITING"), i18n.N("RECEIVED"), i18n.N("APPLIED"),
		i18n.N("FORGED"), i18n.N("UNKNOWN"), i18n.N("REFUSED (FULL)"))}
	for _, s := range list {
		oldest := "-"
		if !s.Oldest.IsZero() {
			oldest = s.Oldest.In(clinicTime).Format("2006-01-02 15:04")
		}
		rows = append(rows, []string{s.Name, fmt.Sprint(s.Waiting), oldest, fmt.Sprint(s.Received), fmt.Sprint(s.Applied),
			fmt.Sprint(s.Forged), fmt.Sprint(s.Unknown), fmt.Sprint(s.Refused)})
	}
	return writeTable(stdout, rows)
}

func adminList(ctx context.Context, admin string) ([]relay.StationInfo, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+admin+relay.PathAdmin, nil)
	if err != nil {
		return nil, err
	}
	resp, err := adminClient().Do(req)
	if err != nil {
		return nil, fmt.Errorf("reach the running relay's admin endpoint %s: %w", admin, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("relay admin: %s", resp.Status)
	}
	var list []relay.StationInfo
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		return nil, fmt.Errorf("relay admin: unreadable reply: %w", err)
	}
	return list, nil
}

// configureRelay decides whether the station takes its pushes from a
// relay: --relay and --relay-token (remembered: the URL in the settings,
// the token in the data folder's owner-only relay-secret.json), else the
// remembered ones. Explicit --push-listen/--push-url flags switch a
// remembered relay off. It returns the callback URL the subscriptions
// carry, or "" for no relay.
func (rt *wiring) configureRelay(ctx context.Context, dataDir string, st *store.Settings) (string, error) {
	o := rt.opt
	if (o.RelayURL == "") != (o.RelayToken == "") {
		return "", usagef(i18n.N("--relay and --relay-token go together"))
	}
	if o.RelayURL != "" && (o.PushListen != "" || o.PushURL != "") {
		return "", usagef(i18n.N("choose --relay (pushes through a relay) or --push-listen/--push-url (pushes straight to this PC), not both"))
	}
	url, token := o.RelayURL, o.RelayToken
	switch {
	case url != "":
		if _, err := relay.CallbackURL(url, token); err != nil {
			return "", usagef(i18n.N("--relay %q: give the relay's address, https://HOST[:PORT], and the station's token from shipdesk relay add-station"), url)
		}
		url = strings.TrimRight(strings.TrimSpace(url), "/")
		if err := store.SaveRelayToken(dataDir, strings.TrimSpace(token)); err != nil {
			return "", err
		}
		if st.Tracking.RelayURL != url {
			st.Tracking.RelayURL = url
			if err := rt.DB.SaveSettings(ctx, *st); err != nil {
				return "", fmt.Errorf("remember relay address: %w", err)
			}
		}
	case o.PushListen != "" || o.PushURL != "":
		if st.Tracking.RelayURL != "" {
			st.Tracking.RelayURL = ""
			if err := rt.DB.SaveSettings(ctx, *st); err != nil {
				return "", fmt.Errorf("forget relay address: %w", err)
			}
		}
		return "", nil
	default:
		url = st.Tracking.RelayURL
		if url == "" {
			return "", nil
		}
		var err error
		if token, err = store.LoadRelayToken(dataDir); err != nil {
			return "", err
		}
		if token == "" {
			rt.logf("shipdesk: a push relay is set (%s) but this station has no relay token: not using it; give it in the settings or with shipdesk daemon --relay %s --relay-token TOKEN", url, url)
			return "", nil
		}
	}
	cb, err := relay.CallbackURL(url, token)
	if err != nil {
		// Remembered settings that do not work must not stop the app.
		rt.logf("shipdesk: push relay %s not used: %v", url, err)
		return "", nil
	}
	rt.relayURL, rt.relayToken = url, strings.TrimSpace(token)
	return cb, nil
}

// errRelayInUse: the relay's database is held (by a running relay) but no
// running relay left its admin address.
func errRelayInUse(dataDir string) error {
	path := filepath.Join(dataDir, relayInfoFile)
	return i18n.Wrap(fmt.Errorf("relay database in use, no %s", path),
		"The relay's database is in use, but no running relay's admin address is in %s: stop the other program using the data folder, or restart the relay.", path)
}
