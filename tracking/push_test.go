package tracking

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"shipdesk/kuaidi100"
	"shipdesk/store"
)

// ev is one trace line of a hand-made push.
type ev struct {
	at   time.Time
	code string
	text string
}

// pushForm builds the form Kuaidi100 posts: param (newest event first)
// and sign = MD5(param+salt).
func pushForm(num, status string, evs []ev, salt string) url.Values {
	lr := kuaidi100.ResultEnvelope{Message: "ok", Nu: num, Com: "zhongtong", Status: "200", IsCheck: "0", Data: []kuaidi100.WireEvent{}}
	for i := len(evs) - 1; i >= 0; i-- {
		e := evs[i]
		ts := kuaidi100.FormatTime(e.at)
		lr.Data = append(lr.Data, kuaidi100.WireEvent{Time: ts, FTime: ts, Context: e.text, Status: kuaidi100.StateName(e.code), StatusCode: e.code})
	}
	if len(evs) > 0 {
		lr.State = evs[len(evs)-1].code
		if kuaidi100.MilestoneOf(lr.State) == kuaidi100.MilestoneDelivered {
			lr.IsCheck = "1"
		}
	}
	b, _ := json.Marshal(kuaidi100.PushParam{Status: status, AutoCheck: "0", LastResult: lr})
	return url.Values{"param": {string(b)}, "sign": {kuaidi100.PushSign(string(b), salt)}}
}

// post delivers form to h and returns the status and whether the reply
// accepts the push.
func post(h http.Handler, form url.Values) (int, bool) {
	r := httptest.NewRequest(http.MethodPost, "/kuaidi100/push", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec.Code, kuaidi100.IsPushReplyOK(rec.Body.Bytes())
}

// subscribed ships one parcel, subscribes it and returns it with its salt.
func subscribed(ctx context.Context, t *testing.T, e *env, w *Worker, i int) store.Shipment {
	t.Helper()
	s := e.ship(ctx, i)
	if err := w.Subscribe(ctx, s.Waybill); err != nil {
		t.Fatal(err)
	}
	s, err := e.db.Shipment(ctx, s.Waybill)
	if err != nil {
		t.Fatal(err)
	}
	if s.Subscription.State != store.SubActive || s.Subscription.Salt == "" || s.Subscription.CallbackURL != testPushURL {
		t.Fatalf("subscription after Subscribe: %+v", s.Subscription)
	}
	return s
}

func journey(t0 time.Time) []ev {
	return []ev{
		{t0.Add(1 * time.Hour), "103", "【天津市】南开区营业部 已揽收"},
		{t0.Add(3 * time.Hour), "1002", "快件离开【南开区营业部】，已发往【天津转运中心】"},
		{t0.Add(20 * time.Hour), "1001", "快件已到达【河西区营业部】，准备派送"},
		{t0.Add(22 * time.Hour), "5", "【天津市河西区】张师傅 正在为您派件"},
		{t0.Add(24 * time.Hour), "301", "【天津市河西区】快件已签收，签收人：本人"},
	}
}

// TestPushOutOfOrderAndDuplicates: a newer push then an older one then the
// newer one again leave the newest state, every event once and one
// notification per milestone.
func TestPushOutOfOrderAndDuplicates(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		e := newEnv(t, testPushURL, nil)
		w := e.worker(nil)
		s := subscribed(ctx, t, e, w, 1)
		salt := s.Subscription.Salt
		j := journey(s.CreatedAt)
		time.Sleep(25 * time.Hour)

		older := pushForm(s.Waybill, "polling", j[:2], salt)
		outFor := pushForm(s.Waybill, "polling", j[:4], salt)
		final := pushForm(s.Waybill, "shutdown", j, salt)

		for i, f := range []url.Values{outFor, older, older} {
			if code, ok := post(w.Handler(), f); code != http.StatusOK || !ok {
				t.Fatalf("push %d: status %d ok %v", i, code, ok)
			}
		}
		got, _ := e.db.Shipment(ctx, s.Waybill)
		if got.Milestone != store.MilestoneOutForDelivery || !got.LastEventAt.Equal(j[3].at) {
			t.Fatalf("after a newer then an older push: %s at %v, want out_for_delivery at %v", got.Milestone, got.LastEventAt, j[3].at)
		}
		// An old push whose newest line is a problem must not turn a parcel
		// that has since gone out for delivery into a problem.
		stale := pushForm(s.Waybill, "polling", append(j[:2:2], ev{j[1].at.Add(time.Hour), "208", "快件滞留网点"}), salt)
		if code, ok := post(w.Handler(), stale); code != http.StatusOK || !ok {
			t.Fatalf("stale push: status %d ok %v", code, ok)
		}
		if got, _ := e.db.Shipment(ctx, s.Waybill); got.Milestone != store.MilestoneOutForDelivery {
			t.Fatalf("a stale problem push moved the parcel to %s", got.Milestone)
		}
		for i, f := range []url.Values{final, older, final} {
			if code, ok := post(w.Handler(), f); code != http.StatusOK || !ok {
				t.Fatalf("push %d: status %d ok %v", i, code, ok)
			}
		}
		got, _ = e.db.Shipment(ctx, s.Waybill)
		if got.Milestone != store.MilestoneDelivered || got.Subscription.State != store.SubShutdown || got.RawState != "301" {
			t.Errorf("final: %s raw %s sub %s", got.Milestone, got.RawState, got.Subscription.State)
		}
		evs, _ := e.db.Events(ctx, s.Waybill)
		if len(evs) != len(j)+1 { // the journey and the stale problem line
			t.Errorf("%d events stored, want %d", len(evs), len(j)+1)
		}
		if calls := e.notes.of(s.Waybill); !equalMilestones(calls, []store.Milestone{store.MilestoneOutForDelivery, store.MilestoneDelivered}) {
			t.Errorf("notifications %v", calls)
		}
		if got.MilestoneTime(store.MilestonePickedUp) != j[0].at.UTC() && !got.MilestoneTime(store.MilestonePickedUp).Equal(j[0].at) {
			t.Errorf("picked-up time %v, want %v", got.MilestoneTime(store.MilestonePickedUp), j[0].at)
		}
		if !got.NextPollAt.IsZero() {
			due, _ := e.db.ShipmentsDue(ctx, time.Now().Add(10000*time.Hour), 0)
			if len(due) != 0 {
				t.Errorf("delivered shipment still due: %v", due)
			}
		}
	})
}

