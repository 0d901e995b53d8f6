package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func shipCLI(t *testing.T, dir, name, phone, addr, ref string) string {
	t.Helper()
	code, out, errs := runCLI(t, "--data-dir", dir, "--sandbox", "order", "create", "--json",
		"--to-name", name, "--to-phone", phone, "--to-addr", addr, "--carrier", "zhongtong", "--reference", ref)
	if code != 0 {
		t.Fatalf("order create: exit %d: %s", code, errs)
	}
	var o struct{ Waybill string }
	if err := json.Unmarshal([]byte(out), &o); err != nil || o.Waybill == "" {
		t.Fatalf("order create: %v %s", err, out)
	}
	return o.Waybill
}

func TestPatientsCLI(t *testing.T) {
	dir := t.TempDir()
	shipCLI(t, dir, "王芳", "13700001111", "天津市河西区友谊路32号", "PJ-1")
	w2 := shipCLI(t, dir, "王芳", "13700001111", "天津市南开区鞍山西道100号", "PJ-2")

	code, out, errs := runCLI(t, "--data-dir", dir, "patients", "--phone", "137 0000 1111", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got []recipientJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(got) != 2 || got[0].Waybill != w2 || got[0].Address != "天津市南开区鞍山西道100号" || got[0].Reference != "PJ-2" ||
		got[1].Address != "天津市河西区友谊路32号" || got[0].Phone != "13700001111" || got[0].District != "南开区" {
		t.Errorf("patients --json: %+v", got)
	}
	code, out, _ = runCLI(t, "--data-dir", dir, "patients", "--find", "PJ-1")
	if code != 0 || !strings.Contains(out, "友谊路") || strings.Contains(out, "鞍山西道") || !strings.Contains(out, "13700001111") {
		t.Errorf("patients --find: exit %d\n%s", code, out)
	}
	if code, _, _ := runCLI(t, "--data-dir", dir, "patients"); code != 2 {
		t.Errorf("no phone: exit %d", code)
	}

	code, out, errs = runCLI(t, "--data-dir", dir, "patients", "forget", "13700001111", "--json")
	if code != 0 {
		t.Fatalf("forget: exit %d: %s", code, errs)
	}
	var res struct{ Shipments, Orders int }
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Shipments != 2 || res.Orders != 2 {
		t.Errorf("forget: %v %s", err, out)
	}
	code, out, _ = runCLI(t, "--data-dir", dir, "patients", "--phone", "13700001111", "--json")
	if code != 0 || strings.TrimSpace(out) != "[]" {
		t.Errorf("after forget: exit %d %s", code, out)
	}
	code, out, _ = runCLI(t, "--data-dir", dir, "shipments", "--json")
	if code != 0 || strings.Contains(out, "王芳") || !strings.Contains(out, w2) {
		t.Errorf("shipments after forget: %s", out)
	}
	code, _, errs = runCLI(t, "--data-dir", dir, "patients", "forget", "13700001111")
	if code != 1 || !strings.Contains(errs, "没有找到") {
		t.Errorf("forget again: exit %d %q", code, errs)
	}
}
