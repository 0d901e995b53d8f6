package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"shipdesk/assets/i18n"
	"shipdesk/printer/label"
	"shipdesk/shipping"
	"shipdesk/store"
)

// settingsScreen is 设置 (managers only): the Kuaidi100 account and a
// connection test, sender presets, defaults, SMS rules, the push address,
// exception thresholds, users and roles, language, backup and CSV export.
// Every field edits a working copy; "Save settings" stores it through
// shipping (audited).
type settingsScreen struct {
	ui      *UI
	content fyne.CanvasObject
	// accounts is the 快递账号 tab (accounts.go).
	accounts *accountsTab
	st       store.Settings // the working copy
	// full: st was read by a manager, so it has the PINs and the
	// credentials. applyRole reloads when the signed-in role no longer
	// matches, so a clerk's window never keeps a manager's copy.
	full bool

	// Kuaidi100 account
	production                               *widget.RadioGroup
	key, customer, secret, userID, smsSeller *widget.Entry
	apiBase                                  *widget.Entry
	connMsg                                  *widget.Label
	testBtn                                  *widget.Button

	senders *listEditor[store.Party]

	// Defaults
	defItems, defCarrier, defWeight *widget.Entry
	defPay                          *widget.Select
	labelSize, labelDPI             *widget.Select
	maskPhones                      *widget.Check

	// SMS
	smsEnabled           *widget.Check
	smsRules             []smsRuleWidgets
	quietStart, quietEnd *widget.Entry
	dailyCap             *widget.Entry

	// Tracking and rules
	pollOnly                      *widget.Check
	pushListen, pushURL           *widget.Entry
	relayURL, relayToken, windowQ *widget.Entry
	trackMode                     *widget.Label
	notPicked, noUpdate, lateDays *widget.Entry
	promised                      *widget.Entry

	users *listEditor[store.User]

	counter *counterSettings // retention, handover time, prices, forget

	language *widget.Select
	saveBtn  *widget.Button
	msg      *widget.Label
	audit    *widget.List
	auditLog []store.AuditEntry
}

type smsRuleWidgets struct {
	on   *widget.Check
	tpl  *widget.Entry
	text *widget.Entry
}

func newSettingsScreen(u *UI) *settingsScreen {
	s := &settingsScreen{ui: u}
	account := s.accountPage()
	s.senders = newListEditor(&s.st.Senders,
		func(p store.Party) string { return fmt.Sprintf("%s  %s  %s", p.Name, p.Phone, p.Address) },
		s.editSender, 0, widget.NewLabel(i18n.T("The first is the default.")))
	defaults := s.defaultsPage()
	smsBox := s.smsPage()
	tracking := s.trackingPage()
	s.users = s.usersEditor()
	data := s.dataPage()
	s.counter = newCounterSettings(s)
	s.accounts = newAccountsTab(u)
	tabs := container.NewAppTabs(
		container.NewTabItem(i18n.T("Kuaidi100 account"), container.NewVScroll(account)),
		container.NewTabItem(i18n.T("Carrier accounts"), s.accounts.content),
		container.NewTabItem(i18n.T("Senders"), s.senders.content),
		container.NewTabItem(i18n.T("Defaults"), container.NewVScroll(defaults)),
		container.NewTabItem(i18n.T("SMS"), container.NewVScroll(smsBox)),
		container.NewTabItem(i18n.T("Tracking & exceptions"), container.NewVScroll(tracking)),
		container.NewTabItem(i18n.T("Users & roles"), s.users.content),
		container.NewTabItem(i18n.T("Counter & privacy"), s.counter.content),
		container.NewTabItem(i18n.T("Language & data"), data),
	)
	tabs.SetTabLocation(container.TabLocationLeading)
	s.saveBtn = widget.NewButtonWithIcon(i18n.T("Save settings"), theme.DocumentSaveIcon(), s.save)
	s.saveBtn.Importance = widget.HighImportance
	s.msg = widget.NewLabel("")
	s.content = container.NewBorder(nil, container.NewHBox(s.saveBtn, s.msg), nil, nil, tabs)
	s.load()
	return s
}

