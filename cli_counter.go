package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"shipdesk/assets/i18n"
	"shipdesk/shipping"
	"shipdesk/store"
)

// The counter's day on the command line: returning patients, the
// courier's pickup and the end-of-day sheet (issue 14). The rules are
// shipping's, the same the screens follow.

// recipientJSON is one element of `patients --phone P --json`.
type recipientJSON struct {
	Name        string    `json:"name"`
	Phone       string    `json:"phone"`
	Address     string    `json:"address"`
	Province    string    `json:"province,omitempty"`
	City        string    `json:"city,omitempty"`
	District    string    `json:"district,omitempty"`
	Reference   string    `json:"reference,omitempty"`
	Waybill     string    `json:"waybill"`
	LastShipped time.Time `json:"lastShipped"`
	Count       int       `json:"count"`
}

func runPatients(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "forget" {
		return runPatientsForget(ctx, g, args[1:], stdout)
	}
	fs := newFlagSet("patients")
	phone := fs.String("phone", "", "the patient's phone number")
	query := fs.String("find", "", "a name or the clinic's order number instead of a phone")
	asJSON := fs.Bool("json", false, "JSON output")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	q := *phone
	if q == "" {
		q = *query
	}
	if q == "" || (*phone != "" && *query != "") {
		return usagef(i18n.N("patients needs --phone PHONE (or --find NAME|REF, the clinic's order number), or: patients forget PHONE"))
	}
	return withCounter(ctx, g, func(ctx context.Context, svc *shipping.Service) error {
		list, err := svc.Recipients(ctx, cliUser(), q, 50)
		if err != nil {
			return err
		}
		if *asJSON {
			out := make([]recipientJSON, 0, len(list))
			for _, r := range list {
				out = append(out, recipientJSON(r))
			}
			return writeJSON(stdout, out)
		}
		if len(list) == 0 {
			fmt.Fprintln(stdout, i18n.T("No earlier recipients found for this patient."))
			return nil
		}
		rows := [][]string{header(i18n.N("NAME"), i18n.N("PHONE"), i18n.N("ADDRESS"), i18n.N("REFERENCE"), i18n.N("LAST WAYBILL"), i18n.N("LAST SHIPPED"), i18n.N("PARCELS"))}
		for _, r := range list {
			rows = append(rows, []string{r.Name, r.Phone, r.Address, dash(r.Reference), r.Waybill,
				r.LastShipped.In(clinicTime).Format("2006-01-02 15:04"), fmt.Sprint(r.Count)})
		}
		return writeTable(stdout, rows)
	})
}

func runPatientsForget(ctx context.Context, g *globals, args []string, stdout io.Writer) error {
	fs := newFlagSet("patients forget")
	asJSON := fs.Bool("json", false, "JSON output")
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		return flagUsage(err)
	}
	if len(rest) != 1 {
		return usagef(i18n.N("patients forget needs exactly one PHONE"))
	}
	return withCounter(ctx, g, func(ctx context.Context, svc *shipping.Service) error {
		res, err := svc.Forget(ctx, cliUser(), rest[0])
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(stdout, res)
		}
		fmt.Fprintln(stdout, i18n.F("Deleted the data of %s: %d shipments, %d orders, %d SMS and %d print jobs are masked.",
			store.MaskPhone(rest[0]), res.Shipments, res.Orders, res.SMS, res.PrintJobs))
		return nil
	})
}

