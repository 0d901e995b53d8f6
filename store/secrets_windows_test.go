//go:build windows

package store

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSecretsEncryptedWithDPAPI(t *testing.T) {
	dir := t.TempDir()
	if err := SaveSecrets(dir, testSecrets); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, SecretsFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(raw, []byte(sealedPrefix)) {
		t.Fatalf("file starts %q, want the DPAPI prefix", raw[:min(len(raw), 30)])
	}
	for _, v := range []string{testSecrets.Key, testSecrets.Customer, testSecrets.Secret, testSecrets.UserID, testSecrets.SMSSeller, `"key"`} {
		if bytes.Contains(raw, []byte(v)) {
			t.Errorf("encrypted file shows %q in plain text", v)
		}
	}
	got, err := LoadSecrets(dir)
	if err != nil || got != testSecrets {
		t.Fatalf("LoadSecrets = %v, %v; want the saved secrets back", got, err)
	}
}

func TestSecretsPlainFileConvertedOnFirstLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, SecretsFile)
	plain := `{"key": " keyABCDEFGH123 ", "customer": "CUST0123456789", "secret": "s3cr3tVALUE99", "userid": "user42xyz", "smsSeller": "seller-name"}`
	if err := os.WriteFile(path, []byte(plain), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := LoadSecrets(dir)
	if err != nil || got != testSecrets {
		t.Fatalf("LoadSecrets(plain) = %v, %v", got, err)
	}
	raw, _ := os.ReadFile(path)
	if !bytes.HasPrefix(raw, []byte(sealedPrefix)) || bytes.Contains(raw, []byte(testSecrets.Secret)) {
		t.Fatalf("after the first load the file is still plain: %q", raw)
	}
	if got, err := LoadSecrets(dir); err != nil || got != testSecrets {
		t.Fatalf("second load = %v, %v", got, err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("dir holds %d entries after the conversion, want 1", len(ents))
	}
}

func TestSecretsDamagedFileSaysWhatToDo(t *testing.T) {
	dir := t.TempDir()
	if err := SaveSecrets(dir, testSecrets); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, SecretsFile)
	raw, _ := os.ReadFile(path)
	// Flip bytes inside the blob: DPAPI's integrity check refuses it.
	b64 := []byte(strings.TrimSpace(string(raw[len(sealedPrefix):])))
	mid := len(b64) / 2
	b64[mid], b64[mid+1] = b64[mid+1], b64[mid]
	if b64[mid] == b64[mid+1] {
		b64[mid] = 'A' + (b64[mid]-'A'+1)%26
	}
	if err := os.WriteFile(path, append([]byte(sealedPrefix), b64...), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadSecrets(dir)
	if err == nil {
		t.Fatal("a tampered file was accepted")
	}
	if !strings.Contains(err.Error(), "设置") {
		t.Errorf("error %q does not say what to do", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the unreadable file was removed: %v", err)
	}
}
