package testkit

import (
	"strings"
	"testing"
	"testing/synctest"
)

// TestLeakedFindsAGoroutineThatWaits: a goroutine blocked on a channel
// nobody closes is reported with its stack; once released it is not.
func TestLeakedFindsAGoroutineThatWaits(t *testing.T) {
	before := LiveGoroutines()
	release := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		waitForRelease(release)
	}()
	left := before.Leaked()
	if len(left) != 1 || !strings.Contains(left[0], "testkit.waitForRelease") {
		t.Fatalf("leaked = %q, want the one goroutine in waitForRelease", left)
	}
	close(release)
	<-done
	if left := before.Leaked(); len(left) != 0 {
		t.Fatalf("after release: %q", left)
	}
}

func waitForRelease(c chan struct{}) { <-c }

// TestBubbleLeftoversFindsAGoroutineThatWaits is the same inside a
// synctest bubble, where the goroutine is durably blocked.
func TestBubbleLeftoversFindsAGoroutineThatWaits(t *testing.T) {
	if _, ok := BubbleLeftovers(); ok {
		t.Fatal("BubbleLeftovers found a bubble outside synctest.Test")
	}
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		go waitForRelease(release)
		left, ok := BubbleLeftovers()
		if !ok || len(left) != 1 || !strings.Contains(left[0], "testkit.waitForRelease") {
			t.Errorf("leftovers = %q, %v; want the one goroutine in waitForRelease", left, ok)
		}
		close(release)
		if left, _ := BubbleLeftovers(); len(left) != 0 {
			t.Errorf("after release: %q", left)
		}
	})
}

func TestBubbleOf(t *testing.T) {
	for header, want := range map[string]string{
		"goroutine 7 [running]:":                                       "",
		"goroutine 7 [chan receive (durable), synctest bubble 12]:":    "12",
		"goroutine 7 [select, 3 minutes, synctest bubble 4 labels:{}]": "4",
	} {
		if got, _ := bubbleOf(header + "\nmain.f()"); got != want {
			t.Errorf("bubbleOf(%q) = %q, want %q", header, got, want)
		}
	}
}
