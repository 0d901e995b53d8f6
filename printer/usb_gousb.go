//go:build !nousb && cgo

package printer

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"time"

	"github.com/google/gousb"
)

// usbHost is the compiled-in USB backend: libusb through gousb.
var usbHost usbBackend = gousbBackend{}

// gousbBackend finds printer-class (7) interfaces with libusb. Each call
// makes its own libusb context; an opened device owns its context and
// closes it on Close.
type gousbBackend struct{}

// printerAlt is the interface alt setting chosen for printing.
type printerAlt struct {
	cfgNum, cfgIndex int
	intf, alt        int
	out, in          int // endpoint numbers; in < 0 when none
	bidir            bool
}

// findPrinterAlt picks, like PAPPL, the printer-class alt setting with the
// highest protocol up to 2 (bidirectional) that has a bulk OUT endpoint.
func findPrinterAlt(d *gousb.DeviceDesc) (printerAlt, bool) {
	nums := make([]int, 0, len(d.Configs))
	for n := range d.Configs {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	best, found := printerAlt{}, false
	bestProto := -1
	for idx, n := range nums {
		for _, intf := range d.Configs[n].Interfaces {
			for _, s := range intf.AltSettings {
				if s.Class != gousb.ClassPrinter || s.SubClass != 1 || int(s.Protocol) < 1 || int(s.Protocol) > 2 {
					continue
				}
				cand := printerAlt{cfgNum: n, cfgIndex: idx, intf: s.Number, alt: s.Alternate, out: -1, in: -1}
				for _, ep := range s.Endpoints {
					if ep.TransferType != gousb.TransferTypeBulk {
						continue
					}
					if ep.Direction == gousb.EndpointDirectionOut && cand.out < 0 {
						cand.out = ep.Number
					}
					if ep.Direction == gousb.EndpointDirectionIn && cand.in < 0 {
						cand.in = ep.Number
					}
				}
				if cand.out < 0 || int(s.Protocol) <= bestProto {
					continue
				}
				cand.bidir = s.Protocol == 2 && cand.in >= 0
				if !cand.bidir {
					cand.in = -1
				}
				best, bestProto, found = cand, int(s.Protocol), true
			}
		}
	}
	return best, found
}

// newUSBContext wraps gousb.NewContext, which panics when libusb cannot
// start (no usbfs, sandbox).
func newUSBContext() (c *gousb.Context, err error) {
	defer func() {
		if r := recover(); r != nil {
			c, err = nil, fmt.Errorf("start libusb: %v: %w", r, ErrNotFound)
		}
	}()
	return gousb.NewContext(), nil
}

func (gousbBackend) List(ctx context.Context) ([]usbDesc, error) {
	uc, err := newUSBContext()
	if err != nil {
		return nil, err
	}
	defer uc.Close()
	var found []usbDesc
	devs, openErr := uc.OpenDevices(func(d *gousb.DeviceDesc) bool {
		_, ok := findPrinterAlt(d)
		if ok {
			found = append(found, usbDesc{VendorID: uint16(d.Vendor), ProductID: uint16(d.Product), Bus: d.Bus, Address: d.Address})
		}
		return ok
	})
	for _, dev := range devs {
		for i := range found {
			if found[i].Bus == dev.Desc.Bus && found[i].Address == dev.Desc.Address {
				alt, _ := findPrinterAlt(dev.Desc)
				found[i] = describeDevice(ctx, dev, alt)
			}
		}
		dev.Close()
	}
	if openErr != nil && len(found) == 0 {
		return nil, fmt.Errorf("list USB printers: %w", mapUSBErr(openErr))
	}
	return found, nil
}

// describeDevice reads strings and the device ID of an opened device; what
// cannot be read stays empty. It claims the interface briefly (detaching
// usblp, which libusb re-attaches on release).
func describeDevice(ctx context.Context, dev *gousb.Device, alt printerAlt) usbDesc {
	d := usbDesc{VendorID: uint16(dev.Desc.Vendor), ProductID: uint16(dev.Desc.Product),
		Bus: dev.Desc.Bus, Address: dev.Desc.Address, Bidirectional: alt.bidir}
	dev.ControlTimeout = time.Second
	d.Manufacturer, _ = dev.Manufacturer()
	d.Product, _ = dev.Product()
	d.Serial, _ = dev.SerialNumber()
	dev.SetAutoDetach(true)
	cfg, err := dev.Config(alt.cfgNum)
	if err != nil {
		return d
	}
	defer cfg.Close()
	intf, err := cfg.Interface(alt.intf, alt.alt)
	if err != nil {
		return d
	}
	defer intf.Close()
	if id, err := readDeviceID(dev, alt); err == nil {
		d.DeviceID = id
	}
	return d
}

// readDeviceID issues GET_DEVICE_ID (printers.md §4.1).
func readDeviceID(dev *gousb.Device, alt printerAlt) (string, error) {
	buf := make([]byte, 1024)
	n, err := dev.Control(gousb.ControlIn|gousb.ControlClass|gousb.ControlInterface, 0,
		uint16(alt.cfgIndex), uint16(alt.intf<<8|alt.alt), buf)
	if err != nil {
		return "", fmt.Errorf("read device id: %w", mapUSBErr(err))
	}
	return parseDeviceIDReply(buf[:n])
}

func (gousbBackend) Open(ctx context.Context, u URI) (usbDevice, usbDesc, error) {
	uc, err := newUSBContext()
	if err != nil {
		return nil, usbDesc{}, err
	}
	devs, openErr := uc.OpenDevices(func(d *gousb.DeviceDesc) bool {
		if u.VendorID != 0 || u.ProductID != 0 {
			if uint16(d.Vendor) != u.VendorID || uint16(d.Product) != u.ProductID {
				return false
			}
		}
		_, ok := findPrinterAlt(d)
		return ok
	})
	var chosen *gousb.Device
	for _, dev := range devs {
		if chosen == nil {
			if u.Serial != "" {
				if sn, _ := dev.SerialNumber(); sn != u.Serial {
					dev.Close()
					continue
				}
			}
			chosen = dev
			continue
		}
		dev.Close()
	}
	if chosen == nil {
		uc.Close()
		if openErr != nil {
			return nil, usbDesc{}, mapUSBErr(openErr)
		}
		return nil, usbDesc{}, ErrNotFound
	}
	alt, _ := findPrinterAlt(chosen.Desc)
	desc := describeDevice(ctx, chosen, alt)
	g := &gousbDevice{uctx: uc, dev: chosen, alt: alt}
	if err := g.claim(); err != nil {
		g.Close()
		return nil, usbDesc{}, err
	}
	return g, desc, nil
}

// gousbDevice is a claimed printer interface. It owns its libusb context.
type gousbDevice struct {
	uctx *gousb.Context
	dev  *gousb.Device
	alt  printerAlt
	cfg  *gousb.Config
	intf *gousb.Interface
	out  *gousb.OutEndpoint
	in   *gousb.InEndpoint
}

func (g *gousbDevice) claim() error {
	if err := g.dev.SetAutoDetach(true); err != nil {
		return fmt.Errorf("detach kernel driver: %w", mapUSBErr(err))
	}
	cfg, err := g.dev.Config(g.alt.cfgNum)
	if err != nil {
		return fmt.Errorf("select configuration %d: %w", g.alt.cfgNum, mapUSBErr(err))
	}
	g.cfg = cfg
	intf, err := cfg.Interface(g.alt.intf, g.alt.alt)
	if err != nil {
		return fmt.Errorf("claim interface %d: %w", g.alt.intf, mapUSBErr(err))
	}
	g.intf = intf
	if g.out, err = intf.OutEndpoint(g.alt.out); err != nil {
		return fmt.Errorf("bulk OUT endpoint %d: %w", g.alt.out, mapUSBErr(err))
	}
	if g.alt.bidir {
		if g.in, err = intf.InEndpoint(g.alt.in); err != nil {
			g.in = nil
		}
	}
	return nil
}

func (g *gousbDevice) DeviceID(ctx context.Context) (string, error) {
	return readDeviceID(g.dev, g.alt)
}

func (g *gousbDevice) Write(ctx context.Context, p []byte) (int, error) {
	n, err := g.out.WriteContext(ctx, p)
	if err != nil {
		return n, mapUSBCtxErr(ctx, err)
	}
	return n, nil
}

func (g *gousbDevice) Read(ctx context.Context, p []byte) (int, error) {
	if g.in == nil {
		return 0, errNoBackChannel
	}
	n, err := g.in.ReadContext(ctx, p)
	if err != nil {
		return n, mapUSBCtxErr(ctx, err)
	}
	return n, nil
}

// Close releases the interface, the configuration (re-attaching usblp),
// the device and the libusb context, in that order.
func (g *gousbDevice) Close() error {
	if g.intf != nil {
		g.intf.Close()
	}
	var errs []error
	if g.cfg != nil {
		errs = append(errs, g.cfg.Close())
	}
	if g.dev != nil {
		errs = append(errs, g.dev.Close())
	}
	if g.uctx != nil {
		errs = append(errs, g.uctx.Close())
	}
	return errors.Join(errs...)
}

func mapUSBCtxErr(ctx context.Context, err error) error {
	if errors.Is(err, gousb.TransferCancelled) && ctx.Err() != nil {
		return fmt.Errorf("%w: %w", ErrTimeout, err)
	}
	return mapUSBErr(err)
}

var libusbCode = regexp.MustCompile(`libusb: [^\[]*\[code (-?[0-9]+)\]`)

// mapUSBErr wraps libusb errors with this package's sentinels; an unplugged
// device (NO_DEVICE, IO, transfer error) is ErrDisconnected.
func mapUSBErr(err error) error {
	var ue gousb.Error
	found := errors.As(err, &ue)
	if !found {
		// gousb's Config and Interface format libusb errors with %v, so
		// only the text "libusb: ... [code N]" is left.
		if m := libusbCode.FindStringSubmatch(err.Error()); m != nil {
			if n, convErr := strconv.Atoi(m[1]); convErr == nil {
				ue, found = gousb.Error(n), true
			}
		}
	}
	if found {
		switch ue {
		case gousb.ErrorNoDevice, gousb.ErrorIO, gousb.ErrorPipe:
			return fmt.Errorf("%w: %w", ErrDisconnected, err)
		case gousb.ErrorAccess:
			return fmt.Errorf("%w (add the udev rule for USB printers): %w", ErrPermission, err)
		case gousb.ErrorBusy:
			return fmt.Errorf("%w: %w", ErrBusy, err)
		case gousb.ErrorTimeout:
			return fmt.Errorf("%w: %w", ErrTimeout, err)
		case gousb.ErrorNotFound:
			return fmt.Errorf("%w: %w", ErrNotFound, err)
		}
	}
	var ts gousb.TransferStatus
	if errors.As(err, &ts) {
		switch ts {
		case gousb.TransferNoDevice, gousb.TransferError, gousb.TransferStall:
			return fmt.Errorf("%w: %w", ErrDisconnected, err)
		case gousb.TransferTimedOut, gousb.TransferCancelled:
			return fmt.Errorf("%w: %w", ErrTimeout, err)
		}
	}
	return err
}
