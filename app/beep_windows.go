//go:build windows

package app

import (
	"syscall"
	"time"
)

var procBeep = syscall.NewLazyDLL("kernel32.dll").NewProc("Beep")

// platformBeep plays hz for d on the PC's speaker (kernel32 Beep, which
// returns when the tone ends).
func platformBeep(hz int, d time.Duration) {
	if procBeep.Find() != nil {
		return
	}
	procBeep.Call(uintptr(hz), uintptr(d.Milliseconds()))
}
