package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"shipdesk/assets/i18n"
	"shipdesk/printer"
	"shipdesk/printer/label"
	"shipdesk/shipping"
	"shipdesk/store"
)

// openCLIStore opens the database in the data folder for a printing
// command. The caller closes it.
func openCLIStore(ctx context.Context, g *globals) (store.Store, error) {
	db, _, err := openStore(ctx, g, nil, func(string, ...any) {})
	return db, err
}

// printFlags are the flags of shipdesk print.
type printFlags struct {
	printer  string
	lang     string
	size     string
	dpi      int
	order    orderFlags
	prnFiles []string
}

// runPrint sends one job through the persisted queue: FILE.prn as it is, or
// the e-waybill label built from the order flags. The job is stored before a
// byte is sent; a failure leaves it failed and retryable.
func runPrint(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	f, err := parsePrintFlags(args)
	if err != nil {
		return err
	}
	db, err := openCLIStore(ctx, g)
	if err != nil {
		return err
	}
	defer db.Close()
	q := printer.NewQueue(db, nil)
	if err := q.Recover(ctx); err != nil {
		return err
	}
	var job store.PrintJob
	if len(f.prnFiles) == 1 {
		job, err = fileJob(f.prnFiles[0])
	} else {
		job, err = buildOrderJob(ctx, db, q, &f, stderr)
	}
	if err != nil {
		return err
	}
	job.PrinterURI, job.Who = f.printer, cliUser().Name
	j, err := q.Submit(ctx, job)
	if err != nil {
		if j.ID == 0 {
			return err
		}
		return withNextStep(err, i18n.N("Print job %d is kept as failed: retry it from the print queue."), j.ID)
	}
	fmt.Fprintln(stdout, i18n.F("job %d sent: %d bytes to %s", j.ID, len(j.Data), j.PrinterURI))
	return nil
}

// parsePrintFlags reads and checks the flags of shipdesk print: a printer
// address, and one FILE.prn or order flags.
func parsePrintFlags(args []string) (printFlags, error) {
	var f printFlags
	fs := newFlagSet("print")
	fs.StringVar(&f.printer, "printer", "", "printer URI")
	fs.StringVar(&f.lang, "lang", "", "tspl or zpl (labels built from order flags)")
	fs.StringVar(&f.size, "size", "", "label size: 76x130, 100x150 or 100x180")
	fs.IntVar(&f.dpi, "dpi", 0, "203 or 300")
	f.order.register(fs)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return f, flagUsage(err)
	}
	f.prnFiles = pos
	if f.printer == "" {
		return f, usagef(i18n.N("--printer URI is required (e.g. --printer tcp://192.168.1.50 or --printer usb://)"))
	}
	if _, err := printer.ParseURI(f.printer); err != nil {
		return f, usagef(i18n.N("--printer %q: %s"), f.printer, printer.Describe(err))
	}
	if _, err := f.labelOptions(); err != nil {
		return f, err
	}
	switch {
	case len(pos) > 1:
		return f, usagef(i18n.N("print takes one FILE.prn, got %d"), len(pos))
	case len(pos) == 1 && f.order.given():
		return f, usagef(i18n.N("give FILE.prn or order flags, not both"))
	case len(pos) == 0 && !f.order.given():
		return f, usagef(i18n.N("give FILE.prn or order flags (--order FILE.json, or --waybill and --to-name ...)"))
	}
	return f, nil
}

// fileJob is the job of printer bytes in path, sent as they are.
func fileJob(path string) (store.PrintJob, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return store.PrintJob{}, i18n.Wrap(fmt.Errorf("read %s: %w", path, err), "%s cannot be read: check the path.", path)
	}
	if len(data) == 0 {
		return store.PrintJob{}, i18n.Wrap(errors.New("empty job"), "%s is empty: there is nothing to print.", path)
	}
	return store.PrintJob{Data: data, Format: printer.SniffLanguage(data).String()}, nil
}

// printerJSON is the stable --json shape of shipdesk printers (one element
// per printer).
type printerJSON struct {
	URI          string `json:"uri"`
	Name         string `json:"name"`
	Model        string `json:"model"`
	Manufacturer string `json:"manufacturer"`
	Language     string `json:"language"`
	Transport    string `json:"transport"`
	Driver       string `json:"driver,omitempty"` // Windows printers: driver name
	Port         string `json:"port,omitempty"`   // Windows printers: USB001, COM3, IP_...
	Status       string `json:"status"`
	StatusText   string `json:"statusText"`
	Configured   bool   `json:"configured"`
}

