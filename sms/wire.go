package sms

import (
	"context"

	"shipdesk/kuaidi100"
)

// Sender sends one template SMS through the provider; *kuaidi100.Client
// implements it. An error means the provider refused the message or the
// outcome is unknown; either way the message is logged as failed and not
// retried automatically.
type Sender interface {
	SendSMS(ctx context.Context, r kuaidi100.SMSRequest) (*kuaidi100.SMSResult, error)
}

func resultText(r *kuaidi100.SMSResult) string {
	if r == nil {
		return ""
	}
	return r.Message
}

// carrierName is the carrier's Chinese name for the {carrier} variable.
func carrierName(code string) string { return kuaidi100.CarrierName(code) }
