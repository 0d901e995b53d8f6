package kuaidi100

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
)

// Print types of the V2 order.
const (
	PrintNone  = "NON"   // order only: we render the label ourselves
	PrintImage = "IMAGE" // Kuaidi100 also renders the carrier's label, returned as a short link
	PrintHTML  = "HTML"  // a short link to an HTML label
	// PrintCloud prints on a Kuaidi100 cloud printer; siid required.
	PrintCloud = "CLOUD"
	// PrintOrderFirst issues the number now and prints later (printOld);
	// siid required.
	PrintOrderFirst = "ORDERFIRST"
)

// Pay types of the V2 order.
const (
	PayShipper    = "SHIPPER"    // 寄付
	PayConsignee  = "CONSIGNEE"  // 到付
	PayMonthly    = "MONTHLY"    // 月结
	PayThirdParty = "THIRDPARTY" // 第三方付
)

// Party is a sender or recipient of an order.
type Party struct {
	Name     string
	Phone    string // mobile (sent as mobile) or landline (sent as tel)
	Address  string // the street address, or the whole address
	Province string // optional; with City and District they prefix Address
	City     string
	District string
	Company  string
}

// OrderRequest is one e-waybill order (label/order, method=order).
type OrderRequest struct {
	// OrderID is our stable order id, sent with reorder=false so a retry
	// within 48 h returns the first waybill instead of a second one.
	OrderID   string
	Com       string // carrier code
	Recipient Party
	Sender    Party
	Cargo     string  // e.g. 眼镜
	Count     int     // parcels; >1 with ChildCount asks for child numbers
	Weight    float64 // kg
	Volume    float64 // cm³, optional
	PayType   string  // SHIPPER, CONSIGNEE, MONTHLY, THIRDPARTY; empty: the account's
	ExpType   string  // product, e.g. 标准快递; empty: the account's
	Remark    string
	// InsuredValue is the declared value in yuan (valinsPay); 0 = none.
	InsuredValue float64
	// COD is the amount to collect on delivery (collection); 0 = none.
	COD float64
	// PrintType is NON (default), IMAGE, HTML, CLOUD or ORDERFIRST; CLOUD
	// and ORDERFIRST need Siid.
	PrintType string
	Siid      string // cloud printer device code
	TempID    string // V2 template id from the console, optional
	// ChildCount > 0 asks for child numbers (needChild) for a multi-parcel
	// shipment; Count is raised to ChildCount+1 when lower.
	ChildCount int
	// Account is the centre's e-waybill account with the carrier. Exactly
	// the fields the carrier needs are sent; an order whose account lacks
	// one is refused before any request (ErrNoAccount).
	Account Account
}

// Routing is the carrier's sorting data returned with a waybill: what the
// carrier's own label shows. Not every carrier fills every field.
type Routing struct {
	BulkPen          string      `json:"bulkpen,omitempty"` // 大头笔 / 三段码
	OrgCode          string      `json:"orgCode,omitempty"`
	OrgName          string      `json:"orgName,omitempty"`
	DestCode         string      `json:"destCode,omitempty"`
	DestName         string      `json:"destName,omitempty"`
	OrgSortingCode   string      `json:"orgSortingCode,omitempty"`
	OrgSortingName   string      `json:"orgSortingName,omitempty"`
	DestSortingCode  string      `json:"destSortingCode,omitempty"`
	DestSortingName  string      `json:"destSortingName,omitempty"`
	PkgCode          string      `json:"pkgCode,omitempty"` // 集包地
	PkgName          string      `json:"pkgName,omitempty"`
	Road             string      `json:"road,omitempty"`
	QRCode           string      `json:"qrCode,omitempty"`
	TwoDimensionCode string      `json:"twoDimensionCode,omitempty"`
	ProName          string      `json:"proName,omitempty"` // product name as the carrier prints it
	AbFlag           string      `json:"abFlag,omitempty"`
	DestRouteLabel   string      `json:"destRouteLabel,omitempty"`
	CodingMapping    string      `json:"codingMapping,omitempty"`
	ExpressCode      string      `json:"expressCode,omitempty"`
	ExpressName      string      `json:"expressName,omitempty"`
	ChildInfo        []ChildInfo `json:"childInfo,omitempty"`
}

// ChildInfo is the routing of one child parcel.
type ChildInfo struct {
	ChildNum string `json:"childNum,omitempty"`
	QRCode   string `json:"qrCode,omitempty"`
	Road     string `json:"road,omitempty"`
}

