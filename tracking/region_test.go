package tracking

import "testing"

func TestCityOf(t *testing.T) {
	for addr, want := range map[string]string{
		"天津市河西区友谊路32号":        "天津市河西区",
		"上海市杨浦区复康路4号":         "上海市杨浦区",
		"广东深圳市南山区金蝶软件园":       "广东深圳市南山区",
		"河北省廊坊市三河市燕郊开发区迎宾路1号": "河北省廊坊市三河市",
		"内蒙古自治区呼和浩特市新城区":      "内蒙古自治区呼和浩特市新城区",
		"友谊路32号": "",
		"":       "",
	} {
		if got := CityOf(addr); got != want {
			t.Errorf("CityOf(%q) = %q, want %q", addr, got, want)
		}
	}
}

func FuzzCityOf(f *testing.F) {
	f.Add("天津市河西区友谊路32号")
	f.Fuzz(func(t *testing.T, addr string) {
		if got := CityOf(addr); len(got) > len(addr) {
			t.Fatalf("CityOf(%q) = %q, longer than the address", addr, got)
		}
	})
}
