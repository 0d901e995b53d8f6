// Package sms sends the patient notifications a centre enabled (shipped, out
// for delivery, delivered, problem) through a template SMS provider
// (Kuaidi100), and keeps the log of every message and its delivery status in
// the store.
//
// # Rules
//
//   - At most one SMS per milestone per shipment, ever. Before the provider is
//     called the message is stored in state intent; after the call it becomes
//     sent or failed. An intent found later (the program stopped between the
//     two writes) is never resent automatically, because the provider has no
//     way to ask whether it went out: it is marked failed with the reply
//     "发送结果未知（程序中断），如需请手动重发" and a person may use Resend.
//     A delivery receipt that arrives later still moves it to delivered.
//   - Quiet hours (default 21:00-08:00, local time) hold messages until the
//     window ends; Run sends them then, checking the rule, the opt-out and
//     the cap again at that moment.
//   - A daily cap (messages and money, local day, from the store's counters)
//     stops sending: the message is stored as skipped with the reason and an
//     sms_cap exception is raised for the manager (once per day).
//   - A patient who opted out (the shipment's OptOutSMS or the phone in the
//     settings' opt-out list) gets nothing; the decision is logged as
//     skipped. So is a recipient whose phone is not a mobile number.
//   - Settings are read from the store at every decision, so changes made in
//     the GUI apply at once.
//
// Decisions and sends are serialised by one mutex per Notifier, which is
// what makes the per-milestone check-then-record atomic; the store file lock
// means only one process (and so one Notifier) works on a data folder.
package sms

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"shipdesk/assets/i18n"
	"shipdesk/kuaidi100"
	"shipdesk/store"
)

// Store is what the notifier needs from the database; *store.DB implements
// it. Its methods must be safe for concurrent use.
type Store interface {
	Settings(ctx context.Context) (store.Settings, error)
	Shipment(ctx context.Context, waybill string) (store.Shipment, error)
	Events(ctx context.Context, waybill string) ([]store.TrackingEvent, error)
	AddSMS(ctx context.Context, m *store.SMSMessage) error
	UpdateSMS(ctx context.Context, id uint64, fn func(*store.SMSMessage) error) (store.SMSMessage, error)
	SMSByOutOrder(ctx context.Context, outOrder string) (store.SMSMessage, error)
	SMSFor(ctx context.Context, waybill string) ([]store.SMSMessage, error)
	SMSInState(ctx context.Context, st store.SMSState) ([]store.SMSMessage, error)
	SMSDay(ctx context.Context, day time.Time) (count, costFen int, err error)
	RaiseException(ctx context.Context, e *store.Exception) (raised bool, err error)
	Audit(ctx context.Context, e store.AuditEntry) error
}

// Config wires a Notifier.
type Config struct {
	// DB stores messages, settings and counters. Required.
	DB Store
	// Client sends through the provider. Required.
	Client Sender
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Location is where quiet hours and the daily cap's day are reckoned;
	// nil means time.Local (the station's clock, Asia/Shanghai in practice).
	Location *time.Location
	// CallbackURL is where the provider posts delivery receipts (the path
	// CallbackHandler is served at); empty means no receipts.
	CallbackURL string
	// Logf logs detail for the operator; nil discards.
	Logf func(format string, args ...any)
	// StaleIntent is how old an intent must be before Run treats its send
	// as interrupted; 0 means 2 minutes (longer than any provider call).
	StaleIntent time.Duration
	// Rescan is how often Run looks at held messages and intents even when
	// nothing woke it; 0 means 1 minute.
	Rescan time.Duration
	// SendTimeout bounds one provider call, so that a hung provider cannot
	// hold up the tracking worker (whose push replies must leave within
	// 20 s); 0 means 15 seconds. A timed-out send is logged as failed.
	SendTimeout time.Duration
}

