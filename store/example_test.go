package store_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"shipdesk/store"
)

func Example() {
	dir, _ := os.MkdirTemp("", "shipdesk-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()

	db, err := store.Open(filepath.Join(dir, "shipdesk.db"), store.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	err = db.CreateShipment(ctx, &store.Shipment{
		Waybill: "73100000000001", Carrier: "zhongtong",
		RecipientName: "王芳", RecipientPhone: "13700001111",
		Milestone: store.MilestoneOrdered,
	})
	if err != nil {
		log.Fatal(err)
	}
	s, err := db.UpdateShipment(ctx, "73100000000001", func(s *store.Shipment) error {
		s.Milestone = store.MilestonePickedUp
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	found, _ := db.ShipmentsByPhone(ctx, "1111", 10)
	c, _ := db.Counts(ctx, s.UpdatedAt, 1)
	fmt.Println(s.Milestone.Chinese(), len(found), c.ByMilestone[store.MilestonePickedUp], c.Days[0].Created)
	// Output: 已揽收 1 1 1
}
