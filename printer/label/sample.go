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

// HeavySample returns the heaviest realistic order a clinic prints: a
// child parcel (2/3) of a JD shipment whose number is too long for a
// horizontal barcode on 76x130, no routing from the carrier (the 大头笔
// zone falls back to 新疆维吾尔自治区乌鲁木齐市), a rare name character,
// quotes, circled numbers, an optician's items line with ± and ×, a
// 20-character remark with —— … and ℃, COD and insured value. Tests,
// benchmarks and the byte budget use it.
func HeavySample(now time.Time) Data {
	return Data{
		Waybill: "JDVA12345678901-1-3-", ParentWaybill: "JDVA12345678901", ChildIndex: 2, ChildTotal: 3,
		Carrier: "jd", CarrierName: "京东快递", Product: "特快送",
		Recipient: Party{Name: "刘䶮", Phone: "+86 137-0000-1111",
			Address: "新疆维吾尔自治区乌鲁木齐市天山区“阳光小区”①号楼3单元1502室（光明路与解放南路交叉口东北角）"},
		Sender: Party{Name: "天津眼科医院视光中心 Jürgen Müller", Phone: "022-23346655", Address: "天津市南开区复康路4号"},
		Items:  "镜片 1.56折射率 ±2.00 ×2、钛合金镜架 ×1、眼镜盒和清洁布 ×1",
		Remark: "易碎——轻放…冷藏2-8℃请勿挤压谢谢", Count: 3, Weight: 1.25, InsuredValue: 3000, COD: 1280.5,
		PayType: "CONSIGNEE", PrintedAt: now, Reference: "PJ20261126-0042",
		Privacy: Privacy{MaskPhones: true, MaskNames: true},
	}
}

// TypicalSample is an everyday order: the README's example (a short
// address in Tianjin, one pair of glasses, routing from the carrier).
func TypicalSample(now time.Time) Data {
	return Data{
		Waybill: "75312345678901", Carrier: "zhongtong", CarrierName: "中通快递", Product: "标准快递",
		Routing:   Routing{BigPen: "300-W01 02", PkgName: "天津转运中心"},
		Recipient: Party{Name: "王芳", Phone: "13700001111", Address: "天津市河西区友谊路32号"},
		Sender:    Party{Name: "天津眼科医院视光中心", Phone: "022-23346655", Address: "天津市南开区复康路4号"},
		Items:     "眼镜 1副", Remark: "易碎", Count: 1, Weight: 0.5, PayType: "MONTHLY", PrintedAt: now,
		Reference: "PJ20261126-001", Privacy: Privacy{MaskPhones: true, MaskNames: true},
	}
}
