// Package app is Shipdesk's desktop GUI (Fyne): the ship form with its live
// label preview, reprint and search, the dashboard, printers and settings.
// Screens are thin: each reads its widgets, calls one shipping (or printer)
// method and shows the result; the rules live in package shipping.
//
// One file per screen (signin.go holds the user choice and the PIN
// dialogs). Every text a person reads goes through package i18n with the
// English text as the key; assets/i18n/zh.json holds the Chinese, which is
// the default (see UseLanguage).
//
// Threading: widget callbacks run on Fyne's main goroutine, which never
// calls the store (bbolt or a shared database that may be away): every
// service call that reads or writes it, also New's start-up reads and
// Close's window size, runs in a goroutine started by UI.async and hands its
// result back through UI.onMain (fyne.Do). The tests check this with a
// store that reports calls on the goroutine driving the widgets
// (mainthread_test.go).
package app

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"shipdesk/assets"
	"shipdesk/assets/i18n"
	"shipdesk/shipping"
	"shipdesk/store"
)

// Deps are what the GUI works with. App and Service are required.
type Deps struct {
	// App is the Fyne application (app.NewWithID in main, test.NewApp in
	// tests).
	App fyne.App
	// Service runs every workflow; its store is also where the settings
	// live.
	Service *shipping.Service
	// DefaultPrinter is the printer used when none is configured (the
	// virtual printer in demo mode).
	DefaultPrinter string
	// Demo is true when no real Kuaidi100 account is used; Mode describes
	// the connection for the banner.
	Demo bool
	Mode string
	// DataDir is the data folder, where handover sheets and reports are
	// written (credentials are the service's business).
	DataDir string
	// OnChange registers a listener for shipments the tracking worker
	// changed (tracking.Worker.OnChange); nil means no live updates beyond
	// the dashboard's periodic refresh.
	OnChange func(fn func(store.Shipment)) (cancel func())
	// Shared, when not nil, reports a shared store's state on every change:
	// worker is "" when this PC runs the tracking worker, else the station
	// that does ("none" while none does); offline is why the database
	// cannot be reached, "" while it can. fn may be called on any
	// goroutine; the returned func stops it.
	Shared func(fn func(worker, offline string)) (cancel func())
	// OnWaybill registers a listener for orders that waited for their
	// waybill number and got it (shipping.Retrier.Listen); RetryNow asks
	// the retrier for a round now (Retrier.Kick). Either may be nil.
	OnWaybill func(fn func(*shipping.ShipResult, error)) (cancel func())
	RetryNow  func()
	// TestConnection checks Kuaidi100 credentials against production (or
	// the sandbox); nil hides the button.
	TestConnection func(ctx context.Context, sec store.Secrets, production bool) error
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// After runs f once d has passed (on any goroutine) and returns a func
	// that cancels it, reporting whether it did; nil means time.AfterFunc.
	// Tests inject a manual timer here.
	After func(d time.Duration, f func()) (stop func() bool)
	// Logf receives detail for the operator; nil discards it.
	Logf func(format string, args ...any)
}

// UI is the main window and its screens. Create it with New; its methods
// must be called on Fyne's main goroutine. Close stops its background
// refreshes.
type UI struct {
	deps Deps
	app  fyne.App
	win  fyne.Window
	svc  *shipping.Service
	now  func() time.Time
	// user is the person signed in. Only the main goroutine reads or
	// writes it; background work gets the acting user from async.
	user     shipping.User
	settings store.Settings

	tabs       *container.AppTabs
	banner     fyne.CanvasObject
	userSelect *widget.Select
	statusBar  *widget.Label

	ship     *shipScreen
	reprint  *reprintScreen
	dash     *dashboard
	printers *printersScreen
	setup    *settingsScreen
	handover *handoverScreen

	tabShip, tabReprint, tabDash, tabPrinters, tabSettings *container.TabItem
	tabHandover                                            *container.TabItem

	ctx     context.Context
	cancel  context.CancelFunc
	pending sync.WaitGroup // background work started by async
	loops   sync.WaitGroup // long-lived goroutines (StartRefresh), ended by Close
	mainMu  sync.Mutex     // held by callbacks handed to the main goroutine
	stopOn  func()
	// Shared store state (Deps.Shared), read and written on Fyne's goroutine.
	shared     bool
	worker     string
	offline    string
	dbBanner   *fyne.Container
	stopShared func()
	stopWb     func()
	ticker     *time.Ticker
	closed     atomic.Bool
	// loading and loaded tell where start is (main goroutine only);
	// loadingNote stands where the tabs go until it has read the settings.
	loading, loaded bool
	loadingNote     *widget.Label
	// setPIN is the open "set a PIN" dialog (signin.go), nil when none is.
	setPIN *pinSetter
	// notified remembers the parcels a desktop notification was sent for.
	notified map[string]bool
}

