package store

import (
	"fmt"
	"time"
)

// CounterSettings are the manager's rules for a day at the counter: how
// long recipient details are kept, when the courier must have taken the
// day's parcels, how long an order may wait for its waybill number, and
// what each waybill costs the clinic.
type CounterSettings struct {
	// RetentionDays masks the recipient details of delivered shipments
	// older than this many days; nil means DefaultRetentionDays, 0 never.
	RetentionDays *int `json:"retentionDays,omitempty"`
	// HandoverBy is the clinic-time ("17:30") by which every parcel printed
	// that day should be on a 交接单; empty means DefaultHandoverBy.
	HandoverBy string `json:"handoverBy,omitempty"`
	// WaitingMaxMinutes is how long an order may wait for its waybill
	// number before it is an exception; 0 means DefaultWaitingMaxMinutes.
	WaitingMaxMinutes int `json:"waitingMaxMinutes,omitempty"`
	// WaybillFen is the clinic's price per e-waybill in fen by carrier
	// code; the "" entry is the price for carriers not listed.
	WaybillFen map[string]int `json:"waybillFen,omitempty"`
}

// Defaults of CounterSettings.
const (
	DefaultRetentionDays     = 365
	DefaultHandoverBy        = "18:00"
	DefaultWaitingMaxMinutes = 30
)

// Retention returns the retention period in days (0: keep for ever).
func (c CounterSettings) Retention() int {
	if c.RetentionDays == nil {
		return DefaultRetentionDays
	}
	return *c.RetentionDays
}

// HandoverTime returns the handover deadline as hour and minute.
func (c CounterSettings) HandoverTime() (hour, minute int) {
	v := c.HandoverBy
	if v == "" {
		v = DefaultHandoverBy
	}
	t, err := time.Parse("15:04", v)
	if err != nil { // validateCounter refuses it; be safe anyway
		return 18, 0
	}
	return t.Hour(), t.Minute()
}

// WaitingMax returns how long an order may wait for its waybill number.
func (c CounterSettings) WaitingMax() time.Duration {
	if c.WaitingMaxMinutes <= 0 {
		return DefaultWaitingMaxMinutes * time.Minute
	}
	return time.Duration(c.WaitingMaxMinutes) * time.Minute
}

// WaybillPrice returns the clinic's price of one waybill of carrier in fen.
func (c CounterSettings) WaybillPrice(carrier string) int {
	if p, ok := c.WaybillFen[carrier]; ok {
		return p
	}
	return c.WaybillFen[""]
}

func validateCounter(c *CounterSettings) error {
	if c.RetentionDays != nil && *c.RetentionDays < 0 {
		return invalid("counter.retentionDays", "negative")
	}
	if c.HandoverBy != "" {
		if _, err := time.Parse("15:04", c.HandoverBy); err != nil {
			return invalid("counter.handoverBy", "%q is not HH:MM", c.HandoverBy)
		}
	}
	if c.WaitingMaxMinutes < 0 {
		return invalid("counter.waitingMaxMinutes", "negative")
	}
	for k, v := range c.WaybillFen {
		if v < 0 {
			return invalid(fmt.Sprintf("counter.waybillFen[%s]", k), "negative")
		}
	}
	return nil
}
