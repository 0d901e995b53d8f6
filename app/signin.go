package app

import (
	"context"
	"errors"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"shipdesk/assets/i18n"
	"shipdesk/shipping"
	"shipdesk/store"
)

// Signing in: the user choice in the top bar, the PIN dialog, and the "set
// a PIN" dialog of a manager who has none outside demo mode. The service
// decides who needs what (CheckPIN, SetFirstPIN); the window never holds
// PIN hashes, and every check runs in the background.

// onUserChosen switches the signed-in user, asking for a PIN where one is
// set, or for a first PIN where the service says one is needed
// (shipping.ErrPINNotSet). Cancelling keeps the previous user.
func (u *UI) onUserChosen(name string) {
	if name == u.user.Name {
		return
	}
	var usr shipping.User
	var err error
	u.async(func(ctx context.Context, _ shipping.User) {
		usr, err = u.svc.CheckPIN(ctx, name, "")
	}, func() {
		switch {
		case err == nil:
			u.signIn(usr)
		case errors.Is(err, shipping.ErrWrongPIN):
			u.askPIN(name, u.keepUserUnless)
		case errors.Is(err, shipping.ErrPINNotSet):
			u.askSetPIN(name, u.keepUserUnless)
		default:
			u.keepUserUnless(false)
			u.showError(i18n.T("Sign in"), err)
		}
	})
}

// keepUserUnless puts the user choice back on the signed-in user unless
// signedIn (a dialog ended without signing in).
func (u *UI) keepUserUnless(signedIn bool) {
	if signedIn {
		return
	}
	if u.user.Name == "" {
		u.userSelect.ClearSelected()
		return
	}
	u.userSelect.SetSelected(u.user.Name)
}

// signIn makes usr the signed-in user and shows what their role may do,
// with the orders waiting for their waybill number where they may ship.
func (u *UI) signIn(usr shipping.User) {
	u.user = usr
	u.userSelect.SetSelected(usr.Name)
	u.applyRole()
	if u.allowed(shipping.ActShip) {
		u.ship.waiting.refresh()
	}
}

// askPIN asks for name's PIN; done reports whether the user signed in.
func (u *UI) askPIN(name string, done func(bool)) {
	pin := widget.NewPasswordEntry()
	msg := widget.NewLabel("")
	items := []*widget.FormItem{widget.NewFormItem(i18n.T("PIN"), pin), widget.NewFormItem("", msg)}
	d := dialog.NewForm(fmt.Sprintf(i18n.T("Sign in as %s"), name), i18n.T("Sign in"), i18n.T("Cancel"), items, func(ok bool) {
		if !ok {
			done(false)
			return
		}
		entered := pin.Text
		var usr shipping.User
		var err error
		u.async(func(ctx context.Context, _ shipping.User) {
			usr, err = u.svc.CheckPIN(ctx, name, entered)
		}, func() {
			if err == nil {
				u.signIn(usr)
				done(true)
				return
			}
			u.deps.Logf("shipdesk: sign in as %s: %v", name, err)
			dialog.ShowInformation(i18n.T("Sign in"), shipping.Describe(err), u.win)
			done(false)
		})
	}, u.win)
	pin.OnSubmitted = func(string) { d.Submit() }
	d.Show()
	u.win.Canvas().Focus(pin)
}

// pinSetter is the open "set a PIN" dialog: the PIN typed twice, what is
// wrong with it, and the button that sets it.
type pinSetter struct {
	name        string
	pin, repeat *widget.Entry
	msg         *widget.Label
	ok, cancel  *widget.Button
	d           dialog.Dialog
}

