package app

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"shipdesk/store"
)

func (e *env) shipForm(t *testing.T, name, phone, addr, ref string) {
	t.Helper()
	s := e.ui.ship
	test.Type(s.name, name)
	test.Type(s.phone, phone)
	test.Type(s.address, addr)
	test.Type(s.reference, ref)
	e.wait()
	s.reference.TypedShortcut(ctrlEnter)
	e.wait()
	if s.name.Text != "" {
		t.Fatalf("not shipped: %s", s.status.Text)
	}
}

func suggestions(b *addressBook) []string {
	var out []string
	for _, o := range b.box.Objects {
		if btn, ok := o.(*widget.Button); ok {
			out = append(out, btn.Text)
		}
	}
	return out
}

func TestReturningPatientFillsTheForm(t *testing.T) {
	e := newEnv(t)
	s := e.ui.ship
	e.shipForm(t, "王芳", "13700001111", "天津市河西区友谊路32号", "PJ-001")
	e.shipForm(t, "王芳", "13700001111", "天津市南开区鞍山西道100号", "PJ-002")

	// Pasting the phone offers both addresses, the newest first.
	c := e.ui.win.Canvas()
	c.Focus(s.phone)
	test.Type(s.phone, "137 0000 1111")
	e.wait()
	got := suggestions(s.book)
	if len(got) != 2 || !strings.Contains(got[0], "鞍山西道") || !strings.Contains(got[1], "友谊路") || !s.book.box.Visible() {
		t.Fatalf("suggestions %q", got)
	}
	// One key fills the form: Ctrl+2 from the phone field takes the older address.
	s.phone.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.Key2, Modifier: fyne.KeyModifierControl})
	e.wait()
	if s.name.Text != "王芳" || s.address.Text != "天津市河西区友谊路32号" || s.phone.Text != "13700001111" {
		t.Fatalf("form %q %q %q", s.name.Text, s.phone.Text, s.address.Text)
	}
	if s.book.box.Visible() || c.Focused() != s.items {
		t.Errorf("after filling: suggestions visible %v, focus %T", s.book.box.Visible(), c.Focused())
	}
	// A changed address ships as a new entry; the old ones stay.
	s.address.SetText("天津市和平区南京路219号")
	test.Type(s.reference, "PJ-003")
	e.wait()
	s.reference.TypedShortcut(ctrlEnter)
	e.wait()
	test.Type(s.phone, "13700001111")
	e.wait()
	got = suggestions(s.book)
	if len(got) != 3 || !strings.Contains(got[0], "南京路") {
		t.Fatalf("after a new address: %q", got)
	}
	s.clear()
	e.wait()
	if s.book.box.Visible() {
		t.Error("a cleared form still offers suggestions")
	}

	// By 配镜单号: the front desk sees the phone masked and types it.
	test.Type(s.reference, "PJ-002")
	e.wait()
	got = suggestions(s.book)
	if len(got) != 1 || !strings.Contains(got[0], "137****1111") || !strings.Contains(got[0], "鞍山西道") {
		t.Fatalf("by reference: %q", got)
	}
	test.Tap(s.book.box.Objects[1].(*widget.Button))
	e.wait()
	if s.name.Text != "王芳" || s.address.Text != "天津市南开区鞍山西道100号" || s.phone.Text != "" || c.Focused() != s.phone {
		t.Errorf("filled by reference: %q %q %q, focus %T", s.name.Text, s.phone.Text, s.address.Text, c.Focused())
	}
	_ = store.RoleManager
}

func TestManagerDeletesAPatientAndSetsRetention(t *testing.T) {
	e := newEnv(t)
	e.shipForm(t, "王芳", "13700001111", "天津市河西区友谊路32号", "PJ-001")
	e.as(t, store.RoleManager)
	c := e.ui.setup.counter
	e.ui.setup.load()
	e.wait()
	if c.retention.Text != "365" || c.handoverBy.Text != "" || c.waitMax.Text != "30" {
		t.Fatalf("defaults %q %q %q", c.retention.Text, c.handoverBy.Text, c.waitMax.Text)
	}
	c.retention.SetText("30")
	c.handoverBy.SetText("17:30")
	c.carrierPrices.SetText("zhongtong 0.30")
	c.defaultPrice.SetText("0.25")
	e.ui.setup.save()
	e.wait()
	st, _ := e.db.Settings(t.Context())
	if st.Counter.Retention() != 30 || st.Counter.HandoverBy != "17:30" || st.Counter.WaybillPrice("zhongtong") != 30 || st.Counter.WaybillPrice("yuantong") != 25 {
		t.Fatalf("saved %+v", st.Counter)
	}
	c.carrierPrices.SetText("zhongtong")
	e.ui.setup.save()
	e.wait()
	if !strings.Contains(e.ui.setup.msg.Text, "zhongtong") {
		t.Errorf("a bad price line: %q", e.ui.setup.msg.Text)
	}

	c.forgetPhone.SetText("13700001111")
	c.forget("13700001111")
	e.wait()
	if !strings.Contains(c.forgetMsg.Text, "1") {
		t.Errorf("message %q", c.forgetMsg.Text)
	}
	list, _ := e.db.ShipmentsByPhone(t.Context(), "1111", 10)
	if len(list) != 1 || list[0].RecipientName != "王*" {
		t.Errorf("after forget: %+v", list)
	}
	e.as(t, store.RoleFrontDesk)
	if !c.forgetBtn.Disabled() {
		t.Error("the front desk may delete patients")
	}
}
