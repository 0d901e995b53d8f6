package kuaidi100

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"

	"shipdesk/store"
)

// Print types of the V2 order.
const (
	PrintNone  = "NON"   // order only: we render the label ourselves
	PrintImage = "IMAGE" // Kuaidi100 also renders an image, returned as a short link
)

// Pay types of the V2 order.
const (
	PayShipper    = "SHIPPER"    // 寄付
	PayConsignee  = "CONSIGNEE"  // 到付
	PayMonthly    = "MONTHLY"    // 月结
	PayThirdParty = "THIRDPARTY" // 第三方付
)

// OrderRequest is one e-waybill order (label/order, method=order).
type OrderRequest struct {
	// OrderID is our stable order id, sent with reorder=false so a retry
	// within 48 h returns the first waybill instead of a second one.
	OrderID   string
	Com       string // carrier code
	Recipient store.Party
	Sender    store.Party
	Cargo     string  // e.g. 眼镜
	Count     int     // parcels; >1 with ChildCount asks for child numbers
	Weight    float64 // kg
	Volume    float64 // cm³, optional
	PayType   string  // SHIPPER, CONSIGNEE, MONTHLY (default), THIRDPARTY
	ExpType   string  // product, e.g. 标准快递
	Remark    string
	// InsuredValue is the declared value in yuan (valinsPay); 0 = none.
	InsuredValue float64
	// COD is the amount to collect on delivery (collection); 0 = none.
	COD float64
	// NeedSubscribe auto-subscribes the new number to tracking pushes sent
	// to PollCallbackURL, signed with Salt.
	NeedSubscribe   bool
	PollCallbackURL string
	Salt            string
	PrintType       string // NON (default) or IMAGE
	// ChildCount > 0 asks for child numbers (needChild) for a multi-parcel
	// shipment; Count is raised to ChildCount+1 when lower.
	ChildCount int
	// Carrier e-waybill account (网点账号), where the carrier needs one.
	PartnerID, PartnerKey, PartnerSecret, PartnerName, Net, Code, CheckMan, TBNet string
	TempID                                                                        string // V2 template id, for IMAGE
}

// OrderResult is an issued waybill.
type OrderResult struct {
	Waybill       string        `json:"waybill"`
	ChildWaybills []string      `json:"childWaybills,omitempty"`
	ReturnWaybill string        `json:"returnWaybill,omitempty"`
	TaskID        string        `json:"taskId"`       // needed to reprint
	CarrierOrder  string        `json:"carrierOrder"` // kdComOrderNum: keep it, cancel needs it
	Routing       store.Routing `json:"routing"`
	LabelURL      string        `json:"labelUrl,omitempty"` // IMAGE: short link, may not be ready at once
}

// ManInfo is recMan / sendMan on the wire, exported for the sandbox.
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

// OrderParam is the param JSON of method=order, exported for the sandbox.
type OrderParam struct {
	PrintType       string  `json:"printType"`
	KuaidiCom       string  `json:"kuaidicom"`
	PartnerID       string  `json:"partnerId,omitempty"`
	PartnerKey      string  `json:"partnerKey,omitempty"`
	PartnerSecret   string  `json:"partnerSecret,omitempty"`
	PartnerName     string  `json:"partnerName,omitempty"`
	Net             string  `json:"net,omitempty"`
	Code            string  `json:"code,omitempty"`
	CheckMan        string  `json:"checkMan,omitempty"`
	TBNet           string  `json:"tbNet,omitempty"`
	RecMan          ManInfo `json:"recMan"`
	SendMan         ManInfo `json:"sendMan"`
	Cargo           string  `json:"cargo"`
	Count           int     `json:"count"`
	Weight          float64 `json:"weight,omitempty"`
	Volume          float64 `json:"volume,omitempty"`
	PayType         string  `json:"payType"`
	ExpType         string  `json:"expType,omitempty"`
	Remark          string  `json:"remark,omitempty"`
	ValinsPay       float64 `json:"valinsPay,omitempty"`
	Collection      float64 `json:"collection,omitempty"`
	NeedChild       string  `json:"needChild,omitempty"`
	OrderID         string  `json:"orderId,omitempty"`
	Reorder         *bool   `json:"reorder,omitempty"`
	TempID          string  `json:"tempId,omitempty"`
	NeedSubscribe   bool    `json:"needSubscribe,omitempty"`
	PollCallBackURL string  `json:"pollCallBackUrl,omitempty"`
	Salt            string  `json:"salt,omitempty"`
	ResultV2        string  `json:"resultv2,omitempty"`
}

// CancelParam is the param JSON of method=cancel.
type CancelParam struct {
	KuaidiCom     string `json:"kuaidicom"`
	KuaidiNum     string `json:"kuaidinum"`
	OrderID       string `json:"orderId,omitempty"`
	Reason        string `json:"reason,omitempty"`
	PartnerID     string `json:"partnerId,omitempty"`
	PartnerKey    string `json:"partnerKey,omitempty"`
	PartnerSecret string `json:"partnerSecret,omitempty"`
	Net           string `json:"net,omitempty"`
	ExpType       string `json:"expType,omitempty"`
}

// ReprintParam is the param JSON of method=printOld.
type ReprintParam struct {
	TaskID string `json:"taskId"`
	Siid   string `json:"siid,omitempty"`
}

