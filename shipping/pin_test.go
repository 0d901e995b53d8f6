package shipping

import (
	"errors"
	"strings"
	"testing"

	"shipdesk/assets/i18n"
	"shipdesk/store"
)

// TestManagerPINOutsideDemo: in production a manager without a PIN is not
// signed in (ErrPINNotSet) but sets a first PIN, which follows the rules,
// is stored salted and hashed, is audited without the PIN, and is asked for
// from then on. Nobody overwrites a PIN that way, and only a manager gets
// one that way.
func TestManagerPINOutsideDemo(t *testing.T) {
	e := newEnv(t, nil) // Demo false: production
	ctx := t.Context()
	if _, err := e.svc.CheckPIN(ctx, "主管", ""); !errors.Is(err, ErrPINNotSet) || !hasHan(Describe(err)) {
		t.Fatalf("manager without a PIN in production: %v (%q)", err, Describe(err))
	}
	if u, err := e.svc.CheckPIN(ctx, "仓库", ""); err != nil || u.Role != store.RoleWarehouse {
		t.Errorf("a clerk without a PIN still signs in: %+v, %v", u, err)
	}

	seen := map[string]bool{}
	for _, pin := range []string{"", "123", "123456789", "12a4", "１２３４", "12 34"} {
		_, err := e.svc.SetFirstPIN(ctx, "主管", pin)
		var ue *i18n.Error
		if !errors.As(err, &ue) || ue.Field != FieldPIN {
			t.Errorf("PIN %q: %v, want a sentence about the PIN", pin, err)
			continue
		}
		if msg := Describe(err); !hasHan(msg) || !strings.Contains(msg, "PIN") {
			t.Errorf("PIN %q reads %q", pin, msg)
		}
		seen[ue.Key] = true
	}
	if len(seen) != 3 {
		t.Errorf("too short, too long and not digits should read differently: %v", seen)
	}
	if _, err := e.svc.CheckPIN(ctx, "主管", ""); !errors.Is(err, ErrPINNotSet) {
		t.Fatalf("a refused PIN was stored: %v", err)
	}

	u, err := e.svc.SetFirstPIN(ctx, "主管", "24680")
	if err != nil || u != (User{Name: "主管", Role: store.RoleManager}) {
		t.Fatalf("first PIN: %+v, %v", u, err)
	}
	st, _ := e.db.Settings(ctx)
	for _, su := range st.Users {
		if su.Name == "主管" && (su.PINSalt == "" || su.PINHash != HashPIN(su.PINSalt, "24680") || strings.Contains(su.PINHash, "24680")) {
			t.Errorf("stored PIN %+v", su)
		}
	}
	if _, err := e.svc.CheckPIN(ctx, "主管", ""); !errors.Is(err, ErrWrongPIN) {
		t.Errorf("after the first PIN, no PIN: %v", err)
	}
	if _, err := e.svc.CheckPIN(ctx, "主管", "24680"); err != nil {
		t.Errorf("after the first PIN, the PIN: %v", err)
	}
	log, err := e.svc.AuditLog(ctx, manager, 10)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, a := range log {
		if a.Action == "pin" && a.Who == "主管" && a.Target == "主管" {
			found = true
		}
		if strings.Contains(a.Detail+a.Target, "24680") {
			t.Errorf("the PIN is in the audit log: %+v", a)
		}
	}
	if !found {
		t.Errorf("no audit entry for the first PIN: %+v", log)
	}

	// Once set, SetFirstPIN does not overwrite it.
	if _, err := e.svc.SetFirstPIN(ctx, "主管", "1111"); err == nil || !hasHan(Describe(err)) {
		t.Errorf("second first PIN: %v", err)
	}
	if _, err := e.svc.CheckPIN(ctx, "主管", "24680"); err != nil {
		t.Errorf("the PIN changed: %v", err)
	}
	if _, err := e.svc.SetFirstPIN(ctx, "仓库", "1234"); !errors.Is(err, ErrForbidden) {
		t.Errorf("a clerk's first PIN: %v", err)
	}
	if _, err := e.svc.SetFirstPIN(ctx, "没有的人", "1234"); !errors.Is(err, ErrUnknownUser) {
		t.Errorf("unknown user: %v", err)
	}
}

// TestSaveSettingsKeepsManagerPIN: in production the settings cannot take a
// manager's PIN away (cleared, or lost in a role change); settings read
// without PINs, a clerk's PIN cleared and a new manager without a PIN (asked
// at the first sign-in) are saved. Demo mode allows the clearing.
func TestSaveSettingsKeepsManagerPIN(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	withPINs(t, e) // 前台 1111, 主管 9999
	blank, err := e.svc.Settings(ctx, frontDesk)
	if err != nil {
		t.Fatal(err)
	}
	blank.Users = append(blank.Users, store.User{Name: "新主管", Role: store.RoleManager})
	if err := e.svc.SaveSettings(ctx, manager, blank); err != nil {
		t.Fatalf("settings without PINs and a new manager: %v", err)
	}
	if _, err := e.svc.CheckPIN(ctx, "新主管", ""); !errors.Is(err, ErrPINNotSet) {
		t.Errorf("new manager: %v", err)
	}

	clear := func(st store.Settings, name string) store.Settings {
		st.Users = append([]store.User(nil), st.Users...)
		for i := range st.Users {
			if st.Users[i].Name == name {
				st.Users[i].PINHash, st.Users[i].PINSalt = "", ClearPIN
			}
		}
		return st
	}
	st, _ := e.svc.Settings(ctx, manager)
	err = e.svc.SaveSettings(ctx, manager, clear(st, "主管"))
	if !errors.Is(err, ErrPINNotSet) || !strings.Contains(Describe(err), "主管") || !hasHan(Describe(err)) {
		t.Errorf("clearing the manager's PIN: %v (%q)", err, Describe(err))
	}
	if _, err := e.svc.CheckPIN(ctx, "主管", "9999"); err != nil {
		t.Errorf("the manager's PIN after the refused save: %v", err)
	}
	// 前台 with a PIN made manager and cleared at once: refused too.
	promoted := clear(st, "前台")
	for i := range promoted.Users {
		if promoted.Users[i].Name == "前台" {
			promoted.Users[i].Role = store.RoleManager
		}
	}
	if err := e.svc.SaveSettings(ctx, manager, promoted); !errors.Is(err, ErrPINNotSet) {
		t.Errorf("promoted and cleared: %v", err)
	}
	if err := e.svc.SaveSettings(ctx, manager, clear(st, "前台")); err != nil {
		t.Errorf("clearing a clerk's PIN: %v", err)
	}
	if _, err := e.svc.CheckPIN(ctx, "前台", ""); err != nil {
		t.Errorf("the clerk's PIN was not cleared: %v", err)
	}

	demo := newEnv(t, func(d *Deps) { d.Demo = true })
	withPINs(t, demo)
	if _, err := demo.svc.CheckPIN(ctx, "仓库", ""); err != nil {
		t.Fatal(err)
	}
	st, _ = demo.svc.Settings(ctx, manager)
	if err := demo.svc.SaveSettings(ctx, manager, clear(st, "主管")); err != nil {
		t.Errorf("demo: clearing the manager's PIN: %v", err)
	}
	if u, err := demo.svc.CheckPIN(ctx, "主管", ""); err != nil || u.Role != store.RoleManager {
		t.Errorf("demo: a manager without a PIN signs in as today: %+v, %v", u, err)
	}
}