// Notifier decides, sends and logs SMS notifications. Create it with New.
// All methods are safe for concurrent use; Run is called once by the owner
// (main), and returns when its context ends.
type Notifier struct {
	db          Store
	client      Sender
	now         func() time.Time
	loc         *time.Location
	callbackURL string
	logf        func(string, ...any)
	stale       time.Duration
	rescan      time.Duration
	sendTimeout time.Duration

	kick chan struct{} // wakes Run when a message is held

	mu         sync.Mutex // serialises decisions and sends
	capDay     string     // local day an sms_cap exception was raised
	lastWarned string     // last settings warning logged
}

// Errors returned by Resend, in English for the log; Explain gives the
// sentence a clerk reads.
var (
	ErrDisabled      = errors.New("sms notifications are off")
	ErrNoTemplate    = errors.New("no sms template for this milestone")
	ErrOptedOut      = errors.New("patient opted out of sms")
	ErrNoMobile      = errors.New("recipient phone is not a mobile number")
	ErrCapReached    = errors.New("daily sms cap reached")
	ErrPending       = errors.New("sms already waiting to be sent")
	ErrAlreadyResent = errors.New("sms already resent once")
)

// sentences maps each sentinel to the catalogue key (package i18n) of the
// sentence a clerk reads.
var sentences = []struct {
	err error
	key string
}{
	{ErrDisabled, i18n.N("SMS reminders are off: turn SMS on in Settings first.")},
	{ErrNoTemplate, i18n.N("This milestone has no SMS template: enter the template number in Settings first.")},
	{ErrOptedOut, i18n.N("The patient has opted out of SMS: no message can be sent.")},
	{ErrNoMobile, i18n.N("The recipient's phone is not a mobile number: no SMS can be sent.")},
	{ErrCapReached, i18n.N("Today's SMS limit is reached: send it tomorrow, or ask a manager to raise the limit in Settings.")},
	{ErrPending, i18n.N("This SMS is already waiting to be sent: please do not send it again.")},
	{ErrAlreadyResent, i18n.N("This SMS has already been resent by hand once and cannot be sent again.")},
}

// Explain returns the catalogue key of the sentence a clerk reads for an
// error of this package, and false for an error it does not know.
func Explain(err error) (key string, ok bool) {
	for _, s := range sentences {
		if errors.Is(err, s.err) {
			return s.key, true
		}
	}
	return "", false
}

// Reasons stored in a message's Reply. They are shown in the SMS log.
const (
	ReplyUnknown    = "发送结果未知（程序中断），如需请手动重发"
	ReplyOptedOut   = "患者已退订短信，未发送"
	ReplyNoMobile   = "收件人电话不是手机号，未发送"
	ReplyDisabled   = "短信提醒已关闭，未发送"
	ReplyNoTemplate = "这个节点没有配置短信模板编号，未发送"
)

const (
	manualPrefix       = "人工重发"
	receiptPrefix      = "回执："
	replySeparator     = "；"
	defaultStale       = 2 * time.Minute
	defaultRescan      = time.Minute
	defaultSendTimeout = 15 * time.Second
	auditResend        = "sms_resend"
	capExceptionKey    = "" // the sms_cap exception is station-wide, not per waybill
)

// New returns a Notifier. It starts nothing; the owner calls Run.
func New(cfg Config) *Notifier {
	n := &Notifier{
		db:          cfg.DB,
		client:      cfg.Client,
		now:         cfg.Now,
		loc:         cfg.Location,
		callbackURL: cfg.CallbackURL,
		logf:        cfg.Logf,
		stale:       cfg.StaleIntent,
		rescan:      cfg.Rescan,
		sendTimeout: cfg.SendTimeout,
		kick:        make(chan struct{}, 1),
	}
	if n.now == nil {
		n.now = time.Now
	}
	if n.loc == nil {
		n.loc = time.Local
	}
	if n.logf == nil {
		n.logf = func(string, ...any) {}
	}
	if n.stale <= 0 {
		n.stale = defaultStale
	}
	if n.rescan <= 0 {
		n.rescan = defaultRescan
	}
	if n.sendTimeout <= 0 {
		n.sendTimeout = defaultSendTimeout
	}
	return n
}

