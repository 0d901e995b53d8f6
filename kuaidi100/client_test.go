package kuaidi100_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"shipdesk/kuaidi100"
)

// canned is an httptest server that records the last request and answers
// with a fixed body per path.
type canned struct {
	mu     sync.Mutex
	bodies map[string]string
	last   map[string]url.Values
	ctype  map[string]string
	query  map[string]url.Values
}

func newCanned(t *testing.T, bodies map[string]string) (*canned, *kuaidi100.Client) {
	t.Helper()
	c := &canned{bodies: bodies, last: map[string]url.Values{}, ctype: map[string]string{}, query: map[string]url.Values{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(b))
		c.mu.Lock()
		c.last[r.URL.Path] = form
		c.ctype[r.URL.Path] = r.Header.Get("Content-Type")
		c.query[r.URL.Path] = r.URL.Query()
		body, ok := c.bodies[r.URL.Path]
		c.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	cl := kuaidi100.New(kuaidi100.Config{
		Key: "testkey", Customer: "TESTCUSTOMER", Secret: "testsecret", UserID: "user01", SMSSeller: "眼科",
		BaseURL: srv.URL, HTTPClient: srv.Client(),
		Now: func() time.Time { return time.UnixMilli(1576123932000) },
	})
	return c, cl
}

func (c *canned) form(path string) url.Values {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last[path]
}

func TestSignHandComputed(t *testing.T) {
	// Expected values computed independently (Python hashlib.md5().hexdigest().upper()).
	cases := []struct{ name, got, want string }{
		{"query", kuaidi100.QuerySign(`{"com":"yuantong","num":"YT9383342193097","resultv2":"4"}`, "testkey", "TESTCUSTOMER"), "EEF36C944E519FC0C35319665B9C73DE"},
		{"label", kuaidi100.LabelSign(`{"taskId":"ABC123"}`, "1576123932000", "testkey", "testsecret"), "C61F80BF52C5D24BE7AB4DCBD64625C1"},
		{"sms key first", kuaidi100.SMSSign("testkey", "user01"), "3C1F23C34E132BA9AD6B7BCA7F85FE30"},
		{"push", kuaidi100.PushSign(`{"status":"shutdown","message":"","lastResult":{"nu":"75000000000000","com":"zhongtong","state":"3","ischeck":"1","data":[]}}`, "salt-一二三"), "B5C5DA5D876E094084C9F45A8DE2BEFE"},
		{"empty", kuaidi100.Sign(), "D41D8CD98F00B204E9800998ECF8427E"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: sign %s, want %s", c.name, c.got, c.want)
		}
	}
}

const querySuccess = `{"message":"ok","nu":"YT9383342193097","com":"yuantong","ischeck":"0","status":"200","state":"1002","condition":"00",
 "data":[
  {"time":"2025-03-01 21:02:11","ftime":"2025-03-01 21:02:11","context":"快件已到达【深圳转运中心】","location":"","areaCode":"CN440300000000","areaName":"广东,深圳市","status":"干线","statusCode":"1002"},
  {"time":"2025-03-02 09:15:00","ftime":"2025-03-02 09:15:00","context":"【深圳市】快件正在派送中","location":"","areaCode":"CN440305000000","areaName":"广东,深圳市,南山区","status":"派件","statusCode":"5"},
  {"time":"2025-03-01 08:00:00","ftime":"2025-03-01 08:00:00","context":"已揽收","status":"揽收"}],
 "routeInfo":{"from":{"number":"CN310110000000","name":"上海,上海,杨浦区"},"cur":{"number":"CN440305000000","name":"广东,深圳市,南山区"},"to":null},"isLoop":false}`

func TestQuerySendsSignedFormAndDecodes(t *testing.T) {
	srv, cl := newCanned(t, map[string]string{kuaidi100.PathQuery: querySuccess})
	tr, err := cl.Query(t.Context(), kuaidi100.QueryRequest{Com: "YuanTong", Num: " yt9383342193097 ", From: "上海市杨浦区", To: "天津市河西区"})
	if err != nil {
		t.Fatal(err)
	}
	f := srv.form(kuaidi100.PathQuery)
	if got, want := f.Get("param"), `{"com":"yuantong","num":"YT9383342193097","from":"上海市杨浦区","to":"天津市河西区","resultv2":"4","needCourierInfo":true}`; got != want {
		t.Errorf("param %s, want %s", got, want)
	}
	// Computed independently: Python hashlib.md5(param+key+customer).
	if f.Get("sign") != "5A0EA995AD253707CF20961BF01360DA" || f.Get("customer") != "TESTCUSTOMER" {
		t.Errorf("sign/customer %q %q", f.Get("sign"), f.Get("customer"))
	}
	if ct := srv.ctype[kuaidi100.PathQuery]; !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		t.Errorf("content type %q", ct)
	}
	if tr.Num != "YT9383342193097" || tr.Com != "yuantong" || tr.State != "1002" || tr.Signed {
		t.Errorf("track %+v", tr)
	}
	if tr.Milestone != kuaidi100.MilestoneInTransit {
		t.Errorf("milestone %v", tr.Milestone)
	}
	if len(tr.Events) != 3 || tr.Events[0].Context != "【深圳市】快件正在派送中" || tr.Events[2].Context != "已揽收" {
		t.Fatalf("events not newest first: %+v", tr.Events)
	}
	if tr.Events[0].Milestone != kuaidi100.MilestoneOutForDelivery || tr.Events[2].Milestone != kuaidi100.MilestonePickedUp {
		t.Errorf("event milestones %v %v", tr.Events[0].Milestone, tr.Events[2].Milestone)
	}
	if tr.Events[0].Area != "广东,深圳市,南山区" || tr.Events[0].State != "5" {
		t.Errorf("event %+v", tr.Events[0])
	}
	if want := time.Date(2025, 3, 2, 9, 15, 0, 0, time.FixedZone("", 8*3600)); !tr.Events[0].Time.Equal(want) {
		t.Errorf("time %v, want %v", tr.Events[0].Time, want)
	}
	if tr.Route.From != "上海,上海,杨浦区" || tr.Route.To != "" {
		t.Errorf("route %+v", tr.Route)
	}
}

