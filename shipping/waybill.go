package shipping

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

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
	req := kuaidi100.OrderRequest{
		OrderID: o.ID, Com: o.Carrier, Recipient: partyOf(o.Recipient), Sender: partyOf(o.Sender),
		Cargo: o.Items, Count: o.Count, Weight: o.Weight, PayType: payTypeFor(o.PayType, acct), ExpType: o.Product,
		Remark: o.Remark, InsuredValue: o.InsuredValue, COD: o.COD, Account: acct,
	}
	if acct.Template == kuaidi100.TemplateCarrier {
		req.PrintType = kuaidi100.PrintImage
	}
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
	sh := store.Shipment{
		Waybill: r.Waybill, Carrier: o.Carrier, OrderID: o.ID, Reference: o.Reference,
		ChildWaybills: r.ChildWaybills, Routing: routingOf(r.Routing), CarrierOrder: r.CarrierOrder,
		RecipientName: o.Recipient.Name, RecipientPhone: o.Recipient.Phone, RecipientAddr: o.Recipient.Address,
		SenderAddr: fullAddress(o.Sender), PayType: req.PayType,
		Milestone: store.MilestoneOrdered, CreatedAt: now, UpdatedAt: now, CreatedBy: u.Name,
	}
	if r.LabelURL != "" {
		// The carrier's template, rendered by Kuaidi100: printed instead of
		// our label (labeljob.go).
		if sh.Routing.Extra == nil {
			sh.Routing.Extra = map[string]string{}
		}
		sh.Routing.Extra[carrierLabelKey] = r.LabelURL
	}
	sh.SetMilestoneTime(store.MilestoneOrdered, now)
	// A waybill obtained is stored even if ctx ended meanwhile.
	wctx := context.WithoutCancel(ctx)
	switch err := s.d.DB.CreateShipment(wctx, &sh); {
	case errors.Is(err, store.ErrExists):
		// A retry after a crash between issuing and saving the step: the
		// same waybill came back and is already stored.
		existing, gerr := s.d.DB.Shipment(wctx, r.Waybill)
		if gerr != nil {
			return store.Shipment{}, fmt.Errorf("store shipment: %w", gerr)
		}
		if existing.OrderID != "" && existing.OrderID != o.ID {
			// Not ours: the service reused a number (a sandbox restarted
			// with the same seed). Taking it would give this parcel the
			// other one's label job and tracking.
			return store.Shipment{}, i18n.Wrap(fmt.Errorf("store shipment %s: belongs to order %s", r.Waybill, existing.OrderID),
				"Kuaidi100 returned waybill number %s, which belongs to order %s, so it was not used for this order: please check the Kuaidi100 account and try again.", r.Waybill, existing.OrderID)
		}
		return existing, nil
	case err != nil:
		return store.Shipment{}, fmt.Errorf("store shipment %s: %w", r.Waybill, err)
	}
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
	if err := s.d.DB.Audit(wctx, store.AuditEntry{Time: now, Who: u.Name, Action: "waybill", Target: r.Waybill, Detail: detail}); err != nil {
		s.logf("shipping: audit waybill %s: %v", r.Waybill, err)
	}
	return sh, nil
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
