// Package guest holds the cases that run inside the USB test virtual machine
// (see package usbtest). Its tests build only with the usbguest tag, because
// they reconfigure the kernel's USB gadget and must run as root in the guest.
package guest
