package store

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestAccountsInTheSecretsFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cfg")
	if a, err := LoadAccounts(dir); err != nil || len(a) != 0 {
		t.Fatalf("missing file: %v %v", a, err)
	}
	if err := SaveSecrets(dir, testSecrets); err != nil {
		t.Fatal(err)
	}
	zto := CarrierAccount{Carrier: " ZhongTong ", PartnerID: "ZT0220001", PartnerKey: "k3y-of-the-branch", Net: "022001", Code: "ztoOpen", Product: "标准快递", PayType: "SHIPPER"}
	sf := CarrierAccount{Carrier: "shunfeng", PartnerID: "0221234567", PayType: "MONTHLY", Template: "carrier"}
	if err := SaveAccounts(dir, []CarrierAccount{zto, sf, {Carrier: ""}}); err != nil {
		t.Fatal(err)
	}
	got, err := LoadAccounts(dir)
	if err != nil || len(got) != 2 || got[0].Carrier != "shunfeng" || got[1].Carrier != "zhongtong" || got[1].PartnerKey != "k3y-of-the-branch" || got[0].Template != "carrier" {
		t.Fatalf("accounts %+v %v", got, err)
	}
	// Each save keeps the other half.
	if s, err := LoadSecrets(dir); err != nil || s != testSecrets {
		t.Errorf("credentials after SaveAccounts: %v %v", s, err)
	}
	if err := SaveSecrets(dir, Secrets{Key: "k2", Customer: "c2"}); err != nil {
		t.Fatal(err)
	}
	if got, err := LoadAccounts(dir); err != nil || len(got) != 2 {
		t.Errorf("accounts after SaveSecrets: %v %v", got, err)
	}
	if runtime.GOOS != "windows" {
		st, _ := os.Stat(filepath.Join(dir, SecretsFile))
		if st.Mode().Perm() != 0o600 {
			t.Errorf("mode %04o", st.Mode().Perm())
		}
		os.Chmod(filepath.Join(dir, SecretsFile), 0o644)
		if _, err := LoadAccounts(dir); !errors.Is(err, ErrInsecureSecrets) {
			t.Errorf("world-readable file: %v", err)
		}
	}
}

func TestAccountNeverPrintedInFull(t *testing.T) {
	a := CarrierAccount{Carrier: "zhongtong", PartnerID: "ZT0220001", PartnerKey: "k3y-of-the-branch", Net: "022001", Product: "标准快递"}
	var logs strings.Builder
	slog.New(slog.NewTextHandler(&logs, nil)).Info("account", "a", a)
	for _, out := range []string{fmt.Sprint(a), fmt.Sprintf("%v %+v %#v %s %q", a, a, a, a, a), logs.String()} {
		for _, secret := range []string{"ZT0220001", "k3y-of-the-branch", "022001"} {
			if strings.Contains(out, secret) {
				t.Errorf("%q shows %s", out, secret)
			}
		}
		if !strings.Contains(out, "zhongtong") || !strings.Contains(out, "标准快递") {
			t.Errorf("%q hides what is not secret", out)
		}
	}
}
