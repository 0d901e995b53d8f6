package kuaidi100

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"

	"shipdesk/assets"
)

// Carrier is one row of the embedded carrier table.
type Carrier struct {
	Code string `json:"code"` // Kuaidi100 company code, e.g. "zhongtong"
	Name string `json:"name"` // Chinese name, e.g. "中通快递"
	Kind string `json:"kind"` // 国内运输商, 国际运输商 or 国际邮政
}

var carriers = sync.OnceValues(func() ([]Carrier, map[string]int) {
	rows, err := csv.NewReader(bytes.NewReader(assets.CarriersCSV)).ReadAll()
	if err != nil {
		panic("kuaidi100: embedded carrier table: " + err.Error())
	}
	list := make([]Carrier, 0, len(rows))
	idx := make(map[string]int, len(rows))
	for i, r := range rows {
		if i == 0 || len(r) < 3 {
			continue
		}
		c := Carrier{Code: strings.TrimSpace(r[1]), Name: strings.TrimSpace(r[0]), Kind: strings.TrimSpace(r[2])}
		if c.Code == "" {
			continue
		}
		if _, dup := idx[c.Code]; dup {
			continue
		}
		idx[c.Code] = len(list)
		list = append(list, c)
	}
	return list, idx
})

// Carriers returns the whole carrier table (1,400+ rows), most used first.
// The slice is a copy the caller may keep.
func Carriers() []Carrier {
	list, _ := carriers()
	return append([]Carrier(nil), list...)
}

// LookupCarrier returns the carrier with the given code (case-insensitive).
func LookupCarrier(code string) (Carrier, bool) {
	list, idx := carriers()
	i, ok := idx[strings.ToLower(strings.TrimSpace(code))]
	if !ok {
		return Carrier{}, false
	}
	return list[i], true
}

// CarrierName returns the Chinese name of a carrier code, or the code
// itself when it is not in the table.
func CarrierName(code string) string {
	if c, ok := LookupCarrier(code); ok {
		return c.Name
	}
	return code
}

// Candidate is one possible carrier for a number.
type Candidate struct {
	Code       string  `json:"code"`
	Name       string  `json:"name"`
	Confidence float64 `json:"confidence"` // 0 < c < 1; never certain
	Source     string  `json:"source"`     // "offline" or "autonumber"
}

type rule struct {
	re     *regexp.Regexp
	code   string
	weight float64
}

// rules are community number-format heuristics (reference §9), not carrier
// specifications. Weights say how specific a pattern is.
var rules = func() []rule {
	r := func(p, code string, w float64) rule { return rule{regexp.MustCompile(p), code, w} }
	return []rule{
		r(`^SF\d{13}$`, "shunfeng", 0.95),
		r(`^SF[A-Z0-9]\d{12}$`, "shunfeng", 0.8),
		r(`^YT\d{13}$`, "yuantong", 0.95),
		r(`^JT\d{12,13}$`, "jtexpress", 0.95),
		r(`^JD[A-Z0-9]{2}\d{11}$`, "jd", 0.95),
		r(`^JD[XK]\d{12}$`, "jd", 0.9),
		r(`^DPK\d{12}$`, "debangkuaidi", 0.95),
		r(`^ZJS\d{12}$`, "zhaijisong", 0.9),
		r(`^A\d{12}$`, "zhaijisong", 0.4),
		r(`^TT\d{13}$`, "tiantian", 0.85),
		r(`^BXA\d{10}$`, "huitongkuaidi", 0.8),
		r(`^1Z[A-Z0-9]{16}$`, "ups", 0.9),
		r(`^7[3-68]\d{12}$`, "zhongtong", 0.8),
		r(`^(77|43)\d{13}$`, "shentong", 0.7),
		r(`^(77|43)\d{10,12}$`, "shentong", 0.35),
		r(`^(268|368|468|568|668|768|868|968|888|588|688)\d{9,12}$`, "shentong", 0.3),
		r(`^[34]\d{14}$`, "yunda", 0.5),
		r(`^(31|43|46|39)\d{11}$`, "yunda", 0.45),
		r(`^5\d{12}$`, "yunda", 0.4),
		r(`^\d{13}$`, "yunda", 0.15),
		r(`^(10|11|12|50|51|52|95|97|98|99)\d{11}$`, "ems", 0.4),
		r(`^(96|98|99)\d{11}$`, "youzhengguonei", 0.3),
		r(`^P[A-Z]\d{11}$`, "ems", 0.6),
		r(`^E[A-Z]\d{9}CN$`, "ems", 0.7),
		r(`^[A-Z]{2}\d{9}CN$`, "youzhengguoji", 0.5),
		r(`^[A-Z]{2}\d{9}[A-Z]{2}$`, "emsguoji", 0.3),
		r(`^9[1-5]\d{18,20}$`, "usps", 0.6),
		r(`^(96\d{20}|\d{12}|\d{15}|\d{20})$`, "fedex", 0.08),
		r(`^\d{10}$`, "dhl", 0.3),
		r(`^\d{8,10}$`, "debangwuliu", 0.25),
		r(`^\d{12}$`, "shunfeng", 0.12),
		r(`^\d{12}$`, "annengwuliu", 0.1),
		r(`^\d{12}$`, "yimidida", 0.1),
		r(`^\d{11,12}$`, "baishiwuliu", 0.08),
	}
}()

