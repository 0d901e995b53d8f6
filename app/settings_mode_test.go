package app

import (
	"strings"
	"testing"

	"shipdesk/assets/i18n"
	"shipdesk/store"
)

// TestTrackingModeSaysModeAndCost: 设置 names the way the station learns
// of events and what it costs, for each of the three modes.
func TestTrackingModeSaysModeAndCost(t *testing.T) {
	// The wants are the English texts: read them in the English UI.
	if err := i18n.Use("en"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = i18n.Use("zh") })
	st := store.DefaultSettings()
	for _, c := range []struct {
		mod  func(*store.TrackingSettings)
		want string
	}{
		{func(tr *store.TrackingSettings) {}, "Polling only"},
		{func(tr *store.TrackingSettings) { tr.PushURL = "http://203.0.113.5:8090/kuaidi100/push" }, "Direct push"},
		{func(tr *store.TrackingSettings) { tr.RelayURL, tr.WindowQueries = "https://relay.example.com", 3 }, "relay https://relay.example.com"},
		{func(tr *store.TrackingSettings) { tr.RelayURL, tr.PollOnly = "https://relay.example.com", true }, "Polling only"},
	} {
		s := st
		c.mod(&s.Tracking)
		got := trackingMode(s)
		if !strings.Contains(got, c.want) || !strings.Contains(got, "0.10 yuan") || !strings.Contains(got, "queries per delivered parcel") {
			t.Errorf("%+v: %q, want %q, the fee and the queries", s.Tracking, got, c.want)
		}
	}
}
