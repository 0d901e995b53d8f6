package shipping

import (
	"errors"
	"image"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"shipdesk/kuaidi100"
	"shipdesk/printer/label"
	"shipdesk/printer/tspl"
	"shipdesk/printer/zpl"
	"shipdesk/store"
)

// TestOrderWithoutAccountRefusedBeforeAnyRequest: a carrier the centre has
// no account with is a clear error naming it, and Kuaidi100 is never asked.
func TestOrderWithoutAccountRefusedBeforeAnyRequest(t *testing.T) {
	ctx := t.Context()
	zto, _ := kuaidi100.SandboxAccount("zhongtong")
	e := newEnvMod(t, func(d *Deps) { d.Accounts = NewMemoryAccounts(zto) })
	o := testOrder(1)
	o.Carrier = "yuantong"
	_, err := e.svc.Ship(ctx, frontDesk, o, ShipOptions{})
	if !errors.Is(err, kuaidi100.ErrNoAccount) || Describe(err) != "没有圆通的电子面单账号：请主管在 设置 → 快递账号 中填写" {
		t.Fatalf("no YTO account: %v / %q", err, Describe(err))
	}
	if n := e.sb.Stats().Requests["order"]; n != 0 {
		t.Errorf("%d order requests sent without an account", n)
	}
	if got := e.svc.ShippableCarriers(ctx); !slices.Equal(got, []string{"zhongtong"}) {
		t.Errorf("shippable %v", got)
	}
	// With the account, the same order ships (the sandbox checks the fields).
	o.Carrier = "zhongtong"
	res, err := e.svc.Ship(ctx, frontDesk, o, ShipOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Shipment.CarrierOrder == "" || res.Shipment.SenderAddr == "" {
		t.Errorf("shipment lacks carrier order or sender: %+v", res.Shipment)
	}
	if err := e.svc.Cancel(ctx, frontDesk, res.Order.Waybill, "填错地址"); err != nil {
		t.Fatalf("cancel with the account: %v", err)
	}
	if st := e.sb.Stats(); st.Responses["order 30001"] != 0 || st.Responses["cancel 200"] != 1 {
		t.Errorf("sandbox answers %v", st.Responses)
	}
	// No accounts at all (Deps.Accounts nil): refused the same way.
	bare := newEnvMod(t, func(d *Deps) { d.Accounts = nil })
	if _, err := bare.svc.Ship(ctx, frontDesk, testOrder(2), ShipOptions{}); !errors.Is(err, kuaidi100.ErrNoAccount) || !strings.Contains(Describe(err), "中通") {
		t.Errorf("no account store: %v", err)
	}
}

// TestAccountsManagedByManagers: only a manager sets or removes accounts;
// the secrets file keeps them; the audit log names the carrier, never the
// values; a MONTHLY order on a non-月结 account sends the account's pay
// type.
func TestAccountsManagedByManagers(t *testing.T) {
	ctx := t.Context()
	e := newEnvMod(t, func(d *Deps) { d.Accounts = nil })
	dir := filepath.Join(t.TempDir(), "data")
	e.deps.Accounts = SecretsAccounts{Dir: dir}
	e.svc = New(e.deps)
	zto := kuaidi100.Account{Carrier: "zhongtong", PartnerID: "sandbox", PartnerKey: "sandbox", Net: "sandbox"}
	if err := e.svc.SetAccount(ctx, frontDesk, zto); !errors.Is(err, ErrForbidden) {
		t.Errorf("front desk sets an account: %v", err)
	}
	if err := e.svc.SetAccount(ctx, manager, kuaidi100.Account{Carrier: "zhongtong", PartnerID: "sandbox"}); err == nil || !strings.Contains(err.Error(), "合作方密钥") {
		t.Errorf("incomplete account: %v", err)
	}
	if err := e.svc.SetAccount(ctx, manager, zto); err != nil {
		t.Fatal(err)
	}
	// An empty field keeps what is stored (a masked form saved as is).
	if err := e.svc.SetAccount(ctx, manager, kuaidi100.Account{Carrier: "zhongtong", Product: "标快"}); err != nil {
		t.Fatal(err)
	}
	stored, err := store.LoadAccounts(dir)
	if err != nil || len(stored) != 1 || stored[0].PartnerKey != "sandbox" || stored[0].Code != "ztoOpen" || stored[0].Product != "标快" || stored[0].PayType != "SHIPPER" {
		t.Fatalf("stored %+v %v", stored, err)
	}
	list, err := e.svc.Accounts(ctx, manager)
	if err != nil || len(list) != 1 || list[0].PartnerID != "sa****ox" || list[0].Code != "ztoOpen" {
		t.Errorf("masked list %+v %v", list, err)
	}
	res, err := e.svc.Ship(ctx, frontDesk, testOrder(3), ShipOptions{}) // PayType MONTHLY
	if err != nil {
		t.Fatal(err)
	}
	log, _ := e.db.AuditLog(ctx, 50)
	var sawSet, sawPay bool
	for _, a := range log {
		if a.Action == "account" {
			sawSet = true
			if strings.Contains(a.Detail, "sandbox") {
				t.Errorf("audit shows account values: %q", a.Detail)
			}
		}
		if a.Action == "waybill" && a.Target == res.Order.Waybill && strings.Contains(a.Detail, "MONTHLY->SHIPPER") {
			sawPay = true
		}
	}
	if !sawSet || !sawPay {
		t.Errorf("audit: set %v, pay type noted %v: %+v", sawSet, sawPay, log)
	}
	if err := e.svc.RemoveAccount(ctx, manager, "zhongtong"); err != nil {
		t.Fatal(err)
	}
	if e.svc.HasAccount(ctx, "zhongtong") {
		t.Error("removed account still there")
	}
}

// TestSuggestionsOnlyCarriersWithAnAccount: detection for a new order never
// proposes a carrier the centre cannot ship with, not even the default.
func TestSuggestionsOnlyCarriersWithAnAccount(t *testing.T) {
	ctx := t.Context()
	yto, _ := kuaidi100.SandboxAccount("yuantong")
	jd, _ := kuaidi100.SandboxAccount("jd")
	e := newEnvMod(t, func(d *Deps) { d.Accounts = NewMemoryAccounts(yto, jd) })
	st, _ := e.db.Settings(ctx)
	st.DefaultCarrier = "zhongtong"
	if err := e.db.SaveSettings(ctx, st); err != nil {
		t.Fatal(err)
	}
	o := testOrder(1)
	o.Carrier = ""
	var got []string
	for _, c := range e.svc.SuggestCarriers(ctx, o) {
		got = append(got, c.Code)
	}
	if !slices.Equal(got, []string{"yuantong", "jd"}) {
		t.Errorf("suggested %v, want only the carriers with an account", got)
	}
	none := newEnvMod(t, func(d *Deps) { d.Accounts = NewMemoryAccounts() })
	if c := none.svc.SuggestCarriers(ctx, o); len(c) != 0 {
		t.Errorf("no accounts, suggested %v", c)
	}
}

// TestCarrierTemplatePrintsTheCarriersImage: with 快递公司模板 the order asks
// printType IMAGE, the label printed is Kuaidi100's rendering of the
// carrier's template (fetched after it finished rendering) sent as one
// bitmap through the same queue, and the preview is that image.
func TestCarrierTemplatePrintsTheCarriersImage(t *testing.T) {
	ctx := t.Context()
	jt, _ := kuaidi100.SandboxAccount("jtexpress")
	jt.Template = kuaidi100.TemplateCarrier
	e := newEnvMod(t, func(d *Deps) {
		cfg := d.Waybills.(*kuaidi100.Client).Config()
		cfg.LabelRetryDelay = time.Millisecond
		d.Waybills = kuaidi100.New(cfg)
		d.Accounts = NewMemoryAccounts(jt)
	})
	o := testOrder(5)
	o.Carrier = "jtexpress"
	res, err := e.svc.Ship(ctx, frontDesk, o, ShipOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Shipment.Routing.Extra[carrierLabelKey] == "" || res.Job.State != store.JobSent {
		t.Fatalf("shipment %+v job %+v", res.Shipment.Routing, res.Job)
	}
	job, err := e.db.Job(ctx, res.Job.ID)
	if err != nil {
		t.Fatal(err)
	}
	data := string(job.Data)
	for _, native := range []string{"BARCODE", "QRCODE", "^BC", "^BQ", "TEXT "} {
		if strings.Contains(data, native) {
			t.Errorf("carrier-template job draws %s itself: it must be the picture only", native)
		}
	}
	if res.Preview == nil {
		t.Fatal("no preview")
	}
	// The preview is the carrier's picture as the printer gets it.
	img, err := e.deps.Waybills.FetchLabelImage(ctx, res.Shipment.Routing.Extra[carrierLabelKey])
	if err != nil {
		t.Fatal(err)
	}
	l, err := label.ImageLabel(label.Size76x130, 203, fitImage(img, label.Dots(76, 203), label.Dots(130, 203)))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := label.Render(l)
	var printed *image.Gray
	if job.Format == "zpl" {
		printed, err = zpl.Render(job.Data)
	} else {
		printed, err = tspl.RenderDPI(job.Data, 203)
	}
	if err != nil {
		t.Fatal(err)
	}
	if d := dotsDiffer(want, res.Preview); d != 0 {
		t.Errorf("preview differs from the carrier's picture in %d dots", d)
	}
	if d := dotsDiffer(want, printed); d != 0 {
		t.Errorf("printed label differs from the carrier's picture in %d dots", d)
	}
	if st := e.sb.Stats(); st.Responses["order 200"] != 1 {
		t.Errorf("sandbox %v", st.Responses)
	}
}

func dotsDiffer(a, b *image.Gray) int {
	if a.Bounds().Size() != b.Bounds().Size() {
		return a.Bounds().Dx() * a.Bounds().Dy()
	}
	n := 0
	for y := range a.Bounds().Dy() {
		for x := range a.Bounds().Dx() {
			if (a.GrayAt(a.Bounds().Min.X+x, a.Bounds().Min.Y+y).Y < 128) != (b.GrayAt(b.Bounds().Min.X+x, b.Bounds().Min.Y+y).Y < 128) {
				n++
			}
		}
	}
	return n
}

// TestProblemParcelsNameTheCourier: an exception shows who to call, from
// the courier Kuaidi100's trace named (needCourierInfo).
func TestProblemParcelsNameTheCourier(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t, nil)
	res, err := e.svc.Ship(ctx, frontDesk, testOrder(7), ShipOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.UpdateShipment(ctx, res.Order.Waybill, func(s *store.Shipment) error {
		s.Courier = store.Courier{PickupName: "张师傅", PickupPhone: "13800001111", DeliveryName: "王磊", DeliveryPhone: "15000002222"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.RaiseException(ctx, &store.Exception{Waybill: res.Order.Waybill, Kind: store.ExcProblem, Detail: "疑难件", RaisedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	ex, err := e.svc.Exceptions(ctx, manager)
	if err != nil || len(ex) != 1 || ex[0].Detail != "疑难件（派件员 王磊 15000002222）" {
		t.Fatalf("exceptions %+v %v", ex, err)
	}
	stored, _ := e.db.Exceptions(ctx, true, 10)
	if stored[0].Detail != "疑难件" {
		t.Errorf("the courier was written into the stored exception: %q", stored[0].Detail)
	}
	if got := CourierText(store.Courier{PickupName: "张师傅"}); got != "揽件员 张师傅" {
		t.Errorf("pickup only: %q", got)
	}
}

func TestFitImageKeepsProportionsAndCentres(t *testing.T) {
	src := image.NewGray(image.Rect(10, 10, 410, 610)) // 2:3, all black
	out := fitImage(src, 607, 1039)
	if out.Bounds() != image.Rect(0, 0, 607, 1039) {
		t.Fatalf("bounds %v", out.Bounds())
	}
	// 607 wide -> 910 high, centred: rows 64..973 black, the rest paper.
	for _, c := range []struct {
		x, y  int
		black bool
	}{{303, 519, true}, {0, 70, true}, {606, 970, true}, {303, 10, false}, {303, 1030, false}} {
		if got := out.GrayAt(c.x, c.y).Y < 128; got != c.black {
			t.Errorf("(%d,%d) black %v, want %v", c.x, c.y, got, c.black)
		}
	}
	if e := fitImage(image.NewGray(image.Rect(0, 0, 0, 0)), 10, 10); e.GrayAt(5, 5).Y != 255 {
		t.Error("an empty picture must give white paper")
	}
}
