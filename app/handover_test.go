package app

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"shipdesk/shipping"
	"shipdesk/store"
)

func (e *env) shipDirect(t *testing.T, i int, carrier string) string {
	t.Helper()
	o := store.Order{
		Reference: fmt.Sprintf("PJ-%d", i),
		Recipient: store.Party{Name: "王芳", Phone: fmt.Sprintf("1370000%04d", i), Address: "天津市河西区友谊路32号"},
		Sender:    store.Party{Name: "天津眼科医院视光中心", Phone: "022-23346655", Address: "天津市南开区复康路4号"},
		Carrier:   carrier, Items: "眼镜", Count: 1, Weight: 0.5, PayType: "MONTHLY", Product: "标准快递",
	}
	res, err := e.svc.Ship(t.Context(), shipping.User{Name: "前台", Role: store.RoleFrontDesk}, o, shipping.ShipOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return res.Order.Waybill
}

type beeps struct {
	mu  sync.Mutex
	got []shipping.ScanOutcome
}

func (b *beeps) beep(o shipping.ScanOutcome) {
	b.mu.Lock()
	b.got = append(b.got, o)
	b.mu.Unlock()
}

func (b *beeps) take() []shipping.ScanOutcome {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.got
	b.got = nil
	return out
}

func TestCourierPickupScansAndMakesTheSheet(t *testing.T) {
	e := newEnv(t)
	zt1, zt2 := e.shipDirect(t, 1, "zhongtong"), e.shipDirect(t, 2, "zhongtong")
	yt := e.shipDirect(t, 3, "yuantong")
	zt3 := e.shipDirect(t, 4, "zhongtong")
	if err := e.svc.Cancel(t.Context(), shipping.User{Name: "前台", Role: store.RoleFrontDesk}, zt3, "患者取消"); err != nil {
		t.Fatal(err)
	}
	h := e.ui.handover
	var b beeps
	h.beep = b.beep

	e.ui.tabs.Select(e.ui.tabHandover)
	e.wait()
	// The carrier with parcels waiting comes first, with its count.
	if len(h.carrier.Options) == 0 || !strings.Contains(h.carrier.Options[0], "中通") || !strings.Contains(h.carrier.Options[0], "2") {
		t.Fatalf("carriers %q", h.carrier.Options)
	}
	h.carrier.SetSelectedIndex(0)
	test.Type(h.courier, "张师傅")
	test.Tap(h.startBtn)
	e.wait()
	c := e.ui.win.Canvas()
	if c.Focused() != h.scan || len(h.missingRows) != 2 {
		t.Fatalf("after start: focus %T, missing %+v, msg %q", c.Focused(), h.missingRows, h.msg.Text)
	}

	// A scanner types the number and Enter; nothing to click in between.
	scan := func(code string) {
		test.Type(h.scan, code)
		h.scan.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		e.wait()
	}
	scan(zt1)
	if h.scan.Text != "" || c.Focused() != h.scan || len(h.scannedRows) != 1 || len(h.missingRows) != 1 || h.missingRows[0].Waybill != zt2 {
		t.Fatalf("after one scan: field %q focus %T scanned %+v missing %+v", h.scan.Text, c.Focused(), h.scannedRows, h.missingRows)
	}
	scan(yt)
	if !strings.Contains(h.msg.Text, "圆通") {
		t.Errorf("another carrier's parcel: %q", h.msg.Text)
	}
	scan(zt3)
	if !strings.Contains(h.msg.Text, "取消") {
		t.Errorf("a cancelled parcel: %q", h.msg.Text)
	}
	scan(zt1)
	scan(zt2)
	got := b.take()
	want := []shipping.ScanOutcome{shipping.ScanOK, shipping.ScanOtherCarrier, shipping.ScanCancelled, shipping.ScanAgain, shipping.ScanOK}
	if !slices.Equal(got, want) {
		t.Errorf("beeps %v, want %v", got, want)
	}
	// Every warning has a tone of its own.
	seen := map[tone]shipping.ScanOutcome{}
	for o, tn := range scanTones {
		if prev, dup := seen[tn]; dup {
			t.Errorf("%s and %s sound the same", o, prev)
		}
		seen[tn] = o
	}
	if len(h.missingRows) != 0 || !strings.Contains(h.summary.Text, "2") {
		t.Errorf("summary %q missing %+v", h.summary.Text, h.missingRows)
	}

	test.Tap(h.finishBtn)
	e.wait()
	if h.pdf == "" || !h.openBtn.Visible() || !strings.Contains(h.msg.Text, h.pdf) {
		t.Fatalf("after finish: pdf %q msg %q", h.pdf, h.msg.Text)
	}
	data, err := os.ReadFile(h.pdf)
	if err != nil || !bytes.HasPrefix(data, []byte("%PDF-")) {
		t.Fatalf("the sheet: %v", err)
	}
	for _, w := range []string{zt1, zt2} {
		sh, _ := e.db.Shipment(t.Context(), w)
		if sh.HandedOverAt.IsZero() {
			t.Errorf("%s not recorded as handed over", w)
		}
	}
	if sh, _ := e.db.Shipment(t.Context(), yt); !sh.HandedOverAt.IsZero() {
		t.Error("the yuantong parcel was handed over to zhongtong")
	}
	if !h.scan.Disabled() || h.carrier.Disabled() {
		t.Error("after finishing the screen is ready for the next courier")
	}
}
