package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"runtime"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	shipapp "shipdesk/app"
	"shipdesk/assets/i18n"
	"shipdesk/kuaidi100"
	"shipdesk/shipping"
	"shipdesk/store"
)

// appID is the application's unique id (FyneApp.toml agrees).
const appID = "cn.shipdesk.app"

// dashboardRefresh is the dashboard's fallback refresh for changes the
// worker does not announce (counters moved by another process).
const dashboardRefresh = 5 * time.Second

// runGUI opens the runtime (store, Kuaidi100 client or the demo sandbox,
// print queue, tracking worker, SMS), runs its background parts while the
// window is open and keeps them running when the window is closed to the
// system tray; the tray's Quit item (or SIGINT/SIGTERM) ends everything.
func runGUI(ctx context.Context, g *globals, stdout, stderr io.Writer) error {
	if !displayAvailable() {
		return errors.New("no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset); start the desktop or Xvfb, or use a subcommand (shipdesk help)")
	}
	logger := log.New(stderr, "", log.LstdFlags)
	rt, err := openRuntime(ctx, g, runtimeOptions{Worker: true, Logf: logger.Printf})
	if err != nil {
		// Started from the desktop, stderr is nowhere to be seen: say it
		// in a window too.
		showStartupError(ctx, err)
		return err
	}
	defer rt.Close()

	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()
	bg := runBackground(runCtx, rt, logger.Printf)
	a, ui := newMainWindow(rt, logger.Printf)
	w := ui.Window()
	quit := func() {
		ui.Close()
		a.Quit()
	}
	setCloseToTray(a, w, quit)
	uiDone := quitWhenEnded(ctx, a, bg.done, quit)

	w.ShowAndRun()
	close(uiDone)
	ui.Close()
	ui.Wait()
	stopRun()
	return bg.wait(10 * time.Second)
}

// background is the runtime's Run on its own goroutine: done closes when
// it returned, and err is then what it returned.
type background struct {
	done chan struct{}
	err  error
}

// runBackground starts rt.Run(ctx), logging the error that stops it.
func runBackground(ctx context.Context, rt *wiring, logf func(string, ...any)) *background {
	bg := &background{done: make(chan struct{})}
	go func() {
		defer close(bg.done)
		if bg.err = rt.Run(ctx); bg.err != nil {
			logf("shipdesk: background work stopped: %v", bg.err)
		}
	}()
	return bg
}

// wait waits up to limit for the background work to stop (its context
// cancelled by the caller) and returns its error; cancellation is none.
func (bg *background) wait(limit time.Duration) error {
	select {
	case <-bg.done:
	case <-time.After(limit):
		return fmt.Errorf("background work did not stop within %v", limit)
	}
	if errors.Is(bg.err, context.Canceled) {
		return nil
	}
	return bg.err
}

// newMainWindow creates the Fyne app in the settings' language and the
// main window on rt's service, refreshing the dashboard.
func newMainWindow(rt *wiring, logf func(string, ...any)) (fyne.App, *shipapp.UI) {
	if err := shipapp.UseLanguage(rt.Settings.Language); err != nil {
		logf("shipdesk: %v", err)
	}
	a := fyneapp.NewWithID(appID)
	ui := shipapp.New(shipapp.Deps{
		App:            a,
		Service:        rt.Service,
		DefaultPrinter: rt.DefaultPrinter,
		DataDir:        rt.DataDir,
		Demo:           rt.Demo,
		Mode:           rt.Mode,
		OnChange:       rt.OnShipmentChange,
		Shared:         rt.sharedState(),
		OnWaybill:      rt.Retrier.Listen,
		RetryNow:       rt.Retrier.Kick,
		TestConnection: rt.testConnection,
		Logf:           logf,
	})
	ui.StartRefresh(dashboardRefresh)
	return a, ui
}

