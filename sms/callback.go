package sms

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"shipdesk/store"
)

// Receipt statuses the provider reports (apifox doc-382689).
const (
	StatusSendOK    = "发送成功" // handed to the carrier network
	StatusSendFail  = "发送失败"
	StatusRecvOK    = "接收成功" // the handset received it
	StatusRecvFail  = "接收失败"
	maxCallbackBody = 64 << 10
)

// receipt is one delivery receipt.
type receipt struct {
	OutOrder string
	Status   string
	Message  string
	Sign     string
}

// errBadReceipt marks a body that is not a receipt.
var errBadReceipt = errors.New("not an SMS receipt")

// parseReceipt reads a delivery receipt. The reference does not say whether
// it comes as a JSON body or as form fields, so both are accepted: a JSON
// body {"status":1,"data":{"outorder","message","status","sign"}}, the same
// JSON (or just its data object) in a form field param or data, or the data
// fields as form fields.
func parseReceipt(r *http.Request) (*receipt, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxCallbackBody+1))
	if err != nil {
		return nil, fmt.Errorf("read receipt: %w", err)
	}
	if len(body) > maxCallbackBody {
		return nil, fmt.Errorf("read receipt: body over %d bytes", maxCallbackBody)
	}
	return decodeReceipt(r.Header.Get("Content-Type"), body, r.URL.Query())
}

// decodeReceipt is parseReceipt without the request.
func decodeReceipt(contentType string, body []byte, query url.Values) (*receipt, error) {
	trimmed := strings.TrimSpace(string(body))
	if strings.HasPrefix(trimmed, "{") {
		return receiptJSON(trimmed)
	}
	form, err := url.ParseQuery(trimmed)
	if err != nil {
		form = url.Values{}
	}
	for k, v := range query {
		if _, ok := form[k]; !ok {
			form[k] = v
		}
	}
	for _, k := range []string{"param", "data"} {
		if v := strings.TrimSpace(form.Get(k)); strings.HasPrefix(v, "{") {
			return receiptJSON(v)
		}
	}
	if form.Get("outorder") != "" {
		return &receipt{OutOrder: form.Get("outorder"), Status: form.Get("status"), Message: form.Get("message"), Sign: form.Get("sign")}, nil
	}
	return nil, fmt.Errorf("decode receipt (%s): %w", contentType, errBadReceipt)
}

func receiptJSON(s string) (*receipt, error) {
	var w struct {
		Data     json.RawMessage `json:"data"`
		OutOrder string          `json:"outorder"`
		Status   json.RawMessage `json:"status"`
		Message  string          `json:"message"`
		Sign     string          `json:"sign"`
	}
	if err := json.Unmarshal([]byte(s), &w); err != nil {
		return nil, fmt.Errorf("decode receipt: %w", err)
	}
	d := strings.TrimSpace(string(w.Data))
	if strings.HasPrefix(d, "\"") { // data as a JSON string holding the object
		var inner string
		if err := json.Unmarshal(w.Data, &inner); err == nil {
			d = strings.TrimSpace(inner)
		}
	}
	if strings.HasPrefix(d, "{") {
		return receiptJSON(d)
	}
	if w.OutOrder == "" {
		return nil, fmt.Errorf("decode receipt: no outorder: %w", errBadReceipt)
	}
	var status string
	if err := json.Unmarshal(w.Status, &status); err != nil {
		return nil, fmt.Errorf("decode receipt: status is not text: %w", errBadReceipt)
	}
	return &receipt{OutOrder: w.OutOrder, Status: status, Message: w.Message, Sign: w.Sign}, nil
}

// receiptSign is the receipt's sign: MD5(tid + phone + outorder), compared
// without regard to case.
func receiptSign(tid, phone, outOrder string) string {
	sum := md5.Sum([]byte(tid + phone + outOrder))
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

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
			fmt.Fprintf(w, `{"status":%t}`, ok)
		}
		if r.Method != http.MethodPost {
			reply(http.StatusMethodNotAllowed, false)
			return
		}
		rc, err := parseCallback(r)
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
func (n *Notifier) applyReceipt(ctx context.Context, rc *receipt) error {
	m, err := n.db.SMSByOutOrder(ctx, rc.OutOrder)
	if err != nil {
		return err
	}
	if rc.Sign != "" && !strings.EqualFold(rc.Sign, receiptSign(m.TemplateID, m.Phone, m.OutOrder)) {
		return errBadSign
	}
	note := receiptPrefix + rc.Status
	if rc.Message != "" && rc.Message != rc.Status {
		note += "（" + rc.Message + "）"
	}
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
		n.logf("sms: receipt %s %s: %s", m.Waybill, m.OutOrder, rc.Status)
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
	switch strings.TrimSpace(status) {
	case StatusRecvOK:
		return store.SMSDelivered
	case StatusSendFail, StatusRecvFail:
		return store.SMSFailed
	case StatusSendOK:
		if cur == store.SMSIntent || cur == store.SMSFailed {
			return store.SMSSent
		}
	}
	return cur
}
