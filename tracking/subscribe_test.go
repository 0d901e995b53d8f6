package tracking

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"shipdesk/kuaidi100"
	"shipdesk/store"
)

// cancellingTracker subscribes through the real client, remembers the salt
// of every subscription it sends and, once, cancels the caller's context
// right after the service accepted the subscription (the app shutting down
// while the answer travels back).
type cancellingTracker struct {
	Tracker
	mu     sync.Mutex
	salts  []string
	cancel context.CancelFunc
	crash  *atomic.Bool // set after the first accepted subscription
}

func (c *cancellingTracker) Subscribe(ctx context.Context, r kuaidi100.SubscribeRequest) error {
	err := c.Tracker.Subscribe(ctx, r)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.salts = append(c.salts, r.Salt)
	if c.cancel != nil {
		c.cancel()
		c.cancel = nil
	}
	if c.crash != nil && err == nil {
		c.crash.Store(true)
		c.crash = nil
	}
	return err
}

// crashingStore stops writing once crashed is set: the process died.
type crashingStore struct {
	*store.DB
	crashed *atomic.Bool
}

func (c crashingStore) UpdateShipment(ctx context.Context, wb string, fn func(*store.Shipment) error) (store.Shipment, error) {
	if c.crashed.Load() {
		return store.Shipment{}, errors.New("process gone")
	}
	return c.DB.UpdateShipment(ctx, wb, fn)
}

// TestSubscribeKeepsTheSaltTheServiceHas: the salt Kuaidi100 signs pushes
// with is the one of the first accepted subscription (a later one for the
// same number is a 501 duplicate and ignored). If the worker stops after the
// service accepted a subscription but before it stored the outcome, the
// next subscription must carry the same salt, or every push is refused as
// forged.
func TestSubscribeKeepsTheSaltTheServiceHas(t *testing.T) {
	for _, stop := range []string{"cancel", "crash"} {
		t.Run(stop, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := t.Context()
				e := newEnv(t, testPushURL, nil)
				ct := &cancellingTracker{Tracker: e.client}
				var crashed atomic.Bool
				s := e.ship(ctx, 1)
				ctx1, cancel := context.WithCancel(ctx)
				defer cancel()
				if stop == "cancel" {
					ct.cancel = cancel
				} else {
					ct.crash = &crashed
				}
				// Interrupted after the service accepted the subscription.
				e.worker(func(c *Config) { c.Client = ct; c.DB = crashingStore{e.db, &crashed} }).Subscribe(ctx1, s.Waybill)

				crashed.Store(false) // restarted
				if err := e.worker(func(c *Config) { c.Client = ct }).Subscribe(ctx, s.Waybill); err != nil {
					t.Fatalf("second subscribe: %v", err)
				}
				got, err := e.db.Shipment(ctx, s.Waybill)
				if err != nil {
					t.Fatal(err)
				}
				ct.mu.Lock()
				first := ct.salts[0]
				ct.mu.Unlock()
				if got.Subscription.Salt != first {
					t.Fatalf("stored salt %q, but the service signs with %q", got.Subscription.Salt, first)
				}
				// The service's pushes verify.
				code, ok := post(e.w.Load().Handler(), pushForm(s.Waybill, "polling", journey(time.Now())[:1], first))
				if code != http.StatusOK || !ok {
					t.Errorf("push signed with the service's salt: %d %v", code, ok)
				}
				if got.Subscription.State != store.SubActive {
					t.Errorf("subscription %+v", got.Subscription)
				}
			})
		})
	}
}
