package sms

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"shipdesk/kuaidi100"
	"shipdesk/store"
)

// Run holds a message decided at midnight until 08:00 and sends it then,
// without any real waiting: the bubble's clock jumps when every goroutine
// is blocked.
func TestRunReleasesAtQuietEnd(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db, err := store.Open(filepath.Join(t.TempDir(), "shipdesk.db"), store.Options{NoSync: true, Location: time.UTC})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		ctx := t.Context()
		st, _ := db.Settings(ctx)
		st.SMS.Enabled = true
		if err := db.SaveSettings(ctx, st); err != nil {
			t.Fatal(err)
		}
		s := store.Shipment{Waybill: "YT4000000001", Carrier: "yuantong", RecipientName: "李雷", RecipientPhone: "13900004001", CreatedAt: time.Now()}
		if err := db.CreateShipment(ctx, &s); err != nil {
			t.Fatal(err)
		}
		// An intent left by a run that crashed an hour ago.
		stale := store.SMSMessage{Waybill: s.Waybill, Milestone: store.MilestoneProblem, TemplateID: "1004", Phone: s.RecipientPhone,
			State: store.SMSIntent, CreatedAt: time.Now().Add(-time.Hour)}
		if err := db.AddSMS(ctx, &stale); err != nil {
			t.Fatal(err)
		}
		sender := &fakeSender{}
		n := New(Config{DB: db, Client: sender, Location: time.UTC})

		start := time.Now() // 2000-01-01 00:00 UTC in the bubble: quiet hours
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- n.Run(runCtx) }()

		if err := n.Notify(ctx, s, store.MilestonePickedUp); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if got, _ := db.SMSByOutOrder(ctx, stale.OutOrder); got.State != store.SMSFailed || got.Reply != ReplyUnknown {
			t.Errorf("stale intent after Run started: %+v", got)
		}
		if n := len(sender.sent()); n != 0 {
			t.Fatalf("%d sends at midnight", n)
		}
		morning := time.Date(start.Year(), start.Month(), start.Day(), 8, 0, 0, 0, time.UTC)
		time.Sleep(time.Until(morning) - time.Second)
		synctest.Wait()
		if n := len(sender.sent()); n != 0 {
			t.Fatalf("%d sends at %s", n, time.Now())
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if n := len(sender.sent()); n != 1 {
			t.Fatalf("%d sends at %s, want 1", n, time.Now())
		}
		ms, _ := db.SMSFor(ctx, s.Waybill)
		if len(ms) != 2 || ms[1].State != store.SMSSent || !ms[1].SentAt.Equal(morning) {
			t.Fatalf("messages %+v", ms)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("Run = %v", err)
		}
	})
}