// runPrinters lists the configured printers (from the settings) and the
// discovered ones (USB printer-class devices, serial ports), with status.
// Discovered serial ports are not probed: sending bytes to an unknown port
// could disturb another device.
func runPrinters(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("printers")
	asJSON := fs.Bool("json", false, "JSON output")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}

	var profiles []store.PrinterProfile
	if db, err := openCLIStore(ctx, g); err != nil {
		fmt.Fprintf(stderr, "shipdesk printers: %s (%v)\n", i18n.T("The configured printers are not shown: the data folder's store cannot be opened."), err)
	} else {
		s, err := db.Settings(ctx)
		db.Close()
		if err != nil {
			return err
		}
		profiles = s.Printers
	}
	entries, derr := printer.Inventory(ctx, profiles)
	if derr != nil {
		fmt.Fprintf(stderr, "shipdesk printers: %s (%v)\n", i18n.T("Not every kind of printer could be looked for."), derr)
	}
	var list []printerJSON
	for _, e := range entries {
		list = append(list, printerJSON{URI: e.Profile.URI, Name: e.Profile.Name, Model: e.Model, Manufacturer: e.Manufacturer,
			Language: e.Profile.Language, Transport: e.Transport, Driver: e.Driver, Port: e.Port,
			Status: e.Status.String(), StatusText: e.Status.Text(), Configured: e.Configured})
	}
	if *asJSON {
		if list == nil {
			list = []printerJSON{}
		}
		return writeJSONOut(stdout, list)
	}
	if len(list) == 0 {
		fmt.Fprintln(stdout, i18n.T("No printers found or configured."))
		return nil
	}
	rows := [][]string{header(i18n.N("URI"), i18n.N("NAME"), i18n.N("LANGUAGE"), i18n.N("STATUS"), i18n.N("CONFIGURED"))}
	for _, r := range list {
		conf := ""
		if r.Configured {
			conf = i18n.T("yes")
		}
		rows = append(rows, []string{r.URI, dash(r.Name), dash(r.Language), r.Status + " (" + r.StatusText + ")", conf})
	}
	return writeTable(stdout, rows)
}

// buildOrderJob builds the e-waybill label of the order given by the flags
// through the service's one label job (shipping.Service.LabelJob: the same
// printer, size, resolution and language rules and the same bytes as the
// GUI's). Characters that print as boxes are named on stderr.
func buildOrderJob(ctx context.Context, db store.Store, q *printer.Queue, f *printFlags, stderr io.Writer) (store.PrintJob, error) {
	s, err := db.Settings(ctx)
	if err != nil {
		return store.PrintJob{}, err
	}
	o, err := f.order.load(s)
	if err != nil {
		return store.PrintJob{}, usageFrom(err)
	}
	if o.Waybill == "" {
		return store.PrintJob{}, usagef(i18n.N("a label needs a waybill number: give --waybill N (or use 'order create' to issue one)"))
	}
	opt, err := f.labelOptions()
	if err != nil {
		return store.PrintJob{}, err
	}
	svc := shipping.New(shipping.Deps{DB: db, Queue: q, Logf: func(string, ...any) {}})
	job, warnings, err := svc.LabelJob(ctx, o, opt)
	if err != nil {
		return store.PrintJob{}, err
	}
	warnGlyphs(stderr, "shipdesk print", warnings)
	return job, nil
}

// labelOptions checks --lang, --size and --dpi and turns them into the
// service's print options for --printer.
func (f *printFlags) labelOptions() (shipping.ShipOptions, error) {
	opt, err := printOptions(f.printer, f.size, f.dpi)
	if err != nil || f.lang == "" {
		return opt, err
	}
	lang, ok := printer.ParseLanguage(f.lang)
	if !ok {
		return opt, usagef(i18n.N("--lang must be tspl or zpl"))
	}
	opt.Language = lang
	return opt, nil
}

// printOptions checks a command's --size and --dpi (empty and 0: the
// settings decide) and returns the service's print options for printerURI.
func printOptions(printerURI, size string, dpi int) (shipping.ShipOptions, error) {
	opt := shipping.ShipOptions{PrinterURI: printerURI, DPI: dpi}
	if size != "" {
		z, err := label.ParseSize(size)
		if err != nil {
			return opt, usagef(i18n.N("--size %q: want 76x130, 100x150 or 100x180"), size)
		}
		opt.Size = z
	}
	if dpi != 0 {
		if err := label.CheckDPI(dpi); err != nil {
			return opt, usagef(i18n.N("--dpi %d: want 203 or 300"), dpi)
		}
	}
	return opt, nil
}
