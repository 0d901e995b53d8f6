package sandbox

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"shipdesk/kuaidi100"
)

// readForm parses a POST form body of at most MaxBody bytes. ok is false for
// a non-POST or a body that is not form-encoded.
func readForm(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	if r.Method != http.MethodPost {
		return nil, false
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/x-www-form-urlencoded" {
		return nil, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, kuaidi100.MaxBody)
	if err := r.ParseForm(); err != nil {
		return nil, false
	}
	return r.PostForm, true
}

type returnBody struct {
	Result     bool   `json:"result"`
	ReturnCode string `json:"returnCode"`
	Message    string `json:"message"`
}

func (s *Server) fail(w http.ResponseWriter, endpoint, code, msg string) {
	s.count(endpoint, code)
	writeJSON(w, returnBody{Result: false, ReturnCode: code, Message: msg})
}

// ---- poll/query.do ----------------------------------------------------------

// handleQuery answers a real-time query (poll/query.do): the request is
// read and checked, the service's limits applied, then the visible trace
// returned. Each refusal carries the service's own code and message.
func (s *Server) handleQuery(w http.ResponseWriter, r *http.Request) {
	const ep = "query"
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Requests[ep]++
	q, code, msg := s.readQuery(w, r)
	if code != "" {
		s.fail(w, ep, code, msg)
		return
	}
	now := s.nowLocked()
	if code, msg := s.admitQuery(q.Num, now); code != "" {
		s.fail(w, ep, code, msg)
		return
	}
	res, code, msg := s.answerQuery(q, now)
	if code != "" {
		s.fail(w, ep, code, msg)
		return
	}
	s.count(ep, "200")
	writeJSON(w, res)
}

// queryReq is a query's param.
type queryReq struct {
	Com, Num, Phone, From, To string
	ResultV2                  kuaidi100.Str  `json:"resultv2"`
	NeedCourierInfo           kuaidi100.Bool `json:"needCourierInfo"`
}

// readQuery reads a query's form, checks its signature and decodes its
// param; code and msg are the service's answer when it refuses it.
func (s *Server) readQuery(w http.ResponseWriter, r *http.Request) (q queryReq, code, msg string) {
	const incomplete = "提交的数据不完整，或者账号未充值"
	if r.Method != http.MethodPost {
		return q, "500", "查询无结果，请隔段时间再查"
	}
	form, ok := readForm(w, r)
	if !ok {
		return q, "400", incomplete
	}
	param, customer := form.Get("param"), form.Get("customer")
	if param == "" || customer == "" || form.Get("sign") == "" {
		return q, "400", incomplete
	}
	if customer != s.creds.Customer || !strings.EqualFold(form.Get("sign"), kuaidi100.QuerySign(param, s.creds.Key, customer)) {
		return q, "503", "验证签名失败"
	}
	if err := json.Unmarshal([]byte(param), &q); err != nil {
		return q, "400", incomplete
	}
	q.Com, q.Num = strings.ToLower(strings.TrimSpace(q.Com)), strings.TrimSpace(q.Num)
	if _, known := kuaidi100.LookupCarrier(q.Com); !known {
		return q, "400", "不支持此快递公司"
	}
	if len(q.Num) < 6 || len(q.Num) > 32 {
		return q, "400", "快递单号格式不正确"
	}
	return q, "", ""
}

// admitQuery applies the service's limits to a query of num at now: the
// global rate, the account's balance and the per-number lock.
func (s *Server) admitQuery(num string, now time.Time) (code, msg string) {
	if !s.qBucket.take(now) {
		s.stats.Violations["rate_query"]++
		return "502", "服务器繁忙"
	}
	if !s.billable(now) {
		return "601", "key已过期"
	}
	if s.lockQuery(num, now) {
		return "500", "该单号查询过于频繁已被锁定，24小时内不再更新"
	}
	return "", ""
}