// OrderResult is an issued waybill.
type OrderResult struct {
	Waybill       string   `json:"waybill"`
	ChildWaybills []string `json:"childWaybills,omitempty"`
	ReturnWaybill string   `json:"returnWaybill,omitempty"`
	TaskID        string   `json:"taskId"`       // needed to reprint
	CarrierOrder  string   `json:"carrierOrder"` // kdComOrderNum: keep it, cancel needs it
	Routing       Routing  `json:"routing"`
	LabelURL      string   `json:"labelUrl,omitempty"` // IMAGE: short link, may not be ready at once
	// Account is the account the order was issued on (as sent), to cancel
	// with the same fields.
	Account Account `json:"-"`
}

// ManInfo is recMan / sendMan on the wire.
type ManInfo struct {
	Name      string `json:"name"`
	Mobile    string `json:"mobile,omitempty"`
	Tel       string `json:"tel,omitempty"`
	PrintAddr string `json:"printAddr"`
	Company   string `json:"company,omitempty"`
	Province  string `json:"province,omitempty"`
	City      string `json:"city,omitempty"`
	District  string `json:"district,omitempty"`
	Addr      string `json:"addr,omitempty"`
}

// OrderParam is the param JSON the client sends for method=order. The
// account fields carry only what the carrier needs.
type OrderParam struct {
	PrintType string `json:"printType"`
	KuaidiCom string `json:"kuaidicom"`
	AccountParams
	RecMan     ManInfo `json:"recMan"`
	SendMan    ManInfo `json:"sendMan"`
	Cargo      string  `json:"cargo"`
	Count      int     `json:"count"`
	Weight     float64 `json:"weight,omitempty"`
	Volume     float64 `json:"volume,omitempty"`
	PayType    string  `json:"payType"`
	ExpType    string  `json:"expType,omitempty"`
	Remark     string  `json:"remark,omitempty"`
	ValinsPay  float64 `json:"valinsPay,omitempty"`
	Collection float64 `json:"collection,omitempty"`
	NeedChild  string  `json:"needChild,omitempty"`
	OrderID    string  `json:"orderId,omitempty"`
	Reorder    *bool   `json:"reorder,omitempty"`
	Siid       string  `json:"siid,omitempty"`
	TempID     string  `json:"tempId,omitempty"`
}

// AccountParams are the carrier account fields of an order's and a
// cancel's param; only those the carrier needs are filled (setAccount).
type AccountParams struct {
	PartnerID     string `json:"partnerId,omitempty"`
	PartnerKey    string `json:"partnerKey,omitempty"`
	PartnerSecret string `json:"partnerSecret,omitempty"`
	PartnerName   string `json:"partnerName,omitempty"`
	Net           string `json:"net,omitempty"`
	Code          string `json:"code,omitempty"`
	CheckMan      string `json:"checkMan,omitempty"`
	TBNet         string `json:"tbNet,omitempty"`
}

func (p *AccountParams) set(name, v string) {
	switch name {
	case FieldPartnerID:
		p.PartnerID = v
	case FieldPartnerKey:
		p.PartnerKey = v
	case FieldPartnerSecret:
		p.PartnerSecret = v
	case FieldPartnerName:
		p.PartnerName = v
	case FieldNet:
		p.Net = v
	case FieldCode:
		p.Code = v
	case FieldCheckMan:
		p.CheckMan = v
	case FieldTBNet:
		p.TBNet = v
	}
}

// setAccount copies the fields spec lists (and tbNet, when set) from a.
func setAccount(spec AccountSpec, a Account, set func(name, v string)) {
	for _, f := range spec.Fields {
		set(f.Name, a.Field(f.Name))
	}
	if a.TBNet != "" {
		set(FieldTBNet, a.TBNet)
	}
}

// CancelParam is the param JSON of method=cancel: the order's account
// fields, and the carrier's order number as orderId when one was returned.
type CancelParam struct {
	KuaidiCom string `json:"kuaidicom"`
	KuaidiNum string `json:"kuaidinum"`
	OrderID   string `json:"orderId,omitempty"`
	Reason    string `json:"reason,omitempty"`
	AccountParams
	ExpType string `json:"expType,omitempty"`
}

// ReprintParam is the param JSON of method=printOld.
type ReprintParam struct {
	TaskID string `json:"taskId"`
	Siid   string `json:"siid,omitempty"`
}

func manInfo(p Party) ManInfo {
	m := ManInfo{Name: strings.TrimSpace(p.Name), Company: p.Company, Province: p.Province, City: p.City, District: p.District}
	ph := strings.TrimSpace(p.Phone)
	if d := digitsOnly(ph); len(d) == 11 && d[0] == '1' && !strings.HasPrefix(ph, "0") {
		m.Mobile = d
	} else {
		m.Tel = ph
	}
	addr := strings.TrimSpace(p.Address)
	if p.Province+p.City+p.District != "" && !strings.HasPrefix(addr, p.Province) {
		m.Addr = addr
		region := p.Province
		if p.City != p.Province {
			region += p.City
		}
		m.PrintAddr = region + p.District + addr
	} else {
		m.PrintAddr = addr
	}
	return m
}

