package sandbox_test

import (
	"fmt"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"shipdesk/internal/testkit"
	"shipdesk/kuaidi100"
	"shipdesk/kuaidi100/sandbox"
)

// TestCompressedJourneysInRealTime runs the demo configuration (real-time
// clock, DemoCompress) on a manual clock: parcels go through their whole
// journey within minutes of real time, every event pushed carries a time
// at or before the clock (never in the future), pushes come soon after each
// change, and the rules the app must obey keep their real durations.
func TestCompressedJourneysInRealTime(t *testing.T) {
	ctx := t.Context()
	clk := testkit.NewClock(time.Date(2026, 11, 26, 10, 0, 0, 0, time.FixedZone("CST", 8*3600)))
	o := sandbox.DefaultOptions()
	o.Seed, o.RealTime, o.Compress, o.Clock = 11, true, sandbox.DemoCompress, clk.Now
	o.Speed = 600 // ignored with RealTime
	e := newEnv(t, o)
	if !e.sb.Now().Equal(clk.Now()) {
		t.Fatalf("sandbox clock %s, real clock %s", e.sb.Now(), clk.Now())
	}
	shipped := clk.Now()

	const n = 60
	coms := []string{"zhongtong", "yuantong", "shunfeng", "yunda", "jd"}
	waybills := map[string]string{} // waybill -> carrier
	for i := range n {
		com := coms[i%len(coms)]
		req := order(fmt.Sprintf("SD-C%03d", i), com)
		res, err := e.cl.Order(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.cl.Subscribe(ctx, kuaidi100.SubscribeRequest{Com: com, Num: res.Waybill, Phone: "1111", CallbackURL: e.recv.URL + "/push", Salt: salt}); err != nil {
			t.Fatal(err)
		}
		waybills[res.Waybill] = com
		clk.Add(time.Second) // the subscribe rate is real: one order a second
	}

	// The 30-minute rule is real time, although parcels move fast.
	var probe string
	for w, com := range waybills {
		if com == "yuantong" {
			probe = w
			break
		}
	}
	q := kuaidi100.QueryRequest{Com: "yuantong", Num: probe}
	if _, err := e.cl.Query(ctx, q); err != nil {
		t.Fatal(err)
	}

	const step = 5 * time.Second
	done := map[string]time.Duration{} // waybill -> real time from shipping to the shutdown push
	outcome := map[string]kuaidi100.Milestone{}
	seen := 0
	var maxLag time.Duration // from an event to the push that carried it
	for clk.Now().Sub(shipped) < 2*time.Hour && len(done) < n {
		clk.Add(step)
		e.sb.Step(ctx)
		now := clk.Now()
		if !e.sb.Now().Equal(now) {
			t.Fatalf("sandbox clock %s drifted from the real clock %s", e.sb.Now(), now)
		}
		pushes := e.gotPushes()
		for _, p := range pushes[seen:] {
			if len(p.Track.Events) == 0 {
				t.Fatalf("push without events: %+v", p)
			}
			for _, ev := range p.Track.Events {
				if ev.Time.After(now) {
					t.Fatalf("%s: event %q at %s is after the clock %s", p.Track.Num, ev.Context, ev.Time, now)
				}
				if ev.Time.Before(shipped.Add(-time.Second)) {
					t.Fatalf("%s: event %q at %s is before the parcel was shipped (%s)", p.Track.Num, ev.Context, ev.Time, shipped)
				}
			}
			if lag := now.Sub(p.Track.Events[0].Time); lag > maxLag {
				maxLag = lag
			}
			if p.Status == kuaidi100.PushShutdown {
				done[p.Track.Num] = now.Sub(shipped)
				outcome[p.Track.Num] = p.Track.Milestone
			}
		}
		seen = len(pushes)
		if now.Sub(shipped) == time.Minute+step {
			if _, err := e.cl.Query(ctx, q); !lockedBy(e.sb, err, q.Num) {
				t.Fatalf("second query of %s 1 real minute after the first: %v, want ErrLocked", probe, err)
			}
		}
	}
	if len(done) != n {
		t.Fatalf("%d of %d parcels finished within 2 real hours", len(done), n)
	}
	// A push follows a change within the compressed cadence (4 h / 240 =
	// 1 min, each check 0.75-1.25 of it) plus a step or two.
	if maxLag > time.Minute*5/4+2*step {
		t.Errorf("an event waited %s for its push", maxLag)
	}
	var delivered []time.Duration
	for w, d := range done {
		if outcome[w] == kuaidi100.MilestoneDelivered {
			delivered = append(delivered, d)
		}
		if d > 45*time.Minute { // a returned parcel travels back: at most ~ 6 simulated days
			t.Errorf("%s (%v) took %s of real time", w, outcome[w], d)
		}
	}
	sort.Slice(delivered, func(i, j int) bool { return delivered[i] < delivered[j] })
	if len(delivered) < n/2 {
		t.Fatalf("only %d of %d delivered", len(delivered), n)
	}
	median := delivered[len(delivered)/2]
	t.Logf("delivered %d: fastest %s, median %s, slowest %s; push lag at most %s", len(delivered), delivered[0], median, delivered[len(delivered)-1], maxLag)
	if median < 4*time.Minute || median > 15*time.Minute || delivered[0] < time.Minute || delivered[len(delivered)-1] > 30*time.Minute {
		t.Errorf("delivered journeys: fastest %s, median %s, slowest %s; want a median of 4-15 real minutes", delivered[0], median, delivered[len(delivered)-1])
	}
	if st := e.sb.Stats(); st.Violations["query_interval"] != 1 || st.Compress != sandbox.DemoCompress || st.Speed != 1 {
		t.Errorf("stats: violations %v, compress %g, speed %g", st.Violations, st.Compress, st.Speed)
	}
}

// TestRealTimeRestartFollowsTheClock: with RealTime, a restart does not
// resume the clock where it stopped; the downtime passed as in reality, so
// a parcel moved on meanwhile. A state saved ahead of the clock (by an
// accelerated session) keeps its times, and nothing dated after the clock
// is visible: no event in the future is pushed, and a query history in the
// future still protects the number.
func TestRealTimeRestartFollowsTheClock(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "sandbox-state.json")
	clk := testkit.NewClock(time.Date(2026, 11, 26, 10, 0, 0, 0, time.Local))

	// An accelerated session leaves its clock 3 simulated days ahead.
	fast := sandbox.Options{Seed: 3, StatePath: path, Clock: clk.Now, Speed: 600}
	e := newEnv(t, fast)
	res, err := e.cl.Order(ctx, order("SD-R1", "yuantong"))
	if err != nil {
		t.Fatal(err)
	}
	q := kuaidi100.QueryRequest{Com: "yuantong", Num: res.Waybill}
	clk.Add(6 * time.Minute) // 60 simulated hours
	if _, err := e.cl.Query(ctx, q); err != nil {
		t.Fatal(err)
	}
	ahead := e.sb.Now().Sub(clk.Now())
	if ahead < 59*time.Hour {
		t.Fatalf("accelerated clock only %s ahead", ahead)
	}
	if err := e.sb.Save(); err != nil {
		t.Fatal(err)
	}

	// Reopened a minute later in real time: the clock is the real one; the
	// query made at the (simulated) close is still in the future, so a
	// query now is refused, as it was then.
	clk.Add(time.Minute)
	rt := sandbox.Options{Seed: 3, StatePath: path, Clock: clk.Now, RealTime: true, Compress: sandbox.DemoCompress}
	e2 := newEnv(t, rt)
	if !e2.sb.Now().Equal(clk.Now()) {
		t.Fatalf("real-time sandbox clock %s, real clock %s", e2.sb.Now(), clk.Now())
	}
	if tr, err := e2.cl.Query(ctx, q); !lockedBy(e2.sb, err, q.Num) {
		t.Fatalf("query 1 minute after the last one, across the restart: %v %+v, want ErrLocked", err, tr)
	}
	// The accelerated session's parcel: the trace pushed now has nothing
	// after the clock, though the sandbox saw more of it before.
	sub := kuaidi100.SubscribeRequest{Com: "yuantong", Num: res.Waybill, CallbackURL: e2.recv.URL + "/push", Salt: salt}
	if err := e2.cl.Subscribe(ctx, sub); err != nil {
		t.Fatal(err)
	}
	clk.Add(5 * time.Second) // the first check, 15 min / DemoCompress later
	e2.sb.Step(ctx)
	pushes := e2.gotPushes()
	if len(pushes) != 1 || len(pushes[0].Track.Events) == 0 {
		t.Fatalf("pushes after subscribing: %+v", pushes)
	}
	for _, ev := range pushes[0].Track.Events {
		if ev.Time.After(clk.Now()) {
			t.Errorf("event %q at %s after the clock %s", ev.Context, ev.Time, clk.Now())
		}
	}
	fresh, err := e2.cl.Order(ctx, order("SD-R2", "yuantong"))
	if err != nil {
		t.Fatal(err)
	}
	closed := clk.Now()
	if err := e2.sb.Save(); err != nil {
		t.Fatal(err)
	}

	// Closed for a day: reopened, the clock is the real one (not the stop
	// time), and the parcel shipped before the close travelled meanwhile:
	// it was delivered while the app was closed, nothing after the clock.
	clk.Add(25 * time.Hour)
	e3 := newEnv(t, rt)
	now := e3.sb.Now()
	if !now.Equal(clk.Now()) {
		t.Fatalf("after a day closed the clock is %s, want the real %s", now, clk.Now())
	}
	if st := e3.sb.Stats(); st.Parcels != 2 {
		t.Fatalf("parcels %d, want 2", st.Parcels)
	}
	tr, err := e3.cl.Query(ctx, kuaidi100.QueryRequest{Com: "yuantong", Num: fresh.Waybill})
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Events) == 0 || !tr.Milestone.Terminal() {
		t.Fatalf("after a day closed: %v with %d events", tr.Milestone, len(tr.Events))
	}
	if last := tr.Events[0].Time; !last.After(closed) || last.After(now) {
		t.Errorf("last event at %s; closed at %s, reopened at %s", last, closed, now)
	}
}
