package sms

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Segment sizes. A message of up to SingleSegment characters is one SMS; a
// longer one is sent as a concatenated SMS whose parts each carry
// MultiSegment characters (three are taken by the concatenation header).
// Chinese SMS are UCS-2 encoded, so every character counts as one whatever
// its script, and the provider's 【signature】 counts too.
const (
	SingleSegment = 70
	MultiSegment  = 67
)

// Segments returns how many billable SMS segments text takes: 0 for an
// empty text, 1 for up to 70 characters, otherwise ceil(n/67).
func Segments(text string) int {
	n := utf8.RuneCountInString(text)
	switch {
	case n == 0:
		return 0
	case n <= SingleSegment:
		return 1
	default:
		return (n + MultiSegment - 1) / MultiSegment
	}
}

// Render replaces each {key} in tpl with vars[key]. Placeholders with no
// entry in vars are left as they are, so a mistake shows in the preview.
// Values are inserted literally: a value containing "{waybill}" is not
// expanded again.
func Render(tpl string, vars map[string]string) string {
	var b strings.Builder
	b.Grow(len(tpl))
	for {
		open := strings.IndexByte(tpl, '{')
		if open < 0 {
			b.WriteString(tpl)
			return b.String()
		}
		end := strings.IndexByte(tpl[open+1:], '}')
		if end < 0 {
			b.WriteString(tpl)
			return b.String()
		}
		key := tpl[open+1 : open+1+end]
		if strings.IndexByte(key, '{') >= 0 {
			// "{{name}": the first brace is text; restart at the second.
			b.WriteString(tpl[:open+1])
			tpl = tpl[open+1:]
			continue
		}
		b.WriteString(tpl[:open])
		if v, ok := vars[key]; ok {
			b.WriteString(v)
		} else {
			b.WriteString(tpl[open : open+end+2])
		}
		tpl = tpl[open+end+2:]
	}
}

// pickupKeywords introduce a pickup code in a carrier's tracking text, e.g.
// "已放入丰巢快递柜，凭取件码【123456】取件" or "请凭取货码 8-2-3011 到驿站取件".
var pickupKeywords = []string{"取件码", "取货码", "提货码", "取件号", "提取码", "开箱码", "取件密码"}

// separators that may stand between a keyword and the code.
const pickupSeparators = " \t:：是为【[「『(（\"'“‘〔<《"

// maxPickupCode is the longest code accepted; longer runs are not codes.
const maxPickupCode = 16

// PickupCode returns the locker or station pickup code mentioned in a
// tracking event's text, or "" when there is none. A code is the run of
// ASCII letters, digits and hyphens after a keyword such as 取件码, 取货码
// or 提货码 (and optional separators like "：" or "【"); it must contain a
// digit and be 2 to 16 characters long.
func PickupCode(context string) string {
	for pos := 0; pos < len(context); {
		i, kw := firstKeyword(context[pos:])
		if i < 0 {
			return ""
		}
		rest := context[pos+i+len(kw):]
		pos += i + len(kw)
		rest = strings.TrimLeft(rest, pickupSeparators)
		n := 0
		digit := false
		for n < len(rest) {
			c := rest[n]
			switch {
			case c >= '0' && c <= '9':
				digit = true
			case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c == '-':
			default:
				goto done
			}
			n++
		}
	done:
		code := strings.Trim(rest[:n], "-")
		if digit && len(code) >= 2 && len(code) <= maxPickupCode && n <= maxPickupCode {
			return code
		}
	}
	return ""
}

// firstKeyword returns the byte offset and the keyword found first in s.
func firstKeyword(s string) (int, string) {
	best, kw := -1, ""
	for _, k := range pickupKeywords {
		if i := strings.Index(s, k); i >= 0 && (best < 0 || i < best || (i == best && len(k) > len(kw))) {
			best, kw = i, k
		}
	}
	return best, kw
}

// clock is a time of day in minutes after midnight.
type clock int

// parseClock reads "HH:MM" (24-hour).
func parseClock(s string) (clock, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("parse time of day %q: want HH:MM", s)
	}
	return clock(t.Hour()*60 + t.Minute()), nil
}

// quiet is a daily quiet window [start, end) in local time; it may wrap
// midnight. start == end means no quiet hours.
type quiet struct {
	start, end clock
}

// defaultQuiet is 21:00-08:00.
var defaultQuiet = quiet{start: 21 * 60, end: 8 * 60}

// parseQuiet reads the settings' quiet hours. Both empty means no quiet
// hours; an unreadable value falls back to the default 21:00-08:00 (never
// "no quiet hours", which would wake patients) and returns the error for the
// log.
func parseQuiet(start, end string) (quiet, error) {
	if strings.TrimSpace(start) == "" && strings.TrimSpace(end) == "" {
		return quiet{}, nil
	}
	s, err := parseClock(start)
	if err != nil {
		return defaultQuiet, fmt.Errorf("quiet hours start: %w", err)
	}
	e, err := parseClock(end)
	if err != nil {
		return defaultQuiet, fmt.Errorf("quiet hours end: %w", err)
	}
	return quiet{start: s, end: e}, nil
}

func minuteOfDay(t time.Time) clock { return clock(t.Hour()*60 + t.Minute()) }

// contains reports whether local time t falls inside the quiet window.
func (q quiet) contains(t time.Time) bool {
	if q.start == q.end {
		return false
	}
	m := minuteOfDay(t)
	if q.start < q.end {
		return m >= q.start && m < q.end
	}
	return m >= q.start || m < q.end
}

// nextEnd returns the first moment at or after t (in t's location) when the
// quiet window ends.
func (q quiet) nextEnd(t time.Time) time.Time {
	y, mo, d := t.Date()
	end := time.Date(y, mo, d, int(q.end)/60, int(q.end)%60, 0, 0, t.Location())
	if end.Before(t) {
		end = time.Date(y, mo, d+1, int(q.end)/60, int(q.end)%60, 0, 0, t.Location())
	}
	return end
}
