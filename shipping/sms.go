package shipping

import (
	"context"
	"fmt"
	"shipdesk/store"
)

// ResendSMS sends a milestone's SMS again at a person's request (managers
// only; the SMS notifier audits it).
func (s *Service) ResendSMS(ctx context.Context, u User, waybill string, m store.Milestone) error {
	if err := s.allow(u, ActResendSMS); err != nil {
		return err
	}
	if s.d.SMS == nil {
		return fmt.Errorf("resend sms %s: %w", waybill, ErrSMSOff)
	}
	if _, err := s.d.SMS.Resend(ctx, u.Name, CleanScan(waybill), m); err != nil {
		return fmt.Errorf("resend sms %s: %w", waybill, err)
	}
	return nil
}
