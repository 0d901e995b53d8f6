package shipping

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"shipdesk/kuaidi100"
	"shipdesk/printer/label"
	"shipdesk/store"
)

// FieldError is one problem with an order, for the form: Field names the
// input ("recipient.name", "recipient.phone", "recipient.address",
// "carrier", "sender.name", "sender.phone", "sender.address", "count",
// "weight", "insured", "items", "remark", "reference") and Message is a Chinese
// sentence saying what to fix.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// Order fields named in FieldError.Field.
const (
	FieldRecipientName    = "recipient.name"
	FieldRecipientPhone   = "recipient.phone"
	FieldRecipientAddress = "recipient.address"
	FieldSenderName       = "sender.name"
	FieldSenderPhone      = "sender.phone"
	FieldSenderAddress    = "sender.address"
	FieldCarrier          = "carrier"
	FieldCount            = "count"
	FieldWeight           = "weight"
	FieldItems            = "items"
	FieldRemark           = "remark"
	FieldReference        = "reference"
	FieldInsured          = "insured" // insured value and cash on delivery
)

var (
	mobileRe   = regexp.MustCompile(`^1[3-9]\d{9}(-\d{1,6})?$`)
	landlineRe = regexp.MustCompile(`^0\d{2,3}-\d{7,8}(-\d{1,6})?$`)
	// bareLandlineRe is a local number without area code; accepted for the
	// sender (the centre's own line) only.
	bareLandlineRe = regexp.MustCompile(`^[2-9]\d{6,7}(-\d{1,6})?$`)
)

// minAddressRunes is the shortest address accepted as deliverable.
const minAddressRunes = 8

// normalizePhone returns a phone number in the form the validators and the
// store use: mobiles as 11 digits ("13812345678"), landlines as
// "022-23346655", extensions after a dash ("022-23346655-801"). Spaces,
// dashes, dots, brackets, a +86/0086 prefix and full-width digits are
// tolerated; "转", "分机", "ext", "x" and "#" mark an extension, and so does a
// short last group after a complete number ("022-23346655-801"). Input it
// cannot make sense of is returned trimmed, for the validator to reject.
func normalizePhone(s string) string {
	orig := strings.TrimSpace(s)
	s = narrow(orig)
	if s == "" {
		return ""
	}
	main, ext := s, ""
	lower := strings.ToLower(s)
	for _, mark := range []string{"转", "分机", "ext.", "ext", "x", "#"} {
		if i := strings.Index(lower, mark); i > 0 {
			main, ext = s[:i], s[i+len(mark):]
			break
		}
	}
	var groups []string
	cur := ""
	for _, r := range main {
		switch {
		case r >= '0' && r <= '9':
			cur += string(r)
		case strings.ContainsRune(" -()（）+.—", r):
			if cur != "" {
				groups = append(groups, cur)
				cur = ""
			}
		default:
			return orig
		}
	}
	if cur != "" {
		groups = append(groups, cur)
	}
	extDigits := ""
	for _, r := range ext {
		switch {
		case r >= '0' && r <= '9':
			extDigits += string(r)
		case r == ' ' || r == '-' || r == ':' || r == '.':
		default:
			return orig
		}
	}
	if ext != "" && (extDigits == "" || len(extDigits) > 6) {
		return orig
	}
	// "022-23346655-801": area code, local number, then a short group is
	// an extension.
	if extDigits == "" && len(groups) >= 3 && groups[0][0] == '0' {
		mid := strings.Join(groups[1:len(groups)-1], "")
		if last := groups[len(groups)-1]; (len(mid) == 7 || len(mid) == 8) && len(last) <= 6 {
			if n, ok := phoneCore(groups[:len(groups)-1]); ok {
				return n + "-" + last
			}
		}
	}
	if n, ok := phoneCore(groups); ok {
		if extDigits != "" {
			return n + "-" + extDigits
		}
		return n
	}
	// A short last group after a complete number is an extension.
	if extDigits == "" && len(groups) >= 2 {
		last := groups[len(groups)-1]
		if len(last) <= 6 {
			if n, ok := phoneCore(groups[:len(groups)-1]); ok {
				return n + "-" + last
			}
		}
	}
	return orig
}

