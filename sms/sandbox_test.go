package sms

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"shipdesk/kuaidi100"
	"shipdesk/kuaidi100/sandbox"
	"shipdesk/store"
)

// End to end against the Kuaidi100 sandbox: the real client signs and sends,
// the sandbox posts delivery receipts to CallbackHandler, and the stored
// messages end delivered (or failed for a phone the sandbox cannot reach).
func TestSandboxSendAndReceipt(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	sb := sandbox.New(sandbox.Options{Seed: 7, Clock: f.clock.Now})
	api := httptest.NewServer(sb)
	defer api.Close()
	cfg := sb.Credentials()
	cfg.BaseURL = api.URL
	client := kuaidi100.New(cfg)

	mux := httptest.NewServer(nil)
	defer mux.Close()
	n := New(Config{DB: f.db, Client: client, Now: f.clock.Now, Location: shanghai, CallbackURL: mux.URL + "/kuaidi100/sms"})
	mux.Config.Handler = n.CallbackHandler()

	ok := f.shipment(t, "YT6000000001", "13700006001")
	// The sandbox fails delivery to numbers ending in 0000.
	unreachable := f.shipment(t, "YT6000000002", "13700000000")
	for _, s := range []store.Shipment{ok, unreachable} {
		if err := n.Notify(ctx, s, store.MilestonePickedUp); err != nil {
			t.Fatalf("Notify %s: %v", s.Waybill, err)
		}
		if m := f.messages(t, s.Waybill); len(m) != 1 || m[0].State != store.SMSSent || !strings.Contains(m[0].Reply, "短信发送中") {
			t.Fatalf("%s after send: %+v", s.Waybill, m)
		}
	}
	// Receipts are due 30 simulated seconds after sending.
	sb.Advance(time.Minute)
	sb.Step(ctx)

	got := f.messages(t, ok.Waybill)[0]
	if got.State != store.SMSDelivered || !strings.Contains(got.Reply, "回执：接收成功") {
		t.Errorf("reachable: %+v", got)
	}
	got = f.messages(t, unreachable.Waybill)[0]
	if got.State != store.SMSFailed || !strings.Contains(got.Reply, "接收失败") {
		t.Errorf("unreachable: %+v", got)
	}
	// A template id the account does not have is refused and logged failed.
	f.settings(t, func(c *store.SMSSettings) { c.Milestones[1].TemplateID = "T-none" })
	if err := n.Notify(ctx, ok, store.MilestoneOutForDelivery); err == nil {
		t.Error("refused template reported no error")
	}
	if m := f.messages(t, ok.Waybill); len(m) != 2 || m[1].State != store.SMSFailed || !strings.Contains(m[1].Reply, "模板") {
		t.Errorf("refused: %+v", m)
	}
}
