package shipping

import (
	"image"
	"strings"
	"testing"
	"time"

	"shipdesk/internal/testkit"
	"shipdesk/kuaidi100"
	"shipdesk/printer"
	"shipdesk/printer/label"
	"shipdesk/printer/label/labeltest"
	"shipdesk/store"
)

// TestLabelPrintsThePayTypeSent: an order with the settings' default pay
// type MONTHLY, shipped on a ZTO account that is no 月结 account, is sent
// with the account's pay type. The shipment keeps what was sent, and the
// label data, the first label and a reprint (drawn by the virtual printer
// from the printer bytes) say what was sent, never 月结.
func TestLabelPrintsThePayTypeSent(t *testing.T) {
	for _, tc := range []struct {
		name, accountPay, sent, printed string
	}{
		{"account default", "", kuaidi100.PayShipper, "寄付"},
		{"account pays on delivery", kuaidi100.PayConsignee, kuaidi100.PayConsignee, "到付"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			clk := testkit.NewClock(time.Date(2026, 12, 2, 10, 0, 0, 0, time.Local))
			zto, _ := kuaidi100.SandboxAccount("zhongtong")
			if tc.accountPay != "" {
				zto.PayType = tc.accountPay
			}
			e := newEnv(t, func(d *Deps) { d.Now, d.Accounts = clk.Now, NewMemoryAccounts(zto) })
			st, err := e.db.Settings(ctx)
			if err != nil {
				t.Fatal(err)
			}
			o := testOrder(70)
			o.PayType = ""
			if o = st.OrderDefaults(o); o.PayType != kuaidi100.PayMonthly {
				t.Fatalf("settings' default pay type %q, want MONTHLY", o.PayType)
			}
			res, err := e.svc.Ship(ctx, frontDesk, o, ShipOptions{})
			if err != nil || !res.Done() || res.Job.State != store.JobSent {
				t.Fatalf("Ship = %+v, %v", res, err)
			}
			sh, err := e.db.Shipment(ctx, res.Order.Waybill)
			if err != nil || sh.PayType != tc.sent || res.Shipment.PayType != tc.sent {
				t.Fatalf("stored shipment pay type %q (result %q), %v; want %q", sh.PayType, res.Shipment.PayType, err, tc.sent)
			}
			d := LabelData(res.Order, &sh, clk.Now(), st.Label)
			if d.PayType != tc.sent {
				t.Errorf("LabelData(...).PayType = %q, want %q", d.PayType, tc.sent)
			}
			l, err := label.EWaybill(d, label.Size76x130, 203)
			if err != nil {
				t.Fatal(err)
			}
			if texts := labelTexts(l); !strings.Contains(texts, tc.printed) || strings.Contains(texts, "月结") {
				t.Errorf("label texts %q: want %s and no 月结", texts, tc.printed)
			}
			want, monthly := renderData(t, d, tc.sent), renderData(t, d, kuaidi100.PayMonthly)

			job, err := e.svc.Reprint(ctx, warehouse, sh.Waybill, "面单污损", "")
			if err != nil || job.State != store.JobSent {
				t.Fatalf("Reprint = %+v, %v", job, err)
			}
			for name, j := range map[string]store.PrintJob{"first label": res.Job, "reprint": job} {
				got, err := printer.Language(j.Format).Render(j.Data)
				if err != nil {
					t.Fatalf("%s: render: %v", name, err)
				}
				if n, box, err := labeltest.Diff(got, want); err != nil || n != 0 {
					t.Errorf("%s: %d dots in %v differ from the label saying %s (%v)", name, n, box, tc.printed, err)
				}
				if n, _, err := labeltest.Diff(got, monthly); err != nil || n == 0 {
					t.Errorf("%s: prints like the label saying 月结 (%d dots differ, %v)", name, n, err)
				}
			}
		})
	}
}

// labelTexts joins every text element of l.
func labelTexts(l *label.Label) string {
	var b strings.Builder
	for _, el := range l.Elements {
		if t, ok := el.(*label.Text); ok {
			b.WriteString(t.Content + "\n")
		}
	}
	return b.String()
}

// renderData draws d's label with pay type pay, as the preview does.
func renderData(t *testing.T, d label.Data, pay string) *image.Gray {
	t.Helper()
	d.PayType = pay
	l, err := label.EWaybill(d, label.Size76x130, 203)
	if err != nil {
		t.Fatal(err)
	}
	img, err := label.Render(l)
	if err != nil {
		t.Fatal(err)
	}
	return img
}
