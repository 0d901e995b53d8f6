//go:build !windows && !(linux && cgo)

package app

import "time"

// platformBeep has no bell to ring on this platform; the screen's coloured
// message still tells the outcome.
func platformBeep(int, time.Duration) {}
