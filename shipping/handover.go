package shipping

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"shipdesk/assets/i18n"
	"shipdesk/kuaidi100"
	"shipdesk/shipping/sheet"
	"shipdesk/store"
)

// The courier's pickup (揽收交接): the clerk picks the carrier, scans each
// parcel's barcode, and finishing records the handover on every scanned
// shipment and makes the 交接单 the courier signs. A Handover is a plain
// value (the command line keeps it in a file between `handover scan`
// calls); the Service's methods apply the rules to it.

// HandoverParcel is one parcel on a handover: expected (printed today for
// the carrier) or scanned.
type HandoverParcel struct {
	Waybill   string    `json:"waybill"`
	Recipient string    `json:"recipient"` // the name, masked (王*)
	City      string    `json:"city"`
	Weight    float64   `json:"weight"`
	PrintedAt time.Time `json:"printedAt,omitzero"`
}

// Handover is one courier's pickup in progress or finished. Only the
// Service changes it; it is not safe for concurrent use.
type Handover struct {
	ID          string           `json:"id"`
	Carrier     string           `json:"carrier"`
	CarrierName string           `json:"carrierName"`
	Courier     string           `json:"courier,omitempty"`
	Station     string           `json:"station"`
	Clerk       string           `json:"clerk"`
	StartedAt   time.Time        `json:"startedAt"`
	FinishedAt  time.Time        `json:"finishedAt,omitzero"`
	Expected    []HandoverParcel `json:"expected"` // printed today, not yet handed over
	Scanned     []HandoverParcel `json:"scanned"`  // in scan order
}

// Missing returns the expected parcels not scanned yet.
func (h *Handover) Missing() []HandoverParcel {
	var out []HandoverParcel
	for _, p := range h.Expected {
		if !h.has(p.Waybill) {
			out = append(out, p)
		}
	}
	return out
}

func (h *Handover) has(waybill string) bool {
	return slices.ContainsFunc(h.Scanned, func(p HandoverParcel) bool { return p.Waybill == waybill })
}

// TotalWeight is the weight of the scanned parcels in kg.
func (h *Handover) TotalWeight() float64 {
	w := 0.0
	for _, p := range h.Scanned {
		w += p.Weight
	}
	return w
}

// ScanOutcome is what a scan meant; the screen beeps differently for each.
type ScanOutcome string

// Scan outcomes.
const (
	ScanOK           ScanOutcome = "ok"            // added to the handover
	ScanAgain        ScanOutcome = "again"         // already scanned on this handover (nothing changes)
	ScanOtherCarrier ScanOutcome = "other_carrier" // a parcel of another carrier: keep it back
	ScanHandedOver   ScanOutcome = "handed_over"   // already on an earlier 交接单
	ScanCancelled    ScanOutcome = "cancelled"     // the waybill was cancelled: do not hand it over
	ScanUnknown      ScanOutcome = "unknown"       // not a waybill of this station
)

// Warn reports whether the outcome is a warning the clerk must act on.
func (o ScanOutcome) Warn() bool { return o != ScanOK && o != ScanAgain }

// ScanResult is the outcome of one scan, with a Chinese sentence for the
// clerk.
type ScanResult struct {
	Outcome ScanOutcome    `json:"outcome"`
	Waybill string         `json:"waybill"`
	Message string         `json:"message"`
	Parcel  HandoverParcel `json:"parcel,omitzero"`
}

// Errors of the handover.
var (
	ErrUnknownCarrier   = errors.New("unknown carrier code")
	ErrHandoverFinished = errors.New("handover already finished")
	ErrHandoverEmpty    = errors.New("handover has no parcels")
)

// StartHandover begins a pickup for carrier (a Kuaidi100 code) by the
// courier named (may be empty): it lists the parcels printed today for
// the carrier and not yet handed over. Front desk, warehouse and managers
// may hand over (ActHandover).
func (s *Service) StartHandover(ctx context.Context, u User, carrier, courier string) (*Handover, error) {
	if err := s.allow(u, ActHandover); err != nil {
		return nil, err
	}
	carrier = strings.TrimSpace(carrier)
	if !knownCarrier(carrier) {
		return nil, fmt.Errorf("handover %q: %w", carrier, ErrUnknownCarrier)
	}
	st, err := s.d.DB.Settings(ctx)
	if err != nil {
		return nil, fmt.Errorf("handover: %w", err)
	}
	now := s.now()
	h := &Handover{Carrier: carrier, CarrierName: kuaidi100.CarrierName(carrier), Courier: strings.TrimSpace(courier),
		Clerk: u.Name, StartedAt: now, Expected: []HandoverParcel{}, Scanned: []HandoverParcel{}}
	if len(st.Senders) > 0 {
		h.Station = st.Senders[0].Name
	}
	h.ID = fmt.Sprintf("JJ%s-%s-%s", now.In(ClinicTime).Format("20060102"), carrier, now.In(ClinicTime).Format("150405"))
	waiting, err := s.printedNotHandedOver(ctx, now, carrier)
	if err != nil {
		return nil, fmt.Errorf("handover: %w", err)
	}
	for _, sh := range waiting {
		h.Expected = append(h.Expected, s.handoverParcel(ctx, sh))
	}
	return h, nil
}