// answerQuery is the trace visible at now of the parcel asked for, after
// the phone check of the carriers that need one.
func (s *Server) answerQuery(q queryReq, now time.Time) (res kuaidi100.ResultEnvelope, code, msg string) {
	const noResult = "查询无结果，请隔段时间再查"
	p := s.parcelFor(q.Com, q.Num, now)
	if needsPhone(q.Com) {
		ph := kuaidi100.NormalizePhone(q.Phone)
		if ph == "" || (p != nil && p.Issued && !phoneMatches(p.Phones, ph)) {
			return res, "408", "快递公司参数异常：验证码错误"
		}
	}
	if p == nil || p.NoTrace {
		return res, "500", noResult
	}
	evs := p.visible(now)
	if len(evs) == 0 {
		return res, "500", noResult
	}
	res = p.result(evs, string(q.ResultV2))
	if q.NeedCourierInfo {
		res.CourierInfo = s.couriers(p, evs)
	}
	return res, "", ""
}

var courierNames = []string{"张师傅", "李建国", "王磊", "刘洋", "陈志强", "赵敏", "孙浩", "周杰"}

// couriers names who picked the parcel up and who delivers it, once the
// trace has reached those steps; the same every time for a number.
func (s *Server) couriers(p *parcel, evs []event) *kuaidi100.WireCourierInfo {
	rng := s.rngFor("courier", p.Num)
	c := &kuaidi100.WireCourierInfo{}
	pickName, pickPhone := courierNames[rng.IntN(len(courierNames))], "13"+digits(rng, 9)
	dropName, dropPhone := courierNames[rng.IntN(len(courierNames))], "15"+digits(rng, 9)
	for _, e := range evs {
		switch base := baseState(e.Code); {
		case base == "5" || base == "3":
			c.DeliveryManName, c.DeliveryManPhone = dropName, dropPhone
			fallthrough
		case e.Code != "101" && e.Code != "102":
			c.PickupManName, c.PickupManPhone = pickName, pickPhone
		}
	}
	return c
}

// queryHist is the query history of one number on the simulated clock.
type queryHist struct {
	Times       []time.Time `json:"times"` // within the last 24 h
	LockedUntil time.Time   `json:"lockedUntil"`
}

// lockQuery records a query of num at now and reports whether the number is
// (now) locked: queried again within 30 minutes, more than 48 times in 24 h,
// or queried while locked (which extends the lock: it lifts only after 24 h
// without queries).
func (s *Server) lockQuery(num string, now time.Time) bool {
	h := s.queries[num]
	if h == nil {
		h = &queryHist{}
		s.queries[num] = h
	}
	kept := h.Times[:0]
	for _, t := range h.Times {
		if now.Sub(t) < 24*time.Hour {
			kept = append(kept, t)
		}
	}
	h.Times = kept
	defer func() { h.Times = append(h.Times, now) }()
	if now.Before(h.LockedUntil) {
		s.stats.Violations["query_locked"]++
		h.LockedUntil = now.Add(LockDuration)
		return true
	}
	var why string
	if n := len(h.Times); n > 0 && now.Sub(h.Times[n-1]) < QueryMinInterval {
		why = "query_interval"
	} else if len(h.Times)+1 > QueryMaxPerDay {
		why = "query_daily"
	}
	if why == "" {
		return false
	}
	s.stats.Violations[why]++
	h.LockedUntil = now.Add(LockDuration)
	s.logf("sandbox: %s locked (%s)", num, why)
	return true
}

func needsPhone(com string) bool {
	switch com {
	case "shunfeng", "shunfengkuaiyun", "shunfenglengyun", "zhongtong":
		return true
	}
	return false
}

func phoneMatches(phones []string, ph string) bool {
	if len(phones) == 0 {
		return true
	}
	for _, p := range phones {
		if p != "" && (p == ph || strings.HasSuffix(p, ph) && len(ph) >= 4) {
			return true
		}
	}
	return false
}

// parcelFor returns the parcel of num for carrier com. A number the sandbox
// did not issue is adopted on first sight: when its format fits the carrier
// (kuaidi100.Guess lists it) it gets a journey that started 6-96 hours
// before; otherwise it never has a trace. nil means the number belongs to
// another carrier.
func (s *Server) parcelFor(com, num string, now time.Time) *parcel {
	if p := s.parcels[num]; p != nil {
		if p.Com != com {
			return nil
		}
		return p
	}
	rng := s.rngFor("adopt", num)
	p := &parcel{Num: num, Com: com, NoTrace: true}
	for _, c := range kuaidi100.Guess(num) {
		if c.Code == com {
			p.NoTrace = false
		}
	}
	if !p.NoTrace {
		p.Created = now.Add(-s.scaled(time.Duration((6 + rng.Float64()*90) * float64(time.Hour))))
		p.From, p.To = cities[rng.IntN(len(cities))], cities[rng.IntN(len(cities))]
		p.Outcome = s.pickOutcome(rng)
		s.plan(p, rng)
	}
	s.parcels[num] = p
	return p
}

