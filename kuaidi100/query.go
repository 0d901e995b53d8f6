package kuaidi100

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"sort"
	"strings"
	"time"
)

// QueryRequest is one real-time query.
type QueryRequest struct {
	Com   string // carrier code, e.g. "zhongtong"
	Num   string // tracking number
	Phone string // sender's or recipient's phone; the last 4 digits are enough (SF, ZTO need it)
	From  string // origin, "省市区" text; optional
	To    string // destination; optional
}

// Track is a normalised trace: the answer of a query or the lastResult of a
// push.
type Track struct {
	Com       string    // carrier code as returned
	Num       string    // tracking number
	State     string    // raw state code, base or advanced ("0", "1002")
	Milestone Milestone // MilestoneFor(State, Signed)
	Signed    bool      // ischeck == "1"
	Condition string    // raw condition flag ("F00")
	Route     Route     // from/cur/to when resultv2=4 gave them
	Events    []Event   // newest first
	Courier   Courier   // courierInfo, when the answer carried it
}

// Event is one line of a trace (one element of data[]).
type Event struct {
	Time      time.Time // ftime, else time; zero when neither parses
	Context   string    // the carrier's text
	Area      string    // areaName, when resultv2 asked for it
	Location  string    // location
	State     string    // statusCode, base or advanced; "" when not sent
	Milestone Milestone // from State, else from the state's name in status
}

// Courier is the courierInfo of a query asked with needCourierInfo: the
// names and phones parsed from the trace (several phones comma-separated).
type Courier struct {
	PickupName    string `json:"pickupName,omitempty"`
	PickupPhone   string `json:"pickupPhone,omitempty"`
	DeliveryName  string `json:"deliveryName,omitempty"`
	DeliveryPhone string `json:"deliveryPhone,omitempty"`
}

// The documented limits a caller must keep itself: the service tells a
// locked number or an exhausted subscription by no code of its own.
const (
	QueryMinInterval      = 30 * time.Minute // between two queries of one number
	QueryMaxPerDay        = 48               // queries of one number per 24 h
	SubscriptionsPerMonth = 4                // per carrier and number per month
)

// Route is the routeInfo of a resultv2=4 answer: area names like
// "广东,深圳市,南山区".
type Route struct {
	From string `json:"from,omitempty"`
	Cur  string `json:"cur,omitempty"`
	To   string `json:"to,omitempty"`
}

// queryParam is the param JSON of poll/query.do, in the documented order.
type queryParam struct {
	Com      string `json:"com"`
	Num      string `json:"num"`
	Phone    string `json:"phone,omitempty"`
	From     string `json:"from,omitempty"`
	To       string `json:"to,omitempty"`
	ResultV2 string `json:"resultv2"`
	// NeedCourierInfo asks for the couriers' names and phones.
	NeedCourierInfo bool `json:"needCourierInfo"`
}

// Query asks for the current trace of one number (poll/query.do, resultv2=4).
// The same number must not be queried more often than every 30 minutes nor
// more than 48 times a day, or Kuaidi100 locks it: the caller schedules.
func (c *Client) Query(ctx context.Context, r QueryRequest) (*Track, error) {
	const op = "query"
	if err := c.need(op, "key", c.cfg.Key, "customer", c.cfg.Customer); err != nil {
		return nil, err
	}
	com, num := strings.TrimSpace(strings.ToLower(r.Com)), NormalizeNumber(r.Num)
	if num == "" || com == "" {
		return nil, &Error{Op: op, Code: "input", Message: "请填写快递单号和快递公司", kind: ErrBadRequest}
	}
	p, _ := json.Marshal(queryParam{Com: com, Num: num, Phone: NormalizePhone(r.Phone), From: r.From, To: r.To, ResultV2: "4", NeedCourierInfo: true})
	param := string(p)
	form := url.Values{
		"customer": {c.cfg.Customer},
		"sign":     {QuerySign(param, c.cfg.Key, c.cfg.Customer)},
		"param":    {param},
	}
	body, err := c.post(ctx, op, c.endpoint(QueryURL, PathQuery), form)
	if err != nil {
		return nil, err
	}
	return DecodeQueryResponse(body)
}

// wireResult is the query success body and the push lastResult.
type wireResult struct {
	Message    Str          `json:"message"`
	Nu         Str          `json:"nu"`
	Com        Str          `json:"com"`
	IsCheck    Str          `json:"ischeck"`
	Status     Str          `json:"status"`
	State      Str          `json:"state"`
	Condition  Str          `json:"condition"`
	Data       []wireEvent  `json:"data"`
	RouteInfo  *wireRoute   `json:"routeInfo"`
	Courier    *wireCourier `json:"courierInfo"`
	Result     *Bool        `json:"result"`
	ReturnCode Str          `json:"returnCode"`
}

type wireCourier struct {
	PickupManName    Str `json:"pickupManName"`
	PickupManPhone   Str `json:"pickupManPhone"`
	DeliveryManName  Str `json:"deliveryManName"`
	DeliveryManPhone Str `json:"deliveryManPhone"`
}

type wireEvent struct {
	Time       Str `json:"time"`
	FTime      Str `json:"ftime"`
	Context    Str `json:"context"`
	Location   Str `json:"location"`
	AreaCode   Str `json:"areaCode"`
	AreaName   Str `json:"areaName"`
	Status     Str `json:"status"`
	StatusCode Str `json:"statusCode"`
}