// Notify is called when shipment s reaches milestone m (it implements
// tracking.Notifier). It sends, holds or skips the SMS for that milestone,
// or does nothing when the milestone is not enabled or a message for it
// already exists. It returns an error only when the store fails or the
// provider refused the message (which is then logged as failed, not
// retried).
func (n *Notifier) Notify(ctx context.Context, s store.Shipment, m store.Milestone) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	st, rule, due, err := n.notifyDue(ctx, s, m)
	if err != nil || !due {
		return err
	}
	msg := n.compose(ctx, s, m, rule, st)
	if msg.Phone == "" && refusal(st, s) != "" {
		// Nothing to log against (the store keys messages by phone).
		n.logf("sms: %s %s: no recipient phone; not sent", s.Waybill, m)
		return nil
	}
	send, err := n.decideAutomatic(ctx, st, s, &msg)
	if err != nil || !send {
		return err
	}
	_, err = n.send(ctx, msg)
	return err
}

// notifyDue reports whether s reaching m calls for a message: SMS is on,
// the milestone's rule is enabled and no message for it exists yet.
func (n *Notifier) notifyDue(ctx context.Context, s store.Shipment, m store.Milestone) (st store.Settings, rule store.SMSMilestone, due bool, err error) {
	st, err = n.db.Settings(ctx)
	if err != nil {
		return st, rule, false, fmt.Errorf("sms notify %s: settings: %w", s.Waybill, err)
	}
	rule, ok := ruleFor(st.SMS, m)
	if !st.SMS.Enabled || !ok || !rule.Enabled {
		return st, rule, false, nil
	}
	existing, err := n.db.SMSFor(ctx, s.Waybill)
	if err != nil {
		return st, rule, false, fmt.Errorf("sms notify %s: list messages: %w", s.Waybill, err)
	}
	for _, e := range existing {
		if e.Milestone == m {
			return st, rule, false, nil
		}
	}
	return st, rule, true, nil
}

// decideAutomatic stores msg as skipped (opted out, no mobile, no
// template, daily cap), held (quiet hours) or as the intent to send it
// now; send reports the last.
func (n *Notifier) decideAutomatic(ctx context.Context, st store.Settings, s store.Shipment, msg *store.SMSMessage) (send bool, err error) {
	if reason := refusal(st, s); reason != "" {
		msg.State, msg.Reply = store.SMSSkipped, reason
		return false, n.add(ctx, msg)
	}
	if strings.TrimSpace(msg.TemplateID) == "" {
		msg.State, msg.Reply = store.SMSSkipped, ReplyNoTemplate
		return false, n.add(ctx, msg)
	}
	now := n.now().In(n.loc)
	if q := n.quietHours(st); q.contains(now) {
		msg.State = store.SMSHeld
		msg.SendAfter = q.nextEnd(now)
		if err := n.add(ctx, msg); err != nil {
			return false, err
		}
		n.logf("sms: %s %s held until %s (quiet hours)", s.Waybill, msg.Milestone, msg.SendAfter.Format(time.DateTime))
		n.wake()
		return false, nil
	}
	if reason, err := n.capReason(ctx, st, msg.CostFen); err != nil {
		return false, err
	} else if reason != "" {
		msg.State, msg.Reply = store.SMSSkipped, reason
		if err := n.add(ctx, msg); err != nil {
			return false, err
		}
		n.raiseCap(ctx, reason)
		return false, nil
	}
	msg.State = store.SMSIntent
	return true, n.add(ctx, msg)
}

