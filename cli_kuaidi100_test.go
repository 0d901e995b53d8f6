package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"shipdesk/kuaidi100"
	"shipdesk/kuaidi100/sandbox"
	"shipdesk/store"
)

func runKD(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(t.Context(), append([]string{"--data-dir", t.TempDir()}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func TestTrackAgainstInProcessSandbox(t *testing.T) {
	code, out, stderr := runKD(t, "--sandbox", "track", "YT9383342193097", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got struct {
		Number, Carrier, CarrierName, Milestone, MilestoneName, State string
		Signed                                                        *bool
		Events                                                        []struct{ Time, Context, Area, Milestone, State string }
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got.Number != "YT9383342193097" || got.Carrier != "yuantong" || got.CarrierName != "圆通速递" || got.Milestone == "" ||
		got.MilestoneName == "" || got.State == "" || got.Signed == nil || len(got.Events) == 0 {
		t.Errorf("track json %+v", got)
	}
	for i := 1; i < len(got.Events); i++ {
		if got.Events[i].Time > got.Events[i-1].Time {
			t.Errorf("events not newest first: %s after %s", got.Events[i].Time, got.Events[i-1].Time)
		}
	}
}

func TestTrackWithoutCredentials(t *testing.T) {
	for _, env := range []string{"KUAIDI100_KEY", "KUAIDI100_CUSTOMER"} {
		t.Setenv(env, "")
	}
	code, _, stderr := runKD(t, "track", "SF1342567604302", "--phone", "1234")
	if code != 1 || !strings.Contains(stderr, "KUAIDI100_KEY") || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if code, _, _ := runKD(t, "track"); code != 2 {
		t.Errorf("track without NUMBER: exit %d, want 2", code)
	}
}

func TestDetectJSON(t *testing.T) {
	code, out, stderr := runKD(t, "detect", "--json", "SF1342567604302")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var c []struct {
		Code, Name, Source string
		Confidence         float64
	}
	if err := json.Unmarshal([]byte(out), &c); err != nil || len(c) == 0 || c[0].Code != "shunfeng" || c[0].Confidence >= 1 {
		t.Errorf("%v %s", err, out)
	}
	if code, _, _ := runKD(t, "detect", "??"); code != 1 {
		t.Errorf("unknown format: exit %d, want 1", code)
	}
}

// TestSandboxStateSurvivesRestart: `shipdesk sandbox --state FILE` keeps
// what it issued, so an order retried after the sandbox was restarted gets
// the same waybill instead of a second one.
func TestSandboxStateSurvivesRestart(t *testing.T) {
	state := filepath.Join(t.TempDir(), "sandbox-state.json")
	// A different seed each start: only the state can make the numbers agree.
	order := func(seed string) string {
		ctx, cancel := context.WithCancel(t.Context())
		pr, pw := io.Pipe()
		done := make(chan error, 1)
		go func() {
			done <- runSandbox(ctx, &globals{}, []string{"--addr", "127.0.0.1:0", "--state", state, "--seed", seed}, pw, io.Discard)
			pw.Close()
		}()
		line, err := bufio.NewReader(pr).ReadString('\n')
		if err != nil {
			t.Fatalf("sandbox output: %v", err)
		}
		go io.Copy(io.Discard, pr)
		base := strings.Fields(line[strings.Index(line, "http://"):])[0]
		cfg := sandbox.DemoCredentials()
		cfg.BaseURL = base
		res, err := kuaidi100.New(cfg).Order(t.Context(), kuaidi100.OrderRequest{
			OrderID: "SD20261126-000001", Com: "zhongtong", Cargo: "眼镜", Count: 1, Weight: 0.5, Account: sandboxAccount("zhongtong"),
			Recipient: kuaidi100.Party{Name: "王芳", Phone: "13700001111", Address: "天津市河西区友谊路32号"},
			Sender:    kuaidi100.Party{Name: "天津眼科医院视光中心", Phone: "022-23346655", Address: "天津市南开区复康路4号"},
		})
		if err != nil {
			t.Fatalf("order: %v", err)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("sandbox stopped with %v", err)
		}
		return res.Waybill
	}
	first := order("7")
	if _, err := os.Stat(state); err != nil {
		t.Fatalf("no state file after the sandbox stopped: %v", err)
	}
	if second := order("8"); second != first {
		t.Fatalf("after a restart the same order got waybill %s, first %s", second, first)
	}
}

// TestTrackHonoursTheSavedAPIAddress: with no flags, `track` and `detect`
// go where the GUI would, the API address saved in the settings (here a
// running sandbox), not to production.
func TestTrackHonoursTheSavedAPIAddress(t *testing.T) {
	for _, env := range []string{"KUAIDI100_KEY", "KUAIDI100_CUSTOMER"} {
		t.Setenv(env, "")
	}
	sb, base, stop, err := sandbox.Start(t.Context(), "127.0.0.1:0", sandbox.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	dir := t.TempDir()
	db, err := store.Open(filepath.Join(dir, "shipdesk.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := store.DefaultSettings()
	st.APIBase = base
	if err := db.SaveSettings(t.Context(), st); err != nil {
		t.Fatal(err)
	}
	db.Close()
	var out, errb bytes.Buffer
	if code := run(t.Context(), []string{"--data-dir", dir, "track", "YT9383342193097", "--json"}, &out, &errb); code != 0 {
		t.Fatalf("track with a saved API address: exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), `"yuantong"`) {
		t.Errorf("track: %s", out.String())
	}
	if n := sb.Stats().Requests["query"]; n != 1 {
		t.Errorf("the saved sandbox answered %d queries, want 1", n)
	}
}
