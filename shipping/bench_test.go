package shipping

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"shipdesk/store"
)

func BenchmarkParsePaste(b *testing.B) {
	in := "收货人：王五\n手机号码：139-1234-5678\n所在地区：天津市 和平区\n详细地址：南京路219号"
	for b.Loop() {
		ParsePaste(in)
	}
}

func BenchmarkParseOrdersCSV1000(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("收件人,电话,地址,物品,配镜单号,快递\n")
	for i := range 1000 {
		fmt.Fprintf(&sb, "王芳,137%08d,天津市河西区友谊路%d号,眼镜,PJ-%d,中通快递\n", i, i, i)
	}
	data := gbkBytes(sb.String())
	st := store.DefaultSettings()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		orders, errs, err := parseOrdersCSV(bytes.NewReader(data), st)
		if err != nil || len(orders) != 1000 || len(errs) != 0 {
			b.Fatal(err, len(orders), errs)
		}
	}
}

// BenchmarkShip is one whole order: save, waybill from the sandbox over
// loopback HTTP, label layout, TSPL encoding, print to a file.
func BenchmarkShip(b *testing.B) {
	e := newEnvTB(b)
	ctx := b.Context()
	i := 0
	for b.Loop() {
		i++
		o := testOrder(i)
		o.Reference = fmt.Sprintf("B-%d-%d", i, time.Now().UnixNano())
		if _, err := e.svc.Ship(ctx, frontDesk, o, ShipOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSearchPhoneLast4 searches 2,000 shipments by the last four
// digits of a phone through the store's index.
func BenchmarkSearchPhoneLast4(b *testing.B) {
	e := newEnvTB(b)
	ctx := b.Context()
	for i := range 2000 {
		s := store.Shipment{Waybill: fmt.Sprintf("7500%010d", i), Carrier: "zhongtong", RecipientName: "王芳",
			RecipientPhone: fmt.Sprintf("137%08d", i), Milestone: store.MilestoneOrdered, CreatedAt: time.Now()}
		if err := e.db.CreateShipment(ctx, &s); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		got, err := e.svc.Search(ctx, warehouse, "1234", time.Time{}, time.Time{}, 0)
		if err != nil || len(got) != 1 {
			b.Fatal(err, len(got))
		}
	}
}

// BenchmarkSearchReference searches 2,000 shipments by a scanned 配镜单号:
// the waybill lookup misses, then the store's reference index answers.
func BenchmarkSearchReference(b *testing.B) {
	e := newEnvTB(b)
	ctx := b.Context()
	for i := range 2000 {
		s := store.Shipment{Waybill: fmt.Sprintf("7500%010d", i), Carrier: "zhongtong", RecipientName: "王芳",
			RecipientPhone: fmt.Sprintf("137%08d", i), Reference: fmt.Sprintf("PJ20261126-%04d", i),
			OrderID: fmt.Sprintf("SD20261126-%06d", i), Milestone: store.MilestoneOrdered, CreatedAt: time.Now()}
		if err := e.db.CreateShipment(ctx, &s); err != nil {
			b.Fatal(err)
		}
	}
	i := 0
	for b.Loop() {
		got, err := e.svc.Search(ctx, warehouse, fmt.Sprintf("PJ20261126-%04d\r\n", i%2000), time.Time{}, time.Time{}, 0)
		if err != nil || len(got) != 1 || got[0].Waybill != fmt.Sprintf("7500%010d", i%2000) {
			b.Fatal(err, len(got))
		}
		i++
	}
}
