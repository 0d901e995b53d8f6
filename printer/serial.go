package printer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
	"time"

	"go.bug.st/serial"
)

// serialPort is the part of serial.Port the printer uses.
type serialPort interface {
	Write(p []byte) (int, error)
	Read(p []byte) (int, error)
	SetReadTimeout(t time.Duration) error
	ResetInputBuffer() error
	ResetOutputBuffer() error
	Drain() error
	Close() error
}

// serialPrinter prints over a serial port held open from Open to Close.
type serialPrinter struct {
	u    URI
	port serialPort
	// stuck is the writer of a timed-out job that could not be released;
	// no other job is written until it returns.
	stuck chan error
}

// serialChunk is how much is written before checking ctx again; at 9600
// baud 4 KiB is about four seconds.
const serialChunk = 4096

func openSerial(ctx context.Context, u URI) (*serialPrinter, error) {
	mode := &serial.Mode{BaudRate: u.Baud, DataBits: u.DataBits}
	switch u.Parity {
	case "odd":
		mode.Parity = serial.OddParity
	case "even":
		mode.Parity = serial.EvenParity
	case "mark":
		mode.Parity = serial.MarkParity
	case "space":
		mode.Parity = serial.SpaceParity
	}
	switch u.StopBits {
	case "1.5":
		mode.StopBits = serial.OnePointFiveStopBits
	case "2":
		mode.StopBits = serial.TwoStopBits
	}
	// InitialStatusBits stays nil: modem-bit ioctls fail on ptys and on
	// some USB adapters (printers.md §5).
	p, err := serial.Open(u.Path, mode)
	if err != nil {
		return nil, fmt.Errorf("open serial port %s: %w", u.Path, classifySerialErr(err))
	}
	return &serialPrinter{u: u, port: p}, nil
}

func (p *serialPrinter) Info() Info {
	return Info{URI: p.u.String(), Name: p.u.Path, Language: p.u.Language, Transport: "serial"}
}

func (p *serialPrinter) Close() error { return p.port.Close() }

// Print writes the job and waits until it has left the port (tcdrain). The
// deadline is the URI's timeout, or by default long enough for the job at
// the port's baud rate. go.bug.st/serial writes block and have no timeout,
// so a printer that holds the line (flow control, or a pty nobody reads)
// is handled by flushing the output buffer when ctx ends, which releases
// the blocked write; the job is then reported as ErrTimeout.
func (p *serialPrinter) Print(ctx context.Context, job []byte) error {
	var cancel context.CancelFunc
	if p.u.Timeout == 0 {
		// 10 bits a byte on the wire, plus half again and a margin.
		need := time.Duration(len(job))*10*time.Second/time.Duration(max(p.u.Baud, 1))*3/2 + 10*time.Second
		ctx, cancel = context.WithTimeout(ctx, max(need, jobTimeout))
	} else {
		ctx, cancel = withJobTimeout(ctx, p.u)
	}
	defer cancel()
	if p.stuck != nil {
		select {
		case <-p.stuck:
			p.stuck = nil
		default:
			return fmt.Errorf("send job to %s: the last job is still stuck in the port; close and reopen it: %w", p.u.Path, ErrBusy)
		}
	}
	done := make(chan error, 1)
	go func() { done <- p.writeAll(ctx, job) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	// Discard what is queued so the blocked write or drain returns; the
	// writer stops at its next chunk because ctx has ended.
	for range 25 {
		p.port.ResetOutputBuffer()
		t := time.NewTimer(20 * time.Millisecond)
		select {
		case <-done:
			t.Stop()
			return fmt.Errorf("send job to %s: printer did not take it in time: %w", p.u.Path, ErrTimeout)
		case <-t.C:
		}
	}
	p.stuck = done
	return fmt.Errorf("send job to %s: printer stopped taking data: %w", p.u.Path, ErrTimeout)
}

// writeAll writes job in chunks, checking ctx between them, then drains.
func (p *serialPrinter) writeAll(ctx context.Context, job []byte) error {
	for off := 0; off < len(job); {
		if ctx.Err() != nil {
			return fmt.Errorf("send job to %s (%d of %d bytes): %w", p.u.Path, off, len(job), ErrTimeout)
		}
		end := min(off+serialChunk, len(job))
		n, err := p.port.Write(job[off:end])
		off += n
		if err != nil {
			return fmt.Errorf("send job to %s (%d of %d bytes): %w", p.u.Path, off, len(job), classifySerialErr(err))
		}
		if n == 0 {
			return fmt.Errorf("send job to %s (%d of %d bytes): port took nothing: %w", p.u.Path, off, len(job), ErrDisconnected)
		}
	}
	if err := p.port.Drain(); err != nil && ctx.Err() != nil {
		return fmt.Errorf("send job to %s: %w", p.u.Path, ErrTimeout)
	}
	return nil
}

// Status sends the status query (TSPL <ESC>!? unless ?lang=zpl) and waits
// briefly for the reply. Many serial cables carry no reply line; silence is
// Unknown.
func (p *serialPrinter) Status(ctx context.Context) (Status, error) {
	ctx, cancel := context.WithTimeout(ctx, statusTimeout)
	defer cancel()
	p.port.ResetInputBuffer()
	if _, err := p.port.Write(statusQuery(p.u.Language)); err != nil {
		return Unknown, fmt.Errorf("ask %s for status: %w", p.u.Path, classifySerialErr(err))
	}
	defer p.port.SetReadTimeout(serial.NoTimeout)
	return statusReply(ctx, p.u.Language, func(ctx context.Context, b []byte) (int, error) {
		left := time.Until(deadlineOf(ctx))
		if left <= 0 {
			return 0, nil
		}
		if err := p.port.SetReadTimeout(left); err != nil {
			return 0, err
		}
		n, err := p.port.Read(b)
		if err != nil {
			return n, fmt.Errorf("read status from %s: %w", p.u.Path, classifySerialErr(err))
		}
		return n, nil
	})
}

func deadlineOf(ctx context.Context) time.Time {
	dl, _ := ctx.Deadline()
	return dl
}

// classifySerialErr wraps a serial error with a sentinel.
func classifySerialErr(err error) error {
	var pe *serial.PortError
	if errors.As(err, &pe) {
		switch pe.Code() {
		case serial.PortNotFound:
			return fmt.Errorf("%w: %w", ErrNotFound, err)
		case serial.PermissionDenied:
			return fmt.Errorf("%w: %w", ErrPermission, err)
		case serial.PortBusy:
			return fmt.Errorf("%w: %w", ErrBusy, err)
		case serial.PortClosed:
			return fmt.Errorf("%w: %w", ErrDisconnected, err)
		}
	}
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOENT), errors.Is(err, syscall.ENXIO):
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("%w: %w", ErrPermission, err)
	case errors.Is(err, syscall.EIO), errors.Is(err, os.ErrClosed), errors.Is(err, syscall.EBADF):
		return fmt.Errorf("%w: %w", ErrDisconnected, err)
	}
	return err
}

func (p *serialPrinter) hintLanguage(lang Language) {
	if p.u.Language == "" {
		p.u.Language = lang
	}
}