// CheckAccount returns nil when a is a complete e-waybill account for
// carrier com, otherwise an *Error matching ErrNoAccount whose Message
// names the carrier and what is missing ("没有圆通的电子面单账号：请主管在
// 设置 → 快递账号 中填写"). Pass the zero Account when the centre has none.
func CheckAccount(com string, a Account) error {
	_, _, err := accountFor("account", strings.ToLower(strings.TrimSpace(com)), a)
	return err
}

// accountFor checks that a is a complete account for com: ErrNoAccount
// (naming the carrier and the missing fields) otherwise, before any
// request is made.
func accountFor(op, com string, a Account) (AccountSpec, Account, error) {
	spec, ok := AccountSpecFor(com)
	if !ok {
		return spec, a, &Error{Op: op, Code: "account", kind: ErrNoAccount,
			Message: "快递100不为" + CarrierName(com) + "（" + com + "）开电子面单：请换一家快递公司"}
	}
	if a.Carrier != "" && !strings.EqualFold(a.Carrier, com) {
		return spec, a, &Error{Op: op, Code: "account", kind: ErrNoAccount,
			Message: "电子面单账号属于" + CarrierShort(a.Carrier) + "，不能给" + spec.Short + "下单：请核对快递公司"}
	}
	missing := spec.Missing(a)
	if missingAll(spec, a) {
		return spec, a, &Error{Op: op, Code: "account", kind: ErrNoAccount,
			Message: "没有" + spec.Short + "的电子面单账号：请主管在 设置 → 快递账号 中填写"}
	}
	if len(missing) > 0 {
		return spec, a, &Error{Op: op, Code: "account", kind: ErrNoAccount,
			Message: spec.Problem(a) + "：请主管在 设置 → 快递账号 中填写"}
	}
	return spec, spec.Normalize(a), nil
}

// missingAll reports whether a has none of the fields spec needs filled
// (fixed values aside): there is no account at all.
func missingAll(spec AccountSpec, a Account) bool {
	for _, f := range spec.Fields {
		if f.Fixed == "" && a.Field(f.Name) != "" {
			return false
		}
	}
	return true
}

// Order issues an e-waybill (label/order, method=order). The request carries
// OrderID with reorder=false, so calling Order again with the same OrderID
// (after a timeout or a crash) returns the same waybill. An account missing
// a field its carrier needs is refused with ErrNoAccount before any request.
func (c *Client) Order(ctx context.Context, r OrderRequest) (*OrderResult, error) {
	const op = "order"
	com := strings.ToLower(strings.TrimSpace(r.Com))
	if r.OrderID == "" || com == "" {
		return nil, &Error{Op: op, Code: "input", Message: "下单需要订单号和快递公司", kind: ErrBadRequest}
	}
	spec, acct, err := accountFor(op, com, r.Account)
	if err != nil {
		return nil, err
	}
	p := OrderParam{
		PrintType: strings.ToUpper(strings.TrimSpace(r.PrintType)), KuaidiCom: com,
		RecMan: manInfo(r.Recipient), SendMan: manInfo(r.Sender),
		Cargo: r.Cargo, Count: max(r.Count, 1), Weight: r.Weight, Volume: r.Volume,
		PayType: strings.ToUpper(strings.TrimSpace(r.PayType)), ExpType: strings.TrimSpace(r.ExpType), Remark: r.Remark,
		ValinsPay: r.InsuredValue, Collection: r.COD,
		OrderID: r.OrderID, Reorder: new(bool), Siid: strings.TrimSpace(r.Siid), TempID: r.TempID,
	}
	setAccount(spec, acct, p.set)
	if p.PrintType == "" {
		p.PrintType = PrintNone
	}
	if (p.PrintType == PrintCloud || p.PrintType == PrintOrderFirst) && p.Siid == "" {
		return nil, &Error{Op: op, Code: "input", kind: ErrBadRequest, Message: "云打印需要打印机设备码（siid）：请在设置中填写云打印机"}
	}
	if p.PayType == "" {
		p.PayType = acct.PayType
	}
	if p.ExpType == "" {
		p.ExpType = acct.Product
	}
	if r.ChildCount > 0 {
		p.NeedChild = "1"
		p.Count = max(p.Count, r.ChildCount+1)
	}
	var data wireOrderData
	if err := c.label(ctx, op, "order", p, &data); err != nil {
		return nil, err
	}
	res := data.result()
	if res.Waybill == "" {
		return nil, malformed(op, "", nil)
	}
	res.Account = acct
	return res, nil
}

