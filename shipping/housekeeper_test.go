package shipping

import (
	"context"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"shipdesk/internal/testkit"
	"shipdesk/store"
)

func TestHousekeeperRaisesWaitingOrdersAndAppliesRetention(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db, err := store.Open(filepath.Join(t.TempDir(), "h.db"), store.Options{NoSync: true, Location: ClinicTime})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		logs := &testkit.Log{}
		svc := New(Deps{DB: db, Logf: logs.Logf})
		ctx, cancel := context.WithCancel(t.Context())
		st, _ := db.Settings(ctx)
		st.Counter.WaitingMaxMinutes = 10
		days := 30
		st.Counter.RetentionDays = &days
		if err := db.SaveSettings(ctx, st); err != nil {
			t.Fatal(err)
		}
		o := testOrder(1)
		o.Step = store.StepSaved
		o.LastError = "网络超时"
		if err := db.SaveOrder(ctx, &o); err != nil {
			t.Fatal(err)
		}
		old := store.Shipment{Waybill: "ZT1000000001", Carrier: "zhongtong", RecipientName: "王芳", RecipientPhone: "13700001111",
			RecipientAddr: "天津市河西区友谊路32号", Milestone: store.MilestoneDelivered, CreatedAt: time.Now().AddDate(0, 0, -60)}
		old.SetMilestoneTime(store.MilestoneDelivered, time.Now().AddDate(0, 0, -50))
		if err := db.CreateShipment(ctx, &old); err != nil {
			t.Fatal(err)
		}

		done := make(chan error)
		go func() { done <- svc.NewHousekeeper(time.Minute).Run(ctx) }()
		synctest.Wait()
		if ex, _ := db.Exceptions(ctx, true, 10); len(ex) != 0 {
			t.Fatalf("raised at once: %+v", ex)
		}
		if sh, _ := db.Shipment(ctx, old.Waybill); sh.RecipientName != "王*" {
			t.Errorf("retention did not run at start: %+v", sh)
		}
		time.Sleep(11 * time.Minute)
		synctest.Wait()
		ex, _ := db.Exceptions(ctx, true, 10)
		if len(ex) != 1 || ex[0].Kind != store.ExcNoWaybill || ex[0].Waybill != o.ID {
			t.Fatalf("after 11 minutes: %+v", ex)
		}
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		if ex, _ := db.Exceptions(ctx, true, 10); len(ex) != 1 {
			t.Errorf("raised again: %+v", ex)
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run = %v", err)
		}
	})
}
