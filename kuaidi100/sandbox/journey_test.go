package sandbox_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"shipdesk/kuaidi100"
	"shipdesk/kuaidi100/sandbox"
)

var cstZone = time.FixedZone("CST", 8*3600)

func hour(t time.Time) float64 {
	l := t.In(cstZone)
	return float64(l.Hour()) + float64(l.Minute())/60 + float64(l.Second())/3600
}

func sameDay(a, b time.Time) bool {
	return a.In(cstZone).Format(time.DateOnly) == b.In(cstZone).Format(time.DateOnly)
}

var lastMileCodes = map[string]bool{"5": true, "501": true, "301": true, "302": true, "303": true, "304": true, "203": true, "14": true, "204": true, "206": true, "208": true}

// TestJourneyTimingDistributions plans 20,000 parcels printed at the desk
// (Monday to Saturday, 08:00-19:00, in Tianjin) to every city and checks
// the shape of the model as distributions: the afternoon pickup round,
// the origin hub in the evening, line-haul growing with distance, the
// destination outlet early in the morning, 派件 in a morning wave and a
// smaller early-afternoon wave, nothing at the last mile between 22:00
// and 06:00, a locker pickup 1-6 h after the code, and the outcome shares.
func TestJourneyTimingDistributions(t *testing.T) {
	tm := sandbox.DefaultTiming()
	rng := rand.New(rand.NewPCG(2026, 15))
	cities := sandbox.Cities()
	opts := sandbox.DefaultOptions()
	monday := time.Date(2026, 11, 2, 0, 0, 0, 0, cstZone)
	const n = 20000
	var (
		pickSameDay, pickEarly, pickInRound, hubEvening, outletMorning int
		morningWave, afternoonWave, firstDeliveries, offWave           int
		lastMile, lastMileQuiet, lockers, lockerOK                     int
		outcomes                                                       = map[string]int{}
		toSignHours                                                    = map[string][]float64{}
	)
	for range n {
		day := monday.AddDate(0, 0, rng.IntN(6)) // Mon-Sat
		created := day.Add(time.Duration((8 + rng.Float64()*11) * float64(time.Hour)))
		to := cities[rng.IntN(len(cities))]
		out := sandbox.PickOutcome(rng, opts)
		evs := tm.PlanJourney(rng, created, "zhongtong", "天津", to, out)
		if len(evs) < 6 {
			t.Fatalf("journey to %s: %d events", to, len(evs))
		}
		for i := 1; i < len(evs); i++ {
			if evs[i].At.Before(evs[i-1].At) {
				t.Fatalf("journey to %s goes back in time at %d: %v", to, i, evs)
			}
		}
		pick := evs[1]
		if pick.Code != "103" {
			t.Fatalf("second event %s, want 103", pick.Code)
		}
		if h := hour(pick.At); h >= 15 && h < 18 {
			pickInRound++
		}
		if hour(created) < 16 {
			pickEarly++
			if sameDay(pick.At, created) {
				pickSameDay++
			}
		}
		if h := hour(evs[3].At); h >= 17 || h < 1 { // 到达 origin hub
			hubEvening++
		}
		first5 := true
		var lockerAt time.Time
		for _, e := range evs {
			switch {
			case e.Code == "1001":
				if h := hour(e.At); h >= 4.5 && h < 7.5 {
					outletMorning++
				}
			case e.Code == "5" && first5:
				first5 = false
				firstDeliveries++
				switch h := hour(e.At); {
				case h >= 7 && h < 10.5:
					morningWave++
				case h >= 13 && h < 15.5:
					afternoonWave++
				default:
					offWave++
				}
			case e.Code == "501":
				lockerAt = e.At
			case e.Code == "304":
				lockers++
				if d := e.At.Sub(lockerAt).Hours(); d >= 1 && (d <= 6 || hour(e.At) < 9) {
					lockerOK++
				}
			}
			if lastMileCodes[e.Code] {
				lastMile++
				if h := hour(e.At); h >= 22 || h < 6 {
					lastMileQuiet++
				}
			}
		}
		last := evs[len(evs)-1]
		outcomes[last.Code]++
		if out == sandbox.Delivered {
			toSignHours[to] = append(toSignHours[to], last.At.Sub(pick.At).Hours())
		}
	}
	share := func(a, b int) float64 { return float64(a) / float64(max(b, 1)) }
	t.Logf("pickup in 15-18h %.3f, same day (printed before 16:00) %.3f; origin hub in the evening %.3f; outlet 04:30-07:30 %.3f",
		share(pickInRound, n), share(pickSameDay, pickEarly), share(hubEvening, n), share(outletMorning, n))
	t.Logf("派件 waves: morning %.3f, afternoon %.3f, other %.3f; last-mile events 22-06h %d of %d; locker pickups 1-6 h %.3f",
		share(morningWave, firstDeliveries), share(afternoonWave, firstDeliveries), share(offWave, firstDeliveries), lastMileQuiet, lastMile, share(lockerOK, lockers))
	if share(pickInRound, n) != 1 || share(pickSameDay, pickEarly) != 1 {
		t.Errorf("pickup round: %.3f in 15-18h, %.3f same day", share(pickInRound, n), share(pickSameDay, pickEarly))
	}
	if share(hubEvening, n) < 0.85 {
		t.Errorf("origin hub in the evening only %.3f", share(hubEvening, n))
	}
	if share(outletMorning, n) != 1 {
		t.Errorf("outlet arrivals in the early morning %.3f", share(outletMorning, n))
	}
	if m, a := share(morningWave, firstDeliveries), share(afternoonWave, firstDeliveries); m < 0.6 || a < 0.1 || a > m/2 || offWave != 0 {
		t.Errorf("派件 waves: morning %.3f, afternoon %.3f, off-wave %d", m, a, offWave)
	}
	if share(lastMileQuiet, lastMile) > 0.01 {
		t.Errorf("%d of %d last-mile events between 22:00 and 06:00", lastMileQuiet, lastMile)
	}
	if share(lockerOK, lockers) < 0.99 || share(lockers, n) < 0.2 || share(lockers, n) > 0.4 {
		t.Errorf("lockers: %d (%.3f), pickup 1-6 h later %.3f", lockers, share(lockers, n), share(lockerOK, lockers))
	}
	// Outcome shares as now: 3 % refused (14), 3 % returned (4).
	for code, want := range map[string]float64{"14": opts.RefusedShare, "4": opts.ReturnedShare, "302": opts.ProblemShare} {
		if got := share(outcomes[code], n); got < want*0.75 || got > want*1.25 {
			t.Errorf("outcome %s: share %.4f, want about %.2f", code, got, want)
		}
	}
	// Line-haul by distance: the median pickup-to-signed time grows from
	// the same city to Beijing, Shanghai and Kunming.
	med := func(c string) float64 {
		v := slices.Clone(toSignHours[c])
		slices.Sort(v)
		return v[len(v)/2]
	}
	t.Logf("median pickup to 签收: 天津 %.1f h, 北京 %.1f h, 上海 %.1f h, 成都 %.1f h, 昆明 %.1f h", med("天津"), med("北京"), med("上海"), med("成都"), med("昆明"))
	if !(med("天津") < med("上海") && med("北京") < med("上海") && med("上海") < med("昆明")) {
		t.Errorf("line-haul does not grow with distance: 天津 %.1f 北京 %.1f 上海 %.1f 昆明 %.1f", med("天津"), med("北京"), med("上海"), med("昆明"))
	}
	if med("天津") > 24 || med("昆明") > 96 {
		t.Errorf("journeys too slow: 天津 %.1f h, 昆明 %.1f h", med("天津"), med("昆明"))
	}

	// Seeded: the same seed plans the same journey; another seed another.
	plan := func(seed uint64) []sandbox.JourneyEvent {
		return tm.PlanJourney(rand.New(rand.NewPCG(seed, 1)), monday.Add(10*time.Hour), "zhongtong", "天津", "成都", sandbox.Delivered)
	}
	if a, b := plan(9), plan(9); fmt.Sprint(a) != fmt.Sprint(b) {
		t.Error("the same seed planned two journeys")
	}
	if a, b := plan(9), plan(10); fmt.Sprint(a) == fmt.Sprint(b) {
		t.Error("two seeds planned the same journey")
	}
	// Parameterised: a later pickup round moves every pickup.
	late := tm
	late.PickupFrom, late.PickupTo = 19, 20
	if e := late.PlanJourney(rng, monday.Add(10*time.Hour), "zhongtong", "天津", "上海", sandbox.Delivered); hour(e[1].At) < 19 {
		t.Errorf("pickup at %s with a 19-20h round", e[1].At)
	}
}

