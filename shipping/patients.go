package shipping

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"shipdesk/assets/i18n"
	"shipdesk/store"
)

// The address book of returning patients is not stored on its own: it is
// read from the shipments (their phone, name and reference indexes) and the
// orders they came from, so nothing has a second copy to forget.

// Recipient is one earlier recipient of a patient's parcels: one name,
// phone and address as they were shipped to. A changed address is another
// Recipient, not a change to this one.
type Recipient struct {
	Name     string `json:"name"`
	Phone    string `json:"phone"` // masked unless the role may see phones or the query was this phone
	Address  string `json:"address"`
	Province string `json:"province,omitempty"`
	City     string `json:"city,omitempty"`
	District string `json:"district,omitempty"`
	// Reference is the 配镜单号 of the latest parcel to this recipient.
	Reference string `json:"reference,omitempty"`
	// Waybill and LastShipped are the latest parcel to this recipient;
	// Count how many parcels went to it.
	Waybill     string    `json:"waybill"`
	LastShipped time.Time `json:"lastShipped"`
	Count       int       `json:"count"`
}

// Party is the recipient as an order's recipient.
func (r Recipient) Party() store.Party {
	return store.Party{Name: r.Name, Phone: r.Phone, Address: r.Address, Province: r.Province, City: r.City, District: r.District}
}

// masked reports whether a shipment's recipient details were masked
// (deleted at the patient's request or past the retention period).
func masked(sh store.Shipment) bool { return strings.Contains(sh.RecipientPhone, "*") }

// Recipients returns the earlier recipients found by q, newest first: a
// phone number (mobile or landline, as typed or pasted) finds that phone's
// recipients; any other text is a 配镜单号 or a name. Masked (deleted or
// expired) shipments are left out. Anyone who may ship may call it. Phones
// are masked unless the role may see them or q was that very phone (the
// clerk typed it). limit <= 0 means 20.
func (s *Service) Recipients(ctx context.Context, u User, q string, limit int) ([]Recipient, error) {
	if err := s.allow(u, ActShip); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 20
	}
	q = strings.TrimSpace(narrow(q))
	if q == "" {
		return nil, nil
	}
	var (
		found []store.Shipment
		err   error
	)
	phone := normalizePhone(q)
	byPhone := validPhone(phone) || validMobile(phone)
	if byPhone {
		found, err = s.d.DB.ShipmentsByPhone(ctx, phone, 200)
	} else {
		if utf8.RuneCountInString(q) < 2 {
			return nil, nil
		}
		found, err = s.byReference(ctx, q, 200)
		if err == nil {
			var names []store.Shipment
			names, err = s.d.DB.ShipmentsByName(ctx, q, 200)
			found = appendNew(found, names)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("recipients %q: %w", q, err)
	}
	slices.SortStableFunc(found, func(a, b store.Shipment) int { return b.CreatedAt.Compare(a.CreatedAt) })
	var out []Recipient
	index := map[string]int{}
	for _, sh := range found {
		if masked(sh) || sh.Milestone == store.MilestoneCancelled {
			continue
		}
		if byPhone && normalizePhone(sh.RecipientPhone) != phone {
			continue // a last-four or landline suffix match of another phone
		}
		key := strings.Join([]string{strings.Join(strings.Fields(sh.RecipientName), " "), normalizePhone(sh.RecipientPhone), strings.Join(strings.Fields(narrow(sh.RecipientAddr)), "")}, "\x00")
		if i, ok := index[key]; ok {
			out[i].Count++
			continue
		}
		if len(out) == limit {
			continue
		}
		r := Recipient{Name: sh.RecipientName, Phone: sh.RecipientPhone, Address: sh.RecipientAddr,
			Reference: sh.Reference, Waybill: sh.Waybill, LastShipped: sh.CreatedAt, Count: 1}
		if sh.OrderID != "" {
			if o, oerr := s.d.DB.Order(ctx, sh.OrderID); oerr == nil && o.Recipient.Address == sh.RecipientAddr {
				r.Province, r.City, r.District = o.Recipient.Province, o.Recipient.City, o.Recipient.District
			}
		}
		if r.Province == "" && r.City == "" {
			r.Province, r.City, r.District = Region(r.Address)
		}
		if !byPhone && !canSeePhone(u.Role) {
			r.Phone = store.MaskPhone(r.Phone)
		}
		index[key] = len(out)
		out = append(out, r)
	}
	return out, nil
}

