package shipping

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Pasted is what ParsePaste found in a pasted block of text. Fields it
// could not find are empty. Phone is normalised as normalizePhone does;
// Province, City and District are filled when recognisable from Address.
type Pasted struct {
	Name     string `json:"name"`
	Phone    string `json:"phone"`
	Address  string `json:"address"`
	Province string `json:"province,omitempty"`
	City     string `json:"city,omitempty"`
	District string `json:"district,omitempty"`
}

// pasteLabels maps the labels people put before fields to the field.
var pasteLabels = []struct {
	label, field string
}{
	{"收件人姓名", "name"}, {"收货人姓名", "name"}, {"收件人电话", "phone"}, {"收货人电话", "phone"},
	{"收件人手机", "phone"}, {"收货人手机", "phone"}, {"收件人地址", "address"}, {"收货人地址", "address"},
	{"手机号码", "phone"}, {"联系电话", "phone"}, {"电话号码", "phone"}, {"联系方式", "phone"},
	{"收货地址", "address"}, {"收件地址", "address"}, {"详细地址", "address"}, {"所在地区", "address"},
	{"所在地址", "address"}, {"邮寄地址", "address"}, {"配送地址", "address"},
	{"收件人", "name"}, {"收货人", "name"}, {"联系人", "name"}, {"手机号", "phone"},
	{"姓名", "name"}, {"名字", "name"}, {"手机", "phone"}, {"电话", "phone"}, {"地址", "address"},
	{"地区", "address"}, {"name", "name"}, {"mobile", "phone"}, {"phone", "phone"}, {"tel", "phone"},
	{"address", "address"}, {"addr", "address"},
}

var (
	labelRe = func() *regexp.Regexp {
		var alts []string
		for _, l := range pasteLabels {
			if l.label[0] < utf8.RuneSelf {
				alts = append(alts, `\b`+regexp.QuoteMeta(l.label)) // not "Hotel"
				continue
			}
			alts = append(alts, regexp.QuoteMeta(l.label))
		}
		return regexp.MustCompile(`(?i)(` + strings.Join(alts, "|") + `)\s*(?:[:：]\s*|\s+)`)
	}()
	extRe = `(?:\s*(?:转|分机|ext\.?|x|#|-)\s*\d{1,6})?`
	// mobileFindRe finds a mobile number with optional country code and
	// single spaces or dashes between digits, and an optional extension.
	mobileFindRe = regexp.MustCompile(`(?i)(?:(?:\+|00)?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}` + extRe)
	// landlineFindRe finds a landline with area code.
	landlineFindRe = regexp.MustCompile(`(?i)(?:\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3})[\s-]?\d{3,4}[\s-]?\d{4}` + extRe)
	postcodeRe     = regexp.MustCompile(`^\d{6}$`)
	maskedPhoneRe  = regexp.MustCompile(`1[3-9]\d\*{4}\d{4}`)
)

// ParsePaste splits a pasted block such as "张三 138 1234 5678
// 天津市和平区南京路219号" or "收件人：李四，电话：13912345678，地址：…" into
// name, phone and address, in any order, with or without labels, and
// recognises the province, city and district where it can. It never fails:
// what it cannot place is left in Address for the clerk to check.
func ParsePaste(text string) Pasted {
	var p Pasted
	t := narrow(strings.ToValidUTF8(text, ""))
	t = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\t", " ").Replace(t)

	// Labelled parts first.
	var rest []string
	locs := findLabels(t)
	var labelled []string // address parts, in order
	if len(locs) > 0 {
		rest = append(rest, t[:locs[0][0]])
	}
	for i, loc := range locs {
		end := len(t)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		field := labelField(t[loc[2]:loc[3]])
		val := strings.Trim(t[loc[1]:end], " ,，;；、|\n")
		switch field {
		case "name":
			name, more := splitFirstToken(val)
			if p.Name == "" {
				p.Name = cleanName(name)
			}
			rest = append(rest, more)
		case "phone":
			phone, more := findPhone(val)
			if p.Phone == "" && phone != "" {
				p.Phone = phone
			}
			rest = append(rest, more)
		case "address":
			labelled = append(labelled, tokenize(val)...)
		}
	}
	if len(locs) == 0 {
		rest = []string{t}
	}

	// Unlabelled text: take the phone out, then sort the pieces.
	restText := strings.Join(rest, "\n")
	if p.Phone == "" {
		phone, more := findPhone(restText)
		p.Phone = phone
		restText = more
	}
	tokens := tokenize(restText)
	var addrParts []string
	for _, tok := range tokens {
		switch {
		case postcodeRe.MatchString(tok), isNoise(tok):
			continue
		case p.Name == "" && looksLikeName(tok):
			p.Name = cleanName(tok)
		default:
			addrParts = append(addrParts, tok)
		}
	}
	addrParts = append(labelled, addrParts...)
	addr := joinAddress(addrParts)
	if p.Name == "" {
		addr, p.Name = splitNameFromAddress(addr)
	}
	p.Address = addr
	p.Province, p.City, p.District = Region(addr)
	return p
}