func TestQueryPhoneLastFour(t *testing.T) {
	srv, cl := newCanned(t, map[string]string{kuaidi100.PathQuery: querySuccess})
	for in, want := range map[string]string{"1234": "1234", "138 0013 8000": "13800138000", "13800138000-5678": "5678", "022-23346655-8001": "02223346655"} {
		if _, err := cl.Query(t.Context(), kuaidi100.QueryRequest{Com: "shunfeng", Num: "SF1342567604302", Phone: in}); err != nil {
			t.Fatal(err)
		}
		if got := srv.form(kuaidi100.PathQuery).Get("param"); !strings.Contains(got, `"phone":"`+want+`"`) {
			t.Errorf("phone %q sent as %s, want %s", in, got, want)
		}
	}
}

func TestNumbersAsStringsAndStringsAsNumbers(t *testing.T) {
	body := `{"message":"ok","nu":75000000000000,"com":"zhongtong","ischeck":1,"status":200,"state":3,"condition":"F00",
	  "data":[{"time":"2025-03-03 10:01:00","ftime":"2025-03-03 10:01:00","context":"\u5df2\u7b7e\u6536 \"ok\"","status":"签收","statusCode":301}]}`
	tr, err := kuaidi100.DecodeQueryResponse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if tr.Num != "75000000000000" || tr.State != "3" || !tr.Signed || tr.Milestone != kuaidi100.MilestoneDelivered || tr.Events[0].State != "301" || tr.Events[0].Context != `已签收 "ok"` {
		t.Errorf("track %+v", tr)
	}
	c, err := kuaidi100.DecodeAutoNumber([]byte(`[{"lengthPre":"15","comCode":"yuantong","name":"圆通速递"},{"lengthPre":15,"comCode":"shentong"}]`))
	if err != nil || len(c) != 2 || c[0].Code != "yuantong" || c[1].Name != "申通快递" || c[0].Confidence <= c[1].Confidence || c[0].Confidence >= 1 {
		t.Errorf("autonumber %+v %v", c, err)
	}
	res, err := kuaidi100.DecodeOrderResponse("order", []byte(`{"success":"true","code":"200","message":"success","data":{"kuaidinum":"SF1","taskId":42}}`))
	if err != nil || res.TaskID != "42" || res.Waybill != "SF1" {
		t.Errorf("label code as string: %+v %v", res, err)
	}
	if _, err := kuaidi100.DecodeSMSResponse([]byte(`{"status":"1","msg":"短信发送中"}`)); err != nil {
		t.Errorf("sms status as string: %v", err)
	}
}

