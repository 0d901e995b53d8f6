package shipping

import (
	"context"
	"time"
)

// Housekeeper runs the counter's periodic checks: parcels printed and not
// handed over by the manager's time, orders waiting too long for their
// waybill number, and (once a clinic day) the retention period. Create it
// with NewHousekeeper; Run owns its one goroutine.
type Housekeeper struct {
	s     *Service
	every time.Duration
	day   time.Time // the clinic day retention last ran
}

// NewHousekeeper checks every interval (<= 0: 5 minutes).
func (s *Service) NewHousekeeper(every time.Duration) *Housekeeper {
	if every <= 0 {
		every = 5 * time.Minute
	}
	return &Housekeeper{s: s, every: every}
}

// Run checks at once and then every interval until ctx ends; it returns
// nil then. Failures are logged and tried again at the next round.
func (h *Housekeeper) Run(ctx context.Context) error {
	t := time.NewTicker(h.every)
	defer t.Stop()
	for {
		h.Once(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Once runs every check one time.
func (h *Housekeeper) Once(ctx context.Context) {
	s := h.s
	if n, err := s.CheckHandovers(ctx); err != nil && ctx.Err() == nil {
		s.logf("shipping: %v", err)
	} else if n > 0 {
		s.logf("shipping: %d printed parcels not handed over in time", n)
	}
	if n, err := s.CheckWaiting(ctx); err != nil && ctx.Err() == nil {
		s.logf("shipping: %v", err)
	} else if n > 0 {
		s.logf("shipping: %d orders waiting too long for a waybill number", n)
	}
	if day, _ := clinicDay(s.now()); !day.Equal(h.day) {
		if n, err := s.ApplyRetention(ctx, System); err != nil && ctx.Err() == nil {
			s.logf("shipping: %v", err)
		} else if err == nil {
			h.day = day
			if n > 0 {
				s.logf("shipping: retention masked %d delivered shipments", n)
			}
		}
	}
}
