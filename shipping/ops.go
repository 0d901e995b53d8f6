package shipping

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"

	"shipdesk/kuaidi100"
	"shipdesk/printer/label"
	"shipdesk/store"
)

// PreviewWaybill returns the placeholder number a preview shows for a
// carrier: zeros of the length (and letter prefix) of the carrier's real
// numbers, so the barcode takes the room the real one will.
func PreviewWaybill(carrier string) string {
	switch carrier {
	case "shunfeng":
		return "SF0000000000000"
	case "yuantong":
		return "YT0000000000000"
	case "jtexpress":
		return "JT0000000000000"
	case "jd":
		return "JD0000000000000"
	case "debangkuaidi":
		return "DPK000000000000"
	case "zhongtong":
		return "00000000000000"
	case "shentong", "yunda":
		return "000000000000000"
	case "ems", "youzhengguonei":
		return "0000000000000"
	}
	return "000000000000"
}

// Preview renders the label an order would print, before any waybill
// exists: the real template with a placeholder number (PreviewWaybill) and
// "预览 PREVIEW" across the top, so nobody mistakes it for a real label.
// With a waybill on the order it renders that waybill unmarked.
func (s *Service) Preview(ctx context.Context, o store.Order, size label.Size, dpi int) (*image.Gray, error) {
	st, err := s.d.DB.Settings(ctx)
	if err != nil {
		return nil, fmt.Errorf("preview: settings: %w", err)
	}
	o = normalizeOrder(o)
	_, size, dpi, _ = s.resolvePrint(st, ShipOptions{Size: size, DPI: dpi, PrinterURI: "virtual:"})
	placeholder := o.Waybill == ""
	if placeholder {
		o.Waybill = PreviewWaybill(o.Carrier)
	}
	d := label.DataFromOrder(o, nil, s.now(), st.Label.MaskPhones)
	l, err := label.EWaybill(d, size, dpi)
	if err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	img, err := label.Render(l)
	if err != nil {
		return nil, fmt.Errorf("preview: render: %w", err)
	}
	if placeholder {
		markPreview(img)
	}
	return img, nil
}

// markPreview stamps "预览 PREVIEW" in a white box across the label's top.
func markPreview(img *image.Gray) {
	b := img.Bounds()
	h := b.Dy() / 14
	w := b.Dx() * 2 / 3
	x, y := (b.Dx()-w)/2, b.Dy()/40
	t, err := label.FitText("预览 PREVIEW 非正式面单", label.TextOpts{W: w - 16, H: h - 8, MaxPx: h - 8, MinPx: 8, MaxLines: 1, Align: label.Center, Bold: true})
	if err != nil || t == nil {
		label.DrawBox(img, x, y, w, h, 4)
		return
	}
	white := label.NewBitmap(w, h)
	label.DrawBitmap(img, x, y, white, true)
	label.DrawBox(img, x, y, w, h, 4)
	label.DrawBitmap(img, x+(w-t.Bitmap.W)/2, y+(h-t.Bitmap.H)/2, t.Bitmap, false)
}

// SuggestCarriers proposes carriers for an order: for an order that has a
// waybill number, the carriers that number may belong to (online
// autonumber, else the offline guess); otherwise the default carrier from
// the settings, then the carriers most used lately, then the common ones.
func (s *Service) SuggestCarriers(ctx context.Context, o store.Order) []kuaidi100.Candidate {
	if num := strings.TrimSpace(o.Waybill); num != "" {
		if s.d.Waybills != nil {
			if c, err := s.d.Waybills.AutoNumber(ctx, num); err == nil && len(c) > 0 {
				return c
			}
		}
		return kuaidi100.Guess(num)
	}
	var out []kuaidi100.Candidate
	seen := map[string]bool{}
	add := func(code string, conf float64, src string) {
		if code == "" || seen[code] || !KnownCarrier(code) {
			return
		}
		seen[code] = true
		out = append(out, kuaidi100.Candidate{Code: code, Name: kuaidi100.CarrierName(code), Confidence: conf, Source: src})
	}
	if st, err := s.d.DB.Settings(ctx); err == nil {
		add(st.DefaultCarrier, 0.9, "settings")
	}
	if c, err := s.d.DB.Counts(ctx, s.now(), 1); err == nil {
		type kv struct {
			code string
			n    int
		}
		var used []kv
		total := 0
		for code, n := range c.ByCarrier {
			used = append(used, kv{code, n})
			total += n
		}
		sort.Slice(used, func(i, j int) bool {
			if used[i].n != used[j].n {
				return used[i].n > used[j].n
			}
			return used[i].code < used[j].code
		})
		for _, u := range used {
			add(u.code, 0.5*float64(u.n)/float64(max(total, 1)), "history")
		}
	}
	for _, code := range []string{"zhongtong", "yuantong", "shentong", "yunda", "jtexpress", "shunfeng", "ems", "jd"} {
		add(code, 0.05, "common")
	}
	return out
}

