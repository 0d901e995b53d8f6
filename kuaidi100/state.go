package kuaidi100

import (
	"fmt"
	"strings"
)

// Milestone is how far a parcel has come, as this package reads
// Kuaidi100's state codes: the small, ordered set the many raw states
// (0-14 and their advanced sub-codes) fall into. It is the wire's
// vocabulary; the tracking worker converts it to the store's milestone at
// its edge, so this package needs no store to speak it.
type Milestone uint8

// The milestones, in the order a parcel normally passes them.
const (
	MilestoneUnknown        Milestone = iota // no state code, or one no rule knows
	MilestoneOrdered                         // 已下单 / 待揽收: waybill issued, no courier has it
	MilestonePickedUp                        // 揽收
	MilestoneInTransit                       // 在途, 转投
	MilestoneOutForDelivery                  // 派件, 投柜或驿站
	MilestoneDelivered                       // 签收; terminal
	MilestoneProblem                         // 疑难 and the states someone must act on
	MilestoneReturning                       // 退回
	MilestoneReturned                        // 退签; terminal
	MilestoneRefused                         // 拒签; terminal
	MilestoneCancelled                       // 已销单; terminal
	MilestoneCustoms                         // 清关
)

// milestoneCodes are the machine names, the same words the store uses.
var milestoneCodes = [...]string{"unknown", "ordered", "picked_up", "in_transit", "out_for_delivery",
	"delivered", "problem", "returning", "returned", "refused", "cancelled", "customs"}

// Milestones returns every milestone in order, MilestoneUnknown first.
func Milestones() []Milestone {
	out := make([]Milestone, len(milestoneCodes))
	for i := range out {
		out[i] = Milestone(i)
	}
	return out
}

// Valid reports whether m is one of the defined milestones.
func (m Milestone) Valid() bool { return int(m) < len(milestoneCodes) }

// String returns the machine name ("in_transit").
func (m Milestone) String() string {
	if !m.Valid() {
		return fmt.Sprintf("milestone(%d)", uint8(m))
	}
	return milestoneCodes[m]
}

// Terminal reports whether Kuaidi100 will report nothing further: the
// parcel was signed for, returned, refused or its waybill cancelled.
func (m Milestone) Terminal() bool {
	switch m {
	case MilestoneDelivered, MilestoneReturned, MilestoneRefused, MilestoneCancelled:
		return true
	}
	return false
}

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
func MilestoneOf(stateCode string) Milestone {
	switch c := strings.TrimSpace(stateCode); c {
	case "101", "102":
		// 已下单 / 待揽收: a waybill exists but no courier has the parcel.
		return MilestoneOrdered
	case "1", "103":
		return MilestonePickedUp
	case "0", "1001", "1002", "1003":
		return MilestoneInTransit
	case "7":
		// 转投: handed to another carrier; the parcel is still moving.
		return MilestoneInTransit
	case "5", "501":
		return MilestoneOutForDelivery
	case "3", "301", "302", "303", "304":
		return MilestoneDelivered
	case "6":
		return MilestoneReturning
	case "4":
		return MilestoneReturned
	case "14":
		return MilestoneRefused
	case "401":
		return MilestoneCancelled
	case "203":
		// 拒收 is a refusal *pending the sender's confirmation*: the parcel
		// may still be redelivered, and a final refusal arrives as 14. Until
		// then a person must call the patient, so it is a problem, not the
		// terminal refused milestone.
		return MilestoneProblem
	case "210":
		// 销单 under 疑难: the carrier reports the sender cancelled, but the
		// authoritative cancellation is 401 (已销单). A parcel that has moved
		// and is then "cancelled" needs a person to find out where it is, so
		// it is a problem rather than a terminal state that stops tracking.
		return MilestoneProblem
	case "2", "201", "202", "204", "205", "206", "207", "208", "209":
		return MilestoneProblem
	case "8", "10", "11", "12":
		return MilestoneCustoms
	case "13":
		// 清关异常: customs is holding the parcel; someone must act.
		return MilestoneProblem
	default:
		if len(c) == 3 && allDigits(c) {
			switch c[0] {
			case '1':
				return MilestonePickedUp
			case '2':
				return MilestoneProblem
			case '3':
				return MilestoneDelivered
			case '5':
				return MilestoneOutForDelivery
			}
		}
		if len(c) == 4 && strings.HasPrefix(c, "100") {
			return MilestoneInTransit
		}
		return MilestoneUnknown
	}
}

// MilestoneFor is MilestoneOf plus the ischeck flag: a parcel Kuaidi100
// marks as signed (ischeck "1") is delivered unless its state already says
// how it ended (returned, refused, cancelled).
func MilestoneFor(stateCode string, signed bool) Milestone {
	m := MilestoneOf(stateCode)
	if signed && !m.Terminal() {
		return MilestoneDelivered
	}
	return m
}

// milestoneOfName maps the Chinese state names sent in data[].status (base
// names with resultv2=1, advanced names with resultv2=4) for trace lines
// without a statusCode.
func milestoneOfName(name string) Milestone {
	name = strings.TrimSpace(name)
	if name == "" {
		return MilestoneUnknown
	}
	for code, n := range stateNames {
		if n == name {
			return MilestoneOf(code)
		}
	}
	switch {
	case strings.Contains(name, "签收"):
		return MilestoneDelivered
	case strings.Contains(name, "派"):
		return MilestoneOutForDelivery
	case strings.Contains(name, "揽"):
		return MilestonePickedUp
	case strings.Contains(name, "在途"), strings.Contains(name, "运输"):
		return MilestoneInTransit
	}
	return MilestoneUnknown
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
