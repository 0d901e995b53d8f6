package tracking

import (
	"sync"
	"time"
)

// bucket is a token bucket on an injected clock. It hands out reservations
// rather than sleeping, so the caller waits on its own clock and can give up
// when its context ends. Safe for concurrent use.
type bucket struct {
	mu     sync.Mutex
	rate   float64 // tokens per second
	burst  float64
	tokens float64
	last   time.Time
}

func newBucket(rate, burst float64) *bucket {
	if rate <= 0 {
		rate = 1
	}
	if burst < 1 {
		burst = 1
	}
	return &bucket{rate: rate, burst: burst, tokens: burst}
}

// setRate changes the rate, keeping the tokens already earned.
func (b *bucket) setRate(rate float64) {
	if rate <= 0 {
		return
	}
	b.mu.Lock()
	b.rate = rate
	b.mu.Unlock()
}

// reserve takes one token and returns how long the caller must wait before
// using it (zero when one is available now).
func (b *bucket) reserve(now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.last.IsZero() && now.After(b.last) {
		b.tokens += now.Sub(b.last).Seconds() * b.rate
		if b.tokens > b.burst {
			b.tokens = b.burst
		}
	}
	if b.last.IsZero() || now.After(b.last) {
		b.last = now
	}
	b.tokens--
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens / b.rate * float64(time.Second))
}

// perSecond returns the current rate.
func (b *bucket) perSecond() float64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.rate
}