// setCloseToTray makes closing w hide it to the system tray, whose menu
// shows it again or quits (telling the clerk once that work carries on);
// without a tray, closing the window quits.
func setCloseToTray(a fyne.App, w fyne.Window, quit func()) {
	d, ok := a.(desktop.App)
	if !ok || !trayAvailable() {
		w.SetCloseIntercept(quit)
		return
	}
	d.SetSystemTrayIcon(shipapp.Icon())
	d.SetSystemTrayMenu(fyne.NewMenu(i18n.T("Shipdesk"),
		fyne.NewMenuItem(i18n.T("Show"), func() { w.Show(); w.RequestFocus() }),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem(i18n.T("Quit"), quit),
	))
	d.SetSystemTrayWindow(w)
	told := false
	w.SetCloseIntercept(func() {
		w.Hide()
		if !told {
			told = true
			a.SendNotification(fyne.NewNotification(i18n.T("Shipdesk"),
				i18n.T("Still running in the system tray: tracking and SMS carry on. Use Quit in the tray menu to stop.")))
		}
	})
}

// quitWhenEnded quits the app when the background work ends (an error)
// or ctx does (a signal), once the event loop runs: a quit before it would
// be lost. Close the returned channel when the event loop has returned.
func quitWhenEnded(ctx context.Context, a fyne.App, bgDone <-chan struct{}, quit func()) chan<- struct{} {
	started, uiDone := make(chan struct{}), make(chan struct{})
	a.Lifecycle().SetOnStarted(func() { close(started) })
	go func() {
		select {
		case <-bgDone:
		case <-ctx.Done():
		case <-uiDone:
			return
		}
		select {
		case <-started:
			fyne.Do(quit)
		case <-uiDone:
		}
	}()
	return uiDone
}

// showStartupError shows, in a small window, why the app cannot start,
// until the clerk closes it (or SIGINT/SIGTERM). The commonest case is a
// second start while the app is already running, hidden in the tray.
func showStartupError(ctx context.Context, err error) {
	msg := i18n.F("Shipdesk cannot start: %s", shipping.Describe(err))
	if errors.Is(err, store.ErrAlreadyRunning) {
		msg = i18n.T("Shipdesk is already running: switch to its window, or click the Shipdesk icon in the system tray and choose Show.")
	}
	a := fyneapp.NewWithID(appID)
	a.Settings().SetTheme(shipapp.NewTheme())
	w := a.NewWindow(i18n.T("Shipdesk"))
	text := widget.NewLabel(msg)
	text.Wrapping = fyne.TextWrapWord
	w.SetContent(container.NewBorder(nil, container.NewCenter(widget.NewButton(i18n.T("Close"), a.Quit)), nil, nil, text))
	w.Resize(fyne.NewSize(460, 160))
	started, done := make(chan struct{}), make(chan struct{})
	a.Lifecycle().SetOnStarted(func() { close(started) })
	go func() {
		select {
		case <-ctx.Done():
		case <-done:
			return
		}
		select {
		case <-started:
			fyne.Do(a.Quit)
		case <-done:
		}
	}()
	w.ShowAndRun()
	close(done)
}

// trayAvailable reports whether a system tray can be used. On Linux and
// the BSDs the tray speaks DBus; without a session bus Fyne's tray fails to
// start and then crashes on quit, so the app goes without it.
func trayAvailable() bool {
	switch runtime.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd", "dragonfly":
		return os.Getenv("DBUS_SESSION_BUS_ADDRESS") != ""
	}
	return true
}

// displayAvailable reports whether a window can be opened. Outside X11
// and Wayland systems (Windows, macOS) there always is one.
func displayAvailable() bool {
	switch runtime.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd", "dragonfly":
		return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
	}
	return true
}

// testConnection checks the Kuaidi100 credentials sec
// (shipping.CheckConnection); the sandbox asked when production is false is
// the one this runtime uses.
func (rt *wiring) testConnection(ctx context.Context, sec store.Secrets, production bool) error {
	var sb kuaidi100.Config
	if !production {
		sb = rt.Client.Config()
		if rt.SandboxURL != "" {
			sb.BaseURL = rt.SandboxURL
		}
	}
	return shipping.CheckConnection(ctx, sec, production, sb, rt.Demo)
}
