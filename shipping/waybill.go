package shipping

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"shipdesk/assets/i18n"
	"shipdesk/kuaidi100"
	"shipdesk/store"
)

// issue obtains the waybill for o (idempotently) and stores the shipment
// with its routing data.
func (s *Service) issue(ctx context.Context, u User, o store.Order) (store.Shipment, error) {
	acct, err := s.account(ctx, o.Carrier)
	if err != nil {
		return store.Shipment{}, err
	}
	req := orderRequest(o, acct)
	// Subscribing is the tracking worker's (one way, a salt per shipment),
	// never the order's needSubscribe.
	r, err := s.d.Waybills.Order(ctx, req)
	if err != nil {
		return store.Shipment{}, err
	}
	if r.Waybill == "" {
		return store.Shipment{}, ErrNoWaybillNumber
	}
	now := s.now()
	sh := shipmentOf(o, req, r, u, now)
	// A waybill obtained is stored even if ctx ended meanwhile.
	wctx := context.WithoutCancel(ctx)
	stored, existed, err := s.storeShipment(wctx, o, sh)
	if err != nil || existed {
		return stored, err
	}
	if err := s.d.DB.Audit(wctx, store.AuditEntry{Time: now, Who: u.Name, Action: "waybill", Target: r.Waybill, Detail: waybillDetail(o, req, r)}); err != nil {
		s.logf("shipping: audit waybill %s: %v", r.Waybill, err)
	}
	return stored, nil
}

// orderRequest is the e-waybill order of o on the carrier account acct:
// the pay type the account allows (payTypeFor), and the carrier's own
// label when the account prints with its template.
func orderRequest(o store.Order, acct kuaidi100.Account) kuaidi100.OrderRequest {
	req := kuaidi100.OrderRequest{
		OrderID: o.ID, Com: o.Carrier, Recipient: partyOf(o.Recipient), Sender: partyOf(o.Sender),
		Cargo: o.Items, Count: o.Count, Weight: o.Weight, PayType: payTypeFor(o.PayType, acct), ExpType: o.Product,
		Remark: o.Remark, InsuredValue: o.InsuredValue, COD: o.COD, Account: acct,
	}
	if acct.Template == kuaidi100.TemplateCarrier {
		req.PrintType = kuaidi100.PrintImage
	}
	return req
}

// shipmentOf is the new shipment of the waybill r issued for o by u at
// now, keeping the pay type req sent and the link to the carrier's own
// label, which is then printed instead of ours (labeljob.go).
func shipmentOf(o store.Order, req kuaidi100.OrderRequest, r *kuaidi100.OrderResult, u User, now time.Time) store.Shipment {
	sh := store.Shipment{
		Waybill: r.Waybill, Carrier: o.Carrier, OrderID: o.ID, Reference: o.Reference,
		ChildWaybills: r.ChildWaybills, Routing: routingOf(r.Routing), CarrierOrder: r.CarrierOrder,
		RecipientName: o.Recipient.Name, RecipientPhone: o.Recipient.Phone, RecipientAddr: o.Recipient.Address,
		SenderAddr: fullAddress(o.Sender), PayType: req.PayType,
		Milestone: store.MilestoneOrdered, CreatedAt: now, UpdatedAt: now, CreatedBy: u.Name,
	}
	if r.LabelURL != "" {
		if sh.Routing.Extra == nil {
			sh.Routing.Extra = map[string]string{}
		}
		sh.Routing.Extra[carrierLabelKey] = r.LabelURL
	}
	sh.SetMilestoneTime(store.MilestoneOrdered, now)
	return sh
}

// storeShipment stores the new shipment sh of o. A retry after a crash
// between issuing and saving the step finds it stored already and returns
// the stored one (existed); a stored shipment of another order is refused.
func (s *Service) storeShipment(ctx context.Context, o store.Order, sh store.Shipment) (stored store.Shipment, existed bool, err error) {
	switch err := s.d.DB.CreateShipment(ctx, &sh); {
	case errors.Is(err, store.ErrExists):
		existing, gerr := s.d.DB.Shipment(ctx, sh.Waybill)
		if gerr != nil {
			return store.Shipment{}, false, fmt.Errorf("store shipment: %w", gerr)
		}
		if existing.OrderID != "" && existing.OrderID != o.ID {
			// Not ours: the service reused a number (a sandbox restarted
			// with the same seed). Taking it would give this parcel the
			// other one's label job and tracking.
			return store.Shipment{}, false, i18n.Wrap(fmt.Errorf("store shipment %s: belongs to order %s", sh.Waybill, existing.OrderID),
				"Kuaidi100 returned waybill number %s, which belongs to order %s, so it was not used for this order: please check the Kuaidi100 account and try again.", sh.Waybill, existing.OrderID)
		}
		return existing, true, nil
	case err != nil:
		return store.Shipment{}, false, fmt.Errorf("store shipment %s: %w", sh.Waybill, err)
	}
	return sh, false, nil
}

// waybillDetail is the audit entry's detail of an issued waybill: the
// order, Kuaidi100's task and the carrier's order number, a pay type
// changed for the account, and the carrier's label link.
func waybillDetail(o store.Order, req kuaidi100.OrderRequest, r *kuaidi100.OrderResult) string {
	detail := "order " + o.ID
	if r.TaskID != "" {
		detail += " taskId=" + r.TaskID
	}
	if r.CarrierOrder != "" {
		detail += " carrierOrder=" + r.CarrierOrder
	}
	if req.PayType != o.PayType && o.PayType != "" {
		detail += " payType " + o.PayType + "->" + req.PayType + "（" + kuaidi100.CarrierShort(o.Carrier) + "的账号不是月结账号）"
	}
	if r.LabelURL != "" {
		detail += " label=" + r.LabelURL
	}
	return detail
}

// payTypeFor is the pay type an order sends: the order's, unless the
// carrier's account does not allow it (MONTHLY on an account that is not a
// 月结 account, e.g. the settings' default MONTHLY with a ZTO branch
// contract): then the account's default.
func payTypeFor(want string, acct kuaidi100.Account) string {
	spec, _ := kuaidi100.AccountSpecFor(acct.Carrier)
	want = strings.ToUpper(strings.TrimSpace(want))
	if want == "" || !slices.Contains(spec.PayTypes(), want) {
		return acct.PayType
	}
	return want
}

// fullAddress is a party's address with its region in front, unless the
// address already starts with it.
func fullAddress(p store.Party) string {
	region := p.Province
	if p.City != p.Province {
		region += p.City
	}
	region += p.District
	if region == "" || strings.HasPrefix(p.Address, p.Province) {
		return p.Address
	}
	return region + p.Address
}