// findLabels returns the label matches in t. A label without a colon
// counts only at the start of the text or after a separator, so "地区" in
// "某某地区 南京路" stays part of the address.
func findLabels(t string) [][]int {
	var out [][]int
	for _, loc := range labelRe.FindAllStringSubmatchIndex(t, -1) {
		if !strings.ContainsAny(t[loc[3]:loc[1]], ":：") && loc[0] > 0 {
			if r, _ := utf8.DecodeLastRuneInString(t[:loc[0]]); !isSeparator(r) {
				continue
			}
		}
		out = append(out, loc)
	}
	return out
}

func labelField(label string) string {
	l := strings.ToLower(label)
	for _, x := range pasteLabels {
		if x.label == l {
			return x.field
		}
	}
	return ""
}

// splitFirstToken returns the first separator-delimited token of s and the
// rest.
func splitFirstToken(s string) (string, string) {
	s = strings.TrimSpace(s)
	i := strings.IndexFunc(s, isSeparator)
	if i < 0 {
		return s, ""
	}
	return s[:i], s[i:]
}

// findPhone returns the first mobile number in s (else the first landline
// with area code), normalised, and s with it replaced by a line break.
func findPhone(s string) (string, string) {
	for _, re := range []*regexp.Regexp{mobileFindRe, landlineFindRe} {
		for _, loc := range re.FindAllStringIndex(s, -1) {
			a, b := loc[0], loc[1]
			// Not part of a longer run of digits.
			if r, _ := utf8.DecodeLastRuneInString(s[:a]); a > 0 && isDigit(r) {
				continue
			}
			if r, _ := utf8.DecodeRuneInString(s[b:]); b < len(s) && isDigit(r) {
				continue
			}
			n := normalizePhone(s[a:b])
			if !validPhone(n) {
				// An extension grabbed too eagerly ("138…-12号"): retry
				// without it.
				continue
			}
			return n, s[:a] + "\n" + s[b:]
		}
	}
	if loc := maskedPhoneRe.FindStringIndex(s); loc != nil {
		// A masked number cannot be used; drop it so it does not end up
		// in the address.
		return "", s[:loc[0]] + "\n" + s[loc[1]:]
	}
	return "", s
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func isSeparator(r rune) bool {
	return unicode.IsSpace(r) || strings.ContainsRune(",，;；、|", r)
}

func tokenize(s string) []string {
	var out []string
	prevLatin := false
	for _, f := range strings.FieldsFunc(s, isSeparator) {
		f = strings.Trim(f, "。.:：()（）[]【】<>《》\"'“”")
		if f == "" {
			continue
		}
		// "Tom Lee": Latin words in a row stay one token.
		latin := isLatinWord(f)
		if latin && prevLatin {
			out[len(out)-1] += " " + f
			continue
		}
		prevLatin = latin
		out = append(out, f)
	}
	return out
}

func isLatinWord(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z') && !(r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return s != ""
}

// isNoise reports tokens that are neither name nor address: "收", titles
// standing alone, a lone "+86".
func isNoise(tok string) bool {
	switch tok {
	case "收", "收件", "寄", "先生", "女士", "小姐", "+86", "86", "中国", "中国大陆", "-":
		return true
	}
	return false
}

// surnames are common Chinese family names, for telling a name from the
// end of an address. Two-character names come first.
var surnames = []string{"欧阳", "司马", "诸葛", "上官", "东方", "慕容", "令狐", "皇甫", "尉迟", "公孙", "长孙", "宇文",
	"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗",
	"郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡",
	"余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金",
	"石", "廖", "贾", "夏", "韦", "付", "傅", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "闫", "段", "雷",
	"侯", "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵", "万", "钱", "严", "覃", "武", "戴", "莫", "孔", "向",
	"汤", "常", "温", "康", "施", "文", "牛", "樊", "葛", "邢", "安", "齐", "易", "乔", "伍", "庞", "颜", "倪", "庄", "聂",
	"章", "鲁", "岳", "翟", "殷", "詹", "申", "欧", "耿", "关", "兰", "焦", "俞", "左", "柳", "甘", "祝", "包", "宁", "尚",
	"符", "舒", "阮", "柯", "纪", "梅", "童", "凌", "毕", "单", "季", "裴", "霍", "涂", "成", "苗", "谷", "盛", "曲", "翁",
	"冉", "骆", "蓝", "路", "游", "辛", "靳", "管", "柴", "蒙", "鲍", "华", "喻", "祁", "蒲", "房", "滕", "屈", "饶", "解",
	"牟", "艾", "尤", "阳", "时", "穆", "农", "司", "卓", "古", "吉", "缪", "简", "车", "项", "连", "芦", "麦", "褚", "娄",
	"窦", "戚", "岑", "景", "党", "宫", "费", "卜", "冷", "晏", "席", "卫", "米", "柏", "宗", "瞿", "桂", "全", "佟", "应",
	"臧", "闵", "苟", "邬", "边", "卞", "姬", "师", "和", "仇", "栾", "隋", "商", "刁", "沙", "荣", "巫", "寇", "桑", "郎",
	"甄", "丛", "仲", "虞", "敖", "巩", "明", "佘", "池", "查", "麻", "苑", "迟", "邝", "官", "封", "谈", "匡", "鞠", "惠",
	"荆", "乐", "冀", "郁", "胥", "南", "班", "储", "原", "栗", "燕", "楚", "鄢", "劳", "谌", "奚", "皮", "粟", "冼", "蔺",
	"楼", "盘", "满", "闻", "位", "厉", "伊", "仝", "区", "郜", "海", "阚", "花", "权", "强", "帅", "屠", "豆", "朴", "盖",
	"练", "廉", "禹", "井", "祖", "漆", "巴", "丰", "支", "卿", "国", "狄", "平", "计", "索", "宣", "晋", "相", "初", "门",
	"云", "容", "敬", "来", "扈", "晁", "芮", "都", "普", "阙", "浦", "戈", "伏", "鹿", "薄", "邸", "雍", "辜", "羊", "阿",
	"乌", "母", "裘", "亓", "修", "邰", "赫", "杭", "况", "那", "宿", "鲜", "印", "逯", "隆", "茹", "诸", "战", "慕", "危",
	"玉", "银", "亢", "嵇", "公", "哈", "湛", "宾", "戎", "勾", "茅", "利", "於", "呼", "居", "揭", "干", "但", "尉", "冶",
	"斯", "元", "束", "檀", "衣", "信", "展", "阴", "昝", "智", "幸", "奉", "植", "衡", "富", "尧", "闭", "由"}

func hasSurname(s string) bool {
	for _, x := range surnames {
		if strings.HasPrefix(s, x) {
			return true
		}
	}
	return false
}

// nameMarkers are characters that make a short token an address part
// rather than a name.
const nameBreakers = "省市区县镇乡路街道巷弄号楼栋室幢村组单元层座"

// looksLikeName reports whether tok can be a person's name: 2-5 Chinese
// characters (a "·" allowed) that are not a place, or a Latin name of
// letters and spaces.
func looksLikeName(tok string) bool {
	n := utf8.RuneCountInString(tok)
	if n < 1 || n > 20 {
		return false
	}
	han, latin := 0, 0
	for _, r := range tok {
		switch {
		case unicode.Is(unicode.Han, r):
			han++
		case r == '·' || r == '•':
		case (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || r == '.' || r == ' ':
			latin++
		default:
			return false
		}
	}
	if han > 0 {
		if latin > 0 || han < 2 || n > 6 {
			return false
		}
		if isPlace(tok) {
			return false
		}
		if strings.ContainsAny(tok, nameBreakers) && !strings.HasSuffix(tok, "先生") && !strings.HasSuffix(tok, "女士") {
			// "路" and "区" can be family names; allow them only first.
			r, size := utf8.DecodeRuneInString(tok)
			if !strings.ContainsRune(nameBreakers, r) || strings.ContainsAny(tok[size:], nameBreakers) {
				return false
			}
		}
		return true
	}
	return latin >= 2
}

// cleanName trims labels' leftovers from a name.
func cleanName(s string) string {
	s = strings.TrimSpace(s)
	s = strings.Trim(s, ",，;；:：。")
	return strings.TrimSpace(s)
}

// joinAddress joins address pieces, dropping a repeated neighbour (Taobao's
// "天津市 天津市 和平区") and keeping a space only between Latin words.
func joinAddress(parts []string) string {
	var b strings.Builder
	prev := ""
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" || p == prev {
			continue
		}
		if b.Len() > 0 {
			last, _ := utf8.DecodeLastRuneInString(b.String())
			first, _ := utf8.DecodeRuneInString(p)
			if last < utf8.RuneSelf && first < utf8.RuneSelf && (unicode.IsLetter(last) || unicode.IsLetter(first)) {
				b.WriteByte(' ')
			}
		}
		b.WriteString(p)
		prev = p
	}
	return b.String()
}

// addressEnds are the characters after which a glued-on name may start.
const addressEnds = "号室楼层栋座门户弄院"

// splitNameFromAddress finds a name glued to the start or end of an
// address: "张三天津市…" or "…219号张三".
func splitNameFromAddress(addr string) (string, string) {
	// Name first, then a province or municipality.
	for _, pr := range provinces {
		for _, form := range []string{pr.full, pr.short} {
			i := strings.Index(addr, form)
			if i <= 0 {
				continue
			}
			name := addr[:i]
			if n := utf8.RuneCountInString(name); n >= 2 && n <= 4 && hasSurname(name) && looksLikeName(name) {
				return addr[i:], name
			}
		}
	}
	// Address, then a name after the house number.
	i := strings.LastIndexAny(addr, addressEnds)
	if i < 0 {
		return addr, ""
	}
	_, size := utf8.DecodeRuneInString(addr[i:])
	tail := addr[i+size:]
	if n := utf8.RuneCountInString(tail); n >= 2 && n <= 4 && hasSurname(tail) && looksLikeName(tail) {
		return addr[:i+size], tail
	}
	return addr, ""
}