func equalMilestones(a, b []store.Milestone) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestPushBadSignature: a push signed with the wrong salt is refused and
// logged and changes nothing, even one signed with another shipment's or a
// station-wide salt; a push for a number the station does not know is
// acknowledged (so Kuaidi100 does not retry it) and stores nothing.
func TestPushBadSignature(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		e := newEnv(t, testPushURL, nil)
		w := e.worker(nil)
		s := subscribed(ctx, t, e, w, 1)
		time.Sleep(25 * time.Hour)
		j := journey(s.CreatedAt)

		bad := pushForm(s.Waybill, "shutdown", j, "not-the-salt")
		if code, ok := post(w.Handler(), bad); ok || code == http.StatusOK {
			t.Fatalf("bad signature accepted: %d %v", code, ok)
		}
		tampered := pushForm(s.Waybill, "polling", j[:2], s.Subscription.Salt)
		tampered.Set("param", strings.Replace(tampered.Get("param"), "1002", "301", 1))
		if code, ok := post(w.Handler(), tampered); ok || code == http.StatusOK {
			t.Fatalf("tampered param accepted: %d %v", code, ok)
		}
		got, _ := e.db.Shipment(ctx, s.Waybill)
		evs, _ := e.db.Events(ctx, s.Waybill)
		if got.Milestone != s.Milestone || !got.UpdatedAt.Equal(s.UpdatedAt) || len(evs) != 0 || len(e.notes.of(s.Waybill)) != 0 {
			t.Errorf("refused push touched data: %s, updated %v (was %v), %d events", got.Milestone, got.UpdatedAt, s.UpdatedAt, len(evs))
		}
		if !e.logs.Contains("refused") {
			t.Error("bad signature not logged")
		}
		station := pushForm(s.Waybill, "polling", j[:2], "station-salt")
		if code, ok := post(w.Handler(), station); ok || code == http.StatusOK {
			t.Errorf("push signed with a station-wide salt accepted: %d %v", code, ok)
		}
		unknown := pushForm("ZT99999999999", "polling", j[:2], "whatever")
		if code, ok := post(w.Handler(), unknown); code != http.StatusOK || !ok {
			t.Errorf("push for an unknown number: %d %v, want acknowledged", code, ok)
		}
		if _, err := e.db.Shipment(ctx, "ZT99999999999"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("push for an unknown number stored something: %v", err)
		}
		if !e.logs.Contains("unknown number") {
			t.Error("push for an unknown number not logged")
		}
		if good := pushForm(s.Waybill, "polling", j[:2], s.Subscription.Salt); true {
			if code, ok := post(w.Handler(), good); code != http.StatusOK || !ok {
				t.Errorf("push with the subscription's salt: %d %v", code, ok)
			}
		}
	})
}

