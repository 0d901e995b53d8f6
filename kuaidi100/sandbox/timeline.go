package sandbox

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"shipdesk/kuaidi100"
	"shipdesk/store"
)

// city is a place a parcel can start, pass or end.
type city struct {
	Province, City, District string
	AreaCode                 string // CN + admin code
	Short                    string // matched in addresses
	Tel                      string // area telephone code, used as destCode
}

func (c city) areaName() string {
	return strings.TrimSuffix(strings.TrimSuffix(c.Province, "省"), "市") + "," + c.City + "," + c.District
}

var cities = []city{
	{"北京市", "北京市", "朝阳区", "CN110105000000", "北京", "010"},
	{"上海市", "上海市", "杨浦区", "CN310110000000", "上海", "021"},
	{"广东省", "广州市", "天河区", "CN440106000000", "广州", "020"},
	{"广东省", "深圳市", "南山区", "CN440305000000", "深圳", "755"},
	{"天津市", "天津市", "河西区", "CN120103000000", "天津", "022"},
	{"浙江省", "杭州市", "西湖区", "CN330106000000", "杭州", "571"},
	{"江苏省", "南京市", "鼓楼区", "CN320106000000", "南京", "025"},
	{"四川省", "成都市", "武侯区", "CN510107000000", "成都", "028"},
	{"湖北省", "武汉市", "洪山区", "CN420111000000", "武汉", "027"},
	{"陕西省", "西安市", "雁塔区", "CN610113000000", "西安", "029"},
	{"重庆市", "重庆市", "渝北区", "CN500112000000", "重庆", "023"},
	{"湖南省", "长沙市", "岳麓区", "CN430104000000", "长沙", "731"},
	{"河南省", "郑州市", "金水区", "CN410105000000", "郑州", "371"},
	{"辽宁省", "沈阳市", "和平区", "CN210102000000", "沈阳", "024"},
	{"山东省", "青岛市", "市南区", "CN370202000000", "青岛", "532"},
	{"江苏省", "苏州市", "姑苏区", "CN320508000000", "苏州", "512"},
	{"福建省", "厦门市", "思明区", "CN350203000000", "厦门", "592"},
	{"云南省", "昆明市", "五华区", "CN530102000000", "昆明", "871"},
}

var (
	streets   = []string{"友谊路", "人民路", "建设路", "解放路", "中山路", "长江路", "复康路", "黄河道", "文化路", "新华路"}
	couriers  = []string{"张师傅", "王师傅", "李师傅", "刘师傅", "陈师傅", "杨师傅", "赵师傅", "黄师傅", "周师傅", "吴师傅"}
	stations  = []string{"菜鸟驿站", "兔喜生活", "妈妈驿站", "快递超市", "丰巢智能柜"}
	hubSuffix = map[string]string{
		"shunfeng": "中转场", "zhongtong": "分拨中心", "yunda": "分拨中心", "ems": "邮件处理中心",
		"youzhengguonei": "邮件处理中心", "jd": "分拣中心", "debangkuaidi": "枢纽中心",
	}
)

// cityIn finds the city named in an address, or false.
func cityIn(texts ...string) (city, bool) {
	for _, t := range texts {
		for _, c := range cities {
			if t != "" && (strings.Contains(t, c.Short) || strings.Contains(t, c.City)) {
				return c, true
			}
		}
	}
	return city{}, false
}

// event is one planned trace line.
type event struct {
	At      time.Time `json:"at"`
	Code    string    `json:"code"` // advanced state code
	Context string    `json:"context"`
	Area    city      `json:"area"`
}

// outcome is how a parcel's journey ends.
type outcome int

const (
	outDelivered outcome = iota
	outProblem           // a delivery problem, then delivered
	outRefused
	outReturned
)

// parcel is one waybill the sandbox knows.
type parcel struct {
	Num       string    `json:"num"`
	Com       string    `json:"com"`
	Created   time.Time `json:"created"`
	From      city      `json:"from"`
	To        city      `json:"to"`
	Phones    []string  `json:"phones,omitempty"` // last 4 digits accepted for query
	Events    []event   `json:"events"`           // the whole plan, oldest first
	OrderID   string    `json:"orderId,omitempty"`
	TaskID    string    `json:"taskId,omitempty"`
	Reprints  int       `json:"reprints,omitempty"`
	Cancelled bool      `json:"cancelled,omitempty"`
	Issued    bool      `json:"issued,omitempty"` // issued by label/order (not merely seen)
	Outcome   outcome   `json:"outcome"`
	Children  []string  `json:"children,omitempty"`
	NoTrace   bool      `json:"noTrace,omitempty"` // a number the sandbox does not recognise: never any trace
}

