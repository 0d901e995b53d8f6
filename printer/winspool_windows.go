//go:build windows

package printer

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// The spooler API (winspool.drv). golang.org/x/sys/windows does not wrap it.
var (
	modWinspool          = windows.NewLazySystemDLL("winspool.drv")
	procOpenPrinterW     = modWinspool.NewProc("OpenPrinterW")
	procClosePrinter     = modWinspool.NewProc("ClosePrinter")
	procStartDocPrinterW = modWinspool.NewProc("StartDocPrinterW")
	procStartPagePrinter = modWinspool.NewProc("StartPagePrinter")
	procWritePrinter     = modWinspool.NewProc("WritePrinter")
	procEndPagePrinter   = modWinspool.NewProc("EndPagePrinter")
	procEndDocPrinter    = modWinspool.NewProc("EndDocPrinter")
	procAbortPrinter     = modWinspool.NewProc("AbortPrinter")
	procGetPrinterW      = modWinspool.NewProc("GetPrinterW")
	procEnumPrintersW    = modWinspool.NewProc("EnumPrintersW")
	procGetJobW          = modWinspool.NewProc("GetJobW")
	procSetJobW          = modWinspool.NewProc("SetJobW")
)

const (
	printerEnumLocal       = 0x00000002
	printerEnumConnections = 0x00000004
	jobControlDelete       = 5
	errInvalidPrinterName  = syscall.Errno(1801) // ERROR_INVALID_PRINTER_NAME
)

// printerInfo2 is PRINTER_INFO_2W.
type printerInfo2 struct {
	ServerName, PrinterName, ShareName, PortName, DriverName, Comment, Location *uint16
	DevMode                                                                     uintptr
	SepFile, PrintProcessor, Datatype, Parameters                               *uint16
	SecurityDescriptor                                                          uintptr
	Attributes, Priority, DefaultPriority, StartTime, UntilTime, Status         uint32
	Jobs, AveragePPM                                                            uint32
}

// jobInfo1 is JOB_INFO_1W.
type jobInfo1 struct {
	JobID                                                              uint32
	PrinterName, MachineName, UserName, Document, Datatype, StatusText *uint16
	Status, Priority, Position, TotalPages, PagesPrinted               uint32
	Submitted                                                          windows.Systemtime
}

// docInfo1 is DOC_INFO_1W.
type docInfo1 struct {
	DocName, OutputFile, Datatype *uint16
}

// winspoolPoll is how often Print asks the spooler about the job it sent.
const winspoolPoll = 200 * time.Millisecond

// winspoolDevice is a printer handle from OpenPrinterW. Not safe for
// concurrent use (the queue serialises jobs per address).
type winspoolDevice struct {
	u    URI
	h    windows.Handle
	info Info
}

// openWinspool opens the Windows printer named in u. It does not touch the
// printer itself: the handle is the spooler's.
func openWinspool(ctx context.Context, u URI) (Device, error) {
	name, err := windows.UTF16PtrFromString(u.Printer)
	if err != nil {
		return nil, fmt.Errorf("open printer %s: %w", u, ErrBadURI)
	}
	var h windows.Handle
	if r, _, e := procOpenPrinterW.Call(uintptr(unsafe.Pointer(name)), uintptr(unsafe.Pointer(&h)), 0); r == 0 {
		return nil, fmt.Errorf("open printer %s: %w", u, winspoolErr(e, ErrNotFound))
	}
	d := &winspoolDevice{u: u, h: h, info: Info{URI: u.String(), Name: u.Printer, Transport: "winspool", Language: u.Language}}
	if pi, err := d.printerInfo(); err == nil {
		d.info.Driver = windows.UTF16PtrToString(pi.DriverName)
		d.info.Model = d.info.Driver
		d.info.Port = windows.UTF16PtrToString(pi.PortName)
	}
	if d.info.Language == "" {
		d.info.Language = LanguageFromDriver(d.info.Driver)
	}
	return d, nil
}

// winspoolErr classifies a spooler error; unknown ones wrap fallback.
func winspoolErr(e error, fallback error) error {
	var errno syscall.Errno
	if !errors.As(e, &errno) || errno == 0 {
		return fallback
	}
	switch errno {
	case errInvalidPrinterName:
		return fmt.Errorf("%w: no Windows printer by that name (%v)", ErrNotFound, errno)
	case windows.ERROR_ACCESS_DENIED:
		return fmt.Errorf("%w: %v", ErrPermission, errno)
	}
	return fmt.Errorf("%w: %v", fallback, errno)
}

