package app

import (
	"strings"
	"testing"
)

func TestWindowsFirewallHint(t *testing.T) {
	for listen, want := range map[string]bool{
		"0.0.0.0:8090": true, ":8090": true, "192.168.1.20:8090": true, "[::]:8090": true,
		"127.0.0.1:8090": false, "localhost:8090": false, "[::1]:8090": false, "": false, "0.0.0.0:0": false,
	} {
		got := windowsFirewallHint(listen)
		if (got != "") != want {
			t.Errorf("windowsFirewallHint(%q) = %q, want a hint: %v", listen, got, want)
		}
		if want && !strings.Contains(got, "8090") {
			t.Errorf("windowsFirewallHint(%q) = %q does not name the port", listen, got)
		}
	}
}