// visible returns the events that have happened by now, oldest first.
func (p *parcel) visible(now time.Time) []event {
	n := 0
	for n < len(p.Events) && !p.Events[n].At.After(now) {
		n++
	}
	return p.Events[:n]
}

func (p *parcel) pickedUp(now time.Time) bool {
	for _, e := range p.visible(now) {
		if e.Code != "101" && e.Code != "102" {
			return true
		}
	}
	return false
}

// plan builds the journey of a parcel from p.Created, deterministic for rng.
func (s *Server) plan(p *parcel, rng *rand.Rand) {
	carrier := kuaidi100.CarrierName(p.Com)
	hub := func(c city) string {
		suf := hubSuffix[p.Com]
		if suf == "" {
			suf = "转运中心"
		}
		return c.Short + suf
	}
	branch := func(c city) string { return c.City + c.District + streets[rng.IntN(len(streets))] + "营业部" }
	phone := func() string { return fmt.Sprintf("1%d%09d", 3+rng.IntN(7), rng.IntN(1e9)) }
	hours := func(lo, hi float64) time.Duration {
		return s.scaled(time.Duration((lo + rng.Float64()*(hi-lo)) * float64(time.Hour)))
	}
	t := p.Created
	var evs []event
	add := func(d time.Duration, code, text string, c city) {
		t = t.Add(d)
		evs = append(evs, event{At: t, Code: code, Context: text, Area: c})
	}
	from, to := p.From, p.To
	add(0, "101", fmt.Sprintf("【%s】您的快件已下单，%s快递员将尽快上门揽收", from.City, carrier), from)
	pickBranch := branch(from)
	add(hours(0.5, 5), "103", fmt.Sprintf("【%s】%s 已揽收，揽件员：%s，电话：%s", from.City, pickBranch, couriers[rng.IntN(len(couriers))], phone()), from)
	add(hours(1, 3), "1002", fmt.Sprintf("快件离开【%s】，已发往【%s】", pickBranch, hub(from)), from)
	add(hours(1, 4), "1002", fmt.Sprintf("快件已到达【%s】", hub(from)), from)
	if from.Short != to.Short {
		if rng.IntN(2) == 0 {
			mid := cities[rng.IntN(len(cities))]
			if mid.Short != from.Short && mid.Short != to.Short {
				add(hours(0.5, 2), "1002", fmt.Sprintf("快件已从【%s】发出，下一站【%s】", hub(from), hub(mid)), from)
				add(hours(5, 14), "1002", fmt.Sprintf("快件已到达【%s】", hub(mid)), mid)
				from = mid
			}
		}
		add(hours(0.5, 2), "1002", fmt.Sprintf("快件已从【%s】发出，下一站【%s】", hub(from), hub(to)), from)
		add(hours(5, 20), "1002", fmt.Sprintf("快件已到达【%s】", hub(to)), to)
	}
	destBranch := branch(to)
	add(hours(1, 4), "1001", fmt.Sprintf("快件已到达【%s】，准备派送", destBranch), to)
	courier, cphone := couriers[rng.IntN(len(couriers))], phone()
	add(hours(1, 5), "5", fmt.Sprintf("【%s%s】%s 正在为您派件，电话：%s，请保持电话畅通", to.City, to.District, courier, cphone), to)
	switch p.Outcome {
	case outDelivered:
		if rng.IntN(3) == 0 {
			st := stations[rng.IntN(len(stations))]
			add(hours(0.5, 2), "501", fmt.Sprintf("快件已放入【%s%s】，请凭取件码%d-%d-%04d及时取件", to.District, st, 1+rng.IntN(9), 1+rng.IntN(9), rng.IntN(10000)), to)
			add(hours(1, 20), "304", fmt.Sprintf("【%s】您的快件已从【%s】取出签收，感谢使用%s", to.City, st, carrier), to)
		} else {
			who := []string{"本人", "本人", "家人", "门卫", "前台"}[rng.IntN(5)]
			code := "301"
			if who != "本人" {
				code = "303"
			}
			add(hours(0.5, 3), code, fmt.Sprintf("【%s%s】快件已签收，签收人：%s。如有疑问请联系派件员%s，电话：%s", to.City, to.District, who, courier, cphone), to)
		}
	case outProblem:
		code, why := []string{"206", "204", "208"}[rng.IntN(3)], ""
		switch code {
		case "206":
			why = "收件人电话无法接通，快件暂存网点"
		case "204":
			why = "派件异常：地址不详，正在联系收件人核实"
		default:
			why = "快件滞留网点，将尽快安排派送"
		}
		add(hours(1, 4), code, fmt.Sprintf("【%s】%s", destBranch, why), to)
		add(hours(14, 24), "5", fmt.Sprintf("【%s%s】%s 正在为您再次派件，电话：%s", to.City, to.District, courier, cphone), to)
		add(hours(0.5, 3), "302", fmt.Sprintf("【%s%s】快件已签收，签收人：本人（派件异常后签收）", to.City, to.District), to)
	case outRefused:
		add(hours(0.5, 3), "203", fmt.Sprintf("【%s】收件人拒收，待寄件人确认处理方式", destBranch), to)
		add(hours(10, 24), "14", fmt.Sprintf("【%s】快件已拒签，原因：收件人拒收", destBranch), to)
	case outReturned:
		add(hours(1, 4), "206", fmt.Sprintf("【%s】多次联系收件人未果，快件暂存网点", destBranch), to)
		add(hours(20, 30), "6", fmt.Sprintf("【%s】快件已安排退回，退回原因：收件人无法联系", destBranch), to)
		add(hours(1, 4), "6", fmt.Sprintf("退回件已从【%s】发出，下一站【%s】", hub(to), hub(p.From)), to)
		add(hours(6, 20), "6", fmt.Sprintf("退回件已到达【%s】", hub(p.From)), p.From)
		add(hours(3, 10), "4", fmt.Sprintf("【%s】退回件已签收，签收人：寄件人", pickBranch), p.From)
	}
	p.Events = evs
}

