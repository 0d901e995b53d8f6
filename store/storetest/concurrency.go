package storetest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"shipdesk/store"
)

// testLockOrder: a second LockOrder of the same order waits for the first
// release; the holder can still save the order; another order is not held
// up; a cancelled wait gives up.
func testLockOrder(t *testing.T, op Opener) {
	db, _ := openStore(t, op)
	ctx := t.Context()
	ord := store.Order{Recipient: store.Party{Name: "王芳"}}
	if err := db.SaveOrder(ctx, &ord); err != nil {
		t.Fatal(err)
	}
	release, err := db.LockOrder(ctx, ord.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The holder still writes the order (the ship workflow saves each step
	// under the lock).
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	ord.Step = store.StepWaybilled
	if err := db.SaveOrder(wctx, &ord); err != nil {
		t.Fatalf("SaveOrder under the order's own lock: %v", err)
	}
	wcancel()
	other, err := db.LockOrder(ctx, "SD20991231-000001") // not saved: still lockable
	if err != nil {
		t.Fatalf("another order is held up: %v", err)
	}
	other()
	cctx, cancel := context.WithCancel(ctx)
	waited := make(chan error, 1)
	go func() {
		r, err := db.LockOrder(cctx, ord.ID)
		if err == nil {
			r()
		}
		waited <- err
	}()
	cancel()
	if err := <-waited; err == nil {
		t.Fatal("LockOrder of a held order returned without waiting")
	}
	got := make(chan struct{})
	go func() {
		r, err := db.LockOrder(ctx, ord.ID)
		if err != nil {
			t.Errorf("second LockOrder: %v", err)
		} else {
			r()
		}
		close(got)
	}()
	release()
	release() // a second call is harmless
	<-got
}

// testConcurrentCreateOneWaybill: many writers storing the same waybill at
// once store it once; the others get ErrExists (same carrier) or
// ErrDuplicate (another carrier), and the counters count it once.
func testConcurrentCreateOneWaybill(t *testing.T, op Opener) {
	db, clk := openStore(t, op)
	ctx := t.Context()
	var ok, exists, dup atomic.Int32
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Go(func() {
			s := testShipment("W1")
			if i%3 == 2 {
				s.Carrier = "yuantong"
			}
			switch err := db.CreateShipment(ctx, s); {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, store.ErrExists):
				exists.Add(1)
			case errors.Is(err, store.ErrDuplicate):
				dup.Add(1)
			default:
				t.Errorf("CreateShipment: %v", err)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 1 || ok.Load()+exists.Load()+dup.Load() != 12 {
		t.Errorf("stored %d times, %d exists, %d duplicate", ok.Load(), exists.Load(), dup.Load())
	}
	c, err := db.Counts(ctx, clk.Now(), 1)
	if err != nil || c.Total != 1 || c.Created != 1 {
		t.Errorf("Counts = %+v, %v", c, err)
	}
}

// testConcurrentSaveOrderIDs: new orders saved at once get distinct ids.
func testConcurrentSaveOrderIDs(t *testing.T, op Opener) {
	db, _ := openStore(t, op)
	ctx := t.Context()
	var mu sync.Mutex
	ids := map[string]bool{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 10 {
				ord := store.Order{Recipient: store.Party{Name: "王芳"}}
				if err := db.SaveOrder(ctx, &ord); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if ids[ord.ID] {
					t.Errorf("order id %s given twice", ord.ID)
				}
				ids[ord.ID] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(ids) != 80 || !ids["SD20261126-000080"] {
		t.Errorf("%d ids, want SD20261126-000001..080", len(ids))
	}
	saved, err := db.OrdersByStep(ctx, store.StepSaved)
	if err != nil || len(saved) != 80 {
		t.Errorf("OrdersByStep = %d, %v", len(saved), err)
	}
}

// testConcurrentRaiseOnce: the same exception raised at once is stored
// once; after it is resolved it can be raised again.
func testConcurrentRaiseOnce(t *testing.T, op Opener) {
	db, _ := openStore(t, op)
	ctx := t.Context()
	var raised atomic.Int32
	ids := make(chan uint64, 10)
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			e := store.Exception{Waybill: "R1", Kind: store.ExcNoUpdate, Detail: "48 小时无更新"}
			r, err := db.RaiseException(ctx, &e)
			if err != nil {
				t.Error(err)
				return
			}
			if r {
				raised.Add(1)
			}
			ids <- e.ID
		})
	}
	wg.Wait()
	close(ids)
	var first uint64
	for id := range ids {
		if first == 0 {
			first = id
		}
		if id != first {
			t.Errorf("ids %d and %d for one open exception", first, id)
		}
	}
	if raised.Load() != 1 {
		t.Errorf("raised %d times", raised.Load())
	}
	if err := db.ResolveException(ctx, first, "主管"); err != nil {
		t.Fatal(err)
	}
	e := store.Exception{Waybill: "R1", Kind: store.ExcNoUpdate, Detail: "again"}
	if r, err := db.RaiseException(ctx, &e); err != nil || !r || e.ID == first {
		t.Errorf("raise after resolve = %v %v id %d", r, err, e.ID)
	}
}