func TestEveryQueryCode(t *testing.T) {
	cases := map[string]error{
		"400": kuaidi100.ErrBadCarrier, "408": kuaidi100.ErrPhoneRequired, "500": kuaidi100.ErrNoResult,
		"501": kuaidi100.ErrServer, "502": kuaidi100.ErrBusy, "503": kuaidi100.ErrSignature, "600": kuaidi100.ErrAuth, "601": kuaidi100.ErrQuota,
	}
	for code, want := range cases {
		body := `{"result":false,"returnCode":"` + code + `","message":"服务消息` + code + `"}`
		_, cl := newCanned(t, map[string]string{kuaidi100.PathQuery: body})
		_, err := cl.Query(t.Context(), kuaidi100.QueryRequest{Com: "yuantong", Num: "YT9383342193097"})
		checkErr(t, "query "+code, err, want, code, body)
	}
	// No logic reads the service's words: a 500 whatever its message is
	// "no result yet"; a lock is what the caller's own records prevent.
	_, err := kuaidi100.DecodeQueryResponse([]byte(`{"result":false,"returnCode":"500","message":"该单号查询过于频繁已被锁定"}`))
	if !errors.Is(err, kuaidi100.ErrNoResult) {
		t.Errorf("500 with a lock message: %v", err)
	}
}

func checkErr(t *testing.T, name string, err, want error, code, raw string) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: error %v, want %v", name, err, want)
		return
	}
	var e *kuaidi100.Error
	if !errors.As(err, &e) {
		t.Errorf("%s: %T is not *kuaidi100.Error", name, err)
		return
	}
	if e.Code != code || e.Raw != raw {
		t.Errorf("%s: code %q raw %q", name, e.Code, e.Raw)
	}
	if !hasHan(e.Message) {
		t.Errorf("%s: message %q is not a Chinese sentence", name, e.Message)
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}

