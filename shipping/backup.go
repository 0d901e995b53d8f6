package shipping

import (
	"context"
	"fmt"
	"io"
)

// ExportCSV writes every shipment as CSV (managers only; audited).
func (s *Service) ExportCSV(ctx context.Context, u User, w io.Writer) error {
	if err := s.allow(u, ActExport); err != nil {
		return err
	}
	if err := s.d.DB.ExportShipmentsCSV(ctx, w); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	s.audit(ctx, u, "export", "", "shipments CSV")
	return nil
}

// Backup copies the database to path while it is in use (managers only;
// audited).
func (s *Service) Backup(ctx context.Context, u User, path string) error {
	if err := s.allow(u, ActBackup); err != nil {
		return err
	}
	if err := s.d.DB.BackupFile(ctx, path); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	s.audit(ctx, u, "backup", path, "")
	return nil
}
