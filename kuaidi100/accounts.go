package kuaidi100

import (
	"slices"
	"strings"

	"shipdesk/internal/mask"
)

// An e-waybill is issued on behalf of the centre's own account with the
// carrier (a branch contract), sent in the order's param. Which fields a
// carrier needs, and what the carrier calls each of them, is Kuaidi100's
// parameter dictionary (reference/carrier-accounts.md).

// The account fields as named on the wire.
const (
	FieldPartnerID     = "partnerId"
	FieldPartnerKey    = "partnerKey"
	FieldPartnerSecret = "partnerSecret"
	FieldPartnerName   = "partnerName"
	FieldNet           = "net"
	FieldCode          = "code"
	FieldCheckMan      = "checkMan"
	FieldTBNet         = "tbNet"
)

// AccountFields lists the wire names of every account field, in the order
// the order page documents them.
var AccountFields = []string{FieldPartnerID, FieldPartnerKey, FieldPartnerSecret, FieldPartnerName, FieldNet, FieldCode, FieldCheckMan, FieldTBNet}

// Label templates an account may print with.
const (
	// TemplateOwn prints Shipdesk's own label from the routing data of the
	// order answer (printType NON).
	TemplateOwn = "own"
	// TemplateCarrier prints the carrier's own template rendered by
	// Kuaidi100 (printType IMAGE), as a bitmap.
	TemplateCarrier = "carrier"
)

// Account is the centre's e-waybill account with one carrier. Fields the
// carrier does not use stay empty and are never sent.
type Account struct {
	Carrier       string `json:"carrier"` // Kuaidi100 company code
	PartnerID     string `json:"partnerId,omitempty"`
	PartnerKey    string `json:"partnerKey,omitempty"`
	PartnerSecret string `json:"partnerSecret,omitempty"`
	PartnerName   string `json:"partnerName,omitempty"`
	Net           string `json:"net,omitempty"`
	Code          string `json:"code,omitempty"`
	CheckMan      string `json:"checkMan,omitempty"`
	TBNet         string `json:"tbNet,omitempty"`
	// Product is the default expType (a name from the carrier's list).
	Product string `json:"product,omitempty"`
	// PayType is the default payType (SHIPPER, CONSIGNEE, MONTHLY,
	// THIRDPARTY); MONTHLY only on a 月结 account.
	PayType string `json:"payType,omitempty"`
	// Template is TemplateOwn (default) or TemplateCarrier.
	Template string `json:"template,omitempty"`
}

// Field returns the value of the account field with wire name name.
func (a Account) Field(name string) string {
	if p := a.field(name); p != nil {
		return *p
	}
	return ""
}

// SetField sets the account field with wire name name; an unknown name is
// ignored.
func (a *Account) SetField(name, v string) {
	if p := a.field(name); p != nil {
		*p = strings.TrimSpace(v)
	}
}

func (a *Account) field(name string) *string {
	switch name {
	case FieldPartnerID:
		return &a.PartnerID
	case FieldPartnerKey:
		return &a.PartnerKey
	case FieldPartnerSecret:
		return &a.PartnerSecret
	case FieldPartnerName:
		return &a.PartnerName
	case FieldNet:
		return &a.Net
	case FieldCode:
		return &a.Code
	case FieldCheckMan:
		return &a.CheckMan
	case FieldTBNet:
		return &a.TBNet
	}
	return nil
}

// Masked returns a copy with every credential masked ("ab****yz"); fixed
// values, the carrier, product, pay type and template stay readable.
func (a Account) Masked() Account {
	spec, _ := AccountSpecFor(a.Carrier)
	m := a
	for _, name := range AccountFields {
		if f, ok := spec.Field(name); ok && f.Fixed != "" {
			continue
		}
		m.SetField(name, mask.Secret(a.Field(name)))
	}
	return m
}

