//go:build windows

package printer

import (
	"syscall"

	"golang.org/x/sys/windows"
)

// Winsock reports connection errors with its own numbers (WSAE...), which
// syscall's Unix-style constants do not match on Windows, so a refused
// printer would otherwise get the generic message.
var (
	errnoRefused     = []error{syscall.ECONNREFUSED, windows.WSAECONNREFUSED}
	errnoLost        = []error{syscall.ECONNRESET, syscall.EPIPE, syscall.ECONNABORTED, windows.WSAECONNRESET, windows.WSAECONNABORTED}
	errnoUnreachable = []error{syscall.EHOSTUNREACH, syscall.ENETUNREACH, windows.WSAEHOSTUNREACH, windows.WSAENETUNREACH}
)
