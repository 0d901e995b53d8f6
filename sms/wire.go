package sms

import (
	"context"
	"net/http"
)

// TEMPORARY stand-ins for kuaidi100.SMSRequest, SMSResult and
// ParseSMSCallback until the kuaidi100 package has them; replaced by aliases.

// SMSRequest is one template SMS to send.
type SMSRequest struct {
	Phone       string
	TemplateID  string
	Vars        map[string]string
	OutOrder    string
	CallbackURL string
}

// SMSResult is the provider's answer.
type SMSResult struct {
	Message string
}

// Sender sends one SMS through the provider. *kuaidi100.Client implements
// it. An error means the provider refused the message or the outcome is
// unknown; either way it is not retried automatically.
type Sender interface {
	SendSMS(ctx context.Context, r SMSRequest) (*SMSResult, error)
}

func resultText(r *SMSResult) string {
	if r == nil {
		return ""
	}
	return r.Message
}

func parseCallback(r *http.Request) (*receipt, error) { return parseReceipt(r) }

func carrierName(code string) string { return code }
