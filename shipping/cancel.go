package shipping

import (
	"context"
	"fmt"
	"shipdesk/kuaidi100"
	"shipdesk/store"
	"strings"
	"time"
)

// Cancel cancels a waybill that has not been picked up yet, through
// Kuaidi100's cancel API; the shipment becomes cancelled, its unsent print
// jobs are cancelled and the action is audited. A picked-up parcel gives
// ErrPickedUp. Cancelling a cancelled waybill again does nothing.
func (s *Service) Cancel(ctx context.Context, u User, waybill, reason string) error {
	if err := s.allow(u, ActCancel); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if !reasonOK(reason) {
		return fmt.Errorf("cancel %s: %w", waybill, ErrReasonRequired)
	}
	sh, err := s.shipment(ctx, waybill)
	if err != nil {
		return err
	}
	switch sh.Milestone {
	case store.MilestoneCancelled:
		return nil
	case store.MilestoneUnknown, store.MilestoneOrdered:
	default:
		return fmt.Errorf("cancel %s (%s): %w", sh.Waybill, sh.Milestone, ErrPickedUp)
	}
	// Cancel sends the account fields the order used (the centre's
	// current account with the carrier) and the carrier's order number.
	acct, err := s.account(ctx, sh.Carrier)
	if err != nil {
		return fmt.Errorf("cancel %s: %w", sh.Waybill, err)
	}
	order := sh.CarrierOrder
	if order == "" {
		order = s.carrierOrder(ctx, sh.Waybill) // shipments stored before CarrierOrder
	}
	req := kuaidi100.CancelRequest{Com: sh.Carrier, Num: sh.Waybill, Reason: reason, OrderID: order, Account: acct}
	if err := s.d.Waybills.Cancel(ctx, req); err != nil {
		// Kuaidi100 documents no code for "already picked up": its own
		// words are shown (kuaidi100.Error), never interpreted.
		return fmt.Errorf("cancel %s: %w", sh.Waybill, err)
	}
	// Kuaidi100 has cancelled it: the local record, the jobs, the order
	// and the audit entry are written even if ctx ends meanwhile.
	ctx = context.WithoutCancel(ctx)
	now := s.now()
	if _, err := s.d.DB.UpdateShipment(ctx, sh.Waybill, func(x *store.Shipment) error {
		x.Milestone = store.MilestoneCancelled
		x.SetMilestoneTime(store.MilestoneCancelled, now)
		x.NextPollAt = time.Time{}
		return nil
	}); err != nil {
		return fmt.Errorf("cancel %s: store: %w", sh.Waybill, err)
	}
	if jobs, err := s.d.DB.Jobs(ctx, store.JobFilter{Waybill: sh.Waybill}); err == nil {
		for _, j := range jobs {
			if j.State == store.JobQueued || j.State == store.JobFailed {
				if err := s.d.Queue.Cancel(ctx, j.ID, u.Name); err != nil {
					s.logf("shipping: cancel job %d of %s: %v", j.ID, sh.Waybill, err)
				}
			}
		}
	}
	if sh.OrderID != "" {
		s.closeCancelled(ctx, sh.OrderID)
	}
	s.audit(ctx, u, "cancel", sh.Waybill, "原因："+reason)
	return nil
}

// closeCancelled marks the order of a cancelled waybill done, under the
// order's lock, so a resume never prints or subscribes it.
func (s *Service) closeCancelled(ctx context.Context, id string) {
	unlock := s.lock(id)
	defer unlock()
	o, err := s.d.DB.Order(ctx, id)
	if err != nil || o.Step == store.StepDone {
		return
	}
	o.Step, o.LastError = store.StepDone, Describe(ErrCancelled)
	if err := s.d.DB.SaveOrder(ctx, &o); err != nil {
		s.logf("shipping: close order %s: %v", o.ID, err)
	}
}

// carrierOrder finds the carrier order number of a shipment stored before
// Shipment.CarrierOrder existed, in the waybill's audit entry; the search
// is bounded to the latest entries.
func (s *Service) carrierOrder(ctx context.Context, waybill string) string {
	entries, err := s.d.DB.AuditLog(ctx, 5000)
	if err != nil {
		return ""
	}
	for _, e := range entries {
		if e.Action == "waybill" && e.Target == waybill {
			for _, f := range strings.Fields(e.Detail) {
				if v, ok := strings.CutPrefix(f, "carrierOrder="); ok {
					return v
				}
			}
			return ""
		}
	}
	return ""
}
