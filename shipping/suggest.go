package shipping

import (
	"context"
	"shipdesk/kuaidi100"
	"shipdesk/store"
	"slices"
	"sort"
	"strings"
)

// SuggestCarriers proposes carriers for an order: for an order that has a
// waybill number, the carriers that number may belong to (online
// autonumber, else the offline guess); otherwise, among the carriers the
// centre has an e-waybill account with, the default carrier from the
// settings, then the carriers most used lately, then the common ones, then
// the rest with an account.
func (s *Service) SuggestCarriers(ctx context.Context, o store.Order) []kuaidi100.Candidate {
	if num := strings.TrimSpace(o.Waybill); num != "" {
		if s.d.Waybills != nil {
			if c, err := s.d.Waybills.AutoNumber(ctx, num); err == nil && len(c) > 0 {
				return c
			}
		}
		return kuaidi100.Guess(num)
	}
	var out []kuaidi100.Candidate
	seen := map[string]bool{}
	// A new order is suggested only carriers the centre can ship with (a
	// complete e-waybill account).
	can := map[string]bool{}
	for _, c := range s.ShippableCarriers(ctx) {
		can[c] = true
	}
	add := func(code string, conf float64, src string) {
		if code == "" || seen[code] || !knownCarrier(code) || !can[code] {
			return
		}
		seen[code] = true
		out = append(out, kuaidi100.Candidate{Code: code, Name: kuaidi100.CarrierName(code), Confidence: conf, Source: src})
	}
	if st, err := s.d.DB.Settings(ctx); err == nil {
		add(st.DefaultCarrier, 0.9, "settings")
	}
	if c, err := s.d.DB.Counts(ctx, s.now(), 1); err == nil {
		type kv struct {
			code string
			n    int
		}
		var used []kv
		total := 0
		for code, n := range c.ByCarrier {
			used = append(used, kv{code, n})
			total += n
		}
		sort.Slice(used, func(i, j int) bool {
			if used[i].n != used[j].n {
				return used[i].n > used[j].n
			}
			return used[i].code < used[j].code
		})
		for _, u := range used {
			add(u.code, 0.5*float64(u.n)/float64(max(total, 1)), "history")
		}
	}
	for _, code := range []string{"zhongtong", "yuantong", "shentong", "yunda", "jtexpress", "shunfeng", "ems", "jd"} {
		add(code, 0.05, "common")
	}
	for c := range can {
		add(c, 0.01, "account")
	}
	slices.SortStableFunc(out, func(a, b kuaidi100.Candidate) int { // map order for the last group
		if a.Source == "account" && b.Source == "account" {
			return strings.Compare(a.Code, b.Code)
		}
		return 0
	})
	return out
}
