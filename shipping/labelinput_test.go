package shipping

import (
	"testing"

	"shipdesk/printer/label"
	"shipdesk/store"
)

func TestLabelDataPrefersShipment(t *testing.T) {
	t.Parallel()
	o := store.Order{Waybill: "", Carrier: "zhongtong", Recipient: store.Party{Name: "王芳", Phone: "13700001111", City: "天津市"}, Items: "眼镜", COD: 12.5}
	sh := &store.Shipment{Waybill: "ZT123", Carrier: "zhongtong", Routing: store.Routing{BigPen: "300-01", QRContent: "q"}, Reference: "PJ1"}
	d := LabelData(o, sh, label.SampleTime, store.LabelSettings{MaskPhones: true})
	if d.Waybill != "ZT123" || d.Routing.BigPen != "300-01" || d.Routing.QRContent != "q" || d.Reference != "PJ1" || d.CarrierName != "中通快递" || d.COD != 12.5 || d.Recipient.City != "天津市" {
		t.Fatalf("%+v", d)
	}
	if d.Privacy != (label.Privacy{MaskPhones: true, MaskNames: true, MaskAddresses: true}) {
		t.Fatalf("privacy %+v: names and addresses are masked unless the settings say full", d.Privacy)
	}
	d = LabelData(store.Order{Waybill: "YT1", Carrier: "nosuch"}, nil, label.SampleTime, store.LabelSettings{FullNames: true, FullAddresses: true})
	if d.Waybill != "YT1" || d.CarrierName != "nosuch" || d.Privacy != (label.Privacy{}) {
		t.Fatalf("%+v", d)
	}
}

func TestPrintSettingsFromProfile(t *testing.T) {
	t.Parallel()
	p := store.PrinterProfile{Name: "x", URI: "tcp://p", Language: "zpl", Speed: 3, Darkness: 12, Media: "bline", Mode: "cut", Direction: 1, OffsetXmm: -1.5, OffsetYmm: 2}
	want := label.PrintSettings{Speed: 3, Darkness: 12, Media: "bline", Mode: "cut", Direction: 1, OffsetXmm: -1.5, OffsetYmm: 2}
	if got := PrintSettings(p); got != want {
		t.Fatalf("PrintSettings = %+v, want %+v", got, want)
	}
}
