package tracking

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"shipdesk/kuaidi100"
	"shipdesk/store"
)

func TestCityOf(t *testing.T) {
	for addr, want := range map[string]string{
		"天津市河西区友谊路32号":        "天津市河西区",
		"上海市杨浦区复康路4号":         "上海市杨浦区",
		"广东深圳市南山区金蝶软件园":       "广东深圳市南山区",
		"河北省廊坊市三河市燕郊开发区迎宾路1号": "河北省廊坊市三河市",
		"内蒙古自治区呼和浩特市新城区":      "内蒙古自治区呼和浩特市新城区",
		"友谊路32号": "",
		"":       "",
	} {
		if got := CityOf(addr); got != want {
			t.Errorf("CityOf(%q) = %q, want %q", addr, got, want)
		}
	}
}

func FuzzCityOf(f *testing.F) {
	f.Add("天津市河西区友谊路32号")
	f.Fuzz(func(t *testing.T, addr string) {
		if got := CityOf(addr); len(got) > len(addr) {
			t.Fatalf("CityOf(%q) = %q, longer than the address", addr, got)
		}
	})
}

// TestQueryStoresCourierAndSendsFromTo: a poll asks needCourierInfo and
// sends the shipment's cities; the courier the answer names is kept.
func TestQueryStoresCourierAndSendsFromTo(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		e := newEnv(t, "", nil)
		s := e.ship(ctx, 1)
		if _, err := e.db.UpdateShipment(ctx, s.Waybill, func(x *store.Shipment) error {
			x.SenderAddr, x.RecipientAddr = "天津市南开区复康路4号", "天津市河西区友谊路32号"
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		ct := &capturingTracker{Tracker: e.client}
		w := e.worker(func(c *Config) { c.Client = ct })
		time.Sleep(30 * time.Hour) // delivered by now in the sandbox
		if err := w.Refresh(ctx, s.Waybill); err != nil {
			t.Fatal(err)
		}
		got, _ := e.db.Shipment(ctx, s.Waybill)
		if got.Courier.PickupName == "" || got.Courier.PickupPhone == "" {
			t.Errorf("courier not stored: %+v", got.Courier)
		}
		if ct.last.From != "天津市南开区" || ct.last.To != "天津市河西区" {
			t.Errorf("query from %q to %q", ct.last.From, ct.last.To)
		}
	})
}

// capturingTracker remembers the last query it passed on.
type capturingTracker struct {
	Tracker
	last kuaidi100.QueryRequest
}

func (c *capturingTracker) Query(ctx context.Context, r kuaidi100.QueryRequest) (*kuaidi100.Track, error) {
	c.last = r
	return c.Tracker.Query(ctx, r)
}
