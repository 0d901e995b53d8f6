package tracking

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"shipdesk/kuaidi100"
	"shipdesk/store"
)

// MaxPushBody is the largest push body the receiver reads (1 MiB).
const MaxPushBody = 1 << 20

// Handler returns the push receiver, to be served at the path of the
// callback URL. For each POST it finds the shipment named in the push,
// verifies the sign with the salt of that shipment's subscription, stores
// the trace exactly like a poll result (an older trace never overwrites
// newer data; duplicates change nothing), and only then replies with
// Kuaidi100's success body. A bad signature is logged and refused with
// result=false without touching any data. A push for a number the station
// does not know (a cancelled order, another station's subscription on the
// same account) is logged and acknowledged with result=true, so Kuaidi100
// does not send it three more times; nothing is stored. The SMS
// notifier and the change listeners run after the reply is written. The
// handler is safe for concurrent use.
func (w *Worker) Handler() http.Handler {
	return http.HandlerFunc(w.servePush)
}

func (w *Worker) servePush(rw http.ResponseWriter, r *http.Request) {
	reply := func(code int, ok bool, msg string) {
		rw.Header().Set("Content-Type", "application/json; charset=utf-8")
		rw.WriteHeader(code)
		rw.Write(kuaidi100.PushReply(ok, msg))
	}
	if r.Method != http.MethodPost {
		rw.Header().Set("Allow", http.MethodPost)
		reply(http.StatusMethodNotAllowed, false, "method not allowed")
		return
	}
	r.Body = http.MaxBytesReader(rw, r.Body, MaxPushBody)
	if err := r.ParseForm(); err != nil {
		w.logf("tracking: push from %s: unreadable body: %v", r.RemoteAddr, err)
		reply(http.StatusBadRequest, false, "bad request")
		return
	}
	param, sign := r.PostForm.Get("param"), r.PostForm.Get("sign")
	ctx := r.Context()
	post, err := w.applyPush(ctx, param, sign, r.RemoteAddr)
	switch {
	case errors.Is(err, ErrBadPush):
		reply(http.StatusBadRequest, false, "bad param")
		return
	case errors.Is(err, ErrUnknownNumber):
		// Acknowledged (logged by applyPush): refusing would only make
		// Kuaidi100 retry it three times, 35 minutes apart.
		reply(http.StatusOK, true, "")
		return
	case errors.Is(err, ErrForgedPush):
		reply(http.StatusForbidden, false, "sign error")
		return
	case err != nil:
		reply(http.StatusInternalServerError, false, "store unavailable")
		return
	}
	reply(http.StatusOK, true, "")
	if f, ok := rw.(http.Flusher); ok {
		f.Flush()
	}
	post(context.WithoutCancel(ctx))
}

// Errors of ApplyPush a caller branches on.
var (
	// ErrBadPush: the param is missing or not a push.
	ErrBadPush = errors.New("not a readable push")
	// ErrUnknownNumber: a push for a number the station never shipped.
	ErrUnknownNumber = errors.New("push for a number this station does not know")
	// ErrForgedPush: the sign matches no salt of the number's (forged, or
	// subscribed by someone else).
	ErrForgedPush = errors.New("push sign does not match")
)

// ApplyPush verifies and applies one push given by its form fields param
// and sign, exactly as the push receiver does (the relay client calls it
// for each push it takes): ErrBadPush, ErrUnknownNumber and ErrForgedPush
// refuse it without touching any data; another error means the store
// failed and the push may be applied again later (applying a push twice
// changes nothing). The SMS notifier and the change listeners have run
// when it returns nil.
func (w *Worker) ApplyPush(ctx context.Context, param, sign string) error {
	post, err := w.applyPush(ctx, param, sign, "relay")
	if err != nil {
		return err
	}
	post(ctx)
	return nil
}

// applyPush is ApplyPush without running post (the receiver replies to
// Kuaidi100 first). from names the sender in the log.
func (w *Worker) applyPush(ctx context.Context, param, sign, from string) (post func(context.Context), _ error) {
	if param == "" {
		w.logf("tracking: push from %s: no param", from)
		return nil, ErrBadPush
	}
	// Decoded without trust only to find whose salt checks the sign.
	unverified, err := kuaidi100.DecodePush([]byte(param))
	if err != nil {
		w.logf("tracking: push from %s: %v", from, err)
		return nil, fmt.Errorf("%w: %v", ErrBadPush, err)
	}
	num := strings.TrimSpace(unverified.Track.Num)
	s, err := w.db.Shipment(ctx, num)
	if errors.Is(err, store.ErrNotFound) && kuaidi100.NormalizeNumber(num) != num {
		num = kuaidi100.NormalizeNumber(num)
		s, err = w.db.Shipment(ctx, num)
	}
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			w.logf("tracking: push from %s for unknown number %q (%s, %s) acknowledged, not stored", from, num, unverified.Track.Com, unverified.Status)
			return nil, fmt.Errorf("%w: %q", ErrUnknownNumber, num)
		}
		w.logf("tracking: push %s: %v", num, err)
		return nil, fmt.Errorf("push %s: %w", num, err)
	}
	p, err := w.verify(param, sign, s)
	if err != nil {
		w.logf("tracking: push from %s for %s refused: %v", from, num, err)
		return nil, fmt.Errorf("%w: %v", ErrForgedPush, err)
	}
	post, _, err = w.commit(ctx, s.Waybill, &p.Track, sourcePush, func(sh *store.Shipment) { pushStatus(sh, p) })
	if err != nil {
		w.logf("tracking: push %s: %v", num, err)
		return nil, fmt.Errorf("push %s: %w", num, err)
	}
	return post, nil
}

// verify checks sign against the salt of the shipment's subscription
// (every subscription is made by the worker, with a salt of its own).
func (w *Worker) verify(param, sign string, s store.Shipment) (*kuaidi100.Push, error) {
	if s.Subscription.Salt == "" {
		return nil, errors.New("no salt known for this number (never subscribed)")
	}
	return kuaidi100.VerifyPush(param, sign, s.Subscription.Salt)
}

// pushStatus records what a push says about the subscription itself.
func pushStatus(s *store.Shipment, p *kuaidi100.Push) {
	sub := &s.Subscription
	if p.ComNew != "" && p.ComNew != s.Carrier {
		// Kuaidi100 corrected the carrier code and tracks the number under
		// the new code; so do we.
		s.Carrier = p.ComNew
		if p.Status == kuaidi100.PushAbort {
			sub.State = store.SubActive
			sub.Error = ""
			return
		}
	}
	switch p.Status {
	case kuaidi100.PushShutdown:
		sub.State = store.SubShutdown
	case kuaidi100.PushAbort:
		sub.State = store.SubAborted
		sub.Error = p.Message
	case kuaidi100.PushPolling, kuaidi100.PushUpdateAll:
		if sub.State != store.SubActive && sub.CallbackURL != "" {
			sub.State = store.SubActive
			sub.Error = ""
		}
	}
}
