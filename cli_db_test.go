package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"shipdesk/store"
	"shipdesk/store/postgres"
	"shipdesk/store/postgres/pgtest"
	"shipdesk/store/storetest"
)

// TestCopyStoreKeepsEveryRecord: db migrate's copy keeps every kind of
// record with its ids and times, and the copy carries on numbering where
// the file stopped.
func TestCopyStoreKeepsEveryRecord(t *testing.T) {
	ctx := t.Context()
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, clinicTime)
	src, err := store.Open(filepath.Join(t.TempDir(), "shipdesk.db"), store.Options{NoSync: true, Now: func() time.Time { return now }, Location: clinicTime})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var waybills []string
	for i, wb := range []string{"7300000001", "7300000002", "YT9000000003"} {
		o := store.Order{Recipient: store.Party{Name: "王芳", Phone: "13700001111", Address: "天津市河西区友谊路32号"}, Carrier: "zhongtong", Reference: "PJ-1"}
		if err := src.SaveOrder(ctx, &o); err != nil {
			t.Fatal(err)
		}
		s := store.Shipment{Waybill: wb, Carrier: "zhongtong", OrderID: o.ID, Reference: o.Reference, RecipientName: "王芳", RecipientPhone: "13700001111",
			Milestone: store.MilestoneInTransit, NextPollAt: now.Add(time.Hour), HandoverID: "HO-1"}
		if err := src.CreateShipment(ctx, &s); err != nil {
			t.Fatal(err)
		}
		evs := []store.TrackingEvent{
			{Time: now.Add(-2 * time.Hour), Context: "快件已揽收", Milestone: store.MilestonePickedUp},
			{Time: now.Add(-time.Hour), Context: "快件已到达天津分拨中心", Area: "天津市", Milestone: store.MilestoneInTransit},
			{Time: now.Add(-time.Hour), Context: "同一时刻的第二条", Milestone: store.MilestoneInTransit},
		}
		if _, err := src.AddEvents(ctx, wb, evs[:i+1]); err != nil {
			t.Fatal(err)
		}
		j := store.PrintJob{Waybill: wb, PrinterURI: "virtual:///tmp", Format: "tspl", Data: []byte{0, 1, 2, 'S', 'I', 'Z', 'E'}, State: store.JobSent}
		if err := src.AddJob(ctx, &j); err != nil {
			t.Fatal(err)
		}
		m := store.SMSMessage{Waybill: wb, Milestone: store.MilestonePickedUp, TemplateID: "1001", Phone: "13700001111", State: store.SMSSent, CostFen: 4, SentAt: now}
		if err := src.AddSMS(ctx, &m); err != nil {
			t.Fatal(err)
		}
		waybills = append(waybills, wb)
	}
	e := store.Exception{Waybill: "7300000001", Kind: store.ExcProblem, Detail: "疑难件"}
	src.RaiseException(ctx, &e)
	src.ResolveException(ctx, e.ID, "主管")
	src.RaiseException(ctx, &store.Exception{Waybill: "7300000002", Kind: store.ExcNoUpdate, Detail: "48 小时无更新"})
	src.Audit(ctx, store.AuditEntry{Who: "主管", Action: "reprint", Target: "7300000001", Detail: "标签破损"})
	st, _ := src.Settings(ctx)
	st.Printers = []store.PrinterProfile{{Name: "前台", URI: "usb://1203:0230", Language: "tspl", Sizes: []string{"76x130"}}}
	st.DefaultCarrier = "zhongtong"
	if err := src.SaveSettings(ctx, st); err != nil {
		t.Fatal(err)
	}

	dst, err := postgres.Open(ctx, pgtest.NewDatabase(t), postgres.Options{Station: "前台", Now: func() time.Time { return now }, Location: clinicTime})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	n, err := copyStore(ctx, src, dst)
	if err != nil {
		t.Fatal(err)
	}
	have, err := dst.Tally(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"shipments": 3, "events": 6, "orders": 3, "jobs": 3, "sms": 3, "exceptions": 2, "audit": 1}
	if !reflect.DeepEqual(n, want) || !reflect.DeepEqual(have, want) {
		t.Errorf("counted in the file %v, in the database %v; want %v", n, have, want)
	}
	storetest.CheckConsistent(t, dst)
	same := func(what string, a, b any) {
		t.Helper()
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if string(ja) != string(jb) {
			t.Errorf("%s differs:\nfile     %s\npostgres %s", what, ja, jb)
		}
	}
	for _, wb := range waybills {
		a, _ := src.Shipment(ctx, wb)
		b, _ := dst.Shipment(ctx, wb)
		same("shipment "+wb, a, b)
		ea, _ := src.Events(ctx, wb)
		eb, _ := dst.Events(ctx, wb)
		same("events of "+wb, ea, eb)
		sa, _ := src.SMSFor(ctx, wb)
		sb, _ := dst.SMSFor(ctx, wb)
		same("sms of "+wb, sa, sb)
	}
	ja, _ := src.Jobs(ctx, store.JobFilter{})
	jb, _ := dst.Jobs(ctx, store.JobFilter{})
	same("print jobs", ja, jb)
	xa, _ := src.Exceptions(ctx, false, 0)
	xb, _ := dst.Exceptions(ctx, false, 0)
	same("exceptions", xa, xb)
	aa, _ := src.AuditLog(ctx, 0)
	ab, _ := dst.AuditLog(ctx, 0)
	same("audit", aa, ab)
	ca, _ := src.Counts(ctx, now, 7)
	cb, _ := dst.Counts(ctx, now, 7)
	same("counts", ca, cb)
	sta, _ := src.Settings(ctx)
	stb, _ := dst.Settings(ctx)
	same("settings", sta, stb)

	// Numbering carries on.
	o := store.Order{Recipient: store.Party{Name: "李四"}}
	if err := dst.SaveOrder(ctx, &o); err != nil || o.ID != "SD20261126-000004" {
		t.Errorf("next order id %q, %v", o.ID, err)
	}
	j := store.PrintJob{PrinterURI: "virtual:///tmp", Format: "tspl"}
	if err := dst.AddJob(ctx, &j); err != nil || j.ID <= ja[0].ID {
		t.Errorf("next job id %d after %d, %v", j.ID, ja[0].ID, err)
	}
	// A second copy into the same database is refused.
	if _, err := copyStore(ctx, src, dst); err == nil || !strings.Contains(err.Error(), "empty database") {
		t.Errorf("second copy: %v", err)
	}
}

