package kuaidi100_test

import (
	"testing"

	"shipdesk/kuaidi100"
)

func TestCarrierTable(t *testing.T) {
	all := kuaidi100.Carriers()
	if len(all) < 1400 {
		t.Fatalf("%d carriers", len(all))
	}
	seen := map[string]bool{}
	for _, c := range all {
		if c.Code == "" || c.Name == "" || seen[c.Code] {
			t.Errorf("bad or duplicate row %+v", c)
		}
		seen[c.Code] = true
	}
	for code, name := range map[string]string{"zhongtong": "中通快递", "shunfeng": "顺丰速运", "yuantong": "圆通速递", "jtexpress": "极兔速递", "ems": "EMS"} {
		if got := kuaidi100.CarrierName(code); got != name {
			t.Errorf("CarrierName(%s) = %s, want %s", code, got, name)
		}
	}
	if _, ok := kuaidi100.LookupCarrier("bridgeexpress"); !ok {
		t.Error("trailing space of bridgeexpress not trimmed")
	}
	if kuaidi100.CarrierName("nosuchcarrier") != "nosuchcarrier" {
		t.Error("unknown code should name itself")
	}
}

func TestGuessSamples(t *testing.T) {
	// Sample numbers from the official SDKs and docs (reference §9).
	cases := map[string]string{
		"SF1342567604302": "shunfeng", "sf3297600239259": "shunfeng",
		"YT9383342193097": "yuantong", "YT6186594166532": "yuantong",
		"78109356970791": "zhongtong", "75466794698816": "zhongtong",
		"773039762404825": "shentong", "773027491214552": "shentong",
		"462598779470531": "yunda", "4311159956248": "yunda", "3950055201640": "yunda",
		"1136281381675": "ems", "JDVA11408814483": "jd", "JD0076810060555": "jd",
		"JT0006968326954": "jtexpress", "DPK364112047425": "debangkuaidi",
		"1Z999AA10123456784": "ups", "EM123456789CN": "ems",
	}
	for num, want := range cases {
		c := kuaidi100.Guess(num)
		if len(c) == 0 || c[0].Code != want {
			t.Errorf("Guess(%s) = %+v, want %s first", num, c, want)
			continue
		}
		for i, x := range c {
			if x.Confidence <= 0 || x.Confidence >= 1 || x.Source != "offline" || x.Name == "" {
				t.Errorf("Guess(%s)[%d] = %+v", num, i, x)
			}
			if i > 0 && x.Confidence > c[i-1].Confidence {
				t.Errorf("Guess(%s) not ranked", num)
			}
		}
	}
	for _, num := range []string{"", "12", "hello world", "!!!!!!!!", "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJ"} {
		if c := kuaidi100.Guess(num); len(c) != 0 {
			t.Errorf("Guess(%q) = %+v, want none", num, c)
		}
	}
	// An ambiguous all-digit number never gets a confident answer.
	if c := kuaidi100.Guess("123456789012"); len(c) < 2 || c[0].Confidence > 0.5 {
		t.Errorf("ambiguous 12 digits: %+v", c)
	}
}

func BenchmarkGuess(b *testing.B) {
	for b.Loop() {
		kuaidi100.Guess("4311159956248")
	}
}

func BenchmarkDecodeQuery(b *testing.B) {
	body := []byte(querySuccess)
	for b.Loop() {
		if _, err := kuaidi100.DecodeQueryResponse(body); err != nil {
			b.Fatal(err)
		}
	}
}
