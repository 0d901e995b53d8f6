// Command shipdesk is the shipping desk of an optical centre: it issues
// Kuaidi100 e-waybills, prints thermal labels, tracks parcels and notifies
// patients. With no subcommand it opens the desktop app.
//
// main.go holds the dispatch and the global flags only; each subcommand lives
// in a cli_*.go file beside it and calls the packages that do the work.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"shipdesk/assets/i18n"
	"shipdesk/shipping"
	"slices"
	"strings"
	"syscall"
)

// globals are the flags accepted before (or instead of) a subcommand.
type globals struct {
	DataDir string // where the database, secrets and logs live
	Sandbox bool   // start the in-process sandbox and use it
	APIBase string // send every Kuaidi100 call to this base URL
	DB      string // --db: postgres://... (a shared store) or bbolt; "" = as remembered (cli_db.go)
	Station string // --station: this PC's name on a shared store
}

// command runs one subcommand. It returns a *usageError for bad usage (exit
// 2) and any other error for failure (exit 1, one line on stderr).
type command struct {
	name    string
	args    string // the grammar after the name
	summary string // a catalogue key
	run     func(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error
}

// usageError marks a mistake in how the command was called: Key is the
// catalogue key of the sentence saying what to fix (English, the text of
// Error), Args fill its fmt verbs.
type usageError struct {
	key  string
	args []any
}

func (e *usageError) Error() string { return english(e.key, e.args...) }

// Text is the sentence in the language in use.
func (e *usageError) Text() string { return i18n.F(e.key, e.args...) }

// usagef returns a usage error (exit 2). key is a catalogue key: mark it
// with i18n.N at the call, so the catalogue tests find it.
func usagef(key string, a ...any) error { return &usageError{key, a} }

// english formats a catalogue key as the English text it is.
func english(key string, a ...any) string {
	if len(a) == 0 {
		return key
	}
	return fmt.Sprintf(key, a...)
}

// nextStep is a failure with what a person does next (key, in the language
// in use, after the failure's own sentence): the order that is kept for
// resuming, the print job kept for retrying.
type nextStep struct {
	err  error
	key  string
	args []any
}

// withNextStep adds the sentence key (a catalogue key, marked with i18n.N)
// to err.
func withNextStep(err error, key string, a ...any) error { return &nextStep{err, key, a} }

func (e *nextStep) Error() string { return e.err.Error() + " (" + english(e.key, e.args...) + ")" }
func (e *nextStep) Unwrap() error { return e.err }

// commands is the whole command-line grammar (DESIGN.md §4).
var commands = []command{
	{"sandbox", "--addr 127.0.0.1:8100 [--speed N] [--seed N] [--state FILE] [-v]", i18n.N("run the Kuaidi100 sandbox alone"), runSandbox},
	{"detect", "NUMBER [--json]", i18n.N("carrier candidates for a waybill number"), runDetect},
	{"track", "NUMBER [--carrier CODE] [--phone LAST4] [--json]", i18n.N("one real-time query, normalised"), runTrack},
	{"label", "[order flags | --order FILE.json] --format png|tspl|zpl [--size 76x130|100x150|100x180] [--dpi 203|300] [--full-phone] --out FILE", i18n.N("render a label (PNG preview, or printer bytes)"), runLabel},
	{"render", "FILE.prn --out FILE.png [--format tspl|zpl] [--dpi 203|300]", i18n.N("the virtual printer: printer bytes -> picture"), runRender},
	{"print", "--printer URI [--lang tspl|zpl] [--size S] [--dpi D] (FILE.prn | order flags)", i18n.N("send a job through a real transport"), runPrint},
	{"printers", "[--json]", i18n.N("discovered and configured printers, with status"), runPrinters},
	{"order", "create --order FILE.json [--print URI] [--json] | resume ORDER-ID [--print URI]", i18n.N("the whole workflow without the GUI"), runOrder},
	{"shipments", "[--state S] [--limit N] [--json]", i18n.N("list stored shipments"), runShipments},
	{"account", "set CARRIER [--partner-id S] [--partner-key S] [--partner-secret S] [--partner-name S] [--net S] [--code S] [--check-man S] [--tb-net S] [--product S] [--pay-type SHIPPER|CONSIGNEE|MONTHLY|THIRDPARTY] [--template own|carrier] | list [--json] | remove CARRIER", i18n.N("the clinic's carrier e-waybill accounts"), runAccount},
	{"cancel", "WAYBILL --reason TEXT", i18n.N("cancel a waybill before pickup"), runCancel},
	{"daemon", "[--push-listen ADDR --push-url URL | --relay URL --relay-token TOKEN]", i18n.N("the background worker without the GUI"), runDaemon},
	{"relay", "--listen ADDR [--public-url URL] [--tls-cert F --tls-key F] [--admin ADDR] | add-station NAME | stations [--json]", i18n.N("the always-on push relay for stations behind NAT"), runRelay},
	{"handover", "start CARRIER [--courier NAME] [--restart] | scan WAYBILL... | finish --pdf FILE | status [--json]", i18n.N("the courier's pickup and its handover sheet"), runHandover},
	{"report", "day [--date YYYY-MM-DD] --pdf FILE | --csv FILE [--json] | costs [--months N] [--csv FILE] [--json]", i18n.N("the end-of-day sheet and the monthly costs"), runReport},
	{"patients", "--phone PHONE [--json] | --find NAME|REF [--json] | forget PHONE [--json]", i18n.N("returning patients' earlier recipients; delete a patient's data"), runPatients},
	{"db", "migrate --from FILE.db --to postgres://... | check", i18n.N("move a station to a shared PostgreSQL store / verify a store"), runDB},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run parses the global flags, dispatches, and maps the outcome to an exit
// status: 0 success, 1 failure, 2 bad usage. Every line it and the
// subcommands print for people is in the station's language (cli_lang.go).
func run(ctx context.Context, argv []string, stdout, stderr io.Writer) int {
	g, rest, err := parseGlobals(argv, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		// --help: in the language of the station the other flags name.
		hg, _, herr := parseGlobals(slices.DeleteFunc(slices.Clone(argv), isHelpFlag), stderr)
		if herr != nil {
			hg = nil
		}
		speakStationLanguage(ctx, hg)
		printUsage(stdout)
		return 0
	case len(rest) > 0 || err != nil:
		speakStationLanguage(ctx, g)
	default:
		speakStationLanguage(ctx, nil) // the GUI follows its settings itself
	}
	if err != nil {
		exitCode(err, "", stderr)
		printUsage(stderr)
		return 2
	}
	if len(rest) == 0 {
		err = runGUI(ctx, g, stdout, stderr)
		return exitCode(err, "", stderr)
	}
	name := rest[0]
	if name == "help" {
		printUsage(stdout)
		return 0
	}
	for _, c := range commands {
		if c.name == name {
			err := c.run(ctx, g, rest[1:], stdout, stderr)
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprintf(stdout, "%s\n      %s\n", i18n.F("usage: %s", "shipdesk "+c.name+" "+c.args), i18n.T(c.summary))
				return 0
			}
			return exitCode(err, name, stderr)
		}
	}
	exitCode(usagef(i18n.N("unknown command %q"), name), "", stderr)
	printUsage(stderr)
	return 2
}

// exitCode prints the one line of a failure and returns the exit status.
// A usage error says what to fix; any other failure says what to do, in
// the station's language, followed by the English detail for the log.
func exitCode(err error, name string, stderr io.Writer) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	prefix := "shipdesk"
	if name != "" {
		prefix += " " + name
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "%s: %s (%s)\n", prefix, oneLine(ue.Text()), i18n.T("see shipdesk --help"))
		return 2
	}
	fmt.Fprintf(stderr, "%s: %s\n", prefix, oneLine(failureLine(err)))
	return 1
}