// New builds the main window (not yet shown) with every screen and returns
// at once: it reads nothing on the caller's goroutine. The settings and who
// signs in first are read in the background (start); until they arrive the
// window shows that it is loading (and, on a shared store that cannot be
// reached, the database banner), then it signs in as the first user who
// needs no PIN, or asks for a PIN when none does.
func New(d Deps) *UI {
	u := newUI(d)
	// Screens start background reads while the window is built: their
	// results wait until it is (they hold mainMu too).
	u.mainMu.Lock()
	defer u.mainMu.Unlock()
	u.buildWindow()
	u.buildScreens()
	u.buildTabs()
	u.layOut()
	u.listen()
	u.start()
	return u
}

// newUI fills in Deps' defaults and returns the UI with its context and the
// default settings; nobody is signed in yet.
func newUI(d Deps) *UI {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logf == nil {
		d.Logf = func(string, ...any) {}
	}
	if d.After == nil {
		d.After = func(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }
	}
	u := &UI{deps: d, app: d.App, svc: d.Service, now: d.Now, notified: map[string]bool{}}
	u.ctx, u.cancel = context.WithCancel(context.Background())
	u.settings = store.DefaultSettings()
	u.settings.Users = nil // who may sign in is read by start
	return u
}

// buildWindow makes the main window at its default size (start applies the
// remembered one).
func (u *UI) buildWindow() {
	u.app.Settings().SetTheme(NewTheme())
	u.app.SetIcon(Icon())
	u.win = u.app.NewWindow(i18n.T("Shipdesk"))
	u.win.SetIcon(Icon())
	u.win.Resize(fyne.NewSize(1280, 820))
}

// buildScreens makes every screen; each reads what it shows in the
// background.
func (u *UI) buildScreens() {
	u.ship = newShipScreen(u)
	u.reprint = newReprintScreen(u)
	u.dash = newDashboard(u)
	u.printers = newPrintersScreen(u)
	u.setup = newSettingsScreen(u)
	u.handover = newHandoverScreen(u)
}

// buildTabs puts the screens into the tabs, in their fixed order.
func (u *UI) buildTabs() {
	u.tabShip = container.NewTabItemWithIcon(i18n.T("Ship"), theme.MailSendIcon(), u.ship.content)
	u.tabReprint = container.NewTabItemWithIcon(i18n.T("Reprint & search"), theme.SearchIcon(), u.reprint.content)
	u.tabDash = container.NewTabItemWithIcon(i18n.T("Dashboard"), theme.GridIcon(), u.dash.content)
	u.tabPrinters = container.NewTabItemWithIcon(i18n.T("Printers"), theme.DocumentPrintIcon(), u.printers.content)
	u.tabSettings = container.NewTabItemWithIcon(i18n.T("Settings"), theme.SettingsIcon(), u.setup.content)
	u.tabHandover = container.NewTabItemWithIcon(i18n.T("Courier pickup"), theme.UploadIcon(), u.handover.content)
	u.tabs = container.NewAppTabs(u.tabShip, u.tabReprint, u.tabHandover, u.tabDash, u.tabPrinters, u.tabSettings)
	u.tabs.OnSelected = u.onTab
}

// layOut sets the window's content: the banners, the user choice and
// status bar on top, the tabs below (behind a loading note until start's
// read returns), and the window-wide shortcuts.
func (u *UI) layOut() {
	u.userSelect = newSelect(nil, nil)
	u.userSelect.OnChanged = u.onUserChosen
	u.userSelect.Disable()
	u.statusBar = widget.NewLabel("")
	top := container.NewBorder(nil, nil, nil,
		container.NewHBox(widget.NewIcon(theme.AccountIcon()), u.userSelect),
		u.statusBar)
	u.banner = u.demoBanner()
	u.dbBanner = container.NewStack()
	u.loadingNote = widget.NewLabel(i18n.T("Reading the settings…"))
	u.loadingNote.Alignment = fyne.TextAlignCenter
	u.loadingNote.Wrapping = fyne.TextWrapWord
	u.tabs.Hide()
	body := container.NewStack(u.tabs, container.NewCenter(u.loadingNote))
	u.win.SetContent(container.NewBorder(container.NewVBox(u.banner, u.dbBanner, top), nil, nil, nil, body))
	u.ship.register()
	u.registerCounterShortcuts()
	u.updateStatus()
}

