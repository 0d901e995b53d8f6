package label

import (
	"time"

	"shipdesk/store"
)

// sampleData is the full label used by tests and benchmarks: Chinese
// recipient with rare name characters, sender, routing, COD and insurance.
func sampleData() Data {
	return Data{
		Waybill: "YT7512345678901", Carrier: "yuantong", CarrierName: "圆通速递", Product: "标准快递",
		Routing:   store.Routing{BigPen: "356-01-02 A03", PkgName: "天津转运中心", PkgCode: "022", DestCode: "TJ-HX"},
		Recipient: store.Party{Name: "王堃喆", Phone: "13700001111", Address: "天津市河西区友谊路32号镕珺小区3号楼2单元501室（昇华眼镜店旁）"},
		Sender:    store.Party{Name: "天津眼科医院视光中心", Phone: "022-23346655", Address: "天津市南开区复康路4号"},
		Items:     "眼镜 1副", Remark: "易碎，轻拿轻放", Count: 1, Weight: 0.5, InsuredValue: 2000, COD: 0,
		PrintedAt:  time.Date(2026, 11, 26, 18, 30, 0, 0, time.FixedZone("CST", 8*3600)),
		MaskPhones: true, Reference: "PJ20261126-001",
	}
}
