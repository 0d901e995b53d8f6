package relay_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shipdesk/kuaidi100"
	"shipdesk/tracking/relay"
)

// FuzzPush feeds arbitrary bodies and station names to the push endpoint:
// it never panics, answers the success body only for what it stored, and
// stores exactly the bytes it was given.
func FuzzPush(f *testing.F) {
	f.Add("desk", "param=%7B%22status%22%3A%22polling%22%7D&sign=ABC")
	f.Add("desk", "param=")
	f.Add("nobody", "param=x")
	f.Add("desk", "%zz")
	f.Add("desk", strings.Repeat("a", 5000))
	db, err := relay.OpenDB(filepath.Join(f.TempDir(), "relay.db"))
	if err != nil {
		f.Fatal(err)
	}
	defer db.Close()
	if _, err := db.AddStation("desk", time.Now()); err != nil {
		f.Fatal(err)
	}
	srv := relay.NewServer(db, relay.Options{MaxBody: 4096, SourceRate: 1e9, SourceBurst: 1e9, MaxPending: 1 << 30, Logf: func(string, ...any) {}})
	h := srv.Handler()
	f.Fuzz(func(t *testing.T, station, body string) {
		before, _ := db.Pending("desk", 0, 1<<30)
		req := httptest.NewRequest(http.MethodPost, "/push/x", strings.NewReader(body))
		req.URL.Path = "/push/" + station
		req.SetPathValue("station", station)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		after, _ := db.Pending("desk", 0, 1<<30)
		ok := kuaidi100.IsPushReplyOK(rec.Body.Bytes())
		if ok != (rec.Code == http.StatusOK) {
			t.Fatalf("status %d with reply %s", rec.Code, rec.Body)
		}
		switch {
		case ok && station == "desk":
			if len(after) != len(before)+1 || string(after[len(after)-1].Body) != body {
				t.Fatalf("answered success but stored %d→%d", len(before), len(after))
			}
		case ok:
			t.Fatalf("success for station %q", station)
		default:
			if len(after) != len(before) {
				t.Fatalf("refused (%d) but stored", rec.Code)
			}
		}
	})
}

// FuzzAck feeds arbitrary acknowledgement bodies to a station's endpoint:
// never a panic, never a push deleted by a body that was refused.
func FuzzAck(f *testing.F) {
	f.Add(`{"acks":[{"seq":1,"outcome":"applied"}]}`)
	f.Add(`{"acks":[{"seq":1,"outcome":"eaten"}]}`)
	f.Add(`{"acks":null}`)
	f.Add(`[`)
	db, err := relay.OpenDB(filepath.Join(f.TempDir(), "relay.db"))
	if err != nil {
		f.Fatal(err)
	}
	defer db.Close()
	tok, _ := db.AddStation("desk", time.Now())
	srv := relay.NewServer(db, relay.Options{Logf: func(string, ...any) {}, AuthRate: 1e9, AuthBurst: 1e9})
	h := srv.Handler()
	f.Fuzz(func(t *testing.T, body string) {
		db.Store("desk", relay.Push{Received: time.Now(), Body: []byte("param=x")}, 0)
		before, _ := db.Pending("desk", 0, 1<<30)
		req := httptest.NewRequest(http.MethodPost, relay.PathAck, bytes.NewReader([]byte(body)))
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		after, _ := db.Pending("desk", 0, 1<<30)
		if rec.Code != http.StatusOK && len(after) != len(before) {
			t.Fatalf("refused (%d) but deleted %d", rec.Code, len(before)-len(after))
		}
		if rec.Code == http.StatusOK {
			var v map[string]int
			if json.Unmarshal(rec.Body.Bytes(), &v) != nil || v["deleted"] != len(before)-len(after) {
				t.Fatalf("reply %s, deleted %d", rec.Body, len(before)-len(after))
			}
		}
	})
}