// askSetPIN asks name, a manager without a PIN outside demo mode, to choose
// one (typed twice); the service checks the rules, stores it and signs
// them in. The dialog stays open and says what is wrong until the PIN is
// set or the person cancels; done reports whether name signed in.
func (u *UI) askSetPIN(name string, done func(bool)) {
	p := &pinSetter{name: name, pin: widget.NewPasswordEntry(), repeat: widget.NewPasswordEntry(), msg: errorText()}
	p.msg.Wrapping = fyne.TextWrapWord
	intro := widget.NewLabel(i18n.F("Outside demo mode the manager signs in with a PIN, and %s has none yet. Choose one now: 4 to 8 digits, known only to you.", name))
	intro.Wrapping = fyne.TextWrapWord
	p.ok = widget.NewButtonWithIcon(i18n.T("Set PIN and sign in"), theme.ConfirmIcon(), func() { u.submitPIN(p, done) })
	p.ok.Importance = widget.HighImportance
	p.cancel = widget.NewButtonWithIcon(i18n.T("Cancel"), theme.CancelIcon(), func() { u.closePIN(p, false, done) })
	form := widget.NewForm(widget.NewFormItem(i18n.T("PIN"), p.pin), widget.NewFormItem(i18n.T("Repeat the PIN"), p.repeat))
	content := container.NewVBox(intro, form, p.msg, container.NewHBox(layout.NewSpacer(), p.cancel, p.ok))
	p.d = dialog.NewCustomWithoutButtons(i18n.F("Set a PIN for %s", name), content, u.win)
	// Closed some other way than its buttons: as Cancel.
	p.d.SetOnClosed(func() {
		if u.setPIN == p {
			u.setPIN = nil
			done(false)
		}
	})
	p.d.Resize(fyne.NewSize(480, content.MinSize().Height+80))
	// Enter in the first field goes on to the second; Enter there submits.
	p.pin.OnSubmitted = func(string) {
		if p.repeat.Text == "" {
			u.win.Canvas().Focus(p.repeat)
			return
		}
		u.submitPIN(p, done)
	}
	p.repeat.OnSubmitted = func(string) { u.submitPIN(p, done) }
	u.setPIN = p
	p.d.Show()
	u.win.Canvas().Focus(p.pin)
}

// submitPIN checks what p holds (the rules, both fields the same) and has
// the service set it; what is wrong is shown in the dialog.
func (u *UI) submitPIN(p *pinSetter, done func(bool)) {
	pin := p.pin.Text
	if err := shipping.ValidPIN(pin); err != nil {
		setError(p.msg, shipping.Describe(err))
		u.win.Canvas().Focus(p.pin)
		return
	}
	if p.repeat.Text != pin {
		setError(p.msg, i18n.T("The two PINs differ: please type the same PIN in both fields."))
		p.repeat.SetText("")
		u.win.Canvas().Focus(p.repeat)
		return
	}
	setError(p.msg, "")
	p.ok.Disable()
	var usr shipping.User
	var err error
	u.async(func(ctx context.Context, _ shipping.User) {
		usr, err = u.svc.SetFirstPIN(ctx, p.name, pin)
	}, func() {
		p.ok.Enable()
		if err != nil {
			u.deps.Logf("shipdesk: set first PIN of %s: %v", p.name, err)
			setError(p.msg, shipping.Describe(err))
			return
		}
		u.signIn(usr)
		u.closePIN(p, true, done)
	})
}

// closePIN closes the "set a PIN" dialog; done learns whether the person
// signed in.
func (u *UI) closePIN(p *pinSetter, signedIn bool, done func(bool)) {
	if u.setPIN != p {
		return // already closed
	}
	u.setPIN = nil
	p.d.Hide()
	done(signedIn)
}

// firstUser is who the app starts as: the first user who may sign in
// without a PIN (the service says who: CheckPIN with no PIN, so outside
// demo mode never a manager without one). When nobody may, it is the first
// user's name, and ask is why (ErrWrongPIN: ask for the PIN; ErrPINNotSet:
// ask to set one); nobody is signed in until they give it.
func (u *UI) firstUser(ctx context.Context, st store.Settings) (usr shipping.User, ask error) {
	for i, s := range st.Users {
		usr, err := u.svc.CheckPIN(ctx, s.Name, "")
		if err == nil {
			return usr, nil
		}
		if i == 0 {
			ask = err
		}
	}
	if len(st.Users) > 0 {
		return shipping.User{Name: st.Users[0].Name}, ask
	}
	return shipping.User{Name: i18n.T("Front desk"), Role: store.RoleFrontDesk}, nil
}
