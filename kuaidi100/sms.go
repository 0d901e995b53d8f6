package kuaidi100

import (
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// SMSRequest is one templated text message (sms/send.do).
type SMSRequest struct {
	Phone      string            // recipient mobile
	TemplateID string            // tid, configured in the console
	Vars       map[string]string // template variables by name (Chinese allowed)
	OutOrder   string            // our reference, echoed in the status callback
	// CallbackURL receives the delivery status; it overrides the template's
	// configured URL.
	CallbackURL string
}

// SMSResult is the service's answer to an accepted message.
type SMSResult struct {
	Message string // e.g. 短信发送中……
	Raw     string
}

// SMSResponse is the sms/send.do answer, exported for the sandbox.
type SMSResponse struct {
	Status int    `json:"status"` // 1 success, 0 failure
	Data   string `json:"data"`
	Msg    string `json:"msg"`
	Extra  string `json:"extra"`
	Total  int    `json:"total"`
}

// SendSMS sends one message through Kuaidi100's SMS service, signed
// MD5(key+userid), with the configured seller signature. A refusal
// (status 0) is ErrSMSRejected with the service's reason in the message.
func (c *Client) SendSMS(ctx context.Context, r SMSRequest) (*SMSResult, error) {
	const op = "sms"
	if err := c.need(op, "key", c.cfg.Key, "userid", c.cfg.UserID, "短信签名", c.cfg.SMSSeller); err != nil {
		return nil, err
	}
	if r.Phone == "" || r.TemplateID == "" {
		return nil, &Error{Op: op, Code: "input", Message: "发送短信需要手机号和短信模板编号", kind: ErrBadRequest}
	}
	vars := r.Vars
	if vars == nil {
		vars = map[string]string{}
	}
	content, _ := json.Marshal(vars)
	form := url.Values{
		"sign":    {SMSSign(c.cfg.Key, c.cfg.UserID)},
		"userid":  {c.cfg.UserID},
		"seller":  {c.cfg.SMSSeller},
		"phone":   {strings.TrimSpace(r.Phone)},
		"tid":     {r.TemplateID},
		"content": {string(content)},
	}
	if r.OutOrder != "" {
		form.Set("outorder", r.OutOrder)
	}
	if r.CallbackURL != "" {
		form.Set("callback", r.CallbackURL)
	}
	body, err := c.post(ctx, op, c.endpoint(SMSURL, PathSMS), form)
	if err != nil {
		return nil, err
	}
	return DecodeSMSResponse(body)
}

type wireSMS struct {
	Status Str `json:"status"`
	Msg    Str `json:"msg"`
	Code   Str `json:"code"`
}

// DecodeSMSResponse decodes a sms/send.do answer.
func DecodeSMSResponse(body []byte) (*SMSResult, error) {
	const op = "sms"
	var w wireSMS
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, malformed(op, string(body), err)
	}
	switch strings.TrimSpace(string(w.Status)) {
	case "1", "true":
		return &SMSResult{Message: string(w.Msg), Raw: truncate(string(body))}, nil
	case "":
		return nil, malformed(op, string(body), nil)
	}
	msg := strings.TrimSpace(string(w.Msg))
	e := &Error{Op: op, Code: "0", ServiceMessage: msg, Raw: truncate(string(body)), kind: ErrSMSRejected,
		Message: "短信发送失败：" + nonEmpty(msg, "快递100未说明原因") + "。请核对短信账号、签名、模板和手机号"}
	if strings.Contains(msg, "签名") && strings.Contains(msg, "验证") {
		e.kind = ErrSignature
		e.Message = "短信签名验证失败，请检查授权key和短信userid是否正确"
	}
	return nil, e
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// SMS delivery states in a receipt.
const (
	SMSStatusDelivered = "delivered"
	SMSStatusFailed    = "failed"
	SMSStatusSent      = "sent" // handed to the operator, final state not yet known
)

// SMSReceipt is a decoded delivery-status callback.
type SMSReceipt struct {
	OutOrder string // our reference
	Phone    string // when the service says
	Status   string // SMSStatusDelivered, SMSStatusFailed or SMSStatusSent
	Detail   string // the service's status text (接收成功, 发送失败, …) and message
	Sign     string // MD5(tid+phone+outorder) as sent; check with SMSCallbackSign when the tid is known
}

// SMSCallback is the delivery-status callback body, exported for the
// sandbox.
type SMSCallback struct {
	Status int             `json:"status"`
	Data   SMSCallbackData `json:"data"`
	Msg    string          `json:"msg"`
	Extra  string          `json:"extra"`
	Total  int             `json:"total"`
}

// SMSCallbackData is the data of an SMS status callback.
type SMSCallbackData struct {
	OutOrder string `json:"outorder"`
	Phone    string `json:"phone,omitempty"`
	Message  string `json:"message"`
	Status   string `json:"status"` // 发送成功|发送失败|接收成功|接收失败
	Sign     string `json:"sign"`
}

// SMSCallbackSign is the sign of a status callback, MD5(tid+phone+outorder).
func SMSCallbackSign(tid, phone, outOrder string) string { return Sign(tid, phone, outOrder) }

// SMSCallbackReply is the reply the SMS service expects.
var SMSCallbackReply = []byte(`{"status":true}`)

type wireSMSCallback struct {
	Data struct {
		OutOrder Str `json:"outorder"`
		Phone    Str `json:"phone"`
		Message  Str `json:"message"`
		Status   Str `json:"status"`
		Sign     Str `json:"sign"`
	} `json:"data"`
}

// ParseSMSCallback reads a delivery-status callback (at most MaxBody bytes).
// Whether the service posts JSON or a form is undocumented, so both are
// accepted: a JSON body, or a form whose "param" (or "data") field holds the
// JSON. The caller replies SMSCallbackReply.
func ParseSMSCallback(r *http.Request) (*SMSReceipt, error) {
	body, err := readLimited(r.Body, r.ContentLength, MaxBody)
	if err != nil {
		return nil, fmt.Errorf("kuaidi100 sms callback: %w", err)
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/x-www-form-urlencoded" {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, fmt.Errorf("kuaidi100 sms callback: form: %w", ErrMalformed)
		}
		switch {
		case form.Get("param") != "":
			body = []byte(form.Get("param"))
		case form.Get("data") != "":
			body = []byte(`{"data":` + form.Get("data") + `}`)
		}
	}
	return DecodeSMSCallback(body)
}

// DecodeSMSCallback decodes the JSON of a delivery-status callback.
func DecodeSMSCallback(body []byte) (*SMSReceipt, error) {
	var w wireSMSCallback
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("kuaidi100 sms callback: %w", ErrMalformed)
	}
	d := w.Data
	if d.OutOrder == "" && d.Status == "" {
		return nil, fmt.Errorf("kuaidi100 sms callback: no outorder or status: %w", ErrMalformed)
	}
	st := strings.TrimSpace(string(d.Status))
	rc := &SMSReceipt{OutOrder: string(d.OutOrder), Phone: string(d.Phone), Sign: string(d.Sign), Detail: strings.TrimSpace(st + " " + string(d.Message))}
	switch {
	case strings.Contains(st, "失败"), strings.EqualFold(st, "failed"), st == "0":
		rc.Status = SMSStatusFailed
	case strings.Contains(st, "接收成功"), strings.EqualFold(st, "delivered"):
		rc.Status = SMSStatusDelivered
	default:
		rc.Status = SMSStatusSent // 发送成功: handed over, not yet received
	}
	return rc, nil
}
