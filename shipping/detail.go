package shipping

import (
	"context"
	"errors"
	"fmt"
	"shipdesk/store"
)

func (s *Service) shipment(ctx context.Context, waybill string) (store.Shipment, error) {
	w := CleanScan(waybill)
	sh, err := s.d.DB.Shipment(ctx, w)
	if errors.Is(err, store.ErrNotFound) {
		return sh, fmt.Errorf("%s: %w", w, ErrNoWaybill)
	}
	if err != nil {
		return sh, fmt.Errorf("load shipment %s: %w", w, err)
	}
	return sh, nil
}

// Detail is everything known about one waybill.
type Detail struct {
	Shipment store.Shipment
	Order    store.Order // zero when the waybill was stored without an order
	Events   []store.TrackingEvent
	Jobs     []store.PrintJob
	SMS      []store.SMSMessage
}

// detail returns everything known about a waybill (scanned or typed),
// unmasked. Callers outside the service use DetailAs, which checks the role
// and masks phone numbers.
func (s *Service) detail(ctx context.Context, waybill string) (Detail, error) {
	var d Detail
	sh, err := s.shipment(ctx, waybill)
	if err != nil {
		return d, err
	}
	d.Shipment = sh
	if sh.OrderID != "" {
		if o, err := s.d.DB.Order(ctx, sh.OrderID); err == nil {
			d.Order = o
		}
	}
	if d.Events, err = s.d.DB.Events(ctx, sh.Waybill); err != nil {
		return d, fmt.Errorf("detail %s: events: %w", sh.Waybill, err)
	}
	if d.Jobs, err = s.d.DB.Jobs(ctx, store.JobFilter{Waybill: sh.Waybill}); err != nil {
		return d, fmt.Errorf("detail %s: jobs: %w", sh.Waybill, err)
	}
	for i := range d.Jobs {
		d.Jobs[i].Data = nil // printer bytes are not for the screen
	}
	if d.SMS, err = s.d.DB.SMSFor(ctx, sh.Waybill); err != nil {
		return d, fmt.Errorf("detail %s: sms: %w", sh.Waybill, err)
	}
	return d, nil
}

// DetailAs returns everything known about a waybill (scanned or typed) to
// a user who may search (ErrForbidden otherwise), with phone numbers masked
// unless u's role may see them.
func (s *Service) DetailAs(ctx context.Context, u User, waybill string) (Detail, error) {
	if err := s.allow(u, ActSearch); err != nil {
		return Detail{}, err
	}
	d, err := s.detail(ctx, waybill)
	if err != nil || canSeePhone(u.Role) {
		return d, err
	}
	d.Shipment = maskFor(u, d.Shipment)
	d.Order.Recipient.Phone = store.MaskPhone(d.Order.Recipient.Phone)
	for i := range d.SMS {
		d.SMS[i].Phone = store.MaskPhone(d.SMS[i].Phone)
	}
	return d, nil
}
