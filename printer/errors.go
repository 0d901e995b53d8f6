package printer

import (
	"errors"
	"fmt"

	"shipdesk/assets/i18n"
)

// Sentinel errors callers branch on. Transport errors wrap one of these where
// the cause is known, so errors.Is works through the queue and the CLI.
var (
	// ErrBadURI: the printer address cannot be understood.
	ErrBadURI = errors.New("bad printer address")
	// ErrNotFound: no printer answers at that address (no such USB device,
	// serial port or file folder).
	ErrNotFound = errors.New("printer not found")
	// ErrDisconnected: the printer went away during the job (USB unplugged,
	// serial port gone, connection reset). The job may be partly printed.
	ErrDisconnected = errors.New("printer disconnected")
	// ErrRefused: a network printer refused the connection (off, or busy
	// with another computer's job).
	ErrRefused = errors.New("printer refused the connection")
	// ErrTimeout: the printer did not take or confirm the job in time.
	ErrTimeout = errors.New("printer timed out")
	// ErrPermission: the operating system denied access to the device.
	ErrPermission = errors.New("permission denied")
	// ErrBusy: another program or driver holds the device.
	ErrBusy = errors.New("printer busy")
	// ErrUSBNotBuilt: this binary was built without USB support.
	ErrUSBNotBuilt = errors.New("USB printing not built in (needs cgo and libusb-1.0; rebuild without -tags nousb)")
	// ErrUnsupportedLanguage: the device speaks neither TSPL nor ZPL.
	ErrUnsupportedLanguage = errors.New("printer language not supported")
	// ErrNotRetryable: only failed jobs may be retried.
	ErrNotRetryable = errors.New("job is not failed")
	// ErrNotCancellable: sent or sending jobs cannot be cancelled.
	ErrNotCancellable = errors.New("job cannot be cancelled")
)

// StatusError says the printer reported a condition that stops printing
// (paper out, head open, ...). The job was not sent.
type StatusError struct {
	Status Status
}

// Error says which condition stopped the job, in English for the log.
func (e *StatusError) Error() string {
	return fmt.Sprintf("printer not ready: %s", e.Status)
}

// sentences maps each sentinel to the catalogue key of the sentence a
// clerk reads, in the order Explain tries them.
var sentences = []struct {
	err error
	key string
}{
	{ErrBadURI, i18n.N("The printer address is not right: check it in Settings (for example usb://, tcp://192.168.1.50:9100).")},
	{ErrUSBNotBuilt, i18n.N("This version cannot print over USB: use a network or serial printer, or install the version with USB support.")},
	{ErrPermission, i18n.N("No permission to use this USB printer: ask the administrator to add the udev rule (see the manual, \"Printer setup\"), then plug the printer in again.")},
	{ErrBusy, i18n.N("Another program is using the printer: close other printing programs and try again.")},
	{ErrRefused, i18n.N("The printer refused the connection: check that it is on, that its IP address is right and that no other computer is printing on it.")},
	{ErrTimeout, i18n.N("The printer did not answer in time: check that it is on and its cable is in, see whether this label came out, then try again.")},
	{ErrDisconnected, i18n.N("The printer disconnected while printing: check its cable and power, see whether this label came out, then try again.")},
	{ErrNotFound, i18n.N("Printer not found: check that it is connected and on, or choose the printer again in Settings.")},
	{ErrUnsupportedLanguage, i18n.N("This printer speaks neither TSPL nor ZPL and cannot print labels: please use a label printer.")},
	{ErrNotRetryable, i18n.N("Only a job that failed can be printed again.")},
	{ErrNotCancellable, i18n.N("A job already sent cannot be cancelled.")},
	{ErrNotWindows, i18n.N("This printer address (winspool://) names a printer of a Windows PC: choose a printer of this computer in Printers.")},
}

// genericSentence is what Describe says about an error it does not know.
var genericSentence = i18n.N("Printing failed: please check the printer and try again.")

// Explain returns the catalogue key (package i18n) of the sentence a clerk
// reads for an error of this package, and false for an error it does not
// know.
func Explain(err error) (key string, ok bool) {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Status.adviceKey(), true
	}
	var ue *usbOnWindowsError // before ErrUSBNotBuilt, which it wraps
	if errors.As(err, &ue) {
		return usbOnWindowsKey, true
	}
	for _, s := range sentences {
		if errors.Is(err, s.err) {
			return s.key, true
		}
	}
	return "", false
}

// Describe turns an error from this package into one sentence a clerk can
// act on, in the app's language (i18n). Errors it does not know get a
// generic sentence; the detail belongs in the log.
func Describe(err error) string {
	if err == nil {
		return ""
	}
	if key, ok := Explain(err); ok {
		return i18n.T(key)
	}
	return i18n.T(genericSentence)
}

// errorKey is Explain's key, or the generic sentence's.
func errorKey(err error) string {
	if key, ok := Explain(err); ok {
		return key
	}
	return genericSentence
}
