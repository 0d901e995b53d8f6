package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"shipdesk/kuaidi100"
	"shipdesk/store"
)

// sandboxAccount is the e-waybill account the sandbox accepts for com.
func sandboxAccount(com string) kuaidi100.Account {
	a, _ := kuaidi100.SandboxAccount(com)
	return a
}

func runAcct(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(t.Context(), append([]string{"--data-dir", dir}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

// TestAccountCommands: set refuses a carrier whose required fields are
// missing and names them, fills fixed values, refuses MONTHLY on a non-月结
// account; list is masked (also --json); remove removes; every change is
// audited and nothing is printed in full.
func TestAccountCommands(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := runAcct(t, dir, "account", "set", "zhongtong", "--partner-id", "ZT0220001")
	if code != 1 || !strings.Contains(stderr, "合作方密钥") || !strings.Contains(stderr, "网点编码") {
		t.Fatalf("incomplete ZTO account: %d %q", code, stderr)
	}
	if code, _, stderr := runAcct(t, dir, "account", "set", "fedex", "--partner-id", "x"); code != 2 || !strings.Contains(stderr, "fedex") {
		t.Errorf("unknown carrier: %d %q", code, stderr)
	}
	if code, _, stderr := runAcct(t, dir, "account", "set", "shunfeng", "--partner-id", "0221234567", "--net", "x"); code != 2 || !strings.Contains(stderr, "--net") {
		t.Errorf("a field SF does not use: %d %q", code, stderr)
	}
	code, stdout, stderr := runAcct(t, dir, "account", "set", "zhongtong", "--partner-id", "ZT0220001", "--partner-key", "k3y-of-the-branch", "--net", "02200188")
	if code != 0 || !strings.Contains(stdout, "ztoOpen") || strings.Contains(stdout, "k3y-of-the-branch") {
		t.Fatalf("ZTO account: %d %q %q", code, stdout, stderr)
	}
	if code, _, stderr := runAcct(t, dir, "account", "set", "zhongtong", "--pay-type", "MONTHLY"); code != 1 || !strings.Contains(stderr, "月结") {
		t.Errorf("MONTHLY on a ZTO account: %d %q", code, stderr)
	}
	if code, _, stderr := runAcct(t, dir, "account", "set", "shunfeng", "--partner-id", "0221234567", "--pay-type", "MONTHLY", "--template", "carrier"); code != 0 {
		t.Fatalf("SF account: %d %q", code, stderr)
	}
	code, stdout, _ = runAcct(t, dir, "account", "list", "--json")
	var list []struct {
		Carrier, PayType, Template string
		Fields                     map[string]string
		Labels                     map[string]string
		Complete                   bool
	}
	if err := json.Unmarshal([]byte(stdout), &list); code != 0 || err != nil || len(list) != 2 {
		t.Fatalf("list --json: %d %v %s", code, err, stdout)
	}
	for _, a := range list {
		if !a.Complete || (a.Carrier == "zhongtong" && (a.Labels["partnerId"] != "合作方代码" || a.Fields["code"] != "ztoOpen" || a.PayType != "SHIPPER")) ||
			(a.Carrier == "shunfeng" && (a.PayType != "MONTHLY" || a.Template != "carrier")) {
			t.Errorf("listed %+v", a)
		}
	}
	// The values are read back through the store: on Windows the secrets
	// file is sealed with DPAPI, so its bytes hold none of them in clear.
	saved, err := store.LoadAccounts(dir)
	if err != nil {
		t.Fatalf("load accounts: %v", err)
	}
	stored, _ := json.Marshal(saved)
	for _, secret := range []string{"ZT0220001", "k3y-of-the-branch", "02200188", "0221234567"} {
		if strings.Contains(stdout, secret) {
			t.Errorf("list shows %s", secret)
		}
		if !bytes.Contains(stored, []byte(secret)) {
			t.Errorf("secrets file lacks %s", secret)
		}
	}
	if code, stdout, _ := runAcct(t, dir, "account", "remove", "shunfeng"); code != 0 || !strings.Contains(stdout, "shunfeng") {
		t.Errorf("remove: %d %q", code, stdout)
	}
	accts, err := store.LoadAccounts(dir)
	if err != nil || len(accts) != 1 || accts[0].Carrier != "zhongtong" {
		t.Errorf("after remove: %v %v", accts, err)
	}
	db, err := store.Open(filepath.Join(dir, "shipdesk.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	log, _ := db.AuditLog(t.Context(), 20)
	n := 0
	for _, e := range log {
		if e.Action == "account" {
			n++
			for _, secret := range []string{"ZT0220001", "k3y-of-the-branch"} {
				if strings.Contains(e.Detail, secret) {
					t.Errorf("audit shows %s: %q", secret, e.Detail)
				}
			}
		}
	}
	if n != 3 {
		t.Errorf("%d account audit entries, want 3 (two sets, one remove)", n)
	}
}