// printedNotHandedOver lists the shipments of carrier (all carriers when
// empty) created on now's clinic day that were printed, are not cancelled
// and are not on a 交接单 yet, oldest first.
func (s *Service) printedNotHandedOver(ctx context.Context, now time.Time, carrier string) ([]store.Shipment, error) {
	from, to := clinicDay(now)
	list, err := s.d.DB.ShipmentsByDay(ctx, from, to.Add(-time.Nanosecond), 0)
	if err != nil {
		return nil, err
	}
	var out []store.Shipment
	for _, sh := range list {
		if sh.CreatedAt.Before(from) || !sh.CreatedAt.Before(to) {
			continue // the store's day is in its own zone
		}
		if (carrier == "" || sh.Carrier == carrier) && !sh.PrintedAt.IsZero() && sh.HandedOverAt.IsZero() &&
			sh.Milestone == store.MilestoneOrdered {
			out = append(out, sh)
		}
	}
	slices.SortStableFunc(out, func(a, b store.Shipment) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, nil
}

// handoverParcel describes sh for the sheet: the city and weight come from
// the order it was shipped from.
func (s *Service) handoverParcel(ctx context.Context, sh store.Shipment) HandoverParcel {
	p := HandoverParcel{Waybill: sh.Waybill, Recipient: maskName(sh.RecipientName), PrintedAt: sh.PrintedAt}
	var o store.Order
	if sh.OrderID != "" {
		o, _ = s.d.DB.Order(ctx, sh.OrderID)
	}
	p.Weight = o.Weight
	prov, city, dist := o.Recipient.Province, o.Recipient.City, o.Recipient.District
	if city == "" {
		prov, city, dist = Region(sh.RecipientAddr)
	}
	switch {
	case city != "" && city != prov:
		p.City = prov + city
	default:
		p.City = city
	}
	if p.City == "" {
		p.City = prov
	}
	p.City += dist
	return p
}

// ScanHandover applies one scan to h: what the scanner typed (spaces,
// Enter, lower case tolerated) is looked up and the parcel added when it
// belongs on this handover. The result says why not otherwise. Only an
// error of the store is returned as error.
func (s *Service) ScanHandover(ctx context.Context, u User, h *Handover, code string) (ScanResult, error) {
	if err := s.allow(u, ActHandover); err != nil {
		return ScanResult{}, err
	}
	if !h.FinishedAt.IsZero() {
		return ScanResult{}, ErrHandoverFinished
	}
	wb := CleanScan(code)
	res := ScanResult{Waybill: wb}
	if wb == "" {
		res.Outcome, res.Message = ScanUnknown, i18n.T("No waybill number was read: please scan again.")
		return res, nil
	}
	if h.has(wb) {
		res.Outcome, res.Message = ScanAgain, i18n.T("This parcel is already scanned.")
		return res, nil
	}
	sh, err := s.d.DB.Shipment(ctx, wb)
	switch {
	case errors.Is(err, store.ErrNotFound):
		res.Outcome, res.Message = ScanUnknown, i18n.F("Waybill %s is not known here: keep the parcel back and check it.", wb)
		return res, nil
	case err != nil:
		return res, fmt.Errorf("handover scan %s: %w", wb, err)
	}
	res.Parcel = s.handoverParcel(ctx, sh)
	switch {
	case sh.Carrier != h.Carrier:
		res.Outcome = ScanOtherCarrier
		res.Message = i18n.F("This is a %s parcel, not %s: keep it back.", kuaidi100.CarrierName(sh.Carrier), h.CarrierName)
	case sh.Milestone == store.MilestoneCancelled:
		res.Outcome, res.Message = ScanCancelled, i18n.F("Waybill %s is cancelled: do not hand it over, keep it back.", wb)
	case !sh.HandedOverAt.IsZero():
		res.Outcome = ScanHandedOver
		res.Message = i18n.F("Waybill %s was already handed over at %s (%s).", wb, sh.HandedOverAt.In(ClinicTime).Format("01-02 15:04"), sh.HandoverID)
	case sh.Milestone != store.MilestoneOrdered:
		res.Outcome = ScanHandedOver
		res.Message = i18n.F("Waybill %s is already with the carrier (%s): no need to hand it over.", wb, i18n.T(sh.Milestone.English()))
	default:
		res.Outcome, res.Message = ScanOK, i18n.F("Scanned %s (%s).", wb, res.Parcel.City)
		h.Scanned = append(h.Scanned, res.Parcel)
	}
	return res, nil
}

// FinishHandover records the handover on every scanned shipment
// (HandedOverAt, HandoverID), audits it, and marks h finished. A shipment
// another station handed over meanwhile keeps its first handover. It
// refuses an empty handover (ErrHandoverEmpty).
func (s *Service) FinishHandover(ctx context.Context, u User, h *Handover) error {
	if err := s.allow(u, ActHandover); err != nil {
		return err
	}
	if !h.FinishedAt.IsZero() {
		return ErrHandoverFinished
	}
	if len(h.Scanned) == 0 {
		return ErrHandoverEmpty
	}
	now := s.now()
	for _, p := range h.Scanned {
		if _, err := s.d.DB.UpdateShipment(ctx, p.Waybill, func(sh *store.Shipment) error {
			if sh.HandedOverAt.IsZero() {
				sh.HandedOverAt, sh.HandoverID = now, h.ID
			}
			return nil
		}); err != nil {
			return fmt.Errorf("handover %s: record %s: %w", h.ID, p.Waybill, err)
		}
	}
	h.FinishedAt = now
	detail := fmt.Sprintf("carrier=%s courier=%s parcels=%d missing=%d", h.Carrier, h.Courier, len(h.Scanned), len(h.Missing()))
	s.audit(ctx, u, "handover", h.ID, detail)
	return nil
}

// WriteHandoverPDF writes h's 交接单 as a PDF (any role that may hand
// over). Times are in the clinic's zone.
func (s *Service) WriteHandoverPDF(u User, h *Handover, w io.Writer) error {
	if err := s.allow(u, ActHandover); err != nil {
		return err
	}
	at := h.FinishedAt
	if at.IsZero() {
		at = s.now()
	}
	sh := sheet.Handover{ID: h.ID, Station: h.Station, Carrier: h.CarrierName, Courier: h.Courier, Clerk: h.Clerk,
		At: at.In(ClinicTime), TotalWeight: h.TotalWeight()}
	for _, p := range h.Scanned {
		sh.Parcels = append(sh.Parcels, sheet.HandoverParcel{Waybill: p.Waybill, City: p.City, Weight: p.Weight})
	}
	return sheet.WriteHandover(w, sh)
}

// CheckHandovers raises an ExcNotHandedOver exception for every parcel
// printed today and not handed over once the manager's handover time
// (CounterSettings.HandoverBy, clinic time) has passed. It returns how many
// it raised; the housekeeper calls it.
func (s *Service) CheckHandovers(ctx context.Context) (int, error) {
	st, err := s.d.DB.Settings(ctx)
	if err != nil {
		return 0, fmt.Errorf("check handovers: %w", err)
	}
	now := s.now()
	day, _ := clinicDay(now)
	hh, mm := st.Counter.HandoverTime()
	if now.Before(day.Add(time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute)) {
		return 0, nil
	}
	list, err := s.printedNotHandedOver(ctx, now, "")
	if err != nil {
		return 0, fmt.Errorf("check handovers: %w", err)
	}
	n := 0
	for _, sh := range list {
		raised, err := s.d.DB.RaiseException(ctx, &store.Exception{Waybill: sh.Waybill, Kind: store.ExcNotHandedOver,
			Detail:   i18n.F("Printed at %s and not handed to the %s courier by %02d:%02d.", sh.PrintedAt.In(ClinicTime).Format("15:04"), kuaidi100.CarrierName(sh.Carrier), hh, mm),
			RaisedAt: now})
		if err != nil {
			return n, fmt.Errorf("check handovers: %w", err)
		}
		if raised {
			n++
		}
	}
	return n, nil
}

// WaitingForCourier counts the parcels printed today and not handed over,
// by carrier code (the 交接 screen offers these carriers first).
func (s *Service) WaitingForCourier(ctx context.Context, u User) (map[string]int, error) {
	if err := s.allow(u, ActHandover); err != nil {
		return nil, err
	}
	list, err := s.printedNotHandedOver(ctx, s.now(), "")
	if err != nil {
		return nil, fmt.Errorf("waiting for the courier: %w", err)
	}
	out := map[string]int{}
	for _, sh := range list {
		out[sh.Carrier]++
	}
	return out, nil
}