// printerInfo reads PRINTER_INFO_2. Its strings point into the same
// allocation, which the returned pointer keeps alive.
func (d *winspoolDevice) printerInfo() (*printerInfo2, error) {
	var need uint32
	procGetPrinterW.Call(uintptr(d.h), 2, 0, 0, uintptr(unsafe.Pointer(&need)))
	for range 3 {
		if need == 0 {
			need = uint32(unsafe.Sizeof(printerInfo2{}))
		}
		buf := make([]uint64, (need+7)/8)
		r, _, e := procGetPrinterW.Call(uintptr(d.h), 2, uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)*8), uintptr(unsafe.Pointer(&need)))
		if r != 0 {
			return (*printerInfo2)(unsafe.Pointer(&buf[0])), nil
		}
		if e != windows.ERROR_INSUFFICIENT_BUFFER {
			return nil, fmt.Errorf("printer %s: get printer info: %w", d.u.Printer, e)
		}
	}
	return nil, fmt.Errorf("printer %s: get printer info: buffer keeps growing", d.u.Printer)
}

// Status is what the spooler says about the printer (PRINTER_INFO_2 status
// and the "use printer offline" attribute).
func (d *winspoolDevice) Status(ctx context.Context) (Status, error) {
	pi, err := d.printerInfo()
	if err != nil {
		return Unknown, err
	}
	return winspoolStatus(pi.Status, pi.Attributes), nil
}

// Info describes the printer: Windows name, driver and port.
func (d *winspoolDevice) Info() Info { return d.info }

// Close releases the printer handle.
func (d *winspoolDevice) Close() error {
	if d.h == 0 {
		return nil
	}
	r, _, e := procClosePrinter.Call(uintptr(d.h))
	d.h = 0
	if r == 0 {
		return fmt.Errorf("close printer %s: %w", d.u.Printer, e)
	}
	return nil
}

// Print sends job as one RAW document, then follows it in the spooler
// until it leaves (printed, or handed to the port). A printer the spooler
// holds jobs for (offline, paused, paper out...) gets nothing; a job that
// gets stuck after it was spooled is deleted from the spooler before the
// error is returned, so it cannot come out later behind the person who
// retries it.
func (d *winspoolDevice) Print(ctx context.Context, job []byte) error {
	ctx, cancel := withJobTimeout(ctx, d.u)
	defer cancel()
	if st, err := d.Status(ctx); err == nil && (st.Blocking() || st == Offline) {
		return &StatusError{Status: st}
	}
	// No space in the document name: Wine hands it to CUPS as
	// document-name, and cupsd 2.4.2 (Debian 12) crashes on one.
	docName, _ := windows.UTF16PtrFromString("Shipdesk-label")
	raw, _ := windows.UTF16PtrFromString("RAW")
	doc := docInfo1{DocName: docName, Datatype: raw}
	r, _, e := procStartDocPrinterW.Call(uintptr(d.h), 1, uintptr(unsafe.Pointer(&doc)))
	if r == 0 {
		return fmt.Errorf("print to %s: start document: %w", d.u.Printer, winspoolErr(e, ErrRefused))
	}
	jobID := uint32(r)
	abort := func(step string, e error) error {
		procAbortPrinter.Call(uintptr(d.h))
		return fmt.Errorf("print to %s: %s: %w", d.u.Printer, step, winspoolErr(e, ErrDisconnected))
	}
	if r, _, e := procStartPagePrinter.Call(uintptr(d.h)); r == 0 {
		return abort("start page", e)
	}
	const chunk = 64 << 10
	for rest := job; len(rest) > 0; {
		if err := ctx.Err(); err != nil {
			procAbortPrinter.Call(uintptr(d.h))
			return fmt.Errorf("print to %s: %w: %w", d.u.Printer, ErrTimeout, err)
		}
		n := min(len(rest), chunk)
		var written uint32
		r, _, e := procWritePrinter.Call(uintptr(d.h), uintptr(unsafe.Pointer(&rest[0])), uintptr(n), uintptr(unsafe.Pointer(&written)))
		if r == 0 || written == 0 {
			return abort("write", e)
		}
		rest = rest[written:]
	}
	if r, _, e := procEndPagePrinter.Call(uintptr(d.h)); r == 0 {
		return abort("end page", e)
	}
	if r, _, e := procEndDocPrinter.Call(uintptr(d.h)); r == 0 {
		return abort("end document", e)
	}
	return d.awaitJob(ctx, jobID)
}

