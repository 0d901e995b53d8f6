package shipping

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"shipdesk/assets/i18n"
	"shipdesk/kuaidi100"
	"shipdesk/store"
)

// AccountStore keeps the centre's e-waybill accounts with the carriers.
// SecretsAccounts keeps them in the secrets file; MemoryAccounts in memory
// (demo mode, tests).
type AccountStore interface {
	LoadAccounts(ctx context.Context) ([]kuaidi100.Account, error)
	SaveAccounts(ctx context.Context, accts []kuaidi100.Account) error
}

// SecretsAccounts keeps the accounts in the secrets file of a data folder
// (store.LoadAccounts / SaveAccounts: owner-only, masked when printed).
type SecretsAccounts struct{ Dir string }

// LoadAccounts implements AccountStore.
func (a SecretsAccounts) LoadAccounts(ctx context.Context) ([]kuaidi100.Account, error) {
	in, err := store.LoadAccounts(a.Dir)
	if err != nil {
		return nil, err
	}
	out := make([]kuaidi100.Account, len(in))
	for i, c := range in {
		out[i] = kuaidi100.Account(c)
	}
	return out, nil
}

// SaveAccounts implements AccountStore.
func (a SecretsAccounts) SaveAccounts(ctx context.Context, accts []kuaidi100.Account) error {
	out := make([]store.CarrierAccount, len(accts))
	for i, c := range accts {
		out[i] = store.CarrierAccount(c)
	}
	return store.SaveAccounts(a.Dir, out)
}

// MemoryAccounts keeps accounts in memory; safe for concurrent use.
type MemoryAccounts struct {
	mu    sync.Mutex
	accts []kuaidi100.Account
}

// NewMemoryAccounts returns a MemoryAccounts holding accts.
func NewMemoryAccounts(accts ...kuaidi100.Account) *MemoryAccounts {
	return &MemoryAccounts{accts: slices.Clone(accts)}
}

// SandboxAccounts returns the account the sandbox accepts for every carrier
// Kuaidi100 issues e-waybills for: demo mode ships with them, no setup.
func SandboxAccounts() *MemoryAccounts {
	var accts []kuaidi100.Account
	for _, spec := range kuaidi100.AccountSpecs() {
		a, _ := kuaidi100.SandboxAccount(spec.Carrier)
		accts = append(accts, a)
	}
	return NewMemoryAccounts(accts...)
}

// LoadAccounts implements AccountStore.
func (m *MemoryAccounts) LoadAccounts(context.Context) ([]kuaidi100.Account, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.accts), nil
}

// SaveAccounts implements AccountStore.
func (m *MemoryAccounts) SaveAccounts(_ context.Context, accts []kuaidi100.Account) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.accts = slices.Clone(accts)
	return nil
}

// account returns the centre's complete account with carrier, or the
// clerk's sentence saying none exists (before any request is made).
func (s *Service) account(ctx context.Context, carrier string) (kuaidi100.Account, error) {
	carrier = strings.ToLower(strings.TrimSpace(carrier))
	accts, err := s.loadAccounts(ctx)
	if err != nil {
		return kuaidi100.Account{}, err
	}
	var found kuaidi100.Account
	for _, a := range accts {
		if a.Carrier == carrier {
			found = a
		}
	}
	if err := kuaidi100.CheckAccount(carrier, found); err != nil {
		return kuaidi100.Account{}, err
	}
	spec, _ := kuaidi100.AccountSpecFor(carrier)
	return spec.Normalize(found), nil
}

// ErrNoAccountStore is returned when the service was built without an
// account store.
var ErrNoAccountStore = errors.New("no store for carrier accounts configured")

func (s *Service) loadAccounts(ctx context.Context) ([]kuaidi100.Account, error) {
	if s.d.Accounts == nil {
		return nil, nil
	}
	accts, err := s.d.Accounts.LoadAccounts(ctx)
	if err != nil {
		return nil, fmt.Errorf("carrier accounts: %w", err)
	}
	return accts, nil
}

// HasAccount reports whether the centre can ship with carrier: it has a
// complete e-waybill account for it. Any role may ask (the ship form).
func (s *Service) HasAccount(ctx context.Context, carrier string) bool {
	_, err := s.account(ctx, carrier)
	return err == nil
}

// ShippableCarriers lists the carriers with a complete account, in the
// order of the parameter dictionary (most used first). Any role may ask:
// the ship form offers only these.
func (s *Service) ShippableCarriers(ctx context.Context) []string {
	accts, err := s.loadAccounts(ctx)
	if err != nil {
		s.logf("shipping: %v", err)
		return nil
	}
	have := map[string]bool{}
	for _, a := range accts {
		if spec, ok := kuaidi100.AccountSpecFor(a.Carrier); ok && len(spec.Missing(a)) == 0 {
			have[spec.Carrier] = true
		}
	}
	var out []string
	for _, spec := range kuaidi100.AccountSpecs() {
		if have[spec.Carrier] {
			out = append(out, spec.Carrier)
		}
	}
	return out
}