// Guess ranks the carriers whose number formats match num, best first, from
// offline heuristics only. Confidence is always below 1: formats overlap and
// the result is a suggestion the user confirms. An empty result means no
// known format matched.
func Guess(num string) []Candidate {
	n := NormalizeNumber(num)
	if len(n) < 6 || len(n) > 32 {
		return nil
	}
	best := map[string]float64{}
	var sum float64
	for _, r := range rules {
		if !r.re.MatchString(n) {
			continue
		}
		if r.weight > best[r.code] {
			sum += r.weight - best[r.code]
			best[r.code] = r.weight
		}
	}
	if len(best) == 0 {
		return nil
	}
	out := make([]Candidate, 0, len(best))
	for code, w := range best {
		// Share the belief among the matches; a lone weak match stays weak.
		conf := w * w / (sum + 0.02)
		if len(best) == 1 {
			conf = w
		}
		if conf >= 0.99 {
			conf = 0.99
		}
		out = append(out, Candidate{Code: code, Name: CarrierName(code), Confidence: round2(conf), Source: "offline"})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Confidence != out[j].Confidence {
			return out[i].Confidence > out[j].Confidence
		}
		return out[i].Code < out[j].Code
	})
	return out
}

func round2(f float64) float64 {
	v := float64(int(f*100+0.5)) / 100
	if v <= 0 {
		v = 0.01
	}
	return v
}

// AutoNumberEntry is one element of the autonumber/auto answer, exported
// for the sandbox.
type AutoNumberEntry struct {
	ComCode   string `json:"comCode"`
	Name      string `json:"name"`
	LengthPre int    `json:"lengthPre"`
	NoPre     string `json:"noPre,omitempty"`
}

type wireAutoEntry struct {
	ComCode   Str `json:"comCode"`
	Name      Str `json:"name"`
	LengthPre Int `json:"lengthPre"`
}

// AutoNumber asks Kuaidi100 which carriers a number may belong to
// (autonumber/auto; enterprise accounts only, otherwise ErrNotEnabled). The
// answer is ranked; confidence falls with the rank and stays below 1.
func (c *Client) AutoNumber(ctx context.Context, num string) ([]Candidate, error) {
	const op = "autonumber"
	if err := c.need(op, "key", c.cfg.Key); err != nil {
		return nil, err
	}
	n := NormalizeNumber(num)
	u := c.endpoint(AutoNumberURL, PathAutoNumber) + "?" + url.Values{"num": {n}, "key": {c.cfg.Key}}.Encode()
	body, err := c.post(ctx, op, u, url.Values{"num": {n}, "key": {c.cfg.Key}})
	if err != nil {
		return nil, err
	}
	return DecodeAutoNumber(body)
}

// DecodeAutoNumber decodes an autonumber/auto body: a JSON array on success,
// an error object otherwise.
func DecodeAutoNumber(body []byte) ([]Candidate, error) {
	const op = "autonumber"
	b := bytes.TrimSpace(body)
	if len(b) > 0 && b[0] == '[' {
		var list []wireAutoEntry
		if err := json.Unmarshal(b, &list); err != nil {
			return nil, malformed(op, string(body), err)
		}
		out := make([]Candidate, 0, len(list))
		seen := map[string]bool{}
		for _, e := range list {
			code := strings.TrimSpace(string(e.ComCode))
			if code == "" || seen[code] {
				continue
			}
			seen[code] = true
			name := strings.TrimSpace(string(e.Name))
			if name == "" {
				name = CarrierName(code)
			}
			conf := 0.9
			for range len(out) {
				conf *= 0.6
			}
			out = append(out, Candidate{Code: code, Name: name, Confidence: round2(conf), Source: "autonumber"})
		}
		return out, nil
	}
	var w wireReturn
	if err := json.Unmarshal(b, &w); err != nil {
		return nil, malformed(op, string(body), err)
	}
	return nil, codeError(op, strings.TrimSpace(string(w.ReturnCode)), string(w.Message), string(body), autoNumberCodes)
}
