package store

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"strings"
	"time"
)

// This file is the engine kit: the record rules every Store engine applies
// the same way, exported for package store/postgres so that validation,
// index keys, counters and the CSV layout live in one place. Applications
// use the Store methods, not these.

// Rules are the day-dependent rules of one store: which local day a time
// belongs to decides order ids, daily counters and day lists.
type Rules struct {
	Loc *time.Location // nil means time.Local
}

func (r Rules) loc() *time.Location {
	if r.Loc == nil {
		return time.Local
	}
	return r.Loc
}

// DayKey is t's local day as "20060102".
func (r Rules) DayKey(t time.Time) string { return t.In(r.loc()).Format("20060102") }

// DayStart is midnight of t's local day.
func (r Rules) DayStart(t time.Time) time.Time {
	t = t.In(r.loc())
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, r.loc())
}

// ShipmentCounters is what one shipment adds to the counters (keys as
// CheckCounters names them).
func (r Rules) ShipmentCounters(s *Shipment) map[string]int64 {
	return (&DB{loc: r.loc()}).shipmentCounters(s)
}

// SMSCounters is what one message adds to the counters.
func (r Rules) SMSCounters(m *SMSMessage) map[string]int64 {
	return (&DB{loc: r.loc()}).smsCounters(m)
}

// OrderID is the id SaveOrder gives the n-th order of day (a DayKey).
func OrderID(day string, n uint64) string { return fmt.Sprintf("SD%s-%06d", day, n) }

// SMSOutOrder is the OutOrder AddSMS gives message id created at t.
func (r Rules) SMSOutOrder(t time.Time, id uint64) string {
	return fmt.Sprintf("SDM%s-%d", t.In(r.loc()).Format("20060102"), id)
}

// PrepareShipment validates s and normalises it (trims the waybill and
// carrier). The error wraps ErrInvalid and names the field.
func PrepareShipment(s *Shipment) error { return validateShipment(s) }

// PrepareOrder defaults and validates what SaveOrder stores (Step, ID).
func PrepareOrder(o *Order) error {
	if o.Step == "" {
		o.Step = StepSaved
	}
	if !validStep(o.Step) {
		return invalid("step", "unknown value %q", o.Step)
	}
	o.ID = strings.TrimSpace(o.ID)
	return validKeyText("id", o.ID, 64)
}

// ValidateJob checks a print job as AddJob and UpdateJob do.
func ValidateJob(j *PrintJob) error { return validateJob(j) }

// ValidateSMS checks a message as AddSMS and UpdateSMS do.
func ValidateSMS(m *SMSMessage) error { return validateSMS(m) }

// ValidateSettings checks settings as SaveSettings does.
func ValidateSettings(s *Settings) error { return validateSettings(s) }

// ValidateEvents checks events as AddEvents does.
func ValidateEvents(waybill string, evs []TrackingEvent) error {
	for i, e := range evs {
		switch {
		case e.Time.IsZero():
			return fmt.Errorf("add events %s: %w", waybill, invalid(fmt.Sprintf("events[%d].time", i), "zero"))
		case strings.TrimSpace(e.Context) == "":
			return fmt.Errorf("add events %s: %w", waybill, invalid(fmt.Sprintf("events[%d].context", i), "empty"))
		case !e.Milestone.Valid():
			return fmt.Errorf("add events %s: %w", waybill, invalid(fmt.Sprintf("events[%d].milestone", i), "unknown value %d", uint8(e.Milestone)))
		}
	}
	return nil
}

// ValidateException checks a new exception as RaiseException does.
func ValidateException(e *Exception) error {
	if strings.TrimSpace(string(e.Kind)) == "" {
		return invalid("kind", "empty")
	}
	if !e.ResolvedAt.IsZero() {
		return invalid("resolvedAt", "set on a new exception")
	}
	return validKeyText("waybill", e.Waybill, 64)
}

// Invalid returns an error wrapping ErrInvalid that names field.
func Invalid(field, format string, args ...any) error { return invalid(field, format, args...) }

// PhoneKey is the indexed form of a phone number: its digits (without a
// +86 prefix) reversed, so the last four digits are a key prefix. "" when
// there are no digits.
func PhoneKey(phone string) string { return string(reverseDigits(normalizePhone(phone))) }

// NameKey is the indexed form of a recipient name (lower case, single
// spaces).
func NameKey(name string) string { return normalizeName(name) }

// RefKey is the indexed form of a reference or order id (see
// ShipmentsByReference).
func RefKey(ref string) string { return string(refKey(ref)) }

// EncodeShipment is the compact stored form of s; DecodeShipment reads it
// (and the older JSON forms) with times in loc. New fields are appended to
// the format, so stored records keep every field without schema changes.
func EncodeShipment(s *Shipment) []byte { return encodeShipmentBin(s) }

// DecodeShipment reads what EncodeShipment wrote.
func DecodeShipment(v []byte, loc *time.Location) (Shipment, error) { return decodeShipment(v, loc) }

// NewShipment prepares in for CreateShipment at now: a validated copy with
// CreatedAt (when zero), UpdatedAt and the current milestone's time set.
func NewShipment(in *Shipment, now time.Time) (*Shipment, error) {
	s := new(Shipment)
	*s = *in
	s.MilestoneAt = maps.Clone(in.MilestoneAt)
	if err := validateShipment(s); err != nil {
		return nil, err
	}
	if s.CreatedAt.IsZero() {
		s.CreatedAt = now
	}
	s.UpdatedAt = now
	if s.Milestone != MilestoneUnknown {
		s.SetMilestoneTime(s.Milestone, now)
	}
	return s, nil
}

