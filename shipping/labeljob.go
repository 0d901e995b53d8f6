package shipping

import (
	"context"
	"fmt"
	"image"
	"image/draw"
	"shipdesk/assets/i18n"
	"shipdesk/printer"
	"shipdesk/printer/label"
	"shipdesk/store"
)

// firstJob returns the original (not reprint) print job of a waybill.
func (s *Service) firstJob(ctx context.Context, waybill string) (store.PrintJob, bool) {
	jobs, err := s.d.DB.Jobs(ctx, store.JobFilter{Waybill: waybill})
	if err != nil {
		return store.PrintJob{}, false
	}
	for i := len(jobs) - 1; i >= 0; i-- { // oldest first
		if !jobs[i].Reprint {
			return jobs[i], true
		}
	}
	return store.PrintJob{}, false
}

// printFirst queues the label of a new waybill, unless a job for it already
// exists (a crash after queueing and before saving the step): a label is
// never queued twice unasked (then no label is laid out and there are no
// warnings).
func (s *Service) printFirst(ctx context.Context, u User, o store.Order, sh store.Shipment, opt ShipOptions) (store.PrintJob, *image.Gray, []GlyphWarning, error) {
	st, err := s.d.DB.Settings(ctx)
	if err != nil {
		return store.PrintJob{}, nil, nil, fmt.Errorf("print: settings: %w", err)
	}
	if j, ok := s.firstJob(ctx, sh.Waybill); ok {
		return j, nil, nil, nil
	}
	return s.printLabel(ctx, u, st, o, sh, opt, false, "")
}

// printLabel lays out, renders, encodes and submits one label. The
// warnings name the characters that print as boxes.
func (s *Service) printLabel(ctx context.Context, u User, st store.Settings, o store.Order, sh store.Shipment, opt ShipOptions, reprint bool, reason string) (store.PrintJob, *image.Gray, []GlyphWarning, error) {
	prof, size, dpi, err := s.resolvePrint(st, opt)
	if err != nil {
		return store.PrintJob{}, nil, nil, err
	}
	l, err := s.layout(ctx, st, o, sh, size, dpi)
	if err != nil {
		return store.PrintJob{}, nil, nil, err
	}
	// A carrier's picture has no text of ours: no warnings.
	warnings := GlyphWarnings(LabelData(o, &sh, s.now(), st.Label), l)
	img, rerr := label.Render(l)
	if rerr != nil {
		s.logf("shipping: render preview %s: %v", sh.Waybill, rerr)
		img = nil
	}
	data, err := printer.Language(prof.Language).Encode(l, PrintSettings(prof))
	if err != nil {
		return store.PrintJob{}, img, warnings, fmt.Errorf("print: encode %s: %w", prof.Language, err)
	}
	job := store.PrintJob{
		Waybill: sh.Waybill, OrderID: o.ID, PrinterURI: prof.URI, Format: prof.Language,
		Size: size.String(), Data: data, Who: u.Name, Reprint: reprint, Reason: reason,
	}
	job, err = s.d.Queue.Submit(ctx, job)
	if err != nil && job.ID == 0 {
		// Not even stored: a real failure.
		return job, img, warnings, fmt.Errorf("print: queue job: %w", err)
	}
	if err != nil && job.Error == "" {
		job.Error, job.ErrorDetail = Describe(err), err.Error()
	}
	if job.State == store.JobSent {
		if _, err := s.d.DB.UpdateShipment(ctx, sh.Waybill, func(x *store.Shipment) error {
			if x.PrintedAt.IsZero() {
				x.PrintedAt = s.now()
			}
			return nil
		}); err != nil {
			s.logf("shipping: mark %s printed: %v", sh.Waybill, err)
		}
	}
	return job, img, warnings, nil
}

