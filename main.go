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
	"shipdesk/shipping"
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
	summary string
	run     func(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error
}

// usageError marks a mistake in how the command was called.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// commands is the whole command-line grammar (DESIGN.md §4).
var commands = []command{
	{"sandbox", "--addr 127.0.0.1:8100 [--speed N] [--seed N] [--state FILE] [-v]", "run the Kuaidi100 sandbox alone", runSandbox},
	{"detect", "NUMBER [--json]", "carrier candidates for a waybill number", runDetect},
	{"track", "NUMBER [--carrier CODE] [--phone LAST4] [--json]", "one real-time query, normalised", runTrack},
	{"label", "[order flags | --order FILE.json] --format png|tspl|zpl [--size 76x130|100x150|100x180] [--dpi 203|300] [--full-phone] --out FILE", "render a label (PNG preview, or printer bytes)", runLabel},
	{"render", "FILE.prn --out FILE.png [--format tspl|zpl] [--dpi 203|300]", "the virtual printer: printer bytes -> picture", runRender},
	{"print", "--printer URI [--lang tspl|zpl] [--size S] [--dpi D] (FILE.prn | order flags)", "send a job through a real transport", runPrint},
	{"printers", "[--json]", "discovered and configured printers, with status", runPrinters},
	{"order", "create --order FILE.json [--print URI] [--json] | resume ORDER-ID [--print URI]", "the whole workflow without the GUI", runOrder},
	{"shipments", "[--state S] [--limit N] [--json]", "list stored shipments", runShipments},
	{"account", "set CARRIER [--partner-id S] [--partner-key S] [--partner-secret S] [--partner-name S] [--net S] [--code S] [--check-man S] [--tb-net S] [--product S] [--pay-type SHIPPER|CONSIGNEE|MONTHLY|THIRDPARTY] [--template own|carrier] | list [--json] | remove CARRIER", "the clinic's carrier e-waybill accounts", runAccount},
	{"cancel", "WAYBILL --reason TEXT", "cancel a waybill before pickup", runCancel},
	{"daemon", "[--push-listen ADDR --push-url URL | --relay URL --relay-token TOKEN]", "the background worker without the GUI", runDaemon},
	{"relay", "--listen ADDR [--public-url URL] [--tls-cert F --tls-key F] [--admin ADDR] | add-station NAME | stations [--json]", "the always-on push relay for stations behind NAT", runRelay},
	{"handover", "start CARRIER [--courier NAME] [--restart] | scan WAYBILL... | finish --pdf FILE | status [--json]", "the courier's pickup and its 交接单", runHandover},
	{"report", "day [--date YYYY-MM-DD] --pdf FILE | --csv FILE [--json] | costs [--months N] [--csv FILE] [--json]", "the end-of-day sheet and the monthly costs", runReport},
	{"patients", "--phone PHONE [--json] | --find NAME|配镜单号 [--json] | forget PHONE [--json]", "returning patients' earlier recipients; delete a patient's data", runPatients},
	{"db", "migrate --from FILE.db --to postgres://... | check", "move a station to a shared PostgreSQL store / verify a store", runDB},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run parses the global flags, dispatches, and maps the outcome to an exit
// status: 0 success, 1 failure, 2 bad usage.
func run(ctx context.Context, argv []string, stdout, stderr io.Writer) int {
	g, rest, err := parseGlobals(argv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		printUsage(stdout)
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "shipdesk:", err)
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
				fmt.Fprintf(stdout, "usage: shipdesk %s %s\n      %s\n", c.name, c.args, c.summary)
				return 0
			}
			return exitCode(err, name, stderr)
		}
	}
	fmt.Fprintf(stderr, "shipdesk: unknown command %q\n", name)
	printUsage(stderr)
	return 2
}

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
		fmt.Fprintf(stderr, "%s: %s (see shipdesk --help)\n", prefix, ue.msg)
		return 2
	}
	msg := err.Error()
	// The sentence saying what to do (in the settings' language, Chinese
	// by default) first, the English detail after it.
	if s, ok := shipping.Sentence(err); ok && !strings.Contains(msg, s) {
		msg = s + " (" + msg + ")"
	}
	fmt.Fprintf(stderr, "%s: %s\n", prefix, oneLine(msg))
	return 1
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
		if a == "-h" || a == "--help" || a == "-help" {
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
				return nil, nil, fmt.Errorf("flag --%s needs a value", name)
			}
			if err := fs.Parse(argv[:n]); err != nil {
				return nil, nil, err
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
		return nil, nil, errors.New("--sandbox and --api-base exclude each other")
	}
	return g, rest, nil
}

func defaultDataDir() (string, error) {
	if d := os.Getenv("SHIPDESK_DATA_DIR"); d != "" {
		return d, nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no per-user config folder (%v); pass --data-dir DIR", err)
	}
	return filepath.Join(base, "shipdesk"), nil
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, `shipdesk — 发货台: e-waybills, thermal labels and parcel tracking for the shipping desk

Usage:
  shipdesk [--data-dir DIR] [--sandbox | --api-base URL]          open the desktop app
`)
	for _, c := range commands {
		line := "  shipdesk " + c.name + " " + c.args
		fmt.Fprintf(w, "%s\n      %s\n", line, c.summary)
	}
	fmt.Fprint(w, `
Global flags (before or after the command):
  --data-dir DIR    data folder (default: the per-user config folder + /shipdesk, or $SHIPDESK_DATA_DIR)
  --sandbox         start the built-in Kuaidi100 sandbox in-process and use it
  --api-base URL    send every Kuaidi100 call to one base URL (e.g. a running 'shipdesk sandbox')
  --db DSN          share a PostgreSQL store with other stations: postgres://user@host:5432/shipdesk?sslmode=verify-full
                    (or $SHIPDESK_DB; remembered; 'bbolt' returns to the file in the data folder)
  --station NAME    this PC's name on a shared store (or $SHIPDESK_STATION; default: the host name)

Order flags (label, print):
  --order FILE.json | --waybill N --carrier CODE --to-name S --to-phone S --to-addr S
  --from-name S --from-phone S --from-addr S --items S --remark S --reference S

Printer URIs:
  usb://  usb://VID:PID[?serial=S]  serial:///dev/ttyUSB0?baud=115200  tcp://HOST[:9100]
  file:///path/out.prn  virtual:///dir

Credentials: KUAIDI100_KEY KUAIDI100_CUSTOMER KUAIDI100_SECRET KUAIDI100_USERID KUAIDI100_SMS_SELLER
(the environment wins over the settings). Exit status: 0 ok, 1 failure, 2 bad usage.
`)
}
