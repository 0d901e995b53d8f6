package shipping

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"

	"shipdesk/assets/i18n"
	"shipdesk/store"
)

// Errors from CheckPIN (English, for the log; Describe has the sentences).
var (
	ErrWrongPIN    = errors.New("wrong pin")
	ErrUnknownUser = errors.New("unknown user")
	// ErrPINNotSet: outside demo mode a manager must have a PIN, and this
	// one has none yet; SetFirstPIN sets it (the GUI asks for it on the
	// first switch to the manager).
	ErrPINNotSet = errors.New("manager has no pin")
)

// FieldPIN is the form field a PIN rule's sentence is about (ValidPIN).
const FieldPIN = "pin"

// The PIN rules: digits only, minPIN to maxPIN of them.
const (
	minPIN = 4
	maxPIN = 8
)

// ValidPIN checks pin against the PIN rules (4 to 8 digits, nothing else).
// It returns nil or an *i18n.Error about FieldPIN that says what to fix.
func ValidPIN(pin string) error {
	for _, r := range pin {
		if r < '0' || r > '9' {
			return i18n.Field(FieldPIN, "A PIN is made of digits 0-9 only: please type digits.")
		}
	}
	switch n := utf8.RuneCountInString(pin); {
	case n < minPIN:
		return i18n.Field(FieldPIN, "The PIN is too short: please use 4 to 8 digits.")
	case n > maxPIN:
		return i18n.Field(FieldPIN, "The PIN is too long: please use 4 to 8 digits.")
	}
	return nil
}

// NewPIN checks pin (ValidPIN) and returns its stored form: a random salt
// and HashPIN(salt, pin), for store.User's PINSalt and PINHash.
func NewPIN(pin string) (salt, hash string, err error) {
	if err := ValidPIN(pin); err != nil {
		return "", "", err
	}
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("new pin: %w", err)
	}
	salt = hex.EncodeToString(b)
	return salt, HashPIN(salt, pin), nil
}

// ClearPIN is the PINSalt that, with an empty PINHash, asks SaveSettings
// to remove that user's PIN. (Both fields empty means "keep the stored
// PIN".)
const ClearPIN = "-"

// HashPIN is the stored form of a PIN: hex SHA-256 of salt+PIN, as
// store.User.PINHash documents.
func HashPIN(salt, pin string) string {
	sum := sha256.Sum256([]byte(salt + pin))
	return hex.EncodeToString(sum[:])
}

// CheckPIN signs name in with pin: it returns the user (name and role) when
// the PIN matches the stored hash (compared in constant time), ErrWrongPIN
// when it does not and ErrUnknownUser when there is no such user. A user
// without a PIN signs in with any pin, so CheckPIN(ctx, name, "") == nil
// tells whether name needs a PIN, except a manager without a PIN outside
// demo mode (Deps.Demo false): CheckPIN returns ErrPINNotSet for them, and
// they sign in by setting their first PIN (SetFirstPIN). The hash never
// leaves the service.
func (s *Service) CheckPIN(ctx context.Context, name, pin string) (User, error) {
	st, err := s.d.DB.Settings(ctx)
	if err != nil {
		return User{}, fmt.Errorf("check pin: %w", err)
	}
	u, ok := findUser(st, name)
	switch {
	case !ok:
		return User{}, fmt.Errorf("check pin %s: %w", name, ErrUnknownUser)
	case u.PINHash == "" && s.needsPIN(u):
		return User{}, fmt.Errorf("check pin %s: %w", name, ErrPINNotSet)
	case u.PINHash != "" && subtle.ConstantTimeCompare([]byte(HashPIN(u.PINSalt, pin)), []byte(u.PINHash)) != 1:
		return User{}, fmt.Errorf("check pin %s: %w", name, ErrWrongPIN)
	}
	return User{Name: u.Name, Role: u.Role}, nil
}

