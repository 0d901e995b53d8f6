package shipping

import (
	"context"
	"errors"
	"fmt"
	"time"

	"shipdesk/assets/i18n"
	"shipdesk/kuaidi100"
	"shipdesk/store"
)

// Connection says where Kuaidi100 calls go.
type Connection int

// The three connections.
const (
	// BuiltinSandbox is demo mode: an in-process sandbox.
	BuiltinSandbox Connection = iota
	// SandboxAt sends every call to one base URL (a sandbox started with
	// `shipdesk sandbox`), with demo credentials unless some are set.
	SandboxAt
	// Production is the real service with the clinic's account.
	Production
)

// ClientConfig turns the stored secrets into the Kuaidi100 client
// configuration; the KUAIDI100_* environment wins over the file.
func ClientConfig(sec store.Secrets) kuaidi100.Config {
	return kuaidi100.ConfigFromEnv(SecretsConfig(sec))
}

// SecretsConfig is sec as a client configuration, without the environment
// (what a person typed, to test it).
func SecretsConfig(sec store.Secrets) kuaidi100.Config {
	return kuaidi100.Config{Key: sec.Key, Customer: sec.Customer, Secret: sec.Secret, UserID: sec.UserID, SMSSeller: sec.SMSSeller}
}

// ChooseConnection is the one rule, for the GUI, the worker and every
// command, deciding where Kuaidi100 calls go: --sandbox is the built-in
// sandbox; --api-base, else the saved API address, is SandboxAt that URL;
// otherwise production when the settings say so and cfg has query
// credentials, else the built-in sandbox (demo mode). base is the URL for
// SandboxAt.
func ChooseConnection(sandboxFlag bool, apiBaseFlag string, st store.Settings, cfg kuaidi100.Config) (c Connection, base string) {
	if sandboxFlag {
		return BuiltinSandbox, ""
	}
	base = apiBaseFlag
	if base == "" {
		base = st.APIBase
	}
	switch {
	case base != "":
		return SandboxAt, base
	case st.Mode == "production" && cfg.HasQueryCredentials():
		return Production, ""
	}
	return BuiltinSandbox, ""
}

// CheckConnection checks Kuaidi100 credentials sec with one real-time
// query for a number that cannot exist: "no trace" means the account
// answered. With production true it asks the real service (sandbox is
// unused); otherwise the sandbox whose client configuration is sandbox,
// with sec's credentials, or the sandbox's own when sec has no key or the
// station is in demo mode. It gives up after 15 seconds.
func CheckConnection(ctx context.Context, sec store.Secrets, production bool, sandbox kuaidi100.Config, demo bool) error {
	cfg := SecretsConfig(sec)
	if !production {
		if cfg.Key == "" || demo {
			cfg = sandbox
		} else {
			cfg.BaseURL = sandbox.BaseURL
		}
	}
	if !cfg.HasQueryCredentials() {
		return i18n.Wrap(fmt.Errorf("test connection: %w", kuaidi100.ErrAuth), "Enter the Kuaidi100 key and customer first, then test the connection.")
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	_, err := kuaidi100.New(cfg).Query(ctx, kuaidi100.QueryRequest{Com: "zhongtong", Num: "73100000000001", Phone: "0000"})
	if err == nil || errors.Is(err, kuaidi100.ErrNoResult) || errors.Is(err, kuaidi100.ErrBadNumber) {
		return nil
	}
	return err
}
