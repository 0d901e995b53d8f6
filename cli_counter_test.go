package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
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

func TestHandoverCLI(t *testing.T) {
	dir := t.TempDir()
	w1 := shipCLI(t, dir, "王芳", "13700001111", "天津市河西区友谊路32号", "PJ-1")
	w2 := shipCLI(t, dir, "李雷", "13900002222", "北京市朝阳区建国路88号", "PJ-2")

	if code, _, errs := runCLI(t, "--data-dir", dir, "handover", "scan", w1); code != 1 || !strings.Contains(errs, "handover start") {
		t.Errorf("scan before start: exit %d %q", code, errs)
	}
	code, out, errs := runCLI(t, "--data-dir", dir, "handover", "start", "zhongtong", "--courier", "张师傅", "--json")
	if code != 0 {
		t.Fatalf("start: exit %d: %s", code, errs)
	}
	var h handoverJSON
	if err := json.Unmarshal([]byte(out), &h); err != nil || h.Expected != 2 || h.Courier != "张师傅" || len(h.Missing) != 2 {
		t.Fatalf("start: %v %s", err, out)
	}
	if code, _, errs := runCLI(t, "--data-dir", dir, "handover", "start", "zhongtong"); code != 1 || !strings.Contains(errs, "未完成") {
		t.Errorf("second start: exit %d %q", code, errs)
	}
	code, out, errs = runCLI(t, "--data-dir", dir, "handover", "scan", w1, "--json")
	if code != 0 {
		t.Fatalf("scan: exit %d: %s", code, errs)
	}
	if err := json.Unmarshal([]byte(out), &h); err != nil || len(h.Scanned) != 1 || len(h.Missing) != 1 || h.Missing[0].Waybill != w2 ||
		len(h.Scans) != 1 || h.Scans[0].Outcome != "ok" || h.Scanned[0].City != "天津市河西区" {
		t.Fatalf("scan: %v %s", err, out)
	}
	code, out, errs = runCLI(t, "--data-dir", dir, "handover", "scan", w2, w1, "ZT99999999999")
	if code != 1 || !strings.Contains(out, "again") || !strings.Contains(out, "unknown") || !strings.Contains(errs, "1 件不能交接") {
		t.Errorf("scan with warnings: exit %d\n%s\n%s", code, out, errs)
	}
	pdf := filepath.Join(t.TempDir(), "交接单.pdf")
	code, out, errs = runCLI(t, "--data-dir", dir, "handover", "finish", "--pdf", pdf, "--json")
	if code != 0 {
		t.Fatalf("finish: exit %d: %s", code, errs)
	}
	if err := json.Unmarshal([]byte(out), &h); err != nil || h.FinishedAt.IsZero() || len(h.Scanned) != 2 || h.PDF != pdf {
		t.Fatalf("finish: %v %s", err, out)
	}
	if b, err := os.ReadFile(pdf); err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("pdf: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "handover.json")); !os.IsNotExist(err) {
		t.Errorf("the finished handover is still kept: %v", err)
	}
	// The next pickup knows these went.
	runCLI(t, "--data-dir", dir, "handover", "start", "zhongtong")
	code, out, _ = runCLI(t, "--data-dir", dir, "handover", "scan", w1)
	if code != 1 || !strings.Contains(out, "handed_over") {
		t.Errorf("scan a handed-over parcel: exit %d %s", code, out)
	}
	if code, _, _ := runCLI(t, "--data-dir", dir, "handover", "finish"); code != 2 {
		t.Errorf("finish without --pdf: exit %d", code)
	}
}

func TestReportCLI(t *testing.T) {
	dir := t.TempDir()
	w1 := shipCLI(t, dir, "王芳", "13700001111", "天津市河西区友谊路32号", "PJ-1")
	shipCLI(t, dir, "李雷", "13900002222", "北京市朝阳区建国路88号", "PJ-2")
	runCLI(t, "--data-dir", dir, "handover", "start", "zhongtong")
	runCLI(t, "--data-dir", dir, "handover", "scan", w1)
	if code, _, errs := runCLI(t, "--data-dir", dir, "handover", "finish", "--pdf", filepath.Join(t.TempDir(), "h.pdf")); code != 0 {
		t.Fatalf("finish: %s", errs)
	}
	out := t.TempDir()
	pdf, csvFile := filepath.Join(out, "day.pdf"), filepath.Join(out, "day.csv")
	code, stdout, errs := runCLI(t, "--data-dir", dir, "report", "day", "--pdf", pdf, "--csv", csvFile, "--json")
	if code != 0 {
		t.Fatalf("report day: exit %d %s", code, errs)
	}
	var r struct {
		Date     string
		Carriers []struct {
			Carrier             string
			Shipped, HandedOver int
			NotHandedOver       []string
		}
	}
	if err := json.Unmarshal([]byte(stdout), &r); err != nil || len(r.Carriers) != 1 || r.Carriers[0].Shipped != 2 ||
		r.Carriers[0].HandedOver != 1 || len(r.Carriers[0].NotHandedOver) != 1 {
		t.Fatalf("json %v %s", err, stdout)
	}
	if b, _ := os.ReadFile(pdf); !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Error("no PDF")
	}
	if b, _ := os.ReadFile(csvFile); !strings.Contains(string(b), "中通快递") {
		t.Errorf("csv %s", b)
	}
	if code, _, _ := runCLI(t, "--data-dir", dir, "report", "day", "--date", "2026-13-01", "--csv", csvFile); code != 2 {
		t.Errorf("bad date: exit %d", code)
	}
	if code, stdout, _ := runCLI(t, "--data-dir", dir, "report", "day", "--date", "2020-01-01", "--json"); code != 0 || !strings.Contains(stdout, `"carriers": []`) {
		t.Errorf("an empty day: %d %s", code, stdout)
	}
	code, stdout, _ = runCLI(t, "--data-dir", dir, "report", "costs", "--months", "2", "--json")
	if code != 0 || !strings.Contains(stdout, `"waybills": 2`) {
		t.Errorf("costs: %d %s", code, stdout)
	}
}
