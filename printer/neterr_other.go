//go:build !windows

package printer

import "syscall"

// The connection errors classifyNetErr knows (neterr_windows.go adds
// Winsock's numbers).
var (
	errnoRefused     = []error{syscall.ECONNREFUSED}
	errnoLost        = []error{syscall.ECONNRESET, syscall.EPIPE, syscall.ECONNABORTED}
	errnoUnreachable = []error{syscall.EHOSTUNREACH, syscall.ENETUNREACH}
)
