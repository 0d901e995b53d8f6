package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"shipdesk/assets/i18n"
	"shipdesk/kuaidi100"
	"shipdesk/shipping"
)

// runAccount is `shipdesk account set|list|remove`: the centre's e-waybill
// accounts with the carriers, kept in the secrets file of the data folder.
func runAccount(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef(i18n.N("account needs set, list or remove"))
	}
	switch args[0] {
	case "set":
		return runAccountSet(ctx, g, args[1:], stdout)
	case "list":
		return runAccountList(ctx, g, args[1:], stdout)
	case "remove":
		return runAccountRemove(ctx, g, args[1:], stdout)
	}
	return usagef(i18n.N("account %q: use set, list or remove"), args[0])
}

// accountService is a Service over the station's store (for the audit
// log; the shared one with --db) and the data folder's secrets file, enough
// to manage accounts. The accounts stay in each station's secrets file.
func accountService(ctx context.Context, g *globals, fn func(*shipping.Service) error) error {
	db, _, err := openStore(ctx, g, nil, func(string, ...any) {})
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(shipping.New(shipping.Deps{DB: db, Accounts: shipping.SecretsAccounts{Dir: g.DataDir}}))
}

// accountFlags are the wire names of the account fields as flags.
var accountFlags = []struct{ flag, field string }{
	{"partner-id", kuaidi100.FieldPartnerID}, {"partner-key", kuaidi100.FieldPartnerKey},
	{"partner-secret", kuaidi100.FieldPartnerSecret}, {"partner-name", kuaidi100.FieldPartnerName},
	{"net", kuaidi100.FieldNet}, {"code", kuaidi100.FieldCode}, {"check-man", kuaidi100.FieldCheckMan},
	{"tb-net", kuaidi100.FieldTBNet},
}

func carrierArg(pos []string, cmd string) (kuaidi100.AccountSpec, error) {
	if len(pos) != 1 {
		return kuaidi100.AccountSpec{}, usagef(i18n.N("%s needs exactly one CARRIER (a company code such as zhongtong)"), cmd)
	}
	spec, ok := kuaidi100.AccountSpecFor(pos[0])
	if !ok {
		return spec, usagef(i18n.N("%s: Kuaidi100 issues no e-waybills for %q; carriers: %s"), cmd, pos[0], strings.Join(accountCarriers(), ", "))
	}
	return spec, nil
}

func accountCarriers() []string {
	var out []string
	for _, s := range kuaidi100.AccountSpecs() {
		out = append(out, s.Carrier)
	}
	return out
}

func runAccountSet(ctx context.Context, g *globals, args []string, stdout io.Writer) error {
	fs := newFlagSet("account set")
	vals := map[string]*string{}
	for _, f := range accountFlags {
		vals[f.field] = fs.String(f.flag, "", "")
	}
	product := fs.String("product", "", "")
	payType := fs.String("pay-type", "", "")
	template := fs.String("template", "", "")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return flagUsage(err)
	}
	spec, err := carrierArg(pos, "account set")
	if err != nil {
		return err
	}
	if *template != "" && *template != kuaidi100.TemplateOwn && *template != kuaidi100.TemplateCarrier {
		return usagef(i18n.N("--template %q: use own (our own label) or carrier (the carrier's template)"), *template)
	}
	a := kuaidi100.Account{Carrier: spec.Carrier, Product: *product, PayType: *payType, Template: *template}
	for _, f := range accountFlags {
		if v := *vals[f.field]; v != "" {
			if _, used := spec.Field(f.field); !used && f.field != kuaidi100.FieldTBNet {
				return usagef(i18n.N("account set %s: %s does not use --%s; it needs %s"), spec.Carrier, spec.Short, f.flag, fieldList(spec))
			}
			a.SetField(f.field, v)
		}
	}
	return accountService(ctx, g, func(svc *shipping.Service) error {
		if err := svc.SetAccount(ctx, cliUser(), a); err != nil {
			return withNextStep(fmt.Errorf("account set %s: %w", spec.Carrier, err), i18n.N("The account needs: %s."), fieldList(spec))
		}
		list, err := svc.Accounts(ctx, cliUser())
		if err != nil {
			return err
		}
		for _, x := range list {
			if x.Carrier == spec.Carrier {
				printAccount(stdout, x)
			}
		}
		return nil
	})
}

// fieldList names the fields a carrier needs with the flag for each.
func fieldList(spec kuaidi100.AccountSpec) string {
	var parts []string
	for _, f := range spec.Fields {
		flag := f.Name
		for _, af := range accountFlags {
			if af.field == f.Name {
				flag = af.flag
			}
		}
		if f.Fixed != "" {
			parts = append(parts, i18n.F("%s=%s (fixed)", f.Label, f.Fixed))
			continue
		}
		parts = append(parts, fmt.Sprintf("--%s %s", flag, f.Label))
	}
	sep := ", "
	if i18n.Language() == "zh" {
		sep = "、"
	}
	return strings.Join(parts, sep)
}