func TestSubscribeRequestAndCodes(t *testing.T) {
	srv, cl := newCanned(t, map[string]string{kuaidi100.PathSubscribe: `{"result":true,"returnCode":"200","message":"提交成功"}`})
	err := cl.Subscribe(t.Context(), kuaidi100.SubscribeRequest{Com: "shunfeng", Num: "SF1342567604302", Phone: "13800138000-1234",
		CallbackURL: "http://relay.example.com/kd100/push?shipment=42", Salt: "s4lt", To: "北京市朝阳区"})
	if err != nil {
		t.Fatal(err)
	}
	f := srv.form(kuaidi100.PathSubscribe)
	want := `{"company":"shunfeng","number":"SF1342567604302","to":"北京市朝阳区","key":"testkey","parameters":{"callbackurl":"http://relay.example.com/kd100/push?shipment=42","salt":"s4lt","resultv2":"4","phone":"1234"}}`
	if f.Get("schema") != "json" || f.Get("param") != want || f.Has("sign") {
		t.Errorf("form %v\nwant param %s", f, want)
	}
	if err := cl.Subscribe(t.Context(), kuaidi100.SubscribeRequest{Num: "SF1342567604302", CallbackURL: "http://x/", AutoCom: true}); err != nil {
		t.Fatal(err)
	}
	if p := srv.form(kuaidi100.PathSubscribe).Get("param"); !strings.Contains(p, `"company":""`) || !strings.Contains(p, `"autoCom":"1"`) {
		t.Errorf("autoCom param %s", p)
	}
	cases := map[string]error{
		"500": kuaidi100.ErrServer, "502": kuaidi100.ErrBusy, "600": kuaidi100.ErrAuth, "601": kuaidi100.ErrQuota,
		"700": kuaidi100.ErrBadRequest, "701": kuaidi100.ErrBadCarrier, "702": kuaidi100.ErrBadCarrier,
	}
	for code, want := range cases {
		body := `{"result":false,"returnCode":"` + code + `","message":"x"}`
		checkErr(t, "subscribe "+code, kuaidi100.DecodeSubscribeResponse([]byte(body)), want, code, body)
	}
	if err := kuaidi100.DecodeSubscribeResponse([]byte(`{"result":false,"returnCode":"501","message":"重复订阅"}`)); err != nil {
		t.Errorf("501 duplicate must be success: %v", err)
	}
	if err := kuaidi100.DecodeSubscribeResponse([]byte(`{"result":false,"returnCode":"501","message":"本月订阅次数已达上限"}`)); err != nil {
		t.Errorf("501 is a duplicate whatever its message: %v", err)
	}
}

func TestAutoNumber(t *testing.T) {
	srv, cl := newCanned(t, map[string]string{kuaidi100.PathAutoNumber: `[{"lengthPre":15,"comCode":"yuantong","name":"圆通速递"}]`})
	c, err := cl.AutoNumber(t.Context(), "YT9383342193097")
	if err != nil || len(c) != 1 || c[0].Source != "autonumber" || c[0].Code != "yuantong" {
		t.Fatalf("%+v %v", c, err)
	}
	if q := srv.query[kuaidi100.PathAutoNumber]; q.Get("num") != "YT9383342193097" || q.Get("key") != "testkey" {
		t.Errorf("query string %v", q)
	}
	for code, want := range map[string]error{"201": kuaidi100.ErrBadNumber, "601": kuaidi100.ErrNotEnabled, "701": kuaidi100.ErrAuth} {
		body := `{"returnCode":"` + code + `","message":"m","result":false}`
		_, err := kuaidi100.DecodeAutoNumber([]byte(body))
		checkErr(t, "autonumber "+code, err, want, code, body)
	}
}

const orderOK = `{"success":true,"code":200,"message":"success","time":412,
 "data":{"taskId":"A1B2C3D4E5F6","kuaidinum":"JT1234567890123","childNum":"JT1234567890124, JT1234567890125","returnNum":"",
         "label":"http://api.kuaidi100.com/label/x","kdComOrderNum":"CO-9","bulkpen":"510-T01 04","orgCode":"755","destCode":"010","pkgName":"北京集包"}}`

