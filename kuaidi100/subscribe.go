package kuaidi100

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
)

// SubscribeRequest asks Kuaidi100 to push every change of one number to
// CallbackURL.
type SubscribeRequest struct {
	Com         string // carrier code; may be empty with AutoCom
	Num         string
	Phone       string // last 4 digits are enough; SF and ZTO need it
	From, To    string
	CallbackURL string // HTTP by default; HTTPS needs Kuaidi100 to enable it
	Salt        string // when set, pushes carry sign = MD5(param+salt)
	AutoCom     bool   // let Kuaidi100 detect (or correct) the carrier
}

type subscribeParam struct {
	Company    string          `json:"company"`
	Number     string          `json:"number"`
	From       string          `json:"from,omitempty"`
	To         string          `json:"to,omitempty"`
	Key        string          `json:"key"`
	Parameters subscribeParams `json:"parameters"`
}

type subscribeParams struct {
	CallbackURL string `json:"callbackurl"`
	Salt        string `json:"salt,omitempty"`
	ResultV2    string `json:"resultv2"`
	AutoCom     string `json:"autoCom,omitempty"`
	Phone       string `json:"phone,omitempty"`
}

// SubscribeParam is the param JSON the service receives on /poll, exported
// for the sandbox.
type SubscribeParam struct {
	Company    Str `json:"company"`
	Number     Str `json:"number"`
	From       Str `json:"from"`
	To         Str `json:"to"`
	Key        Str `json:"key"`
	Parameters struct {
		CallbackURL Str `json:"callbackurl"`
		Salt        Str `json:"salt"`
		ResultV2    Str `json:"resultv2"`
		AutoCom     Str `json:"autoCom"`
		Phone       Str `json:"phone"`
	} `json:"parameters"`
}

// Subscribe registers a number for push tracking (/poll, schema=json,
// resultv2=4). An existing subscription (returnCode 501) counts as success.
// Kuaidi100 answers a fifth subscription of the same number in a month with
// the same 501, so the caller must count its own subscriptions and never
// send one that would exceed SubscriptionsPerMonth.
func (c *Client) Subscribe(ctx context.Context, r SubscribeRequest) error {
	const op = "subscribe"
	if err := c.need(op, "key", c.cfg.Key); err != nil {
		return err
	}
	num := NormalizeNumber(r.Num)
	if num == "" || r.CallbackURL == "" || (r.Com == "" && !r.AutoCom) {
		return &Error{Op: op, Code: "input", Message: "订阅需要快递单号、快递公司和回调地址", kind: ErrBadRequest}
	}
	sp := subscribeParam{
		Company: strings.TrimSpace(strings.ToLower(r.Com)), Number: num, From: r.From, To: r.To, Key: c.cfg.Key,
		Parameters: subscribeParams{CallbackURL: r.CallbackURL, Salt: r.Salt, ResultV2: "4", Phone: NormalizePhone(r.Phone)},
	}
	if r.AutoCom {
		sp.Parameters.AutoCom = "1"
	}
	p, _ := json.Marshal(sp)
	body, err := c.post(ctx, op, c.endpoint(SubscribeURL, PathSubscribe), url.Values{"schema": {"json"}, "param": {string(p)}})
	if err != nil {
		return err
	}
	return DecodeSubscribeResponse(body)
}

type wireReturn struct {
	Result     Bool `json:"result"`
	ReturnCode Str  `json:"returnCode"`
	Message    Str  `json:"message"`
}

// DecodeSubscribeResponse decodes a /poll answer: nil for 200 and for 501
// (already subscribed), an *Error otherwise.
func DecodeSubscribeResponse(body []byte) error {
	const op = "subscribe"
	var w wireReturn
	if err := json.Unmarshal(body, &w); err != nil {
		return malformed(op, string(body), err)
	}
	switch code := strings.TrimSpace(string(w.ReturnCode)); code {
	case "200":
		return nil
	case "501":
		// Already being tracked; the service answers the same for a fifth
		// subscription in a month, so the caller counts its own.
		return nil
	case "":
		if w.Result {
			return nil
		}
		return malformed(op, string(body), nil)
	default:
		return codeError(op, code, string(w.Message), string(body), subscribeCodes)
	}
}
