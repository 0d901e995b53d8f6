package shipping

import "time"

// ClinicTime is the clock on the clinic's wall: China Standard Time, UTC+8
// all year (one time zone, no daylight saving). Every time a person reads
// (screens, sheets, exports) and every "today" of the counter's day is in
// it, whatever the machine's zone.
var ClinicTime = time.FixedZone("CST", 8*60*60)

// clinicDay returns the start of t's day in clinic time and the next day's.
func clinicDay(t time.Time) (start, end time.Time) {
	y, m, d := t.In(ClinicTime).Date()
	start = time.Date(y, m, d, 0, 0, 0, 0, ClinicTime)
	return start, start.AddDate(0, 0, 1)
}