// Reprint prints a waybill's label again on printerURI (empty: the default
// printer). A reason is required; the reprint is counted on the shipment
// and written to the audit log. A cancelled waybill is not reprinted.
func (s *Service) Reprint(ctx context.Context, u User, waybill, reason, printerURI string) (store.PrintJob, error) {
	if err := s.allow(u, ActReprint); err != nil {
		return store.PrintJob{}, err
	}
	reason = strings.TrimSpace(reason)
	if !reasonOK(reason) {
		return store.PrintJob{}, fmt.Errorf("reprint %s: %w", waybill, ErrReasonRequired)
	}
	sh, err := s.shipment(ctx, waybill)
	if err != nil {
		return store.PrintJob{}, err
	}
	if sh.Milestone == store.MilestoneCancelled {
		return store.PrintJob{}, fmt.Errorf("reprint %s: %w", waybill, ErrCancelled)
	}
	st, err := s.d.DB.Settings(ctx)
	if err != nil {
		return store.PrintJob{}, fmt.Errorf("reprint: settings: %w", err)
	}
	o := s.orderOf(ctx, sh, st)
	job, _, err := s.printLabel(ctx, u, st, o, sh, ShipOptions{PrinterURI: printerURI}, true, reason)
	if err != nil {
		return job, fmt.Errorf("reprint %s: %w", waybill, err)
	}
	// The label is queued: it is counted and audited even if ctx ended.
	ctx = context.WithoutCancel(ctx)
	if _, err := s.d.DB.UpdateShipment(ctx, sh.Waybill, func(x *store.Shipment) error {
		x.ReprintCount++
		return nil
	}); err != nil {
		s.logf("shipping: count reprint %s: %v", sh.Waybill, err)
	}
	s.audit(ctx, u, "reprint", sh.Waybill, fmt.Sprintf("原因：%s；打印机：%s；任务 %d %s", reason, job.PrinterURI, job.ID, job.State))
	return job, nil
}

// orderOf returns the order behind a shipment, or one rebuilt from the
// shipment and the settings' sender for a waybill stored without its order.
func (s *Service) orderOf(ctx context.Context, sh store.Shipment, st store.Settings) store.Order {
	if sh.OrderID != "" {
		if o, err := s.d.DB.Order(ctx, sh.OrderID); err == nil {
			return o
		}
	}
	o := store.Order{
		ID: sh.OrderID, Reference: sh.Reference, Carrier: sh.Carrier, Waybill: sh.Waybill,
		Recipient: store.Party{Name: sh.RecipientName, Phone: sh.RecipientPhone, Address: sh.RecipientAddr},
		Items:     st.DefaultItems, Count: 1, Product: st.DefaultProduct, PayType: st.DefaultPayType,
	}
	if len(st.Senders) > 0 {
		o.Sender = st.Senders[0]
	}
	return o
}

func (s *Service) shipment(ctx context.Context, waybill string) (store.Shipment, error) {
	w := CleanScan(waybill)
	sh, err := s.d.DB.Shipment(ctx, w)
	if errors.Is(err, store.ErrNotFound) {
		return sh, fmt.Errorf("%s: %w", w, ErrNoWaybill)
	}
	if err != nil {
		return sh, fmt.Errorf("load shipment %s: %w", w, err)
	}
	return sh, nil
}

func (s *Service) audit(ctx context.Context, u User, action, target, detail string) {
	if err := s.d.DB.Audit(ctx, store.AuditEntry{Time: s.now(), Who: u.Name, Action: action, Target: target, Detail: detail}); err != nil {
		s.logf("shipping: audit %s %s: %v", action, target, err)
	}
}

