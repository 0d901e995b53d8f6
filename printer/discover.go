package printer

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"go.bug.st/serial/enumerator"
)

// Discover lists USB printer-class devices (with manufacturer, model and
// language from their device ID), the printers Windows knows (local and
// network connections, with driver and port) and serial ports. It reports what it could:
// a build without USB support, or libusb failing, still lists serial ports.
// The error is non-nil only when nothing was found and a source failed.
func Discover(ctx context.Context) ([]Info, error) {
	var out []Info
	var errs []error
	usbs, err := usbHost.List(ctx)
	if err != nil && !errors.Is(err, ErrUSBNotBuilt) {
		errs = append(errs, err)
	}
	for _, d := range usbs {
		out = append(out, usbInfo(d, ""))
	}
	wins, err := listWinspool(ctx)
	if err != nil {
		errs = append(errs, err)
	}
	out = append(out, wins...)
	ports, err := enumerator.GetDetailedPortsList()
	if err != nil {
		errs = append(errs, fmt.Errorf("list serial ports: %w", err))
	}
	for _, p := range ports {
		out = append(out, serialInfo(p))
	}
	if len(out) == 0 && len(errs) > 0 {
		return nil, fmt.Errorf("discover printers: %w", errors.Join(errs...))
	}
	return out, nil
}

// serialInfo describes a serial port; USB adapters carry VID/PID. The URI
// assumes 9600 baud, the usual factory setting.
func serialInfo(p *enumerator.PortDetails) Info {
	in := Info{
		URI:          "serial://" + p.Name + "?baud=9600", // /dev/ttyUSB0 -> serial:///dev/ttyUSB0; COM3 -> serial://COM3
		Name:         p.Name,
		Model:        p.Product,
		Manufacturer: p.Manufacturer,
		Serial:       p.SerialNumber,
		Transport:    "serial",
	}
	if p.IsUSB {
		v, _ := strconv.ParseUint(p.VID, 16, 16)
		pr, _ := strconv.ParseUint(p.PID, 16, 16)
		in.VendorID, in.ProductID = uint16(v), uint16(pr)
	}
	return in
}
