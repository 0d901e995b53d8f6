package kuaidi100

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Push is one decoded tracking push.
type Push struct {
	Status    string // polling, shutdown (finished, signed), abort (gave up), updateall
	Message   string // e.g. "3天查询无记录", "60天无变化"
	AutoCheck bool   // data is for a carrier code Kuaidi100 corrected
	ComOld    string // the carrier code subscribed
	ComNew    string // the corrected carrier code
	Track     Track  // lastResult, events newest first
}

// The push statuses.
const (
	PushPolling   = "polling"
	PushShutdown  = "shutdown"
	PushAbort     = "abort"
	PushUpdateAll = "updateall"
)

// PushParam is the param JSON of a push, exported so the sandbox sends the
// same shape the client decodes.
type PushParam struct {
	Status     string         `json:"status"`
	BillStatus string         `json:"billstatus"`
	Message    string         `json:"message"`
	AutoCheck  string         `json:"autoCheck"`
	ComOld     string         `json:"comOld"`
	ComNew     string         `json:"comNew"`
	LastResult ResultEnvelope `json:"lastResult"`
}

// ResultEnvelope is the query success body and a push's lastResult, in wire
// form (all strings), exported for the sandbox.
type ResultEnvelope struct {
	Message   string      `json:"message"`
	Nu        string      `json:"nu"`
	Com       string      `json:"com"`
	IsCheck   string      `json:"ischeck"`
	Status    string      `json:"status"`
	State     string      `json:"state"`
	Condition string      `json:"condition"`
	Data      []WireEvent `json:"data"`
	RouteInfo *WireRoute  `json:"routeInfo,omitempty"`
	IsLoop    bool        `json:"isLoop"`
	// CourierInfo answers needCourierInfo.
	CourierInfo *WireCourierInfo `json:"courierInfo,omitempty"`
}

// WireCourierInfo is the courierInfo of a query answer.
type WireCourierInfo struct {
	PickupManName    string `json:"pickupManName"`
	PickupManPhone   string `json:"pickupManPhone"`
	DeliveryManName  string `json:"deliveryManName"`
	DeliveryManPhone string `json:"deliveryManPhone"`
}

// WireEvent is one trace line as sent with resultv2=4.
type WireEvent struct {
	Time       string `json:"time"`
	FTime      string `json:"ftime"`
	Context    string `json:"context"`
	Location   string `json:"location"`
	AreaCode   string `json:"areaCode,omitempty"`
	AreaName   string `json:"areaName,omitempty"`
	Status     string `json:"status"`
	StatusCode string `json:"statusCode,omitempty"`
}

// WireRoute is routeInfo; To is often null.
type WireRoute struct {
	From *WireArea `json:"from"`
	Cur  *WireArea `json:"cur"`
	To   *WireArea `json:"to"`
}

// WireArea is one routeInfo point.
type WireArea struct {
	Number string `json:"number"`
	Name   string `json:"name"`
}

type wirePush struct {
	Status     Str        `json:"status"`
	Message    Str        `json:"message"`
	AutoCheck  Bool       `json:"autoCheck"`
	ComOld     Str        `json:"comOld"`
	ComNew     Str        `json:"comNew"`
	LastResult wireResult `json:"lastResult"`
}

// VerifyPush checks sign against MD5(param+salt) (case-insensitive, as the
// sources disagree on case) and decodes param. With an empty salt the sign
// is not checked (the service sends one anyway; the doc says to ignore it).
// A mismatch is ErrBadSignature; undecodable JSON is ErrMalformed.
func VerifyPush(param, sign, salt string) (*Push, error) {
	if len(param) > MaxBody {
		return nil, fmt.Errorf("kuaidi100 push: %w", ErrTooLarge)
	}
	if salt != "" {
		want := PushSign(param, salt)
		got := strings.ToUpper(strings.TrimSpace(sign))
		if subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
			return nil, fmt.Errorf("kuaidi100 push: %w", ErrBadSignature)
		}
	}
	return DecodePush([]byte(param))
}

// DecodePush decodes a push's param JSON without checking any signature.
func DecodePush(param []byte) (*Push, error) {
	var w wirePush
	if err := json.Unmarshal(param, &w); err != nil {
		return nil, malformed("push", string(param), err)
	}
	st := strings.TrimSpace(string(w.Status))
	if st == "" {
		return nil, malformed("push", string(param), nil)
	}
	return &Push{
		Status: st, Message: string(w.Message), AutoCheck: bool(w.AutoCheck),
		ComOld: string(w.ComOld), ComNew: string(w.ComNew), Track: *w.LastResult.track(),
	}, nil
}

// ParsePushRequest reads a push POST (form fields param and sign; at most
// MaxBody bytes, larger bodies are refused unread) and verifies it with salt.
// The caller still replies: PushReplyOK after storing the data.
func ParsePushRequest(r *http.Request, salt string) (*Push, error) {
	if r.Method != http.MethodPost {
		return nil, fmt.Errorf("kuaidi100 push: method %s: %w", r.Method, ErrMalformed)
	}
	body, err := readLimited(r.Body, r.ContentLength, MaxBody)
	if err != nil {
		return nil, fmt.Errorf("kuaidi100 push: %w", err)
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("kuaidi100 push: form: %w", ErrMalformed)
	}
	param := form.Get("param")
	if param == "" {
		return nil, fmt.Errorf("kuaidi100 push: no param: %w", ErrMalformed)
	}
	return VerifyPush(param, form.Get("sign"), salt)
}

// PushReplyOK is the exact body Kuaidi100 expects after a push was stored
// (HTTP 200). Anything else makes it retry (3 times, 35 minutes apart).
var PushReplyOK = []byte(`{"result":true,"returnCode":"200","message":"成功"}`)

// PushReply returns the reply body: PushReplyOK when ok, otherwise a
// refusal with returnCode 500 and msg, which makes the service retry later.
func PushReply(ok bool, msg string) []byte {
	if ok {
		return append([]byte(nil), PushReplyOK...)
	}
	b, _ := json.Marshal(struct {
		Result     bool   `json:"result"`
		ReturnCode string `json:"returnCode"`
		Message    string `json:"message"`
	}{false, "500", msg})
	return b
}

// IsPushReplyOK reports whether a push receiver's reply body accepts the
// push (result true and returnCode "200"); used by the sandbox.
func IsPushReplyOK(body []byte) bool {
	var w wireReturn
	if json.Unmarshal(body, &w) != nil {
		return false
	}
	return bool(w.Result) && strings.TrimSpace(string(w.ReturnCode)) == "200"
}