// accountPage is the Kuaidi100 account: mode, credentials, API address and
// the connection test.
func (s *settingsScreen) accountPage() fyne.CanvasObject {
	s.production = widget.NewRadioGroup([]string{i18n.T("Demo (built-in sandbox)"), i18n.T("Production (real Kuaidi100 account)")}, nil)
	s.key, s.customer, s.secret, s.userID, s.smsSeller = widget.NewEntry(), widget.NewEntry(), widget.NewPasswordEntry(), widget.NewEntry(), widget.NewEntry()
	s.key.Password = true
	s.apiBase = widget.NewEntry()
	s.apiBase.SetPlaceHolder(i18n.T("Empty: the official service"))
	s.connMsg = widget.NewLabel("")
	s.connMsg.Wrapping = fyne.TextWrapWord
	s.testBtn = widget.NewButtonWithIcon(i18n.T("Test connection"), theme.MediaPlayIcon(), s.testConnection)
	if s.ui.deps.TestConnection == nil {
		s.testBtn.Hide()
	}
	saveCreds := widget.NewButtonWithIcon(i18n.T("Save credentials"), theme.DocumentSaveIcon(), s.saveCredentials)
	return container.NewVBox(
		widget.NewForm(
			widget.NewFormItem(i18n.T("Mode"), s.production),
			widget.NewFormItem("key", s.key),
			widget.NewFormItem("customer", s.customer),
			widget.NewFormItem("secret", s.secret),
			widget.NewFormItem("userid", s.userID),
			widget.NewFormItem(i18n.T("SMS sender"), s.smsSeller),
			widget.NewFormItem(i18n.T("API address"), s.apiBase),
		),
		container.NewHBox(saveCreds, s.testBtn),
		widget.NewLabel(i18n.T("Switching between demo and production takes effect at the next start.")),
		s.connMsg)
}

// defaultsPage is what a new order starts with and how labels print.
func (s *settingsScreen) defaultsPage() fyne.CanvasObject {
	s.defItems, s.defCarrier, s.defWeight = widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	s.defCarrier.SetPlaceHolder(i18n.T("Empty: guess the carrier"))
	s.defPay = newSelect(payTypeNames(), nil)
	var sizes []string
	for _, z := range label.Sizes {
		sizes = append(sizes, z.String())
	}
	s.labelSize = newSelect(sizes, nil)
	s.labelDPI = newSelect([]string{"203", "300"}, nil)
	s.maskPhones = widget.NewCheck(i18n.T("Mask phone numbers on labels"), nil)
	return widget.NewForm(
		widget.NewFormItem(i18n.T("Items"), s.defItems),
		widget.NewFormItem(i18n.T("Carrier"), s.defCarrier),
		widget.NewFormItem(i18n.T("Weight (kg)"), s.defWeight),
		widget.NewFormItem(i18n.T("Payment"), s.defPay),
		widget.NewFormItem(i18n.T("Label size"), s.labelSize),
		widget.NewFormItem(i18n.T("Resolution (dpi)"), s.labelDPI),
		widget.NewFormItem("", s.maskPhones),
	)
}

