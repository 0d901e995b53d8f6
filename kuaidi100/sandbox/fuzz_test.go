package sandbox_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
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
	f.Add(`{"kuaidicom":"zhongtong","partnerId":"sandbox","partnerKey":"sandbox","net":"sandbox","code":"ztoOpen","recMan":{"name":"a","mobile":"13700001111","printAddr":"x"},"sendMan":{"name":"b","tel":"2","printAddr":"y"},"cargo":"c","count":"1","weight":"0.5","valinsPay":"","collection":"0","orderId":null,"needSubscribe":false,"printType":"IMAGE"}`, "order")
	f.Add(`{"kuaidicom":"zhaijisong","partnerId":"sandbox","printType":"CLOUD","siid":"K","count":1,"weight":0.0,"customParam":{"count":0}}`, "order")
	f.Add(`{"kuaidicom":"zhongtong","kuaidinum":"75000000000000","orderId":"x","partnerId":null}`, "cancel")
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

// failTransport fails every request at once (no pushes leave the fuzzer).
type failTransport struct{}

func (failTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("offline")
}

// savedState runs a small session (orders, a subscription with a pending
// push retry, a locked number, a pending SMS receipt) and returns its saved
// state and two of its waybills.
func savedState(tb testing.TB, dir string, parcels int) (data []byte, tracked, locked string) {
	real := time.Unix(1_800_000_000, 0)
	path := filepath.Join(dir, "seed.json")
	sb := sandbox.New(sandbox.Options{StatePath: path, Clock: func() time.Time { return real },
		HTTPClient: &http.Client{Transport: failTransport{}}})
	cr := sb.Credentials()
	cr.BaseURL, cr.HTTPClient = "http://sandbox.invalid", &http.Client{Transport: handlerTransport{sb}}
	cl := kuaidi100.New(cr)
	ctx := tb.Context()
	for i := range parcels {
		o := order(fmt.Sprintf("SD-%d", i), sandbox.IssuingCarriers()[i%len(sandbox.IssuingCarriers())])
		o.Recipient.Phone = "13700001111"
		res, err := cl.Order(ctx, o)
		if err != nil {
			tb.Fatal(err)
		}
		if i == 0 {
			tracked = res.Waybill
		}
		locked = res.Waybill
	}
	com := sandbox.IssuingCarriers()[(parcels-1)%len(sandbox.IssuingCarriers())]
	if err := cl.Subscribe(ctx, kuaidi100.SubscribeRequest{Com: sandbox.IssuingCarriers()[0], Num: tracked, Phone: "1111",
		CallbackURL: "http://127.0.0.1:1/push", Salt: "s"}); err != nil {
		tb.Fatal(err)
	}
	sb.Advance(5 * time.Hour)
	sb.Step(ctx) // the push fails: a retry is pending
	for range 2 {
		cl.Query(ctx, kuaidi100.QueryRequest{Com: com, Num: locked, Phone: "1111"})
		sb.Advance(time.Second)
	}
	cl.SendSMS(ctx, kuaidi100.SMSRequest{Phone: "13700001111", TemplateID: "1", OutOrder: "o", CallbackURL: "http://127.0.0.1:1/sms"})
	if err := sb.Save(); err != nil {
		tb.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return data, tracked, locked
}

// FuzzLoadState starts a sandbox from arbitrary state files: it never
// panics; a file it cannot use is moved aside; a state it loaded works
// (steps, queries, orders) and saves a state the next start loads again.
func FuzzLoadState(f *testing.F) {
	seed, tracked, locked := savedState(f, f.TempDir(), 3)
	f.Add(seed)
	f.Add(seed[:len(seed)/2])
	f.Add([]byte(`{"version":1,"now":"2026-11-02T09:00:00+08:00"}`))
	f.Add([]byte(`{"version":1,"now":"2026-11-02T09:00:00+08:00","rng":"AAAA","parcels":{"x":{"num":"x"}}}`))
	f.Add([]byte(`null`))
	real := time.Unix(1_800_000_000, 0)
	opts := func(path string) sandbox.Options {
		return sandbox.Options{StatePath: path, Clock: func() time.Time { return real }, HTTPClient: &http.Client{Transport: failTransport{}}}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "state.json")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		sb := sandbox.New(opts(path))
		if _, err := os.Stat(path); err != nil {
			if aside, _ := filepath.Glob(path + ".corrupt-*"); len(aside) != 1 {
				t.Fatalf("rejected state not moved aside: %v", aside)
			}
			return
		}
		cr := sb.Credentials()
		cr.BaseURL, cr.HTTPClient = "http://sandbox.invalid", &http.Client{Transport: handlerTransport{sb}}
		cl := kuaidi100.New(cr)
		ctx := t.Context()
		sb.Stats()
		for range 3 {
			sb.Advance(5 * time.Hour)
			sb.Step(ctx)
			for _, num := range []string{tracked, locked} {
				for _, com := range sandbox.IssuingCarriers()[:3] {
					cl.Query(ctx, kuaidi100.QueryRequest{Com: com, Num: num, Phone: "1111"})
					cl.Subscribe(ctx, kuaidi100.SubscribeRequest{Com: com, Num: num, CallbackURL: "http://127.0.0.1:1/p"})
					cl.Cancel(ctx, kuaidi100.CancelRequest{Com: com, Num: num})
				}
			}
			cl.Order(ctx, order("SD-0", "ems"))
			sb.Stats()
		}
		if err := sb.Save(); err != nil {
			t.Fatalf("save a loaded state: %v", err)
		}
		sandbox.New(opts(path))
		if aside, _ := filepath.Glob(path + ".corrupt-*"); len(aside) != 0 {
			t.Fatalf("a state the sandbox saved was moved aside on the next start")
		}
	})
}

// BenchmarkSaveState measures one Save of a sandbox that knows 1,000
// parcels (about 12 events each) with a subscription and a lock.
func BenchmarkSaveState(b *testing.B) {
	dir := b.TempDir()
	data, _, _ := savedState(b, dir, 1000)
	path := filepath.Join(dir, "state.json")
	os.WriteFile(path, data, 0o600)
	sb := sandbox.New(sandbox.Options{StatePath: path})
	for b.Loop() {
		sb.Advance(time.Minute)
		if err := sb.Save(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data)), "bytes/state")
}

// BenchmarkLoadState measures starting a sandbox from the same state.
func BenchmarkLoadState(b *testing.B) {
	dir := b.TempDir()
	data, _, _ := savedState(b, dir, 1000)
	path := filepath.Join(dir, "state.json")
	for b.Loop() {
		os.WriteFile(path, data, 0o600)
		if sandbox.New(sandbox.Options{StatePath: path}).Stats().Parcels != 1000 {
			b.Fatal("not loaded")
		}
	}
}