// listen registers the listeners Deps offers: the worker's changes, the
// shared store's state and the waybills that arrive late.
func (u *UI) listen() {
	if u.deps.OnChange != nil {
		u.stopOn = u.deps.OnChange(u.shipmentChanged)
	}
	if u.deps.Shared != nil {
		u.shared = true
		u.stopShared = u.deps.Shared(func(worker, offline string) {
			u.onMain(false, func() { u.sharedChanged(worker, offline) })
		})
	}
	if u.deps.OnWaybill != nil {
		u.stopWb = u.deps.OnWaybill(u.waybillArrived)
	}
}

// start reads the settings and who signs in first in the background, then
// fills the window (started). When the read fails (a shared database that
// cannot be reached) the window says so and starts again once the database
// is back (sharedChanged).
func (u *UI) start() {
	if u.loading || u.loaded {
		return
	}
	u.loading = true
	var (
		st       store.Settings
		first    shipping.User
		ask, err error
	)
	u.async(func(ctx context.Context, _ shipping.User) {
		// Nobody is signed in yet: read the settings as no one, so no PIN
		// hashes reach the window (CheckPIN decides who needs a PIN).
		if st, err = u.svc.Settings(ctx, shipping.User{}); err == nil {
			first, ask = u.firstUser(ctx, st)
		}
	}, func() {
		u.loading = false
		if err != nil {
			u.deps.Logf("shipdesk: read settings: %v", err)
			u.loadingNote.SetText(shipping.Describe(err))
			return
		}
		u.started(st, first, ask)
	})
}

// started shows the settings start read: the window at its remembered
// size, the users to choose from, and first signed in (or asked for the
// PIN that ask says first needs).
func (u *UI) started(st store.Settings, first shipping.User, ask error) {
	u.loaded = true
	u.settingsChanged(st)
	if w, h := st.WindowWidth, st.WindowHeight; w >= 800 && h >= 560 {
		u.win.Resize(fyne.NewSize(w, h))
	}
	u.loadingNote.Hide()
	u.tabs.Show()
	u.userSelect.Enable()
	if ask == nil {
		u.signIn(first)
	} else {
		u.applyRole() // nobody signed in until first's PIN is given
	}
	if u.tabs.Selected() == u.tabShip {
		u.win.Canvas().Focus(u.ship.name)
	}
	switch {
	case ask == nil:
	case errors.Is(ask, shipping.ErrPINNotSet):
		u.askSetPIN(first.Name, u.keepUserUnless)
	case errors.Is(ask, shipping.ErrWrongPIN):
		u.askPIN(first.Name, u.keepUserUnless)
	default:
		u.showError(i18n.T("Sign in"), ask)
	}
}

// Window is the main window.
func (u *UI) Window() fyne.Window { return u.win }

// User is the person signed in.
func (u *UI) User() shipping.User { return u.user }

// StartRefresh refreshes the dashboard every interval (a fallback for
// changes the worker does not announce) until Close.
func (u *UI) StartRefresh(interval time.Duration) {
	if u.ticker != nil || interval <= 0 {
		return
	}
	u.ticker = time.NewTicker(interval)
	t := u.ticker
	ctx := u.ctx
	u.loops.Add(1)
	go func() {
		defer u.loops.Done()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				u.onMain(false, func() {
					if u.tabs.Selected() == u.tabDash || u.dash.detached != nil {
						u.dash.refresh()
					}
					if u.tabs.Selected() == u.tabPrinters {
						u.printers.refreshQueue()
					}
				})
			}
		}
	}()
}

// Close stops the background refreshes and listeners, cancels work in
// flight and remembers the window size (in the background, like every
// store call). It does not wait (work in flight hands its result to the
// main goroutine, which may be the caller); call Wait once the event loop
// has ended.
func (u *UI) Close() {
	if u.closed.Swap(true) {
		return
	}
	u.rememberSize()
	if u.stopOn != nil {
		u.stopOn()
	}
	if u.stopShared != nil {
		u.stopShared()
	}
	if u.stopWb != nil {
		u.stopWb()
	}
	if u.ticker != nil {
		u.ticker.Stop()
	}
	u.cancel()
	u.ship.stopPreview()
}

// Wait blocks until every goroutine UI started has ended (background work
// and the refresh loop). Call it after Close, and not on Fyne's main
// goroutine while the event loop runs.
func (u *UI) Wait() {
	u.loops.Wait()
	u.pending.Wait()
}

// rememberWindowTimeout bounds the write of the window size at Close (a
// shared database that is away must not hold up quitting for long).
const rememberWindowTimeout = 5 * time.Second