// SetFirstPIN gives name, a manager who has no PIN yet, the PIN pin and
// signs them in (returns the user). The PIN must follow the rules
// (ValidPIN: the *i18n.Error says what to fix); it is stored salted and
// hashed, and the audit log records who set a first PIN, never the PIN.
// A user who already has a PIN gets an error saying to sign in with it
// (nobody overwrites a PIN this way), anyone but a manager ErrForbidden
// (their PIN is the manager's business, in the settings), an unknown name
// ErrUnknownUser. It works in demo mode too, where nobody is asked.
func (s *Service) SetFirstPIN(ctx context.Context, name, pin string) (User, error) {
	if err := ValidPIN(pin); err != nil {
		return User{}, fmt.Errorf("set first pin %s: %w", name, err)
	}
	st, err := s.d.DB.Settings(ctx)
	if err != nil {
		return User{}, fmt.Errorf("set first pin: %w", err)
	}
	i := -1
	for j, u := range st.Users {
		if u.Name == name {
			i = j
			break
		}
	}
	switch {
	case i < 0:
		return User{}, fmt.Errorf("set first pin %s: %w", name, ErrUnknownUser)
	case st.Users[i].Role != store.RoleManager:
		return User{}, fmt.Errorf("set first pin %s (%s): %w", name, st.Users[i].Role, ErrForbidden)
	case st.Users[i].PINHash != "":
		return User{}, i18n.Wrap(fmt.Errorf("set first pin %s: already has a pin", name),
			"%s already has a PIN: please sign in with it.", name)
	}
	salt, hash, err := NewPIN(pin)
	if err != nil {
		return User{}, fmt.Errorf("set first pin %s: %w", name, err)
	}
	users := slices.Clone(st.Users)
	users[i].PINSalt, users[i].PINHash = salt, hash
	st.Users = users
	if err := s.d.DB.SaveSettings(ctx, st); err != nil {
		return User{}, fmt.Errorf("set first pin %s: %w", name, err)
	}
	u := User{Name: users[i].Name, Role: users[i].Role}
	s.audit(ctx, u, "pin", name, "first PIN set at sign-in")
	return u, nil
}

// needsPIN reports whether u may not be without a PIN: a manager outside
// demo mode.
func (s *Service) needsPIN(u store.User) bool {
	return u.Role == store.RoleManager && !s.d.Demo
}

func findUser(st store.Settings, name string) (store.User, bool) {
	for _, u := range st.Users {
		if u.Name == name {
			return u, true
		}
	}
	return store.User{}, false
}

// WithoutPINs returns st with every user's PINHash and PINSalt blanked (a
// copy; st's Users slice is not changed).
func WithoutPINs(st store.Settings) store.Settings {
	us := make([]store.User, len(st.Users))
	for i, u := range st.Users {
		u.PINHash, u.PINSalt = "", ""
		us[i] = u
	}
	if st.Users != nil {
		st.Users = us
	}
	return st
}

// keepPINs returns next with its users' PINs settled against old, the
// stored settings: an entry with a PINHash sets that PIN; an entry with
// PINSalt ClearPIN and no PINHash has no PIN; an entry with neither keeps
// the PIN old has for the same name (settings read without PINs, e.g. by
// WithoutPINs, therefore never wipe them). next's Users slice is not
// changed.
func keepPINs(old, next store.Settings) store.Settings {
	stored := map[string]store.User{}
	for _, u := range old.Users {
		stored[u.Name] = u
	}
	us := make([]store.User, len(next.Users))
	for i, u := range next.Users {
		switch {
		case u.PINHash != "":
		case u.PINSalt == ClearPIN:
			u.PINSalt = ""
		case u.PINSalt == "":
			if o, ok := stored[u.Name]; ok {
				u.PINHash, u.PINSalt = o.PINHash, o.PINSalt
			}
		}
		us[i] = u
	}
	if next.Users != nil {
		next.Users = us
	}
	return next
}

// settlePINs is keepPINs plus the rule that outside demo mode a manager's
// PIN, once set, stays: next may not leave a manager without a PIN who had
// one in old (same name), whether the PIN was cleared or the user was made
// a manager while losing it. The error (an *i18n.Error) names the user and
// matches ErrPINNotSet. A new manager without a PIN is allowed: they are
// asked to set one on their first sign-in (CheckPIN).
func (s *Service) settlePINs(old, next store.Settings) (store.Settings, error) {
	next = keepPINs(old, next)
	for _, u := range next.Users {
		if u.PINHash != "" || !s.needsPIN(u) {
			continue
		}
		if o, ok := findUser(old, u.Name); ok && o.PINHash != "" {
			return next, i18n.Wrap(fmt.Errorf("save settings: user %s: %w", u.Name, ErrPINNotSet),
				"Outside demo mode a manager keeps a PIN: give %s a new PIN instead of removing it.", u.Name)
		}
	}
	return next, nil
}

// RememberWindow stores the main window's size in the settings. Anyone may
// call it and it is not audited: it is the window, not a setting a person
// changed. Nothing else in the settings changes.
func (s *Service) RememberWindow(ctx context.Context, width, height float32) error {
	st, err := s.d.DB.Settings(ctx)
	if err != nil {
		return fmt.Errorf("remember window: %w", err)
	}
	if st.WindowWidth == width && st.WindowHeight == height {
		return nil
	}
	st.WindowWidth, st.WindowHeight = width, height
	if err := s.d.DB.SaveSettings(ctx, st); err != nil {
		return fmt.Errorf("remember window: %w", err)
	}
	return nil
}
