package store

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// fillAll sets every field reachable from v to a non-zero value, so a
// field the codec forgets shows up as a difference.
func fillAll(v reflect.Value, seed *int) {
	*seed++
	switch v.Kind() {
	case reflect.String:
		v.SetString("v" + string(rune('a'+*seed%26)) + "值")
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(*seed))
	case reflect.Uint8:
		v.SetUint(uint64(*seed % NumMilestones))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fillAll(s.Index(i), seed)
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		m.SetMapIndex(reflect.ValueOf("delivered"), reflect.ValueOf("2026-11-26T02:00:00.5Z"))
		m.SetMapIndex(reflect.ValueOf("picked_up"), reflect.ValueOf("not a time"))
		m.SetMapIndex(reflect.ValueOf("in_transit"), reflect.ValueOf("2026-11-26T10:00:00+08:00")) // not UTC: kept as text
		v.Set(m)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 11, 26, 10, *seed, 3, *seed*1000, shanghai)))
			return
		}
		for i := range v.NumField() {
			fillAll(v.Field(i), seed)
		}
	default:
		panic("fillAll: unhandled kind " + v.Kind().String() + "; teach the shipment codec about it")
	}
}

func TestShipmentCodecCoversEveryField(t *testing.T) {
	var s Shipment
	seed := 0
	fillAll(reflect.ValueOf(&s).Elem(), &seed)
	got, err := decodeShipment(encodeShipmentBin(&s), shanghai)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(s)
	b, _ := json.Marshal(got)
	if string(a) != string(b) {
		t.Errorf("round trip lost data:\n in  %s\n out %s", a, b)
	}
	// The zero shipment round-trips too.
	z, err := decodeShipment(encodeShipmentBin(&Shipment{}), shanghai)
	if err != nil || !reflect.DeepEqual(z, Shipment{}) {
		t.Errorf("zero round trip = %+v, %v", z, err)
	}
	// Older forms still read.
	for _, v := range [][]byte{a, compress(a)} {
		old, err := decodeShipment(v, shanghai)
		if err != nil || old.Waybill != s.Waybill || !old.CreatedAt.Equal(s.CreatedAt) {
			t.Errorf("legacy form: %+v, %v", old, err)
		}
	}
}

func FuzzDecodeShipment(f *testing.F) {
	s := testShipment("7300000001")
	s.MilestoneAt = map[string]string{"ordered": "2026-11-26T02:00:00Z"}
	f.Add(encodeShipmentBin(s))
	f.Add([]byte(`{"waybill":"x"}`))
	f.Fuzz(func(t *testing.T, v []byte) {
		got, err := decodeShipment(v, time.UTC)
		if err != nil || len(v) == 0 || v[0] != fmtShipBin1 {
			return
		}
		// Whatever decodes must encode back to something that decodes the same.
		again, err := decodeShipment(encodeShipmentBin(&got), time.UTC)
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		a, _ := json.Marshal(got)
		b, _ := json.Marshal(again)
		if string(a) != string(b) {
			t.Fatalf("unstable: %s vs %s", a, b)
		}
	})
}
