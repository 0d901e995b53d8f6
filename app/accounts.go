package app

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"shipdesk/assets/i18n"
	"shipdesk/kuaidi100"
	"shipdesk/shipping"
)

// accountsTab is 设置 → 快递账号: the centre's e-waybill account with each
// carrier, every field labelled with the carrier's own name for it, fixed
// values filled in, stored values shown masked (a field left empty keeps
// its value), a default product and pay type, and the label template.
// Managers only; every change is audited by the service.
type accountsTab struct {
	ui       *UI
	content  fyne.CanvasObject
	carrier  *widget.Select
	form     *fyne.Container
	fields   map[string]*widget.Entry // by wire name
	product  *widget.Select
	payType  *widget.Select
	template *widget.RadioGroup
	saveBtn  *widget.Button
	delBtn   *widget.Button
	list     *widget.Label
	msg      *widget.Label
	stored   []kuaidi100.Account // masked
	specs    []kuaidi100.AccountSpec
}

func templateName(t string) string {
	if t == kuaidi100.TemplateCarrier {
		return i18n.T("Carrier's template")
	}
	return i18n.T("Our label")
}

func newAccountsTab(u *UI) *accountsTab {
	a := &accountsTab{ui: u, specs: kuaidi100.AccountSpecs(), fields: map[string]*widget.Entry{}}
	var names []string
	for _, s := range a.specs {
		names = append(names, s.Name+" "+s.Carrier)
	}
	a.carrier = newSelect(names, func(string) { a.msg.SetText(""); a.show() })
	a.form = container.NewVBox()
	a.product = newSelect(nil, nil)
	a.payType = newSelect(nil, nil)
	a.template = widget.NewRadioGroup([]string{templateName(kuaidi100.TemplateOwn), templateName(kuaidi100.TemplateCarrier)}, nil)
	a.template.Horizontal = true
	a.saveBtn = widget.NewButtonWithIcon(i18n.T("Save account"), theme.DocumentSaveIcon(), a.save)
	a.saveBtn.Importance = widget.HighImportance
	a.delBtn = widget.NewButtonWithIcon(i18n.T("Remove account"), theme.DeleteIcon(), a.remove)
	a.list = widget.NewLabel("")
	a.list.Wrapping = fyne.TextWrapWord
	a.msg = widget.NewLabel("")
	a.msg.Wrapping = fyne.TextWrapWord
	a.content = container.NewVScroll(container.NewVBox(
		widget.NewLabel(i18n.T("Kuaidi100 issues a waybill only on the centre's own account with the carrier (the contract with its local branch). Copy each value from the carrier's contract or console into the box with the carrier's own name for it.")),
		widget.NewForm(widget.NewFormItem(i18n.T("Carrier"), a.carrier)),
		a.form,
		widget.NewForm(
			widget.NewFormItem(i18n.T("Default product"), a.product),
			widget.NewFormItem(i18n.T("Default payment"), a.payType),
			widget.NewFormItem(i18n.T("Label"), a.template),
		),
		container.NewHBox(a.saveBtn, a.delBtn),
		a.msg,
		widget.NewLabelWithStyle(i18n.T("Accounts"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		a.list,
	))
	a.carrier.SetSelectedIndex(0)
	return a
}

func (a *accountsTab) spec() kuaidi100.AccountSpec {
	i := a.carrier.SelectedIndex()
	if i < 0 {
		i = 0
	}
	return a.specs[i]
}

func (a *accountsTab) storedFor(carrier string) (kuaidi100.Account, bool) {
	for _, x := range a.stored {
		if x.Carrier == carrier {
			return x, true
		}
	}
	return kuaidi100.Account{}, false
}

// show rebuilds the form for the chosen carrier.
func (a *accountsTab) show() {
	spec := a.spec()
	have, ok := a.storedFor(spec.Carrier)
	a.form.RemoveAll()
	a.fields = map[string]*widget.Entry{}
	items := []*widget.FormItem{}
	for _, f := range spec.Fields {
		var e *widget.Entry
		if f.Name == kuaidi100.FieldPartnerKey || f.Name == kuaidi100.FieldPartnerSecret {
			e = widget.NewPasswordEntry()
		} else {
			e = widget.NewEntry()
		}
		switch {
		case f.Fixed != "":
			e.SetText(f.Fixed)
			e.Disable()
		case ok && have.Field(f.Name) != "":
			e.SetPlaceHolder(i18n.F("Saved: %s (leave empty to keep)", have.Field(f.Name)))
		}
		a.fields[f.Name] = e
		items = append(items, widget.NewFormItem(f.Label+"  "+f.Name, e))
	}
	a.form.Add(widget.NewForm(items...))
	a.product.Options = spec.Products
	a.product.Refresh()
	a.payType.Options = spec.PayTypes()
	a.payType.Refresh()
	if ok {
		a.product.SetSelected(have.Product)
		a.payType.SetSelected(have.PayType)
		a.template.SetSelected(templateName(have.Template))
	} else {
		a.product.SetSelectedIndex(0)
		a.payType.SetSelected(spec.DefaultPayType())
		a.template.SetSelected(templateName(kuaidi100.TemplateOwn))
	}
	a.applyRole()
}

func (a *accountsTab) applyRole() {
	allowed := a.ui.allowed(shipping.ActSettings)
	setEnabled(a.saveBtn, allowed)
	setEnabled(a.delBtn, allowed)
	if !allowed {
		a.list.SetText(i18n.T("Only a manager sees and changes the carrier accounts."))
	}
}

// load fetches the stored accounts (masked) and shows the list.
func (a *accountsTab) load() {
	if !a.ui.allowed(shipping.ActSettings) {
		a.stored = nil
		a.applyRole()
		return
	}
	var got []kuaidi100.Account
	var err error
	a.ui.async(func(ctx context.Context, who shipping.User) { got, err = a.ui.svc.Accounts(ctx, who) }, func() {
		if err != nil {
			a.msg.SetText(shipping.Describe(err))
			return
		}
		a.stored = got
		var lines []string
		for _, x := range got {
			spec, _ := kuaidi100.AccountSpecFor(x.Carrier)
			line := spec.Name + "（" + x.Carrier + "）"
			for _, f := range spec.Fields {
				line += "  " + f.Label + " " + x.Field(f.Name)
			}
			lines = append(lines, line+"  "+x.Product+"  "+x.PayType+"  "+templateName(x.Template))
		}
		if len(lines) == 0 {
			lines = []string{i18n.T("No carrier account yet.")}
		}
		a.list.SetText(strings.Join(lines, "\n"))
		a.show()
	})
}

func (a *accountsTab) collect() kuaidi100.Account {
	spec := a.spec()
	acct := kuaidi100.Account{Carrier: spec.Carrier, Product: a.product.Selected, PayType: a.payType.Selected, Template: kuaidi100.TemplateOwn}
	if a.template.Selected == templateName(kuaidi100.TemplateCarrier) {
		acct.Template = kuaidi100.TemplateCarrier
	}
	for name, e := range a.fields {
		acct.SetField(name, e.Text)
	}
	return acct
}

func (a *accountsTab) save() {
	if !a.ui.allowed(shipping.ActSettings) {
		a.msg.SetText(shipping.ErrForbidden.Error())
		return
	}
	acct := a.collect()
	var err error
	a.ui.async(func(ctx context.Context, who shipping.User) { err = a.ui.svc.SetAccount(ctx, who, acct) }, func() {
		if err != nil {
			a.msg.SetText(shipping.Describe(err))
			return
		}
		a.load()
		a.msg.SetText(i18n.T("Account saved."))
		a.ui.ship.refreshCarriers()
	})
}

func (a *accountsTab) remove() {
	if !a.ui.allowed(shipping.ActSettings) {
		a.msg.SetText(shipping.ErrForbidden.Error())
		return
	}
	carrier := a.spec().Carrier
	var err error
	a.ui.async(func(ctx context.Context, who shipping.User) { err = a.ui.svc.RemoveAccount(ctx, who, carrier) }, func() {
		if err != nil {
			a.msg.SetText(shipping.Describe(err))
			return
		}
		a.load()
		a.msg.SetText(i18n.T("Account removed."))
		a.ui.ship.refreshCarriers()
	})
}