// ForgetResult counts what Forget masked.
type ForgetResult struct {
	Shipments int `json:"shipments"`
	Orders    int `json:"orders"`
	SMS       int `json:"sms"`
	PrintJobs int `json:"printJobs"`
}

// ErrNoPatient means no shipment or order has that phone number.
var ErrNoPatient = errors.New("no patient with this phone number")

// Forget deletes a patient's personal data at their request (PIPL): every
// stored copy of the name, phone and address of the shipments to phone,
// the orders they came from and any order still waiting with that phone,
// the SMS sent about them and the label bytes of their print jobs. The
// shipments and orders stay (with masked fields: 王*, 137****1111, the
// address's district only) so the day's counts and the carriers' bills
// still add up; the audit entry names the masked phone and what was masked.
// Managers only (ActPrivacy). ErrNoPatient when nothing has that phone.
func (s *Service) Forget(ctx context.Context, u User, phone string) (ForgetResult, error) {
	var res ForgetResult
	if err := s.allow(u, ActPrivacy); err != nil {
		return res, err
	}
	p := normalizePhone(narrow(phone))
	if !validPhone(p) && !validMobile(p) {
		return res, fmt.Errorf("forget %q: %w", store.MaskPhone(p), &ValidationError{Fields: []FieldError{{Field: "phone", Message: i18n.T("Please enter the patient's full mobile or phone number.")}}})
	}
	var waybills []string
	for {
		found, err := s.d.DB.ShipmentsByPhone(ctx, p, 500)
		if err != nil {
			return res, fmt.Errorf("forget: %w", err)
		}
		n := 0
		for _, sh := range found {
			if normalizePhone(sh.RecipientPhone) != p || masked(sh) {
				continue
			}
			if err := s.maskShipment(ctx, sh, &res); err != nil {
				return res, err
			}
			waybills = append(waybills, sh.Waybill)
			n++
		}
		if n == 0 {
			break
		}
	}
	// Orders without a shipment (still waiting for a number, or closed).
	for _, st := range []store.OrderStep{store.StepSaved, store.StepDone} {
		os, err := s.d.DB.OrdersByStep(ctx, st)
		if err != nil {
			return res, fmt.Errorf("forget: %w", err)
		}
		for _, o := range os {
			if o.Waybill == "" && normalizePhone(o.Recipient.Phone) == p {
				if err := s.maskOrder(ctx, o.ID); err != nil {
					return res, err
				}
				res.Orders++
			}
		}
	}
	if err := s.forgetOptOut(ctx, p); err != nil {
		return res, err
	}
	if res.Shipments == 0 && res.Orders == 0 {
		return res, fmt.Errorf("forget %s: %w", store.MaskPhone(p), ErrNoPatient)
	}
	s.audit(ctx, u, "forget_patient", store.MaskPhone(p), fmt.Sprintf("shipments=%d orders=%d sms=%d printJobs=%d waybills=%s",
		res.Shipments, res.Orders, res.SMS, res.PrintJobs, strings.Join(waybills, ",")))
	return res, nil
}

func (s *Service) forgetOptOut(ctx context.Context, p string) error {
	st, err := s.d.DB.Settings(ctx)
	if err != nil {
		return fmt.Errorf("forget: %w", err)
	}
	keep := st.SMS.OptOut[:0:0]
	for _, o := range st.SMS.OptOut {
		if normalizePhone(o) != p {
			keep = append(keep, o)
		}
	}
	if len(keep) == len(st.SMS.OptOut) {
		return nil
	}
	// The shipments are masked, so no SMS goes to the number any more.
	st.SMS.OptOut = keep
	if err := s.d.DB.SaveSettings(ctx, st); err != nil {
		return fmt.Errorf("forget: %w", err)
	}
	return nil
}

// maskName keeps the first character of a name: 王芳 -> 王*.
func maskName(n string) string {
	n = strings.TrimSpace(n)
	if n == "" {
		return ""
	}
	r, _ := utf8.DecodeRuneInString(n)
	return string(r) + "*"
}

// maskAddress keeps the province, city and district: 天津市河西区友谊路32号
// -> 天津市河西区***.
func maskAddress(a string) string {
	if strings.TrimSpace(a) == "" {
		return ""
	}
	prov, city, dist := Region(a)
	out := prov
	if city != prov {
		out += city
	}
	return out + dist + "***"
}

func maskParty(p store.Party) store.Party {
	p.Name, p.Phone, p.Address, p.Company = maskName(p.Name), store.MaskPhone(p.Phone), maskAddress(p.Address), ""
	if p.Phone == "" {
		p.Phone = "*"
	}
	return p
}