// rememberSize stores the window size in the settings (not audited: it is
// the window, not a setting a person changed) on a goroutine of its own,
// which Wait waits for: Close cancels u.ctx, so the write has its own
// bounded context. Nothing is written before the settings were read.
func (u *UI) rememberSize() {
	sz := u.win.Canvas().Size()
	if !u.loaded || sz.Width < 100 || sz.Height < 100 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(u.ctx), rememberWindowTimeout)
	u.pending.Add(1)
	go func() {
		defer u.pending.Done()
		defer cancel()
		if err := u.svc.RememberWindow(ctx, sz.Width, sz.Height); err != nil {
			u.deps.Logf("shipdesk: remember window size: %v", err)
		}
	}()
}

// async runs work on its own goroutine and then done (if not nil) on the
// main goroutine. Tests wait for it with wait.
//
// Call it on the main goroutine, when the person presses the button: it
// takes the signed-in user then and hands it to work as who, so work never
// reads u.user (signIn writes it on the main goroutine meanwhile) and the
// audit log names the person who pressed, even if someone else signs in
// while the work runs.
func (u *UI) async(work func(ctx context.Context, who shipping.User), done func()) {
	who := u.user
	u.pending.Add(1)
	go func() {
		defer u.pending.Done()
		work(u.ctx, who)
		if done != nil {
			u.onMain(true, done)
		}
	}()
}

// act runs work in the background like async; a failure is shown in a
// dialog titled title, success runs done (if not nil) on the main goroutine.
func (u *UI) act(title string, work func(ctx context.Context, who shipping.User) error, done func()) {
	var err error
	u.async(func(ctx context.Context, who shipping.User) { err = work(ctx, who) }, func() {
		if err != nil {
			u.showError(title, err)
			return
		}
		if done != nil {
			done()
		}
	})
}

// wait blocks until every background job started so far has finished.
func (u *UI) wait() { u.pending.Wait() }

// onMain runs f on Fyne's main goroutine (waiting for it with wait).
// Callbacks from background work also hold mainMu, so that where there is
// no main goroutine (the headless test driver runs them in place) they
// still run one at a time, as they do in the app.
func (u *UI) onMain(wait bool, f func()) {
	g := func() {
		u.mainMu.Lock()
		defer u.mainMu.Unlock()
		f()
	}
	if wait {
		fyne.DoAndWait(g)
	} else {
		fyne.Do(g)
	}
}

// after runs f after d on the injected clock.
func (u *UI) after(d time.Duration, f func()) (stop func() bool) { return u.deps.After(d, f) }

// shipmentChanged runs on the worker's goroutine: it must return quickly.
func (u *UI) shipmentChanged(s store.Shipment) {
	if u.closed.Load() {
		return
	}
	u.onMain(false, func() {
		if s.Milestone.Exceptional() && !u.notified[s.Waybill] {
			u.notified[s.Waybill] = true
			u.app.SendNotification(fyne.NewNotification(
				i18n.T("Parcel needs attention"),
				fmt.Sprintf("%s %s: %s", s.Waybill, s.RecipientName, milestoneText(s.Milestone))))
		}
		u.dash.changed()
		u.reprint.changed(s)
	})
}

func (u *UI) onTab(t *container.TabItem) {
	switch t {
	case u.tabDash:
		u.dash.refresh()
	case u.tabReprint:
		u.reprint.openToday()
		u.reprint.log.refresh()
		u.win.Canvas().Focus(u.reprint.search)
	case u.tabPrinters:
		u.printers.refresh()
	case u.tabShip:
		u.win.Canvas().Focus(u.ship.name)
	case u.tabSettings:
		u.setup.load()
	case u.tabHandover:
		u.handover.refresh()
	}
}

// allowed asks shipping's role rules about the signed-in user.
func (u *UI) allowed(a shipping.Action) bool { return shipping.Allowed(u.user.Role, a) }

// applyRole shows and hides what the signed-in user's role decides.
func (u *UI) applyRole() {
	u.setTab(u.tabShip, u.allowed(shipping.ActShip))
	u.setTab(u.tabDash, u.allowed(shipping.ActStats))
	u.setTab(u.tabSettings, u.allowed(shipping.ActSettings))
	u.setTab(u.tabHandover, u.allowed(shipping.ActHandover))
	u.handover.applyRole()
	u.ship.applyRole()
	u.reprint.applyRole()
	u.dash.applyRole()
	u.printers.applyRole()
	u.setup.applyRole()
	u.updateStatus()
}

