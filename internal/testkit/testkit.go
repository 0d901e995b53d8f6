// Package testkit holds the two helpers nearly every package's tests need:
// a clock the test moves by hand and a log that collects lines. Both are
// safe for concurrent use, so a worker's goroutines may read the clock and
// write the log while the test moves and reads them (under -race).
//
// It is imported by tests only; nothing in the product depends on it.
package testkit

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// Clock is a time source that only the test moves. The zero Clock reads
// the zero time; NewClock starts it at a chosen instant.
type Clock struct {
	mu sync.Mutex // guards t
	t  time.Time
}

// NewClock returns a Clock reading t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now is the clock's time; pass c.Now where a func() time.Time is wanted.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock by d (backwards when d is negative) and returns the
// new time.
func (c *Clock) Add(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}

// Set puts the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Log collects formatted lines. Pass l.Logf where a
// func(format string, args ...any) is wanted; it also implements io.Writer
// (each Write is one line, a trailing newline dropped).
type Log struct {
	mu    sync.Mutex // guards lines
	lines []string
}

// Logf appends one formatted line.
func (l *Log) Logf(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	l.mu.Lock()
	l.lines = append(l.lines, s)
	l.mu.Unlock()
}

// Write appends p as one line.
func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	l.lines = append(l.lines, strings.TrimSuffix(string(p), "\n"))
	l.mu.Unlock()
	return len(p), nil
}

// Lines is a copy of the lines so far.
func (l *Log) Lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// String is every line so far, joined by newlines.
func (l *Log) String() string { return strings.Join(l.Lines(), "\n") }

// Contains reports whether some line contains s.
func (l *Log) Contains(s string) bool {
	for _, x := range l.Lines() {
		if strings.Contains(x, s) {
			return true
		}
	}
	return false
}

// Count is how many lines contain s.
func (l *Log) Count(s string) int {
	n := 0
	for _, x := range l.Lines() {
		if strings.Contains(x, s) {
			n++
		}
	}
	return n
}
