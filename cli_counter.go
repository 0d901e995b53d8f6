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
	query := fs.String("find", "", "a name or 配镜单号 instead of a phone")
	asJSON := fs.Bool("json", false, "JSON output")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	q := *phone
	if q == "" {
		q = *query
	}
	if q == "" || (*phone != "" && *query != "") {
		return usagef("patients needs --phone PHONE (or --find NAME|配镜单号), or: patients forget PHONE")
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
			fmt.Fprintln(stdout, "没有找到这位患者的收件记录。")
			return nil
		}
		rows := [][]string{{"NAME", "PHONE", "ADDRESS", "REFERENCE", "LAST WAYBILL", "LAST SHIPPED", "PARCELS"}}
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
		return err
	}
	if len(rest) != 1 {
		return usagef("patients forget needs exactly one PHONE")
	}
	return withCounter(ctx, g, func(ctx context.Context, svc *shipping.Service) error {
		res, err := svc.Forget(ctx, cliUser(), rest[0])
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(stdout, res)
		}
		fmt.Fprintf(stdout, "已删除 %s 的资料：%d 个运单、%d 个订单、%d 条短信、%d 个打印任务已脱敏。\n",
			store.MaskPhone(rest[0]), res.Shipments, res.Orders, res.SMS, res.PrintJobs)
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
		return nil, errors.New("没有进行中的交接，请先运行 shipdesk handover start CARRIER")
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
		return usagef("handover needs a subcommand: start CARRIER [--courier NAME], scan WAYBILL..., finish --pdf FILE, or status")
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
	return usagef("unknown handover subcommand %q (want start, scan, finish or status)", args[0])
}

func runHandoverStart(ctx context.Context, g *globals, args []string, stdout io.Writer) error {
	fs := newFlagSet("handover start")
	courier := fs.String("courier", "", "the courier's name, for the 交接单")
	restart := fs.Bool("restart", false, "drop an unfinished handover and start again")
	asJSON := fs.Bool("json", false, "JSON output")
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("handover start needs exactly one CARRIER (a Kuaidi100 code such as zhongtong)")
	}
	if old, err := loadHandover(g); err == nil && old.FinishedAt.IsZero() && !*restart {
		return fmt.Errorf("已有未完成的交接 %s（%s，已扫 %d 件）：先 shipdesk handover finish --pdf FILE，或加 --restart 重新开始", old.ID, old.CarrierName, len(old.Scanned))
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
		fmt.Fprintf(stdout, "交接 %s：%s 今天已打印待交接 %d 件。扫描：shipdesk handover scan WAYBILL...\n", h.ID, h.CarrierName, len(h.Expected))
		return nil
	})
}

func runHandoverScan(ctx context.Context, g *globals, args []string, stdout io.Writer) error {
	fs := newFlagSet("handover scan")
	asJSON := fs.Bool("json", false, "JSON output")
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		return usagef("handover scan needs at least one WAYBILL")
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
			fmt.Fprintf(stdout, "已扫 %d 件，还差 %d 件。\n", len(h.Scanned), len(h.Missing()))
		}
		if warned > 0 {
			return fmt.Errorf("%d 件不能交接，请留下核对", warned)
		}
		return nil
	})
}

func runHandoverFinish(ctx context.Context, g *globals, args []string, stdout io.Writer) error {
	fs := newFlagSet("handover finish")
	pdf := fs.String("pdf", "", "write the 交接单 here")
	asJSON := fs.Bool("json", false, "JSON output")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *pdf == "" {
		return usagef("handover finish needs --pdf FILE for the 交接单")
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
			return fmt.Errorf("handover finished, but: %w", err)
		}
		if *asJSON {
			out := toHandoverJSON(h)
			out.PDF = *pdf
			return writeJSON(stdout, out)
		}
		fmt.Fprintf(stdout, "交接单 %s：%s %d 件，已写入 %s", h.ID, h.CarrierName, len(h.Scanned), *pdf)
		if m := len(h.Missing()); m > 0 {
			fmt.Fprintf(stdout, "；还有 %d 件已打印未交接", m)
		}
		fmt.Fprintln(stdout)
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
	fmt.Fprintf(stdout, "交接 %s：%s，已扫 %d 件，还差 %d 件。\n", h.ID, h.CarrierName, len(h.Scanned), len(h.Missing()))
	for _, p := range h.Missing() {
		fmt.Fprintf(stdout, "  未扫 %s  %s\n", p.Waybill, p.City)
	}
	return nil
}

func runReport(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("report needs a subcommand: day [--date YYYY-MM-DD] --pdf FILE | --csv FILE, or costs [--months N] [--csv FILE]")
	}
	switch args[0] {
	case "day":
		return runReportDay(ctx, g, args[1:], stdout)
	case "costs":
		return runReportCosts(ctx, g, args[1:], stdout)
	case "-h", "--help", "-help":
		return flag.ErrHelp
	}
	return usagef("unknown report subcommand %q (want day or costs)", args[0])
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
		return usagef("report day needs --pdf FILE, --csv FILE or --json")
	}
	day := time.Now()
	if *date != "" {
		d, err := time.ParseInLocation("2006-01-02", *date, shipping.ClinicTime)
		if err != nil {
			return usagef("--date %q: give the day as YYYY-MM-DD", *date)
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
		fmt.Fprintf(stdout, "%s：发货 %d 件，已交接 %d 件，已取消 %d 件，补打 %d 次，面单费 %.2f 元，短信 %d 条 %.2f 元。\n",
			r.Date, r.Total.Shipped, r.Total.HandedOver, r.Total.Cancelled, r.Total.Reprinted,
			float64(r.Total.WaybillFen)/100, r.Total.SMS, float64(r.Total.SMSFen)/100)
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
		return usagef("--months %d: give 1 to 120", *months)
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
		rows := [][]string{{"MONTH", "CARRIER", "WAYBILLS", "WAYBILL YUAN", "SMS", "SMS YUAN"}}
		for _, l := range lines {
			rows = append(rows, []string{l.Month, l.CarrierName, fmt.Sprint(l.Waybills), fmt.Sprintf("%.2f", float64(l.WaybillFen)/100),
				fmt.Sprint(l.SMS), fmt.Sprintf("%.2f", float64(l.SMSFen)/100)})
		}
		return writeTable(stdout, rows)
	})
}
