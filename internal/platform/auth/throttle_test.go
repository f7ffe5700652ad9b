package auth

import (
	"fmt"
	"testing"
	"time"
)

func TestThrottle_PairLocksOnTheSixthFailureThenReleasesAfterTheWindow(t *testing.T) {
	clk := &clock{t0}
	th := newThrottle(clk.now)
	for i := 1; i <= pairLimit.free; i++ {
		th.fail("a@b.fr", "1.1.1.1")
		if d := th.wait("a@b.fr", "1.1.1.1"); d != 0 {
			t.Fatalf("failure %d (free) already delays %v", i, d)
		}
	}
	th.fail("a@b.fr", "1.1.1.1") // the first one past the free ones
	if d := th.wait("a@b.fr", "1.1.1.1"); d != time.Second {
		t.Fatalf("after %d failures: wait %v, want 1s", pairLimit.free+1, d)
	}
	clk.t = clk.t.Add(999 * time.Millisecond)
	if d := th.wait("a@b.fr", "1.1.1.1"); d != time.Millisecond {
		t.Fatalf("1ms before the window's end: wait %v", d)
	}
	clk.t = clk.t.Add(time.Millisecond)
	if d := th.wait("a@b.fr", "1.1.1.1"); d != 0 {
		t.Fatalf("at the window's end: still waiting %v", d)
	}
}

func TestThrottle_DelayDoublesAndIsCapped(t *testing.T) {
	tests := []struct {
		failures int
		want     time.Duration
	}{
		{5, 0}, {6, time.Second}, {7, 2 * time.Second}, {8, 4 * time.Second}, {10, 16 * time.Second},
		{15, 512 * time.Second}, {16, 15 * time.Minute}, {60, 15 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.failures), func(t *testing.T) {
			th := newThrottle((&clock{t0}).now)
			for range tt.failures {
				th.fail("a@b.fr", "1.1.1.1")
			}
			if d := th.wait("a@b.fr", "1.1.1.1"); d != tt.want {
				t.Fatalf("wait %v, want %v", d, tt.want)
			}
		})
	}
}

func TestThrottle_AnAccountAttackedFromManyAddressesIsDelayedOnlySeconds(t *testing.T) {
	th := newThrottle((&clock{t0}).now)
	for i := range 200 {
		th.fail("victim@b.fr", fmt.Sprintf("10.0.%d.%d", i/250, i%250))
	}
	if d := th.wait("victim@b.fr", "192.168.1.1"); d == 0 || d > accountLimit.maxGap {
		t.Fatalf("the real user waits %v, want (0, %v]", d, accountLimit.maxGap)
	}
}

func TestThrottle_OneAddressSprayingAccountsIsLocked(t *testing.T) {
	th := newThrottle((&clock{t0}).now)
	for i := range ipLimit.free + 1 {
		th.fail(fmt.Sprintf("u%d@b.fr", i), "6.6.6.6")
	}
	if d := th.wait("fresh@b.fr", "6.6.6.6"); d != time.Second {
		t.Fatalf("after %d failures from one address: wait %v, want 1s", ipLimit.free+1, d)
	}
	if d := th.wait("fresh@b.fr", "7.7.7.7"); d != 0 {
		t.Fatalf("another address waits %v", d)
	}
}

func TestThrottle_SuccessClearsThePairAndFailuresAreForgottenAfterAnHour(t *testing.T) {
	clk := &clock{t0}
	th := newThrottle(clk.now)
	for range pairLimit.free + 1 {
		th.fail("a@b.fr", "1.1.1.1")
	}
	th.succeed("a@b.fr", "1.1.1.1")
	if d := th.wait("a@b.fr", "1.1.1.1"); d != 0 {
		t.Fatalf("after a success: wait %v", d)
	}
	for range pairLimit.free {
		th.fail("a@b.fr", "2.2.2.2")
	}
	clk.t = clk.t.Add(forgetAfter + time.Second)
	th.fail("a@b.fr", "2.2.2.2") // counts from one again
	if d := th.wait("a@b.fr", "2.2.2.2"); d != 0 {
		t.Fatalf("an hour-old count was kept: wait %v", d)
	}
}
