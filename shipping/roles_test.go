package shipping

import (
	"errors"
	"strings"
	"testing"
	"time"

	"shipdesk/store"
)

// TestReadsAreRefusedByRole: the service, not only the GUI's tabs, refuses
// the figures and lists a role may not see.
func TestReadsAreRefusedByRole(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	res, err := e.svc.Ship(ctx, frontDesk, testOrder(1), ShipOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wb := res.Shipment.Waybill
	calls := map[string]func(User) error{
		"Stats":      func(u User) error { _, err := e.svc.Stats(ctx, u, time.Now()); return err },
		"Exceptions": func(u User) error { _, err := e.svc.Exceptions(ctx, u); return err },
		"PrintLog":   func(u User) error { _, err := e.svc.PrintLog(ctx, u, 10); return err },
		"unfinished": func(u User) error { _, err := e.svc.unfinished(ctx, u); return err },
		"DetailAs":   func(u User) error { _, err := e.svc.DetailAs(ctx, u, wb); return err },
	}
	nobody := User{Name: "路人"}        // no role: nothing allowed
	want := map[string]map[User]bool{ // true: refused
		"Stats":      {frontDesk: true, warehouse: true, manager: false, System: false, nobody: true},
		"Exceptions": {frontDesk: true, warehouse: true, manager: false, System: false, nobody: true},
		"PrintLog":   {frontDesk: false, warehouse: false, manager: false, System: false, nobody: true},
		"unfinished": {frontDesk: false, warehouse: true, manager: false, System: false, nobody: true},
		"DetailAs":   {frontDesk: false, warehouse: false, manager: false, System: false, nobody: true},
	}
	for name, call := range calls {
		for u, refused := range want[name] {
			err := call(u)
			if got := errors.Is(err, ErrForbidden); got != refused {
				t.Errorf("%s as %s (%s): err %v, want refused=%v", name, u.Name, u.Role, err, refused)
			}
			if !refused && err != nil {
				t.Errorf("%s as %s: %v", name, u.Name, err)
			}
			if refused && (Describe(err) != Describe(ErrForbidden) || !hasHan(Describe(err))) {
				t.Errorf("%s as %s: clerk reads %q", name, u.Name, Describe(err))
			}
		}
	}
}

func TestDetailAsMasksPhoneForClerks(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	res, err := e.svc.Ship(ctx, frontDesk, testOrder(2), ShipOptions{})
	if err != nil {
		t.Fatal(err)
	}
	full := res.Order.Recipient.Phone
	for _, u := range []User{frontDesk, warehouse, manager} {
		d, err := e.svc.DetailAs(ctx, u, res.Shipment.Waybill)
		if err != nil {
			t.Fatal(err)
		}
		shown := d.Shipment.RecipientPhone + " " + d.Order.Recipient.Phone
		if canSeePhone(u.Role) != strings.Contains(shown, full) {
			t.Errorf("%s sees %q (full %s)", u.Role, shown, full)
		}
	}
}

// withPINs stores PINs for the default users straight in the store: 前台
// 1111, 主管 9999, 仓库 none.
func withPINs(t *testing.T, e *env) store.Settings {
	t.Helper()
	ctx := t.Context()
	st, err := e.db.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, u := range st.Users {
		switch u.Name {
		case "前台":
			st.Users[i].PINSalt, st.Users[i].PINHash = "a1", HashPIN("a1", "1111")
		case "主管":
			st.Users[i].PINSalt, st.Users[i].PINHash = "b2", HashPIN("b2", "9999")
		}
	}
	if err := e.db.SaveSettings(ctx, st); err != nil {
		t.Fatal(err)
	}
	return st
}

func pinsOf(st store.Settings) map[string]string {
	m := map[string]string{}
	for _, u := range st.Users {
		if u.PINHash != "" || u.PINSalt != "" {
			m[u.Name] = u.PINSalt + ":" + u.PINHash
		}
	}
	return m
}

func TestPINHashesStayInTheService(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	stored := withPINs(t, e)
	for _, u := range []User{frontDesk, warehouse, {Name: "路人"}} {
		st, err := e.svc.Settings(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if p := pinsOf(st); len(p) != 0 {
			t.Errorf("%s (%s) got PINs %v", u.Name, u.Role, p)
		}
		if len(st.Users) != len(stored.Users) {
			t.Errorf("%s got %d users, want %d", u.Name, len(st.Users), len(stored.Users))
		}
	}
	st, err := e.svc.Settings(ctx, manager)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := pinsOf(st), pinsOf(stored); len(got) != 2 || got["主管"] != want["主管"] {
		t.Errorf("manager got PINs %v, want %v", got, want)
	}
	// Blanking is a copy: the next manager read still has them.
	if _, err := e.svc.Settings(ctx, frontDesk); err != nil {
		t.Fatal(err)
	}
	if st, _ := e.db.Settings(ctx); len(pinsOf(st)) != 2 {
		t.Errorf("store lost PINs: %v", pinsOf(st))
	}
}

func TestCheckPIN(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	withPINs(t, e)
	if u, err := e.svc.CheckPIN(ctx, "主管", "9999"); err != nil || u != (User{Name: "主管", Role: store.RoleManager}) {
		t.Errorf("right PIN: %+v, %v", u, err)
	}
	for _, pin := range []string{"9998", "", "1111", "99999"} {
		u, err := e.svc.CheckPIN(ctx, "主管", pin)
		if !errors.Is(err, ErrWrongPIN) || u != (User{}) {
			t.Errorf("PIN %q: %+v, %v", pin, u, err)
		}
		if msg := Describe(err); !hasHan(msg) || msg != Describe(ErrWrongPIN) {
			t.Errorf("wrong PIN reads %q", msg)
		}
	}
	if u, err := e.svc.CheckPIN(ctx, "仓库", ""); err != nil || u.Role != store.RoleWarehouse {
		t.Errorf("no PIN: %+v, %v", u, err)
	}
	if _, err := e.svc.CheckPIN(ctx, "前台", ""); !errors.Is(err, ErrWrongPIN) {
		t.Errorf("empty PIN for a user with a PIN: %v", err)
	}
	if _, err := e.svc.CheckPIN(ctx, "没有的人", "1111"); !errors.Is(err, ErrUnknownUser) || !hasHan(Describe(err)) {
		t.Errorf("unknown user: %v", err)
	}
}

// TestSavingSettingsKeepsPINs: a manager saving settings that were read
// without PINs (the printers screen, a settings screen loaded before the
// manager signed in) keeps every PIN; only an explicit change or ClearPIN
// changes one.
func TestSavingSettingsKeepsPINs(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	stored := withPINs(t, e)
	st, err := e.svc.Settings(ctx, frontDesk)
	if err != nil {
		t.Fatal(err)
	}
	st.DefaultCarrier = "yuantong"
	st.Users = append(st.Users, store.User{Name: "新人", Role: store.RoleFrontDesk})
	if err := e.svc.SaveSettings(ctx, manager, st); err != nil {
		t.Fatal(err)
	}
	got, _ := e.db.Settings(ctx)
	if g, w := pinsOf(got), pinsOf(stored); len(g) != 2 || g["前台"] != w["前台"] || g["主管"] != w["主管"] {
		t.Fatalf("PINs after saving a blanked copy: %v, want %v", g, w)
	}
	if got.DefaultCarrier != "yuantong" || len(got.Users) != 4 {
		t.Errorf("change not saved: %s, %d users", got.DefaultCarrier, len(got.Users))
	}

	// Clear 前台's PIN, set 仓库's, leave 主管's alone.
	st, _ = e.svc.Settings(ctx, manager)
	for i, u := range st.Users {
		switch u.Name {
		case "前台":
			st.Users[i].PINHash, st.Users[i].PINSalt = "", ClearPIN
		case "仓库":
			st.Users[i].PINSalt, st.Users[i].PINHash = "c3", HashPIN("c3", "2222")
		}
	}
	if err := e.svc.SaveSettings(ctx, manager, st); err != nil {
		t.Fatal(err)
	}
	for name, pin := range map[string]string{"前台": "", "仓库": "2222", "主管": "9999"} {
		if _, err := e.svc.CheckPIN(ctx, name, pin); err != nil {
			t.Errorf("%s with %q: %v", name, pin, err)
		}
	}
	if _, err := e.svc.CheckPIN(ctx, "仓库", ""); !errors.Is(err, ErrWrongPIN) {
		t.Errorf("仓库 has no PIN after setting one: %v", err)
	}
	got, _ = e.db.Settings(ctx)
	if p := pinsOf(got); p["前台"] != "" {
		t.Errorf("前台 still has %q", p["前台"])
	}

	// The window size is remembered by anyone without touching PINs.
	if err := e.svc.RememberWindow(ctx, 800, 600); err != nil {
		t.Fatal(err)
	}
	after, _ := e.db.Settings(ctx)
	if after.WindowWidth != 800 || after.WindowHeight != 600 || len(pinsOf(after)) != 2 {
		t.Errorf("window %vx%v, PINs %v", after.WindowWidth, after.WindowHeight, pinsOf(after))
	}
}
