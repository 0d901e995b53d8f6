package shipping

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"

	"shipdesk/store"
)

// Errors from CheckPIN (English, for the log; Describe has the sentences).
var (
	ErrWrongPIN    = errors.New("wrong pin")
	ErrUnknownUser = errors.New("unknown user")
)

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
// tells whether name needs a PIN. The hash never leaves the service.
func (s *Service) CheckPIN(ctx context.Context, name, pin string) (User, error) {
	st, err := s.d.DB.Settings(ctx)
	if err != nil {
		return User{}, fmt.Errorf("check pin: %w", err)
	}
	for _, u := range st.Users {
		if u.Name != name {
			continue
		}
		if u.PINHash != "" && subtle.ConstantTimeCompare([]byte(HashPIN(u.PINSalt, pin)), []byte(u.PINHash)) != 1 {
			return User{}, fmt.Errorf("check pin %s: %w", name, ErrWrongPIN)
		}
		return User{Name: u.Name, Role: u.Role}, nil
	}
	return User{}, fmt.Errorf("check pin %s: %w", name, ErrUnknownUser)
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