// awaitJob follows a spooled job until it is printed or gone from the
// queue (the spooler drops a job once the port has taken it; Wine hands it
// to CUPS at EndDocPrinter). A stuck job is deleted and reported.
func (d *winspoolDevice) awaitJob(ctx context.Context, id uint32) error {
	tick := time.NewTicker(winspoolPoll)
	defer tick.Stop()
	for {
		st, gone, err := d.jobStatus(id)
		if err != nil {
			return err
		}
		if gone {
			return nil
		}
		done, stuck := jobOutcome(st)
		if done {
			return nil
		}
		if stuck != Unknown {
			d.deleteJob(id)
			return &StatusError{Status: stuck}
		}
		select {
		case <-ctx.Done():
			d.deleteJob(id)
			return fmt.Errorf("print to %s: job %d still in the Windows print queue: %w: %w", d.u.Printer, id, ErrTimeout, ctx.Err())
		case <-tick.C:
		}
	}
}

// jobStatus reads JOB_INFO_1.Status; gone when the spooler no longer has
// the job.
func (d *winspoolDevice) jobStatus(id uint32) (status uint32, gone bool, err error) {
	var need uint32
	buf := make([]uint64, 128)
	for range 3 {
		r, _, e := procGetJobW.Call(uintptr(d.h), uintptr(id), 1, uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)*8), uintptr(unsafe.Pointer(&need)))
		if r != 0 {
			return (*jobInfo1)(unsafe.Pointer(&buf[0])).Status, false, nil
		}
		switch e {
		case windows.ERROR_INSUFFICIENT_BUFFER:
			buf = make([]uint64, (need+7)/8)
			continue
		case windows.ERROR_INVALID_PARAMETER, windows.ERROR_NOT_FOUND,
			// Wine's GetJobW fails without setting an error once the
			// job has gone to CUPS.
			windows.ERROR_SUCCESS:
			return 0, true, nil
		}
		return 0, false, fmt.Errorf("print to %s: job %d: %w", d.u.Printer, id, winspoolErr(e, ErrDisconnected))
	}
	return 0, false, fmt.Errorf("print to %s: job %d: job info keeps growing", d.u.Printer, id)
}

// deleteJob takes a job out of the spooler (best effort: the caller is
// already reporting a failure).
func (d *winspoolDevice) deleteJob(id uint32) {
	procSetJobW.Call(uintptr(d.h), uintptr(id), 0, 0, jobControlDelete)
}

// listWinspool lists the local printers and network connections Windows
// knows, with driver and port, sorted by name.
func listWinspool(ctx context.Context) ([]Info, error) {
	var need, n uint32
	flags := uintptr(printerEnumLocal | printerEnumConnections)
	procEnumPrintersW.Call(flags, 0, 2, 0, 0, uintptr(unsafe.Pointer(&need)), uintptr(unsafe.Pointer(&n)))
	if need == 0 {
		return nil, nil
	}
	var buf []uint64
	for try := 0; ; try++ {
		buf = make([]uint64, (need+7)/8)
		r, _, e := procEnumPrintersW.Call(flags, 0, 2, uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)*8), uintptr(unsafe.Pointer(&need)), uintptr(unsafe.Pointer(&n)))
		if r != 0 {
			break
		}
		if e != windows.ERROR_INSUFFICIENT_BUFFER || try == 2 {
			return nil, fmt.Errorf("list Windows printers: %w", e)
		}
	}
	if n == 0 {
		return nil, nil
	}
	infos := unsafe.Slice((*printerInfo2)(unsafe.Pointer(&buf[0])), n)
	out := make([]Info, 0, n)
	for _, pi := range infos {
		name := windows.UTF16PtrToString(pi.PrinterName)
		driver := windows.UTF16PtrToString(pi.DriverName)
		out = append(out, Info{
			URI:       WinspoolURI(name),
			Name:      name,
			Model:     driver,
			Language:  LanguageFromDriver(driver),
			Transport: "winspool",
			Driver:    driver,
			Port:      windows.UTF16PtrToString(pi.PortName),
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