// withCounter runs fn with a shipping service over the station's store, for
// the commands that need neither Kuaidi100 nor a printer.
func withCounter(ctx context.Context, g *globals, fn func(ctx context.Context, svc *shipping.Service) error) error {
	db, err := store.Open(filepath.Join(g.DataDir, "shipdesk.db"), store.Options{Location: clinicTime})
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(ctx, shipping.New(shipping.Deps{DB: db, Logf: func(string, ...any) {}}))
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// handoverFile is where the command line keeps the pickup in progress
// between `handover start`, `scan` and `finish`.
func handoverFile(g *globals) string { return filepath.Join(g.DataDir, "handover.json") }

func loadHandover(g *globals) (*shipping.Handover, error) {
	b, err := os.ReadFile(handoverFile(g))
	if errors.Is(err, os.ErrNotExist) {
		return nil, i18n.Wrap(errors.New("no handover in progress"), "No handover is in progress: start one with shipdesk handover start CARRIER.")
	}
	if err != nil {
		return nil, fmt.Errorf("read handover: %w", err)
	}
	var h shipping.Handover
	if err := json.Unmarshal(b, &h); err != nil {
		return nil, fmt.Errorf("read handover %s: %w", handoverFile(g), err)
	}
	return &h, nil
}

func saveHandover(g *globals, h *shipping.Handover) error {
	b, err := json.MarshalIndent(h, "", "  ")
	if err != nil {
		return fmt.Errorf("save handover: %w", err)
	}
	tmp := handoverFile(g) + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("save handover: %w", err)
	}
	if err := os.Rename(tmp, handoverFile(g)); err != nil {
		return fmt.Errorf("save handover: %w", err)
	}
	return nil
}

// handoverJSON is the --json output of handover start, scan and finish.
type handoverJSON struct {
	ID          string                    `json:"id"`
	Carrier     string                    `json:"carrier"`
	CarrierName string                    `json:"carrierName"`
	Courier     string                    `json:"courier,omitempty"`
	Expected    int                       `json:"expected"`
	Scanned     []shipping.HandoverParcel `json:"scanned"`
	Missing     []shipping.HandoverParcel `json:"missing"`
	Scans       []shipping.ScanResult     `json:"scans,omitempty"`
	FinishedAt  time.Time                 `json:"finishedAt,omitzero"`
	PDF         string                    `json:"pdf,omitempty"`
}

func toHandoverJSON(h *shipping.Handover) handoverJSON {
	out := handoverJSON{ID: h.ID, Carrier: h.Carrier, CarrierName: h.CarrierName, Courier: h.Courier,
		Expected: len(h.Expected), Scanned: h.Scanned, Missing: h.Missing(), FinishedAt: h.FinishedAt}
	if out.Missing == nil {
		out.Missing = []shipping.HandoverParcel{}
	}
	return out
}

func runHandover(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef(i18n.N("handover needs a subcommand: start CARRIER [--courier NAME], scan WAYBILL..., finish --pdf FILE, or status"))
	}
	switch args[0] {
	case "start":
		return runHandoverStart(ctx, g, args[1:], stdout)
	case "scan":
		return runHandoverScan(ctx, g, args[1:], stdout)
	case "finish":
		return runHandoverFinish(ctx, g, args[1:], stdout)
	case "status":
		return runHandoverStatus(g, args[1:], stdout)
	case "-h", "--help", "-help":
		return flag.ErrHelp
	}
	return usagef(i18n.N("unknown handover subcommand %q (want start, scan, finish or status)"), args[0])
}

func runHandoverStart(ctx context.Context, g *globals, args []string, stdout io.Writer) error {
	fs := newFlagSet("handover start")
	courier := fs.String("courier", "", "the courier's name, for the handover sheet")
	restart := fs.Bool("restart", false, "drop an unfinished handover and start again")
	asJSON := fs.Bool("json", false, "JSON output")
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		return flagUsage(err)
	}
	if len(rest) != 1 {
		return usagef(i18n.N("handover start needs exactly one CARRIER (a Kuaidi100 code such as zhongtong)"))
	}
	if old, err := loadHandover(g); err == nil && old.FinishedAt.IsZero() && !*restart {
		return i18n.Wrap(fmt.Errorf("handover %s is not finished", old.ID), "Handover %s (%s, %d scanned) is not finished: finish it with shipdesk handover finish --pdf FILE, or start again with --restart.", old.ID, old.CarrierName, len(old.Scanned))
	}
	return withCounter(ctx, g, func(ctx context.Context, svc *shipping.Service) error {
		h, err := svc.StartHandover(ctx, cliUser(), rest[0], *courier)
		if err != nil {
			return err
		}
		if err := saveHandover(g, h); err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(stdout, toHandoverJSON(h))
		}
		fmt.Fprintln(stdout, i18n.F("Handover %s: %d %s parcels printed today wait for the courier. Scan them: shipdesk handover scan WAYBILL...", h.ID, len(h.Expected), h.CarrierName))
		return nil
	})
}

