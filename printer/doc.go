// Package printer drives thermal label printers: it parses printer addresses
// (URIs), opens a transport for each (USB, serial, raw TCP 9100, file and the
// virtual PNG printer), reads printer status, discovers attached printers and
// keeps a persisted print queue so a label is never lost and never printed
// twice without a person asking.
//
// The label bytes themselves (TSPL, ZPL) come from the sub-packages label,
// tspl and zpl; this package only moves bytes and reports what the printer
// says. USB support needs cgo and libusb-1.0; build with -tags nousb (or
// CGO_ENABLED=0) to leave it out, and every other transport still works.
package printer
