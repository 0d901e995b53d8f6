package sandbox

import (
	"strconv"
	"strings"

	"shipdesk/kuaidi100"
)

// The param of label/order as the service reads it: as tolerant as the
// real one. The official demos send numbers as strings ("count":"1",
// "weight":"0.5", "valinsPay":"", "collection":"0"; PHP and Go), as numbers
// (Java: "weight":0.0), booleans as booleans or strings, and null for
// fields they leave out (PHP: "orderId":null). Unknown fields are ignored.
type wireMan struct {
	Name      kuaidi100.Str `json:"name"`
	Mobile    kuaidi100.Str `json:"mobile"`
	Tel       kuaidi100.Str `json:"tel"`
	PrintAddr kuaidi100.Str `json:"printAddr"`
	Company   kuaidi100.Str `json:"company"`
	Province  kuaidi100.Str `json:"province"`
	City      kuaidi100.Str `json:"city"`
	District  kuaidi100.Str `json:"district"`
	Addr      kuaidi100.Str `json:"addr"`
}

type wireAccount struct {
	PartnerID     kuaidi100.Str `json:"partnerId"`
	PartnerKey    kuaidi100.Str `json:"partnerKey"`
	PartnerSecret kuaidi100.Str `json:"partnerSecret"`
	PartnerName   kuaidi100.Str `json:"partnerName"`
	Net           kuaidi100.Str `json:"net"`
	Code          kuaidi100.Str `json:"code"`
	CheckMan      kuaidi100.Str `json:"checkMan"`
	TBNet         kuaidi100.Str `json:"tbNet"`
}

func (w wireAccount) account() kuaidi100.Account {
	t := func(s kuaidi100.Str) string { return strings.TrimSpace(string(s)) }
	return kuaidi100.Account{PartnerID: t(w.PartnerID), PartnerKey: t(w.PartnerKey), PartnerSecret: t(w.PartnerSecret),
		PartnerName: t(w.PartnerName), Net: t(w.Net), Code: t(w.Code), CheckMan: t(w.CheckMan), TBNet: t(w.TBNet)}
}

type wireOrder struct {
	wireAccount
	PrintType       kuaidi100.Str  `json:"printType"`
	KuaidiCom       kuaidi100.Str  `json:"kuaidicom"`
	RecMan          wireMan        `json:"recMan"`
	SendMan         wireMan        `json:"sendMan"`
	Cargo           kuaidi100.Str  `json:"cargo"`
	Count           kuaidi100.Str  `json:"count"`
	Weight          kuaidi100.Str  `json:"weight"`
	Volume          kuaidi100.Str  `json:"volume"`
	PayType         kuaidi100.Str  `json:"payType"`
	ExpType         kuaidi100.Str  `json:"expType"`
	Remark          kuaidi100.Str  `json:"remark"`
	ValinsPay       kuaidi100.Str  `json:"valinsPay"`
	Collection      kuaidi100.Str  `json:"collection"`
	NeedChild       kuaidi100.Str  `json:"needChild"`
	NeedBack        kuaidi100.Str  `json:"needBack"`
	OrderID         kuaidi100.Str  `json:"orderId"`
	Reorder         *kuaidi100.Str `json:"reorder"`
	Siid            kuaidi100.Str  `json:"siid"`
	TempID          kuaidi100.Str  `json:"tempId"`
	Direction       kuaidi100.Str  `json:"direction"`
	NeedSubscribe   kuaidi100.Bool `json:"needSubscribe"`
	PollCallBackURL kuaidi100.Str  `json:"pollCallBackUrl"`
	Salt            kuaidi100.Str  `json:"salt"`
	ResultV2        kuaidi100.Str  `json:"resultv2"`
}

type wireCancel struct {
	wireAccount
	KuaidiCom kuaidi100.Str `json:"kuaidicom"`
	KuaidiNum kuaidi100.Str `json:"kuaidinum"`
	OrderID   kuaidi100.Str `json:"orderId"`
	Reason    kuaidi100.Str `json:"reason"`
	ExpType   kuaidi100.Str `json:"expType"`
}

// number parses a numeric field that may be "", a string or a number; ok is
// false for text that is not a number.
func number(s kuaidi100.Str) (float64, bool) {
	t := strings.TrimSpace(string(s))
	if t == "" {
		return 0, true
	}
	f, err := strconv.ParseFloat(t, 64)
	return f, err == nil && f >= 0
}

// reorderOff reports whether reorder is false (the idempotent form).
func (o *wireOrder) reorderOff() bool {
	if o.Reorder == nil {
		return false
	}
	switch strings.ToLower(strings.TrimSpace(string(*o.Reorder))) {
	case "false", "0":
		return true
	}
	return false
}

// checkAccount is what the carrier behind Kuaidi100 says of the account
// an order or a cancel carries: "" when it is the sandbox account for com,
// otherwise the message of a 30001 naming the field. Every required field
// must be present; in the sandbox each reads "sandbox" and fixed values
// (ZTO's code ztoOpen) read as fixed.
func checkAccount(com string, a kuaidi100.Account) string {
	spec, ok := kuaidi100.AccountSpecFor(com)
	if !ok {
		return "参数错误：不支持该快递公司的电子面单：" + com
	}
	for _, f := range spec.Fields {
		if a.Field(f.Name) == "" {
			return "参数错误：" + f.Name + "（" + spec.Short + f.Label + "）不能为空"
		}
	}
	for _, f := range spec.Fields {
		want := kuaidi100.SandboxAccountValue
		if f.Fixed != "" {
			want = f.Fixed
		}
		if a.Field(f.Name) != want {
			return spec.Short + "电子面单账号校验失败：" + f.Label + "（" + f.Name + "）不正确，请核对网点提供的账号信息"
		}
	}
	return ""
}

// usedFields are the account fields an order sent, to be sent again on
// cancel.
func usedFields(a kuaidi100.Account) map[string]string {
	m := map[string]string{}
	for _, name := range kuaidi100.AccountFields {
		if v := a.Field(name); v != "" {
			m[name] = v
		}
	}
	return m
}

// AccountsNote is the line the sandbox prints at start: which carrier
// accounts it accepts.
func AccountsNote() string {
	var fixed []string
	for _, s := range kuaidi100.AccountSpecs() {
		for _, f := range s.Fields {
			if f.Fixed != "" {
				fixed = append(fixed, s.Short+" "+f.Name+"="+f.Fixed)
			}
		}
	}
	return "沙箱电子面单账号：每家快递公司的必填账号字段都填 " + kuaidi100.SandboxAccountValue +
		"（固定值照填：" + strings.Join(fixed, "，") + "）；其他值按快递公司的规则拒绝"
}