// maskShipment masks sh, its order, its SMS and its print jobs' bytes.
func (s *Service) maskShipment(ctx context.Context, sh store.Shipment, res *ForgetResult) error {
	if _, err := s.d.DB.UpdateShipment(ctx, sh.Waybill, func(x *store.Shipment) error {
		p := maskParty(store.Party{Name: x.RecipientName, Phone: x.RecipientPhone, Address: x.RecipientAddr})
		x.RecipientName, x.RecipientPhone, x.RecipientAddr = p.Name, p.Phone, p.Address
		return nil
	}); err != nil {
		return fmt.Errorf("mask shipment %s: %w", sh.Waybill, err)
	}
	res.Shipments++
	if sh.OrderID != "" {
		if err := s.maskOrder(ctx, sh.OrderID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		} else if err == nil {
			res.Orders++
		}
	}
	msgs, err := s.d.DB.SMSFor(ctx, sh.Waybill)
	if err != nil {
		return fmt.Errorf("mask sms of %s: %w", sh.Waybill, err)
	}
	for _, m := range msgs {
		if _, err := s.d.DB.UpdateSMS(ctx, m.ID, func(x *store.SMSMessage) error {
			x.Phone = store.MaskPhone(x.Phone)
			x.Content = ""
			for k, v := range x.Vars {
				if k == "name" {
					x.Vars[k] = maskName(v)
				}
			}
			return nil
		}); err != nil {
			return fmt.Errorf("mask sms %d: %w", m.ID, err)
		}
		res.SMS++
	}
	jobs, err := s.d.DB.Jobs(ctx, store.JobFilter{Waybill: sh.Waybill})
	if err != nil {
		return fmt.Errorf("mask print jobs of %s: %w", sh.Waybill, err)
	}
	for _, j := range jobs {
		if len(j.Data) == 0 {
			continue
		}
		if _, err := s.d.DB.UpdateJob(ctx, j.ID, func(x *store.PrintJob) error {
			x.Data = nil
			if x.State == store.JobQueued || x.State == store.JobFailed {
				x.State = store.JobCancelled
				x.Error = i18n.N("The patient's data was deleted.")
			}
			return nil
		}); err != nil {
			return fmt.Errorf("mask print job %d: %w", j.ID, err)
		}
		res.PrintJobs++
	}
	return nil
}

func (s *Service) maskOrder(ctx context.Context, id string) error {
	o, err := s.d.DB.Order(ctx, id)
	if err != nil {
		return fmt.Errorf("mask order %s: %w", id, err)
	}
	o.Recipient = maskParty(o.Recipient)
	if err := s.d.DB.SaveOrder(ctx, &o); err != nil {
		return fmt.Errorf("mask order %s: %w", id, err)
	}
	return nil
}

// ApplyRetention masks the recipient details (as Forget does) of delivered
// shipments delivered more than the settings' retention period ago
// (CounterSettings.Retention; 0 keeps them for ever) and audits how many it
// masked. The housekeeper calls it daily as System; a manager may call it.
func (s *Service) ApplyRetention(ctx context.Context, u User) (int, error) {
	if err := s.allow(u, ActPrivacy); err != nil {
		return 0, err
	}
	st, err := s.d.DB.Settings(ctx)
	if err != nil {
		return 0, fmt.Errorf("retention: %w", err)
	}
	days := st.Counter.Retention()
	if days <= 0 {
		return 0, nil
	}
	cutoff := s.now().AddDate(0, 0, -days)
	var old []store.Shipment
	after := ""
	for {
		page, next, err := s.d.DB.ShipmentsByState(ctx, store.MilestoneDelivered, after, 500)
		if err != nil {
			return 0, fmt.Errorf("retention: %w", err)
		}
		for _, sh := range page {
			at := sh.MilestoneTime(store.MilestoneDelivered)
			if at.IsZero() {
				at = sh.CreatedAt
			}
			if at.Before(cutoff) && !masked(sh) {
				old = append(old, sh)
			}
		}
		if next == "" {
			break
		}
		after = next
	}
	var res ForgetResult
	for _, sh := range old {
		if err := s.maskShipment(ctx, sh, &res); err != nil {
			return res.Shipments, fmt.Errorf("retention: %w", err)
		}
	}
	if res.Shipments > 0 {
		s.audit(ctx, u, "retention", fmt.Sprintf("%d天", days), fmt.Sprintf("shipments=%d orders=%d sms=%d printJobs=%d", res.Shipments, res.Orders, res.SMS, res.PrintJobs))
	}
	return res.Shipments, nil
}
