package shipping

import (
	"context"
	"fmt"
	"shipdesk/store"
	"strings"
)

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
// (see keepPINs): a user entry with an empty PINHash and PINSalt keeps the
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
	if st, err = s.settlePINs(old, st); err != nil {
		return err
	}
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
		{"counter", []any{a.Counter.Retention(), a.Counter.HandoverBy, a.Counter.WaitingMaxMinutes, a.Counter.WaybillFen},
			[]any{b.Counter.Retention(), b.Counter.HandoverBy, b.Counter.WaitingMaxMinutes, b.Counter.WaybillFen}},
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
