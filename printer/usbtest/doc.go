// Package usbtest proves the USB printer path end to end without a USB bus.
//
// The test boots a small Linux virtual machine (qemu, software emulation)
// whose kernel plays both sides of a USB link: dummy_hcd is a virtual host
// controller, and the printer gadget function (usb_f_printer, configured
// through configfs) is a real printer-class device on its other end. Inside
// the guest, the test binary from package guest prints through Shipdesk's own
// USB transport (gousb -> libusb -> kernel) while reading, on the gadget
// side, exactly the bytes a printer would receive, and answering status
// queries as a printer would. Each guest case reports back over the serial
// console; the host test turns those reports into subtests.
//
// Run it with `make test-usb`; `make test` runs it too when qemu, a kernel
// and busybox are installed (the Makefile installs them where it can) and
// skips it with a visible message otherwise.
package usbtest
