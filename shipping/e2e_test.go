package shipping

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"shipdesk/kuaidi100"
	"shipdesk/kuaidi100/sandbox"
	"shipdesk/printer"
	"shipdesk/sms"
	"shipdesk/store"
	"shipdesk/tracking"
)

// The end-to-end test runs the whole station (shipping service, print queue,
// tracking worker with its push receiver, SMS notifier with its receipt
// handler, bbolt store) against the sandbox inside a testing/synctest
// bubble: HTTP goes through in-process transports, so the bubble's fake
// clock drives everything and two simulated weeks take seconds.

// inProcess serves requests with a handler, without sockets.
type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	r2 := r.Clone(r.Context())
	r2.RemoteAddr = "192.0.2.1:4000"
	r2.RequestURI = r.URL.RequestURI()
	t.h.ServeHTTP(rec, r2)
	return rec.Result(), nil
}

var cst = time.FixedZone("CST", 8*3600)

func quiet(t time.Time) bool {
	h := t.In(cst).Hour()
	return h >= 21 || h < 8
}

func TestEndToEnd200Orders(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end run skipped in -short mode")
	}
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		dir := t.TempDir()
		db, err := store.Open(filepath.Join(dir, "shipdesk.db"), store.Options{NoSync: true, Location: cst})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		st, _ := db.Settings(ctx)
		st.SMS.Enabled = true
		st.SMS.DailyCap = 0
		enabled := map[store.Milestone]bool{}
		for i := range st.SMS.Milestones {
			st.SMS.Milestones[i].Enabled = true
			enabled[st.SMS.Milestones[i].Milestone] = true
		}
		st.DefaultCarrier = "zhongtong"
		if err := db.SaveSettings(ctx, st); err != nil {
			t.Fatal(err)
		}

		// The station's HTTP side: push receiver and SMS receipts.
		station := http.NewServeMux()
		o := sandbox.DefaultOptions()
		o.Seed = 2026
		o.Clock = time.Now
		o.Tick = time.Minute
		o.DailyQuota = 0
		o.HTTPClient = &http.Client{Transport: inProcess{station}}
		sb := sandbox.New(o)
		cfg := sb.Credentials()
		cfg.BaseURL = "http://sandbox.invalid"
		cfg.HTTPClient = &http.Client{Transport: inProcess{sb}}
		client := kuaidi100.New(cfg)

		notifier := sms.New(sms.Config{DB: db, Client: client, Location: cst, CallbackURL: "http://station.invalid/kuaidi100/sms"})
		worker := tracking.New(tracking.Config{DB: db, Client: client, Notifier: NotifyEveryReached(notifier),
			PushURL: "http://station.invalid/kuaidi100/push", Logf: func(string, ...any) {}})
		station.Handle("/kuaidi100/push", worker.Handler())
		station.Handle("/kuaidi100/sms", notifier.CallbackHandler())
		labels := filepath.Join(dir, "labels")
		if err := os.Mkdir(labels, 0o755); err != nil {
			t.Fatal(err)
		}
		svc := New(Deps{DB: db, Waybills: client, Queue: printer.NewQueue(db, nil), Tracker: worker, SMS: notifier,
			DefaultPrinter: printer.PathURI("file", labels), Logf: func(string, ...any) {}, Accounts: SandboxAccounts()})

		runCtx, stop := context.WithCancel(ctx)
		done := make(chan error, 3)
		for _, run := range []func(context.Context) error{sb.Run, worker.Run, notifier.Run} {
			go func() { done <- run(runCtx) }()
		}

		// 200 orders over the working day, one every four minutes from
		// 08:00 (the bubble starts at midnight UTC): pickups run into the
		// evening, so some notifications fall in quiet hours.
		const n = 200
		waybills := map[string]bool{}
		for i := range n {
			ord := testOrder(i)
			ord.Recipient.Phone = fmt.Sprintf("139%08d", i)
			res, err := svc.Ship(ctx, frontDesk, ord, ShipOptions{})
			if err != nil {
				t.Fatalf("order %d: %v", i, err)
			}
			if !res.Done() || res.Job.State != store.JobSent {
				t.Fatalf("order %d: step %s job %s %s", i, res.Order.Step, res.Job.State, res.Warning)
			}
			waybills[res.Order.Waybill] = true
			time.Sleep(4 * time.Minute)
		}
		if len(waybills) != n {
			t.Fatalf("%d distinct waybills for %d orders", len(waybills), n)
		}

		// Let the parcels travel: at most three simulated weeks.
		deadline := time.Now().Add(21 * 24 * time.Hour)
		for {
			term, total := 0, 0
			db.AllShipments(ctx, func(s store.Shipment) error {
				total++
				if s.Milestone.Terminal() {
					term++
				}
				return nil
			})
			if term == total {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d of %d parcels terminal after three weeks", term, total)
			}
			time.Sleep(time.Hour)
		}
		time.Sleep(24 * time.Hour) // held messages go out in the morning; receipts arrive
		stop()
		for range 3 {
			if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("run: %v", err)
			}
		}

		// Every enabled milestone a parcel reached: exactly one SMS.
		var sent, held, checked int
		final := map[store.Milestone]int{}
		err = db.AllShipments(ctx, func(s store.Shipment) error {
			final[s.Milestone]++
			msgs, err := db.SMSFor(ctx, s.Waybill)
			if err != nil {
				return err
			}
			per := map[store.Milestone][]store.SMSMessage{}
			for _, m := range msgs {
				per[m.Milestone] = append(per[m.Milestone], m)
			}
			for m, list := range per {
				if !enabled[m] {
					t.Errorf("%s: SMS for disabled milestone %s", s.Waybill, m)
				}
				if len(list) != 1 {
					t.Errorf("%s: %d SMS for %s", s.Waybill, len(list), m)
				}
			}
			for m := range enabled {
				reached := !s.MilestoneTime(m).IsZero()
				if reached != (len(per[m]) == 1) {
					t.Errorf("%s: reached %s=%v but %d SMS", s.Waybill, m, reached, len(per[m]))
				}
				checked++
			}
			for _, m := range msgs {
				switch {
				case m.State == store.SMSSent, m.State == store.SMSDelivered:
					sent++
				case m.State == store.SMSFailed && !m.SentAt.IsZero():
					sent++ // accepted by the provider; the handset was off
				default:
					t.Errorf("%s: SMS for %s left in state %s (%s)", s.Waybill, m.Milestone, m.State, m.Reply)
				}
				if m.SentAt.IsZero() || quiet(m.SentAt) {
					t.Errorf("%s: SMS for %s sent at %s (quiet hours 21:00-08:00)", s.Waybill, m.Milestone, m.SentAt.In(cst))
				}
				if quiet(m.CreatedAt) {
					held++
					if m.SentAt.Sub(m.CreatedAt) > 11*time.Hour {
						t.Errorf("%s: held from %s to %s", s.Waybill, m.CreatedAt.In(cst), m.SentAt.In(cst))
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if held == 0 {
			t.Error("no notification fell in quiet hours; the quiet-hours rule was not exercised")
		}
		stats := sb.Stats()
		for k, v := range stats.Violations {
			if v != 0 {
				t.Errorf("sandbox limit violation %s = %d", k, v)
			}
		}
		if stats.SMS["accepted"] != sent {
			t.Errorf("sandbox accepted %d SMS, station logged %d sent", stats.SMS["accepted"], sent)
		}
		var finals []string
		for m, c := range final {
			finals = append(finals, fmt.Sprintf("%s=%d", m, c))
		}
		t.Logf("%d parcels: %s; %d SMS sent (%d held overnight), %d milestone checks; sandbox: %d queries, %d subscriptions, pushes %v",
			n, strings.Join(finals, " "), sent, held, checked, stats.Requests["query"], stats.Requests["subscribe"], stats.Pushes)
	})
}
