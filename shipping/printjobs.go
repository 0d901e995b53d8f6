package shipping

import (
	"context"
	"fmt"
	"shipdesk/store"
)

// RetryJob sends a failed print job again (after the clerk fixed the
// printer).
func (s *Service) RetryJob(ctx context.Context, u User, id uint64) (store.PrintJob, error) {
	if err := s.allow(u, ActPrintQueue); err != nil {
		return store.PrintJob{}, err
	}
	j, err := s.d.Queue.Retry(ctx, id, u.Name)
	if err == nil && j.State == store.JobSent && j.Waybill != "" {
		if _, uerr := s.d.DB.UpdateShipment(ctx, j.Waybill, func(x *store.Shipment) error {
			if x.PrintedAt.IsZero() {
				x.PrintedAt = s.now()
			}
			return nil
		}); uerr != nil {
			s.logf("shipping: mark %s printed: %v", j.Waybill, uerr)
		}
	}
	return j, err
}

// CancelJob cancels a queued or failed print job.
func (s *Service) CancelJob(ctx context.Context, u User, id uint64) error {
	if err := s.allow(u, ActPrintQueue); err != nil {
		return err
	}
	return s.d.Queue.Cancel(ctx, id, u.Name)
}

// PrintLog returns the latest print jobs, newest first, without their
// printer bytes, to a user who may work the print queue (ErrForbidden
// otherwise). limit <= 0 means 200.
func (s *Service) PrintLog(ctx context.Context, u User, limit int) ([]store.PrintJob, error) {
	if err := s.allow(u, ActPrintQueue); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 200
	}
	jobs, err := s.d.DB.Jobs(ctx, store.JobFilter{Limit: limit})
	if err != nil {
		return nil, fmt.Errorf("print log: %w", err)
	}
	for i := range jobs {
		jobs[i].Data = nil
	}
	return jobs, nil
}
