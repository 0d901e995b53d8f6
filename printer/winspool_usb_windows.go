//go:build windows && (nousb || !cgo)

package printer

import "context"

// On Windows the vendor's driver owns a USB label printer and the spooler
// prints to it (winspool://NAME); swapping in WinUSB for libusb would break
// the clinic's other programs. So usb:// explains which name to use instead.
func init() { usbHost = windowsUSB{} }

// windowsUSB is the USB backend of the Windows build: it lists nothing (the
// printers appear under their Windows names) and opens nothing.
type windowsUSB struct{}

func (windowsUSB) List(ctx context.Context) ([]usbDesc, error) { return nil, ErrUSBNotBuilt }

func (windowsUSB) Open(ctx context.Context, u URI) (usbDevice, usbDesc, error) {
	e := &usbOnWindowsError{}
	if ps, err := listWinspool(ctx); err == nil {
		for _, p := range ps {
			e.printers = append(e.printers, p.Name)
		}
	}
	return nil, usbDesc{}, e
}
