package printer

import (
	"context"
	"fmt"
	"time"
)

// Device is an open printer. Print sends one job; Status asks the printer how
// it is. A Device is not safe for concurrent use: one goroutine prints at a
// time (the Queue serialises jobs per printer). The caller closes it.
type Device interface {
	// Print sends the whole job and returns when the printer has taken it.
	// An error means the job may not have printed, or may have printed
	// partly; it wraps ErrDisconnected, ErrTimeout, ErrRefused... where
	// known.
	Print(ctx context.Context, job []byte) error
	// Status asks the printer. A printer that does not answer is Unknown
	// with a nil error; an error means the transport itself failed.
	Status(ctx context.Context) (Status, error)
	// Info describes the device (language and model where it told us).
	Info() Info
	// Close releases the port, USB interface or file.
	Close() error
}

// Info describes a printer found by Discover or opened by Open.
type Info struct {
	URI          string   `json:"uri"`
	Name         string   `json:"name"`
	Model        string   `json:"model"`
	Manufacturer string   `json:"manufacturer"`
	Language     Language `json:"language"` // TSPL, ZPL or "" when unknown
	Serial       string   `json:"serial,omitempty"`
	VendorID     uint16   `json:"vendorId,omitempty"`
	ProductID    uint16   `json:"productId,omitempty"`
	Transport    string   `json:"transport"`          // usb, serial, tcp, file, virtual, winspool
	DeviceID     string   `json:"deviceId,omitempty"` // raw IEEE-1284 ID (USB)
	Driver       string   `json:"driver,omitempty"`   // Windows driver name (winspool)
	Port         string   `json:"port,omitempty"`     // Windows port: USB001, COM3, IP_192.168.1.50 (winspool)
}

// Default timeouts. A URI's ?timeout= overrides jobTimeout.
const (
	connectTimeout = 5 * time.Second        // TCP connect
	jobTimeout     = 60 * time.Second       // the whole job, when ctx has no deadline
	statusTimeout  = 800 * time.Millisecond // waiting for a status reply
	confirmTimeout = 10 * time.Second       // TCP: printer closing after our half-close
)

// Open opens the printer at uri. TCP printers are connected per job, so Open
// does not touch the network; serial ports and USB devices are opened here
// and held until Close.
func Open(ctx context.Context, uri string) (Device, error) {
	u, err := ParseURI(uri)
	if err != nil {
		return nil, err
	}
	return OpenURI(ctx, u)
}

// OpenURI is Open for an already parsed address.
func OpenURI(ctx context.Context, u URI) (Device, error) {
	switch u.Scheme {
	case "usb":
		return openUSB(ctx, usbHost, u)
	case "serial":
		return openSerial(ctx, u)
	case "tcp":
		return newTCP(u), nil
	case "file":
		return openFile(u)
	case "virtual":
		return openVirtual(u)
	case "winspool":
		return openWinspool(ctx, u)
	}
	return nil, fmt.Errorf("open printer %s: %w", u, ErrBadURI)
}

// withJobTimeout bounds ctx by the URI's timeout, or the default when ctx
// has no deadline of its own.
func withJobTimeout(ctx context.Context, u URI) (context.Context, context.CancelFunc) {
	if u.Timeout > 0 {
		return context.WithTimeout(ctx, u.Timeout)
	}
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, jobTimeout)
}

// statusQuery returns the bytes that ask a printer of the given language for
// its status.
func statusQuery(lang Language) []byte { return lang.StatusQuery() }

// statusReply reads a status answer from read (which returns 0, nil or a
// timeout error when nothing arrives) until it can be parsed or ctx ends.
// No answer is Unknown, nil.
func statusReply(ctx context.Context, l Language, read func(ctx context.Context, p []byte) (int, error)) (Status, error) {
	var got []byte
	buf := make([]byte, 1024)
	for {
		if err := ctx.Err(); err != nil {
			return Unknown, nil
		}
		n, err := read(ctx, buf)
		got = append(got, buf[:n]...)
		if st, done := l.parseStatus(got); done {
			return st, nil
		}
		if err != nil {
			return Unknown, err
		}
		if n == 0 {
			return Unknown, nil
		}
	}
}