// TestChooseStoreKeepsThePasswordSecret: a --db with a password is
// remembered without it in station.json; the password goes to the
// owner-only secrets file and comes back from there.
func TestChooseStoreKeepsThePasswordSecret(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(envDB, "")
	t.Setenv(envStation, "")
	ch, err := chooseStore(&globals{DataDir: dir, DB: "postgres://shipdesk:s3cret@db:5432/shipdesk?sslmode=verify-full", Station: "前台"})
	if err != nil {
		t.Fatal(err)
	}
	if ch.Password != "s3cret" || strings.Contains(ch.DSN, "s3cret") || ch.Station != "前台" || strings.Contains(ch.Describe(), "s3cret") {
		t.Errorf("choice = %+v (%s)", ch, ch.Describe())
	}
	raw, _ := os.ReadFile(filepath.Join(dir, stationFile))
	if strings.Contains(string(raw), "s3cret") || !strings.Contains(string(raw), "postgres://shipdesk@db:5432/shipdesk?sslmode=verify-full") {
		t.Errorf("station.json = %s", raw)
	}
	sec, err := store.LoadSecrets(dir)
	if err != nil || sec.DBPassword != "s3cret" {
		t.Errorf("secrets: %v %v", sec, err)
	}
	if s := sec.String(); strings.Contains(s, "s3cret") {
		t.Errorf("secrets print the password: %s", s)
	}
	again, err := chooseStore(&globals{DataDir: dir})
	if err != nil || again.DSN != ch.DSN || again.Password != "s3cret" || again.Station != "前台" {
		t.Errorf("remembered choice = %+v, %v", again, err)
	}
	if _, err := chooseStore(&globals{DataDir: dir, DB: "mysql://x"}); err == nil {
		t.Error("a non-PostgreSQL --db was accepted")
	}
	back, err := chooseStore(&globals{DataDir: dir, DB: "bbolt"})
	if err != nil || back.Shared() {
		t.Errorf("--db bbolt = %+v, %v", back, err)
	}
}