// smsPage is the patients' SMS: on or off, one rule per milestone, quiet
// hours and the daily cap.
func (s *settingsScreen) smsPage() fyne.CanvasObject {
	s.smsEnabled = widget.NewCheck(i18n.T("Send SMS to patients"), nil)
	s.quietStart, s.quietEnd, s.dailyCap = widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	box := container.NewVBox(s.smsEnabled)
	for _, m := range store.DefaultSettings().SMS.Milestones {
		w := smsRuleWidgets{on: widget.NewCheck(milestoneText(m.Milestone), nil), tpl: widget.NewEntry(), text: widget.NewMultiLineEntry()}
		w.text.Wrapping = fyne.TextWrapWord
		w.tpl.SetPlaceHolder(i18n.T("Template ID"))
		s.smsRules = append(s.smsRules, w)
		box.Add(container.NewBorder(nil, nil, container.NewHBox(w.on, w.tpl), nil, w.text))
	}
	box.Add(widget.NewForm(
		widget.NewFormItem(i18n.T("Quiet hours from"), s.quietStart),
		widget.NewFormItem(i18n.T("Quiet hours until"), s.quietEnd),
		widget.NewFormItem(i18n.T("Daily cap (messages)"), s.dailyCap),
	))
	return box
}

// trackingPage is how tracking reaches the station (push, relay, polling)
// and the exception rules.
func (s *settingsScreen) trackingPage() fyne.CanvasObject {
	s.pollOnly = widget.NewCheck(i18n.T("Polling only (no push callback)"), nil)
	s.pushListen, s.pushURL = widget.NewEntry(), widget.NewEntry()
	s.pushListen.SetPlaceHolder("0.0.0.0:8090")
	s.pushURL.SetPlaceHolder("http://203.0.113.5:8090/kuaidi100/push")
	s.relayURL, s.relayToken, s.windowQ = widget.NewEntry(), widget.NewPasswordEntry(), widget.NewEntry()
	s.relayURL.SetPlaceHolder("https://relay.example.com")
	s.relayToken.SetPlaceHolder(i18n.T("leave empty to keep the saved token"))
	s.trackMode = widget.NewLabel("")
	s.trackMode.Wrapping = fyne.TextWrapWord
	s.notPicked, s.noUpdate, s.lateDays, s.promised = widget.NewEntry(), widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	return widget.NewForm(
		widget.NewFormItem(i18n.T("Tracking mode"), s.trackMode),
		widget.NewFormItem("", s.pollOnly),
		widget.NewFormItem(i18n.T("Push relay address"), s.relayURL),
		widget.NewFormItem(i18n.T("Relay token"), s.relayToken),
		widget.NewFormItem(i18n.T("Delivery-window queries (0-3)"), s.windowQ),
		widget.NewFormItem(i18n.T("Push receiver listens on"), s.pushListen),
		widget.NewFormItem(i18n.T("Push callback address"), s.pushURL),
		widget.NewFormItem(i18n.T("Not picked up after (hours)"), s.notPicked),
		widget.NewFormItem(i18n.T("No update for (hours)"), s.noUpdate),
		widget.NewFormItem(i18n.T("Late after (days)"), s.lateDays),
		widget.NewFormItem(i18n.T("Delivery promise (days)"), s.promised),
	)
}

// usersEditor lists the users and roles (· PIN marks who has one). Remove
// keeps the last user: someone must be able to sign in.
func (s *settingsScreen) usersEditor() *listEditor[store.User] {
	return newListEditor(&s.st.Users, func(usr store.User) string {
		pin := ""
		if usr.PINHash != "" {
			pin = " · PIN"
		}
		return fmt.Sprintf("%s  (%s)%s", usr.Name, roleText(usr.Role), pin)
	}, s.editUser, 1)
}

