package label

import "strings"

// provinces are China's provincial-level divisions as addresses write
// them, full names first so 内蒙古自治区 wins over 内蒙古.
var provinces = []string{
	"北京市", "天津市", "上海市", "重庆市", "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省",
	"江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省",
	"广东省", "海南省", "四川省", "贵州省", "云南省", "陕西省", "甘肃省", "青海省", "台湾省",
	"内蒙古自治区", "广西壮族自治区", "西藏自治区", "宁夏回族自治区", "新疆维吾尔自治区",
	"香港特别行政区", "澳门特别行政区",
	"北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江",
	"安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州",
	"云南", "陕西", "甘肃", "青海", "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门",
}

// municipality reports whether a province-level name is a city itself.
func municipality(p string) bool {
	switch strings.TrimSuffix(p, "市") {
	case "北京", "天津", "上海", "重庆":
		return true
	}
	return false
}

// Region is an address split as a label needs it.
type Region struct {
	Province, City, District string
	Detail                   string // the rest: street, building, room
}

// SplitAddress reads the province, city and district from the start of
// p's address (or its fields, when given) and returns the rest as Detail.
// What cannot be found stays empty; Detail then holds the whole address.
func SplitAddress(p Party) Region {
	a := strings.TrimSpace(p.Address)
	r := Region{Province: p.Province, City: p.City, District: p.District}
	// Fields given separately may also start the address.
	for _, f := range []string{p.Province, p.City, p.District} {
		if f != "" {
			a = strings.TrimPrefix(a, f)
		}
	}
	if r.Province == "" {
		for _, pv := range provinces {
			if strings.HasPrefix(a, pv) {
				r.Province, a = pv, a[len(pv):]
				break
			}
		}
	}
	if r.City == "" {
		if municipality(r.Province) {
			r.City = r.Province
			a = strings.TrimPrefix(a, "市辖区")
		} else if c, rest, ok := cutUnit(a, 12, "自治州", "地区", "盟", "市", "州"); ok {
			r.City, a = c, rest
		}
	}
	if r.District == "" {
		if d, rest, ok := cutUnit(a, 12, "自治县", "自治旗", "新区", "区", "县", "旗", "市"); ok {
			r.District, a = d, rest
		}
	}
	r.Detail = a
	return r
}

// cutUnit finds the first of units ending a name within max runes of s
// (a name has at least two characters before its unit) and splits there.
func cutUnit(s string, max int, units ...string) (name, rest string, ok bool) {
	best := -1
	var bestUnit string
	for _, u := range units {
		i := strings.Index(s, u)
		if i <= 0 || len([]rune(s[:i])) < 1 || len([]rune(s[:i])) > max {
			continue
		}
		if best < 0 || i < best || i == best && len(u) > len(bestUnit) {
			best, bestUnit = i, u
		}
	}
	if best < 0 {
		return "", s, false
	}
	end := best + len(bestUnit)
	return s[:end], s[end:], true
}

// Destination is what the 大头笔 zone shows when the carrier returned no
// sorting code: the province and city ("新疆维吾尔自治区乌鲁木齐市",
// "天津市"), else the start of the address; never empty while there is an
// address.
func Destination(p Party) string {
	r := SplitAddress(p)
	switch {
	case r.City != "" && r.Province != "" && r.Province != r.City:
		return r.Province + r.City
	case r.City != "":
		return r.City
	case r.Province != "":
		return r.Province
	}
	a := []rune(strings.TrimSpace(p.Address))
	if len(a) > 8 {
		a = a[:8]
	}
	return string(a)
}

// MaskName hides a name for a privacy label: the first and last character
// stay and each one between becomes *, 王*芳, 欧**芳; a two-character name
// keeps its first, 王*. Latin names keep each word's first letter: J. M.
func MaskName(n string) string {
	n = strings.TrimSpace(n)
	r := []rune(n)
	switch {
	case len(r) == 0:
		return ""
	case strings.ContainsRune(n, ' ') && r[0] < 0x2E80:
		var parts []string
		for _, w := range strings.Fields(n) {
			parts = append(parts, string([]rune(w)[:1])+".")
		}
		return strings.Join(parts, " ")
	case len(r) == 1:
		return "*"
	case len(r) == 2:
		return string(r[:1]) + "*"
	}
	return string(r[:1]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1:])
}

// MaskAddress prints the address up to the district and hides the detail
// after it: 天津市河西区****. An address whose district cannot be found
// keeps its first six characters.
func MaskAddress(p Party) string {
	r := SplitAddress(p)
	head := r.Province
	if r.City != r.Province {
		head += r.City
	}
	head += r.District
	if r.District == "" {
		a := []rune(strings.TrimSpace(p.Address))
		head = string(a[:min(6, len(a))])
	}
	return head + "****"
}
