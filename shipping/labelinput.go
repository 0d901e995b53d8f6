package shipping

import (
	"time"

	"shipdesk/printer/label"
	"shipdesk/store"
)

// The service edge of the label encoders: packages label, tspl and zpl
// take their own input types and know nothing of the store; these
// functions convert the stored records for them.

// LabelData collects the label data of an order and, when known, its
// shipment (waybill, carrier, routing and the pay type sent with the
// waybill from the shipment win). now is the
// print time shown on the label; st chooses what a 隐私面单 hides.
func LabelData(o store.Order, s *store.Shipment, now time.Time, st store.LabelSettings) label.Data {
	d := label.Data{
		Waybill: o.Waybill, Carrier: o.Carrier, Product: o.Product,
		Recipient: labelParty(o.Recipient), Sender: labelParty(o.Sender), Items: o.Items, Remark: o.Remark,
		Count: o.Count, Weight: o.Weight, InsuredValue: o.InsuredValue, COD: o.COD,
		PayType: o.PayType, PrintedAt: now, Reference: o.Reference,
		Privacy: LabelPrivacy(st),
	}
	if s != nil {
		if s.Waybill != "" {
			d.Waybill = s.Waybill
		}
		if s.Carrier != "" {
			d.Carrier = s.Carrier
		}
		if s.PayType != "" {
			d.PayType = s.PayType
		}
		r := s.Routing
		d.Routing = label.Routing{BigPen: r.BigPen, SortCode: r.SortCode, DestCode: r.DestCode, PkgCode: r.PkgCode, PkgName: r.PkgName, QRContent: r.QRContent}
		if d.Reference == "" {
			d.Reference = s.Reference
		}
		if d.Recipient.Name == "" {
			d.Recipient = label.Party{Name: s.RecipientName, Phone: s.RecipientPhone, Address: s.RecipientAddr}
		}
	}
	d.CarrierName = label.CarrierName(d.Carrier)
	return d
}

// LabelPrivacy is what the label settings hide on a 隐私面单.
func LabelPrivacy(st store.LabelSettings) label.Privacy {
	return label.Privacy{MaskPhones: st.MaskPhones, MaskNames: !st.FullNames, MaskAddresses: !st.FullAddresses}
}

func labelParty(p store.Party) label.Party {
	return label.Party{Name: p.Name, Phone: p.Phone, Address: p.Address, Province: p.Province, City: p.City, District: p.District, Company: p.Company}
}

// PrintSettings are the mechanics of printer profile p as the encoders
// take them.
func PrintSettings(p store.PrinterProfile) label.PrintSettings {
	return label.PrintSettings{Speed: p.Speed, Darkness: p.Darkness, Media: p.Media, Mode: p.Mode, Direction: p.Direction, OffsetXmm: p.OffsetXmm, OffsetYmm: p.OffsetYmm}
}
