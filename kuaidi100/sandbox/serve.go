package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Serve serves the sandbox on ln and runs its delivery loop (Run) until ctx
// ends or serving fails; it closes ln. It returns nil after a clean stop.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 2)
	go func() { errc <- s.Run(runCtx) }()
	go func() { errc <- srv.Serve(ln) }()
	var err error
	received := 0
	select {
	case <-ctx.Done():
	case err = <-errc:
		received = 1
		if errors.Is(err, http.ErrServerClosed) || errors.Is(err, context.Canceled) {
			err = nil
		}
	}
	cancel()
	shut, done := context.WithTimeout(context.Background(), 3*time.Second)
	defer done()
	srv.Shutdown(shut)
	for ; received < 2; received++ {
		<-errc // both goroutines end: Run on cancel, Serve on Shutdown
	}
	if err := s.Save(); err != nil { // after the last request
		s.logf("%v", err)
	}
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	return nil
}

// Start runs a sandbox in-process on addr ("127.0.0.1:0" when empty) and
// returns it with its base URL (for kuaidi100.Config.BaseURL). stop shuts it
// down and waits for it; the caller must call it.
func Start(ctx context.Context, addr string, opts Options) (s *Server, baseURL string, stop func(), err error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", nil, fmt.Errorf("sandbox: listen %s: %w", addr, err)
	}
	s = New(opts)
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Serve(sctx, ln)
	}()
	return s, "http://" + ln.Addr().String(), func() { cancel(); <-done }, nil
}
