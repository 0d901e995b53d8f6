package testkit

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestClockMovesOnlyWhenTold(t *testing.T) {
	start := time.Date(2026, 12, 2, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
	c := NewClock(start)
	if !c.Now().Equal(start) {
		t.Fatalf("Now = %v, want %v", c.Now(), start)
	}
	if got := c.Add(90 * time.Minute); !got.Equal(start.Add(90 * time.Minute)) {
		t.Fatalf("Add returned %v", got)
	}
	c.Set(start)
	if !c.Now().Equal(start) {
		t.Fatalf("after Set: %v", c.Now())
	}
}

// TestConcurrentUse is what the race detector checks: readers and writers
// on several goroutines.
func TestConcurrentUse(t *testing.T) {
	c := NewClock(time.Unix(0, 0))
	var l Log
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			c.Add(time.Second)
			_ = c.Now()
			l.Logf("line %d", i)
			fmt.Fprintf(&l, "write %d\n", i)
		})
	}
	wg.Wait()
	if got := c.Now(); !got.Equal(time.Unix(8, 0)) {
		t.Errorf("clock = %v, want 8 s after the epoch", got)
	}
	if n := len(l.Lines()); n != 16 {
		t.Errorf("%d lines, want 16", n)
	}
	if l.Count("line ") != 8 || l.Count("write ") != 8 || !l.Contains("write 3") {
		t.Errorf("log:\n%s", l.String())
	}
	for _, x := range l.Lines() {
		if x[len(x)-1] == '\n' {
			t.Errorf("line %q keeps its newline", x)
		}
	}
}
