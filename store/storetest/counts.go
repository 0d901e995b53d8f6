package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"shipdesk/store"
	"strings"
	"sync"
	"testing"
	"time"
)

func testCountsDays(t *testing.T, op Opener) {
	db, clk := openStore(t, op)
	ctx := context.Background()
	today := clk.Now()
	for i, days := range []int{0, 0, 1, 2, 40} { // created that many days ago
		s := testShipment(fmt.Sprintf("C%d", i))
		s.CreatedAt = today.AddDate(0, 0, -days)
		if i == 0 {
			s.PrintedAt = today
		}
		mustCreate(t, db, s)
	}
	c, err := db.Counts(ctx, today, 30)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Days) != 30 || c.Days[29].Day != "2026-11-26" || c.Days[0].Day != "2026-10-28" {
		t.Fatalf("days = %d, first %s last %s", len(c.Days), c.Days[0].Day, c.Days[len(c.Days)-1].Day)
	}
	if c.Days[29].Created != 2 || c.Days[28].Created != 1 || c.Days[27].Created != 1 || c.Created != 4 || c.Printed != 1 || c.Total != 5 {
		t.Errorf("Counts = %+v", c)
	}
	if c.ByMilestone[store.MilestoneOrdered] != 5 || len(c.ByMilestone) != store.NumMilestones || c.ByCarrier["zhongtong"] != 5 {
		t.Errorf("ByMilestone %v ByCarrier %v", c.ByMilestone, c.ByCarrier)
	}
	js, err := json.Marshal(c)
	if err != nil || !strings.Contains(string(js), `"ordered":5,"out_for_delivery":0,`) || !strings.Contains(string(js), `{"day":"2026-11-26","created":2,"delivered":0,"printed":1,"sms":0,"smsCostFen":0}`) {
		t.Errorf("JSON = %s, %v", js, err)
	}
}

// TestConcurrentUpdatesKeepCounters runs many goroutines changing
// milestones, carriers, print times and poll times at once and checks the
// counters against a full recount (the cleanup does it again).
func testConcurrentUpdatesKeepCounters(t *testing.T, op Opener) {
	db, clk := openStore(t, op)
	ctx := context.Background()
	const n = 40
	for i := range n {
		mustCreate(t, db, testShipment(fmt.Sprintf("K%03d", i)))
	}
	carriers := []string{"zhongtong", "yuantong", "shunfeng"}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 1))
			for range 50 {
				wb := fmt.Sprintf("K%03d", r.IntN(n))
				_, err := db.UpdateShipment(ctx, wb, func(s *store.Shipment) error {
					s.Milestone = store.Milestone(r.IntN(store.NumMilestones))
					s.Carrier = carriers[r.IntN(len(carriers))]
					s.NextPollAt = clk.Now().Add(time.Duration(r.IntN(100)) * time.Minute)
					if r.IntN(4) == 0 {
						s.PrintedAt = clk.Now()
					}
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	diffs, err := db.CheckCounters(ctx)
	if err != nil || len(diffs) > 0 {
		t.Fatalf("CheckCounters = %v, %v", diffs, err)
	}
	c, _ := db.Counts(ctx, clk.Now(), 1)
	sum := 0
	for _, v := range c.ByCarrier {
		sum += v
	}
	if c.Total != n || sum != n {
		t.Errorf("Total %d carriers %d, want %d", c.Total, sum, n)
	}
}
