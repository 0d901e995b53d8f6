package app

import (
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"shipdesk/internal/testkit"
	"shipdesk/shipping"
	"shipdesk/store"
)

// typeEnter types text into e and presses Enter, as a person does.
func typeEnter(e *widget.Entry, text string) {
	e.SetText("")
	test.Type(e, text)
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
}

// passwordEntries are the password fields of the dialog on top of w.
func passwordEntries(w fyne.Window) []*widget.Entry {
	top := w.Canvas().Overlays().Top()
	if top == nil {
		return nil
	}
	var out []*widget.Entry
	for _, o := range test.LaidOutObjects(top) {
		if e, ok := o.(*widget.Entry); ok && e.Password {
			out = append(out, e)
		}
	}
	return out
}

// drive makes the test goroutine play ui's main goroutine, as newEnvWith
// does for e.ui: it holds mainMu except inside wait; end closes ui and
// waits for its goroutines.
func drive(ui *UI) (wait, end func()) {
	ui.mainMu.Lock()
	wait = func() {
		ui.mainMu.Unlock()
		defer ui.mainMu.Lock()
		ui.wait()
	}
	end = func() {
		ui.Close()
		ui.mainMu.Unlock()
		ui.Wait()
	}
	return wait, end
}

// TestManagerSetsAPINOnFirstSwitch: outside demo mode the manager cannot
// sign in without a PIN. The first switch to 主管 opens the "set a PIN"
// dialog; cancelling keeps 前台; a PIN that is too short, not digits or
// typed differently twice is refused in the dialog; a good one signs 主管
// in and is audited (never logged). After a restart 主管 is asked for that
// PIN.
func TestManagerSetsAPINOnFirstSwitch(t *testing.T) {
	var log testkit.Log
	e := newEnvWith(t, envOptions{production: true, logf: log.Logf})
	u := e.ui
	if u.user != (shipping.User{Name: "前台", Role: store.RoleFrontDesk}) || u.setPIN != nil {
		t.Fatalf("start: %+v, dialog %v", u.user, u.setPIN != nil)
	}

	// Cancelling keeps the previous user.
	u.userSelect.SetSelected("主管")
	e.wait()
	p := u.setPIN
	if p == nil || u.user.Name != "前台" {
		t.Fatalf("switch to 主管 without a PIN: dialog %v, user %+v", p != nil, u.user)
	}
	if u.win.Canvas().Focused() != p.pin {
		t.Errorf("focus in the dialog = %T, want the PIN field", u.win.Canvas().Focused())
	}
	test.Tap(p.cancel)
	e.wait()
	if u.setPIN != nil || u.win.Canvas().Overlays().Top() != nil || u.user.Name != "前台" || u.userSelect.Selected != "前台" {
		t.Fatalf("after cancel: dialog %v, user %+v, choice %q", u.setPIN != nil, u.user, u.userSelect.Selected)
	}

	u.userSelect.SetSelected("主管")
	e.wait()
	p = u.setPIN
	if p == nil {
		t.Fatal("second switch: no dialog")
	}
	refused := func(pin, repeat, want string) {
		t.Helper()
		typeEnter(p.pin, pin)
		if p.repeat.Text == "" && u.win.Canvas().Focused() != p.repeat {
			t.Errorf("Enter in the PIN field did not move on to the repeat field")
		}
		typeEnter(p.repeat, repeat)
		e.wait()
		if !p.msg.Visible() || !strings.Contains(p.msg.Text, want) || u.user.Name != "前台" || u.setPIN != p {
			t.Errorf("PIN %q/%q: message %q (visible %v), user %+v, want a message with %q", pin, repeat, p.msg.Text, p.msg.Visible(), u.user, want)
		}
	}
	refused("12", "12", "太短")
	refused("123456789", "123456789", "太长")
	refused("24a8", "24a8", "数字")
	refused("7351", "7350", "不一样")
	if p.repeat.Text != "" {
		t.Errorf("the repeat field keeps a PIN that differed: %q", p.repeat.Text)
	}
	if _, err := e.svc.CheckPIN(t.Context(), "主管", ""); !errors.Is(err, shipping.ErrPINNotSet) {
		t.Fatalf("a refused PIN was stored: %v", err)
	}

	typeEnter(p.pin, "7351")
	typeEnter(p.repeat, "7351")
	e.wait()
	if u.user != (shipping.User{Name: "主管", Role: store.RoleManager}) || u.setPIN != nil || u.win.Canvas().Overlays().Top() != nil {
		t.Fatalf("after setting the PIN: user %+v, dialog %v, message %q", u.user, u.setPIN != nil, p.msg.Text)
	}
	if u.userSelect.Selected != "主管" || !strings.Contains(u.statusBar.Text, "主管") {
		t.Errorf("choice %q, status %q", u.userSelect.Selected, u.statusBar.Text)
	}
	audit, err := e.db.AuditLog(t.Context(), 10)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, a := range audit {
		found = found || a.Action == "pin" && a.Who == "主管" && a.Target == "主管"
		if strings.Contains(a.Detail, "7351") {
			t.Errorf("the PIN is in the audit log: %+v", a)
		}
	}
	if !found {
		t.Errorf("no audit entry for the first PIN: %+v", audit)
	}
	if log.Contains("7351") {
		t.Errorf("the PIN is in the log:\n%s", log.String())
	}

	// Restart: 前台 again, and 主管 is asked for the PIN just set.
	never := func(time.Duration, func()) func() bool { return func() bool { return true } }
	ui := New(Deps{App: u.app, Service: e.svc, Demo: false, After: never, Logf: log.Logf})
	wait, end := drive(ui)
	defer end()
	wait()
	if ui.user.Name != "前台" {
		t.Fatalf("after the restart: %+v", ui.user)
	}
	ui.userSelect.SetSelected("主管")
	wait()
	pins := passwordEntries(ui.win)
	if ui.setPIN != nil || len(pins) != 1 || ui.user.Name != "前台" {
		t.Fatalf("after the restart, switch to 主管: set-PIN dialog %v, %d PIN fields, user %+v", ui.setPIN != nil, len(pins), ui.user)
	}
	typeEnter(pins[0], "7351")
	wait()
	if ui.user != (shipping.User{Name: "主管", Role: store.RoleManager}) {
		t.Errorf("the PIN set before the restart: %+v", ui.user)
	}
}

