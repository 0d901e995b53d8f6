package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"shipdesk/internal/mask"
)

// SecretsFile is the name of the secrets file inside the data folder.
const SecretsFile = "secrets.json"

// MaskSecret shows the first and last two characters of v: "ab****yz".
// Values of up to six characters are fully hidden; "" stays "".
func MaskSecret(v string) string { return mask.Secret(v) }

// Masked returns a copy with every value masked ("ab****yz"), safe to show.
func (s Secrets) Masked() Secrets {
	return Secrets{Key: MaskSecret(s.Key), Customer: MaskSecret(s.Customer), Secret: MaskSecret(s.Secret), UserID: MaskSecret(s.UserID), SMSSeller: MaskSecret(s.SMSSeller), DBPassword: MaskSecret(s.DBPassword)}
}

// Configured reports whether the credentials needed to call Kuaidi100
// (key and customer) are present.
func (s Secrets) Configured() bool { return s.Key != "" && s.Customer != "" }

// String shows the secrets masked.
func (s Secrets) String() string {
	m := s.Masked()
	return fmt.Sprintf("{key:%s customer:%s secret:%s userid:%s smsSeller:%s dbPassword:%s}", m.Key, m.Customer, m.Secret, m.UserID, m.SMSSeller, m.DBPassword)
}

// GoString shows the secrets masked, for %#v.
func (s Secrets) GoString() string {
	m := s.Masked()
	return fmt.Sprintf("store.Secrets{Key:%q, Customer:%q, Secret:%q, UserID:%q, SMSSeller:%q, DBPassword:%q}", m.Key, m.Customer, m.Secret, m.UserID, m.SMSSeller, m.DBPassword)
}

// Format makes every fmt verb print the masked form, so a stray %v, %+v,
// %#v, %s or %q never leaks a credential.
func (s Secrets) Format(f fmt.State, verb rune) {
	switch verb {
	case 'v':
		if f.Flag('#') {
			fmt.Fprint(f, s.GoString())
			return
		}
		fmt.Fprint(f, s.String())
	case 'q':
		fmt.Fprintf(f, "%q", s.String())
	default:
		fmt.Fprint(f, s.String())
	}
}

// LogValue makes log/slog print the masked form.
func (s Secrets) LogValue() slog.Value { return slog.StringValue(s.String()) }

// LoadSecrets reads dir/secrets.json. A missing file gives zero Secrets and
// nil. Outside Windows, a file that group or others may access is refused
// with ErrInsecureSecrets; the message says how to fix it. On Windows the
// file is encrypted for the current user with DPAPI, and a plain one is
// encrypted in place the first time it is read.
func LoadSecrets(dir string) (Secrets, error) {
	var s Secrets
	path := filepath.Join(dir, SecretsFile)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("load secrets: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return s, fmt.Errorf("load secrets: %w", err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		f.Close()
		return s, fmt.Errorf("load secrets: %w: %s has mode %04o; fix it with: chmod 600 %s (凭据文件权限过宽，请执行 chmod 600 %s)",
			ErrInsecureSecrets, path, st.Mode().Perm(), path, path)
	}
	raw, err := io.ReadAll(f)
	f.Close()
	if err != nil {
		return s, fmt.Errorf("load secrets: %w", err)
	}
	// On Windows the file is encrypted for the user (secrets_windows.go).
	plain, sealed, err := unsealSecrets(raw)
	if err != nil {
		return s, fmt.Errorf("load secrets %s: %w", path, err)
	}
	dec := json.NewDecoder(bytes.NewReader(plain))
	if err := dec.Decode(&s); err != nil {
		return Secrets{}, fmt.Errorf("load secrets %s: %w", path, err)
	}
	trim := func(p *string) { *p = strings.TrimSpace(*p) }
	trim(&s.Key)
	trim(&s.Customer)
	trim(&s.Secret)
	trim(&s.UserID)
	trim(&s.SMSSeller)
	trim(&s.DBPassword)
	if !sealed {
		// A plain file where this OS encrypts (written before the Windows
		// build did, or by hand): encrypt it now.
		if err := SaveSecrets(dir, s); err != nil {
			return s, fmt.Errorf("load secrets: encrypt %s: %w", path, err)
		}
	}
	return s, nil
}

// SaveSecrets writes dir/secrets.json with mode 0600 atomically (temp file,
// sync, rename), creating dir with mode 0700 if needed; on Windows,
// encrypted for the current user (DPAPI). The carrier accounts already in
// the file are kept (SaveAccounts changes them).
func SaveSecrets(dir string, s Secrets) error {
	accts, err := readAccounts(filepath.Join(dir, SecretsFile))
	if err != nil {
		return fmt.Errorf("save secrets: %w", err)
	}
	return writeSecrets(dir, s, accts)
}

func writeSecrets(dir string, s Secrets, accts []CarrierAccount) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("save secrets: %w", err)
	}
	raw, err := json.MarshalIndent(struct {
		Key        string           `json:"key"`
		Customer   string           `json:"customer"`
		Secret     string           `json:"secret"`
		UserID     string           `json:"userid"`
		SMSSeller  string           `json:"smsSeller"`
		DBPassword string           `json:"dbPassword,omitempty"`
		Accounts   []CarrierAccount `json:"accounts,omitempty"`
	}{s.Key, s.Customer, s.Secret, s.UserID, s.SMSSeller, s.DBPassword, accts}, "", "  ")
	if err != nil {
		return fmt.Errorf("save secrets: %w", err)
	}
	data, err := sealSecrets(append(raw, '\n'))
	if err != nil {
		return fmt.Errorf("save secrets: %w", err)
	}
	err = writeAtomic(filepath.Join(dir, SecretsFile), func(f *os.File) error {
		_, err := f.Write(data)
		return err
	})
	if err != nil {
		return fmt.Errorf("save secrets: %w", err)
	}
	return nil
}
