package testkit

import (
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
)

// Goroutines is a snapshot of the live goroutines: each one's stack by its
// id. Take one with LiveGoroutines before starting what is to be checked,
// then call CheckGoroutines once it is stopped.
type Goroutines map[uint64]string

// LiveGoroutines returns every goroutine but the caller's (system
// goroutines, such as the garbage collector's, are never listed).
func LiveGoroutines() Goroutines {
	gs := Goroutines{}
	for i, st := range allStacks() {
		if i == 0 {
			continue // the caller's
		}
		if id, ok := goroutineID(st); ok {
			gs[id] = st
		}
	}
	return gs
}

// Leaked lets goroutines run between its looks up to rounds*yields times
// before it reports them. It never sleeps: a goroutine that has finished
// its work but not yet returned (a server's connection after Close, a
// transport's reader after CloseIdleConnections) only needs to be
// scheduled, and one that waits for something will not end by being
// waited for.
const (
	rounds = 1000
	yields = 100
)

// Leaked returns the stacks of the goroutines live now that were not live
// in before, other than the caller's, after yielding to them until none is
// left or a bound is reached.
func (before Goroutines) Leaked() []string {
	var left []string
	for range rounds {
		left = left[:0]
		for id, st := range LiveGoroutines() {
			if _, old := before[id]; !old {
				left = append(left, st)
			}
		}
		if len(left) == 0 {
			return nil
		}
		for range yields {
			runtime.Gosched()
		}
	}
	return left
}

// CheckGoroutines fails t, with each stack, for every goroutine started
// since before that is still live (see Leaked). Call it after everything
// the test started was stopped and closed.
func CheckGoroutines(t testing.TB, before Goroutines) {
	t.Helper()
	if left := before.Leaked(); len(left) > 0 {
		t.Errorf("%d goroutines outlive their owner's Close or cancel:\n\n%s", len(left), strings.Join(left, "\n\n"))
	}
}

// BubbleLeftovers waits until every other goroutine of the caller's
// testing/synctest bubble has ended or is durably blocked (synctest.Wait)
// and returns the stacks of those still there: blocked on something only
// the bubble could give, they will never end. It must be called from inside
// synctest.Test; ok is false when it is not.
func BubbleLeftovers() (stacks []string, ok bool) {
	me := allStacks()[0]
	bubble, ok := bubbleOf(me)
	if !ok {
		return nil, false
	}
	synctest.Wait()
	for i, st := range allStacks() {
		if b, in := bubbleOf(st); i > 0 && in && b == bubble && !synctestItself(st) {
			stacks = append(stacks, st)
		}
	}
	return stacks, true
}

// synctestItself reports whether a bubble's goroutine is synctest.Test's
// own: the test's goroutine waiting in synctest.Run and the wrapper that
// runs the bubble's function.
func synctestItself(stack string) bool {
	_, frames, _ := strings.Cut(stack, "\n")
	return strings.HasPrefix(frames, "internal/synctest.") || strings.HasPrefix(frames, "testing/synctest.")
}

// CheckBubble fails t, with each stack, for every goroutine left in the
// caller's synctest bubble (see BubbleLeftovers). Call it at the end of the
// function given to synctest.Test, once everything it started was stopped.
func CheckBubble(t testing.TB) {
	t.Helper()
	left, ok := BubbleLeftovers()
	if !ok {
		t.Fatal("CheckBubble called outside a synctest bubble")
	}
	if len(left) > 0 {
		t.Errorf("%d goroutines outlive their owner's Close or cancel:\n\n%s", len(left), strings.Join(left, "\n\n"))
	}
}

// allStacks is runtime.Stack of every goroutine, one stack each, the
// caller's first.
func allStacks() []string {
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Split(strings.TrimSpace(string(buf[:n])), "\n\n")
		}
		buf = make([]byte, 2*len(buf))
	}
}

// goroutineID reads N from a stack's header "goroutine N [state]:".
func goroutineID(stack string) (uint64, bool) {
	rest, ok := strings.CutPrefix(stack, "goroutine ")
	if !ok {
		return 0, false
	}
	num, _, _ := strings.Cut(rest, " ")
	id, err := strconv.ParseUint(num, 10, 64)
	return id, err == nil
}

// bubbleOf reads the bubble from a stack's header "goroutine N [state,
// synctest bubble B]:".
func bubbleOf(stack string) (string, bool) {
	header, _, _ := strings.Cut(stack, "\n")
	_, b, ok := strings.Cut(header, "synctest bubble ")
	if !ok {
		return "", false
	}
	end := strings.IndexFunc(b, func(r rune) bool { return r < '0' || r > '9' })
	if end < 0 {
		end = len(b)
	}
	return b[:end], end > 0
}
