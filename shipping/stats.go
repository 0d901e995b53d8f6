package shipping

import (
	"context"
	"fmt"
	"sort"
	"time"

	"shipdesk/kuaidi100"
	"shipdesk/store"
)

// statsDays is the window of the dashboard: per-day figures, on-time rate
// and median delivery time cover the last statsDays local days.
const statsDays = 30

// maxDeliveredScan bounds how many delivered shipments (newest first) the
// on-time figures read.
const maxDeliveredScan = 5000

// MilestoneCount is the number of shipments at one milestone.
type MilestoneCount struct {
	Milestone store.Milestone `json:"milestone"`
	Name      string          `json:"name"` // Chinese
	Count     int             `json:"count"`
}

// CarrierStats are one carrier's figures. OnTimeRate is the share of
// shipments delivered in the window that arrived within the promised days
// of pickup (-1 when none was delivered); MedianHours is the median time
// from pickup to delivery of those (0 when none).
type CarrierStats struct {
	Code        string  `json:"code"`
	Name        string  `json:"name"`
	Shipments   int     `json:"shipments"` // all stored, any state
	Delivered   int     `json:"delivered"` // delivered in the window
	OnTime      int     `json:"onTime"`
	OnTimeRate  float64 `json:"onTimeRate"`
	MedianHours float64 `json:"medianHours"`
}

// Stats are the dashboard's figures.
type Stats struct {
	Now          time.Time        `json:"now"`
	Days         int              `json:"days"`
	PromisedDays int              `json:"promisedDays"`
	Total        int              `json:"total"`
	Active       int              `json:"active"`
	ByMilestone  []MilestoneCount `json:"byMilestone"` // every milestone in order, zeros included
	ByCarrier    []CarrierStats   `json:"byCarrier"`   // most shipments first
	PerDay       []store.DayCount `json:"perDay"`      // oldest first, ending today
	Today        store.DayCount   `json:"today"`
	// OnTimeRate and MedianHours over every carrier (-1 / 0 when nothing
	// was delivered in the window).
	OnTimeRate  float64 `json:"onTimeRate"`
	MedianHours float64 `json:"medianHours"`
	// SMS sent and their cost over the window and today, in fen.
	SMSSent         int               `json:"smsSent"`
	SMSCostFen      int               `json:"smsCostFen"`
	SMSToday        int               `json:"smsToday"`
	SMSTodayCostFen int               `json:"smsTodayCostFen"`
	OpenExceptions  int               `json:"openExceptions"`
	Exceptions      []store.Exception `json:"exceptions"` // open ones, newest first, at most 100
}

// Stats computes the dashboard figures at now from the store's counters,
// plus the on-time rate and median pickup-to-delivery hours from the
// shipments delivered in the last statsDays days (read through the state
// index, newest first, at most maxDeliveredScan). Only a user allowed
// ActStats (managers) may see them; anyone else gets ErrForbidden.
func (s *Service) Stats(ctx context.Context, u User, now time.Time) (Stats, error) {
	if err := s.allow(u, ActStats); err != nil {
		return Stats{}, err
	}
	st, err := s.d.DB.Settings(ctx)
	if err != nil {
		return Stats{}, fmt.Errorf("stats: settings: %w", err)
	}
	c, err := s.d.DB.Counts(ctx, now, statsDays)
	if err != nil {
		return Stats{}, fmt.Errorf("stats: counts: %w", err)
	}
	out := Stats{
		Now: now, Days: statsDays, PromisedDays: st.PromisedDays, Total: c.Total, Active: c.Active,
		PerDay: c.Days, SMSSent: c.SMS, SMSCostFen: c.SMSCostFen, OpenExceptions: c.OpenExceptions,
		OnTimeRate: -1,
	}
	if out.PromisedDays <= 0 {
		out.PromisedDays = 3
	}
	if len(c.Days) > 0 {
		out.Today = c.Days[len(c.Days)-1]
	}
	if n, fen, err := s.d.DB.SMSDay(ctx, now); err == nil {
		out.SMSToday, out.SMSTodayCostFen = n, fen
	}
	for _, m := range store.Milestones() {
		out.ByMilestone = append(out.ByMilestone, MilestoneCount{Milestone: m, Name: m.Chinese(), Count: c.ByMilestone[m]})
	}
	byCarrier := map[string]*CarrierStats{}
	carrier := func(code string) *CarrierStats {
		cs := byCarrier[code]
		if cs == nil {
			cs = &CarrierStats{Code: code, Name: kuaidi100.CarrierName(code), OnTimeRate: -1}
			byCarrier[code] = cs
		}
		return cs
	}
	for code, n := range c.ByCarrier {
		carrier(code).Shipments = n
	}

	// Delivered shipments in the window.
	since := now.AddDate(0, 0, -statsDays)
	promised := time.Duration(out.PromisedDays) * 24 * time.Hour
	hours := map[string][]float64{}
	var all []float64
	onTimeAll, deliveredAll := 0, 0
	after, scanned := "", 0
scan:
	for scanned < maxDeliveredScan {
		page, next, err := s.d.DB.ShipmentsByState(ctx, store.MilestoneDelivered, after, 500)
		if err != nil {
			return out, fmt.Errorf("stats: delivered: %w", err)
		}
		for _, sh := range page {
			scanned++
			at := sh.MilestoneTime(store.MilestoneDelivered)
			if at.IsZero() {
				at = sh.LastEventAt
			}
			if at.Before(since) || at.After(now) {
				if sh.CreatedAt.Before(since.AddDate(0, 0, -statsDays)) {
					// Newest first by creation: everything further is older.
					break scan
				}
				continue
			}
			from := sh.MilestoneTime(store.MilestonePickedUp)
			if from.IsZero() {
				from = sh.CreatedAt
			}
			d := at.Sub(from)
			if d < 0 {
				d = 0
			}
			cs := carrier(sh.Carrier)
			cs.Delivered++
			deliveredAll++
			if d <= promised {
				cs.OnTime++
				onTimeAll++
			}
			h := d.Hours()
			hours[sh.Carrier] = append(hours[sh.Carrier], h)
			all = append(all, h)
		}
		if next == "" || len(page) == 0 {
			break
		}
		after = next
	}
	for code, cs := range byCarrier {
		if cs.Delivered > 0 {
			cs.OnTimeRate = float64(cs.OnTime) / float64(cs.Delivered)
			cs.MedianHours = median(hours[code])
		}
		out.ByCarrier = append(out.ByCarrier, *cs)
	}
	sort.Slice(out.ByCarrier, func(i, j int) bool {
		a, b := out.ByCarrier[i], out.ByCarrier[j]
		if a.Shipments != b.Shipments {
			return a.Shipments > b.Shipments
		}
		return a.Code < b.Code
	})
	if deliveredAll > 0 {
		out.OnTimeRate = float64(onTimeAll) / float64(deliveredAll)
		out.MedianHours = median(all)
	}
	ex, err := s.d.DB.Exceptions(ctx, true, 100)
	if err != nil {
		return out, fmt.Errorf("stats: exceptions: %w", err)
	}
	out.Exceptions = s.withCouriers(ctx, ex)
	return out, nil
}

// median returns the median of xs (sorting xs), or 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	sort.Float64s(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}
