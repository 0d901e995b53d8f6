package kuaidi100

import (
	"strings"

	"shipdesk/store"
)

// stateNames are the Chinese names of every documented state code (reference §8).
var stateNames = map[string]string{
	"0": "在途", "1001": "到达派件城市", "1002": "干线", "1003": "转递",
	"1": "揽收", "101": "已下单", "102": "待揽收", "103": "已揽收",
	"5": "派件", "501": "投柜或驿站",
	"3": "签收", "301": "本人签收", "302": "派件异常后签收", "303": "代签", "304": "投柜或站签收",
	"6": "退回", "4": "退签", "401": "已销单", "14": "拒签", "7": "转投",
	"2": "疑难", "201": "超时未签收", "202": "超时未更新", "203": "拒收", "204": "派件异常",
	"205": "柜或驿站超时未取", "206": "无法联系", "207": "超区", "208": "滞留", "209": "破损", "210": "销单",
	"8": "清关", "10": "待清关", "11": "清关中", "12": "已清关", "13": "清关异常",
}

// StateName returns the Chinese name of a Kuaidi100 state code ("1002" ->
// "干线"), or "" for an unknown code.
func StateName(code string) string { return stateNames[strings.TrimSpace(code)] }

// MilestoneOf maps a Kuaidi100 state code, base (0-8, 14) or advanced (1xx,
// 2xx, 3xx, 401, 501, 1001-1003, 10-13), to a milestone. Unknown codes fall
// back to their family (first digit of a three-digit code, 100x = in
// transit); anything else is MilestoneUnknown.
func MilestoneOf(stateCode string) store.Milestone {
	switch c := strings.TrimSpace(stateCode); c {
	case "101", "102":
		// 已下单 / 待揽收: a waybill exists but no courier has the parcel.
		return store.MilestoneOrdered
	case "1", "103":
		return store.MilestonePickedUp
	case "0", "1001", "1002", "1003":
		return store.MilestoneInTransit
	case "7":
		// 转投: handed to another carrier; the parcel is still moving.
		return store.MilestoneInTransit
	case "5", "501":
		return store.MilestoneOutForDelivery
	case "3", "301", "302", "303", "304":
		return store.MilestoneDelivered
	case "6":
		return store.MilestoneReturning
	case "4":
		return store.MilestoneReturned
	case "14":
		return store.MilestoneRefused
	case "401":
		return store.MilestoneCancelled
	case "203":
		// 拒收 is a refusal *pending the sender's confirmation*: the parcel
		// may still be redelivered, and a final refusal arrives as 14. Until
		// then a person must call the patient, so it is a problem, not the
		// terminal refused milestone.
		return store.MilestoneProblem
	case "210":
		// 销单 under 疑难: the carrier reports the sender cancelled, but the
		// authoritative cancellation is 401 (已销单). A parcel that has moved
		// and is then "cancelled" needs a person to find out where it is, so
		// it is a problem rather than a terminal state that stops tracking.
		return store.MilestoneProblem
	case "2", "201", "202", "204", "205", "206", "207", "208", "209":
		return store.MilestoneProblem
	case "8", "10", "11", "12":
		return store.MilestoneCustoms
	case "13":
		// 清关异常: customs is holding the parcel; someone must act.
		return store.MilestoneProblem
	default:
		if len(c) == 3 && allDigits(c) {
			switch c[0] {
			case '1':
				return store.MilestonePickedUp
			case '2':
				return store.MilestoneProblem
			case '3':
				return store.MilestoneDelivered
			case '5':
				return store.MilestoneOutForDelivery
			}
		}
		if len(c) == 4 && strings.HasPrefix(c, "100") {
			return store.MilestoneInTransit
		}
		return store.MilestoneUnknown
	}
}

// MilestoneFor is MilestoneOf plus the ischeck flag: a parcel Kuaidi100
// marks as signed (ischeck "1") is delivered unless its state already says
// how it ended (returned, refused, cancelled).
func MilestoneFor(stateCode string, signed bool) store.Milestone {
	m := MilestoneOf(stateCode)
	if signed && !m.Terminal() {
		return store.MilestoneDelivered
	}
	return m
}

// milestoneOfName maps the Chinese state names sent in data[].status (base
// names with resultv2=1, advanced names with resultv2=4) for trace lines
// without a statusCode.
func milestoneOfName(name string) store.Milestone {
	name = strings.TrimSpace(name)
	if name == "" {
		return store.MilestoneUnknown
	}
	for code, n := range stateNames {
		if n == name {
			return MilestoneOf(code)
		}
	}
	switch {
	case strings.Contains(name, "签收"):
		return store.MilestoneDelivered
	case strings.Contains(name, "派"):
		return store.MilestoneOutForDelivery
	case strings.Contains(name, "揽"):
		return store.MilestonePickedUp
	case strings.Contains(name, "在途"), strings.Contains(name, "运输"):
		return store.MilestoneInTransit
	}
	return store.MilestoneUnknown
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