func receiptBody(t *testing.T, m store.SMSMessage, status, sign string) string {
	t.Helper()
	b, err := json.Marshal(kuaidi100.SMSCallback{Status: 1, Data: kuaidi100.SMSCallbackData{
		OutOrder: m.OutOrder, Message: "ok", Status: status, Sign: sign,
	}})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func post(t *testing.T, u, contentType, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(u, contentType, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestCallbackHandler(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	srv := httptest.NewServer(f.n.CallbackHandler())
	defer srv.Close()
	a := f.shipment(t, "YT5000000001", "13700005001")
	b := f.shipment(t, "YT5000000002", "13700005002")
	f.notify(t, a, store.MilestonePickedUp)
	f.notify(t, b, store.MilestonePickedUp)
	ma, mb := f.messages(t, a.Waybill)[0], f.messages(t, b.Waybill)[0]
	sign := func(m store.SMSMessage) string { return kuaidi100.SMSCallbackSign(m.TemplateID, m.Phone, m.OutOrder) }

	tests := []struct {
		name, ct, body string
		code           int
		reply          string
	}{
		{"bad sign", "application/json", receiptBody(t, ma, "接收成功", sign(mb)), 403, `{"status":false}`},
		{"handed over", "application/json", receiptBody(t, ma, "发送成功", sign(ma)), 200, `{"status":true}`},
		{"delivered", "application/json", receiptBody(t, ma, "接收成功", strings.ToLower(sign(ma))), 200, `{"status":true}`},
		{"late failure ignored", "application/json", receiptBody(t, ma, "接收失败", sign(ma)), 200, `{"status":true}`},
		{"form, failed", "application/x-www-form-urlencoded", "param=" + url.QueryEscape(receiptBody(t, mb, "接收失败", sign(mb))), 200, `{"status":true}`},
		{"unknown outorder", "application/json", `{"status":1,"data":{"outorder":"NOPE","status":"接收成功"}}`, 200, `{"status":true}`},
		{"garbage", "application/json", `{"status":`, 400, `{"status":false}`},
	}
	for _, tt := range tests {
		code, reply := post(t, srv.URL, tt.ct, tt.body)
		if code != tt.code || reply != tt.reply {
			t.Errorf("%s: %d %s, want %d %s", tt.name, code, reply, tt.code, tt.reply)
		}
	}
	ga, _ := f.db.SMSByOutOrder(ctx, ma.OutOrder)
	gb, _ := f.db.SMSByOutOrder(ctx, mb.OutOrder)
	if ga.State != store.SMSDelivered || !strings.Contains(ga.Reply, "回执：接收成功") {
		t.Errorf("a: %+v", ga)
	}
	if gb.State != store.SMSFailed || !strings.Contains(gb.Reply, "回执：接收失败") {
		t.Errorf("b: %+v", gb)
	}
	if resp, err := http.Get(srv.URL); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET = %v, %v", resp, err)
	}
}

// The provider may call back before SendSMS has returned; the receipt's
// state wins over "sent".
func TestReceiptBeforeSendReturns(t *testing.T) {
	f := newFixture(t)
	srv := httptest.NewServer(f.n.CallbackHandler())
	defer srv.Close()
	s := f.shipment(t, "YT5000000003", "13700005003")
	f.sender.during = func(r kuaidi100.SMSRequest) {
		m := store.SMSMessage{OutOrder: r.OutOrder}
		if code, _ := post(t, srv.URL, "application/json", receiptBody(t, m, "接收成功", kuaidi100.SMSCallbackSign(r.TemplateID, r.Phone, r.OutOrder))); code != 200 {
			t.Errorf("receipt during send: %d", code)
		}
	}
	f.notify(t, s, store.MilestonePickedUp)
	m := f.messages(t, s.Waybill)[0]
	if m.State != store.SMSDelivered || m.SentAt.IsZero() {
		t.Fatalf("message %+v; want delivered with SentAt", m)
	}
}

// A message whose send was interrupted (failed, outcome unknown) that the
// network did deliver is corrected by its receipt.
func TestReceiptCorrectsInterrupted(t *testing.T) {
	for _, tt := range []struct {
		cur    store.SMSState
		status string
		want   store.SMSState
	}{
		{store.SMSFailed, kuaidi100.SMSStatusDelivered, store.SMSDelivered},
		{store.SMSFailed, kuaidi100.SMSStatusSent, store.SMSSent},
		{store.SMSIntent, kuaidi100.SMSStatusSent, store.SMSSent},
		{store.SMSSent, kuaidi100.SMSStatusSent, store.SMSSent},
		{store.SMSDelivered, kuaidi100.SMSStatusFailed, store.SMSDelivered},
		{store.SMSSkipped, kuaidi100.SMSStatusDelivered, store.SMSSkipped},
		{store.SMSSent, "weird", store.SMSSent},
	} {
		if got := receiptState(tt.cur, tt.status); got != tt.want {
			t.Errorf("receiptState(%s, %s) = %s, want %s", tt.cur, tt.status, got, tt.want)
		}
	}
}