// resolvePrint picks the printer profile, label size and resolution.
func (s *Service) resolvePrint(st store.Settings, opt ShipOptions) (store.PrinterProfile, label.Size, int, error) {
	size := opt.Size
	if size == (label.Size{}) {
		z, err := label.ParseSize(st.Label.Size)
		if err != nil {
			z = label.Size76x130
		}
		size = z
	}
	dpi := opt.DPI
	if dpi == 0 {
		dpi = st.Label.DPI
	}
	if dpi == 0 {
		dpi = 203
	}
	prof := printerFor(st, opt.PrinterURI, size)
	if prof.URI == "" {
		prof.URI = s.d.DefaultPrinter
		prof.Name = i18n.T("Default printer")
	}
	if prof.URI == "" {
		return prof, size, dpi, ErrNoPrinter
	}
	switch {
	case opt.Language != "":
		prof.Language = opt.Language
	case prof.Language == "":
		prof.Language = uriLanguage(prof.URI)
	}
	if prof.Language == "" {
		prof.Language = st.Label.Format
	}
	prof.Language = printer.LanguageOr(prof.Language, printer.TSPL).String()
	return prof, size, dpi, nil
}

// printerFor returns the configured printer profile for uri (matched by
// URI), or when uri is empty the profile that is the default for size (then
// the first profile). With nothing configured it returns a profile for uri
// alone.
func printerFor(st store.Settings, uri string, size label.Size) store.PrinterProfile {
	if uri != "" {
		for _, p := range st.Printers {
			if p.URI == uri {
				return p
			}
		}
		return store.PrinterProfile{Name: uri, URI: uri, Language: uriLanguage(uri)}
	}
	for _, p := range st.Printers {
		for _, z := range p.Sizes {
			if z == size.String() {
				return p
			}
		}
	}
	if len(st.Printers) > 0 {
		return st.Printers[0]
	}
	return store.PrinterProfile{}
}

// uriLanguage reads "?lang=zpl" from a printer URI; "" when it names none.
func uriLanguage(uri string) string {
	u, err := printer.ParseURI(uri)
	if err != nil {
		return ""
	}
	return u.Language
}

// carrierLabelKey is the Routing.Extra key of the short link to the
// carrier's own label (the order answer's "label", printType IMAGE).
const carrierLabelKey = "label"

// layout lays out the label of sh: the carrier's own template when the
// waybill was ordered with it (fetched from Kuaidi100, waiting while it is
// still being rendered, and printed as a bitmap), otherwise ours.
func (s *Service) layout(ctx context.Context, st store.Settings, o store.Order, sh store.Shipment, size label.Size, dpi int) (*label.Label, error) {
	if link := sh.Routing.Extra[carrierLabelKey]; link != "" && s.d.Waybills != nil {
		img, err := s.d.Waybills.FetchLabelImage(ctx, link)
		if err != nil {
			return nil, fmt.Errorf("print: carrier label of %s: %w", sh.Waybill, err)
		}
		l, err := label.ImageLabel(size, dpi, fitImage(img, label.Dots(float64(size.WidthMM), dpi), label.Dots(float64(size.HeightMM), dpi)))
		if err != nil {
			return nil, fmt.Errorf("print: carrier label of %s: %w", sh.Waybill, err)
		}
		return l, nil
	}
	d := LabelData(o, &sh, s.now(), st.Label)
	l, err := label.EWaybill(d, size, dpi)
	if err != nil {
		return nil, fmt.Errorf("print: lay out label: %w", err)
	}
	return l, nil
}

// fitImage scales img (nearest neighbour) to fit w x h dots keeping its
// proportions and centres it on white paper of exactly w x h: a carrier's
// label picture comes at its own resolution, the printer has its own.
func fitImage(img image.Image, w, h int) *image.Gray {
	out := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(out, out.Bounds(), image.White, image.Point{}, draw.Src)
	b := img.Bounds()
	if b.Dx() <= 0 || b.Dy() <= 0 || w <= 0 || h <= 0 {
		return out
	}
	sw, sh := w, b.Dy()*w/b.Dx()
	if sh > h {
		sw, sh = b.Dx()*h/b.Dy(), h
	}
	ox, oy := (w-sw)/2, (h-sh)/2
	for y := range max(sh, 1) {
		sy := b.Min.Y + y*b.Dy()/max(sh, 1)
		for x := range max(sw, 1) {
			sx := b.Min.X + x*b.Dx()/max(sw, 1)
			out.Set(ox+x, oy+y, img.At(sx, sy))
		}
	}
	return out
}
