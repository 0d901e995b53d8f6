package sandbox

import (
	"math/rand/v2"
	"strings"
	"time"

	"shipdesk/kuaidi100"
)

// city is a place a parcel can start, pass or end.
type city struct {
	Province, City, District string
	AreaCode                 string // CN + admin code
	Short                    string // matched in addresses
	Tel                      string // area telephone code, used as destCode
	Lat, Lon                 float64
}

func (c city) areaName() string {
	return strings.TrimSuffix(strings.TrimSuffix(c.Province, "省"), "市") + "," + c.City + "," + c.District
}

var cities = []city{
	{"北京市", "北京市", "朝阳区", "CN110105000000", "北京", "010", 39.90, 116.41},
	{"上海市", "上海市", "杨浦区", "CN310110000000", "上海", "021", 31.23, 121.47},
	{"广东省", "广州市", "天河区", "CN440106000000", "广州", "020", 23.13, 113.26},
	{"广东省", "深圳市", "南山区", "CN440305000000", "深圳", "755", 22.54, 114.06},
	{"天津市", "天津市", "河西区", "CN120103000000", "天津", "022", 39.13, 117.20},
	{"浙江省", "杭州市", "西湖区", "CN330106000000", "杭州", "571", 30.27, 120.16},
	{"江苏省", "南京市", "鼓楼区", "CN320106000000", "南京", "025", 32.06, 118.80},
	{"四川省", "成都市", "武侯区", "CN510107000000", "成都", "028", 30.57, 104.07},
	{"湖北省", "武汉市", "洪山区", "CN420111000000", "武汉", "027", 30.59, 114.31},
	{"陕西省", "西安市", "雁塔区", "CN610113000000", "西安", "029", 34.34, 108.94},
	{"重庆市", "重庆市", "渝北区", "CN500112000000", "重庆", "023", 29.56, 106.55},
	{"湖南省", "长沙市", "岳麓区", "CN430104000000", "长沙", "731", 28.23, 112.94},
	{"河南省", "郑州市", "金水区", "CN410105000000", "郑州", "371", 34.75, 113.63},
	{"辽宁省", "沈阳市", "和平区", "CN210102000000", "沈阳", "024", 41.81, 123.43},
	{"山东省", "青岛市", "市南区", "CN370202000000", "青岛", "532", 36.07, 120.38},
	{"江苏省", "苏州市", "姑苏区", "CN320508000000", "苏州", "512", 31.30, 120.59},
	{"福建省", "厦门市", "思明区", "CN350203000000", "厦门", "592", 24.48, 118.09},
	{"云南省", "昆明市", "五华区", "CN530102000000", "昆明", "871", 25.04, 102.71},
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
	// Account holds the account fields the order sent (cancel must repeat
	// them); CarrierOrder is the kdComOrderNum returned (cancel's orderId).
	Account      map[string]string `json:"account,omitempty"`
	CarrierOrder string            `json:"carrierOrder,omitempty"`
	// LabelFetches counts fetches of the IMAGE label: the first one finds
	// it still rendering.
	LabelFetches int `json:"labelFetches,omitempty"`
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
	return m == kuaidi100.MilestoneDelivered || m == kuaidi100.MilestoneReturned
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
