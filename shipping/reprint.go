package shipping

import (
	"context"
	"fmt"
	"shipdesk/store"
	"strings"
)

// Reprint prints a waybill's label again on printerURI (empty: the default
// printer). A reason is required; the reprint is counted on the shipment
// and written to the audit log. A cancelled waybill is not reprinted.
func (s *Service) Reprint(ctx context.Context, u User, waybill, reason, printerURI string) (store.PrintJob, error) {
	if err := s.allow(u, ActReprint); err != nil {
		return store.PrintJob{}, err
	}
	reason = strings.TrimSpace(reason)
	if !reasonOK(reason) {
		return store.PrintJob{}, fmt.Errorf("reprint %s: %w", waybill, ErrReasonRequired)
	}
	sh, err := s.shipment(ctx, waybill)
	if err != nil {
		return store.PrintJob{}, err
	}
	if sh.Milestone == store.MilestoneCancelled {
		return store.PrintJob{}, fmt.Errorf("reprint %s: %w", waybill, ErrCancelled)
	}
	st, err := s.d.DB.Settings(ctx)
	if err != nil {
		return store.PrintJob{}, fmt.Errorf("reprint: settings: %w", err)
	}
	o := s.orderOf(ctx, sh, st)
	job, _, _, err := s.printLabel(ctx, u, st, o, sh, ShipOptions{PrinterURI: printerURI}, true, reason)
	if err != nil {
		return job, fmt.Errorf("reprint %s: %w", waybill, err)
	}
	// The label is queued: it is counted and audited even if ctx ended.
	ctx = context.WithoutCancel(ctx)
	if _, err := s.d.DB.UpdateShipment(ctx, sh.Waybill, func(x *store.Shipment) error {
		x.ReprintCount++
		return nil
	}); err != nil {
		s.logf("shipping: count reprint %s: %v", sh.Waybill, err)
	}
	s.audit(ctx, u, "reprint", sh.Waybill, fmt.Sprintf("原因：%s；打印机：%s；任务 %d %s", reason, job.PrinterURI, job.ID, job.State))
	return job, nil
}

// orderOf returns the order behind a shipment, or one rebuilt from the
// shipment and the settings' sender for a waybill stored without its order.
func (s *Service) orderOf(ctx context.Context, sh store.Shipment, st store.Settings) store.Order {
	if sh.OrderID != "" {
		if o, err := s.d.DB.Order(ctx, sh.OrderID); err == nil {
			return o
		}
	}
	o := store.Order{
		ID: sh.OrderID, Reference: sh.Reference, Carrier: sh.Carrier, Waybill: sh.Waybill,
		Recipient: store.Party{Name: sh.RecipientName, Phone: sh.RecipientPhone, Address: sh.RecipientAddr},
		Items:     st.DefaultItems, Count: 1, Product: st.DefaultProduct, PayType: st.DefaultPayType,
	}
	if len(st.Senders) > 0 {
		o.Sender = st.Senders[0]
	}
	return o
}
