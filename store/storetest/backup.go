package storetest

import (
	"bytes"
	"context"
	_ "embed"
	"os"
	"path/filepath"
	"runtime"
	"shipdesk/store"
	"testing"
	"time"
)

// shipmentsCSV is the export both engines must write byte for byte. To
// change it, run the bbolt contract test with SHIPDESK_UPDATE_GOLDEN=1.
//
//go:embed testdata/shipments.csv.golden
var shipmentsCSV []byte

func testExportShipmentsCSV(t *testing.T, op Opener) {
	db, clk := openStore(t, op)
	ctx := context.Background()
	a := testShipment("7300000001")
	a.Reference = "=HYPERLINK(\"x\")" // must not become a formula in Excel
	mustCreate(t, db, a)
	clk.Add(time.Hour)
	b := testShipment("YT2000000002")
	b.Carrier, b.RecipientName, b.RecipientPhone, b.RecipientAddr = "yuantong", "李四, \"小李\"", "13912345678", "北京市朝阳区\n建国路88号"
	b.PrintedAt = clk.Now()
	mustCreate(t, db, b)
	clk.Add(26 * time.Hour)
	db.UpdateShipment(ctx, "YT2000000002", func(s *store.Shipment) error {
		s.Milestone, s.EventCount, s.LastEventAt = store.MilestoneDelivered, 6, clk.Now()
		return nil
	})
	var buf bytes.Buffer
	if err := db.ExportShipmentsCSV(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("SHIPDESK_UPDATE_GOLDEN") != "" {
		_, self, _, _ := runtime.Caller(0)
		if err := os.WriteFile(filepath.Join(filepath.Dir(self), "testdata", "shipments.csv.golden"), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	} else if !bytes.Equal(buf.Bytes(), shipmentsCSV) {
		t.Errorf("CSV differs from storetest/testdata/shipments.csv.golden:\n%s", buf.String())
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\xEF\xBB\xBF运单号,")) {
		t.Errorf("CSV does not start with a BOM and the header")
	}
}