// Resend sends the SMS for (waybill, m) again because a person asked. It is
// allowed once per milestone beyond the automatic message (again if that
// manual message failed), is flagged as manual in the message's Reply, and
// audited under who. In quiet hours the message is held until morning. It
// returns the stored message, or one of the Err* sentinels wrapped.
func (n *Notifier) Resend(ctx context.Context, who, waybill string, m store.Milestone) (store.SMSMessage, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	fail := func(err error) (store.SMSMessage, error) {
		return store.SMSMessage{}, fmt.Errorf("sms resend %s %s: %w", waybill, m, err)
	}
	st, rule, s, err := n.resendAllowed(ctx, waybill, m)
	if err != nil {
		return fail(err)
	}
	msg := n.compose(ctx, s, m, rule, st)
	msg.Reply = manualPrefix + "（" + who + "）"
	if err := n.decideManual(ctx, st, &msg); err != nil {
		return fail(err)
	}
	if err := n.add(ctx, &msg); err != nil {
		return fail(err)
	}
	detail := fmt.Sprintf("milestone=%s outOrder=%s state=%s", m, msg.OutOrder, msg.State)
	if err := n.db.Audit(ctx, store.AuditEntry{Time: n.now(), Who: who, Action: auditResend, Target: waybill, Detail: detail}); err != nil {
		n.logf("sms: audit resend %s: %v", waybill, err)
	}
	if msg.State == store.SMSHeld {
		n.wake()
		return msg, nil
	}
	return n.send(ctx, msg)
}

// resendAllowed checks that a person may have the message for (waybill,
// m) sent again: SMS on, a template for m, no message for m pending and
// no manual one sent already, the patient reachable and not opted out.
func (n *Notifier) resendAllowed(ctx context.Context, waybill string, m store.Milestone) (st store.Settings, rule store.SMSMilestone, s store.Shipment, err error) {
	if st, err = n.db.Settings(ctx); err != nil {
		return st, rule, s, err
	}
	if !st.SMS.Enabled {
		return st, rule, s, ErrDisabled
	}
	rule, ok := ruleFor(st.SMS, m)
	if !ok || strings.TrimSpace(rule.TemplateID) == "" {
		return st, rule, s, ErrNoTemplate
	}
	if s, err = n.db.Shipment(ctx, waybill); err != nil {
		return st, rule, s, err
	}
	existing, err := n.db.SMSFor(ctx, waybill)
	if err != nil {
		return st, rule, s, err
	}
	for _, e := range existing {
		if e.Milestone != m {
			continue
		}
		switch {
		case e.State == store.SMSIntent || e.State == store.SMSHeld:
			return st, rule, s, ErrPending
		case isManual(e) && (e.State == store.SMSSent || e.State == store.SMSDelivered):
			return st, rule, s, ErrAlreadyResent
		}
	}
	switch refusal(st, s) {
	case "":
	case ReplyOptedOut:
		return st, rule, s, ErrOptedOut
	default:
		return st, rule, s, ErrNoMobile
	}
	return st, rule, s, nil
}

// decideManual gives a resent message its state: held in quiet hours,
// else the intent to send it now; ErrCapReached (and the cap exception)
// when the daily cap leaves no room.
func (n *Notifier) decideManual(ctx context.Context, st store.Settings, msg *store.SMSMessage) error {
	now := n.now().In(n.loc)
	if q := n.quietHours(st); q.contains(now) {
		msg.State = store.SMSHeld
		msg.SendAfter = q.nextEnd(now)
		return nil
	}
	reason, err := n.capReason(ctx, st, msg.CostFen)
	if err != nil {
		return err
	}
	if reason != "" {
		n.raiseCap(ctx, reason)
		return ErrCapReached
	}
	msg.State = store.SMSIntent
	return nil
}

