package shipping

import (
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