// Cancel cancels a waybill that has not been picked up yet, through
// Kuaidi100's cancel API; the shipment becomes cancelled, its unsent print
// jobs are cancelled and the action is audited. A picked-up parcel gives
// ErrPickedUp. Cancelling a cancelled waybill again does nothing.
func (s *Service) Cancel(ctx context.Context, u User, waybill, reason string) error {
	if err := s.allow(u, ActCancel); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if !reasonOK(reason) {
		return fmt.Errorf("cancel %s: %w", waybill, ErrReasonRequired)
	}
	sh, err := s.shipment(ctx, waybill)
	if err != nil {
		return err
	}
	switch sh.Milestone {
	case store.MilestoneCancelled:
		return nil
	case store.MilestoneUnknown, store.MilestoneOrdered:
	default:
		return fmt.Errorf("cancel %s (%s): %w", sh.Waybill, sh.Milestone, ErrPickedUp)
	}
	req := kuaidi100.CancelRequest{Com: sh.Carrier, Num: sh.Waybill, Reason: reason, OrderID: s.carrierOrder(ctx, sh.Waybill)}
	if err := s.d.Waybills.Cancel(ctx, req); err != nil {
		if errors.Is(err, kuaidi100.ErrAlreadyPickedUp) {
			return fmt.Errorf("cancel %s: %w", sh.Waybill, ErrPickedUp)
		}
		return fmt.Errorf("cancel %s: %w", sh.Waybill, err)
	}
	// Kuaidi100 has cancelled it: the local record, the jobs, the order
	// and the audit entry are written even if ctx ends meanwhile.
	ctx = context.WithoutCancel(ctx)
	now := s.now()
	if _, err := s.d.DB.UpdateShipment(ctx, sh.Waybill, func(x *store.Shipment) error {
		x.Milestone = store.MilestoneCancelled
		x.SetMilestoneTime(store.MilestoneCancelled, now)
		x.NextPollAt = time.Time{}
		return nil
	}); err != nil {
		return fmt.Errorf("cancel %s: store: %w", sh.Waybill, err)
	}
	if jobs, err := s.d.DB.Jobs(ctx, store.JobFilter{Waybill: sh.Waybill}); err == nil {
		for _, j := range jobs {
			if j.State == store.JobQueued || j.State == store.JobFailed {
				if err := s.d.Queue.Cancel(ctx, j.ID, u.Name); err != nil {
					s.logf("shipping: cancel job %d of %s: %v", j.ID, sh.Waybill, err)
				}
			}
		}
	}
	if sh.OrderID != "" {
		unlock := s.lock(sh.OrderID)
		if o, err := s.d.DB.Order(ctx, sh.OrderID); err == nil && o.Step != store.StepDone {
			o.Step, o.LastError = store.StepDone, ErrCancelled.Error()
			if err := s.d.DB.SaveOrder(ctx, &o); err != nil {
				s.logf("shipping: close order %s: %v", o.ID, err)
			}
		}
		unlock()
	}
	s.audit(ctx, u, "cancel", sh.Waybill, "原因："+reason)
	return nil
}

// carrierOrder finds the carrier order number recorded when the waybill was
// issued (cancel needs it for some carriers). The shipment record has no
// field for it, so it is kept in the waybill's audit entry; the search is
// bounded to the latest entries.
func (s *Service) carrierOrder(ctx context.Context, waybill string) string {
	entries, err := s.d.DB.AuditLog(ctx, 5000)
	if err != nil {
		return ""
	}
	for _, e := range entries {
		if e.Action == "waybill" && e.Target == waybill {
			for _, f := range strings.Fields(e.Detail) {
				if v, ok := strings.CutPrefix(f, "carrierOrder="); ok {
					return v
				}
			}
			return ""
		}
	}
	return ""
}

var (
	waybillLikeRe = regexp.MustCompile(`^[A-Z]{0,4}\d{8,22}$`)
	last4Re       = regexp.MustCompile(`^\d{4}$`)
)