// compose builds the message for s at m from the rule, without a state.
func (n *Notifier) compose(ctx context.Context, s store.Shipment, m store.Milestone, rule store.SMSMilestone, st store.Settings) store.SMSMessage {
	vars := map[string]string{
		"name":    s.RecipientName,
		"carrier": carrierName(s.Carrier),
		"waybill": s.Waybill,
		"code":    "",
	}
	if m == store.MilestoneOutForDelivery || m == store.MilestoneDelivered {
		evs, err := n.db.Events(ctx, s.Waybill)
		if err != nil {
			n.logf("sms: events of %s: %v", s.Waybill, err)
		}
		vars["code"] = pickupCodeOf(evs)
	}
	content := Render(rule.Text, vars)
	segs := max(Segments(content), 1)
	return store.SMSMessage{
		Waybill:    s.Waybill,
		Milestone:  m,
		TemplateID: rule.TemplateID,
		Phone:      normalizePhone(s.RecipientPhone),
		Vars:       vars,
		Content:    content,
		Segments:   segs,
		CostFen:    segs * max(st.Prices.SMSSegmentFen, 0),
		CreatedAt:  n.now(),
	}
}

// pickupCodeOf returns the code in the newest event that mentions one.
// Events come newest first; an event with a later time still wins should a
// caller pass them unsorted.
func pickupCodeOf(evs []store.TrackingEvent) string {
	var newest time.Time
	code := ""
	for _, e := range evs {
		if c := PickupCode(e.Context); c != "" && (code == "" || e.Time.After(newest)) {
			newest, code = e.Time, c
		}
	}
	return code
}

// add stores a new message.
func (n *Notifier) add(ctx context.Context, m *store.SMSMessage) error {
	m.UpdatedAt = n.now()
	if err := n.db.AddSMS(ctx, m); err != nil {
		return fmt.Errorf("sms record %s %s: %w", m.Waybill, m.Milestone, err)
	}
	return nil
}

// send calls the provider for a message already stored as intent and stores
// the outcome. Called with n.mu held.
func (n *Notifier) send(ctx context.Context, m store.SMSMessage) (store.SMSMessage, error) {
	req := kuaidi100.SMSRequest{
		Phone:       m.Phone,
		TemplateID:  m.TemplateID,
		Vars:        providerVars(m.Vars),
		OutOrder:    m.OutOrder,
		CallbackURL: n.callbackURL,
	}
	sctx, cancel := context.WithTimeout(ctx, n.sendTimeout)
	res, sendErr := n.client.SendSMS(sctx, req)
	cancel()
	// The outcome must be written even when ctx ended during the call.
	wctx := context.WithoutCancel(ctx)
	now := n.now()
	out, err := n.db.UpdateSMS(wctx, m.ID, func(cur *store.SMSMessage) error {
		cur.UpdatedAt = now
		if sendErr != nil {
			cur.Reply = joinReply(cur.Reply, "发送失败："+sendErr.Error())
			if cur.State == store.SMSIntent {
				cur.State = store.SMSFailed
			}
			return nil
		}
		cur.SentAt = now
		cur.Reply = joinReply(cur.Reply, resultText(res))
		// A receipt may have arrived while the call was still returning.
		if cur.State == store.SMSIntent {
			cur.State = store.SMSSent
		}
		return nil
	})
	if err != nil {
		return m, fmt.Errorf("sms record outcome %s: %w", m.OutOrder, err)
	}
	if sendErr != nil {
		n.logf("sms: send %s %s to %s failed: %v", m.Waybill, m.Milestone, store.MaskPhone(m.Phone), sendErr)
		return out, fmt.Errorf("sms send %s %s: %w", m.Waybill, m.Milestone, sendErr)
	}
	n.logf("sms: sent %s %s to %s (%s)", m.Waybill, m.Milestone, store.MaskPhone(m.Phone), m.OutOrder)
	return out, nil
}

// providerVars are the template variables sent to the provider: every
// variable, the empty ones included, since the template names them all.
func providerVars(v map[string]string) map[string]string {
	out := make(map[string]string, len(v))
	for k, x := range v {
		out[k] = x
	}
	return out
}

