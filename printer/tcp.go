package printer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

// tcpPrinter prints over raw TCP (port 9100): one connection per job, written
// in full, half-closed, then drained until the printer closes its side
// (printers.md §6, as CUPS' socket backend does). It holds no connection
// between jobs.
type tcpPrinter struct {
	u URI
	// confirm bounds the wait for the printer to close after our half-close.
	confirm time.Duration
	dialer  net.Dialer
}

func newTCP(u URI) *tcpPrinter {
	return &tcpPrinter{u: u, confirm: confirmTimeout, dialer: net.Dialer{Timeout: connectTimeout}}
}

func (p *tcpPrinter) Info() Info {
	return Info{URI: p.u.String(), Name: p.u.Addr, Language: p.u.Language, Transport: "tcp"}
}

func (p *tcpPrinter) Close() error { return nil }

func (p *tcpPrinter) dial(ctx context.Context) (*net.TCPConn, error) {
	c, err := p.dialer.DialContext(ctx, "tcp", p.u.Addr)
	if err != nil {
		return nil, fmt.Errorf("connect to printer %s: %w", p.u.Addr, classifyNetErr(err))
	}
	return c.(*net.TCPConn), nil
}

// Print sends job on a fresh connection. A printer that stops reading (a
// stall) or does not close within the confirm time gives ErrTimeout; a
// connection closed or reset mid-job gives ErrDisconnected.
func (p *tcpPrinter) Print(ctx context.Context, job []byte) error {
	ctx, cancel := withJobTimeout(ctx, p.u)
	defer cancel()
	c, err := p.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if dl, ok := ctx.Deadline(); ok {
		c.SetWriteDeadline(dl)
	}
	if _, err := c.Write(job); err != nil {
		return fmt.Errorf("send job to %s: %w", p.u.Addr, classifyNetErr(err))
	}
	if err := c.CloseWrite(); err != nil {
		return fmt.Errorf("finish job to %s: %w", p.u.Addr, classifyNetErr(err))
	}
	// Drain whatever the printer says back until it closes its side.
	readDL := time.Now().Add(p.confirm)
	if dl, ok := ctx.Deadline(); ok && dl.Before(readDL) {
		readDL = dl
	}
	c.SetReadDeadline(readDL)
	if _, err := io.Copy(io.Discard, c); err != nil {
		return fmt.Errorf("wait for %s to confirm the job: %w", p.u.Addr, classifyNetErr(err))
	}
	return nil
}

// Status asks over its own short connection. A refused or unreachable
// printer is Offline; one that does not answer is Unknown.
func (p *tcpPrinter) Status(ctx context.Context) (Status, error) {
	ctx, cancel := context.WithTimeout(ctx, connectTimeout+statusTimeout)
	defer cancel()
	c, err := p.dial(ctx)
	if err != nil {
		if errors.Is(err, ErrBadURI) {
			return Unknown, err
		}
		return Offline, nil
	}
	defer c.Close()
	c.SetWriteDeadline(time.Now().Add(statusTimeout))
	if _, err := c.Write(statusQuery(p.u.Language)); err != nil {
		return Unknown, nil
	}
	deadline := time.Now().Add(statusTimeout)
	return statusReply(ctx, p.u.Language, func(ctx context.Context, b []byte) (int, error) {
		c.SetReadDeadline(deadline)
		n, _ := c.Read(b) // timeout, EOF or reset: no (more) answer
		return n, nil
	})
}

// classifyNetErr wraps a network error with the sentinel a caller branches on.
func classifyNetErr(err error) error {
	var dnsErr *net.DNSError
	switch {
	case isAny(err, errnoRefused):
		return fmt.Errorf("%w: %w", ErrRefused, err)
	case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%w: %w", ErrTimeout, err)
	case errors.As(err, &dnsErr):
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	case isAny(err, errnoLost), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
		return fmt.Errorf("%w: %w", ErrDisconnected, err)
	case isAny(err, errnoUnreachable):
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("%w: %w", ErrTimeout, err)
	}
	return err
}

// isAny reports whether err is one of targets.
func isAny(err error, targets []error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}

func (p *tcpPrinter) hintLanguage(lang Language) {
	if p.u.Language == "" {
		p.u.Language = lang
	}
}