// ---- /poll (subscribe) -------------------------------------------------------

var callbackRe = regexp.MustCompile(`^https?://[^\s/]+`)

func (s *Server) handleSubscribe(w http.ResponseWriter, r *http.Request) {
	const ep = "subscribe"
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Requests[ep]++
	form, ok := readForm(w, r)
	if !ok {
		s.fail(w, ep, "500", "服务器错误")
		return
	}
	var p kuaidi100.SubscribeParam
	if err := json.Unmarshal([]byte(form.Get("param")), &p); err != nil {
		s.fail(w, ep, "700", "订阅参数错误")
		return
	}
	if string(p.Key) != s.creds.Key {
		s.fail(w, ep, "600", "您不是合法的订阅者（即授权Key出错）")
		return
	}
	com, num := strings.ToLower(strings.TrimSpace(string(p.Company))), strings.TrimSpace(string(p.Number))
	cb := strings.TrimSpace(string(p.Parameters.CallbackURL))
	if len(num) < 6 || len(num) > 32 || !callbackRe.MatchString(cb) {
		s.fail(w, ep, "700", "订阅参数错误：单号为空或过长，或回调地址不正确")
		return
	}
	if com == "" {
		if p.Parameters.AutoCom != "1" {
			s.fail(w, ep, "700", "订阅参数错误：快递公司编码为空")
			return
		}
		if known := s.parcels[num]; known != nil && known.Issued {
			com = known.Com
		} else if g := kuaidi100.Guess(num); len(g) > 0 {
			com = g[0].Code
		} else {
			s.fail(w, ep, "702", "POLL:识别不到该单号对应的快递公司")
			return
		}
	}
	if _, known := kuaidi100.LookupCarrier(com); !known {
		s.fail(w, ep, "700", "订阅参数错误：不支持的快递公司")
		return
	}
	now := s.nowLocked()
	if !s.sBucket.take(now) {
		s.stats.Violations["rate_subscribe"]++
		s.fail(w, ep, "502", "服务器繁忙")
		return
	}
	if err := s.subscribe(com, num, cb, string(p.Parameters.Salt), string(p.Parameters.ResultV2), now, true); err != "" {
		code, msg, _ := strings.Cut(err, " ")
		s.fail(w, ep, code, msg)
		return
	}
	s.count(ep, "200")
	writeJSON(w, returnBody{Result: true, ReturnCode: "200", Message: "提交成功"})
}

// subscribe registers a subscription; it returns "" or "code message".
func (s *Server) subscribe(com, num, cb, salt, resultv2 string, now time.Time, billed bool) string {
	key := subKey(com, num)
	if sub := s.subs[key]; sub != nil && sub.Active {
		return "501 重复订阅"
	}
	month := key + "|" + now.In(cst).Format("2006-01")
	if s.subCounts[month] >= SubscriptionsMonth {
		s.stats.Violations["subscribe_monthly"]++
		return "501 重复订阅：该单号本月订阅次数已达上限（4次）"
	}
	if billed && !s.billable(now) {
		return "601 POLL:KEY已过期"
	}
	s.subCounts[month]++
	if resultv2 == "" {
		resultv2 = "1"
	}
	s.parcelFor(com, num, now)
	s.subs[key] = &subscription{Com: com, Num: num, Callback: cb, Salt: salt, ResultV2: resultv2,
		Since: now, Active: true, NextCheck: now.Add(s.scaled(s.opts.FirstPush))}
	return ""
}

// ---- autonumber/auto --------------------------------------------------------------

