package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func runKD(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"--data-dir", t.TempDir()}, args...), &out, &errb)
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
