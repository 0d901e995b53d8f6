package sandbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"image"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"shipdesk/kuaidi100"
	"shipdesk/kuaidi100/sandbox"
)

// The request shapes of Kuaidi100's official demos (kuaidi100-api php-demo,
// go-demo, java-demo, python-demo), rebuilt here from the fields and types
// each demo documents. The sandbox must accept each of them as the real
// service does: numbers as strings or numbers, null for absent fields,
// method in the URL query (PHP) or in the form (Go, Java, Python), printType
// CLOUD with a siid and ORDERFIRST, non-ASCII escaped (Python json.dumps)
// or not (PHP JSON_UNESCAPED_UNICODE).

// post sends form to the sandbox path (with an optional query) and decodes
// the answer into out.
func (e *env) post(path, query string, form url.Values, out any) {
	e.t.Helper()
	u := e.srv.URL + path
	if query != "" {
		u += "?" + query
	}
	resp, err := e.srv.Client().Post(u, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(body, out); err != nil {
		e.t.Fatalf("%s answered %s: %v", path, body, err)
	}
}

type v2Answer struct {
	Success bool   `json:"success"`
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    struct {
		TaskID        string `json:"taskId"`
		KuaidiNum     string `json:"kuaidinum"`
		KdComOrderNum string `json:"kdComOrderNum"`
		Label         string `json:"label"`
		BulkPen       string `json:"bulkpen"`
	} `json:"data"`
}

// labelForm is the signed form of label/order: key, t, sign and param;
// method only when inForm (the PHP demos put it in the URL instead).
func (e *env) labelForm(method string, inForm bool, param string) url.Values {
	c := e.sb.Credentials()
	t := strconv.FormatInt(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC).UnixMilli(), 10)
	f := url.Values{"key": {c.Key}, "t": {t}, "param": {param}, "sign": {kuaidi100.LabelSign(param, t, c.Key, c.Secret)}}
	if inForm {
		f.Set("method", method)
	}
	return f
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// pythonDumps is json.dumps: every non-ASCII character escaped as \uXXXX.
func pythonDumps(t *testing.T, v any) string {
	var b strings.Builder
	for _, r := range mustJSON(t, v) {
		if r < 0x80 {
			b.WriteRune(r)
			continue
		}
		for _, u := range utf16.Encode([]rune{r}) {
			b.WriteString(`\u` + strconv.FormatInt(int64(u)+0x10000, 16)[1:])
		}
	}
	return b.String()
}

func TestOfficialDemoShapes(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	man := func(name string) map[string]any {
		return map[string]any{"name": name, "mobile": "13888888888", "tel": "", "printAddr": "广东深圳市南山区金蝶软件园", "company": ""}
	}

	// PHP print_order.php: every number a string, nulls for what it
	// leaves out, method=order in the URL, JSON_UNESCAPED_UNICODE.
	php := map[string]any{
		"printType": "NON", "partnerId": "sandbox", "partnerKey": "sandbox", "partnerSecret": "", "partnerName": "",
		"net": "sandbox", "code": "ztoOpen", "checkMan": "", "tbNet": "", "kuaidicom": "zhongtong",
		"recMan": man("张三"), "sendMan": man("李四"), "cargo": "文件", "count": "1", "weight": "0.5",
		"payType": "SHIPPER", "expType": "标准快递", "remark": "测试", "siid": "", "direction": "0",
		"tempId": "", "childTempId": "", "backTempId": "", "valinsPay": "", "collection": "",
		"needChild": "0", "needBack": "0", "orderId": nil, "callBackUrl": nil, "salt": "",
		"needSubscribe": false, "pollCallBackUrl": nil, "resultv2": "0", "needDesensitization": false,
		"needLogo": false, "thirdOrderId": nil, "oaid": nil, "thirdTemplateURL": nil,
		"thirdCustomTemplateUrl": nil, "customParam": nil, "needOcr": false, "ocrInclude": nil,
		"height": nil, "width": nil,
	}
	var a v2Answer
	e.post(kuaidi100.PathLabel, "method=order", e.labelForm("order", false, mustJSON(t, php)), &a)
	if !a.Success || a.Code != 200 || a.Data.KuaidiNum == "" || a.Data.KdComOrderNum == "" || a.Data.BulkPen == "" {
		t.Fatalf("PHP order: %+v", a)
	}
	ztoNum, ztoOrder := a.Data.KuaidiNum, a.Data.KdComOrderNum

	// PHP ele_cancel.php: the same account fields, orderId = kdComOrderNum.
	phpCancel := map[string]any{"partnerId": "sandbox", "partnerKey": "sandbox", "partnerSecret": "", "partnerName": "",
		"net": "sandbox", "code": "ztoOpen", "kuaidicom": "zhongtong", "kuaidinum": ztoNum, "orderId": ztoOrder, "reason": "测试"}
	a = v2Answer{}
	e.post(kuaidi100.PathLabel, "method=cancel", e.labelForm("cancel", false, mustJSON(t, phpCancel)), &a)
	if !a.Success || a.Code != 200 {
		t.Fatalf("PHP cancel: %+v", a)
	}

	// Go elec_order.go: count a number, collection a string, printType
	// CLOUD with a siid, customParam an object of zero values, method in
	// the form.
	goOrder := map[string]any{
		"partnerId": "sandbox", "kuaidicom": "zhaijisong", "recMan": man("张三"), "sendMan": man("李四"),
		"cargo": "test", "tempId": "60f6c17c7c223700131d8bc3", "childTempId": "61bff9efc66fb00013a1b168",
		"backTempId": "61bffa26c66fb00013a1b16c", "payType": "SHIPPER", "expType": "标准快递", "remark": "测试下单,请勿发货",
		"collection": "0", "needChild": "0", "needBack": "0", "count": 1, "printType": "CLOUD", "siid": "KX100SANDBOX",
		"needDesensitization": true, "needLogo": true,
		"customParam": map[string]any{"name": "", "flag": "", "count": 0, "unit": "", "total": "", "orderId": "", "customerId": "",
			"cargo1": "", "cargo2": "", "num": "", "label": "", "qrCode": "", "org": ""},
	}
	a = v2Answer{}
	e.post(kuaidi100.PathLabel, "", e.labelForm("order", true, mustJSON(t, goOrder)), &a)
	if !a.Success || a.Code != 200 || a.Data.KuaidiNum == "" || a.Data.Label != "" {
		t.Fatalf("Go CLOUD order: %+v", a)
	}
	zjsNum, zjsOrder := a.Data.KuaidiNum, a.Data.KdComOrderNum
	if e.sb.Stats().Pushes["cloudPrinted"] != 1 {
		t.Errorf("CLOUD order not printed on the cloud printer: %v", e.sb.Stats().Pushes)
	}
	// Go elec_cancel.go sends every account field it has, needed or not.
	goCancel := map[string]any{"partnerId": "sandbox", "partnerKey": "x", "partnerSecret": "x", "partnerName": "x", "net": "x",
		"code": "x", "kuaidicom": "zhaijisong", "kuaidinum": zjsNum, "orderId": zjsOrder, "checkMan": "x", "reason": "123",
		"customParam": map[string]any{"count": 0}}
	a = v2Answer{}
	e.post(kuaidi100.PathLabel, "", e.labelForm("cancel", true, mustJSON(t, goCancel)), &a)
	if !a.Success || a.Code != 200 {
		t.Fatalf("Go cancel: %+v", a)
	}

	// Java OrderReq via Gson: numbers as numbers (weight 0.0), defaults
	// payType MONTHLY and childNumType normal, booleans false, CLOUD.
	java := map[string]any{
		"recMan":    map[string]any{"name": "张三", "mobile": "15999566666", "printAddr": "广东省深圳市南山区科技南十二路"},
		"sendMan":   map[string]any{"name": "李四", "mobile": "15999566666", "printAddr": "北京市海淀区xxx路"},
		"kuaidicom": "zhaijisong", "partnerId": "sandbox", "payType": "MONTHLY", "weight": 0.0, "count": 1, "valinsPay": 0.0,
		"collection": 0.0, "freight": 0.0, "scanSupport": 0, "isOut": 0, "isPickupSelf": 0, "isCenterDelivery": 0,
		"childNumType": "normal", "siid": "KX100SANDBOX", "tempId": "60f6c17c7c223700131d8bc3", "needSubscribe": false,
		"needDesensitization": false, "needLogo": false, "printType": "CLOUD", "needOcr": false, "cargo": "文件",
	}
	a = v2Answer{}
	e.post(kuaidi100.PathLabel, "", e.labelForm("order", true, mustJSON(t, java)), &a)
	if !a.Success || a.Code != 200 || a.Data.TaskID == "" {
		t.Fatalf("Java order: %+v", a)
	}

	// Python json.dumps (\u escapes), every number a string, ORDERFIRST
	// with a siid; then printOld prints it.
	py := map[string]any{
		"partnerId": "sandbox", "partnerKey": "sandbox", "net": "", "kuaidicom": "yuantong",
		"recMan": man("张三"), "sendMan": man("李四"), "cargo": "发票", "count": "1", "weight": "0.5",
		"payType": "SHIPPER", "expType": "标准快递", "remark": "", "siid": "KX100SANDBOX", "valinsPay": "", "collection": "",
		"needChild": "0", "needBack": "0", "orderId": "2147895476", "height": "100", "width": "75",
		"callBackUrl": "", "salt": "", "pollCallBackUrl": "", "resultv2": "0", "printType": "ORDERFIRST",
	}
	param := pythonDumps(t, py)
	if !strings.Contains(param, `\u`) || strings.Contains(param, "张") {
		t.Fatalf("not the json.dumps form: %s", param)
	}
	a = v2Answer{}
	e.post(kuaidi100.PathLabel, "", e.labelForm("order", true, param), &a)
	if !a.Success || a.Code != 200 || a.Data.TaskID == "" {
		t.Fatalf("Python ORDERFIRST order: %+v", a)
	}
	a2 := v2Answer{}
	e.post(kuaidi100.PathLabel, "", e.labelForm("printOld", true, `{"taskId":"`+a.Data.TaskID+`"}`), &a2)
	if !a2.Success || a2.Code != 200 {
		t.Fatalf("printOld after ORDERFIRST: %+v", a2)
	}

	// PHP synquery.php: phone/from/to empty strings, resultv2 "1".
	c := e.sb.Credentials()
	q := mustJSON(t, map[string]any{"com": "yuantong", "num": a.Data.KuaidiNum, "phone": "", "from": "", "to": "", "resultv2": "1"})
	var qa struct {
		Nu         string `json:"nu"`
		ReturnCode string `json:"returnCode"`
	}
	e.sb.Advance(12 * time.Hour)
	e.post(kuaidi100.PathQuery, "", url.Values{"customer": {c.Customer}, "param": {q}, "sign": {kuaidi100.QuerySign(q, c.Key, c.Customer)}}, &qa)
	if qa.Nu != a.Data.KuaidiNum {
		t.Fatalf("PHP query: %+v", qa)
	}

	// PHP subscribe.php: every parameter present, most of them empty.
	sp := mustJSON(t, map[string]any{"company": "yuantong", "number": a.Data.KuaidiNum, "from": "", "to": "", "key": c.Key,
		"parameters": map[string]any{"callbackurl": e.recv.URL + "/push", "salt": salt, "resultv2": "1", "autoCom": "0", "interCom": "0",
			"departureCountry": "", "departureCom": "", "destinationCountry": "", "destinationCom": "", "phone": ""}})
	var sa struct {
		Result     bool   `json:"result"`
		ReturnCode string `json:"returnCode"`
	}
	e.post(kuaidi100.PathSubscribe, "", url.Values{"schema": {"json"}, "param": {sp}}, &sa)
	if !sa.Result || sa.ReturnCode != "200" {
		t.Fatalf("PHP subscribe: %+v", sa)
	}
	if v := e.sb.Stats().Violations; len(v) != 0 {
		t.Errorf("the demos caused violations %v", v)
	}
}

// TestSandboxRefusesAccountsAsTheCarrier: a required field missing is a
// 30001 naming it, a wrong value is refused, a fixed value must stay.
func TestSandboxRefusesAccountsAsTheCarrier(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	base := func(com string, acct map[string]any) map[string]any {
		p := map[string]any{"kuaidicom": com, "cargo": "眼镜", "count": "1",
			"recMan":  map[string]any{"name": "王芳", "mobile": "13700001111", "printAddr": "天津市河西区友谊路32号"},
			"sendMan": map[string]any{"name": "视光中心", "tel": "022-23346655", "printAddr": "天津市南开区复康路4号"}}
		for k, v := range acct {
			p[k] = v
		}
		return p
	}
	for _, c := range []struct {
		name, com string
		acct      map[string]any
		want      string // in the message; "" = accepted
	}{
		{"no account", "yuantong", nil, "partnerId"},
		{"no key", "yuantong", map[string]any{"partnerId": "sandbox"}, "partnerKey"},
		{"ZTO without net", "zhongtong", map[string]any{"partnerId": "sandbox", "partnerKey": "sandbox", "code": "ztoOpen"}, "net"},
		{"ZTO without code", "zhongtong", map[string]any{"partnerId": "sandbox", "partnerKey": "sandbox", "net": "sandbox"}, "code"},
		{"ZTO code not fixed value", "zhongtong", map[string]any{"partnerId": "sandbox", "partnerKey": "sandbox", "net": "sandbox", "code": "sandbox"}, "code"},
		{"wrong key", "yuantong", map[string]any{"partnerId": "sandbox", "partnerKey": "guess"}, "partnerKey"},
		{"SF wrong 月结账号", "shunfeng", map[string]any{"partnerId": "0221234567"}, "月结账号"},
		{"SF", "shunfeng", map[string]any{"partnerId": "sandbox"}, ""},
		{"ZTO", "zhongtong", map[string]any{"partnerId": "sandbox", "partnerKey": "sandbox", "net": "sandbox", "code": "ztoOpen"}, ""},
		{"STO", "shentong", map[string]any{"partnerId": "sandbox", "partnerKey": "sandbox", "net": "sandbox", "code": "44"}, ""},
		{"韵达点通达 net+checkMan", "yundadiantongda", map[string]any{"net": "sandbox", "checkMan": "sandbox"}, ""},
		{"not an e-waybill carrier", "fedex", map[string]any{"partnerId": "sandbox"}, "fedex"},
	} {
		var a v2Answer
		e.post(kuaidi100.PathLabel, "", e.labelForm("order", true, mustJSON(t, base(c.com, c.acct))), &a)
		switch {
		case c.want == "" && (!a.Success || a.Code != 200):
			t.Errorf("%s: refused %+v", c.name, a)
		case c.want != "" && (a.Success || a.Code != 30001 || !strings.Contains(a.Message, c.want)):
			t.Errorf("%s: %+v, want 30001 naming %s", c.name, a, c.want)
		}
	}
	// Every carrier of the dictionary takes its sandbox account.
	for _, spec := range kuaidi100.AccountSpecs() {
		acct, _ := kuaidi100.SandboxAccount(spec.Carrier)
		m := map[string]any{}
		for _, name := range kuaidi100.AccountFields {
			if v := acct.Field(name); v != "" {
				m[name] = v
			}
		}
		var a v2Answer
		e.post(kuaidi100.PathLabel, "", e.labelForm("order", true, mustJSON(t, base(spec.Carrier, m))), &a)
		if !a.Success {
			t.Errorf("%s sandbox account refused: %+v", spec.Carrier, a)
		}
	}
	if !strings.Contains(sandbox.AccountsNote(), "ztoOpen") {
		t.Errorf("start note %q does not tell the fixed values", sandbox.AccountsNote())
	}
}

// TestClientOrderAndCancelCarryTheAccount reads the requests the client
// sends: exactly the carrier's fields, and the same on cancel with the
// carrier order number.
func TestClientOrderAndCancelCarryTheAccount(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t, sandbox.Options{})
	var (
		mu   sync.Mutex
		seen []url.Values
	)
	spy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == kuaidi100.PathLabel {
			body, _ := io.ReadAll(r.Body)
			f, _ := url.ParseQuery(string(body))
			mu.Lock()
			seen = append(seen, f)
			mu.Unlock()
			r.Body = io.NopCloser(strings.NewReader(string(body)))
		}
		e.sb.ServeHTTP(w, r)
	}))
	t.Cleanup(spy.Close)
	cfg := e.cl.Config()
	cfg.BaseURL, cfg.HTTPClient = spy.URL, spy.Client()
	e.cl = kuaidi100.New(cfg)
	res, err := e.cl.Order(ctx, order("ACC-1", "zhongtong"))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.cl.Cancel(ctx, kuaidi100.CancelRequest{Com: "zhongtong", Num: res.Waybill, OrderID: res.CarrierOrder, Reason: "患者取消", Account: res.Account}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	sent := append([]url.Values(nil), seen...)
	mu.Unlock()
	if len(sent) != 2 {
		t.Fatalf("%d label requests", len(sent))
	}
	var op, cp map[string]any
	json.Unmarshal([]byte(sent[0].Get("param")), &op)
	json.Unmarshal([]byte(sent[1].Get("param")), &cp)
	for _, f := range []string{"partnerId", "partnerKey", "net", "code"} {
		if op[f] == nil || op[f] != cp[f] {
			t.Errorf("%s: order %v, cancel %v", f, op[f], cp[f])
		}
	}
	for _, f := range []string{"partnerSecret", "partnerName", "checkMan"} {
		if _, ok := op[f]; ok {
			t.Errorf("order sends %s, which ZTO does not use", f)
		}
	}
	if op["code"] != "ztoOpen" || cp["orderId"] != res.CarrierOrder || cp["orderId"] == "" {
		t.Errorf("order code %v, cancel orderId %v (want %s)", op["code"], cp["orderId"], res.CarrierOrder)
	}

	// No account: refused before any request, naming the carrier.
	req := order("ACC-2", "yuantong")
	req.Account = kuaidi100.Account{}
	_, err = e.cl.Order(ctx, req)
	var ke *kuaidi100.Error
	if !errors.Is(err, kuaidi100.ErrNoAccount) || !errors.As(err, &ke) || ke.Message != "没有圆通的电子面单账号：请主管在 设置 → 快递账号 中填写" {
		t.Errorf("no account: %v", err)
	}
	req.Account = kuaidi100.Account{PartnerID: "sandbox"}
	if _, err = e.cl.Order(ctx, req); !errors.Is(err, kuaidi100.ErrNoAccount) || !strings.Contains(err.Error(), "商家密钥") {
		t.Errorf("half an account: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 2 {
		t.Errorf("refused orders still sent %d requests", len(seen)-2)
	}
}

// TestCarrierTemplateImage: printType IMAGE gives a short link; the client
// fetches the rendered label, waiting while the service still renders it.
func TestCarrierTemplateImage(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t, sandbox.Options{})
	cfg := e.cl.Config()
	cfg.LabelRetryDelay = time.Millisecond
	cl := kuaidi100.New(cfg)
	req := order("IMG-1", "jtexpress")
	req.PrintType = kuaidi100.PrintImage
	res, err := cl.Order(ctx, req)
	if err != nil || res.LabelURL == "" {
		t.Fatalf("%+v %v", res, err)
	}
	img, err := cl.FetchLabelImage(ctx, res.LabelURL)
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds() != image.Rect(0, 0, sandbox.LabelWidth, sandbox.LabelHeight) {
		t.Errorf("image %v", img.Bounds())
	}
	if _, err := cl.FetchLabelImage(ctx, e.srv.URL+"/sandbox/label/NOSUCHTASK"); !errors.Is(err, kuaidi100.ErrLabelNotReady) {
		t.Errorf("an image that never comes: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := cl.FetchLabelImage(cctx, res.LabelURL); err == nil {
		t.Error("fetch with an ended context succeeded")
	}
}