func (s *Server) handleAutoNumber(w http.ResponseWriter, r *http.Request) {
	const ep = "autonumber"
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Requests[ep]++
	r.Body = http.MaxBytesReader(w, r.Body, kuaidi100.MaxBody)
	_ = r.ParseForm()
	key, num := r.Form.Get("key"), kuaidi100.NormalizeNumber(r.Form.Get("num"))
	switch {
	case key == "":
		s.fail(w, ep, "701", "key缺失")
		return
	case key != s.creds.Key || s.opts.NoAutoNumber:
		s.fail(w, ep, "601", "POLL: KEY 已过期")
		return
	}
	var out []kuaidi100.AutoNumberEntry
	if p := s.parcels[num]; p != nil && p.Issued {
		out = append(out, kuaidi100.AutoNumberEntry{ComCode: p.Com, Name: kuaidi100.CarrierName(p.Com), LengthPre: len(num)})
	}
	for _, c := range kuaidi100.Guess(num) {
		if len(out) >= 3 {
			break
		}
		if len(out) > 0 && out[0].ComCode == c.Code {
			continue
		}
		out = append(out, kuaidi100.AutoNumberEntry{ComCode: c.Code, Name: c.Name, LengthPre: len(num)})
	}
	if len(out) == 0 {
		s.fail(w, ep, "201", "不是有效的快递单号")
		return
	}
	s.count(ep, "200")
	writeJSON(w, out)
}

// ---- label/order ------------------------------------------------------------------

func (s *Server) labelFail(w http.ResponseWriter, ep string, code int, msg string) {
	s.count(ep, strconv.Itoa(code))
	writeJSON(w, kuaidi100.LabelEnvelope{Success: false, Code: code, Message: msg})
}

func (s *Server) handleLabel(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	form, ok := readForm(w, r)
	method := r.URL.Query().Get("method")
	if ok && form.Get("method") != "" {
		method = form.Get("method")
	}
	ep := "label" // stats key: the method when it is one the sandbox knows
	switch method {
	case "order", "cancel", "printOld":
		ep = method
	}
	s.stats.Requests[ep]++
	if !ok {
		s.labelFail(w, ep, 30001, "参数错误：请使用 application/x-www-form-urlencoded 的 POST 请求")
		return
	}
	param, t := form.Get("param"), form.Get("t")
	if form.Get("key") != s.creds.Key {
		s.labelFail(w, ep, 30003, "账号信息错误：key不存在")
		return
	}
	if _, err := strconv.ParseInt(t, 10, 64); err != nil || param == "" {
		s.labelFail(w, ep, 30001, "参数错误：t或param为空")
		return
	}
	if !strings.EqualFold(form.Get("sign"), kuaidi100.LabelSign(param, t, s.creds.Key, s.creds.Secret)) {
		s.labelFail(w, ep, 30002, "签名验证失败")
		return
	}
	now := s.nowLocked()
	switch method {
	case "order":
		s.order(w, r, param, now)
	case "cancel":
		s.cancel(w, param, now)
	case "printOld":
		s.reprint(w, param, now)
	default:
		s.labelFail(w, ep, 30001, "参数错误：不支持的method")
	}
}

type orderRec struct {
	At   time.Time           `json:"at"`
	Data kuaidi100.OrderData `json:"data"`
}

// formats are the waybill number generators of the carriers the sandbox
// issues e-waybills for.
var formats = map[string]func(r *rand.Rand) string{
	"shunfeng":       func(r *rand.Rand) string { return "SF" + strconv.Itoa(1+r.IntN(3)) + digits(r, 12) },
	"yuantong":       func(r *rand.Rand) string { return "YT" + strconv.Itoa(2+r.IntN(8)) + digits(r, 12) },
	"jtexpress":      func(r *rand.Rand) string { return "JT" + "0" + digits(r, 12) },
	"zhongtong":      func(r *rand.Rand) string { return "7" + string("34568"[r.IntN(5)]) + digits(r, 12) },
	"shentong":       func(r *rand.Rand) string { return "773" + digits(r, 12) },
	"yunda":          func(r *rand.Rand) string { return "46" + digits(r, 13) },
	"ems":            func(r *rand.Rand) string { return "11" + digits(r, 11) },
	"youzhengguonei": func(r *rand.Rand) string { return "96" + digits(r, 11) },
	"jd":             func(r *rand.Rand) string { return "JDV" + string(rune('A'+r.IntN(6))) + digits(r, 11) },
	"debangkuaidi":   func(r *rand.Rand) string { return "DPK" + strconv.Itoa(3+r.IntN(6)) + digits(r, 11) },
	"zhaijisong":     func(r *rand.Rand) string { return "ZJS" + digits(r, 12) },
}

