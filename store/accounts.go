package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// CarrierAccount is the centre's e-waybill account with one carrier (the
// branch contract Kuaidi100 issues waybills on). It is kept in the secrets
// file beside the Kuaidi100 credentials: owner-only, and every fmt verb and
// slog print it masked. Which fields a carrier needs is the kuaidi100
// package's business; the store keeps what it is given.
type CarrierAccount struct {
	Carrier       string `json:"carrier"`
	PartnerID     string `json:"partnerId,omitempty"`
	PartnerKey    string `json:"partnerKey,omitempty"`
	PartnerSecret string `json:"partnerSecret,omitempty"`
	PartnerName   string `json:"partnerName,omitempty"`
	Net           string `json:"net,omitempty"`
	Code          string `json:"code,omitempty"`
	CheckMan      string `json:"checkMan,omitempty"`
	TBNet         string `json:"tbNet,omitempty"`
	Product       string `json:"product,omitempty"`  // default expType
	PayType       string `json:"payType,omitempty"`  // default payType
	Template      string `json:"template,omitempty"` // "own" or "carrier"
}

// Masked returns a copy with every credential masked ("ab****yz"); the
// carrier, product, pay type and template stay readable.
func (a CarrierAccount) Masked() CarrierAccount {
	m := a
	for _, p := range []*string{&m.PartnerID, &m.PartnerKey, &m.PartnerSecret, &m.PartnerName, &m.Net, &m.Code, &m.CheckMan, &m.TBNet} {
		*p = MaskSecret(*p)
	}
	return m
}

// String shows the account masked.
func (a CarrierAccount) String() string {
	m := a.Masked()
	return fmt.Sprintf("{carrier:%s partnerId:%s partnerKey:%s partnerSecret:%s partnerName:%s net:%s code:%s checkMan:%s tbNet:%s product:%s payType:%s template:%s}",
		m.Carrier, m.PartnerID, m.PartnerKey, m.PartnerSecret, m.PartnerName, m.Net, m.Code, m.CheckMan, m.TBNet, m.Product, m.PayType, m.Template)
}

// Format makes every fmt verb print the masked form.
func (a CarrierAccount) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", a.String())
		return
	}
	fmt.Fprint(f, a.String())
}

// LogValue makes log/slog print the masked form.
func (a CarrierAccount) LogValue() slog.Value { return slog.StringValue(a.String()) }

// secretsAccounts is the part of secrets.json that holds the accounts.
type secretsAccounts struct {
	Accounts []CarrierAccount `json:"accounts,omitempty"`
}

// LoadAccounts reads the carrier accounts from dir/secrets.json, sorted by
// carrier. A missing file gives none. Like LoadSecrets it refuses a file
// that group or others may access (ErrInsecureSecrets).
func LoadAccounts(dir string) ([]CarrierAccount, error) {
	path := filepath.Join(dir, SecretsFile)
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load accounts: %w", err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("load accounts: %w: %s has mode %04o; fix it with: chmod 600 %s (凭据文件权限过宽，请执行 chmod 600 %s)",
			ErrInsecureSecrets, path, st.Mode().Perm(), path, path)
	}
	return readAccounts(path)
}

func readAccounts(path string) ([]CarrierAccount, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load accounts: %w", err)
	}
	plain, _, err := unsealSecrets(raw) // DPAPI on Windows
	if err != nil {
		return nil, fmt.Errorf("load accounts %s: %w", path, err)
	}
	var sa secretsAccounts
	if err := json.Unmarshal(plain, &sa); err != nil {
		return nil, fmt.Errorf("load accounts %s: %w", path, err)
	}
	return normalAccounts(sa.Accounts), nil
}

// normalAccounts trims every value, drops accounts without a carrier and
// keeps the last account of a carrier given twice, sorted by carrier.
func normalAccounts(in []CarrierAccount) []CarrierAccount {
	by := map[string]CarrierAccount{}
	for _, a := range in {
		for _, p := range []*string{&a.Carrier, &a.PartnerID, &a.PartnerKey, &a.PartnerSecret, &a.PartnerName, &a.Net, &a.Code, &a.CheckMan, &a.TBNet, &a.Product, &a.PayType, &a.Template} {
			*p = strings.TrimSpace(*p)
		}
		a.Carrier = strings.ToLower(a.Carrier)
		if a.Carrier != "" {
			by[a.Carrier] = a
		}
	}
	out := make([]CarrierAccount, 0, len(by))
	for _, a := range by {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b CarrierAccount) int { return strings.Compare(a.Carrier, b.Carrier) })
	return out
}

// SaveAccounts replaces the carrier accounts in dir/secrets.json, keeping
// the Kuaidi100 credentials, with the file's owner-only mode and atomic
// write.
func SaveAccounts(dir string, accts []CarrierAccount) error {
	sec, err := LoadSecrets(dir)
	if err != nil {
		return fmt.Errorf("save accounts: %w", err)
	}
	return writeSecrets(dir, sec, normalAccounts(accts))
}
