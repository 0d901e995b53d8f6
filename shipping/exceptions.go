package shipping

import (
	"context"
	"fmt"
	"strings"

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
	return s.withCouriers(ctx, ex), nil
}

// withCouriers adds to each exception's Detail (a copy; nothing stored)
// the courier the carrier's trace names for the parcel, so the clerk can
// call about a problem parcel: the delivery courier once there is one,
// else the one who picked it up.
func (s *Service) withCouriers(ctx context.Context, ex []store.Exception) []store.Exception {
	for i := range ex {
		if ex[i].Waybill == "" {
			continue
		}
		sh, err := s.d.DB.Shipment(ctx, ex[i].Waybill)
		if err != nil {
			continue
		}
		if c := CourierText(sh.Courier); c != "" {
			ex[i].Detail += "（" + c + "）"
		}
	}
	return ex
}

// CourierText is who to call about a parcel: "派件员 王磊 15012345678" or
// "揽件员 …", from the courier names and phones Kuaidi100's trace gave.
func CourierText(c store.Courier) string {
	switch {
	case c.DeliveryName != "" || c.DeliveryPhone != "":
		return strings.TrimSpace("派件员 " + c.DeliveryName + " " + c.DeliveryPhone)
	case c.PickupName != "" || c.PickupPhone != "":
		return strings.TrimSpace("揽件员 " + c.PickupName + " " + c.PickupPhone)
	}
	return ""
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
