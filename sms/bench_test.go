package sms

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"shipdesk/store"
)

func BenchmarkRender(b *testing.B) {
	tpl := store.DefaultSettings().SMS.Milestones[0].Text
	vars := map[string]string{"name": "王芳", "carrier": "圆通速递", "waybill": "YT1234567890123", "code": ""}
	for b.Loop() {
		Segments(Render(tpl, vars))
	}
}

func BenchmarkPickupCode(b *testing.B) {
	ctx := "【天津市】您的快件已放入河西区友谊路32号丰巢智能快递柜，请凭取件码【123456】及时取件，如有疑问请联系派件员13700001111"
	for b.Loop() {
		if PickupCode(ctx) != "123456" {
			b.Fatal("no code")
		}
	}
}

func benchNotifier(b *testing.B) (*Notifier, *store.DB) {
	b.Helper()
	now := func() time.Time { return time.Date(2026, 11, 26, 10, 0, 0, 0, shanghai) }
	db, err := store.Open(filepath.Join(b.TempDir(), "shipdesk.db"), store.Options{NoSync: true, Now: now, Location: shanghai})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	ctx := b.Context()
	st, _ := db.Settings(ctx)
	st.SMS.Enabled = true
	st.SMS.DailyCap = 0
	if err := db.SaveSettings(ctx, st); err != nil {
		b.Fatal(err)
	}
	return New(Config{DB: db, Client: &fakeSender{}, Now: now, Location: shanghai}), db
}

// BenchmarkNotifyDuplicate is the common case: a push or poll reports a
// milestone already notified.
func BenchmarkNotifyDuplicate(b *testing.B) {
	n, db := benchNotifier(b)
	ctx := b.Context()
	s := store.Shipment{Waybill: "YT9000000001", Carrier: "yuantong", RecipientName: "王芳", RecipientPhone: "13700009001"}
	if err := db.CreateShipment(ctx, &s); err != nil {
		b.Fatal(err)
	}
	if err := n.Notify(ctx, s, store.MilestonePickedUp); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := n.Notify(ctx, s, store.MilestonePickedUp); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNotifySend decides and sends one message (to a fake provider):
// settings read, dedupe, cap read, intent write, outcome write.
func BenchmarkNotifySend(b *testing.B) {
	n, db := benchNotifier(b)
	ctx := b.Context()
	s := store.Shipment{Waybill: "YT9000000002", Carrier: "yuantong", RecipientName: "王芳", RecipientPhone: "13700009002"}
	if err := db.CreateShipment(ctx, &s); err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		// A fresh waybill each time, without the cost of storing a shipment.
		i++
		s.Waybill = fmt.Sprintf("YT9%011d", i)
		if err := n.Notify(ctx, s, store.MilestonePickedUp); err != nil {
			b.Fatal(err)
		}
	}
}