func printAccount(w io.Writer, a kuaidi100.Account) {
	spec, _ := kuaidi100.AccountSpecFor(a.Carrier)
	fmt.Fprintf(w, "%s %s\n", a.Carrier, spec.Name)
	for _, f := range spec.Fields {
		fmt.Fprintf(w, "  %-14s %-10s %s\n", f.Name, f.Label, a.Field(f.Name))
	}
	if a.TBNet != "" {
		fmt.Fprintf(w, "  %-14s %-10s %s\n", kuaidi100.FieldTBNet, i18n.T("Branch"), a.TBNet)
	}
	tmpl := i18n.T("our own label")
	if a.Template == kuaidi100.TemplateCarrier {
		tmpl = i18n.T("the carrier's template")
	}
	fmt.Fprintf(w, "  %s\n", i18n.F("product %s, payType %s, template %s (%s)", a.Product, a.PayType, a.Template, tmpl))
}

// accountJSON is one element of `account list --json`: values masked.
type accountJSON struct {
	Carrier  string            `json:"carrier"`
	Name     string            `json:"name"`
	Fields   map[string]string `json:"fields"` // wire name -> masked value
	Labels   map[string]string `json:"labels"` // wire name -> the carrier's name for it
	Product  string            `json:"product"`
	PayType  string            `json:"payType"`
	Template string            `json:"template"`
	Complete bool              `json:"complete"`
}

func runAccountList(ctx context.Context, g *globals, args []string, stdout io.Writer) error {
	fs := newFlagSet("account list")
	asJSON := fs.Bool("json", false, "")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	return accountService(ctx, g, func(svc *shipping.Service) error {
		list, err := svc.Accounts(ctx, cliUser())
		if err != nil {
			return err
		}
		if *asJSON {
			out := []accountJSON{}
			for _, a := range list {
				spec, _ := kuaidi100.AccountSpecFor(a.Carrier)
				j := accountJSON{Carrier: a.Carrier, Name: spec.Name, Fields: map[string]string{}, Labels: map[string]string{},
					Product: a.Product, PayType: a.PayType, Template: a.Template, Complete: svc.HasAccount(ctx, a.Carrier)}
				for _, f := range spec.Fields {
					j.Fields[f.Name], j.Labels[f.Name] = a.Field(f.Name), f.Label
				}
				out = append(out, j)
			}
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(out)
		}
		if len(list) == 0 {
			fmt.Fprintln(stdout, i18n.T("No carrier accounts yet: add one with shipdesk account set CARRIER ... (e.g. shipdesk account set zhongtong --partner-id ... --partner-key ... --net ...)"))
			return nil
		}
		for _, a := range list {
			printAccount(stdout, a)
		}
		return nil
	})
}

func runAccountRemove(ctx context.Context, g *globals, args []string, stdout io.Writer) error {
	fs := newFlagSet("account remove")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return flagUsage(err)
	}
	spec, err := carrierArg(pos, "account remove")
	if err != nil {
		return err
	}
	return accountService(ctx, g, func(svc *shipping.Service) error {
		if err := svc.RemoveAccount(ctx, cliUser(), spec.Carrier); err != nil {
			return err
		}
		fmt.Fprintln(stdout, i18n.F("Removed the account for %s %s.", spec.Carrier, spec.Name))
		return nil
	})
}

// runCancel is `shipdesk cancel WAYBILL --reason TEXT`: the workflow's
// cancel, with the same rules as the GUI (reason required, only before
// pickup, the carrier's account fields sent, audited).
func runCancel(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("cancel")
	reason := fs.String("reason", "", "")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return flagUsage(err)
	}
	if len(pos) != 1 {
		return usagef(i18n.N("cancel needs exactly one WAYBILL"))
	}
	if strings.TrimSpace(*reason) == "" {
		return usagef(i18n.N("cancel needs --reason TEXT (why the waybill is cancelled)"))
	}
	waybill := kuaidi100.NormalizeNumber(pos[0])
	return withRuntime(ctx, g, runtimeOptions{Logf: quietLogf(stderr)}, func(ctx context.Context, rt *wiring) error {
		if err := rt.Service.Cancel(ctx, cliUser(), waybill, *reason); err != nil {
			return fmt.Errorf("cancel %s: %w", waybill, err)
		}
		fmt.Fprintln(stdout, i18n.F("Cancelled %s.", waybill))
		return nil
	})
}