// CancelRequest cancels a waybill that has not been picked up.
type CancelRequest struct {
	Com     string
	Num     string
	OrderID string // the carrier order number (OrderResult.CarrierOrder), if one was returned
	Reason  string
	ExpType string // needed for JD and SF cold-chain
	// Account is the account the order was issued on: cancel sends the
	// same fields.
	Account Account
}

// Cancel cancels a waybill (method=cancel) with the same account fields the
// order used. Kuaidi100 documents no code for "already picked up": the
// caller knows that from the tracking it stored, and a refusal comes back
// as an *Error carrying the service's own words.
func (c *Client) Cancel(ctx context.Context, r CancelRequest) error {
	const op = "cancel"
	com := strings.ToLower(strings.TrimSpace(r.Com))
	if com == "" || r.Num == "" {
		return &Error{Op: op, Code: "input", Message: "取消需要快递公司和快递单号", kind: ErrBadRequest}
	}
	spec, acct, err := accountFor(op, com, r.Account)
	if err != nil {
		return err
	}
	p := CancelParam{KuaidiCom: com, KuaidiNum: NormalizeNumber(r.Num), OrderID: strings.TrimSpace(r.OrderID), Reason: r.Reason, ExpType: r.ExpType}
	setAccount(spec, acct, p.set)
	if p.ExpType == "" && com == "jd" {
		p.ExpType = acct.Product
	}
	err = c.label(ctx, op, "cancel", p, nil)
	var e *Error
	if asError(err, &e) && e.Code == "30001" {
		e.Message = "快递100没有取消这张面单"
		if e.ServiceMessage != "" {
			e.Message += "（" + e.ServiceMessage + "）"
		}
		e.Message += "：若快递员已揽收，请联系快递公司拦截或退回；否则请核对快递账号后重试"
	}
	return err
}

// Reprint asks for a reprint of a task (method=printOld): within 2 days of
// the order, at most 10 times, otherwise ErrTaskNotFound. The result holds
// the task id and whatever the service returned with it.
func (c *Client) Reprint(ctx context.Context, taskID string) (*OrderResult, error) {
	const op = "reprint"
	if taskID == "" {
		return nil, &Error{Op: op, Code: "input", Message: "补打需要打印任务号（taskId）", kind: ErrBadRequest}
	}
	var data wireOrderData
	if err := c.label(ctx, op, "printOld", ReprintParam{TaskID: taskID}, &data); err != nil {
		return nil, err
	}
	res := data.result()
	if res.TaskID == "" {
		res.TaskID = taskID
	}
	return res, nil
}

// label sends one label/order method and decodes the V2 envelope's data into
// out (which may be nil).
func (c *Client) label(ctx context.Context, op, method string, param any, out any) error {
	if err := c.need(op, "key", c.cfg.Key, "secret", c.cfg.Secret); err != nil {
		return err
	}
	p, err := json.Marshal(param)
	if err != nil {
		return err
	}
	t := strconv.FormatInt(c.now().UnixMilli(), 10)
	form := url.Values{
		"method": {method},
		"key":    {c.cfg.Key},
		"t":      {t},
		"sign":   {LabelSign(string(p), t, c.cfg.Key, c.cfg.Secret)},
		"param":  {string(p)},
	}
	body, err := c.post(ctx, op, c.endpoint(LabelURL, PathLabel), form)
	if err != nil {
		return err
	}
	return DecodeLabelResponse(op, body, out)
}

// LabelEnvelope is the V2 response envelope, exported for the sandbox.
type LabelEnvelope struct {
	Success bool   `json:"success"`
	Code    int    `json:"code"`
	Message string `json:"message"`
	Time    int64  `json:"time"`
	Data    any    `json:"data,omitempty"`
}

type wireEnvelope struct {
	Success Bool            `json:"success"`
	Code    Str             `json:"code"`
	Message Str             `json:"message"`
	Data    json.RawMessage `json:"data"`
}

// OrderData is the data of a successful order, exported for the sandbox.
type OrderData struct {
	TaskID        string `json:"taskId"`
	KuaidiNum     string `json:"kuaidinum"`
	ChildNum      string `json:"childNum"`
	ReturnNum     string `json:"returnNum"`
	Label         string `json:"label"`
	KdComOrderNum string `json:"kdComOrderNum"`
	Routing
}