// Accounts returns every stored account, masked, for the settings screen
// and `shipdesk account list` (managers only).
func (s *Service) Accounts(ctx context.Context, u User) ([]kuaidi100.Account, error) {
	if err := s.allow(u, ActSettings); err != nil {
		return nil, err
	}
	accts, err := s.loadAccounts(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]kuaidi100.Account, len(accts))
	for i, a := range accts {
		out[i] = a.Masked()
	}
	return out, nil
}

// SetAccount stores the centre's account with a.Carrier (managers only,
// audited without the values). Fixed values are filled in, fields the
// carrier does not use dropped; an account missing a required field, a
// pay type the account does not allow (MONTHLY on a non-月结 account) or a
// product the carrier does not offer is refused with a sentence naming it.
// A field left empty keeps the stored value, so a masked form can be saved
// without retyping every secret.
func (s *Service) SetAccount(ctx context.Context, u User, a kuaidi100.Account) error {
	if err := s.allow(u, ActSettings); err != nil {
		return err
	}
	if s.d.Accounts == nil {
		return fmt.Errorf("set account: %w", ErrNoAccountStore)
	}
	spec, ok := kuaidi100.AccountSpecFor(a.Carrier)
	if !ok {
		return kuaidi100.CheckAccount(a.Carrier, a)
	}
	accts, err := s.loadAccounts(ctx)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(accts, func(x kuaidi100.Account) bool { return x.Carrier == spec.Carrier })
	if i >= 0 {
		for _, name := range kuaidi100.AccountFields {
			if strings.TrimSpace(a.Field(name)) == "" {
				a.SetField(name, accts[i].Field(name))
			}
		}
	}
	n := spec.Normalize(a)
	if msg := spec.Problem(n); msg != "" {
		// The problem names the carrier's own (Chinese) field labels.
		return i18n.Wrap(fmt.Errorf("set account %s: %s", spec.Carrier, msg), "The carrier would not take this account: %s", msg)
	}
	if i >= 0 {
		accts[i] = n
	} else {
		accts = append(accts, n)
	}
	if err := s.d.Accounts.SaveAccounts(ctx, accts); err != nil {
		return fmt.Errorf("set account %s: %w", spec.Carrier, err)
	}
	s.audit(ctx, u, "account", spec.Carrier, fmt.Sprintf("设置%s电子面单账号（产品 %s，付款 %s，面单 %s）", spec.Short, n.Product, n.PayType, n.Template))
	return nil
}

// RemoveAccount deletes the centre's account with carrier (managers only,
// audited). Removing one that does not exist does nothing.
func (s *Service) RemoveAccount(ctx context.Context, u User, carrier string) error {
	if err := s.allow(u, ActSettings); err != nil {
		return err
	}
	if s.d.Accounts == nil {
		return fmt.Errorf("remove account: %w", ErrNoAccountStore)
	}
	carrier = strings.ToLower(strings.TrimSpace(carrier))
	accts, err := s.loadAccounts(ctx)
	if err != nil {
		return err
	}
	kept := slices.DeleteFunc(slices.Clone(accts), func(a kuaidi100.Account) bool { return a.Carrier == carrier })
	if len(kept) == len(accts) {
		return nil
	}
	if err := s.d.Accounts.SaveAccounts(ctx, kept); err != nil {
		return fmt.Errorf("remove account %s: %w", carrier, err)
	}
	s.audit(ctx, u, "account", carrier, "删除"+kuaidi100.CarrierShort(carrier)+"电子面单账号")
	return nil
}

// partyOf converts a stored party to the wire client's.
func partyOf(p store.Party) kuaidi100.Party {
	return kuaidi100.Party{Name: p.Name, Phone: p.Phone, Address: p.Address, Province: p.Province, City: p.City, District: p.District, Company: p.Company}
}

// routingOf keeps every routing field of the order answer on the shipment:
// the ones the label prints by name, the rest by wire name in Extra.
func routingOf(r kuaidi100.Routing) store.Routing {
	sort := r.DestSortingCode
	out := store.Routing{BigPen: r.BulkPen, SortCode: sort, DestCode: r.DestCode, PkgCode: r.PkgCode, PkgName: r.PkgName, QRContent: r.QRCode}
	extra := map[string]string{
		"orgCode": r.OrgCode, "orgName": r.OrgName, "destName": r.DestName,
		"orgSortingCode": r.OrgSortingCode, "orgSortingName": r.OrgSortingName, "destSortingName": r.DestSortingName,
		"road": r.Road, "twoDimensionCode": r.TwoDimensionCode, "proName": r.ProName, "abFlag": r.AbFlag,
		"destRouteLabel": r.DestRouteLabel, "codingMapping": r.CodingMapping, "expressCode": r.ExpressCode, "expressName": r.ExpressName,
	}
	for i, c := range r.ChildInfo {
		extra[fmt.Sprintf("childInfo.%d.childNum", i)] = c.ChildNum
		extra[fmt.Sprintf("childInfo.%d.qrCode", i)] = c.QRCode
		extra[fmt.Sprintf("childInfo.%d.road", i)] = c.Road
	}
	for k, v := range extra {
		if v == "" {
			delete(extra, k)
		}
	}
	if len(extra) > 0 {
		out.Extra = extra
	}
	return out
}
