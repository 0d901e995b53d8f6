//go:build nousb || !cgo

package printer

import "context"

// usbHost is the compiled-in USB backend: none in this build.
var usbHost usbBackend = noUSB{}

// noUSB is the backend of builds without cgo/libusb: every call says so.
type noUSB struct{}

func (noUSB) List(ctx context.Context) ([]usbDesc, error) { return nil, ErrUSBNotBuilt }

func (noUSB) Open(ctx context.Context, u URI) (usbDevice, usbDesc, error) {
	return nil, usbDesc{}, ErrUSBNotBuilt
}
