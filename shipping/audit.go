package shipping

import (
	"context"
	"shipdesk/store"
	"strings"
	"unicode/utf8"
)

// reasonOK reports whether a reason given for a sensitive action says
// something (at least two characters).
func reasonOK(reason string) bool {
	return utf8.RuneCountInString(strings.TrimSpace(reason)) >= 2
}

func (s *Service) audit(ctx context.Context, u User, action, target, detail string) {
	if err := s.d.DB.Audit(ctx, store.AuditEntry{Time: s.now(), Who: u.Name, Action: action, Target: target, Detail: detail}); err != nil {
		s.logf("shipping: audit %s %s: %v", action, target, err)
	}
}

// AuditLog returns the latest audit entries (managers only).
func (s *Service) AuditLog(ctx context.Context, u User, limit int) ([]store.AuditEntry, error) {
	if err := s.allow(u, ActSettings); err != nil {
		return nil, err
	}
	return s.d.DB.AuditLog(ctx, limit)
}
