package postgres_test

import (
	"context"
	"errors"
	"testing"

	"shipdesk/store"
	"shipdesk/store/postgres/pgtest"
)

// TestUnavailableWhileServerIsDown: with the server stopped every write
// and read fails with store.ErrUnavailable (the clerk is told the database
// is away, nothing half-done); when it is back the same store works again
// without being reopened.
func TestUnavailableWhileServerIsDown(t *testing.T) {
	ctx := t.Context()
	c, err := pgtest.StartCluster(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Remove(context.Background()) }) // after t.Context is cancelled
	db := open(t, c.DSN("postgres"), "前台", nil, nil)
	o := store.Order{Recipient: store.Party{Name: "王芳"}}
	if err := db.SaveOrder(ctx, &o); err != nil {
		t.Fatal(err)
	}
	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	lost := store.Order{Recipient: store.Party{Name: "李四"}}
	if err := db.SaveOrder(ctx, &lost); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("SaveOrder with the server down: %v, want ErrUnavailable", err)
	}
	if err := db.CreateShipment(ctx, &store.Shipment{Waybill: "7300000001", Carrier: "zhongtong"}); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("CreateShipment with the server down: %v, want ErrUnavailable", err)
	}
	if _, err := db.Shipment(ctx, "7300000001"); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Shipment with the server down: %v, want ErrUnavailable", err)
	}
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	again := store.Order{Recipient: store.Party{Name: "李四"}}
	if err := db.SaveOrder(ctx, &again); err != nil {
		t.Fatalf("SaveOrder after the server came back: %v", err)
	}
	if again.ID != "SD"+o.ID[2:10]+"-000002" {
		t.Errorf("order after the outage is %s, want the next after %s (the failed one took no number)", again.ID, o.ID)
	}
	if got, err := db.Order(ctx, o.ID); err != nil || got.Recipient.Name != "王芳" {
		t.Errorf("order saved before the outage: %+v, %v", got, err)
	}
}
