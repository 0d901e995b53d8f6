package kuaidi100_test

import (
	"testing"

	"shipdesk/kuaidi100"
	"shipdesk/store"
)

func TestMilestoneOfEveryCode(t *testing.T) {
	want := map[string]store.Milestone{
		"0": store.MilestoneInTransit, "1001": store.MilestoneInTransit, "1002": store.MilestoneInTransit, "1003": store.MilestoneInTransit,
		"1": store.MilestonePickedUp, "101": store.MilestoneOrdered, "102": store.MilestoneOrdered, "103": store.MilestonePickedUp,
		"5": store.MilestoneOutForDelivery, "501": store.MilestoneOutForDelivery,
		"3": store.MilestoneDelivered, "301": store.MilestoneDelivered, "302": store.MilestoneDelivered, "303": store.MilestoneDelivered, "304": store.MilestoneDelivered,
		"6": store.MilestoneReturning, "4": store.MilestoneReturned, "401": store.MilestoneCancelled, "14": store.MilestoneRefused,
		"7": store.MilestoneInTransit,
		"2": store.MilestoneProblem, "201": store.MilestoneProblem, "202": store.MilestoneProblem, "203": store.MilestoneProblem,
		"204": store.MilestoneProblem, "205": store.MilestoneProblem, "206": store.MilestoneProblem, "207": store.MilestoneProblem,
		"208": store.MilestoneProblem, "209": store.MilestoneProblem, "210": store.MilestoneProblem,
		"8": store.MilestoneCustoms, "10": store.MilestoneCustoms, "11": store.MilestoneCustoms, "12": store.MilestoneCustoms, "13": store.MilestoneProblem,
		"": store.MilestoneUnknown, "99": store.MilestoneUnknown, "x": store.MilestoneUnknown,
		" 1002 ": store.MilestoneInTransit, "211": store.MilestoneProblem, "1004": store.MilestoneInTransit,
	}
	for code, m := range want {
		if got := kuaidi100.MilestoneOf(code); got != m {
			t.Errorf("MilestoneOf(%q) = %v, want %v", code, got, m)
		}
		if code != "" && len(code) < 5 && kuaidi100.StateName(code) == "" && m != store.MilestoneUnknown && code != "211" && code != "1004" && code != " 1002 " {
			t.Errorf("no Chinese name for %q", code)
		}
	}
	for _, m := range store.Milestones()[1:] {
		if m.Chinese() == "" || m.English() == "" {
			t.Errorf("milestone %v lacks names", m)
		}
	}
}

func TestMilestoneForIsCheck(t *testing.T) {
	cases := []struct {
		state  string
		signed bool
		want   store.Milestone
	}{
		{"0", true, store.MilestoneDelivered},
		{"5", false, store.MilestoneOutForDelivery},
		{"4", true, store.MilestoneReturned},
		{"14", true, store.MilestoneRefused},
		{"", true, store.MilestoneDelivered},
	}
	for _, c := range cases {
		if got := kuaidi100.MilestoneFor(c.state, c.signed); got != c.want {
			t.Errorf("MilestoneFor(%q, %v) = %v, want %v", c.state, c.signed, got, c.want)
		}
	}
}
