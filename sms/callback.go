package sms

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"shipdesk/kuaidi100"
	"shipdesk/store"
)

// CallbackHandler returns the handler for delivery receipts; serve it at
// the path of Config.CallbackURL. It stores the receipt's status on the
// message named by its outorder (接收成功 -> delivered, 发送失败 or 接收失败
// -> failed, 发送成功 -> sent) and answers {"status":true}. A receipt whose
// sign does not match the stored message is refused with 403; one for an
// unknown outorder is acknowledged and logged, since asking again would not
// help. The handler is safe for concurrent use.
func (n *Notifier) CallbackHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reply := func(code int, ok bool) {
			w.Header().Set("Content-Type", "application/json;charset=utf-8")
			w.WriteHeader(code)
			if ok {
				w.Write(kuaidi100.SMSCallbackReply)
			} else {
				w.Write([]byte(`{"status":false}`))
			}
		}
		if r.Method != http.MethodPost {
			reply(http.StatusMethodNotAllowed, false)
			return
		}
		rc, err := kuaidi100.ParseSMSCallback(r)
		if err != nil {
			n.logf("sms: receipt: %v", err)
			reply(http.StatusBadRequest, false)
			return
		}
		if err := n.applyReceipt(r.Context(), rc); err != nil {
			if errors.Is(err, errBadSign) {
				n.logf("sms: receipt %s: %v", rc.OutOrder, err)
				reply(http.StatusForbidden, false)
				return
			}
			if errors.Is(err, store.ErrNotFound) {
				n.logf("sms: receipt for unknown outorder %q (%s)", rc.OutOrder, rc.Status)
				reply(http.StatusOK, true)
				return
			}
			n.logf("sms: receipt %s: %v", rc.OutOrder, err)
			reply(http.StatusInternalServerError, false)
			return
		}
		reply(http.StatusOK, true)
	})
}

var errBadSign = errors.New("receipt sign does not match")

// applyReceipt stores one receipt on its message.
func (n *Notifier) applyReceipt(ctx context.Context, rc *kuaidi100.SMSReceipt) error {
	m, err := n.db.SMSByOutOrder(ctx, rc.OutOrder)
	if err != nil {
		return err
	}
	if rc.Sign != "" && !strings.EqualFold(rc.Sign, kuaidi100.SMSCallbackSign(m.TemplateID, m.Phone, m.OutOrder)) {
		return errBadSign
	}
	note := receiptPrefix + rc.Detail
	now := n.now()
	_, err = n.db.UpdateSMS(ctx, m.ID, func(cur *store.SMSMessage) error {
		if !strings.Contains(cur.Reply, note) {
			cur.Reply = joinReply(cur.Reply, note)
		}
		cur.UpdatedAt = now
		cur.State = receiptState(cur.State, rc.Status)
		return nil
	})
	if err == nil {
		n.logf("sms: receipt %s %s: %s", m.Waybill, m.OutOrder, rc.Detail)
	}
	return err
}

// receiptState is the state after a receipt with status arrives for a
// message in state cur. Delivered is final; a failed message (one whose send
// was interrupted) that the network accepted becomes sent, and one the
// handset received becomes delivered.
func receiptState(cur store.SMSState, status string) store.SMSState {
	switch cur {
	case store.SMSDelivered, store.SMSHeld, store.SMSSkipped:
		return cur
	}
	switch status {
	case kuaidi100.SMSStatusDelivered:
		return store.SMSDelivered
	case kuaidi100.SMSStatusFailed:
		return store.SMSFailed
	case kuaidi100.SMSStatusSent:
		if cur == store.SMSIntent || cur == store.SMSFailed {
			return store.SMSSent
		}
	}
	return cur
}