// IssuingCarriers lists the carrier codes the sandbox issues e-waybills for.
func IssuingCarriers() []string {
	return slices.Sorted(maps.Keys(formats))
}

func digits(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}

func validMan(m wireMan) string {
	switch {
	case strings.TrimSpace(string(m.Name)) == "":
		return "姓名不能为空"
	case strings.TrimSpace(string(m.Mobile)) == "" && strings.TrimSpace(string(m.Tel)) == "":
		return "手机号和电话不能同时为空"
	case m.PrintAddr == "" && (m.Addr == "" || m.Province == "" || m.City == ""):
		return "地址不能为空"
	}
	return ""
}

// order issues an e-waybill (method=order): it checks the param as the
// service does, answers a repeated orderId with its first waybill, bills,
// issues the parcel and subscribes it when asked.
func (s *Server) order(w http.ResponseWriter, r *http.Request, param string, now time.Time) {
	const ep = "order"
	o, msg := parseOrder(param)
	if msg != "" {
		s.labelFail(w, ep, 30001, msg)
		return
	}
	if rec := s.sameOrder(o, now); rec != nil {
		s.count(ep, "200")
		writeJSON(w, kuaidi100.LabelEnvelope{Success: true, Code: 200, Message: "success", Time: 5, Data: rec.Data})
		return
	}
	if !s.billable(now) {
		s.labelFail(w, ep, 30004, "余额不足，请充值")
		return
	}
	pc := s.issue(o, now)
	data := s.orderData(r.Host, pc, o)
	if o.orderID != "" {
		s.orders[o.orderID] = &orderRec{At: now, Data: data}
	}
	if o.p.NeedSubscribe {
		s.subscribe(pc.Com, pc.Num, o.callback, string(o.p.Salt), string(o.p.ResultV2), now, false)
	}
	s.logf("sandbox: issued %s %s (order %s, %s)", pc.Com, pc.Num, o.orderID, o.printType)
	s.count(ep, "200")
	writeJSON(w, kuaidi100.LabelEnvelope{Success: true, Code: 200, Message: "success", Time: 120 + int64(s.rng.IntN(300)), Data: data})
}

// orderReq is an order's param as decoded and checked by parseOrder.
type orderReq struct {
	p         wireOrder
	com       string            // carrier code, lower case
	acct      kuaidi100.Account // the clinic's account with the carrier
	count     int               // parcels (1-99)
	printType string            // NON, IMAGE, HTML, CLOUD or ORDERFIRST
	callback  string            // pollCallBackUrl
	orderID   string
}

// parseOrder decodes an order's param and checks it in the order the
// service does; msg is the service's 30001 message when it refuses it.
func parseOrder(param string) (o orderReq, msg string) {
	if err := json.Unmarshal([]byte(param), &o.p); err != nil {
		return o, "参数错误：param不是合法的JSON"
	}
	p := &o.p
	o.com = strings.ToLower(strings.TrimSpace(string(p.KuaidiCom)))
	if o.com == "" {
		return o, "参数错误：kuaidicom不能为空"
	}
	o.acct = p.account()
	if msg := checkAccount(o.com, o.acct); msg != "" {
		return o, msg
	}
	if msg := validMan(p.RecMan); msg != "" {
		return o, "参数错误：收件人" + msg
	}
	if msg := validMan(p.SendMan); msg != "" {
		return o, "参数错误：寄件人" + msg
	}
	o.count = 1
	if c := strings.TrimSpace(string(p.Count)); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil {
			return o, "参数错误：count应为整数"
		}
		o.count = n
	}
	o.printType = strings.ToUpper(strings.TrimSpace(string(p.PrintType)))
	if o.printType == "" {
		o.printType = kuaidi100.PrintNone
	}
	o.callback = strings.TrimSpace(string(p.PollCallBackURL))
	o.orderID = strings.TrimSpace(string(p.OrderID))
	return o, checkOrderFields(o)
}