// AccountField is one field a carrier's account needs.
type AccountField struct {
	Name  string `json:"name"`            // wire name, e.g. "partnerId"
	Label string `json:"label"`           // what the carrier calls it, e.g. "合作方代码"
	Fixed string `json:"fixed,omitempty"` // a value every account of the carrier has (ZTO's code = ztoOpen)
}

// AccountSpec is what one carrier's e-waybill account consists of.
type AccountSpec struct {
	Carrier string         `json:"carrier"` // company code
	Name    string         `json:"name"`    // e.g. 中通快递
	Short   string         `json:"short"`   // e.g. 中通, as a clerk says it
	Fields  []AccountField `json:"fields"`
	// Products are the carrier's expType values; the first is the default.
	Products []string `json:"products"`
	// Monthly is set for carriers whose account is a 月结 account: only
	// they may use payType MONTHLY.
	Monthly bool `json:"monthly"`
}

// Field returns the spec of the field with wire name name.
func (s AccountSpec) Field(name string) (AccountField, bool) {
	for _, f := range s.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return AccountField{}, false
}

// PayTypes lists the pay types the carrier's account allows.
func (s AccountSpec) PayTypes() []string {
	if s.Monthly {
		return []string{PayMonthly, PayShipper, PayConsignee, PayThirdParty}
	}
	return []string{PayShipper, PayConsignee, PayThirdParty}
}

// DefaultPayType is MONTHLY on a 月结 account and SHIPPER otherwise.
func (s AccountSpec) DefaultPayType() string {
	if s.Monthly {
		return PayMonthly
	}
	return PayShipper
}

// Missing returns the required fields a leaves empty (fixed values count
// as present: Normalize fills them).
func (s AccountSpec) Missing(a Account) []AccountField {
	var out []AccountField
	for _, f := range s.Fields {
		if f.Fixed == "" && strings.TrimSpace(a.Field(f.Name)) == "" {
			out = append(out, f)
		}
	}
	return out
}

// Normalize returns a with the carrier code set, the fixed values filled,
// every field the carrier does not use cleared, and the product, pay type
// and template defaulted. TBNet is kept: it selects the branch of a
// platform-authorised account on any carrier.
func (s AccountSpec) Normalize(a Account) Account {
	out := Account{Carrier: s.Carrier, TBNet: strings.TrimSpace(a.TBNet), Product: strings.TrimSpace(a.Product), PayType: strings.ToUpper(strings.TrimSpace(a.PayType)), Template: a.Template}
	for _, f := range s.Fields {
		v := a.Field(f.Name)
		if f.Fixed != "" {
			v = f.Fixed
		}
		out.SetField(f.Name, v)
	}
	if out.Product == "" && len(s.Products) > 0 {
		out.Product = s.Products[0]
	}
	if out.PayType == "" {
		out.PayType = s.DefaultPayType()
	}
	if out.Template != TemplateCarrier {
		out.Template = TemplateOwn
	}
	return out
}

// Problem returns "" when a is a complete account for this carrier, or a
// Chinese sentence naming what is missing or not allowed.
func (s AccountSpec) Problem(a Account) string {
	if m := s.Missing(a); len(m) > 0 {
		names := make([]string, len(m))
		for i, f := range m {
			names[i] = f.Label + "（" + f.Name + "）"
		}
		return s.Short + "的电子面单账号缺少：" + strings.Join(names, "、")
	}
	if a.PayType != "" && !slices.Contains(s.PayTypes(), strings.ToUpper(a.PayType)) {
		if strings.EqualFold(a.PayType, PayMonthly) {
			return s.Short + "的账号不是月结账号，不能选月结（MONTHLY）；请选寄付、到付或第三方付"
		}
		return "付款方式 " + a.PayType + " 无效：可选 " + strings.Join(s.PayTypes(), "、")
	}
	if a.Product != "" && len(s.Products) > 0 && !slices.Contains(s.Products, a.Product) {
		return s.Short + "没有产品类型 " + a.Product + "：可选 " + strings.Join(s.Products, "、")
	}
	return ""
}