// TestPushUnsubscribedWithoutSalt: a known shipment never subscribed has
// no salt, so a push for it cannot be verified and is refused.
func TestPushUnsubscribedWithoutSalt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		e := newEnv(t, "", nil)
		w := e.worker(nil)
		s := e.ship(ctx, 1)
		if code, ok := post(w.Handler(), pushForm(s.Waybill, "polling", journey(s.CreatedAt)[:1], "")); ok || code == http.StatusOK {
			t.Errorf("unverifiable push accepted: %d", code)
		}
	})
}

// commitOrder wraps the store to see whether the trace was committed when
// the reply goes out, and can make UpdateShipment fail.
type commitOrder struct {
	*store.DB
	committed bool
	fail      bool
}

func (c *commitOrder) UpdateShipment(ctx context.Context, wb string, fn func(*store.Shipment) error) (store.Shipment, error) {
	if c.fail {
		return store.Shipment{}, errors.New("disk full")
	}
	s, err := c.DB.UpdateShipment(ctx, wb, fn)
	if err == nil {
		c.committed = true
	}
	return s, err
}

type replyWatch struct {
	*httptest.ResponseRecorder
	c            *commitOrder
	committedNow bool
}

func (r *replyWatch) WriteHeader(code int) {
	r.committedNow = r.c.committed
	r.ResponseRecorder.WriteHeader(code)
}

// TestPushReplyAfterCommit: the success reply is written only after the
// store committed; a store failure is answered with result=false so
// Kuaidi100 retries.
func TestPushReplyAfterCommit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		e := newEnv(t, testPushURL, nil)
		co := &commitOrder{DB: e.db}
		w := e.worker(func(c *Config) { c.DB = co })
		s := subscribed(ctx, t, e, w, 1)
		time.Sleep(25 * time.Hour)
		form := pushForm(s.Waybill, "polling", journey(s.CreatedAt)[:3], s.Subscription.Salt)
		send := func() *replyWatch {
			r := httptest.NewRequest(http.MethodPost, "/kuaidi100/push", strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			rw := &replyWatch{ResponseRecorder: httptest.NewRecorder(), c: co}
			w.Handler().ServeHTTP(rw, r)
			return rw
		}
		co.fail, co.committed = true, false
		if rw := send(); rw.Code == http.StatusOK || kuaidi100.IsPushReplyOK(rw.Body.Bytes()) {
			t.Errorf("store failure answered %d %s", rw.Code, rw.Body)
		}
		co.fail = false
		rw := send()
		if rw.Code != http.StatusOK || !kuaidi100.IsPushReplyOK(rw.Body.Bytes()) {
			t.Fatalf("push answered %d %s", rw.Code, rw.Body)
		}
		if !rw.committedNow {
			t.Error("reply written before the trace was committed")
		}
	})
}

