package app

import (
	"net"
	"runtime"

	"shipdesk/assets/i18n"
)

// firewallHint tells the manager, on Windows, that Windows Firewall must let
// Kuaidi100's pushes in on the port the push receiver listens on. Shipdesk
// does not change firewall rules itself. "" elsewhere, and for a loopback
// address (nothing from outside is expected there).
func firewallHint(listen string) string {
	if runtime.GOOS != "windows" {
		return ""
	}
	return windowsFirewallHint(listen)
}

func windowsFirewallHint(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil || port == "" || port == "0" {
		return ""
	}
	if ip := net.ParseIP(host); host == "localhost" || ip != nil && ip.IsLoopback() {
		return ""
	}
	return i18n.F("Windows Firewall must let Kuaidi100's pushes in: allow incoming TCP connections on port %s (Windows Security > Firewall & network protection > Allow an app through firewall, tick Shipdesk; or an inbound rule for TCP port %s).", port, port)
}
