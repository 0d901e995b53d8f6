package shipping

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"slices"
	"time"

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

// printLabel builds the label job of sh (labelJob) and submits it. The
// preview is the label as rendered; the warnings name the characters that
// print as boxes.
func (s *Service) printLabel(ctx context.Context, u User, st store.Settings, o store.Order, sh store.Shipment, opt ShipOptions, reprint bool, reason string) (store.PrintJob, *image.Gray, []GlyphWarning, error) {
	lj, err := s.labelJob(ctx, st, o, &sh, opt)
	if err != nil {
		return store.PrintJob{}, lj.preview, lj.warnings, err
	}
	job := lj.job
	job.Who, job.Reprint, job.Reason = u.Name, reprint, reason
	job, err = s.submitLabel(ctx, job)
	return job, lj.preview, lj.warnings, err
}

// submitLabel queues a label job and, when the printer took it, marks the
// shipment printed. A job the queue stored but could not send is returned
// with its error and a nil error: the clerk retries it.
func (s *Service) submitLabel(ctx context.Context, job store.PrintJob) (store.PrintJob, error) {
	job, err := s.d.Queue.Submit(ctx, job)
	if err != nil && job.ID == 0 {
		// Not even stored: a real failure.
		return job, fmt.Errorf("print: queue job: %w", err)
	}
	if err != nil && job.Error == "" {
		job.Error, job.ErrorDetail = Describe(err), err.Error()
	}
	if job.State == store.JobSent {
		s.markPrinted(ctx, job.Waybill)
	}
	return job, nil
}

// markPrinted records the first time the label of waybill was printed.
func (s *Service) markPrinted(ctx context.Context, waybill string) {
	if _, err := s.d.DB.UpdateShipment(ctx, waybill, func(x *store.Shipment) error {
		if x.PrintedAt.IsZero() {
			x.PrintedAt = s.now()
		}
		return nil
	}); err != nil {
		s.logf("shipping: mark %s printed: %v", waybill, err)
	}
}

// LabelJob builds the print job of order o's label, exactly as Ship and
// Reprint print it, without queueing it: the printer, size, resolution and
// language opt chooses (resolvePrint; opt.NoPrint is ignored), our layout
// or the carrier's own, and the encoding. The shipment stored for
// o.Waybill, when there is one, supplies the routing data, the pay type
// sent with the waybill and the carrier's label. The returned job is not
// stored and names no user: the caller sets Who and submits it (`shipdesk
// print` does). o is normalised as Ship normalises it. The warnings name the characters that print as boxes. An
// order without a waybill number is ErrNoWaybill.
func (s *Service) LabelJob(ctx context.Context, o store.Order, opt ShipOptions) (store.PrintJob, []GlyphWarning, error) {
	o = normalizeOrder(o)
	if o.Waybill == "" {
		return store.PrintJob{}, nil, fmt.Errorf("label job of order %q: %w", o.ID, ErrNoWaybill)
	}
	st, err := s.d.DB.Settings(ctx)
	if err != nil {
		return store.PrintJob{}, nil, fmt.Errorf("label job: settings: %w", err)
	}
	var sh *store.Shipment
	switch x, err := s.d.DB.Shipment(ctx, o.Waybill); {
	case err == nil:
		sh = &x
	case !errors.Is(err, store.ErrNotFound):
		return store.PrintJob{}, nil, fmt.Errorf("label job: shipment %s: %w", o.Waybill, err)
	}
	lj, err := s.labelJob(ctx, st, o, sh, opt)
	return lj.job, lj.warnings, err
}

// builtLabel is a label job laid out and encoded, not yet queued.
type builtLabel struct {
	job      store.PrintJob // Waybill, OrderID, PrinterURI, Format, Size, Data
	preview  *image.Gray    // the label rendered; nil if it could not be
	warnings []GlyphWarning
}

// labelJob lays out the label of o (and sh, when known), renders its
// preview and encodes it for the printer opt chooses: the one path every
// label takes to a printer.
func (s *Service) labelJob(ctx context.Context, st store.Settings, o store.Order, sh *store.Shipment, opt ShipOptions) (builtLabel, error) {
	var out builtLabel
	t, err := s.resolvePrint(ctx, st, opt)
	if err != nil {
		return out, err
	}
	l, warnings, err := s.layout(ctx, st, o, sh, t.size, t.dpi)
	if err != nil {
		return out, err
	}
	out.warnings = warnings
	waybill := o.Waybill
	if sh != nil && sh.Waybill != "" {
		waybill = sh.Waybill
	}
	if out.preview, err = label.Render(l); err != nil {
		s.logf("shipping: render preview %s: %v", waybill, err)
		out.preview = nil
	}
	data, err := t.lang.Encode(l, PrintSettings(t.profile))
	if err != nil {
		return out, fmt.Errorf("print: encode %s: %w", t.lang, err)
	}
	out.job = store.PrintJob{
		Waybill: waybill, OrderID: o.ID, PrinterURI: t.profile.URI, Format: t.lang.String(),
		Size: t.size.String(), Data: data,
	}
	return out, nil
}

// printTarget is where and how a label prints.
type printTarget struct {
	profile store.PrinterProfile // the printer's mechanics; Language is lang's name
	lang    printer.Language
	size    label.Size
	dpi     int
}