// CleanScan tidies what a barcode scanner or a person typed as a waybill
// number: spaces, control characters (a scanner's Enter or Tab), full-width
// characters and lower case are removed.
func CleanScan(s string) string {
	s = narrow(s)
	var b strings.Builder
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == '-' {
			continue
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

// Search finds shipments by what a person typed or scanned: a waybill
// number (exact), a mobile number or its last four digits, a name (exact or
// prefix), the clinic's reference (配镜单号) or our order id (exact; case,
// spaces and dashes ignored), or nothing (everything created in the date
// range). A query shaped like a waybill or a phone that finds nothing as
// one is tried as a reference; any other text finds reference matches
// first, then names. from and to, when not zero, limit the results to
// shipments created in that range; to is inclusive of its whole day. Every
// lookup uses the store's indexes. Phones are masked unless the role may
// see them. limit <= 0 means 200.
func (s *Service) Search(ctx context.Context, u User, q string, from, to time.Time, limit int) ([]store.Shipment, error) {
	if err := s.allow(u, ActSearch); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 200
	}
	q = strings.TrimSpace(narrow(q))
	var (
		found    []store.Shipment
		err      error
		triedRef bool
	)
	scan := CleanScan(q)
	phone := NormalizePhone(q)
	switch {
	case q == "":
		f, t := from, to
		if f.IsZero() {
			f = s.now().AddDate(0, 0, -30)
		}
		if t.IsZero() {
			t = s.now()
		}
		found, err = s.d.DB.ShipmentsByDay(ctx, f, t, limit)
	case ValidMobile(phone):
		found, err = s.d.DB.ShipmentsByPhone(ctx, phone, limit)
		if err == nil && len(found) == 0 && waybillLikeRe.MatchString(scan) {
			// Some waybill numbers look like mobile numbers.
			if sh, gerr := s.d.DB.Shipment(ctx, scan); gerr == nil {
				found = []store.Shipment{sh}
			}
		}
	case last4Re.MatchString(scan):
		found, err = s.d.DB.ShipmentsByPhone(ctx, scan, limit)
	case waybillLikeRe.MatchString(scan):
		var sh store.Shipment
		sh, err = s.d.DB.Shipment(ctx, scan)
		if err == nil {
			found = []store.Shipment{sh}
		} else if errors.Is(err, store.ErrNotFound) {
			err = nil
		}
	case ValidPhone(phone):
		found, err = s.d.DB.ShipmentsByPhone(ctx, phone, limit)
	default:
		// Free text: a reference such as "A-123" or "配镜2026-88", else a name.
		found, err = s.byReference(ctx, q, limit)
		if err == nil {
			var names []store.Shipment
			names, err = s.d.DB.ShipmentsByName(ctx, q, limit)
			found = appendNew(found, names)
		}
		triedRef = true
	}
	if err == nil && len(found) == 0 && q != "" && !triedRef {
		// A scanned 配镜单号 or order id looks like a waybill or a phone.
		found, err = s.byReference(ctx, q, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", q, err)
	}
	out := found[:0]
	for _, sh := range found {
		if !inRange(sh.CreatedAt, from, to) {
			continue
		}
		out = append(out, MaskFor(u, sh))
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// byReference looks q up as a reference or order id; text with nothing
// to match (only dashes, say) finds nothing rather than failing.
func (s *Service) byReference(ctx context.Context, q string, limit int) ([]store.Shipment, error) {
	found, err := s.d.DB.ShipmentsByReference(ctx, q, limit)
	if errors.Is(err, store.ErrInvalid) {
		return nil, nil
	}
	return found, err
}

// appendNew appends the shipments of more whose waybill is not in list yet.
func appendNew(list, more []store.Shipment) []store.Shipment {
	for _, sh := range more {
		if !slices.ContainsFunc(list, func(x store.Shipment) bool { return x.Waybill == sh.Waybill }) {
			list = append(list, sh)
		}
	}
	return list
}

func inRange(t, from, to time.Time) bool {
	if !from.IsZero() && t.Before(from) {
		return false
	}
	if !to.IsZero() {
		y, m, d := to.Date()
		end := time.Date(y, m, d, 0, 0, 0, 0, to.Location()).AddDate(0, 0, 1)
		if !t.Before(end) {
			return false
		}
	}
	return true
}

// MaskFor returns sh with the recipient's phone masked unless u's role may
// see it.
func MaskFor(u User, sh store.Shipment) store.Shipment {
	if !CanSeePhone(u.Role) {
		sh.RecipientPhone = store.MaskPhone(sh.RecipientPhone)
	}
	return sh
}

// Detail is everything known about one waybill.
type Detail struct {
	Shipment store.Shipment
	Order    store.Order // zero when the waybill was stored without an order
	Events   []store.TrackingEvent
	Jobs     []store.PrintJob
	SMS      []store.SMSMessage
}

// detail returns everything known about a waybill (scanned or typed),
// unmasked. Callers outside the service use DetailAs, which checks the role
// and masks phone numbers.
func (s *Service) detail(ctx context.Context, waybill string) (Detail, error) {
	var d Detail
	sh, err := s.shipment(ctx, waybill)
	if err != nil {
		return d, err
	}
	d.Shipment = sh
	if sh.OrderID != "" {
		if o, err := s.d.DB.Order(ctx, sh.OrderID); err == nil {
			d.Order = o
		}
	}
	if d.Events, err = s.d.DB.Events(ctx, sh.Waybill); err != nil {
		return d, fmt.Errorf("detail %s: events: %w", sh.Waybill, err)
	}
	if d.Jobs, err = s.d.DB.Jobs(ctx, store.JobFilter{Waybill: sh.Waybill}); err != nil {
		return d, fmt.Errorf("detail %s: jobs: %w", sh.Waybill, err)
	}
	for i := range d.Jobs {
		d.Jobs[i].Data = nil // printer bytes are not for the screen
	}
	if d.SMS, err = s.d.DB.SMSFor(ctx, sh.Waybill); err != nil {
		return d, fmt.Errorf("detail %s: sms: %w", sh.Waybill, err)
	}
	return d, nil
}

// DetailAs returns everything known about a waybill (scanned or typed) to
// a user who may search (ErrForbidden otherwise), with phone numbers masked
// unless u's role may see them.
func (s *Service) DetailAs(ctx context.Context, u User, waybill string) (Detail, error) {
	if err := s.allow(u, ActSearch); err != nil {
		return Detail{}, err
	}
	d, err := s.detail(ctx, waybill)
	if err != nil || CanSeePhone(u.Role) {
		return d, err
	}
	d.Shipment = MaskFor(u, d.Shipment)
	d.Order.Recipient.Phone = store.MaskPhone(d.Order.Recipient.Phone)
	for i := range d.SMS {
		d.SMS[i].Phone = store.MaskPhone(d.SMS[i].Phone)
	}
	return d, nil
}

// RetryJob sends a failed print job again (after the clerk fixed the
// printer).
func (s *Service) RetryJob(ctx context.Context, u User, id uint64) (store.PrintJob, error) {
	if err := s.allow(u, ActPrintQueue); err != nil {
		return store.PrintJob{}, err
	}
	j, err := s.d.Queue.Retry(ctx, id, u.Name)
	if err == nil && j.State == store.JobSent && j.Waybill != "" {
		if _, uerr := s.d.DB.UpdateShipment(ctx, j.Waybill, func(x *store.Shipment) error {
			if x.PrintedAt.IsZero() {
				x.PrintedAt = s.now()
			}
			return nil
		}); uerr != nil {
			s.logf("shipping: mark %s printed: %v", j.Waybill, uerr)
		}
	}
	return j, err
}

// CancelJob cancels a queued or failed print job.
func (s *Service) CancelJob(ctx context.Context, u User, id uint64) error {
	if err := s.allow(u, ActPrintQueue); err != nil {
		return err
	}
	return s.d.Queue.Cancel(ctx, id, u.Name)
}

// Settings returns the station's settings as u may see them: a user who
// may not change settings (anyone but a manager) gets every user's PINHash
// and PINSalt blanked. Any role may call it; the forms need the senders,
// defaults and printers. To check a PIN use CheckPIN.
func (s *Service) Settings(ctx context.Context, u User) (store.Settings, error) {
	st, err := s.d.DB.Settings(ctx)
	if err != nil {
		return st, err
	}
	if !Allowed(u.Role, ActSettings) {
		st = WithoutPINs(st)
	}
	return st, nil
}

// SaveSettings stores new settings (managers only) and audits which
// sections changed. PINs are merged with the stored ones by user name
// (see KeepPINs): a user entry with an empty PINHash and PINSalt keeps the
// stored PIN, so settings read without PINs never wipe them; PINSalt
// ClearPIN with an empty PINHash removes the PIN.
func (s *Service) SaveSettings(ctx context.Context, u User, st store.Settings) error {
	if err := s.allow(u, ActSettings); err != nil {
		return err
	}
	old, err := s.d.DB.Settings(ctx)
	if err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	st = KeepPINs(old, st)
	if err := s.d.DB.SaveSettings(ctx, st); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	s.audit(ctx, u, "settings", "", settingsDiff(old, st))
	return nil
}

// settingsDiff names the sections that changed, for the audit log.
func settingsDiff(a, b store.Settings) string {
	var ch []string
	eq := func(x, y any) bool { return fmt.Sprintf("%+v", x) == fmt.Sprintf("%+v", y) }
	for _, c := range []struct {
		name string
		x, y any
	}{
		{"mode", a.Mode, b.Mode}, {"apiBase", a.APIBase, b.APIBase}, {"language", a.Language, b.Language},
		{"senders", a.Senders, b.Senders},
		{"defaults", []any{a.DefaultCarrier, a.DefaultItems, a.DefaultPayType, a.DefaultProduct, a.DefaultWeightKg},
			[]any{b.DefaultCarrier, b.DefaultItems, b.DefaultPayType, b.DefaultProduct, b.DefaultWeightKg}},
		{"label", a.Label, b.Label}, {"printers", a.Printers, b.Printers}, {"tracking", a.Tracking, b.Tracking},
		{"sms", a.SMS, b.SMS}, {"rules", a.Rules, b.Rules}, {"users", usersNoPIN(a.Users), usersNoPIN(b.Users)},
		{"prices", a.Prices, b.Prices}, {"promisedDays", a.PromisedDays, b.PromisedDays},
	} {
		if !eq(c.x, c.y) {
			ch = append(ch, c.name)
		}
	}
	if len(ch) == 0 {
		return "no change"
	}
	return "changed: " + strings.Join(ch, ", ")
}

func usersNoPIN(us []store.User) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.Name+"/"+string(u.Role)+"/"+u.PINHash)
	}
	return out
}

// ExportCSV writes every shipment as CSV (managers only; audited).
func (s *Service) ExportCSV(ctx context.Context, u User, w io.Writer) error {
	if err := s.allow(u, ActExport); err != nil {
		return err
	}
	if err := s.d.DB.ExportShipmentsCSV(ctx, w); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	s.audit(ctx, u, "export", "", "shipments CSV")
	return nil
}

// Backup copies the database to path while it is in use (managers only;
// audited).
func (s *Service) Backup(ctx context.Context, u User, path string) error {
	if err := s.allow(u, ActBackup); err != nil {
		return err
	}
	if err := s.d.DB.BackupFile(ctx, path); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	s.audit(ctx, u, "backup", path, "")
	return nil
}

// PrintLog returns the latest print jobs, newest first, without their
// printer bytes, to a user who may work the print queue (ErrForbidden
// otherwise). limit <= 0 means 200.
func (s *Service) PrintLog(ctx context.Context, u User, limit int) ([]store.PrintJob, error) {
	if err := s.allow(u, ActPrintQueue); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 200
	}
	jobs, err := s.d.DB.Jobs(ctx, store.JobFilter{Limit: limit})
	if err != nil {
		return nil, fmt.Errorf("print log: %w", err)
	}
	for i := range jobs {
		jobs[i].Data = nil
	}
	return jobs, nil
}

