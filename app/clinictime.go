package app

import (
	"time"

	"shipdesk/shipping"
)

// Every time a person reads is in the clinic's time (China time), whatever
// the machine's zone.

func clinicDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(shipping.ClinicTime).Format("01-02")
}

// clinicClock formats t in clinic time with layout.
func clinicClock(t time.Time, layout string) string {
	if t.IsZero() {
		return ""
	}
	return t.In(shipping.ClinicTime).Format(layout)
}

// clinicStamp is "01-02 15:04" in clinic time.
func clinicStamp(t time.Time) string { return clinicClock(t, "01-02 15:04") }