// checkOrderFields is the rest of parseOrder's checks: the numbers, the
// print type and the fields that depend on it or on each other.
func checkOrderFields(o orderReq) (msg string) {
	p := &o.p
	for name, v := range map[string]kuaidi100.Str{"weight": p.Weight, "volume": p.Volume, "valinsPay": p.ValinsPay, "collection": p.Collection} {
		if _, ok := number(v); !ok {
			return "参数错误：" + name + "应为数字"
		}
	}
	switch o.printType {
	case kuaidi100.PrintNone, kuaidi100.PrintImage, kuaidi100.PrintHTML, kuaidi100.PrintCloud, kuaidi100.PrintOrderFirst:
	default:
		return "参数错误：printType只能是NON、IMAGE、HTML、CLOUD或ORDERFIRST"
	}
	switch {
	case strings.TrimSpace(string(p.Cargo)) == "":
		return "参数错误：物品名称不能为空"
	case o.count < 1 || o.count > 99:
		return "参数错误：包裹数量应为1-99"
	case (o.printType == kuaidi100.PrintCloud || o.printType == kuaidi100.PrintOrderFirst) && strings.TrimSpace(string(p.Siid)) == "":
		return "参数错误：printType为" + o.printType + "时siid不能为空"
	case bool(p.NeedSubscribe) && !callbackRe.MatchString(o.callback):
		return "参数错误：needSubscribe需要pollCallBackUrl"
	}
	return ""
}

// sameOrder is the earlier answer to the same orderId sent with
// reorder=false within OrderIdempotency, or nil.
func (s *Server) sameOrder(o orderReq, now time.Time) *orderRec {
	if o.orderID == "" || !o.p.reorderOff() {
		return nil
	}
	if rec := s.orders[o.orderID]; rec != nil && now.Sub(rec.At) < OrderIdempotency {
		return rec
	}
	return nil
}

// issue makes and keeps the parcel of an accepted order: its waybill
// number (and its children's), where it goes, its journey, its print task
// and the carrier's order number.
func (s *Server) issue(o orderReq, now time.Time) *parcel {
	gen := formats[o.com]
	if gen == nil {
		gen = func(r *rand.Rand) string { return "9" + digits(r, 13) }
	}
	unique := func() string {
		for {
			n := gen(s.rng)
			if s.parcels[n] == nil {
				return n
			}
		}
	}
	pc := &parcel{Num: unique(), Com: o.com, Created: now, Issued: true, OrderID: o.orderID, Account: usedFields(o.acct)}
	s.address(pc, o.p)
	rng := s.rngFor("plan", pc.Num)
	pc.Outcome = s.pickOutcome(rng)
	s.plan(pc, rng)
	s.parcels[pc.Num] = pc
	pc.TaskID = fmt.Sprintf("%016X%016X", s.rng.Uint64(), s.rng.Uint64())
	s.tasks[pc.TaskID] = pc
	if strings.TrimSpace(string(o.p.NeedChild)) == "1" && o.count > 1 {
		for range o.count - 1 {
			c := unique()
			s.parcels[c] = &parcel{Num: c, Com: pc.Com, Created: now, Issued: true, Events: pc.Events, From: pc.From, To: pc.To, Phones: pc.Phones}
			pc.Children = append(pc.Children, c)
		}
	}
	pc.CarrierOrder = fmt.Sprintf("%s%d%06d", strings.ToUpper(pc.Com[:2]), now.UnixMilli(), s.rng.IntN(1e6))
	return pc
}

// address sets where the parcel comes from and goes to (a random city
// when an address names none) and the phones a query may give.
func (s *Server) address(pc *parcel, p wireOrder) {
	str := func(v kuaidi100.Str) string { return string(v) }
	var ok bool
	if pc.From, ok = cityIn(str(p.SendMan.PrintAddr), str(p.SendMan.City), str(p.SendMan.Province), str(p.SendMan.Addr)); !ok {
		pc.From = cities[s.rng.IntN(len(cities))]
	}
	if pc.To, ok = cityIn(str(p.RecMan.PrintAddr), str(p.RecMan.City), str(p.RecMan.Province), str(p.RecMan.Addr)); !ok {
		pc.To = cities[s.rng.IntN(len(cities))]
	}
	for _, ph := range []kuaidi100.Str{p.RecMan.Mobile, p.RecMan.Tel, p.SendMan.Mobile, p.SendMan.Tel} {
		if d := onlyDigits(string(ph)); len(d) >= 4 {
			pc.Phones = append(pc.Phones, d)
		}
	}
}