// TestPushDelays subscribes 300 parcels and follows the service's checks
// for 8 simulated days: each push carries the whole trace, and the delay
// from an event to the first push carrying it is 0-4 hours for most and
// over 4 hours for under 10 %.
func TestPushDelays(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t, sandbox.Options{Seed: 3, DailyQuota: 0})
	seen := map[string]int{}
	var delays []float64
	var wholeTrace = true
	e.onPush = func(p *kuaidi100.Push) {
		now := e.sb.Now()
		n := len(p.Track.Events)
		if n < seen[p.Track.Num] {
			wholeTrace = false
		}
		// Events newest first: the first n-seen are new.
		for i := 0; i < n-seen[p.Track.Num]; i++ {
			delays = append(delays, now.Sub(p.Track.Events[i].Time).Hours())
		}
		seen[p.Track.Num] = max(seen[p.Track.Num], n)
	}
	for i := range 300 {
		res, err := e.cl.Order(ctx, order(fmt.Sprintf("PD-%03d", i), "zhongtong"))
		if err != nil {
			t.Fatal(err)
		}
		if err := e.cl.Subscribe(ctx, kuaidi100.SubscribeRequest{Com: "zhongtong", Num: res.Waybill, Phone: "1111", CallbackURL: e.recv.URL + "/push", Salt: salt}); err != nil {
			t.Fatal(err)
		}
		e.advance(3*time.Minute, 3*time.Minute)
	}
	e.advance(8*24*time.Hour, 5*time.Minute)
	if !wholeTrace {
		t.Error("a push carried less than the whole trace")
	}
	slices.Sort(delays)
	over4 := len(delays) - func() int {
		i, _ := slices.BinarySearch(delays, 4.0)
		return i
	}()
	frac := float64(over4) / float64(len(delays))
	t.Logf("%d events pushed: delay median %.2f h, p90 %.2f h, max %.2f h; over 4 h %.3f", len(delays), delays[len(delays)/2], delays[len(delays)*9/10], delays[len(delays)-1], frac)
	if len(delays) < 300*6 {
		t.Fatalf("only %d events pushed", len(delays))
	}
	if frac == 0 || frac >= 0.10 {
		t.Errorf("share of events pushed more than 4 h late: %.3f, want above 0 and under 0.10", frac)
	}
	if delays[len(delays)/2] > 3 || delays[len(delays)-1] > 5.2 {
		t.Errorf("push delays: median %.2f h, max %.2f h", delays[len(delays)/2], delays[len(delays)-1])
	}
}
