package tracking

import (
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"shipdesk/internal/testkit"
	"shipdesk/store"
)

// TestRunEndsEveryGoroutine runs the worker with every part busy — pushes
// arriving at its receiver, the poller querying, subscriptions going out,
// manual refreshes and listeners registered and cancelled — then cancels
// it: once Run has returned, nothing the worker started may be left in the
// bubble (testkit.CheckBubble names each goroutine left, with its stack).
func TestRunEndsEveryGoroutine(t *testing.T) {
	for _, mode := range []struct{ name, url string }{{"push", testPushURL}, {"poll", ""}} {
		t.Run(mode.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := t.Context()
				e := newEnv(t, mode.url, nil)
				for i := range 4 {
					e.ship(ctx, i)
				}
				w := e.worker(nil)
				stopSB := run(ctx, t, e.sb.Run)
				stopW := run(ctx, t, w.Run)
				var early, all atomic.Int64
				cancelEarly := w.OnChange(func(store.Shipment) { early.Add(1) })
				cancelAll := w.OnChange(func(store.Shipment) { all.Add(1) })
				for i := 4; i < 8; i++ {
					s := e.ship(ctx, i)
					if err := w.Subscribe(ctx, s.Waybill); err != nil {
						t.Errorf("subscribe %s: %v", s.Waybill, err)
					}
					time.Sleep(40 * time.Minute)
					if err := w.Refresh(ctx, s.Waybill); err != nil {
						t.Logf("refresh %s: %v", s.Waybill, err) // too soon is an answer, not a failure
					}
				}
				time.Sleep(12 * time.Hour)
				cancelEarly()
				time.Sleep(36 * time.Hour)
				stopW()
				stopSB()
				cancelAll()

				st := e.sb.Stats()
				if mode.url != "" && (st.Pushes["sent"] == 0 || st.Requests["subscribe"] == 0) {
					t.Errorf("push mode, but pushes %v and %d subscriptions: the receiver was not exercised", st.Pushes, st.Requests["subscribe"])
				}
				if st.Requests["query"] == 0 {
					t.Errorf("no query: the poller was not exercised")
				}
				if early.Load() == 0 || all.Load() <= early.Load() {
					t.Errorf("listeners called %d (cancelled after 12 h) and %d times", early.Load(), all.Load())
				}
				testkit.CheckBubble(t)
			})
		})
	}
}
