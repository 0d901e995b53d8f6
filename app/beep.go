package app

import (
	"time"

	"shipdesk/shipping"
)

// tone is one beep: pitch in Hz, length, and how many times.
type tone struct {
	hz     int
	length time.Duration
	times  int
}

// scanTones gives every scan outcome its own sound, so a clerk scanning
// parcels without looking at the screen hears which one to keep back:
// one short high beep for a good scan, two for a repeat, long low ones for
// the parcels that must not go with the courier.
var scanTones = map[shipping.ScanOutcome]tone{
	shipping.ScanOK:           {1800, 80 * time.Millisecond, 1},
	shipping.ScanAgain:        {1200, 60 * time.Millisecond, 2},
	shipping.ScanOtherCarrier: {500, 350 * time.Millisecond, 2},
	shipping.ScanHandedOver:   {700, 200 * time.Millisecond, 3},
	shipping.ScanCancelled:    {300, 700 * time.Millisecond, 1},
	shipping.ScanUnknown:      {400, 250 * time.Millisecond, 1},
}

// beepFor plays the tone of outcome o on the platform's bell (beep_*.go).
// It blocks for the length of the tone; call it off the main goroutine.
func beepFor(o shipping.ScanOutcome) {
	t, ok := scanTones[o]
	if !ok {
		return
	}
	for i := range t.times {
		if i > 0 {
			time.Sleep(t.length / 2) // the gap between beeps of one tone
		}
		platformBeep(t.hz, t.length)
	}
}