// phoneCore makes a mobile, a landline with area code or a bare local number
// from digit groups; ok is false when the digits are none of these.
func phoneCore(groups []string) (string, bool) {
	if len(groups) == 0 {
		return "", false
	}
	if groups[0] == "86" || groups[0] == "0086" {
		groups = groups[1:]
	} else if d := strings.Join(groups, ""); strings.HasPrefix(d, "0086") {
		groups = []string{d[4:]}
	} else if strings.HasPrefix(d, "86") && len(d) == 13 && d[2] == '1' {
		groups = []string{d[2:]}
	}
	d := strings.Join(groups, "")
	if len(d) == 11 && d[0] == '1' {
		return d, true
	}
	if d != "" && d[0] == '0' && len(d) >= 10 && len(d) <= 12 {
		area := 4
		if d[1] == '1' || d[1] == '2' {
			area = 3
		}
		if len(groups) > 1 && (len(groups[0]) == 3 || len(groups[0]) == 4) {
			area = len(groups[0])
		}
		local := d[area:]
		if (len(local) == 7 || len(local) == 8) && local[0] != '0' {
			return d[:area] + "-" + local, true
		}
		return "", false
	}
	if (len(d) == 7 || len(d) == 8) && d[0] != '0' && d[0] != '1' {
		return d, true
	}
	return "", false
}

// validMobile reports whether s is a mainland mobile number (1[3-9] and nine
// more digits) once normalised.
func validMobile(s string) bool {
	n := normalizePhone(s)
	return mobileRe.MatchString(n)
}

// validPhone reports whether s is a mainland mobile number or a landline
// with area code, optionally with an extension, once normalised.
func validPhone(s string) bool {
	n := normalizePhone(s)
	return mobileRe.MatchString(n) || landlineRe.MatchString(n)
}

// addressMarkers are characters a deliverable Chinese address contains at
// least one of: an administrative level or a street-level part.
const addressMarkers = "省市区县镇乡旗村路街道巷弄号楼栋室幢园里屯组"

