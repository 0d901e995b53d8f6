package sms

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"shipdesk/internal/testkit"
	"shipdesk/kuaidi100"
	"shipdesk/store"
)

// TestRunEndsEveryGoroutine keeps Run busy — messages held in quiet hours
// waking it, released at 08:00, a delivery receipt through the callback
// handler, a resend by a clerk — then cancels it: once Run has returned,
// nothing it started may be left in the bubble (testkit.CheckBubble names
// each goroutine left, with its stack).
func TestRunEndsEveryGoroutine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		db, err := store.Open(filepath.Join(t.TempDir(), "shipdesk.db"), store.Options{NoSync: true, Location: time.UTC})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		st, _ := db.Settings(ctx)
		st.SMS.Enabled = true
		for i := range st.SMS.Milestones {
			st.SMS.Milestones[i].Enabled = true
		}
		if err := db.SaveSettings(ctx, st); err != nil {
			t.Fatal(err)
		}
		sender := &fakeSender{}
		n := New(Config{DB: db, Client: sender, Location: time.UTC, CallbackURL: "http://127.0.0.1:8090/kuaidi100/sms"})
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- n.Run(runCtx) }()

		// 2000-01-01 00:00 UTC in the bubble: quiet hours, so both are held.
		var ships []store.Shipment
		for i, wb := range []string{"YT6000000001", "YT6000000002"} {
			s := store.Shipment{Waybill: wb, Carrier: "yuantong", RecipientName: "李雷", RecipientPhone: fmt.Sprintf("139000060%02d", i), CreatedAt: time.Now()}
			if err := db.CreateShipment(ctx, &s); err != nil {
				t.Fatal(err)
			}
			if err := n.Notify(ctx, s, store.MilestonePickedUp); err != nil {
				t.Fatal(err)
			}
			ships = append(ships, s)
		}
		time.Sleep(9 * time.Hour) // past 08:00: Run released them
		synctest.Wait()
		sent := sender.sent()
		if len(sent) != 2 {
			t.Fatalf("%d sends after quiet hours, want 2", len(sent))
		}
		r := sent[0]
		body := receiptBody(t, store.SMSMessage{OutOrder: r.OutOrder}, "接收成功", kuaidi100.SMSCallbackSign(r.TemplateID, r.Phone, r.OutOrder))
		rec := httptest.NewRecorder()
		n.CallbackHandler().ServeHTTP(rec, httptest.NewRequestWithContext(ctx, http.MethodPost, "/kuaidi100/sms", strings.NewReader(body)))
		if m, err := db.SMSByOutOrder(ctx, r.OutOrder); rec.Code != http.StatusOK || err != nil || m.State != store.SMSDelivered {
			t.Errorf("receipt: %d %s; message %s %v", rec.Code, rec.Body, m.State, err)
		}
		if _, err := n.Resend(ctx, "王经理", ships[1].Waybill, store.MilestonePickedUp); err != nil {
			t.Errorf("resend: %v", err)
		}
		if n := len(sender.sent()); n != 3 {
			t.Errorf("%d sends after the resend, want 3", n)
		}
		time.Sleep(24 * time.Hour) // a full rescan cycle or more
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run = %v", err)
		}
		testkit.CheckBubble(t)
	})
}
