package shipping

import (
	"context"
	"fmt"

	"shipdesk/assets/i18n"
	"shipdesk/printer"
	"shipdesk/printer/label"
	"shipdesk/store"
)

// Printers is the printer inventory (printer.Inventory) as the Printers
// screen shows it: the configured printers, the discovered ones and the
// default printer (the virtual one in demo mode), each with its status.
// Any role may look; a discovery failure is logged, not returned.
func (s *Service) Printers(ctx context.Context, u User) ([]printer.Entry, error) {
	st, err := s.d.DB.Settings(ctx)
	if err != nil {
		return nil, fmt.Errorf("printers: settings: %w", err)
	}
	var extra []store.PrinterProfile
	if s.d.DefaultPrinter != "" {
		extra = append(extra, store.PrinterProfile{Name: i18n.T("Virtual printer (PNG)"), URI: s.d.DefaultPrinter,
			Language: uriLanguage(s.d.DefaultPrinter).Or(printer.TSPL).String()})
	}
	list, derr := printer.Inventory(ctx, st.Printers, extra...)
	if derr != nil {
		s.logf("shipping: discover printers: %v", derr)
	}
	return list, nil
}

// TestPrint prints the test label (label.TestLabel, in the settings' label
// size and resolution) on printer prof, to a user who may work the print
// queue (ErrForbidden otherwise). The job is queued like any other, under
// u's name, and audited.
func (s *Service) TestPrint(ctx context.Context, u User, prof store.PrinterProfile) (store.PrintJob, error) {
	return s.printerJob(ctx, u, prof, "test print", func(lang printer.Language, size label.Size, dpi int) ([]byte, error) {
		l, err := label.TestLabel(size, dpi)
		if err != nil {
			return nil, err
		}
		return lang.Encode(l, PrintSettings(prof))
	})
}

// Calibrate makes printer prof measure its media as the profile says (gap,
// black mark or continuous) for the settings' label size: TSPL SIZE,
// GAP or BLINE, AUTODETECT; ZPL ^MN and ~JC. Same rules as TestPrint.
func (s *Service) Calibrate(ctx context.Context, u User, prof store.PrinterProfile) (store.PrintJob, error) {
	return s.printerJob(ctx, u, prof, "calibrate", func(lang printer.Language, size label.Size, _ int) ([]byte, error) {
		return lang.Calibrate(PrintSettings(prof), size)
	})
}

// printerJob builds a maintenance job for prof in its language, queues it
// and audits it as action.
func (s *Service) printerJob(ctx context.Context, u User, prof store.PrinterProfile, action string,
	build func(lang printer.Language, size label.Size, dpi int) ([]byte, error)) (store.PrintJob, error) {
	if err := s.allow(u, ActPrintQueue); err != nil {
		return store.PrintJob{}, err
	}
	if _, err := printer.ParseURI(prof.URI); err != nil {
		return store.PrintJob{}, fmt.Errorf("%s: %w", action, err)
	}
	lang, ok := printer.ParseLanguage(prof.Language)
	if !ok {
		lang = printer.DeviceLanguage(ctx, prof.URI)
	}
	if lang == "" {
		return store.PrintJob{}, fmt.Errorf("%s %s: language %q: %w", action, prof.URI, prof.Language, printer.ErrUnsupportedLanguage)
	}
	st, err := s.d.DB.Settings(ctx)
	if err != nil {
		return store.PrintJob{}, fmt.Errorf("%s: settings: %w", action, err)
	}
	_, size, dpi := labelFormat(st, ShipOptions{PrinterURI: prof.URI})
	data, err := build(lang, size, dpi)
	if err != nil {
		return store.PrintJob{}, fmt.Errorf("%s: %w", action, err)
	}
	job, err := s.d.Queue.Submit(ctx, store.PrintJob{PrinterURI: prof.URI, Format: lang.String(), Size: size.String(),
		Data: data, Who: u.Name, Reason: action})
	if job.ID != 0 {
		// Queued: audited even when the printer refused it or ctx ended.
		s.audit(context.WithoutCancel(ctx), u, action, prof.URI, fmt.Sprintf("job %d %s", job.ID, job.State))
	}
	if err != nil {
		return job, fmt.Errorf("%s %s: %w", action, prof.URI, err)
	}
	return job, nil
}