func manInfo(p store.Party) ManInfo {
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

// Order issues an e-waybill (label/order, method=order). The request carries
// OrderID with reorder=false, so calling Order again with the same OrderID
// (after a timeout or a crash) returns the same waybill.
func (c *Client) Order(ctx context.Context, r OrderRequest) (*OrderResult, error) {
	const op = "order"
	if r.OrderID == "" || r.Com == "" {
		return nil, &Error{Op: op, Code: "input", Message: "下单需要订单号和快递公司", kind: ErrBadRequest}
	}
	no := false
	count := max(r.Count, 1)
	p := OrderParam{
		PrintType: r.PrintType, KuaidiCom: strings.ToLower(strings.TrimSpace(r.Com)),
		PartnerID: r.PartnerID, PartnerKey: r.PartnerKey, PartnerSecret: r.PartnerSecret, PartnerName: r.PartnerName,
		Net: r.Net, Code: r.Code, CheckMan: r.CheckMan, TBNet: r.TBNet,
		RecMan: manInfo(r.Recipient), SendMan: manInfo(r.Sender),
		Cargo: r.Cargo, Count: count, Weight: r.Weight, Volume: r.Volume,
		PayType: r.PayType, ExpType: r.ExpType, Remark: r.Remark, ValinsPay: r.InsuredValue, Collection: r.COD,
		OrderID: r.OrderID, Reorder: &no, TempID: r.TempID,
		NeedSubscribe: r.NeedSubscribe, PollCallBackURL: r.PollCallbackURL, Salt: r.Salt,
	}
	if p.PrintType == "" {
		p.PrintType = PrintNone
	}
	if p.PayType == "" {
		p.PayType = PayMonthly
	}
	if r.ChildCount > 0 {
		p.NeedChild = "1"
		p.Count = max(p.Count, r.ChildCount+1)
	}
	if r.NeedSubscribe {
		p.ResultV2 = "1"
	}
	var data wireOrderData
	if err := c.label(ctx, op, "order", p, &data); err != nil {
		return nil, err
	}
	res := data.result()
	if res.Waybill == "" {
		return nil, malformed(op, "", nil)
	}
	return res, nil
}

// CancelRequest cancels a waybill that has not been picked up.
type CancelRequest struct {
	Com     string
	Num     string
	OrderID string // the carrier order number (OrderResult.CarrierOrder), if one was returned
	Reason  string
	ExpType string // needed for JD and SF cold-chain
}

// Cancel cancels a waybill (method=cancel). A parcel the carrier already
// picked up cannot be cancelled: ErrAlreadyPickedUp.
func (c *Client) Cancel(ctx context.Context, r CancelRequest) error {
	const op = "cancel"
	if r.Com == "" || r.Num == "" {
		return &Error{Op: op, Code: "input", Message: "取消需要快递公司和快递单号", kind: ErrBadRequest}
	}
	p := CancelParam{KuaidiCom: strings.ToLower(strings.TrimSpace(r.Com)), KuaidiNum: NormalizeNumber(r.Num), OrderID: r.OrderID, Reason: r.Reason, ExpType: r.ExpType}
	err := c.label(ctx, op, "cancel", p, nil)
	var e *Error
	if asError(err, &e) && e.Code == "30001" && strings.Contains(e.ServiceMessage, "揽收") {
		e.kind = ErrAlreadyPickedUp
		e.Message = "快件已被快递员揽收，不能取消面单；请联系快递公司拦截或退回"
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
	TaskID          string `json:"taskId"`
	KuaidiNum       string `json:"kuaidinum"`
	ChildNum        string `json:"childNum"`
	ReturnNum       string `json:"returnNum"`
	Label           string `json:"label"`
	KdComOrderNum   string `json:"kdComOrderNum"`
	BulkPen         string `json:"bulkpen"`
	OrgCode         string `json:"orgCode,omitempty"`
	OrgName         string `json:"orgName,omitempty"`
	DestCode        string `json:"destCode,omitempty"`
	DestName        string `json:"destName,omitempty"`
	DestSortingCode string `json:"destSortingCode,omitempty"`
	PkgCode         string `json:"pkgCode,omitempty"`
	PkgName         string `json:"pkgName,omitempty"`
	QRCode          string `json:"qrCode,omitempty"`
}

type wireOrderData struct {
	TaskID          Str `json:"taskId"`
	KuaidiNum       Str `json:"kuaidinum"`
	ChildNum        Str `json:"childNum"`
	ReturnNum       Str `json:"returnNum"`
	Label           Str `json:"label"`
	KdComOrderNum   Str `json:"kdComOrderNum"`
	BulkPen         Str `json:"bulkpen"`
	DestCode        Str `json:"destCode"`
	DestSortingCode Str `json:"destSortingCode"`
	PkgCode         Str `json:"pkgCode"`
	PkgName         Str `json:"pkgName"`
	QRCode          Str `json:"qrCode"`
}

func (d *wireOrderData) result() *OrderResult {
	r := &OrderResult{
		Waybill: strings.TrimSpace(string(d.KuaidiNum)), ReturnWaybill: string(d.ReturnNum),
		TaskID: string(d.TaskID), CarrierOrder: string(d.KdComOrderNum), LabelURL: string(d.Label),
		Routing: store.Routing{BigPen: string(d.BulkPen), SortCode: string(d.DestSortingCode), DestCode: string(d.DestCode),
			PkgCode: string(d.PkgCode), PkgName: string(d.PkgName), QRContent: string(d.QRCode)},
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