// checkOrder checks an order before it is saved and shipped and returns every
// problem found, in form order; nil means the order can be shipped. known
// reports whether a carrier code is known; nil skips the carrier check.
func checkOrder(o store.Order, known func(code string) bool) []FieldError {
	var errs []FieldError
	add := func(f, m string) { errs = append(errs, FieldError{f, m}) }

	name := strings.TrimSpace(o.Recipient.Name)
	switch {
	case name == "":
		add(FieldRecipientName, "请填写收件人姓名。")
	case utf8.RuneCountInString(name) > 30:
		add(FieldRecipientName, "收件人姓名太长，请不超过30个字。")
	case hasControl(name):
		add(FieldRecipientName, "收件人姓名含有无法打印的字符，请重新输入。")
	}
	switch p := strings.TrimSpace(o.Recipient.Phone); {
	case p == "":
		add(FieldRecipientPhone, "请填写收件人电话。")
	case !validPhone(p):
		add(FieldRecipientPhone, "收件人电话格式不对：手机请填11位（1开头），座机请带区号，如022-23346655。")
	}
	addr := strings.TrimSpace(o.Recipient.Address)
	switch {
	case addr == "":
		add(FieldRecipientAddress, "请填写收件地址。")
	case utf8.RuneCountInString(addr) < minAddressRunes || !strings.ContainsAny(addr, addressMarkers):
		add(FieldRecipientAddress, "收件地址太简略，快递无法派送，请写明省市区、街道和门牌号。")
	case utf8.RuneCountInString(addr) > 200:
		add(FieldRecipientAddress, "收件地址太长，请不超过200个字。")
	case hasControl(addr):
		add(FieldRecipientAddress, "收件地址含有无法打印的字符，请重新输入。")
	}
	for _, f := range []struct{ field, what, v string }{
		{FieldRecipientName, "收件人姓名", o.Recipient.Name},
		{FieldRecipientAddress, "收件地址", o.Recipient.Address},
		{FieldSenderName, "寄件人", o.Sender.Name},
		{FieldSenderAddress, "寄件地址", o.Sender.Address},
		{FieldItems, "物品", o.Items},
		{FieldRemark, "备注", o.Remark},
		{FieldReference, "配镜单号", o.Reference},
	} {
		if r, ok := missingGlyph(f.v); ok {
			add(f.field, f.what+"里的“"+string(r)+"”字标签打印不出来，请换成常用字或拼音。")
		}
	}
	if strings.TrimSpace(o.Sender.Name) == "" {
		add(FieldSenderName, "请填写寄件人（在设置里选择默认寄件人）。")
	}
	if p := strings.TrimSpace(o.Sender.Phone); p == "" {
		add(FieldSenderPhone, "请填写寄件人电话。")
	} else if n := normalizePhone(p); !validPhone(p) && !bareLandlineRe.MatchString(n) {
		add(FieldSenderPhone, "寄件人电话格式不对，请填手机或带区号的座机。")
	}
	if a := strings.TrimSpace(o.Sender.Address); a == "" {
		add(FieldSenderAddress, "请填写寄件地址。")
	}
	c := strings.TrimSpace(o.Carrier)
	switch {
	case c == "":
		add(FieldCarrier, "请选择快递公司。")
	case known != nil && !known(c):
		add(FieldCarrier, "不认识这个快递公司代码（"+c+"），请从列表中选择。")
	}
	if o.Count < 0 || o.Count > 99 {
		add(FieldCount, "件数应在1到99之间。")
	}
	// NaN passes every comparison; ParseFloat accepts "NaN" and "Inf".
	if !(o.Weight >= 0 && o.Weight <= 100) {
		add(FieldWeight, "重量应在0到100公斤之间。")
	}
	if !(o.InsuredValue >= 0 && o.InsuredValue <= 1e7) || !(o.COD >= 0 && o.COD <= 1e7) {
		add(FieldInsured, "保价金额和代收货款应是0或正数（元）。")
	}
	return errs
}

// missingGlyph returns the first character of s the label font cannot draw.
func missingGlyph(s string) (rune, bool) {
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			continue
		}
		if !label.HasGlyph(r) {
			return r, true
		}
	}
	return 0, false
}

func hasControl(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) && r != '\t' {
			return true
		}
	}
	return false
}

// narrow turns full-width ASCII (digits, letters, ＋－（）＃) and the
// ideographic space into their ASCII forms; everything else is kept.
func narrow(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\u3000':
			return ' '
		case r >= 0xFF01 && r <= 0xFF5E:
			n := r - 0xFEE0
			if (n >= '0' && n <= '9') || (n >= 'a' && n <= 'z') || (n >= 'A' && n <= 'Z') || strings.ContainsRune("+-()#:.", n) {
				return n
			}
		}
		return r
	}, s)
}

// knownCarrier reports whether code is in the carrier table.
func knownCarrier(code string) bool {
	_, ok := kuaidi100.LookupCarrier(code)
	return ok
}

// Validate checks an order as the form has it; nil means it can be shipped.
func (s *Service) Validate(o store.Order) []FieldError {
	return checkOrder(normalizeOrder(o), knownCarrier)
}

// normalizeOrder tidies what a person typed: spaces, phone format, carrier
// code case, a count of at least one.
func normalizeOrder(o store.Order) store.Order {
	trimParty := func(p *store.Party) {
		p.Name = strings.TrimSpace(p.Name)
		p.Phone = normalizePhone(p.Phone)
		p.Address = strings.TrimSpace(p.Address)
	}
	trimParty(&o.Recipient)
	trimParty(&o.Sender)
	if o.Recipient.Province == "" && o.Recipient.City == "" {
		o.Recipient.Province, o.Recipient.City, o.Recipient.District = Region(o.Recipient.Address)
	}
	o.Carrier = strings.ToLower(strings.TrimSpace(o.Carrier))
	o.Reference = strings.TrimSpace(o.Reference)
	if o.Count <= 0 {
		o.Count = 1
	}
	return o
}
