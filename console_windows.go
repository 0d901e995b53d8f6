//go:build windows

package main

import (
	"os"

	"golang.org/x/sys/windows"
)

// The Windows exe is linked as a GUI program (-H windowsgui), so a Start-menu
// or desktop shortcut opens no console window. Run from cmd or PowerShell, a
// subcommand must still print: attach to the parent's console and point
// stdout and stderr at it, unless they already go to a file or a pipe
// (shipdesk printers --json > list.json).
func init() { attachParentConsole() }

// attachParentProcess is ATTACH_PARENT_PROCESS, (DWORD)-1.
const attachParentProcess = ^uint32(0)

var procAttachConsole = windows.NewLazySystemDLL("kernel32.dll").NewProc("AttachConsole")

func attachParentConsole() {
	outOK, errOK := usableStd(windows.STD_OUTPUT_HANDLE), usableStd(windows.STD_ERROR_HANDLE)
	if outOK && errOK {
		return
	}
	if r, _, _ := procAttachConsole.Call(uintptr(attachParentProcess)); r == 0 {
		return // started from a shortcut or Explorer: no console to print to
	}
	con, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0)
	if err != nil {
		return
	}
	if !outOK {
		os.Stdout = con
	}
	if !errOK {
		os.Stderr = con
	}
}

// usableStd reports whether the standard handle std leads somewhere (a
// console, file or pipe the parent gave us).
func usableStd(std uint32) bool {
	h, err := windows.GetStdHandle(std)
	if err != nil || h == 0 || h == windows.InvalidHandle {
		return false
	}
	t, err := windows.GetFileType(h)
	return err == nil && t != windows.FILE_TYPE_UNKNOWN
}
