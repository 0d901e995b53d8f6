//go:build !windows

package printer

import (
	"context"
	"fmt"
)

// openWinspool: the spooler is Windows only; elsewhere the address parses
// (a profile saved on a Windows PC stays readable) but does not open.
func openWinspool(ctx context.Context, u URI) (Device, error) {
	return nil, fmt.Errorf("open printer %s: %w", u, ErrNotWindows)
}

// listWinspool: no Windows printers outside Windows.
func listWinspool(ctx context.Context) ([]Info, error) { return nil, nil }
