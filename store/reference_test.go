package store

import (
	"strings"
	"testing"
)

func TestRefKeyBound(t *testing.T) {
	long := "PJ" + strings.Repeat("长", 200) // 602 bytes, beyond maxRefKey
	if k := refKey(long); len(k) > maxRefKey || len(k) == 0 {
		t.Errorf("refKey(long) is %d bytes", len(k))
	}
	if k := string(refKey("PJ\x00\x01-7\u2014A")); k != "pj7a" {
		t.Errorf("refKey with control characters = %q", k)
	}
}
