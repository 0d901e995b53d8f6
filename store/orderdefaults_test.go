package store

import "testing"

func TestOrderDefaults(t *testing.T) {
	s := DefaultSettings()
	s.DefaultCarrier = "yuantong"

	got := s.OrderDefaults(Order{Recipient: Party{Name: "王芳"}})
	if got.Sender != s.Senders[0] || got.Carrier != "yuantong" || got.Items != s.DefaultItems ||
		got.Count != 1 || got.Weight != s.DefaultWeightKg || got.PayType != s.DefaultPayType ||
		got.Product != s.DefaultProduct {
		t.Fatalf("empty fields not filled from the settings: %+v", got)
	}

	given := Order{
		Sender: Party{Name: "分院", Address: "天津市和平区"}, Carrier: "shunfeng", Items: "隐形眼镜",
		Count: 3, Weight: 1.2, PayType: "SHIPPER", Product: "特快",
	}
	if got := s.OrderDefaults(given); got.Sender != given.Sender || got.Carrier != given.Carrier ||
		got.Items != given.Items || got.Count != 3 || got.Weight != 1.2 || got.PayType != "SHIPPER" ||
		got.Product != "特快" {
		t.Fatalf("fields the order gave were overwritten: %+v", got)
	}

	s.Senders = nil
	if got := s.OrderDefaults(Order{}); got.Sender != (Party{}) {
		t.Fatalf("no sender preset must leave the sender empty, got %+v", got.Sender)
	}
}
