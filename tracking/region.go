package tracking

import "strings"

// CityOf returns the province-city-district head of a Chinese address
// ("天津市河西区友谊路32号" -> "天津市河西区"), the form Kuaidi100's from and
// to take; "" when the address starts with no such unit. Query and
// subscribe send it so the service judges 签收 better.
func CityOf(addr string) string {
	r := []rune(strings.Join(strings.Fields(addr), ""))
	end, units, seg := 0, 0, 0
	for i, c := range r {
		seg++
		if seg > 6 {
			break
		}
		switch c {
		case '省', '市', '区', '县', '州', '盟', '旗':
			end, seg = i+1, 0
			if units++; units == 3 {
				return string(r[:end])
			}
		}
	}
	return string(r[:end])
}
