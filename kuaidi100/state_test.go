package kuaidi100_test

import (
	"strings"
	"testing"

	"shipdesk/kuaidi100"
)

func TestMilestoneOfEveryCode(t *testing.T) {
	want := map[string]kuaidi100.Milestone{
		"0": kuaidi100.MilestoneInTransit, "1001": kuaidi100.MilestoneInTransit, "1002": kuaidi100.MilestoneInTransit, "1003": kuaidi100.MilestoneInTransit,
		"1": kuaidi100.MilestonePickedUp, "101": kuaidi100.MilestoneOrdered, "102": kuaidi100.MilestoneOrdered, "103": kuaidi100.MilestonePickedUp,
		"5": kuaidi100.MilestoneOutForDelivery, "501": kuaidi100.MilestoneOutForDelivery,
		"3": kuaidi100.MilestoneDelivered, "301": kuaidi100.MilestoneDelivered, "302": kuaidi100.MilestoneDelivered, "303": kuaidi100.MilestoneDelivered, "304": kuaidi100.MilestoneDelivered,
		"6": kuaidi100.MilestoneReturning, "4": kuaidi100.MilestoneReturned, "401": kuaidi100.MilestoneCancelled, "14": kuaidi100.MilestoneRefused,
		"7": kuaidi100.MilestoneInTransit,
		"2": kuaidi100.MilestoneProblem, "201": kuaidi100.MilestoneProblem, "202": kuaidi100.MilestoneProblem, "203": kuaidi100.MilestoneProblem,
		"204": kuaidi100.MilestoneProblem, "205": kuaidi100.MilestoneProblem, "206": kuaidi100.MilestoneProblem, "207": kuaidi100.MilestoneProblem,
		"208": kuaidi100.MilestoneProblem, "209": kuaidi100.MilestoneProblem, "210": kuaidi100.MilestoneProblem,
		"8": kuaidi100.MilestoneCustoms, "10": kuaidi100.MilestoneCustoms, "11": kuaidi100.MilestoneCustoms, "12": kuaidi100.MilestoneCustoms, "13": kuaidi100.MilestoneProblem,
		"": kuaidi100.MilestoneUnknown, "99": kuaidi100.MilestoneUnknown, "x": kuaidi100.MilestoneUnknown,
		" 1002 ": kuaidi100.MilestoneInTransit, "211": kuaidi100.MilestoneProblem, "1004": kuaidi100.MilestoneInTransit,
	}
	for code, m := range want {
		if got := kuaidi100.MilestoneOf(code); got != m {
			t.Errorf("MilestoneOf(%q) = %v, want %v", code, got, m)
		}
		if code != "" && len(code) < 5 && kuaidi100.StateName(code) == "" && m != kuaidi100.MilestoneUnknown && code != "211" && code != "1004" && code != " 1002 " {
			t.Errorf("no Chinese name for %q", code)
		}
	}
	seen := map[string]bool{}
	for _, m := range kuaidi100.Milestones() {
		if n := m.String(); strings.HasPrefix(n, "milestone(") || seen[n] {
			t.Errorf("milestone %d has no name of its own: %q", uint8(m), n)
		}
		seen[m.String()] = true
	}
}

func TestMilestoneForIsCheck(t *testing.T) {
	cases := []struct {
		state  string
		signed bool
		want   kuaidi100.Milestone
	}{
		{"0", true, kuaidi100.MilestoneDelivered},
		{"5", false, kuaidi100.MilestoneOutForDelivery},
		{"4", true, kuaidi100.MilestoneReturned},
		{"14", true, kuaidi100.MilestoneRefused},
		{"", true, kuaidi100.MilestoneDelivered},
	}
	for _, c := range cases {
		if got := kuaidi100.MilestoneFor(c.state, c.signed); got != c.want {
			t.Errorf("MilestoneFor(%q, %v) = %v, want %v", c.state, c.signed, got, c.want)
		}
	}
}