func runHandoverScan(ctx context.Context, g *globals, args []string, stdout io.Writer) error {
	fs := newFlagSet("handover scan")
	asJSON := fs.Bool("json", false, "JSON output")
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		return flagUsage(err)
	}
	if len(rest) == 0 {
		return usagef(i18n.N("handover scan needs at least one WAYBILL"))
	}
	h, err := loadHandover(g)
	if err != nil {
		return err
	}
	return withCounter(ctx, g, func(ctx context.Context, svc *shipping.Service) error {
		var scans []shipping.ScanResult
		warned := 0
		for _, code := range rest {
			r, err := svc.ScanHandover(ctx, cliUser(), h, code)
			if err != nil {
				return err
			}
			scans = append(scans, r)
			if r.Outcome.Warn() {
				warned++
			}
		}
		if err := saveHandover(g, h); err != nil {
			return err
		}
		if *asJSON {
			out := toHandoverJSON(h)
			out.Scans = scans
			if err := writeJSON(stdout, out); err != nil {
				return err
			}
		} else {
			for _, r := range scans {
				fmt.Fprintf(stdout, "%-13s %s\n", r.Outcome, r.Message)
			}
			fmt.Fprintln(stdout, i18n.F("%d scanned, %d still missing.", len(h.Scanned), len(h.Missing())))
		}
		if warned > 0 {
			return i18n.Wrap(fmt.Errorf("%d parcels kept back", warned), "%d parcels cannot be handed over: keep them back and check them.", warned)
		}
		return nil
	})
}

func runHandoverFinish(ctx context.Context, g *globals, args []string, stdout io.Writer) error {
	fs := newFlagSet("handover finish")
	pdf := fs.String("pdf", "", "write the handover sheet here")
	asJSON := fs.Bool("json", false, "JSON output")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *pdf == "" {
		return usagef(i18n.N("handover finish needs --pdf FILE for the handover sheet"))
	}
	h, err := loadHandover(g)
	if err != nil {
		return err
	}
	return withCounter(ctx, g, func(ctx context.Context, svc *shipping.Service) error {
		if h.FinishedAt.IsZero() {
			if err := svc.FinishHandover(ctx, cliUser(), h); err != nil {
				return err
			}
			if err := saveHandover(g, h); err != nil {
				return err
			}
		}
		var buf bytes.Buffer
		if err := svc.WriteHandoverPDF(cliUser(), h, &buf); err != nil {
			return err
		}
		if err := os.WriteFile(*pdf, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", *pdf, err)
		}
		if err := os.Remove(handoverFile(g)); err != nil {
			return i18n.Wrap(err, "The handover is finished and its sheet written, but its file in the data folder could not be removed: delete handover.json there.")
		}
		if *asJSON {
			out := toHandoverJSON(h)
			out.PDF = *pdf
			return writeJSON(stdout, out)
		}
		line := i18n.F("Handover sheet %s: %d %s parcels, written to %s.", h.ID, len(h.Scanned), h.CarrierName, *pdf)
		if m := len(h.Missing()); m > 0 {
			line += i18n.F(" %d printed parcels were not handed over.", m)
		}
		fmt.Fprintln(stdout, line)
		return nil
	})
}

func runHandoverStatus(g *globals, args []string, stdout io.Writer) error {
	fs := newFlagSet("handover status")
	asJSON := fs.Bool("json", false, "JSON output")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	h, err := loadHandover(g)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, toHandoverJSON(h))
	}
	fmt.Fprintln(stdout, i18n.F("Handover %s: %s, %d scanned, %d still missing.", h.ID, h.CarrierName, len(h.Scanned), len(h.Missing())))
	for _, p := range h.Missing() {
		fmt.Fprintf(stdout, "  %s %s  %s\n", i18n.T("not scanned"), p.Waybill, p.City)
	}
	return nil
}

