package shipping

import (
	"context"
	"fmt"

	"shipdesk/assets/i18n"
	"shipdesk/store"
)

// CheckWaiting raises an ExcNoWaybill exception (Waybill holds the order
// id) for every order that has waited for its waybill number longer than
// the manager allows (CounterSettings.WaitingMax). It returns how many it
// raised; the housekeeper calls it.
func (s *Service) CheckWaiting(ctx context.Context) (int, error) {
	st, err := s.d.DB.Settings(ctx)
	if err != nil {
		return 0, fmt.Errorf("check waiting orders: %w", err)
	}
	max := st.Counter.WaitingMax()
	orders, err := s.d.DB.OrdersByStep(ctx, store.StepSaved)
	if err != nil {
		return 0, fmt.Errorf("check waiting orders: %w", err)
	}
	now := s.now()
	n := 0
	for _, o := range orders {
		if o.Waybill != "" || now.Sub(o.CreatedAt) < max {
			continue
		}
		raised, err := s.d.DB.RaiseException(ctx, &store.Exception{Waybill: o.ID, Kind: store.ExcNoWaybill, RaisedAt: now,
			Detail: i18n.F("Order %s (%s) has waited more than %d minutes for its waybill number: %s", o.ID, maskName(o.Recipient.Name), int(max.Minutes()), o.LastError)})
		if err != nil {
			return n, fmt.Errorf("check waiting orders: %w", err)
		}
		if raised {
			n++
		}
	}
	return n, nil
}
