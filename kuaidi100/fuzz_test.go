package kuaidi100_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"shipdesk/kuaidi100"
)

func FuzzDecodePush(f *testing.F) {
	f.Add(`{"status":"polling","lastResult":{"nu":"1","state":"0","data":[{"ftime":"2025-03-03 10:01:00","statusCode":301}]}}`, "salt")
	f.Add(`{"status":1,"autoCheck":true,"lastResult":{"data":{}}}`, "")
	f.Add(`[]`, "x")
	f.Add(`{"status":"abort","lastResult":null}`, "")
	f.Fuzz(func(t *testing.T, param, salt string) {
		p, err := kuaidi100.VerifyPush(param, kuaidi100.PushSign(param, salt), salt)
		if err != nil {
			return
		}
		if p.Status == "" {
			t.Fatal("decoded push without status")
		}
		for i := 1; i < len(p.Track.Events); i++ {
			if p.Track.Events[i].Time.After(p.Track.Events[i-1].Time) {
				t.Fatal("events not newest first")
			}
		}
		if !p.Track.Milestone.Valid() {
			t.Fatal("invalid milestone")
		}
	})
}

func FuzzDecodeQueryResponse(f *testing.F) {
	f.Add([]byte(querySuccess))
	f.Add([]byte(`{"result":false,"returnCode":500,"message":"查询无结果"}`))
	f.Add([]byte(`{"nu":123,"ischeck":true,"data":[{"time":5}]}`))
	f.Add([]byte(`{"data":"x"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		tr, err := kuaidi100.DecodeQueryResponse(body)
		if err == nil && tr == nil {
			t.Fatal("nil track without error")
		}
		if err != nil && err.Error() == "" {
			t.Fatal("empty error")
		}
	})
}

func FuzzDecodeOthers(f *testing.F) {
	f.Add([]byte(orderOK))
	f.Add([]byte(`[{"lengthPre":"x","comCode":7}]`))
	f.Add([]byte(`{"status":"0","msg":123}`))
	f.Add([]byte(`{"data":{"outorder":1,"status":0}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, _ = kuaidi100.DecodeOrderResponse("order", body)
		if c, err := kuaidi100.DecodeAutoNumber(body); err == nil {
			for _, x := range c {
				if x.Confidence >= 1 || x.Code == "" {
					t.Fatalf("candidate %+v", x)
				}
			}
		}
		_, _ = kuaidi100.DecodeSMSResponse(body)
		_, _ = kuaidi100.DecodeSMSCallback(body)
		_ = kuaidi100.DecodeSubscribeResponse(body)
	})
}

func FuzzGuess(f *testing.F) {
	f.Add("SF1342567604302")
	f.Add("773039762404825")
	f.Fuzz(func(t *testing.T, num string) {
		if !utf8.ValidString(num) {
			return
		}
		for _, c := range kuaidi100.Guess(num) {
			if c.Confidence <= 0 || c.Confidence >= 1 || strings.TrimSpace(c.Code) == "" {
				t.Fatalf("Guess(%q): %+v", num, c)
			}
		}
	})
}