// dataPage is the language, backup, CSV export and the audit log.
func (s *settingsScreen) dataPage() fyne.CanvasObject {
	s.language = newSelect([]string{"中文", "English"}, nil)
	backup := widget.NewButtonWithIcon(i18n.T("Back up the database…"), theme.StorageIcon(), s.backup)
	export := widget.NewButtonWithIcon(i18n.T("Export shipments as CSV…"), theme.DownloadIcon(), s.export)
	s.audit = newTextList(func() int { return len(s.auditLog) }, func(i int) string {
		e := s.auditLog[i]
		return fmt.Sprintf("%s  %s  %s  %s  %s", clinicStamp(e.Time), e.Who, e.Action, e.Target, e.Detail)
	})
	return container.NewBorder(container.NewVBox(
		widget.NewForm(widget.NewFormItem(i18n.T("Language"), container.NewHBox(s.language, widget.NewLabel(i18n.T("(applies at the next start)"))))),
		container.NewHBox(backup, export),
		widget.NewLabelWithStyle(i18n.T("Audit log"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
	), nil, nil, nil, s.audit)
}

func (s *settingsScreen) applyRole() {
	allowed := s.ui.allowed(shipping.ActSettings)
	setEnabled(s.saveBtn, allowed)
	s.accounts.load()
	if allowed != s.full { // drop a manager's PINs and credentials, or fetch them
		s.load()
	}
}

// load reads the stored settings (as the signed-in user may see them: PINs
// only for a manager), the credentials and the audit log in the background
// and then fills the widgets.
func (s *settingsScreen) load() {
	var (
		st       store.Settings
		sec      store.Secrets
		log      []store.AuditEntry
		err      error
		secErr   error
		full     = s.ui.allowed(shipping.ActSettings)
		withSecs = full && s.ui.svc.HasCredentialStore()
	)
	s.ui.async(func(ctx context.Context, who shipping.User) {
		if st, err = s.ui.svc.Settings(ctx, who); err != nil {
			return
		}
		if withSecs {
			sec, secErr = s.ui.svc.Credentials(ctx, who)
		}
		if full {
			if log, err = s.ui.svc.AuditLog(ctx, who, 200); err != nil {
				s.ui.deps.Logf("shipdesk: audit log: %v", err)
				err = nil
			}
		}
	}, func() {
		if err != nil {
			s.ui.deps.Logf("shipdesk: read settings: %v", err)
			s.msg.SetText(shipping.Describe(err))
			return
		}
		s.show(st, full, withSecs, sec, secErr)
		s.auditLog = log
		s.audit.Refresh()
	})
}

// show fills the widgets with st and, when withSecs, the credentials sec
// (or the reason secErr they could not be read).
func (s *settingsScreen) show(st store.Settings, full, withSecs bool, sec store.Secrets, secErr error) {
	s.st = st
	s.full = full
	s.showAccount(st, withSecs, sec, secErr)
	s.showDefaults(st)
	s.showSMS(st)
	s.showTracking(st)
	if st.Language == "en" {
		s.language.SetSelectedIndex(1)
	} else {
		s.language.SetSelectedIndex(0)
	}
	s.senders.list.Refresh()
	s.users.list.Refresh()
	s.counter.load(st)
}

func (s *settingsScreen) showAccount(st store.Settings, withSecs bool, sec store.Secrets, secErr error) {
	if st.Mode == "production" {
		s.production.SetSelected(s.production.Options[1])
	} else {
		s.production.SetSelected(s.production.Options[0])
	}
	s.apiBase.SetText(st.APIBase)
	if withSecs && secErr == nil {
		s.key.SetText(sec.Key)
		s.customer.SetText(sec.Customer)
		s.secret.SetText(sec.Secret)
		s.userID.SetText(sec.UserID)
		s.smsSeller.SetText(sec.SMSSeller)
		return
	}
	if secErr != nil {
		s.ui.deps.Logf("shipdesk: load credentials: %v", secErr)
		s.connMsg.SetText(shipping.Describe(secErr))
	}
	for _, e := range []*widget.Entry{s.key, s.customer, s.secret, s.userID, s.smsSeller} {
		e.SetText("")
	}
}

func (s *settingsScreen) showDefaults(st store.Settings) {
	s.defItems.SetText(st.DefaultItems)
	s.defCarrier.SetText(st.DefaultCarrier)
	s.defWeight.SetText(strconv.FormatFloat(st.DefaultWeightKg, 'f', -1, 64))
	if i := slices.Index(payTypes, st.DefaultPayType); i >= 0 {
		s.defPay.SetSelectedIndex(i)
	}
	s.labelSize.SetSelected(st.Label.Size)
	s.labelDPI.SetSelected(strconv.Itoa(st.Label.DPI))
	s.maskPhones.SetChecked(st.Label.MaskPhones)
}

func (s *settingsScreen) showSMS(st store.Settings) {
	s.smsEnabled.SetChecked(st.SMS.Enabled)
	for i, w := range s.smsRules {
		m := store.DefaultSettings().SMS.Milestones[i].Milestone
		w.on.SetChecked(false)
		for _, r := range st.SMS.Milestones {
			if r.Milestone == m {
				w.on.SetChecked(r.Enabled)
				w.tpl.SetText(r.TemplateID)
				w.text.SetText(r.Text)
			}
		}
	}
	s.quietStart.SetText(st.SMS.QuietStart)
	s.quietEnd.SetText(st.SMS.QuietEnd)
	s.dailyCap.SetText(strconv.Itoa(st.SMS.DailyCap))
}

func (s *settingsScreen) showTracking(st store.Settings) {
	s.pollOnly.SetChecked(st.Tracking.PollOnly)
	s.pushListen.SetText(st.Tracking.PushListen)
	s.pushURL.SetText(st.Tracking.PushURL)
	s.relayURL.SetText(st.Tracking.RelayURL)
	s.windowQ.SetText(strconv.Itoa(st.Tracking.WindowQueries))
	s.trackMode.SetText(trackingMode(st))
	s.notPicked.SetText(strconv.Itoa(st.Rules.NotPickedUpHours))
	s.noUpdate.SetText(strconv.Itoa(st.Rules.NoUpdateHours))
	s.lateDays.SetText(strconv.Itoa(st.Rules.LateDays))
	s.promised.SetText(strconv.Itoa(st.PromisedDays))
}

// collect reads the widgets into the working copy; bad numbers are named.
func (s *settingsScreen) collect() (store.Settings, error) {
	st := s.st
	if s.production.Selected == s.production.Options[1] {
		st.Mode = "production"
	} else {
		st.Mode = "sandbox"
	}
	st.APIBase = strings.TrimSpace(s.apiBase.Text)
	for _, step := range []func(*store.Settings) error{s.collectDefaults, s.collectSMS, s.collectTracking, s.counter.collect} {
		if err := step(&st); err != nil {
			return st, err
		}
	}
	st.Language = "zh"
	if s.language.SelectedIndex() == 1 {
		st.Language = "en"
	}
	return st, nil
}

// wholeNumber reads a count typed into the field called name.
func wholeNumber(name, text string) (int, error) {
	v, err := strconv.Atoi(strings.TrimSpace(text))
	if err != nil || v < 0 {
		return 0, fmt.Errorf(i18n.T("%s: please enter a whole number."), name)
	}
	return v, nil
}

func (s *settingsScreen) collectDefaults(st *store.Settings) error {
	st.DefaultItems = strings.TrimSpace(s.defItems.Text)
	st.DefaultCarrier = strings.TrimSpace(s.defCarrier.Text)
	w, err := strconv.ParseFloat(strings.TrimSpace(s.defWeight.Text), 64)
	if err != nil || w <= 0 {
		return fmt.Errorf(i18n.T("%s: please enter a number."), i18n.T("Weight (kg)"))
	}
	st.DefaultWeightKg = w
	if i := s.defPay.SelectedIndex(); i >= 0 {
		st.DefaultPayType = payTypes[i]
	}
	st.Label.Size = s.labelSize.Selected
	st.Label.DPI, _ = strconv.Atoi(s.labelDPI.Selected)
	st.Label.MaskPhones = s.maskPhones.Checked
	return nil
}

func (s *settingsScreen) collectSMS(st *store.Settings) error {
	st.SMS.Enabled = s.smsEnabled.Checked
	var rules []store.SMSMilestone
	for i, w := range s.smsRules {
		rules = append(rules, store.SMSMilestone{
			Milestone: store.DefaultSettings().SMS.Milestones[i].Milestone, Enabled: w.on.Checked,
			TemplateID: strings.TrimSpace(w.tpl.Text), Text: strings.TrimSpace(w.text.Text),
		})
	}
	st.SMS.Milestones = rules
	st.SMS.QuietStart, st.SMS.QuietEnd = strings.TrimSpace(s.quietStart.Text), strings.TrimSpace(s.quietEnd.Text)
	var err error
	st.SMS.DailyCap, err = wholeNumber(i18n.T("Daily cap (messages)"), s.dailyCap.Text)
	return err
}

func (s *settingsScreen) collectTracking(st *store.Settings) error {
	st.Tracking.PollOnly = s.pollOnly.Checked
	st.Tracking.PushListen, st.Tracking.PushURL = strings.TrimSpace(s.pushListen.Text), strings.TrimSpace(s.pushURL.Text)
	st.Tracking.RelayURL = strings.TrimSpace(s.relayURL.Text)
	for _, f := range []struct {
		into *int
		name string
		w    *widget.Entry
	}{
		{&st.Tracking.WindowQueries, i18n.T("Delivery-window queries (0-3)"), s.windowQ},
		{&st.Rules.NotPickedUpHours, i18n.T("Not picked up after (hours)"), s.notPicked},
		{&st.Rules.NoUpdateHours, i18n.T("No update for (hours)"), s.noUpdate},
		{&st.Rules.LateDays, i18n.T("Late after (days)"), s.lateDays},
		{&st.PromisedDays, i18n.T("Delivery promise (days)"), s.promised},
	} {
		v, err := wholeNumber(f.name, f.w.Text)
		if err != nil {
			return err
		}
		*f.into = v
	}
	st.Tracking.WindowQueries = min(max(st.Tracking.WindowQueries, 0), 3)
	return nil
}

func (s *settingsScreen) save() {
	st, err := s.collect()
	if err != nil {
		s.msg.SetText(err.Error())
		return
	}
	token := strings.TrimSpace(s.relayToken.Text)
	s.ui.saveSettings(st, func() {
		s.st = st
		s.msg.SetText(i18n.T("Settings saved."))
		s.trackMode.SetText(trackingMode(st))
		if token == "" {
			return
		}
		// The token is a secret: the service keeps it in its own
		// owner-only file, never the settings; it takes effect at the
		// next start.
		s.ui.act(i18n.T("Settings"), func(ctx context.Context, who shipping.User) error {
			return s.ui.svc.SaveRelayToken(ctx, who, token)
		}, func() { s.relayToken.SetText("") })
	})
}

// trackingMode says which way the station learns of events and what that
// costs (figures from the README's clinic benchmark).
func trackingMode(st store.Settings) string {
	fee := fmt.Sprintf(i18n.T("Kuaidi100 charges %.2f yuan per waybill per month however it is tracked."), float64(st.Prices.TrackingMonthFen)/100)
	switch {
	case st.Tracking.PollOnly || (st.Tracking.RelayURL == "" && st.Tracking.PushURL == "" && st.Tracking.PushListen == ""):
		return i18n.T("Polling only: about 10 real-time queries per delivered parcel, against Kuaidi100's request that automatic updates use push.") + " " + fee
	case st.Tracking.RelayURL != "":
		return fmt.Sprintf(i18n.T("Push through the relay %s: no push is lost while this PC is off; about 0.5 real-time queries per delivered parcel (safety net), plus up to %d delivery-window queries."), st.Tracking.RelayURL, st.Tracking.WindowQueries) + " " + fee
	}
	text := i18n.T("Direct push to this PC: pushes that come while it is off are dropped after 3 retries (about half of all events at a clinic closed at night) and polling recovers them, about 1.3 queries per delivered parcel.") + " " + fee
	if h := firewallHint(st.Tracking.PushListen); h != "" {
		text += " " + h
	}
	return text
}

// saveSettings stores st through shipping (managers only; audited) and
// tells the screens; done runs after a successful save.
func (u *UI) saveSettings(st store.Settings, done func()) {
	u.act(i18n.T("Settings"), func(ctx context.Context, who shipping.User) error {
		return u.svc.SaveSettings(ctx, who, st)
	}, func() {
		u.settingsChanged(st)
		if done != nil {
			done()
		}
	})
}

func (s *settingsScreen) secrets() store.Secrets {
	return store.Secrets{
		Key: strings.TrimSpace(s.key.Text), Customer: strings.TrimSpace(s.customer.Text),
		Secret: strings.TrimSpace(s.secret.Text), UserID: strings.TrimSpace(s.userID.Text),
		SMSSeller: strings.TrimSpace(s.smsSeller.Text),
	}
}

// saveCredentials has the service write the Kuaidi100 credentials (it
// checks the role and audits the change, never the values).
func (s *settingsScreen) saveCredentials() {
	sec := s.secrets()
	var err error
	s.ui.async(func(ctx context.Context, who shipping.User) {
		err = s.ui.svc.SaveCredentials(ctx, who, sec)
	}, func() {
		if err != nil {
			s.ui.deps.Logf("shipdesk: save credentials: %v", err)
			s.connMsg.SetText(shipping.Describe(err))
			return
		}
		s.connMsg.SetText(i18n.T("Credentials saved. Choose Production and save the settings to go live; it takes effect at the next start."))
	})
}

func (s *settingsScreen) testConnection() {
	sec := s.secrets()
	prod := s.production.Selected == s.production.Options[1]
	s.connMsg.SetText(i18n.T("Testing…"))
	var err error
	s.ui.async(func(ctx context.Context, who shipping.User) {
		err = s.ui.deps.TestConnection(ctx, sec, prod)
	}, func() {
		if err != nil {
			s.connMsg.SetText(i18n.T("Connection failed: ") + shipping.Describe(err))
			return
		}
		s.connMsg.SetText(i18n.T("Connection works."))
	})
}

// editSender edits preset i (or adds one when i < 0).
func (s *settingsScreen) editSender(i int) {
	p, ok := s.senders.at(i)
	if !ok {
		i = -1
	}
	name, phone, addr := widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	name.SetText(p.Name)
	phone.SetText(p.Phone)
	addr.SetText(p.Address)
	dialog.ShowForm(i18n.T("Sender"), i18n.T("OK"), i18n.T("Cancel"), []*widget.FormItem{
		widget.NewFormItem(i18n.T("Name"), name), widget.NewFormItem(i18n.T("Phone"), phone), widget.NewFormItem(i18n.T("Address"), addr),
	}, func(ok bool) {
		if !ok {
			return
		}
		p.Name, p.Phone, p.Address = strings.TrimSpace(name.Text), strings.TrimSpace(phone.Text), strings.TrimSpace(addr.Text)
		p.Province, p.City, p.District = shipping.Region(p.Address)
		s.senders.put(i, p)
	}, s.ui.win)
}

// editUser edits user i (or adds one when i < 0); an empty PIN keeps the
// old one, "-" removes it (shipping.ClearPIN tells SaveSettings so).
func (s *settingsScreen) editUser(i int) {
	usr, ok := s.users.at(i)
	if !ok {
		i = -1
		usr.Role = store.RoleFrontDesk
	}
	roles := []store.Role{store.RoleFrontDesk, store.RoleWarehouse, store.RoleManager}
	var roleNames []string
	for _, r := range roles {
		roleNames = append(roleNames, roleText(r))
	}
	name := widget.NewEntry()
	name.SetText(usr.Name)
	role := newSelect(roleNames, nil)
	role.SetSelected(roleText(usr.Role))
	pin := widget.NewPasswordEntry()
	pin.SetPlaceHolder(i18n.T("Empty: keep; - : no PIN"))
	// The form's OK waits for a PIN that follows the rules (the service's
	// sentence says which).
	pin.Validator = func(text string) error {
		if p := strings.TrimSpace(text); p != "" && p != "-" {
			if err := shipping.ValidPIN(p); err != nil {
				return errors.New(shipping.Describe(err))
			}
		}
		return nil
	}
	dialog.ShowForm(i18n.T("User"), i18n.T("OK"), i18n.T("Cancel"), []*widget.FormItem{
		widget.NewFormItem(i18n.T("Name"), name), widget.NewFormItem(i18n.T("Role"), role), widget.NewFormItem(i18n.T("PIN"), pin),
	}, func(ok bool) {
		if !ok || strings.TrimSpace(name.Text) == "" {
			return
		}
		usr.Name = strings.TrimSpace(name.Text)
		if j := role.SelectedIndex(); j >= 0 {
			usr.Role = roles[j]
		}
		switch p := strings.TrimSpace(pin.Text); p {
		case "":
		case "-":
			usr.PINHash, usr.PINSalt = "", shipping.ClearPIN
		default:
			salt, hash, err := shipping.NewPIN(p)
			if err != nil {
				s.ui.showError(i18n.T("User"), err)
				return
			}
			usr.PINSalt, usr.PINHash = salt, hash
		}
		s.users.put(i, usr)
	}, s.ui.win)
}

// backup copies the database to a file the manager chooses.
func (s *settingsScreen) backup() {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		path := w.URI().Path()
		w.Close()
		s.ui.longWork(i18n.T("Backing up…"), func(ctx context.Context, who shipping.User, _ func(float64)) error {
			return s.ui.svc.Backup(ctx, who, path)
		}, func() { s.msg.SetText(fmt.Sprintf(i18n.T("Backup written to %s."), path)) })
	}, s.ui.win)
	d.SetFileName("shipdesk-backup.db")
	d.Show()
}