// orderData is the answer's data for an issued parcel; a label image or
// page is served from host.
func (s *Server) orderData(host string, pc *parcel, o orderReq) kuaidi100.OrderData {
	data := kuaidi100.OrderData{
		TaskID: pc.TaskID, KuaidiNum: pc.Num, ChildNum: strings.Join(pc.Children, ","), KdComOrderNum: pc.CarrierOrder,
		Routing: s.routing(pc, strings.TrimSpace(string(o.p.ExpType))),
	}
	switch o.printType {
	case kuaidi100.PrintImage, kuaidi100.PrintHTML:
		data.Label = "http://" + host + "/sandbox/label/" + pc.TaskID
	case kuaidi100.PrintCloud:
		// As if the cloud printer printed it.
		s.stats.Pushes["cloudPrinted"]++
	}
	return data
}

// routing is the sorting data a carrier would return for pc.
func (s *Server) routing(pc *parcel, product string) kuaidi100.Routing {
	if product == "" {
		product = "标准快递"
	}
	r := kuaidi100.Routing{
		BulkPen: fmt.Sprintf("%s %s-%02d", pc.To.Short, pc.To.Tel, 1+s.rng.IntN(40)),
		OrgCode: pc.From.Tel, OrgName: pc.From.City, DestCode: pc.To.Tel, DestName: pc.To.City,
		OrgSortingCode: pc.From.Tel + "-" + strconv.Itoa(10+s.rng.IntN(80)), OrgSortingName: pc.From.Short + "分拨中心",
		DestSortingCode: fmt.Sprintf("%s-%s-%02d", pc.To.Tel, string(rune('A'+s.rng.IntN(8)))+strconv.Itoa(10+s.rng.IntN(80)), s.rng.IntN(100)),
		DestSortingName: pc.To.Short + "转运中心",
		PkgCode:         pc.To.Tel + "W", PkgName: pc.To.Short + "集包",
		Road: fmt.Sprintf("%s-%02d", pc.To.Tel, 1+s.rng.IntN(30)), QRCode: pc.Num + "|" + pc.To.Tel,
		ProName: product, ExpressCode: pc.Com, ExpressName: kuaidi100.CarrierName(pc.Com),
	}
	for _, c := range pc.Children {
		r.ChildInfo = append(r.ChildInfo, kuaidi100.ChildInfo{ChildNum: c, QRCode: c + "|" + pc.To.Tel, Road: r.Road})
	}
	return r
}

func onlyDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (s *Server) cancel(w http.ResponseWriter, param string, now time.Time) {
	const ep = "cancel"
	var p wireCancel
	if err := json.Unmarshal([]byte(param), &p); err != nil {
		s.labelFail(w, ep, 30001, "参数错误：param不是合法的JSON")
		return
	}
	com, num := strings.ToLower(strings.TrimSpace(string(p.KuaidiCom))), strings.TrimSpace(string(p.KuaidiNum))
	if com == "" || num == "" {
		s.labelFail(w, ep, 30001, "参数错误：kuaidicom和kuaidinum不能为空")
		return
	}
	pc := s.parcels[num]
	if pc == nil || !pc.Issued || pc.Com != com {
		s.labelFail(w, ep, 30001, "参数错误：单号不存在")
		return
	}
	// The same account fields the order used, each one required.
	acct := p.account()
	for _, name := range kuaidi100.AccountFields {
		want := pc.Account[name]
		if want == "" {
			continue
		}
		switch got := acct.Field(name); {
		case got == "":
			s.labelFail(w, ep, 30001, "参数错误："+name+"不能为空（下单时使用过）")
			return
		case got != want:
			s.labelFail(w, ep, 30001, "参数错误："+name+"与下单时不一致")
			return
		}
	}
	if pc.CarrierOrder != "" && strings.TrimSpace(string(p.OrderID)) != pc.CarrierOrder {
		s.labelFail(w, ep, 30001, "参数错误：orderId应为下单时返回的kdComOrderNum")
		return
	}
	if com == "jd" && strings.TrimSpace(string(p.ExpType)) == "" {
		s.labelFail(w, ep, 30001, "参数错误：京东取消需要expType")
		return
	}
	if pc.Cancelled {
		s.count(ep, "200")
		writeJSON(w, kuaidi100.LabelEnvelope{Success: true, Code: 200, Message: "success"})
		return
	}
	if pc.pickedUp(now) {
		s.labelFail(w, ep, 30001, "取消失败：快件已揽收，不能取消")
		return
	}
	pc.Cancelled = true
	pc.Events = append(append([]event(nil), pc.visible(now)...), event{At: now, Code: "401", Context: "【" + pc.From.City + "】寄件人已取消订单，面单已作废", Area: pc.From})
	for _, c := range pc.Children {
		if cp := s.parcels[c]; cp != nil {
			cp.Cancelled, cp.Events = true, pc.Events
		}
	}
	s.count(ep, "200")
	writeJSON(w, kuaidi100.LabelEnvelope{Success: true, Code: 200, Message: "success"})
}

