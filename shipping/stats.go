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
	out := countedStats(now, st, c)
	if n, fen, err := s.d.DB.SMSDay(ctx, now); err == nil {
		out.SMSToday, out.SMSTodayCostFen = n, fen
	}
	t := newDeliveryTally(c.ByCarrier, out.PromisedDays)
	if err := s.eachDelivered(ctx, now, t.add); err != nil {
		return out, fmt.Errorf("stats: delivered: %w", err)
	}
	out.ByCarrier = t.byCarrier()
	if t.delivered > 0 {
		out.OnTimeRate = float64(t.onTime) / float64(t.delivered)
		out.MedianHours = median(t.all)
	}
	ex, err := s.d.DB.Exceptions(ctx, true, 100)
	if err != nil {
		return out, fmt.Errorf("stats: exceptions: %w", err)
	}
	out.Exceptions = s.withCouriers(ctx, ex)
	return out, nil
}

// countedStats are the figures the store's counters give at now (the
// promised days default to 3).
func countedStats(now time.Time, st store.Settings, c store.Counts) Stats {
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
	for _, m := range store.Milestones() {
		out.ByMilestone = append(out.ByMilestone, MilestoneCount{Milestone: m, Name: m.Chinese(), Count: c.ByMilestone[m]})
	}
	return out
}

// eachDelivered calls fn with every shipment delivered in the statsDays
// before now and when it was delivered, newest first by creation, reading
// at most maxDeliveredScan shipments.
func (s *Service) eachDelivered(ctx context.Context, now time.Time, fn func(sh store.Shipment, at time.Time)) error {
	since := now.AddDate(0, 0, -statsDays)
	after, scanned := "", 0
	for scanned < maxDeliveredScan {
		page, next, err := s.d.DB.ShipmentsByState(ctx, store.MilestoneDelivered, after, 500)
		if err != nil {
			return err
		}
		for _, sh := range page {
			scanned++
			at := sh.MilestoneTime(store.MilestoneDelivered)
			if at.IsZero() {
				at = sh.LastEventAt
			}
			if !at.Before(since) && !at.After(now) {
				fn(sh, at)
			} else if sh.CreatedAt.Before(since.AddDate(0, 0, -statsDays)) {
				// Newest first by creation: everything further is older.
				return nil
			}
		}
		if next == "" || len(page) == 0 {
			return nil
		}
		after = next
	}
	return nil
}

// deliveryTally adds up delivered shipments per carrier and over all.
type deliveryTally struct {
	promised          time.Duration
	carriers          map[string]*CarrierStats
	hours             map[string][]float64 // pickup to delivery, per carrier
	all               []float64
	onTime, delivered int
}

// newDeliveryTally starts a tally with the stored shipments per carrier;
// a delivery within promisedDays of pickup is on time.
func newDeliveryTally(shipments map[string]int, promisedDays int) *deliveryTally {
	t := &deliveryTally{promised: time.Duration(promisedDays) * 24 * time.Hour,
		carriers: map[string]*CarrierStats{}, hours: map[string][]float64{}}
	for code, n := range shipments {
		t.carrier(code).Shipments = n
	}
	return t
}

func (t *deliveryTally) carrier(code string) *CarrierStats {
	cs := t.carriers[code]
	if cs == nil {
		cs = &CarrierStats{Code: code, Name: kuaidi100.CarrierName(code), OnTimeRate: -1}
		t.carriers[code] = cs
	}
	return cs
}

// add counts sh, delivered at at, from its pickup (else its creation).
func (t *deliveryTally) add(sh store.Shipment, at time.Time) {
	from := sh.MilestoneTime(store.MilestonePickedUp)
	if from.IsZero() {
		from = sh.CreatedAt
	}
	d := max(at.Sub(from), 0)
	cs := t.carrier(sh.Carrier)
	cs.Delivered++
	t.delivered++
	if d <= t.promised {
		cs.OnTime++
		t.onTime++
	}
	t.hours[sh.Carrier] = append(t.hours[sh.Carrier], d.Hours())
	t.all = append(t.all, d.Hours())
}

// byCarrier is every carrier's figures, most shipments first.
func (t *deliveryTally) byCarrier() []CarrierStats {
	var out []CarrierStats
	for code, cs := range t.carriers {
		if cs.Delivered > 0 {
			cs.OnTimeRate = float64(cs.OnTime) / float64(cs.Delivered)
			cs.MedianHours = median(t.hours[code])
		}
		out = append(out, *cs)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Shipments != b.Shipments {
			return a.Shipments > b.Shipments
		}
		return a.Code < b.Code
	})
	return out
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
