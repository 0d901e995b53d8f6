package relay_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"shipdesk/internal/testkit"
	"shipdesk/kuaidi100"
	"shipdesk/kuaidi100/sandbox"
	"shipdesk/store"
	"shipdesk/tracking"
	"shipdesk/tracking/relay"
)

// TestStationOffAllWeekLearnsEverythingThroughRelay runs the whole chain in
// one process over real sockets: the sandbox (on a manual clock) pushes to
// a real relay, which stores every push while the station is off; the
// station then starts, takes them all, verifies each with its own salts
// through the real tracking worker and store, and knows every event of
// every parcel. A forged push for one of its numbers is refused by the
// station and counted at the relay.
func TestStationOffAllWeekLearnsEverythingThroughRelay(t *testing.T) {
	ctx := t.Context()
	// Ten simulated days pass in about a second of real time: the
	// per-source rate (real time) is raised to match.
	re := newRelay(t, relay.Options{SourceRate: 5000, SourceBurst: 5000})
	token := re.add(t, "clinic")
	callback, err := relay.CallbackURL(re.ts.URL, token)
	if err != nil {
		t.Fatal(err)
	}

	o := sandbox.DefaultOptions()
	o.Seed = 11
	frozen := time.Unix(1_800_000_000, 0)
	o.Clock = func() time.Time { return frozen }
	o.Start = time.Date(2026, 11, 2, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
	o.HTTPClient = re.ts.Client()
	o.DailyQuota = 0
	sb := sandbox.New(o)
	sbts := httptest.NewServer(sb)
	defer sbts.Close()
	cfg := sb.Credentials()
	cfg.BaseURL, cfg.HTTPClient = sbts.URL, sbts.Client()
	client := kuaidi100.New(cfg)

	db, err := store.Open(filepath.Join(t.TempDir(), "station.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	lg := &testkit.Log{}
	w := tracking.New(tracking.Config{DB: db, Client: client, PushURL: callback, Now: sb.Now, Logf: lg.Logf})

	const parcels = 40
	var numbers []string
	acct, _ := kuaidi100.SandboxAccount("zhongtong")
	for i := range parcels {
		sb.Advance(time.Second) // the subscribe rates, on the sandbox's clock
		res, err := client.Order(ctx, kuaidi100.OrderRequest{
			OrderID: fmt.Sprintf("SD-R-%03d", i), Com: "zhongtong", Cargo: "眼镜", Count: 1, Weight: 0.5, Account: acct,
			Recipient: kuaidi100.Party{Name: "王芳", Phone: fmt.Sprintf("137%08d", i), Address: []string{"天津市河西区友谊路32号", "上海市杨浦区长江路1号", "成都市武侯区人民路8号", "广州市天河区中山路3号"}[i%4]},
			Sender:    kuaidi100.Party{Name: "天津眼科医院视光中心", Phone: "022-23346655", Address: "天津市南开区复康路4号"},
		})
		if err != nil {
			t.Fatalf("order %d: %v", i, err)
		}
		now := sb.Now()
		s := store.Shipment{Waybill: res.Waybill, Carrier: "zhongtong", RecipientPhone: fmt.Sprintf("137%08d", i),
			Milestone: store.MilestoneOrdered, CreatedAt: now, PrintedAt: now}
		if err := db.CreateShipment(ctx, &s); err != nil {
			t.Fatal(err)
		}
		if err := w.Subscribe(ctx, res.Waybill); err != nil {
			t.Fatalf("subscribe %d: %v", i, err)
		}
		numbers = append(numbers, res.Waybill)
	}
	s0, _ := db.Shipment(ctx, numbers[0])
	if s0.Subscription.CallbackURL != re.ts.URL+"/push/clinic" {
		t.Fatalf("subscription carries %q, want the relay's URL for the station", s0.Subscription.CallbackURL)
	}

	// The station is off for ten days; the relay takes every push.
	for range 10 * 24 * 6 {
		sb.Advance(10 * time.Minute)
		sb.Step(ctx)
	}
	st := sb.Stats()
	if st.Pushes["dropped"] != 0 || st.Pushes["failed"] != 0 || st.Pushes["sent"] == 0 {
		t.Fatalf("sandbox pushes %v: the relay must accept every one", st.Pushes)
	}
	// Someone who knows the station's callback URL forges a push.
	fb := url.Values{"param": {fmt.Sprintf(`{"status":"shutdown","lastResult":{"nu":%q,"com":"zhongtong","state":"3","ischeck":"1","data":[{"time":"2026-11-02 10:00:00","ftime":"2026-11-02 10:00:00","context":"已签收（伪造）","status":"签收","statusCode":"301"}]}}`, numbers[0])}, "sign": {"0123456789ABCDEF0123456789ABCDEF"}}
	if code, ok := re.push(t, "clinic", fb); code != http.StatusOK || !ok {
		t.Fatalf("forged push not stored: %d", code)
	}

	// The station starts and catches up.
	c, err := relay.NewClient(relay.ClientConfig{URL: re.ts.URL, Token: token, Apply: relay.ApplyTo(w), Wait: time.Millisecond, Logf: lg.Logf})
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	var after uint64
	for i := 0; ; i++ {
		list, _ := re.db.Stations()
		if list[0].Waiting == 0 {
			break
		}
		if i > 100 {
			t.Fatalf("still %d waiting after 100 takes", list[0].Waiting)
		}
		if _, err := c.Once(ctx, &after); err != nil {
			t.Fatal(err)
		}
	}
	took := time.Since(began)
	list, _ := re.db.Stations()
	if list[0].Forged != 1 || list[0].Applied != st.Pushes["sent"] {
		t.Fatalf("relay counts %+v, sandbox sent %d", list[0].Counts, st.Pushes["sent"])
	}
	t.Logf("caught up on %d pushes in %v", list[0].Applied, took)
	// About a second on an idle machine; the bound leaves room for -race
	// on a machine shared with other work.
	if took > time.Minute {
		t.Errorf("catching up took %v", took)
	}

	for _, n := range numbers {
		plan := sb.Journey(n)
		evs, err := db.Events(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		// 101 (ordered) is the app's own; every later event must be known.
		want := 0
		for _, e := range plan {
			if e.Code != "101" {
				want++
			}
		}
		got := 0
		for _, e := range evs {
			if e.Context == "已签收（伪造）" {
				t.Fatalf("%s: the forged event was stored", n)
			}
			got++
		}
		s, _ := db.Shipment(ctx, n)
		if got < want || !s.Milestone.Terminal() {
			t.Errorf("%s: station knows %d of %d events, milestone %s", n, got, want, s.Milestone)
		}
	}
}