type wireChild struct {
	ChildNum Str `json:"childNum"`
	QRCode   Str `json:"qrCode"`
	Road     Str `json:"road"`
}

type wireOrderData struct {
	TaskID           Str         `json:"taskId"`
	KuaidiNum        Str         `json:"kuaidinum"`
	ChildNum         Str         `json:"childNum"`
	ReturnNum        Str         `json:"returnNum"`
	Label            Str         `json:"label"`
	KdComOrderNum    Str         `json:"kdComOrderNum"`
	BulkPen          Str         `json:"bulkpen"`
	OrgCode          Str         `json:"orgCode"`
	OrgName          Str         `json:"orgName"`
	DestCode         Str         `json:"destCode"`
	DestName         Str         `json:"destName"`
	OrgSortingCode   Str         `json:"orgSortingCode"`
	OrgSortingName   Str         `json:"orgSortingName"`
	DestSortingCode  Str         `json:"destSortingCode"`
	DestSortingName  Str         `json:"destSortingName"`
	PkgCode          Str         `json:"pkgCode"`
	PkgName          Str         `json:"pkgName"`
	Road             Str         `json:"road"`
	QRCode           Str         `json:"qrCode"`
	TwoDimensionCode Str         `json:"twoDimensionCode"`
	ProName          Str         `json:"proName"`
	AbFlag           Str         `json:"abFlag"`
	DestRouteLabel   Str         `json:"destRouteLabel"`
	CodingMapping    Str         `json:"codingMapping"`
	ExpressCode      Str         `json:"expressCode"`
	ExpressName      Str         `json:"expressName"`
	ChildInfo        []wireChild `json:"childInfo"`
}

func (d *wireOrderData) result() *OrderResult {
	t := func(s Str) string { return strings.TrimSpace(string(s)) }
	r := &OrderResult{
		Waybill: t(d.KuaidiNum), ReturnWaybill: t(d.ReturnNum),
		TaskID: t(d.TaskID), CarrierOrder: t(d.KdComOrderNum), LabelURL: t(d.Label),
		Routing: Routing{
			BulkPen: t(d.BulkPen), OrgCode: t(d.OrgCode), OrgName: t(d.OrgName), DestCode: t(d.DestCode), DestName: t(d.DestName),
			OrgSortingCode: t(d.OrgSortingCode), OrgSortingName: t(d.OrgSortingName),
			DestSortingCode: t(d.DestSortingCode), DestSortingName: t(d.DestSortingName),
			PkgCode: t(d.PkgCode), PkgName: t(d.PkgName), Road: t(d.Road), QRCode: t(d.QRCode),
			TwoDimensionCode: t(d.TwoDimensionCode), ProName: t(d.ProName), AbFlag: t(d.AbFlag),
			DestRouteLabel: t(d.DestRouteLabel), CodingMapping: t(d.CodingMapping),
			ExpressCode: t(d.ExpressCode), ExpressName: t(d.ExpressName),
		},
	}
	for _, c := range d.ChildInfo {
		r.Routing.ChildInfo = append(r.Routing.ChildInfo, ChildInfo{ChildNum: t(c.ChildNum), QRCode: t(c.QRCode), Road: t(c.Road)})
	}
	for _, n := range strings.Split(string(d.ChildNum), ",") {
		if n = strings.TrimSpace(n); n != "" {
			r.ChildWaybills = append(r.ChildWaybills, n)
		}
	}
	return r
}

// DecodeOrderResponse decodes the answer to method=order (or printOld) into
// an OrderResult; fields may arrive as strings or numbers.
func DecodeOrderResponse(op string, body []byte) (*OrderResult, error) {
	var data wireOrderData
	if err := DecodeLabelResponse(op, body, &data); err != nil {
		return nil, err
	}
	return data.result(), nil
}

// DecodeLabelResponse decodes a V2 envelope for op; on code 200 the data is
// decoded into out (if not nil), otherwise an *Error is returned.
func DecodeLabelResponse(op string, body []byte, out any) error {
	var w wireEnvelope
	if err := json.Unmarshal(body, &w); err != nil {
		return malformed(op, string(body), err)
	}
	code := strings.TrimSpace(string(w.Code))
	if code == "" {
		return malformed(op, string(body), nil)
	}
	if code != "200" {
		return codeError(op, code, string(w.Message), string(body), labelCodes)
	}
	if out != nil && len(w.Data) > 0 && string(w.Data) != "null" {
		if err := json.Unmarshal(w.Data, out); err != nil {
			return malformed(op, string(body), err)
		}
	}
	return nil
}

func asError(err error, target **Error) bool {
	e, ok := err.(*Error)
	if ok {
		*target = e
	}
	return ok
}
