//go:build nousb || !cgo

package printer

import (
	"errors"
	"strings"
	"testing"
)

func TestNoUSBBuild(t *testing.T) {
	_, err := Open(t.Context(), "usb://1203:0230")
	if !errors.Is(err, ErrUSBNotBuilt) {
		t.Fatalf("Open(usb) without USB support: %v, want ErrUSBNotBuilt", err)
	}
	if !strings.Contains(Describe(err), "USB") {
		t.Errorf("Describe = %q", Describe(err))
	}
	// Discovery still works: it lists what it can without USB.
	if _, err := Discover(t.Context()); err != nil {
		t.Errorf("Discover without USB support: %v", err)
	}
}
