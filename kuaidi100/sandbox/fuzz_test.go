package sandbox_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"shipdesk/kuaidi100"
	"shipdesk/kuaidi100/sandbox"
)

// FuzzHandlers posts arbitrary params to every endpoint (correctly signed,
// so the parser behind the signature check is reached): the sandbox must
// always answer with JSON and never panic.
func FuzzHandlers(f *testing.F) {
	f.Add(`{"com":"yuantong","num":"YT9383342193097","resultv2":"4"}`, "order")
	f.Add(`{"kuaidicom":"zhongtong","recMan":{"name":"a","mobile":"1","printAddr":"x"},"sendMan":{"name":"b","tel":"2","printAddr":"y"},"cargo":"c","count":3,"needChild":"1"}`, "order")
	f.Add(`{"company":"","number":"123456","key":"shipdesk-demo-key","parameters":{"callbackurl":"http://127.0.0.1:1/","autoCom":"1"}}`, "cancel")
	f.Add(`{"taskId":1}`, "printOld")
	f.Add(`[]`, "x")
	real := time.Unix(1_800_000_000, 0)
	sb := sandbox.New(sandbox.Options{Clock: func() time.Time { return real }})
	cr := sb.Credentials()
	f.Fuzz(func(t *testing.T, param, method string) {
		forms := map[string]url.Values{
			kuaidi100.PathQuery:      {"customer": {cr.Customer}, "sign": {kuaidi100.QuerySign(param, cr.Key, cr.Customer)}, "param": {param}},
			kuaidi100.PathSubscribe:  {"schema": {"json"}, "param": {param}},
			kuaidi100.PathLabel:      {"method": {method}, "key": {cr.Key}, "t": {"1"}, "sign": {kuaidi100.LabelSign(param, "1", cr.Key, cr.Secret)}, "param": {param}},
			kuaidi100.PathSMS:        {"sign": {kuaidi100.SMSSign(cr.Key, cr.UserID)}, "userid": {cr.UserID}, "seller": {cr.SMSSeller}, "phone": {"13700001111"}, "tid": {"1"}, "content": {param}},
			kuaidi100.PathAutoNumber: {"key": {cr.Key}, "num": {param}},
		}
		for path, form := range forms {
			r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			w := httptest.NewRecorder()
			sb.ServeHTTP(w, r)
			if w.Code != http.StatusOK || !json.Valid(w.Body.Bytes()) {
				t.Fatalf("%s: %d %q", path, w.Code, w.Body.String())
			}
		}
	})
}

func BenchmarkSandboxQuery(b *testing.B) {
	real := time.Unix(1_800_000_000, 0)
	sb := sandbox.New(sandbox.Options{Clock: func() time.Time { return real }})
	cr := sb.Credentials()
	param := `{"com":"yuantong","num":"YT9383342193097","resultv2":"4"}`
	body := url.Values{"customer": {cr.Customer}, "sign": {kuaidi100.QuerySign(param, cr.Key, cr.Customer)}, "param": {param}}.Encode()
	for b.Loop() {
		sb.Advance(time.Hour) // stay within the per-number limit
		r := httptest.NewRequest(http.MethodPost, kuaidi100.PathQuery, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		sb.ServeHTTP(w, r)
		if !strings.Contains(w.Body.String(), `"nu":"YT9383342193097"`) {
			b.Fatal(w.Body.String())
		}
	}
}
