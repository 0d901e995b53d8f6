package store

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzEventsCodec checks that any trace survives encode/decode and that
// decoding arbitrary bytes (a damaged file) fails cleanly.
func FuzzEventsCodec(f *testing.F) {
	f.Add(int64(1764122400), uint32(0), "【天津市】快件已揽收", "天津市", "南开营业部", "1", uint8(2), []byte{1, 2, 3})
	f.Add(int64(-1), uint32(999999999), "", "", "", "", uint8(0), encodeEvents(nil))
	f.Fuzz(func(t *testing.T, sec int64, ns uint32, ctx, area, loc, raw string, m uint8, junk []byte) {
		decodeEvents(junk, time.UTC) // must not panic
		e := TrackingEvent{Time: time.Unix(sec, int64(ns%1e9)), Context: ctx, Area: area, Location: loc, RawState: raw, Milestone: Milestone(m % uint8(NumMilestones))}
		got, err := decodeEvents(encodeEvents([]TrackingEvent{e, e}), time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range got {
			if !g.Time.Equal(e.Time) || g.Context != e.Context || g.Area != e.Area || g.Location != e.Location || g.RawState != e.RawState || g.Milestone != e.Milestone {
				t.Fatalf("round trip: %+v -> %+v", e, g)
			}
		}
	})
}

// FuzzMaskPhone checks that a masked phone never shows more than seven
// digits and always hides at least a third of a long number.
func FuzzMaskPhone(f *testing.F) {
	for _, s := range []string{"13812345678", "+86 138-1234-5678", "022-23346655", "1234", "", "电话１３８"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		m := MaskPhone(p)
		if !utf8.ValidString(m) {
			t.Fatalf("MaskPhone(%q) = %q, not UTF-8", p, m)
		}
		shown := len(m) - strings.Count(m, "*")
		if shown > 7 {
			t.Fatalf("MaskPhone(%q) = %q shows %d digits", p, m, shown)
		}
		if d := normalizePhone(p); len(d) >= 7 && strings.Count(m, "*") < len(d)-7 {
			t.Fatalf("MaskPhone(%q) = %q hides too little", p, m)
		}
	})
}