// pickOutcome draws the outcome with the configured shares.
func (s *Server) pickOutcome(rng *rand.Rand) outcome {
	x := rng.Float64()
	switch {
	case x < s.opts.RefusedShare:
		return outRefused
	case x < s.opts.RefusedShare+s.opts.ReturnedShare:
		return outReturned
	case x < s.opts.RefusedShare+s.opts.ReturnedShare+s.opts.ProblemShare:
		return outProblem
	}
	return outDelivered
}

// baseState maps an advanced code to its base state (reference §8).
func baseState(code string) string {
	switch {
	case code == "401" || code == "14":
		return "4"
	case code == "501":
		return "5"
	case len(code) == 4 && strings.HasPrefix(code, "100"):
		return "0"
	case len(code) == 3:
		return code[:1]
	case code == "10" || code == "11" || code == "12" || code == "13":
		return "8"
	}
	return code
}

func terminal(code string) bool {
	m := kuaidi100.MilestoneOf(code)
	return m.Terminal()
}

func signedCode(code string) bool {
	m := kuaidi100.MilestoneOf(code)
	return m == store.MilestoneDelivered || m == store.MilestoneReturned
}

// result renders the visible trace as the query body / push lastResult.
func (p *parcel) result(evs []event, resultv2 string) kuaidi100.ResultEnvelope {
	r := kuaidi100.ResultEnvelope{Message: "ok", Nu: p.Num, Com: p.Com, Status: "200", Condition: "00", IsCheck: "0", Data: []kuaidi100.WireEvent{}}
	if len(evs) == 0 {
		return r
	}
	last := evs[len(evs)-1]
	r.State = baseState(last.Code)
	if resultv2 == "4" || resultv2 == "8" {
		r.State = last.Code
	}
	if signedCode(last.Code) {
		r.IsCheck, r.Condition = "1", "F00"
	}
	for i := len(evs) - 1; i >= 0; i-- {
		e := evs[i]
		ts := kuaidi100.FormatTime(e.At)
		we := kuaidi100.WireEvent{Time: ts, FTime: ts, Context: e.Context}
		switch resultv2 {
		case "1":
			we.Status = kuaidi100.StateName(baseState(e.Code))
			we.AreaCode, we.AreaName = e.Area.AreaCode, e.Area.areaName()
		case "4", "8":
			we.Status = kuaidi100.StateName(e.Code)
			we.StatusCode = e.Code
			we.AreaCode, we.AreaName = e.Area.AreaCode, e.Area.areaName()
		}
		r.Data = append(r.Data, we)
	}
	if resultv2 == "4" || resultv2 == "8" {
		r.RouteInfo = &kuaidi100.WireRoute{
			From: &kuaidi100.WireArea{Number: p.From.AreaCode, Name: p.From.areaName()},
			Cur:  &kuaidi100.WireArea{Number: last.Area.AreaCode, Name: last.Area.areaName()},
		}
	}
	return r
}

// JourneyEvent is one planned trace line of a parcel, as Journey reports it.
type JourneyEvent struct {
	At      time.Time
	Code    string // advanced state code
	Context string
}

// Journey returns the whole planned journey of number (the events still
// to come included), oldest first, or nil for a number the sandbox does
// not know. Tests compare what a station learned with it.
func (s *Server) Journey(number string) []JourneyEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.parcels[number]
	if p == nil || p.NoTrace {
		return nil
	}
	out := make([]JourneyEvent, len(p.Events))
	for i, e := range p.Events {
		out[i] = JourneyEvent{At: e.At, Code: e.Code, Context: e.Context}
	}
	return out
}