// resolvePrint picks the printer (labelFormat; then Deps.DefaultPrinter),
// the label size and resolution, and the printer's language: opt's, else
// the profile's, else what the printer says of itself (?lang=, a USB
// device ID, a Windows driver: printer.DeviceLanguage), else the
// settings' label format, else TSPL.
func (s *Service) resolvePrint(ctx context.Context, st store.Settings, opt ShipOptions) (printTarget, error) {
	prof, size, dpi := labelFormat(st, opt)
	if prof.URI == "" {
		prof.URI = s.d.DefaultPrinter
		prof.Name = i18n.T("Default printer")
	}
	t := printTarget{profile: prof, size: size, dpi: dpi}
	if prof.URI == "" {
		return t, ErrNoPrinter
	}
	t.lang = opt.Language
	if t.lang == "" {
		t.lang, _ = printer.ParseLanguage(prof.Language)
	}
	if t.lang == "" {
		t.lang = printer.DeviceLanguage(ctx, prof.URI)
	}
	if t.lang == "" {
		t.lang = printer.LanguageOr(st.Label.Format, printer.TSPL)
	}
	t.profile.Language = t.lang.String()
	return t, nil
}

// labelFormat picks the printer profile (printerFor), the label size and
// the resolution: opt's, else the settings'; when opt names a configured
// printer whose profile lists the sizes it is loaded with and the
// settings' size is not among them, the first of those.
func labelFormat(st store.Settings, opt ShipOptions) (store.PrinterProfile, label.Size, int) {
	size := opt.Size
	if size == (label.Size{}) {
		z, err := label.ParseSize(st.Label.Size)
		if err != nil {
			z = label.Size76x130
		}
		size = z
	}
	prof := printerFor(st, opt.PrinterURI, size)
	if opt.Size == (label.Size{}) && opt.PrinterURI != "" && len(prof.Sizes) > 0 && !slices.Contains(prof.Sizes, size.String()) {
		if z, err := label.ParseSize(prof.Sizes[0]); err == nil {
			size = z
		}
	}
	dpi := opt.DPI
	if dpi == 0 {
		dpi = st.Label.DPI
	}
	if dpi == 0 {
		dpi = 203
	}
	return prof, size, dpi
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
		return store.PrinterProfile{Name: uri, URI: uri, Language: uriLanguage(uri).String()}
	}
	for _, p := range st.Printers {
		if slices.Contains(p.Sizes, size.String()) {
			return p
		}
	}
	if len(st.Printers) > 0 {
		return st.Printers[0]
	}
	return store.PrinterProfile{}
}

// uriLanguage reads "?lang=zpl" from a printer URI; "" when it names none.
func uriLanguage(uri string) printer.Language {
	u, err := printer.ParseURI(uri)
	if err != nil {
		return ""
	}
	return u.Language
}

// carrierLabelKey is the Routing.Extra key of the short link to the
// carrier's own label (the order answer's "label", printType IMAGE).
const carrierLabelKey = "label"

// layout lays out the label of o and sh (nil: no shipment stored): the
// carrier's own template when the waybill was ordered with it (fetched
// from Kuaidi100, waiting while it is still being rendered, and printed as
// a bitmap, with no text of ours to warn about; a service without Waybills
// lays out ours instead), otherwise ours (OrderLabel).
func (s *Service) layout(ctx context.Context, st store.Settings, o store.Order, sh *store.Shipment, size label.Size, dpi int) (*label.Label, []GlyphWarning, error) {
	if sh != nil && sh.Routing.Extra[carrierLabelKey] != "" && s.d.Waybills != nil {
		l, err := s.carrierLabel(ctx, sh, size, dpi)
		return l, nil, err
	}
	l, warnings, err := OrderLabel(o, sh, st.Label, size, dpi, s.now())
	if err != nil {
		return nil, nil, fmt.Errorf("print: lay out label: %w", err)
	}
	return l, warnings, nil
}

// OrderLabel lays out Shipdesk's own e-waybill label of order o (with its
// shipment sh when known, else nil) at size and dpi, printed at now, hiding
// what the label settings st hide (隐私面单). o is normalised as Ship
// normalises it. The warnings name the characters that print as boxes.
// Every label of ours is laid out here: Ship, Reprint, Service.LabelJob
// and `shipdesk label`, which has no store.
func OrderLabel(o store.Order, sh *store.Shipment, st store.LabelSettings, size label.Size, dpi int, now time.Time) (*label.Label, []GlyphWarning, error) {
	d := LabelData(normalizeOrder(o), sh, now, st)
	l, err := label.EWaybill(d, size, dpi)
	if err != nil {
		return nil, nil, err
	}
	return l, GlyphWarnings(d, l), nil
}

// carrierLabel fetches the carrier's own label of sh and fits it to size.
func (s *Service) carrierLabel(ctx context.Context, sh *store.Shipment, size label.Size, dpi int) (*label.Label, error) {
	img, err := s.d.Waybills.FetchLabelImage(ctx, sh.Routing.Extra[carrierLabelKey])
	if err != nil {
		return nil, fmt.Errorf("print: carrier label of %s: %w", sh.Waybill, err)
	}
	l, err := label.ImageLabel(size, dpi, fitImage(img, label.Dots(float64(size.WidthMM), dpi), label.Dots(float64(size.HeightMM), dpi)))
	if err != nil {
		return nil, fmt.Errorf("print: carrier label of %s: %w", sh.Waybill, err)
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
