package printer

import (
	"context"
	"errors"
	"sync"
	"time"

	"shipdesk/store"
)

// Entry is one printer of the inventory: configured in the settings,
// discovered on this PC, or both, with the status it reported.
type Entry struct {
	// Profile is the configured profile; for a printer only discovered it
	// holds the name, address and language discovery found.
	Profile      store.PrinterProfile
	Model        string
	Manufacturer string
	Transport    string // usb, serial, tcp, file, virtual, winspool
	Driver, Port string // Windows printers: driver name and port (USB001, COM3, IP_...)
	Configured   bool
	// Status is what the printer said; Unknown when it was not asked
	// (probing an unknown serial port could disturb another device) or
	// did not answer, Offline when it could not be opened.
	Status Status
	probe  bool
}

// InventoryTimeout bounds discovering and asking every printer.
const InventoryTimeout = 4 * time.Second

// Inventory is the one list of printers the GUI and `shipdesk printers`
// show: the configured profiles first (filled in from discovery where the
// same device was found), then extra (the default, virtual printer) unless
// already listed, then the other discovered printers; every printer
// that may safely be asked is asked for its status at once, within
// InventoryTimeout. A discovery failure is returned beside the list.
func Inventory(ctx context.Context, profiles []store.PrinterProfile, extra ...store.PrinterProfile) ([]Entry, error) {
	ctx, cancel := context.WithTimeout(ctx, InventoryTimeout)
	defer cancel()
	found, derr := Discover(ctx)
	list, others := merge(profiles, found)
	for _, x := range extra {
		if x.URI == "" || listed(list, x.URI) {
			continue
		}
		u, err := ParseURI(x.URI)
		e := Entry{Profile: x, probe: err == nil}
		if err == nil {
			e.Transport = u.Scheme
		}
		list = append(list, e)
	}
	for _, o := range others {
		if !listed(list, o.Profile.URI) {
			list = append(list, o)
		}
	}
	probeStatuses(ctx, list)
	return list, derr
}

func listed(list []Entry, uri string) bool {
	for _, e := range list {
		if e.Profile.URI == uri {
			return true
		}
	}
	return false
}

// merge returns the configured printers (filled in from discovery where
// the same device was found) and the other discovered ones.
func merge(profiles []store.PrinterProfile, found []Info) (rows, others []Entry) {
	used := make([]bool, len(found))
	for _, p := range profiles {
		r := Entry{Profile: p, Configured: true, probe: true}
		u, err := ParseURI(p.URI)
		if err == nil {
			r.Transport = u.Scheme
			for i, in := range found {
				if !used[i] && sameDevice(u, in) {
					used[i] = true
					r.Model, r.Manufacturer = in.Model, in.Manufacturer
					r.Driver, r.Port = in.Driver, in.Port
					if r.Profile.Language == "" {
						r.Profile.Language = in.Language.String()
					}
					if r.Profile.Name == "" {
						r.Profile.Name = in.Name
					}
					break
				}
			}
		}
		rows = append(rows, r)
	}
	for i, in := range found {
		if used[i] {
			continue
		}
		others = append(others, Entry{Profile: store.PrinterProfile{Name: in.Name, URI: in.URI, Language: in.Language.String()},
			Model: in.Model, Manufacturer: in.Manufacturer, Transport: in.Transport, Driver: in.Driver, Port: in.Port,
			// The spooler answers for a Windows printer without a byte sent to it.
			probe: in.Transport == "usb" || in.Transport == "winspool"})
	}
	return rows, others
}

// DeviceLanguage is the language the printer at uri speaks as far as it
// can be known without sending it a job: the address's ?lang=, else what a
// USB printer's IEEE 1284 device ID lists, else what a Windows printer's
// driver name says; "" when none of them tells. Network, serial and file
// printers are not asked (bytes sent to an unknown device could disturb
// it). A USB or Windows printer is opened briefly, within ctx and
// InventoryTimeout.
func DeviceLanguage(ctx context.Context, uri string) Language {
	u, err := ParseURI(uri)
	if err != nil {
		return ""
	}
	if u.Language != "" || u.Scheme != "usb" && u.Scheme != "winspool" {
		return u.Language
	}
	ctx, cancel := context.WithTimeout(ctx, InventoryTimeout)
	defer cancel()
	dev, err := OpenURI(ctx, u)
	if err != nil {
		return ""
	}
	lang := dev.Info().Language
	_ = dev.Close() // only asked for its language
	return lang
}

// sameDevice reports whether a configured address names a discovered device.
func sameDevice(u URI, in Info) bool {
	if u.Scheme != in.Transport {
		return false
	}
	switch u.Scheme {
	case "usb":
		if u.VendorID == 0 && u.ProductID == 0 {
			return true // usb:// is the first printer
		}
		return u.VendorID == in.VendorID && u.ProductID == in.ProductID && (u.Serial == "" || u.Serial == in.Serial)
	case "serial":
		return u.Path == in.Name
	case "winspool":
		return u.Printer == in.Name
	}
	return false
}

// probeStatuses asks every probe-able printer at once until ctx ends; no
// answer is Unknown, a printer that cannot be opened Offline.
func probeStatuses(ctx context.Context, rows []Entry) {
	var wg sync.WaitGroup
	for i := range rows {
		r := &rows[i]
		r.Status = Unknown
		if !r.probe {
			continue
		}
		wg.Go(func() {
			st := Unknown
			dev, err := Open(ctx, r.Profile.URI)
			if err == nil {
				st, _ = dev.Status(ctx)
				if in := dev.Info(); r.Profile.Language == "" {
					r.Profile.Language = in.Language.String()
				}
				_ = dev.Close() // only asked for its status
			} else if !errors.Is(err, ErrBadURI) && !errors.Is(err, ErrUSBNotBuilt) {
				st = Offline
			}
			r.Status = st
		})
	}
	wg.Wait()
}
