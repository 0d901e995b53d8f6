package postgres_test

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"shipdesk/store"
	"shipdesk/store/postgres"
	"shipdesk/store/postgres/pgtest"
)

// TestStationsShareAllButPrinters: two stations on one database share the
// clinic's settings and keep their own printers.
func TestStationsShareAllButPrinters(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	front := open(t, dsn, "前台", nil, nil)
	ware := open(t, dsn, "仓库", nil, nil)
	ctx := t.Context()
	st, err := front.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.DefaultCarrier = "zhongtong"
	st.Printers = []store.PrinterProfile{{Name: "前台打印机", URI: "usb://1203:0230", Language: "tspl", Sizes: []string{"76x130"}}}
	if err := front.SaveSettings(ctx, st); err != nil {
		t.Fatal(err)
	}
	got, err := ware.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.DefaultCarrier != "zhongtong" || len(got.Printers) != 0 {
		t.Fatalf("warehouse sees carrier %q and printers %v; want the shared carrier and no printers", got.DefaultCarrier, got.Printers)
	}
	got.Printers = []store.PrinterProfile{{Name: "仓库打印机", URI: "tcp://10.0.0.9", Language: "zpl", Sizes: []string{"100x150"}}}
	got.DefaultItems = "隐形眼镜"
	if err := ware.SaveSettings(ctx, got); err != nil {
		t.Fatal(err)
	}
	back, err := front.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if back.DefaultItems != "隐形眼镜" || len(back.Printers) != 1 || back.Printers[0].Name != "前台打印机" {
		t.Errorf("front desk after warehouse saved: items %q printers %+v", back.DefaultItems, back.Printers)
	}
	names, err := front.Stations(ctx)
	if err != nil || len(names) != 2 {
		t.Errorf("Stations = %v, %v", names, err)
	}
}

// TestStationsMigrateOnce: stations starting at once on an empty database
// all open it; one migrates while the others wait.
func TestStationsMigrateOnce(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	var wg sync.WaitGroup
	for _, name := range []string{"前台", "仓库", "主管"} {
		wg.Go(func() {
			db, err := postgres.Open(t.Context(), dsn, postgres.Options{Station: name})
			if err != nil {
				t.Errorf("Open %s: %v", name, err)
				return
			}
			db.Close()
		})
	}
	wg.Wait()
}

// TestOneAutomaticSMSPerMilestone: the database refuses a second automatic
// message for the same waybill and milestone, whichever station adds it;
// a person's resend is allowed.
func TestOneAutomaticSMSPerMilestone(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	a := open(t, dsn, "前台", nil, nil)
	b := open(t, dsn, "仓库", nil, nil)
	ctx := t.Context()
	msg := func() *store.SMSMessage {
		return &store.SMSMessage{Waybill: "7300000001", Milestone: store.MilestonePickedUp, TemplateID: "1001", Phone: "13700001111"}
	}
	if err := a.AddSMS(ctx, msg()); err != nil {
		t.Fatal(err)
	}
	if err := b.AddSMS(ctx, msg()); !errors.Is(err, store.ErrExists) {
		t.Fatalf("second automatic SMS: err = %v, want ErrExists", err)
	}
	manual := msg()
	manual.Reply = "人工重发（主管）"
	if err := b.AddSMS(ctx, manual); err != nil {
		t.Fatalf("manual resend: %v", err)
	}
	all, err := a.SMSFor(ctx, "7300000001")
	if err != nil || len(all) != 2 {
		t.Errorf("SMSFor = %d, %v", len(all), err)
	}
	if c, _, err := a.SMSDay(ctx, all[0].CreatedAt); err != nil || c != 2 {
		t.Errorf("SMSDay = %d, %v", c, err)
	}
}

// TestPasswordNeverInErrors: a connection string's password is kept out
// of error text and logs.
func TestPasswordNeverInErrors(t *testing.T) {
	dsn := "postgres://shipdesk:s3cret-pw@127.0.0.1:1/shipdesk?sslmode=disable&connect_timeout=1"
	_, err := postgres.Open(t.Context(), dsn, postgres.Options{Station: "前台"})
	if err == nil {
		t.Fatal("Open of an unreachable server succeeded")
	}
	for _, s := range []string{err.Error(), postgres.Redact(dsn)} {
		if contains(s, "s3cret-pw") {
			t.Errorf("password leaked: %s", s)
		}
	}
	clean, pw := postgres.SplitPassword(dsn)
	if pw != "s3cret-pw" || contains(clean, "s3cret") {
		t.Errorf("SplitPassword = %q, %q", clean, pw)
	}
}

func contains(s, sub string) bool {
	return strings.Contains(s, sub)
}