// setTab puts a tab in its fixed place or takes it out.
func (u *UI) setTab(t *container.TabItem, show bool) {
	present := slices.Contains(u.tabs.Items, t)
	switch {
	case show && !present:
		var items []*container.TabItem
		for _, it := range []*container.TabItem{u.tabShip, u.tabReprint, u.tabHandover, u.tabDash, u.tabPrinters, u.tabSettings} {
			if it == t || slices.Contains(u.tabs.Items, it) {
				items = append(items, it)
			}
		}
		sel := u.tabs.Selected()
		u.tabs.SetItems(items)
		if sel != nil {
			u.tabs.Select(sel)
		}
	case !show && present:
		u.tabs.Remove(t)
	}
}

func (u *UI) updateStatus() {
	if u.statusBar == nil {
		return
	}
	mode := i18n.T("Production")
	if u.deps.Demo {
		mode = i18n.T("Demo mode")
	}
	text := fmt.Sprintf("%s · %s: %s (%s)", mode, i18n.T("User"), u.user.Name, roleText(u.user.Role))
	if u.user.Name == "" {
		text = mode + " · " + i18n.T("Nobody is signed in yet.")
	}
	if u.shared {
		if u.worker == "" {
			text += " · " + i18n.T("Tracking worker: this PC")
		} else {
			text += " · " + i18n.F("Tracking worker: %s (this PC stands by)", u.worker)
		}
	}
	u.statusBar.SetText(text)
}

// sharedChanged shows the shared store's state: the worker in the status
// bar, and a red strip while the database cannot be reached (what is on
// screen stays; Shipdesk reconnects by itself).
func (u *UI) sharedChanged(worker, offline string) {
	u.worker, u.offline = worker, offline
	u.updateStatus()
	if offline == "" && !u.loaded {
		u.start() // the settings could not be read while it was away
	}
	if offline == "" {
		u.dbBanner.Objects = nil
	} else {
		bg := canvas.NewRectangle(color.NRGBA{0xd3, 0x2f, 0x2f, 0xff})
		txt := canvas.NewText(i18n.T("The shared database cannot be reached: shipping is paused. What is on screen stays; Shipdesk reconnects by itself."), color.White)
		txt.TextStyle = fyne.TextStyle{Bold: true}
		txt.Alignment = fyne.TextAlignCenter
		u.dbBanner.Objects = []fyne.CanvasObject{bg, container.NewPadded(txt)}
		if u.deps.Logf != nil {
			u.deps.Logf("shipdesk: shared database unreachable: %s", offline)
		}
	}
	u.dbBanner.Refresh()
}

// demoBanner is the clear mark of demo mode: a coloured strip saying that
// waybills and printing are simulated and how to switch.
func (u *UI) demoBanner() fyne.CanvasObject {
	if !u.deps.Demo {
		return container.NewStack()
	}
	bg := canvas.NewRectangle(color.NRGBA{0xff, 0xc1, 0x07, 0xff})
	txt := canvas.NewText(i18n.T("DEMO MODE: waybills come from the built-in sandbox, labels go to the virtual printer, and parcels travel fast (delivered within about 5–15 minutes). Enter Kuaidi100 credentials under Settings to go live."), color.Black)
	txt.TextStyle = fyne.TextStyle{Bold: true}
	txt.Alignment = fyne.TextAlignCenter
	return container.NewStack(bg, container.NewPadded(txt))
}

// settingsChanged is called after the settings were saved.
func (u *UI) settingsChanged(st store.Settings) {
	u.settings = shipping.WithoutPINs(st) // SaveSettings keeps blank PINs
	u.userSelect.Options = userNames(st)
	u.userSelect.Refresh()
	u.ship.settingsChanged()
}

// showError shows err as one sentence a clerk can act on.
func (u *UI) showError(title string, err error) {
	u.deps.Logf("shipdesk: %s: %v", title, err)
	dialog.ShowInformation(title, shipping.Describe(err), u.win)
}

func userNames(st store.Settings) []string {
	var out []string
	for _, usr := range st.Users {
		out = append(out, usr.Name)
	}
	return out
}

func roleText(r store.Role) string {
	switch r {
	case store.RoleFrontDesk:
		return i18n.T("Front desk")
	case store.RoleWarehouse:
		return i18n.T("Warehouse")
	case store.RoleManager:
		return i18n.T("Manager")
	}
	return string(r)
}

// milestoneText is a milestone's name in the app's language.
func milestoneText(m store.Milestone) string { return i18n.T(m.English()) }

// Icon is the application icon as a Fyne resource.
func Icon() fyne.Resource { return fyne.NewStaticResource("icon.png", assets.IconPNG) }