// Exceptions returns the open exceptions, newest first, to a user who may
// handle them (managers; ErrForbidden otherwise).
func (s *Service) Exceptions(ctx context.Context, u User) ([]store.Exception, error) {
	if err := s.allow(u, ActExceptions); err != nil {
		return nil, err
	}
	ex, err := s.d.DB.Exceptions(ctx, true, 500)
	if err != nil {
		return nil, fmt.Errorf("exceptions: %w", err)
	}
	return ex, nil
}

// ResolveException marks an exception handled (managers only; audited).
func (s *Service) ResolveException(ctx context.Context, u User, id uint64) error {
	if err := s.allow(u, ActExceptions); err != nil {
		return err
	}
	if err := s.d.DB.ResolveException(ctx, id, u.Name); err != nil {
		return fmt.Errorf("resolve exception %d: %w", id, err)
	}
	s.audit(ctx, u, "resolve_exception", fmt.Sprint(id), "")
	return nil
}

// ResendSMS sends a milestone's SMS again at a person's request (managers
// only; the SMS notifier audits it).
func (s *Service) ResendSMS(ctx context.Context, u User, waybill string, m store.Milestone) error {
	if err := s.allow(u, ActResendSMS); err != nil {
		return err
	}
	if s.d.SMS == nil {
		return errors.New("短信功能未启用。")
	}
	if _, err := s.d.SMS.Resend(ctx, u.Name, CleanScan(waybill), m); err != nil {
		return fmt.Errorf("resend sms %s: %w", waybill, err)
	}
	return nil
}

// AuditLog returns the latest audit entries (managers only).
func (s *Service) AuditLog(ctx context.Context, u User, limit int) ([]store.AuditEntry, error) {
	if err := s.allow(u, ActSettings); err != nil {
		return nil, err
	}
	return s.d.DB.AuditLog(ctx, limit)
}
