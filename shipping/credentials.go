package shipping

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"shipdesk/store"
)

// ErrNoDataFolder means the service runs without a data folder (Deps.DataDir),
// so there is nowhere to keep credentials.
var ErrNoDataFolder = errors.New("no data folder for credentials")

// HasCredentialStore reports whether credentials can be read and saved
// (Deps.DataDir is set).
func (s *Service) HasCredentialStore() bool { return s.d.DataDir != "" }

// Credentials returns the Kuaidi100 credentials saved in the data folder,
// to a user who may change settings (ErrForbidden otherwise). No file yet
// means empty credentials.
func (s *Service) Credentials(ctx context.Context, u User) (store.Secrets, error) {
	if err := s.allow(u, ActSettings); err != nil {
		return store.Secrets{}, err
	}
	if s.d.DataDir == "" {
		return store.Secrets{}, fmt.Errorf("credentials: %w", ErrNoDataFolder)
	}
	sec, err := store.LoadSecrets(s.d.DataDir)
	if err != nil {
		return store.Secrets{}, fmt.Errorf("credentials: %w", err)
	}
	return sec, nil
}

// SaveCredentials writes the Kuaidi100 credentials to the data folder's
// owner-only file (managers only) and audits the change, never the values.
// They take effect at the next start.
func (s *Service) SaveCredentials(ctx context.Context, u User, sec store.Secrets) error {
	if err := s.allow(u, ActSettings); err != nil {
		return err
	}
	if s.d.DataDir == "" {
		return fmt.Errorf("save credentials: %w", ErrNoDataFolder)
	}
	if err := store.SaveSecrets(s.d.DataDir, sec); err != nil {
		return fmt.Errorf("save credentials: %w", err)
	}
	s.audit(ctx, u, "settings", "credentials", "Kuaidi100 credentials changed")
	return nil
}

// SaveRelayToken keeps the push relay's token in its own owner-only file
// (managers only; audited without the value); it takes effect at the next
// start. An empty token changes nothing.
func (s *Service) SaveRelayToken(ctx context.Context, u User, token string) error {
	if err := s.allow(u, ActSettings); err != nil {
		return err
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return nil
	}
	if s.d.DataDir == "" {
		return fmt.Errorf("save relay token: %w", ErrNoDataFolder)
	}
	if err := store.SaveRelayToken(s.d.DataDir, token); err != nil {
		return fmt.Errorf("save relay token: %w", err)
	}
	s.audit(ctx, u, "settings", "relay token", "push relay token changed")
	return nil
}
