package label

import "time"

// Sample returns a full e-waybill's data printed at now: Chinese recipient
// with rare name characters (堃 喆 镕 珺 昇) and a long address, sender,
// routing, items, remark and insured value. Tests, benchmarks, the printer
// test page and demo previews use it.
func Sample(now time.Time) Data {
	return Data{
		Waybill: "YT7512345678901", Carrier: "yuantong", CarrierName: "圆通速递", Product: "标准快递",
		Routing:   Routing{BigPen: "356-01-02 A03", PkgName: "天津转运中心", PkgCode: "022", DestCode: "TJ-HX"},
		Recipient: Party{Name: "王堃喆", Phone: "13700001111", Address: "天津市河西区友谊路32号镕珺小区3号楼2单元501室（昇华眼镜店旁）"},
		Sender:    Party{Name: "天津眼科医院视光中心", Phone: "022-23346655", Address: "天津市南开区复康路4号"},
		Items:     "眼镜 1副", Remark: "易碎，轻拿轻放", Count: 1, Weight: 0.5, InsuredValue: 2000,
		PayType: "MONTHLY", PrintedAt: now, Privacy: Privacy{MaskPhones: true}, Reference: "PJ20261126-001",
	}
}

// SampleTime is the fixed print time of golden files.
var SampleTime = time.Date(2026, 11, 26, 18, 30, 0, 0, time.FixedZone("CST", 8*3600))
