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
	runErr := make(chan error, 1)
	go func() { runErr <- rt.Run(runCtx) }()

	if err := shipapp.UseLanguage(rt.Settings.Language); err != nil {
		logger.Printf("shipdesk: %v", err)
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
		Logf:           logger.Printf,
	})
	ui.StartRefresh(dashboardRefresh)
	w := ui.Window()

	quit := func() {
		ui.Close()
		a.Quit()
	}
	if d, ok := a.(desktop.App); ok && trayAvailable() {
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
	} else {
		// No tray to come back from: closing the window quits.
		w.SetCloseIntercept(quit)
	}

	// The background parts ending (an error, or a signal) ends the app.
	var bgErr error
	bgDone := make(chan struct{})
	go func() {
		defer close(bgDone)
		if bgErr = <-runErr; bgErr != nil {
			logger.Printf("shipdesk: background work stopped: %v", bgErr)
		}
	}()
	// Quitting before the event loop runs would be lost: wait for it.
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

	w.ShowAndRun()
	close(uiDone)
	ui.Close()
	ui.Wait()
	stopRun()
	select {
	case <-bgDone:
	case <-time.After(10 * time.Second):
		return errors.New("background work did not stop within 10 s")
	}
	if errors.Is(bgErr, context.Canceled) {
		bgErr = nil
	}
	return bgErr
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

// testConnection checks Kuaidi100 credentials with one real-time query for
// a number that cannot exist: "no trace" means the account answered. With
// production false it asks the sandbox this runtime uses (demo credentials
// when none are given).
func (rt *wiring) testConnection(ctx context.Context, sec store.Secrets, production bool) error {
	cfg := shipping.SecretsConfig(sec)
	if !production {
		base := rt.Client.Config()
		if rt.SandboxURL != "" {
			base.BaseURL = rt.SandboxURL
		}
		if cfg.Key == "" || rt.Demo {
			cfg = base
		} else {
			cfg.BaseURL = base.BaseURL
		}
	}
	if !cfg.HasQueryCredentials() {
		return i18n.Wrap(fmt.Errorf("test connection: %w", kuaidi100.ErrAuth), "Enter the Kuaidi100 key and customer first, then test the connection.")
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	_, err := kuaidi100.New(cfg).Query(ctx, kuaidi100.QueryRequest{Com: "zhongtong", Num: "73100000000001", Phone: "0000"})
	if err == nil || errors.Is(err, kuaidi100.ErrNoResult) || errors.Is(err, kuaidi100.ErrBadNumber) {
		return nil
	}
	return err
}