// genericFailure is the sentence of a failure no table knows; the English
// detail follows it.
var genericFailure = i18n.N("It did not work")

// failureLine is the sentence saying what to do (shipping.Sentence, else
// the command line's own table, else a generic one), what to do next if
// the failure says, and the English detail after them unless the sentence
// already is the detail (the English UI).
func failureLine(err error) string {
	detail := err.Error()
	s, ok := shipping.Sentence(err)
	if !ok {
		s, ok = cliSentence(err)
	}
	if !ok {
		s = i18n.T(genericFailure)
	}
	var ns *nextStep
	if errors.As(err, &ns) {
		sep := " "
		if i18n.Language() == "zh" {
			sep = "" // Chinese sentences follow one another without a space
		}
		s += sep + i18n.F(ns.key, ns.args...)
		detail = ns.err.Error()
	}
	if strings.Contains(detail, s) {
		return detail
	}
	return s + " (" + detail + ")"
}

// oneLine keeps the failure message to the single line the contract promises.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// parseGlobals reads the global flags, which may also appear after the
// subcommand name; everything else is returned in order.
func parseGlobals(argv []string, stderr io.Writer) (*globals, []string, error) {
	g := &globals{}
	fs := flag.NewFlagSet("shipdesk", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&g.DataDir, "data-dir", "", "")
	fs.BoolVar(&g.Sandbox, "sandbox", false, "")
	fs.StringVar(&g.APIBase, "api-base", "", "")
	fs.StringVar(&g.DB, "db", "", "")
	fs.StringVar(&g.Station, "station", "", "")
	var rest []string
	for len(argv) > 0 {
		a := argv[0]
		if a == "--" {
			rest = append(rest, argv[1:]...)
			break
		}
		if isHelpFlag(a) {
			if len(rest) == 0 {
				return nil, nil, flag.ErrHelp
			}
			rest = append(rest, a)
			argv = argv[1:]
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && (name == "data-dir" || name == "sandbox" || name == "api-base" || name == "db" || name == "station") {
			n := 1
			if !hasValue && name != "sandbox" {
				n = 2
			}
			if n > len(argv) {
				return nil, nil, usagef(i18n.N("flag %s needs a value"), "--"+name)
			}
			if err := fs.Parse(argv[:n]); err != nil {
				return nil, nil, flagUsage(err)
			}
			argv = argv[n:]
			continue
		}
		rest = append(rest, a)
		argv = argv[1:]
	}
	if g.DataDir == "" {
		dir, err := defaultDataDir()
		if err != nil {
			return nil, nil, err
		}
		g.DataDir = dir
	}
	if g.Sandbox && g.APIBase != "" {
		return g, rest, usagef(i18n.N("--sandbox and --api-base exclude each other: give one of them"))
	}
	return g, rest, nil
}

func isHelpFlag(a string) bool { return a == "-h" || a == "--help" || a == "-help" }

func defaultDataDir() (string, error) {
	if d := os.Getenv("SHIPDESK_DATA_DIR"); d != "" {
		return d, nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", i18n.Wrap(err, "This computer has no per-user settings folder: give the data folder with --data-dir DIR.")
	}
	return filepath.Join(base, "shipdesk"), nil
}

// usageFlags are the global flags, order flags and printer addresses of
// --help, each with its description (a catalogue key).
var usageFlags = []struct{ flag, text string }{
	{"--data-dir DIR", i18n.N("data folder (default: the per-user config folder + /shipdesk, or $SHIPDESK_DATA_DIR)")},
	{"--sandbox", i18n.N("start the built-in Kuaidi100 sandbox in-process and use it")},
	{"--api-base URL", i18n.N("send every Kuaidi100 call to one base URL (e.g. a running 'shipdesk sandbox')")},
	{"--db DSN", i18n.N("share a PostgreSQL store with other stations: postgres://user@host:5432/shipdesk?sslmode=verify-full (or $SHIPDESK_DB; remembered; 'bbolt' returns to the file in the data folder)")},
	{"--station NAME", i18n.N("this PC's name on a shared store (or $SHIPDESK_STATION; default: the host name)")},
}

func printUsage(w io.Writer) {
	fmt.Fprintf(w, "shipdesk — 发货台: %s\n\n%s\n", i18n.T("e-waybills, thermal labels and parcel tracking for the shipping desk"), i18n.T("Usage:"))
	fmt.Fprintf(w, "  shipdesk [--data-dir DIR] [--sandbox | --api-base URL]\n      %s\n", i18n.T("open the desktop app"))
	for _, c := range commands {
		fmt.Fprintf(w, "  shipdesk %s %s\n      %s\n", c.name, c.args, i18n.T(c.summary))
	}
	fmt.Fprintf(w, "\n%s\n", i18n.T("Global flags (before or after the command):"))
	for _, f := range usageFlags {
		fmt.Fprintf(w, "  %-16s  %s\n", f.flag, i18n.T(f.text))
	}
	fmt.Fprintf(w, `
%s
  --order FILE.json | --waybill N --carrier CODE --to-name S --to-phone S --to-addr S
  --from-name S --from-phone S --from-addr S --items S --remark S --reference S

%s
  usb://  usb://VID:PID[?serial=S]  serial:///dev/ttyUSB0?baud=115200  tcp://HOST[:9100]
  file:///path/out.prn  virtual:///dir

%s KUAIDI100_KEY KUAIDI100_CUSTOMER KUAIDI100_SECRET KUAIDI100_USERID KUAIDI100_SMS_SELLER
%s
%s
`, i18n.T("Order flags (label, print):"), i18n.T("Printer URIs:"), i18n.T("Credentials:"),
		i18n.T("(the environment wins over the settings). Exit status: 0 ok, 1 failure, 2 bad usage."),
		i18n.F("Language: %s=zh|en, else the station's settings, else Chinese.", envLang))
}
