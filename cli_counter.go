package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
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
