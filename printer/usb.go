package printer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// usbDevice is one claimed USB printer interface. The gousb backend
// (usb_gousb.go) implements it; tests fake it. Not safe for concurrent use.
type usbDevice interface {
	// DeviceID reads the IEEE-1284 device ID (GET_DEVICE_ID), without the
	// two length bytes.
	DeviceID(ctx context.Context) (string, error)
	// Write sends to the bulk OUT endpoint; it may write fewer bytes than
	// asked (a short write) with or without an error.
	Write(ctx context.Context, p []byte) (int, error)
	// Read reads from the bulk IN endpoint; errNoBackChannel when the
	// interface is unidirectional. When ctx ends it returns what it has.
	Read(ctx context.Context, p []byte) (int, error)
	// Close releases the interface and re-attaches the kernel driver.
	Close() error
}

// usbDesc describes a USB printer-class interface without opening it for
// printing.
type usbDesc struct {
	VendorID, ProductID   uint16
	Bus, Address          int
	Manufacturer, Product string
	Serial                string
	DeviceID              string // "" when it could not be read
	Bidirectional         bool
}

// usbBackend lists and opens USB printers. Exactly one is compiled in:
// gousb (cgo, libusb) or none.
type usbBackend interface {
	// List returns every printer-class interface; it reports what it
	// could read even when some devices could not be opened.
	List(ctx context.Context) ([]usbDesc, error)
	// Open claims the first printer matching u (VID:PID and serial, or
	// any when zero). ErrNotFound when none matches.
	Open(ctx context.Context, u URI) (usbDevice, usbDesc, error)
}

// errNoBackChannel: a unidirectional printer cannot answer.
var errNoBackChannel = errors.New("usb printer has no IN endpoint")

// usbChunk bounds one bulk transfer, so ctx is checked between transfers
// and a short write costs at most one retry of this size.
const usbChunk = 64 << 10

// usbPrinter is a Device over a usbDevice.
type usbPrinter struct {
	u    URI
	dev  usbDevice
	desc usbDesc
	lang Language
}

func openUSB(ctx context.Context, b usbBackend, u URI) (*usbPrinter, error) {
	dev, desc, err := b.Open(ctx, u)
	if err != nil {
		return nil, fmt.Errorf("open USB printer %s: %w", u, err)
	}
	p := &usbPrinter{u: u, dev: dev, desc: desc, lang: u.Language}
	if desc.DeviceID == "" {
		idctx, cancel := context.WithTimeout(ctx, time.Second)
		if id, err := dev.DeviceID(idctx); err == nil {
			p.desc.DeviceID = id
		}
		cancel()
	}
	if p.lang == "" {
		p.lang = LanguageFromDeviceID(p.desc.DeviceID)
	}
	return p, nil
}

func (p *usbPrinter) Info() Info { return usbInfo(p.desc, p.lang) }

// usbInfo fills an Info from a descriptor, preferring the device ID's
// manufacturer and model over the USB string descriptors.
func usbInfo(d usbDesc, lang Language) Info {
	id := ParseDeviceID(d.DeviceID)
	in := Info{
		URI:          fmt.Sprintf("usb://%04x:%04x", d.VendorID, d.ProductID),
		Manufacturer: firstNonEmpty(id["MFG"], d.Manufacturer),
		Model:        firstNonEmpty(id["MDL"], d.Product),
		Serial:       firstNonEmpty(d.Serial, id["SN"]),
		Language:     lang,
		VendorID:     d.VendorID,
		ProductID:    d.ProductID,
		Transport:    "usb",
		DeviceID:     d.DeviceID,
	}
	if in.Language == "" {
		in.Language = LanguageFromDeviceID(d.DeviceID)
	}
	if d.Serial != "" {
		in.URI += "?serial=" + d.Serial
	}
	in.Name = strings.TrimSpace(in.Manufacturer + " " + in.Model)
	if in.Name == "" {
		in.Name = fmt.Sprintf("USB %04x:%04x", d.VendorID, d.ProductID)
	}
	return in
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

func (p *usbPrinter) Close() error { return p.dev.Close() }

// Print writes the job to the bulk OUT endpoint, looping over short writes.
// An unplugged printer gives ErrDisconnected.
func (p *usbPrinter) Print(ctx context.Context, job []byte) error {
	ctx, cancel := withJobTimeout(ctx, p.u)
	defer cancel()
	stalls := 0
	for off := 0; off < len(job); {
		if ctx.Err() != nil {
			return fmt.Errorf("send job over USB (%d of %d bytes): %w", off, len(job), ErrTimeout)
		}
		end := min(off+usbChunk, len(job))
		n, err := p.dev.Write(ctx, job[off:end])
		off += n
		if err != nil {
			if ctx.Err() != nil && !errors.Is(err, ErrDisconnected) {
				err = fmt.Errorf("%w: %w", ErrTimeout, err)
			}
			return fmt.Errorf("send job over USB (%d of %d bytes): %w", off, len(job), err)
		}
		if n == 0 {
			// A device that keeps accepting nothing is treated as gone.
			if stalls++; stalls > 3 {
				return fmt.Errorf("send job over USB (%d of %d bytes): printer accepts no data: %w", off, len(job), ErrDisconnected)
			}
			continue
		}
		stalls = 0
	}
	return nil
}

// Status asks a bidirectional printer (<ESC>!? for TSPL, ~HS for ZPL) and
// reads the reply from the bulk IN endpoint. A one-way printer, or one that
// stays silent, is Unknown; an unplugged one is Offline.
func (p *usbPrinter) Status(ctx context.Context) (Status, error) {
	if !p.desc.Bidirectional {
		return Unknown, nil
	}
	ctx, cancel := context.WithTimeout(ctx, statusTimeout)
	defer cancel()
	if _, err := p.dev.Write(ctx, statusQuery(p.lang)); err != nil {
		if errors.Is(err, ErrDisconnected) || errors.Is(err, ErrNotFound) {
			return Offline, nil
		}
		return Unknown, nil
	}
	st, err := statusReply(ctx, p.lang, func(ctx context.Context, b []byte) (int, error) {
		n, err := p.dev.Read(ctx, b)
		if err != nil && (ctx.Err() != nil || errors.Is(err, ErrTimeout) || errors.Is(err, errNoBackChannel)) {
			return n, nil
		}
		return n, err
	})
	if err != nil {
		if errors.Is(err, ErrDisconnected) || errors.Is(err, ErrNotFound) {
			return Offline, nil
		}
		return Unknown, nil
	}
	return st, nil
}

// parseDeviceIDReply decodes a GET_DEVICE_ID reply: a two-byte big-endian
// length that counts itself, then the ID. Some printers send the length
// little-endian; like PAPPL, fall back to that when the big-endian value is
// implausible. Trailing NULs, spaces and line ends are dropped.
func parseDeviceIDReply(b []byte) (string, error) {
	if len(b) < 2 {
		return "", fmt.Errorf("device id: reply of %d bytes", len(b))
	}
	n := int(b[0])<<8 | int(b[1])
	if n < 14 || n > len(b) {
		n = int(b[1])<<8 | int(b[0])
	}
	if n < 2 || n > len(b) {
		// Neither order fits: use what arrived.
		n = len(b)
	}
	return strings.TrimRight(string(b[2:n]), "\x00 \r\n"), nil
}

func (p *usbPrinter) hintLanguage(lang Language) {
	if p.lang == "" {
		p.lang = lang
	}
}
