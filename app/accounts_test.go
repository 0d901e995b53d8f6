package app

import (
	"slices"
	"strings"
	"testing"

	"shipdesk/assets/i18n"
	"shipdesk/kuaidi100"
	"shipdesk/shipping"
	"shipdesk/store"
)

func (a *accountsTab) choose(t *testing.T, carrier string) {
	t.Helper()
	for i, s := range a.specs {
		if s.Carrier == carrier {
			a.carrier.SetSelectedIndex(i)
			return
		}
	}
	t.Fatalf("no carrier %s in the list", carrier)
}

// TestCarrierAccountsTab: the tab labels each field with the carrier's own
// name, fills fixed values, refuses an incomplete account naming the field,
// saves (audited, masked afterwards) and removes; the ship form offers only
// carriers with an account and says how to add one when there is none.
func TestCarrierAccountsTab(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t)
	e.as(t, store.RoleManager)
	e.ui.tabs.Select(e.ui.tabSettings)
	a := e.ui.setup.accounts

	a.choose(t, "zhongtong")
	if f := a.fields[kuaidi100.FieldCode]; f == nil || f.Text != "ztoOpen" || !f.Disabled() {
		t.Errorf("ZTO code field %+v, want ztoOpen, fixed", f)
	}
	a.choose(t, "yuantong")
	e.wait()
	if len(a.fields) != 2 || a.fields[kuaidi100.FieldPartnerID] == nil || a.fields[kuaidi100.FieldPartnerKey] == nil {
		t.Fatalf("YTO fields %v", a.fields)
	}
	if !strings.Contains(a.fields[kuaidi100.FieldPartnerID].PlaceHolder, "****") {
		t.Errorf("stored value not shown masked: %q", a.fields[kuaidi100.FieldPartnerID].PlaceHolder)
	}
	a.remove()
	e.wait()
	if e.ui.svc.HasAccount(ctx, "yuantong") || slices.Contains(e.ui.ship.shippable, "yuantong") {
		t.Fatalf("removed YTO still offered: %v", e.ui.ship.shippable)
	}
	a.fields[kuaidi100.FieldPartnerID].SetText("sandbox")
	a.save()
	e.wait()
	if !strings.Contains(a.msg.Text, "商家密钥") {
		t.Errorf("incomplete account message %q", a.msg.Text)
	}
	a.fields[kuaidi100.FieldPartnerID].SetText("sandbox")
	a.fields[kuaidi100.FieldPartnerKey].SetText("sandbox")
	a.template.SetSelected(templateName(kuaidi100.TemplateCarrier))
	a.save()
	e.wait()
	if a.msg.Text != i18n.T("Account saved.") || !e.ui.svc.HasAccount(ctx, "yuantong") {
		t.Fatalf("save: %q", a.msg.Text)
	}
	if !slices.Contains(e.ui.ship.shippable, "yuantong") {
		t.Errorf("saved YTO not offered: %v", e.ui.ship.shippable)
	}
	if strings.Contains(a.list.Text, "sandbox") || !strings.Contains(a.list.Text, "圆通速递") {
		t.Errorf("list not masked or incomplete: %q", a.list.Text)
	}
	audit, _ := e.db.AuditLog(ctx, 10)
	if len(audit) == 0 || audit[0].Action != "account" || audit[0].Target != "yuantong" || strings.Contains(audit[0].Detail, "sandbox") {
		t.Errorf("audit %+v", audit)
	}

	// Without any account nothing can ship, and the form says why.
	for _, s := range kuaidi100.AccountSpecs() {
		if err := e.ui.svc.RemoveAccount(ctx, shipping.User{Name: "主管", Role: store.RoleManager}, s.Carrier); err != nil {
			t.Fatal(err)
		}
	}
	e.ui.ship.refreshCarriers()
	e.wait()
	if !e.ui.ship.accountHint.Visible() || len(e.ui.ship.shippable) != 0 {
		t.Errorf("hint visible %v, options %v", e.ui.ship.accountHint.Visible(), e.ui.ship.shippable)
	}

	// A front-desk clerk cannot change accounts.
	e.as(t, store.RoleFrontDesk)
	if !a.saveBtn.Disabled() || !a.delBtn.Disabled() {
		t.Error("front desk may save or remove accounts")
	}
}
