package shipping

import (
	"context"
	"fmt"
	"shipdesk/store"
)

// Exceptions returns the open exceptions, newest first, to a user who may
// handle them (managers; ErrForbidden otherwise).
func (s *Service) Exceptions(ctx context.Context, u User) ([]store.Exception, error) {
	if err := s.allow(u, ActExceptions); err != nil {
		return nil, err
	}
	ex, err := s.d.DB.Exceptions(ctx, true, 500)
	if err != nil {
		return nil, fmt.Errorf("exceptions: %w", err)
	}
	return ex, nil
}

// ResolveException marks an exception handled (managers only; audited).
func (s *Service) ResolveException(ctx context.Context, u User, id uint64) error {
	if err := s.allow(u, ActExceptions); err != nil {
		return err
	}
	if err := s.d.DB.ResolveException(ctx, id, u.Name); err != nil {
		return fmt.Errorf("resolve exception %d: %w", id, err)
	}
	s.audit(ctx, u, "resolve_exception", fmt.Sprint(id), "")
	return nil
}