type wireRoute struct {
	From *wireArea `json:"from"`
	Cur  *wireArea `json:"cur"`
	To   *wireArea `json:"to"`
}

type wireArea struct {
	Number Str `json:"number"`
	Name   Str `json:"name"`
}

func (a *wireArea) name() string {
	if a == nil {
		return ""
	}
	return string(a.Name)
}

// DecodeQueryResponse decodes a poll/query.do body: a *Track on success, an
// *Error for a returnCode or a malformed body.
func DecodeQueryResponse(body []byte) (*Track, error) {
	const op = "query"
	if len(body) > MaxBody {
		return nil, &Error{Op: op, Code: "body", Message: "快递100返回的数据过大，已拒绝", kind: ErrTooLarge}
	}
	var w wireResult
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, malformed(op, string(body), err)
	}
	if w.ReturnCode != "" || (w.Result != nil && !*w.Result) {
		code := strings.TrimSpace(string(w.ReturnCode))
		if code == "200" && w.Data != nil {
			return w.track(), nil
		}
		// A locked number is not told apart by any documented code: the
		// caller keeps its own query history and never sends a query that
		// would lock (QueryMinInterval, QueryMaxPerDay).
		return nil, codeError(op, code, string(w.Message), string(body), queryCodes)
	}
	if w.Nu == "" && w.Data == nil {
		return nil, malformed(op, string(body), nil)
	}
	return w.track(), nil
}

// shanghai is China Standard Time; Kuaidi100 times carry no zone.
var shanghai = time.FixedZone("CST", 8*3600)

// ParseTime parses Kuaidi100's "2006-01-02 15:04:05" (China time); it also
// accepts minutes-only and RFC 3339 forms. The zero time means unparseable.
func ParseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006/01/02 15:04:05", time.RFC3339} {
		if t, err := time.ParseInLocation(layout, s, shanghai); err == nil {
			return t
		}
	}
	return time.Time{}
}

// FormatTime formats t the way Kuaidi100 sends times (China time).
func FormatTime(t time.Time) string { return t.In(shanghai).Format("2006-01-02 15:04:05") }

func (w *wireResult) track() *Track {
	t := &Track{
		Com:       strings.TrimSpace(string(w.Com)),
		Num:       strings.TrimSpace(string(w.Nu)),
		State:     strings.TrimSpace(string(w.State)),
		Signed:    strings.TrimSpace(string(w.IsCheck)) == "1",
		Condition: string(w.Condition),
	}
	if w.RouteInfo != nil {
		t.Route = Route{From: w.RouteInfo.From.name(), Cur: w.RouteInfo.Cur.name(), To: w.RouteInfo.To.name()}
	}
	if c := w.Courier; c != nil {
		t.Courier = Courier{PickupName: strings.TrimSpace(string(c.PickupManName)), PickupPhone: strings.TrimSpace(string(c.PickupManPhone)),
			DeliveryName: strings.TrimSpace(string(c.DeliveryManName)), DeliveryPhone: strings.TrimSpace(string(c.DeliveryManPhone))}
	}
	t.Milestone = MilestoneFor(t.State, t.Signed)
	for _, d := range w.Data {
		ts := ParseTime(string(d.FTime))
		if ts.IsZero() {
			ts = ParseTime(string(d.Time))
		}
		ev := Event{
			Time:     ts,
			Context:  strings.TrimSpace(string(d.Context)),
			Area:     strings.TrimSpace(string(d.AreaName)),
			Location: strings.TrimSpace(string(d.Location)),
			State:    strings.TrimSpace(string(d.StatusCode)),
		}
		if ev.State != "" {
			ev.Milestone = MilestoneOf(ev.State)
		}
		if ev.Milestone == MilestoneUnknown {
			ev.Milestone = milestoneOfName(string(d.Status))
		}
		t.Events = append(t.Events, ev)
	}
	// Newest first whatever order was asked for; stable for equal times.
	sort.SliceStable(t.Events, func(i, j int) bool { return t.Events[i].Time.After(t.Events[j].Time) })
	if t.Milestone == MilestoneUnknown && len(t.Events) > 0 {
		t.Milestone = t.Events[0].Milestone
	}
	return t
}

// NormalizeNumber trims a pasted tracking number: spaces and dashes go,
// letters become upper-case.
func NormalizeNumber(num string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(num) {
		switch {
		case r == ' ' || r == '-' || r == '\t' || r == '\u3000':
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// NormalizePhone prepares a phone for query and subscribe: spaces go, a
// landline extension ("-8001" after a full number) is dropped, and for a
// virtual e-commerce number ("13800000000-1234") the 4 digits after the dash
// are kept.
func NormalizePhone(p string) string {
	p = strings.Join(strings.Fields(p), "")
	if i := strings.LastIndexAny(p, "-转"); i >= 0 {
		head, tail := p[:i], strings.TrimLeft(p[i:], "-转")
		switch {
		case len(tail) == 4 && allDigits(tail) && len(head) == 11 && allDigits(head) && head[0] == '1':
			return tail // virtual number: the extension is what the carrier knows
		case len(digitsOnly(head)) >= 7:
			return digitsOnly(head) // landline extension
		}
	}
	return p
}

func digitsOnly(s string) string {
	return string(bytes.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, []byte(s)))
}