// TestStartNeverSignsInAPINlessManager: outside demo mode the window never
// starts as a manager without a PIN: it takes the first other user who
// needs none, and when there is none it asks the manager to set a PIN.
func TestStartNeverSignsInAPINlessManager(t *testing.T) {
	e := newEnvWith(t, envOptions{production: true})
	st, err := e.db.Settings(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	salt, hash, err := shipping.NewPIN("1111")
	if err != nil {
		t.Fatal(err)
	}
	never := func(time.Duration, func()) func() bool { return func() bool { return true } }
	for _, c := range []struct {
		users   []store.User
		want    string // signed in; "" when asked
		askSets bool   // the set-a-PIN dialog is open
	}{
		{[]store.User{{Name: "主管", Role: store.RoleManager}, {Name: "仓库", Role: store.RoleWarehouse}}, "仓库", false},
		{[]store.User{{Name: "主管", Role: store.RoleManager}, {Name: "前台", Role: store.RoleFrontDesk, PINSalt: salt, PINHash: hash}}, "", true},
	} {
		st.Users = c.users
		if err := e.db.SaveSettings(t.Context(), st); err != nil {
			t.Fatal(err)
		}
		ui := New(Deps{App: e.ui.app, Service: e.svc, After: never, Logf: t.Logf})
		wait, end := drive(ui)
		wait()
		if ui.user.Role == store.RoleManager || (c.want != "" && ui.user.Name != c.want) || (ui.setPIN != nil) != c.askSets {
			t.Errorf("users %v: started as %+v, set-PIN dialog %v", c.users, ui.user, ui.setPIN != nil)
		}
		if c.askSets {
			if ui.user.Name != "" || !strings.Contains(ui.statusBar.Text, "尚未登录") {
				t.Errorf("while asked: user %+v, status %q", ui.user, ui.statusBar.Text)
			}
			// Cancelled, nobody is signed in; choosing 主管 asks again.
			test.Tap(ui.setPIN.cancel)
			wait()
			if ui.setPIN != nil || ui.user.Name != "" || ui.userSelect.Selected != "" {
				t.Fatalf("after cancel: dialog %v, user %+v, choice %q", ui.setPIN != nil, ui.user, ui.userSelect.Selected)
			}
			if ui.userSelect.PlaceHolder != "请选择" {
				t.Errorf("the empty user choice reads %q", ui.userSelect.PlaceHolder)
			}
			ui.userSelect.SetSelected("主管")
			wait()
			if ui.setPIN == nil {
				t.Fatal("choosing 主管 after cancelling does not ask again")
			}
			typeEnter(ui.setPIN.pin, "2580")
			typeEnter(ui.setPIN.repeat, "2580")
			wait()
			if ui.user != (shipping.User{Name: "主管", Role: store.RoleManager}) {
				t.Errorf("set at start: %+v", ui.user)
			}
		}
		end()
	}
}

// TestDemoManagerNeedsNoPIN: in demo mode the manager without a PIN signs
// in at once, as before.
func TestDemoManagerNeedsNoPIN(t *testing.T) {
	e := newEnv(t)
	e.ui.userSelect.SetSelected("主管")
	e.wait()
	if e.ui.user != (shipping.User{Name: "主管", Role: store.RoleManager}) || e.ui.setPIN != nil || e.ui.win.Canvas().Overlays().Top() != nil {
		t.Fatalf("demo: %+v, set-PIN dialog %v", e.ui.user, e.ui.setPIN != nil)
	}
}