// TestPushRequestLimits: only POST, at most 1 MiB.
func TestPushRequestLimits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, testPushURL, nil)
		w := e.worker(nil)
		rec := httptest.NewRecorder()
		w.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/kuaidi100/push", nil))
		if rec.Code != http.StatusMethodNotAllowed {
			t.Errorf("GET: %d", rec.Code)
		}
		big := "param=" + strings.Repeat("a", MaxPushBody+10)
		r := httptest.NewRequest(http.MethodPost, "/kuaidi100/push", strings.NewReader(big))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec = httptest.NewRecorder()
		w.Handler().ServeHTTP(rec, r)
		if rec.Code != http.StatusBadRequest || kuaidi100.IsPushReplyOK(rec.Body.Bytes()) {
			t.Errorf("oversized body: %d %s", rec.Code, rec.Body)
		}
	})
}

// FuzzPushHandler feeds arbitrary bodies to the push receiver: it must
// never panic, and it accepts a push exactly when the body carries a param
// whose sign verifies with the shipment's salt.
func FuzzPushHandler(f *testing.F) {
	e := newEnv(f, testPushURL, nil)
	w := e.worker(nil)
	ctx := f.Context()
	s := e.ship(ctx, 1)
	if err := w.Subscribe(ctx, s.Waybill); err != nil {
		f.Fatal(err)
	}
	s, _ = e.db.Shipment(ctx, s.Waybill)
	salt := s.Subscription.Salt
	j := journey(s.CreatedAt)
	f.Add(pushForm(s.Waybill, "polling", j[:2], salt).Encode())
	f.Add(pushForm(s.Waybill, "shutdown", j, "wrong").Encode())
	f.Add("param=%7B%7D&sign=x")
	f.Add("param=" + url.QueryEscape(`{"status":"polling","lastResult":{"nu":"`+s.Waybill+`","data":[{"ftime":"bad"}]}}`))
	f.Add("")
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest(http.MethodPost, "/kuaidi100/push", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		w.Handler().ServeHTTP(rec, r)
		form, err := url.ParseQuery(body)
		valid := false
		if err == nil && form.Get("param") != "" {
			if p, err := kuaidi100.VerifyPush(form.Get("param"), form.Get("sign"), salt); err == nil && strings.TrimSpace(p.Track.Num) == s.Waybill {
				valid = true
			}
		}
		ok := rec.Code == http.StatusOK && kuaidi100.IsPushReplyOK(rec.Body.Bytes())
		// Acknowledging a push for a number the station does not know is
		// right; accepting an unverified one for the shipment is not.
		if ok && !valid {
			if p, err := kuaidi100.DecodePush([]byte(form.Get("param"))); err == nil && kuaidi100.NormalizeNumber(p.Track.Num) == s.Waybill {
				t.Fatalf("accepted an unverifiable push for the shipment: %q", body)
			}
		}
	})
}

// TestPushRetryKeepsEventCount: when the shipment write fails after the
// events were stored, Kuaidi100's retry finds them all known; the
// shipment's event count must still come out right.
func TestPushRetryKeepsEventCount(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		e := newEnv(t, testPushURL, nil)
		co := &commitOrder{DB: e.db}
		w := e.worker(func(c *Config) { c.DB = co })
		s := subscribed(ctx, t, e, w, 1)
		time.Sleep(25 * time.Hour)
		form := pushForm(s.Waybill, "polling", journey(s.CreatedAt)[:3], s.Subscription.Salt)
		co.fail = true
		if code, ok := post(w.Handler(), form); ok || code == http.StatusOK {
			t.Fatalf("store failure answered %d", code)
		}
		co.fail = false
		if code, ok := post(w.Handler(), form); !ok || code != http.StatusOK {
			t.Fatalf("retry answered %d", code)
		}
		evs, err := e.db.Events(ctx, s.Waybill)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := e.db.Shipment(ctx, s.Waybill)
		if got.EventCount != len(evs) || len(evs) != 3 {
			t.Errorf("EventCount %d, %d events stored (want 3)", got.EventCount, len(evs))
		}
	})
}