func joinReply(old, add string) string {
	switch {
	case add == "":
		return old
	case old == "":
		return add
	}
	return old + replySeparator + add
}

func isManual(m store.SMSMessage) bool { return strings.HasPrefix(m.Reply, manualPrefix) }

// ruleFor finds the rule for m.
func ruleFor(s store.SMSSettings, m store.Milestone) (store.SMSMilestone, bool) {
	for _, r := range s.Milestones {
		if r.Milestone == m {
			return r, true
		}
	}
	return store.SMSMilestone{}, false
}

var mobileRE = regexp.MustCompile(`^1[3-9][0-9]{9}$`)

// normalizePhone strips spaces, hyphens and a +86/0086 prefix.
func normalizePhone(p string) string {
	p = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\u00a0' || r == '\t' {
			return -1
		}
		return r
	}, p)
	for _, pre := range []string{"+86", "0086", "86"} {
		if strings.HasPrefix(p, pre) && len(p)-len(pre) == 11 {
			return p[len(pre):]
		}
	}
	return p
}

// refusal returns why s must not get an SMS at all, or "".
func refusal(st store.Settings, s store.Shipment) string {
	phone := normalizePhone(s.RecipientPhone)
	if s.OptOutSMS {
		return ReplyOptedOut
	}
	for _, p := range st.SMS.OptOut {
		if normalizePhone(p) == phone {
			return ReplyOptedOut
		}
	}
	if !mobileRE.MatchString(phone) {
		return ReplyNoMobile
	}
	return ""
}

// quietHours reads the window from the settings, logging a bad value once.
func (n *Notifier) quietHours(st store.Settings) quiet {
	q, err := parseQuiet(st.SMS.QuietStart, st.SMS.QuietEnd)
	if err != nil {
		if msg := err.Error(); msg != n.lastWarned {
			n.lastWarned = msg
			n.logf("sms: settings: %v; using 21:00-08:00", err)
		}
	}
	return q
}

// capReason returns a non-empty reason when sending one more message costing
// costFen would pass today's cap.
func (n *Notifier) capReason(ctx context.Context, st store.Settings, costFen int) (string, error) {
	c := st.SMS
	if c.DailyCap <= 0 && c.DailyCapFen <= 0 {
		return "", nil
	}
	count, spent, err := n.db.SMSDay(ctx, n.now().In(n.loc))
	if err != nil {
		return "", fmt.Errorf("sms daily cap: %w", err)
	}
	if c.DailyCap > 0 && count+1 > c.DailyCap {
		return fmt.Sprintf("已达到今日短信条数上限（%d 条），未发送", c.DailyCap), nil
	}
	if c.DailyCapFen > 0 && spent+costFen > c.DailyCapFen {
		return fmt.Sprintf("已达到今日短信费用上限（%s 元），未发送", yuan(c.DailyCapFen)), nil
	}
	return "", nil
}

// raiseCap raises the station-wide sms_cap exception, once per local day.
func (n *Notifier) raiseCap(ctx context.Context, reason string) {
	now := n.now().In(n.loc)
	day := now.Format(time.DateOnly)
	if n.capDay == day {
		return
	}
	e := &store.Exception{
		Waybill:  capExceptionKey,
		Kind:     store.ExcSMSCap,
		Detail:   fmt.Sprintf("%s：%s。之后的短信提醒不会发出，请主管在设置中提高上限，或明天由前台手动重发。", day, strings.TrimSuffix(reason, "，未发送")),
		RaisedAt: n.now(),
	}
	if _, err := n.db.RaiseException(ctx, e); err != nil {
		n.logf("sms: raise cap exception: %v", err)
		return
	}
	n.capDay = day
	n.logf("sms: daily cap reached: %s", reason)
}

func yuan(fen int) string { return fmt.Sprintf("%d.%02d", fen/100, fen%100) }

func (n *Notifier) wake() {
	select {
	case n.kick <- struct{}{}:
	default:
	}
}
