package shipping

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"shipdesk/assets/i18n"
	"shipdesk/kuaidi100"
	"shipdesk/store"
)

// FieldError is one problem with an order, for the form: Field names the
// input ("recipient.name", "recipient.phone", "recipient.address",
// "carrier", "sender.name", "sender.phone", "sender.address", "count",
// "weight", "insured", "items", "remark", "reference") and Message is the
// sentence saying what to fix, in the app's language (package i18n).
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
// problem found, in form order; nil means the order can be shipped.
// Characters the label font cannot draw are no problem here: the label
// prints a box for each and the results name them (GlyphWarnings). known
// reports whether a carrier code is known; nil skips the carrier check.
func checkOrder(o store.Order, known func(code string) bool) []FieldError {
	var errs []FieldError
	add := func(f, key string, args ...any) { errs = append(errs, FieldError{f, i18n.F(key, args...)}) }

	name := strings.TrimSpace(o.Recipient.Name)
	switch {
	case name == "":
		add(FieldRecipientName, i18n.N("Please enter the recipient's name."))
	case utf8.RuneCountInString(name) > 30:
		add(FieldRecipientName, i18n.N("The recipient's name is too long: at most 30 characters."))
	case hasControl(name):
		add(FieldRecipientName, i18n.N("The recipient's name holds characters that cannot be printed: please type it again."))
	}
	switch p := strings.TrimSpace(o.Recipient.Phone); {
	case p == "":
		add(FieldRecipientPhone, i18n.N("Please enter the recipient's phone number."))
	case !validPhone(p):
		add(FieldRecipientPhone, i18n.N("The recipient's phone number is not right: a mobile has 11 digits starting with 1, a landline needs its area code, e.g. 022-23346655."))
	}
	addr := strings.TrimSpace(o.Recipient.Address)
	switch {
	case addr == "":
		add(FieldRecipientAddress, i18n.N("Please enter the delivery address."))
	case utf8.RuneCountInString(addr) < minAddressRunes || !strings.ContainsAny(addr, addressMarkers):
		add(FieldRecipientAddress, i18n.N("The delivery address is too short for a courier to deliver: give the province, city, district, street and number."))
	case utf8.RuneCountInString(addr) > 200:
		add(FieldRecipientAddress, i18n.N("The delivery address is too long: at most 200 characters."))
	case hasControl(addr):
		add(FieldRecipientAddress, i18n.N("The delivery address holds characters that cannot be printed: please type it again."))
	}
	if strings.TrimSpace(o.Sender.Name) == "" {
		add(FieldSenderName, i18n.N("Please enter the sender (choose the default sender in Settings)."))
	}
	if p := strings.TrimSpace(o.Sender.Phone); p == "" {
		add(FieldSenderPhone, i18n.N("Please enter the sender's phone number."))
	} else if n := normalizePhone(p); !validPhone(p) && !bareLandlineRe.MatchString(n) {
		add(FieldSenderPhone, i18n.N("The sender's phone number is not right: give a mobile or a landline with its area code."))
	}
	if a := strings.TrimSpace(o.Sender.Address); a == "" {
		add(FieldSenderAddress, i18n.N("Please enter the sender's address."))
	}
	c := strings.TrimSpace(o.Carrier)
	switch {
	case c == "":
		add(FieldCarrier, i18n.N("Please choose a carrier."))
	case known != nil && !known(c):
		add(FieldCarrier, i18n.N("Unknown carrier code (%s): please choose one from the list."), c)
	}
	if o.Count < 0 || o.Count > 99 {
		add(FieldCount, i18n.N("The number of pieces must be between 1 and 99."))
	}
	// NaN passes every comparison; ParseFloat accepts "NaN" and "Inf".
	if !(o.Weight >= 0 && o.Weight <= 100) {
		add(FieldWeight, i18n.N("The weight must be between 0 and 100 kg."))
	}
	if !(o.InsuredValue >= 0 && o.InsuredValue <= 1e7) || !(o.COD >= 0 && o.COD <= 1e7) {
		add(FieldInsured, i18n.N("The insured value and cash on delivery must be 0 or a positive amount (yuan)."))
	}
	return errs
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