// export writes every shipment as CSV to a file the manager chooses.
func (s *settingsScreen) export() {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		uri := w.URI()
		s.ui.longWork(i18n.T("Exporting…"), func(ctx context.Context, who shipping.User, _ func(float64)) error {
			err := s.ui.svc.ExportCSV(ctx, who, w)
			if cerr := w.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				_ = storage.Delete(uri)
			}
			return err
		}, func() { s.msg.SetText(fmt.Sprintf(i18n.T("Shipments exported to %s."), uri.Path())) })
	}, s.ui.win)
	d.SetFileName("shipments.csv")
	d.SetFilter(storage.NewExtensionFileFilter([]string{".csv"}))
	d.Show()
}

// longWork shows a progress dialog with a Cancel button while work runs;
// work reports progress in [0,1] (or never, for an endless bar). done runs
// after success; an error (other than cancelling) is shown.
func (u *UI) longWork(title string, work func(ctx context.Context, who shipping.User, progress func(float64)) error, done func()) {
	ctx, cancel := context.WithCancel(u.ctx)
	bar := widget.NewProgressBar()
	inf := widget.NewProgressBarInfinite()
	stack := container.NewStack(inf, bar)
	bar.Hide()
	d := dialog.NewCustomWithoutButtons(title, container.NewVBox(stack,
		widget.NewButtonWithIcon(i18n.T("Cancel"), theme.CancelIcon(), cancel)), u.win)
	d.Resize(fyne.NewSize(420, 140))
	d.Show()
	var err error
	u.async(func(_ context.Context, who shipping.User) {
		err = work(ctx, who, func(f float64) {
			u.onMain(false, func() {
				inf.Hide()
				inf.Stop()
				bar.Show()
				bar.SetValue(f)
			})
		})
	}, func() {
		cancel()
		inf.Stop()
		d.Hide()
		switch {
		case err == nil:
			if done != nil {
				done()
			}
		case errors.Is(err, context.Canceled):
			dialog.ShowInformation(title, i18n.T("Stopped."), u.win)
		default:
			u.showError(title, err)
		}
	})
}
