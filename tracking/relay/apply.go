package relay

import (
	"context"
	"errors"

	"shipdesk/tracking"
)

// PushApplier is the part of *tracking.Worker the relay client uses.
type PushApplier interface {
	ApplyPush(ctx context.Context, param, sign string) error
}

// ApplyTo returns the Applier that hands each push to the station's
// tracking worker, which verifies its sign with the shipment's own salt and
// stores it exactly like a push it received itself.
func ApplyTo(w PushApplier) Applier {
	return func(ctx context.Context, param, sign string) (Outcome, error) {
		err := w.ApplyPush(ctx, param, sign)
		switch {
		case err == nil:
			return Applied, nil
		case errors.Is(err, tracking.ErrForgedPush):
			return Forged, nil
		case errors.Is(err, tracking.ErrUnknownNumber):
			return Unknown, nil
		case errors.Is(err, tracking.ErrBadPush):
			return Bad, nil
		}
		return "", err
	}
}