// ChangedShipment checks and completes what an UpdateShipment callback
// made of old (cur): the waybill may not change, CreatedAt is kept when
// cleared, UpdatedAt is now and the milestone's time is recorded.
func ChangedShipment(old Shipment, cur *Shipment, now time.Time) error {
	if strings.TrimSpace(cur.Waybill) != old.Waybill {
		return fmt.Errorf("update shipment %s: %w", old.Waybill, invalid("waybill", "cannot change (to %q)", cur.Waybill))
	}
	if err := validateShipment(cur); err != nil {
		return fmt.Errorf("update shipment %s: %w", old.Waybill, err)
	}
	if cur.CreatedAt.IsZero() {
		cur.CreatedAt = old.CreatedAt
	}
	cur.UpdatedAt = now
	if cur.Milestone != MilestoneUnknown {
		cur.SetMilestoneTime(cur.Milestone, now)
	}
	return nil
}

// StateCursor is the ShipmentsByState cursor of the entry (created,
// waybill); ParseStateCursor reads it back. Both engines use the same form.
func StateCursor(created time.Time, waybill string) string {
	return hex.EncodeToString(cat(timeKey(created), []byte(waybill)))
}

// ParseStateCursor reads a StateCursor: the creation time in UnixNano and
// the waybill. A cursor that is not one is ErrInvalid.
func ParseStateCursor(after string) (createdNanos int64, waybill string, err error) {
	rest, err := hex.DecodeString(after)
	if err != nil || len(rest) < 8 {
		return 0, "", invalid("cursor", "%q is not a cursor from this list", after)
	}
	var u uint64
	for _, b := range rest[:8] {
		u = u<<8 | uint64(b)
	}
	return int64(u ^ (1 << 63)), string(rest[8:]), nil
}

// MaxIndexScan bounds how many index entries one lookup reads.
const MaxIndexScan = maxIndexScan

// CountsFrom assembles the dashboard counts from counter values (get
// returns a counter by key, 0 when absent), the per-carrier counters and
// the number of open exceptions.
func (r Rules) CountsFrom(get func(key string) int64, carriers map[string]int64, openExceptions int, now time.Time, days int) Counts {
	days = min(days, 3660)
	c := Counts{ByMilestone: make(map[Milestone]int, NumMilestones), ByCarrier: map[string]int{}}
	for _, m := range Milestones() {
		n := int(get(MilestoneCounter(m)))
		c.ByMilestone[m] = n
		c.Total += n
		if !m.Terminal() {
			c.Active += n
		}
	}
	for k, v := range carriers {
		if v != 0 {
			c.ByCarrier[k] = int(v)
		}
	}
	today := r.DayStart(now)
	for i := days - 1; i >= 0; i-- {
		day := today.AddDate(0, 0, -i)
		dk := day.Format("20060102")
		dc := DayCount{
			Day:        day.Format("2006-01-02"),
			Created:    int(get(ckCreated + dk)),
			Delivered:  int(get(ckDelivered + dk)),
			Printed:    int(get(ckPrinted + dk)),
			SMS:        int(get(ckSMSCount + dk)),
			SMSCostFen: int(get(ckSMSFen + dk)),
		}
		c.Days = append(c.Days, dc)
		c.Created += dc.Created
		c.Delivered += dc.Delivered
		c.Printed += dc.Printed
		c.SMS += dc.SMS
		c.SMSCostFen += dc.SMSCostFen
	}
	c.OpenExceptions = openExceptions
	return c
}

// MilestoneCounter is the counter key of milestone m.
func MilestoneCounter(m Milestone) string { return ckMilestone + string([]byte{byte(m)}) }

// CarrierCounterPrefix starts the counter key of each carrier.
const CarrierCounterPrefix = ckCarrier

// SMSDayCounters are the counter keys of day's SMS count and cost.
func (r Rules) SMSDayCounters(day time.Time) (count, costFen string) {
	d := r.DayKey(day)
	return ckSMSCount + d, ckSMSFen + d
}

// WriteShipmentsCSV writes the CSV export (see DB.ExportShipmentsCSV) of
// the shipments walk yields, which must be oldest first.
func (r Rules) WriteShipmentsCSV(ctx context.Context, w io.Writer, walk func(ctx context.Context, fn func(Shipment) error) error) error {
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString("\uFEFF"); err != nil {
		return fmt.Errorf("export csv: %w", err)
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	if err := cw.Write(csvHeader); err != nil {
		return fmt.Errorf("export csv: %w", err)
	}
	loc := r.loc()
	tm := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(loc).Format("2006-01-02 15:04")
	}
	err := walk(ctx, func(s Shipment) error {
		return cw.Write([]string{
			csvCell(s.Waybill), csvCell(s.Carrier), csvCell(s.Reference), csvCell(s.OrderID),
			csvCell(s.RecipientName), MaskPhone(s.RecipientPhone), csvCell(s.RecipientAddr),
			s.Milestone.Chinese(), s.Milestone.String(),
			tm(s.CreatedAt), tm(s.PrintedAt), tm(s.MilestoneTime(MilestoneDelivered)), tm(s.LastEventAt),
			fmt.Sprint(s.EventCount), fmt.Sprint(s.ReprintCount),
		})
	})
	if err != nil {
		return fmt.Errorf("export csv: %w", err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("export csv: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export csv: %w", err)
	}
	return nil
}