// AccountSpecFor returns the account spec of carrier com.
func AccountSpecFor(com string) (AccountSpec, bool) {
	com = strings.ToLower(strings.TrimSpace(com))
	for _, s := range accountSpecs {
		if s.Carrier == com {
			return s, true
		}
	}
	return AccountSpec{}, false
}

// AccountSpecs returns every carrier Kuaidi100 issues e-waybills for, in
// the dictionary's order (most used first). The slice is a copy.
func AccountSpecs() []AccountSpec { return slices.Clone(accountSpecs) }

// CarrierShort is the short name a clerk uses for com (中通 for zhongtong);
// for a carrier without an account spec it is the table's name.
func CarrierShort(com string) string {
	if s, ok := AccountSpecFor(com); ok {
		return s.Short
	}
	return CarrierName(com)
}

func pid(label string) AccountField  { return AccountField{Name: FieldPartnerID, Label: label} }
func pkey(label string) AccountField { return AccountField{Name: FieldPartnerKey, Label: label} }
func other(name, label string) AccountField {
	return AccountField{Name: name, Label: label}
}
func fixed(name, label, v string) AccountField {
	return AccountField{Name: name, Label: label, Fixed: v}
}

var standard = []string{"标准快递"}

// accountSpecs is reference/carrier-accounts.md (Kuaidi100's 参数字典).
var accountSpecs = []AccountSpec{
	{Carrier: "zhongtong", Name: "中通快递", Short: "中通", Fields: []AccountField{pid("合作方代码"), pkey("合作方密钥"), other(FieldNet, "网点编码"), fixed(FieldCode, "接口类型", "ztoOpen")},
		Products: []string{"标准快递", "尊享", "两小时", "标快"}},
	{Carrier: "yuantong", Name: "圆通速递", Short: "圆通", Fields: []AccountField{pid("商家代码"), pkey("商家密钥")}, Products: []string{"标准快递", "圆准达"}},
	{Carrier: "yunda", Name: "韵达快递", Short: "韵达", Fields: []AccountField{pid("韵达白马账号"), pkey("联调密码")}, Products: standard},
	{Carrier: "shentong", Name: "申通快递", Short: "申通", Fields: []AccountField{pid("客户名称"), pkey("客户密码"), other(FieldNet, "网点"), fixed(FieldCode, "接口编号", "44")}, Products: standard},
	{Carrier: "jtexpress", Name: "极兔速递", Short: "极兔", Fields: []AccountField{pid("客户编码"), pkey("客户密码")}, Products: standard},
	{Carrier: "shunfeng", Name: "顺丰速运", Short: "顺丰", Fields: []AccountField{pid("月结账号")}, Monthly: true,
		Products: []string{"顺丰标快", "顺丰特快", "电商特惠", "电商标快", "顺丰即日", "电商速配", "丰网速运", "医药常温", "医药专递", "物流普运", "冷运到家", "生鲜速配", "重货快运", "电商专配", "顺丰干配", "顺丰空配", "重货包裹", "小票零担", "顺丰微小件", "特惠专配", "陆运包裹", "极速包裹", "冷运标快", "商务标快", "顺丰卡航"}},
	{Carrier: "shunfengkuaiyun", Name: "顺丰快运", Short: "顺丰快运", Fields: []AccountField{pid("月结账号")}, Monthly: true, Products: standard},
	{Carrier: "jd", Name: "京东快递", Short: "京东", Fields: []AccountField{pid("商家编码")},
		Products: []string{"标准快递", "京东到付", "特快送", "城际闪送", "同城当日达", "次晨达", "生鲜专送", "生鲜特快", "生鲜特惠", "函速达", "特惠小包", "特惠小件", "医药冷链", "冷链专送"}},
	{Carrier: "jingdongkuaiyun", Name: "京东快运", Short: "京东快运", Fields: []AccountField{pid("客户账户号码"), other(FieldCode, "事业部编码")}, Products: standard},
	{Carrier: "ems", Name: "EMS", Short: "EMS", Fields: []AccountField{pid("协议客户号"), pkey("电商客户标识")}, Products: []string{"标准快递", "代收到付"}},
	{Carrier: "youzhengguonei", Name: "邮政快递包裹", Short: "邮政", Fields: []AccountField{pid("协议客户号"), pkey("电商客户标识")}, Products: []string{"快递包裹"}},
	{Carrier: "debangkuaidi", Name: "德邦快递", Short: "德邦", Fields: []AccountField{pid("客户编码")},
		Products: []string{"标准快递", "360特惠件", "特快专递", "特准快件", "德邦快递", "大件快递360", "重包入户", "重包特惠", "同城件", "微小件特惠", "经济大件", "航空大件次日达", "航空大件隔日达"}},
	{Carrier: "debangwuliu", Name: "德邦物流", Short: "德邦物流", Fields: []AccountField{pid("客户编码")}, Products: standard},
	{Carrier: "huitongkuaidi", Name: "百世快递", Short: "百世", Fields: []AccountField{pid("操作编码"), pkey("密钥")}, Products: standard},
	{Carrier: "baishiwuliu", Name: "百世快运", Short: "百世快运", Fields: []AccountField{pid("账户信息"), pkey("账户密码")}, Products: standard},
	{Carrier: "annengwuliu", Name: "安能快运", Short: "安能", Fields: []AccountField{pid("安能客户编码"), pkey("密钥")}, Products: standard},
	{Carrier: "kuayue", Name: "跨越速运", Short: "跨越", Fields: []AccountField{pid("客户编码")},
		Products: []string{"标准快递", "陆运件", "同城次日", "同城即日", "省内次日", "省内即日", "隔日达", "次日达", "次晨达", "当天达", "航空件", "空运", "专运"}},
	{Carrier: "fengwang", Name: "丰网速运", Short: "丰网", Fields: []AccountField{pid("账户名称"), pkey("账户密码")}, Products: standard},
	{Carrier: "youshuwuliu", Name: "优速快递", Short: "优速", Fields: []AccountField{pid("发件客户编号"), pkey("客户校验码")}, Products: standard},
	{Carrier: "zhaijisong", Name: "宅急送", Short: "宅急送", Fields: []AccountField{pid("月结账号")}, Monthly: true, Products: standard},
	{Carrier: "zhongtongkuaiyun", Name: "中通快运", Short: "中通快运", Fields: []AccountField{pid("合作方代码")}, Products: standard},
	{Carrier: "yundakuaiyun", Name: "韵达快运", Short: "韵达快运", Fields: []AccountField{pid("合作商ID"), pkey("密码")}, Products: []string{"标准快递", "标准快运", "电商件", "168大件"}},
	{Carrier: "yundadiantongda", Name: "韵达点通达", Short: "韵达点通达", Fields: []AccountField{other(FieldNet, "网点编码"), other(FieldCheckMan, "快递员编码")}, Products: standard},
	{Carrier: "ytchengnuoda", Name: "圆通承诺达", Short: "圆通承诺达", Fields: []AccountField{pid("客户编码"), pkey("客户密钥")}, Products: standard},
	{Carrier: "yuantongguoji", Name: "圆通国际", Short: "圆通国际", Fields: []AccountField{pid("商家代码"), pkey("商家密钥")}, Products: standard},
	{Carrier: "xinfengwuliu", Name: "信丰物流", Short: "信丰", Fields: []AccountField{pid("客户平台ID"), pkey("客户平台验证码"), other(FieldNet, "仓库ID")}, Products: standard},
	{Carrier: "dsukuaidi", Name: "D速快递", Short: "D速", Fields: []AccountField{pid("商家ID"), pkey("商家密码"), other(FieldNet, "网点编码")}, Products: standard},
	{Carrier: "zhongyouex", Name: "众邮快递", Short: "众邮", Fields: []AccountField{pid("客户编码"), other(FieldNet, "网点编号")}, Products: standard},
	{Carrier: "suteng", Name: "速腾快递", Short: "速腾", Fields: []AccountField{pid("客户编码"), other(FieldNet, "网点名称"), other(FieldCheckMan, "快递员姓名")}, Products: standard},
	{Carrier: "jiayunmeiwuliu", Name: "加运美速递", Short: "加运美", Fields: []AccountField{pid("客户编号"), other(FieldPartnerName, "客户名称"), other(FieldNet, "寄件网点编号"), other(FieldCheckMan, "取件员编号")}, Products: standard},
	{Carrier: "huisenky", Name: "汇森速运", Short: "汇森", Fields: []AccountField{pid("商家编号"), pkey("订购申请编号"), other(FieldPartnerName, "月结客户编码"), other(FieldCheckMan, "业务员编码")}, Monthly: true, Products: standard},
	{Carrier: "lianhaowuliu", Name: "联昊通速递", Short: "联昊通", Fields: []AccountField{pid("客户编号"), other(FieldCheckMan, "业务员编码")}, Products: standard},
	{Carrier: "jiayiwuliu", Name: "佳怡物流", Short: "佳怡", Fields: []AccountField{pid("商家ID"), pkey("商家密码"), other(FieldNet, "网点编号")}, Products: standard},
	{Carrier: "sxjdfreight", Name: "顺心捷达", Short: "顺心捷达", Fields: []AccountField{pid("商户ID"), pkey("服务订购号"), other(FieldNet, "网点编号")}, Products: standard},
	{Carrier: "yimidida", Name: "壹米滴答", Short: "壹米滴答", Fields: []AccountField{pid("商家编号"), pkey("订购申请编号")}, Products: standard},
	{Carrier: "tiandihuayu", Name: "天地华宇", Short: "天地华宇", Fields: []AccountField{pid("客户编号"), other(FieldPartnerName, "出发部门"), other(FieldCode, "出发部门编号")}, Products: standard},
	{Carrier: "weitepai", Name: "微特派", Short: "微特派", Fields: []AccountField{pid("客户编码"), pkey("验证码")}, Products: []string{"标准快递", "次日达", "今夜达", "当日达"}},
	{Carrier: "idamalu", Name: "大马鹿", Short: "大马鹿", Fields: []AccountField{pid("客户编码"), pkey("客户密码")}, Products: standard},
	{Carrier: "cccc58", Name: "中集冷云", Short: "中集冷云", Fields: []AccountField{pid("月结账号"), pkey("秘钥")}, Monthly: true, Products: standard},
	{Carrier: "ewe", Name: "EWE全球快递", Short: "EWE", Fields: []AccountField{pid("代理店验证用户名"), pkey("验证密码")}, Products: standard},
	{Carrier: "pjbest", Name: "品骏快递", Short: "品骏", Fields: []AccountField{pid("月结账号"), pkey("客户编码")}, Monthly: true, Products: standard},
	{Carrier: "jinguangsudikuaijian", Name: "京广速递", Short: "京广", Fields: []AccountField{pid("客户编码")}, Products: standard},
	{Carrier: "cfss", Name: "银雁专送", Short: "银雁", Fields: []AccountField{pid("项目编码")}, Products: standard},
	{Carrier: "nezhasuyun", Name: "哪吒速运", Short: "哪吒", Fields: []AccountField{pid("客户编码")}, Products: standard},
	{Carrier: "sunjex", Name: "新杰物流", Short: "新杰", Fields: []AccountField{pid("客户编码")}, Products: standard},
}

// SandboxAccountValue is the value the sandbox accepts in every required
// account field that has no fixed value.
const SandboxAccountValue = "sandbox"

// SandboxAccount returns the account the sandbox accepts for com: every
// required field reads "sandbox", fixed values stay. ok is false for a
// carrier without an account spec.
func SandboxAccount(com string) (Account, bool) {
	spec, ok := AccountSpecFor(com)
	if !ok {
		return Account{}, false
	}
	var a Account
	for _, f := range spec.Fields {
		a.SetField(f.Name, SandboxAccountValue)
	}
	return spec.Normalize(a), true
}