func TestOrderRequestFields(t *testing.T) {
	srv, cl := newCanned(t, map[string]string{kuaidi100.PathLabel: orderOK})
	res, err := cl.Order(t.Context(), kuaidi100.OrderRequest{
		OrderID: "SD20261126-0001", Com: "jtexpress",
		Recipient: kuaidi100.Party{Name: "王芳", Phone: "13700001111", Address: "天津市河西区友谊路32号"},
		Sender:    kuaidi100.Party{Name: "视光中心", Phone: "022-23346655", Province: "天津市", City: "天津市", District: "南开区", Address: "复康路4号"},
		Cargo:     "眼镜", Count: 1, Weight: 0.5, PayType: kuaidi100.PayShipper, ExpType: "标准快递", Remark: "易碎",
		InsuredValue: 800, PrintType: kuaidi100.PrintImage, ChildCount: 2,
		Account: kuaidi100.Account{PartnerID: "JT-C1", PartnerKey: "pw", Net: "not-for-jt", PartnerName: "not-for-jt"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Waybill != "JT1234567890123" || res.TaskID != "A1B2C3D4E5F6" || res.CarrierOrder != "CO-9" || res.Routing.BulkPen != "510-T01 04" ||
		res.Routing.DestCode != "010" || res.Routing.PkgName != "北京集包" || len(res.ChildWaybills) != 2 || res.ChildWaybills[1] != "JT1234567890125" {
		t.Errorf("result %+v", res)
	}
	f := srv.form(kuaidi100.PathLabel)
	if f.Get("method") != "order" || f.Get("key") != "testkey" || f.Get("t") != "1576123932000" || f.Has("secret") {
		t.Errorf("form %v", f)
	}
	if f.Get("sign") != kuaidi100.LabelSign(f.Get("param"), "1576123932000", "testkey", "testsecret") {
		t.Error("sign does not cover the param sent")
	}
	p := f.Get("param")
	for _, want := range []string{`"kuaidicom":"jtexpress"`, `"orderId":"SD20261126-0001"`, `"reorder":false`, `"printType":"IMAGE"`,
		`"recMan":{"name":"王芳","mobile":"13700001111","printAddr":"天津市河西区友谊路32号"}`, `"tel":"022-23346655"`,
		`"printAddr":"天津市南开区复康路4号"`, `"cargo":"眼镜"`, `"count":3`, `"weight":0.5`, `"payType":"SHIPPER"`, `"expType":"标准快递"`,
		`"remark":"易碎"`, `"valinsPay":800`, `"needChild":"1"`, `"partnerId":"JT-C1"`, `"partnerKey":"pw"`} {
		if !strings.Contains(p, want) {
			t.Errorf("param lacks %s:\n%s", want, p)
		}
	}
	// Exactly the carrier's fields: JT needs no net nor partnerName, and
	// subscribing is the tracking worker's, not the order's.
	for _, not := range []string{`"net"`, `"partnerName"`, `"needSubscribe"`, `"pollCallBackUrl"`, `"salt"`} {
		if strings.Contains(p, not) {
			t.Errorf("param has %s:\n%s", not, p)
		}
	}
}

func TestLabelCodes(t *testing.T) {
	for code, want := range map[string]error{"-1": kuaidi100.ErrServer, "30001": kuaidi100.ErrBadRequest, "30002": kuaidi100.ErrSignature,
		"30003": kuaidi100.ErrAuth, "30004": kuaidi100.ErrQuota, "30009": kuaidi100.ErrTaskNotFound} {
		body := `{"success":false,"code":` + code + `,"message":"m"}`
		_, cl := newCanned(t, map[string]string{kuaidi100.PathLabel: body})
		_, err := cl.Reprint(t.Context(), "T1")
		checkErr(t, "label "+code, err, want, code, body)
	}
	body := `{"success":false,"code":30001,"message":"取消失败：快件已揽收"}`
	srv, cl := newCanned(t, map[string]string{kuaidi100.PathLabel: body})
	acct := kuaidi100.Account{PartnerID: "ZT1", PartnerKey: "k", Net: "022001"}
	err := cl.Cancel(t.Context(), kuaidi100.CancelRequest{Com: "zhongtong", Num: "75000000000000", OrderID: "KD-1", Reason: "患者取消", Account: acct})
	checkErr(t, "cancel refused", err, kuaidi100.ErrBadRequest, "30001", body)
	var e *kuaidi100.Error
	if errors.As(err, &e) && !strings.Contains(e.Message, "快件已揽收") {
		t.Errorf("the service's words are shown, not interpreted: %q", e.Message)
	}
	want := `{"kuaidicom":"zhongtong","kuaidinum":"75000000000000","orderId":"KD-1","reason":"患者取消","partnerId":"ZT1","partnerKey":"k","net":"022001","code":"ztoOpen"}`
	if got := srv.form(kuaidi100.PathLabel).Get("param"); got != want {
		t.Errorf("cancel param\n got %s\nwant %s", got, want)
	}
}

func TestReprintSign(t *testing.T) {
	srv, cl := newCanned(t, map[string]string{kuaidi100.PathLabel: `{"code":200,"message":"success","time":0,"success":true}`})
	res, err := cl.Reprint(t.Context(), "ABC123")
	if err != nil || res.TaskID != "ABC123" {
		t.Fatalf("%+v %v", res, err)
	}
	f := srv.form(kuaidi100.PathLabel)
	if f.Get("param") != `{"taskId":"ABC123"}` || f.Get("sign") != "C61F80BF52C5D24BE7AB4DCBD64625C1" || f.Get("method") != "printOld" {
		t.Errorf("form %v", f)
	}
}

func TestSendSMS(t *testing.T) {
	srv, cl := newCanned(t, map[string]string{kuaidi100.PathSMS: `{"status":1,"data":"","msg":"短信发送中……","extra":"","total":0}`})
	res, err := cl.SendSMS(t.Context(), kuaidi100.SMSRequest{Phone: "13700001111", TemplateID: "1234",
		Vars: map[string]string{"接收人姓名": "王芳", "快递单号": "JT1"}, OutOrder: "sms-7", CallbackURL: "http://relay/sms"})
	if err != nil || res.Message != "短信发送中……" {
		t.Fatalf("%+v %v", res, err)
	}
	f := srv.form(kuaidi100.PathSMS)
	if f.Get("sign") != "3C1F23C34E132BA9AD6B7BCA7F85FE30" || f.Get("userid") != "user01" || f.Get("seller") != "眼科" ||
		f.Get("tid") != "1234" || f.Get("outorder") != "sms-7" || f.Get("callback") != "http://relay/sms" ||
		f.Get("content") != `{"快递单号":"JT1","接收人姓名":"王芳"}` {
		t.Errorf("form %v", f)
	}
	_, err = kuaidi100.DecodeSMSResponse([]byte(`{"status":0,"msg":"模板不存在"}`))
	if !errors.Is(err, kuaidi100.ErrSMSRejected) || !strings.Contains(err.Error(), "模板不存在") {
		t.Errorf("rejected: %v", err)
	}
}

func TestSMSCallback(t *testing.T) {
	body := `{"status":1,"data":{"outorder":"sms-7","message":"ok","status":"接收成功","sign":"X"},"msg":"","extra":"","total":0}`
	r := httptest.NewRequest("POST", "/sms", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	rc, err := kuaidi100.ParseSMSCallback(r)
	if err != nil || rc.OutOrder != "sms-7" || rc.Status != kuaidi100.SMSStatusDelivered {
		t.Fatalf("%+v %v", rc, err)
	}
	form := url.Values{"param": {`{"data":{"outorder":"sms-8","status":"接收失败","message":"关机"}}`}}.Encode()
	r = httptest.NewRequest("POST", "/sms", strings.NewReader(form))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rc, err = kuaidi100.ParseSMSCallback(r)
	if err != nil || rc.OutOrder != "sms-8" || rc.Status != kuaidi100.SMSStatusFailed || !strings.Contains(rc.Detail, "关机") {
		t.Fatalf("%+v %v", rc, err)
	}
}

func TestPushVerifyAndReply(t *testing.T) {
	param := `{"status":"shutdown","billstatus":"check","message":"","autoCheck":"1","comOld":"yuantong","comNew":"zhongtong",
 "lastResult":{"message":"ok","state":"3","status":"200","condition":"F00","ischeck":"1","com":"zhongtong","nu":"75000000000000",
   "data":[{"time":"2025-03-03 10:01:00","ftime":"2025-03-03 10:01:00","context":"已签收","status":"签收","statusCode":"301","areaName":"北京,北京市,朝阳区"}]}}`
	sign := kuaidi100.PushSign(param, "salt")
	for _, s := range []string{sign, strings.ToLower(sign)} {
		p, err := kuaidi100.VerifyPush(param, s, "salt")
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != kuaidi100.PushShutdown || !p.AutoCheck || p.ComNew != "zhongtong" || p.Track.Milestone != kuaidi100.MilestoneDelivered || len(p.Track.Events) != 1 {
			t.Errorf("push %+v", p)
		}
	}
	if _, err := kuaidi100.VerifyPush(param, sign, "other"); !errors.Is(err, kuaidi100.ErrBadSignature) {
		t.Errorf("wrong salt: %v", err)
	}
	if _, err := kuaidi100.VerifyPush(param+" ", sign, "salt"); !errors.Is(err, kuaidi100.ErrBadSignature) {
		t.Errorf("altered param: %v", err)
	}
	r := httptest.NewRequest("POST", "/push?shipment=1", strings.NewReader(url.Values{"param": {param}, "sign": {sign}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if _, err := kuaidi100.ParsePushRequest(r, "salt"); err != nil {
		t.Fatal(err)
	}
	if string(kuaidi100.PushReplyOK) != `{"result":true,"returnCode":"200","message":"成功"}` {
		t.Errorf("reply %s", kuaidi100.PushReplyOK)
	}
	if !kuaidi100.IsPushReplyOK(kuaidi100.PushReply(true, "")) || kuaidi100.IsPushReplyOK(kuaidi100.PushReply(false, "db down")) {
		t.Error("PushReply")
	}
}

// endless is a reader that never ends, to prove bodies are not read whole.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	e.n += int64(len(p))
	return len(p), nil
}

func TestHugeBodiesRefused(t *testing.T) {
	src := &endless{}
	r := httptest.NewRequest("POST", "/push", io.NopCloser(src))
	r.ContentLength = -1
	if _, err := kuaidi100.ParsePushRequest(r, ""); !errors.Is(err, kuaidi100.ErrTooLarge) {
		t.Errorf("push: %v", err)
	}
	if src.n > 2*kuaidi100.MaxBody {
		t.Errorf("read %d bytes of an endless body", src.n)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"message":"ok","data":[`)
		io.Copy(w, io.LimitReader(&endless{}, 3<<20))
	}))
	defer srv.Close()
	cl := kuaidi100.New(kuaidi100.Config{Key: "k", Customer: "c", BaseURL: srv.URL})
	if _, err := cl.Query(t.Context(), kuaidi100.QueryRequest{Com: "ems", Num: "1136281381675"}); !errors.Is(err, kuaidi100.ErrTooLarge) {
		t.Errorf("query: %v", err)
	}
}

func TestMissingCredentials(t *testing.T) {
	cl := kuaidi100.New(kuaidi100.Config{})
	_, err := cl.Query(t.Context(), kuaidi100.QueryRequest{Com: "ems", Num: "1136281381675"})
	if !errors.Is(err, kuaidi100.ErrNoCredentials) || !strings.Contains(err.Error(), "KUAIDI100_") {
		t.Errorf("err %v", err)
	}
}

func TestConfigFromEnv(t *testing.T) {
	t.Setenv("KUAIDI100_KEY", "envkey")
	t.Setenv("KUAIDI100_SMS_SELLER", "")
	c := kuaidi100.ConfigFromEnv(kuaidi100.Config{Key: "k", Customer: "c", SMSSeller: "s"})
	if c.Key != "envkey" || c.Customer != "c" || c.SMSSeller != "s" {
		t.Errorf("%+v", c)
	}
}
