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

var testSecrets = Secrets{Key: "keyABCDEFGH123", Customer: "CUST0123456789", Secret: "s3cr3tVALUE99", UserID: "user42xyz", SMSSeller: "seller-name"}

func TestSecretsRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cfg")
	if s, err := LoadSecrets(dir); err != nil || s != (Secrets{}) {
		t.Fatalf("missing file: %v, %v", s, err)
	}
	if err := SaveSecrets(dir, testSecrets); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, SecretsFile)
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Errorf("mode = %04o, want 0600", st.Mode().Perm())
	}
	got, err := LoadSecrets(dir)
	if err != nil || got != testSecrets {
		t.Errorf("LoadSecrets = %v, %v", got, err)
	}
	// Overwrite leaves no temporary files behind.
	if err := SaveSecrets(dir, Secrets{Key: "k2"}); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("dir holds %d entries, want 1", len(ents))
	}
}

func TestSecretsInsecureFileRefused(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes on Windows")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, SecretsFile)
	if err := os.WriteFile(path, []byte(`{"key":"k"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(path, 0o644) // in case of a restrictive umask
	_, err := LoadSecrets(dir)
	if !errors.Is(err, ErrInsecureSecrets) {
		t.Fatalf("err = %v, want ErrInsecureSecrets", err)
	}
	if !strings.Contains(err.Error(), "chmod 600 "+path) {
		t.Errorf("message %q does not say how to fix it", err)
	}
	os.Chmod(path, 0o600)
	if s, err := LoadSecrets(dir); err != nil || s.Key != "k" {
		t.Errorf("after chmod: %v, %v", s, err)
	}
}

func TestSecretsNeverPrinted(t *testing.T) {
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "secrets", testSecrets)
	outs := []string{
		fmt.Sprint(testSecrets), fmt.Sprintf("%v|%+v|%#v|%s|%q|%x", testSecrets, testSecrets, testSecrets, testSecrets, testSecrets, testSecrets),
		fmt.Sprintf("%v", &testSecrets), testSecrets.String(), testSecrets.GoString(), logged.String(),
	}
	for _, out := range outs {
		for _, v := range []string{testSecrets.Key, testSecrets.Customer, testSecrets.Secret, testSecrets.UserID, testSecrets.SMSSeller} {
			if strings.Contains(out, v) {
				t.Errorf("%q leaks %q", out, v)
			}
		}
	}
	if got := testSecrets.Masked().Secret; got != "s3****99" {
		t.Errorf("Masked().Secret = %q, want s3****99", got)
	}
	if !strings.Contains(outs[0], "ke****23") {
		t.Errorf("String = %q, want masked key ke****23", outs[0])
	}
}

func TestMaskPhone(t *testing.T) {
	for in, want := range map[string]string{
		"13812345678":     "138****5678",
		"+86 13812345678": "138****5678",
		"022-23346655":    "022****6655",
		"1234":            "**34",
		"861381234567890": "861********7890",
		"":                "",
	} {
		if got := MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
}
