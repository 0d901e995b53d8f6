package shipping

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

type province struct {
	full, short  string
	municipality bool
}

// provinces are the provincial-level divisions, full and short names.
var provinces = []province{
	{"北京市", "北京", true}, {"天津市", "天津", true}, {"上海市", "上海", true}, {"重庆市", "重庆", true},
	{"河北省", "河北", false}, {"山西省", "山西", false}, {"辽宁省", "辽宁", false}, {"吉林省", "吉林", false},
	{"黑龙江省", "黑龙江", false}, {"江苏省", "江苏", false}, {"浙江省", "浙江", false}, {"安徽省", "安徽", false},
	{"福建省", "福建", false}, {"江西省", "江西", false}, {"山东省", "山东", false}, {"河南省", "河南", false},
	{"湖北省", "湖北", false}, {"湖南省", "湖南", false}, {"广东省", "广东", false}, {"海南省", "海南", false},
	{"四川省", "四川", false}, {"贵州省", "贵州", false}, {"云南省", "云南", false}, {"陕西省", "陕西", false},
	{"甘肃省", "甘肃", false}, {"青海省", "青海", false}, {"台湾省", "台湾", false},
	{"内蒙古自治区", "内蒙古", false}, {"广西壮族自治区", "广西", false}, {"西藏自治区", "西藏", false},
	{"宁夏回族自治区", "宁夏", false}, {"新疆维吾尔自治区", "新疆", false},
	{"香港特别行政区", "香港", false}, {"澳门特别行政区", "澳门", false},
}

// majorCities maps well-known prefecture-level cities (short names) to
// their province, for addresses that start with the city.
var majorCities = map[string]string{
	"石家庄": "河北省", "唐山": "河北省", "保定": "河北省", "廊坊": "河北省", "秦皇岛": "河北省", "邯郸": "河北省", "沧州": "河北省",
	"太原": "山西省", "大同": "山西省", "沈阳": "辽宁省", "大连": "辽宁省", "鞍山": "辽宁省", "长春": "吉林省",
	"哈尔滨": "黑龙江省", "大庆": "黑龙江省", "南京": "江苏省", "苏州": "江苏省", "无锡": "江苏省", "常州": "江苏省",
	"南通": "江苏省", "徐州": "江苏省", "扬州": "江苏省", "杭州": "浙江省", "宁波": "浙江省", "温州": "浙江省",
	"绍兴": "浙江省", "嘉兴": "浙江省", "金华": "浙江省", "合肥": "安徽省", "芜湖": "安徽省", "福州": "福建省",
	"厦门": "福建省", "泉州": "福建省", "南昌": "江西省", "赣州": "江西省", "济南": "山东省", "青岛": "山东省",
	"烟台": "山东省", "潍坊": "山东省", "淄博": "山东省", "临沂": "山东省", "威海": "山东省", "郑州": "河南省",
	"洛阳": "河南省", "开封": "河南省", "武汉": "湖北省", "宜昌": "湖北省", "襄阳": "湖北省", "长沙": "湖南省",
	"株洲": "湖南省", "岳阳": "湖南省", "广州": "广东省", "深圳": "广东省", "东莞": "广东省", "佛山": "广东省",
	"珠海": "广东省", "中山": "广东省", "惠州": "广东省", "汕头": "广东省", "海口": "海南省", "三亚": "海南省",
	"成都": "四川省", "绵阳": "四川省", "贵阳": "贵州省", "遵义": "贵州省", "昆明": "云南省", "西安": "陕西省",
	"咸阳": "陕西省", "兰州": "甘肃省", "西宁": "青海省", "呼和浩特": "内蒙古自治区", "包头": "内蒙古自治区",
	"南宁": "广西壮族自治区", "桂林": "广西壮族自治区", "柳州": "广西壮族自治区", "拉萨": "西藏自治区",
	"银川": "宁夏回族自治区", "乌鲁木齐": "新疆维吾尔自治区",
}

var (
	cityRe     = regexp.MustCompile(`^(\p{Han}{2,7}?(?:自治州|地区|盟|市))`)
	districtRe = regexp.MustCompile(`^(\p{Han}{1,7}?(?:自治县|新区|区|县|旗|市))`)
)

// streetParts are characters never found in a city or district name.
const streetParts = "路街道巷弄号村镇乡楼栋"

// isPlace reports whether s is a province, municipality or major city name.
func isPlace(s string) bool {
	for _, p := range provinces {
		if s == p.full || s == p.short {
			return true
		}
	}
	_, ok := majorCities[strings.TrimSuffix(s, "市")]
	return ok
}

// Region recognises the province, city and district an address starts
// with ("天津市和平区南京路219号" gives 天津市, 天津市, 和平区). Municipalities
// have the same province and city. Parts it cannot recognise are empty.
func Region(addr string) (prov, city, district string) {
	rest := strings.TrimSpace(addr)
	for _, p := range provinces {
		form := ""
		switch {
		case strings.HasPrefix(rest, p.full):
			form = p.full
		case strings.HasPrefix(rest, p.short):
			form = p.short
		default:
			continue
		}
		prov = p.full
		rest = strings.TrimSpace(rest[len(form):])
		if p.municipality {
			city = p.full
			// "天津市天津市和平区" and "北京市市辖区" repeat the city.
			rest = strings.TrimPrefix(rest, p.full)
			rest = strings.TrimPrefix(rest, "市辖区")
			rest = strings.TrimSpace(rest)
			district = matchPart(districtRe, rest)
			return prov, city, district
		}
		break
	}
	// The city: a known short name, or a name ending in 市/州/地区/盟.
	for short, pv := range majorCities {
		if strings.HasPrefix(rest, short) && (prov == "" || prov == pv) {
			city = short + "市"
			rest = strings.TrimPrefix(rest[len(short):], "市")
			if prov == "" {
				prov = pv
			}
			break
		}
	}
	if city == "" && prov != "" {
		if c := matchPart(cityRe, rest); c != "" {
			city = c
			rest = rest[len(c):]
		}
	}
	if city != "" {
		district = matchPart(districtRe, strings.TrimSpace(rest))
	}
	return prov, city, district
}

func matchPart(re *regexp.Regexp, s string) string {
	m := re.FindString(s)
	// The first character may be one of streetParts: 路北区, 镇江市.
	_, size := utf8.DecodeRuneInString(m)
	if m == "" || strings.ContainsAny(m[size:], streetParts) {
		return ""
	}
	return m
}