func (s *Server) reprint(w http.ResponseWriter, param string, now time.Time) {
	const ep = "printOld"
	var p kuaidi100.ReprintParam
	if err := json.Unmarshal([]byte(param), &p); err != nil || p.TaskID == "" {
		s.labelFail(w, ep, 30001, "参数错误：taskId不能为空")
		return
	}
	pc := s.tasks[p.TaskID]
	switch {
	case pc == nil:
		s.labelFail(w, ep, 30009, "任务不存在")
		return
	case now.Sub(pc.Created) > ReprintWindow:
		s.labelFail(w, ep, 30009, "任务已过期（超过2天）")
		return
	case pc.Reprints >= ReprintMax:
		s.labelFail(w, ep, 30009, "已超过补打次数（10次）")
		return
	}
	pc.Reprints++
	s.count(ep, "200")
	writeJSON(w, kuaidi100.LabelEnvelope{Success: true, Code: 200, Message: "success",
		Data: map[string]string{"taskId": pc.TaskID, "kuaidinum": pc.Num, "childNum": strings.Join(pc.Children, ",")}})
}

// ---- sms/send.do ---------------------------------------------------------------------

var mobileRe = regexp.MustCompile(`^1[3-9]\d{9}$`)

type smsJob struct {
	Due      time.Time       `json:"due"`
	Callback string          `json:"callback"`
	Body     json.RawMessage `json:"body"`
}

func (s *Server) handleSMS(w http.ResponseWriter, r *http.Request) {
	const ep = "sms"
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Requests[ep]++
	reject := func(msg string) {
		s.count(ep, "0")
		s.stats.SMS["rejected"]++
		writeJSON(w, kuaidi100.SMSResponse{Status: 0, Msg: msg})
	}
	form, ok := readForm(w, r)
	if !ok {
		reject("请求格式错误")
		return
	}
	if form.Get("userid") != s.creds.UserID || !strings.EqualFold(form.Get("sign"), kuaidi100.SMSSign(s.creds.Key, s.creds.UserID)) {
		reject("签名验证失败")
		return
	}
	phone, tid, content := strings.TrimSpace(form.Get("phone")), form.Get("tid"), form.Get("content")
	var vars map[string]any
	switch {
	case form.Get("seller") != s.creds.SMSSeller:
		reject("短信签名不存在或未审核")
		return
	case !mobileRe.MatchString(phone):
		reject("手机号码格式错误")
		return
	case tid == "" || onlyDigits(tid) != tid:
		reject("模板不存在")
		return
	case json.Unmarshal([]byte(content), &vars) != nil:
		reject("模板参数content格式错误")
		return
	}
	now := s.nowLocked()
	s.stats.SMS["accepted"]++
	s.smsSeq++
	out := form.Get("outorder")
	if cb := form.Get("callback"); callbackRe.MatchString(cb) {
		status, msg := "接收成功", "用户已接收"
		if strings.HasSuffix(phone, "0000") || s.rngFor("sms", out, phone, strconv.Itoa(s.smsSeq)).Float64() < 0.03 {
			status, msg = "接收失败", "用户手机关机或停机"
		}
		body, _ := json.Marshal(kuaidi100.SMSCallback{Status: 1, Msg: "成功", Data: kuaidi100.SMSCallbackData{
			OutOrder: out, Phone: phone, Status: status, Message: msg, Sign: kuaidi100.SMSCallbackSign(tid, phone, out)}})
		s.smsQueue = append(s.smsQueue, &smsJob{Due: now.Add(s.scaled(30 * time.Second)), Callback: cb, Body: body})
	}
	s.count(ep, "1")
	writeJSON(w, kuaidi100.SMSResponse{Status: 1, Msg: "短信发送中……"})
}