func runReport(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef(i18n.N("report needs a subcommand: day [--date YYYY-MM-DD] --pdf FILE | --csv FILE, or costs [--months N] [--csv FILE]"))
	}
	switch args[0] {
	case "day":
		return runReportDay(ctx, g, args[1:], stdout)
	case "costs":
		return runReportCosts(ctx, g, args[1:], stdout)
	case "-h", "--help", "-help":
		return flag.ErrHelp
	}
	return usagef(i18n.N("unknown report subcommand %q (want day or costs)"), args[0])
}

func runReportDay(ctx context.Context, g *globals, args []string, stdout io.Writer) error {
	fs := newFlagSet("report day")
	date := fs.String("date", "", "the day, YYYY-MM-DD in China time (default today)")
	pdf := fs.String("pdf", "", "write the sheet as PDF here")
	csvOut := fs.String("csv", "", "write the sheet as CSV here")
	asJSON := fs.Bool("json", false, "also print the figures as JSON")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *pdf == "" && *csvOut == "" && !*asJSON {
		return usagef(i18n.N("report day needs --pdf FILE, --csv FILE or --json"))
	}
	day := time.Now()
	if *date != "" {
		d, err := time.ParseInLocation("2006-01-02", *date, shipping.ClinicTime)
		if err != nil {
			return usagef(i18n.N("--date %q: give the day as YYYY-MM-DD"), *date)
		}
		day = d
	}
	return withCounter(ctx, g, func(ctx context.Context, svc *shipping.Service) error {
		r, err := svc.DayReport(ctx, cliUser(), day)
		if err != nil {
			return err
		}
		for _, out := range []struct {
			path  string
			write func(io.Writer, shipping.DayReport) error
		}{{*pdf, shipping.WriteDayPDF}, {*csvOut, shipping.WriteDayCSV}} {
			if out.path == "" {
				continue
			}
			var buf bytes.Buffer
			if err := out.write(&buf, r); err != nil {
				return err
			}
			if err := os.WriteFile(out.path, buf.Bytes(), 0o644); err != nil {
				return fmt.Errorf("write %s: %w", out.path, err)
			}
		}
		if *asJSON {
			return writeJSON(stdout, r)
		}
		fmt.Fprintln(stdout, i18n.F("%s: %d shipped, %d handed over, %d cancelled, %d reprints, waybills %.2f yuan, %d SMS %.2f yuan.",
			r.Date, r.Total.Shipped, r.Total.HandedOver, r.Total.Cancelled, r.Total.Reprinted,
			float64(r.Total.WaybillFen)/100, r.Total.SMS, float64(r.Total.SMSFen)/100))
		return nil
	})
}

func runReportCosts(ctx context.Context, g *globals, args []string, stdout io.Writer) error {
	fs := newFlagSet("report costs")
	months := fs.Int("months", 6, "how many months, ending with this one")
	csvOut := fs.String("csv", "", "write the costs as CSV here")
	asJSON := fs.Bool("json", false, "JSON output")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *months < 1 || *months > 120 {
		return usagef(i18n.N("--months %d: give 1 to 120"), *months)
	}
	return withCounter(ctx, g, func(ctx context.Context, svc *shipping.Service) error {
		lines, err := svc.Costs(ctx, cliUser(), *months)
		if err != nil {
			return err
		}
		if *csvOut != "" {
			var buf bytes.Buffer
			if err := shipping.WriteCostsCSV(&buf, lines); err != nil {
				return err
			}
			if err := os.WriteFile(*csvOut, buf.Bytes(), 0o644); err != nil {
				return fmt.Errorf("write %s: %w", *csvOut, err)
			}
		}
		if *asJSON {
			return writeJSON(stdout, lines)
		}
		rows := [][]string{header(i18n.N("MONTH"), i18n.N("CARRIER"), i18n.N("WAYBILLS"), i18n.N("WAYBILL YUAN"), i18n.N("SMS"), i18n.N("SMS YUAN"))}
		for _, l := range lines {
			rows = append(rows, []string{l.Month, l.CarrierName, fmt.Sprint(l.Waybills), fmt.Sprintf("%.2f", float64(l.WaybillFen)/100),
				fmt.Sprint(l.SMS), fmt.Sprintf("%.2f", float64(l.SMSFen)/100)})
		}
		return writeTable(stdout, rows)
	})
}
