package auth

import (
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func TestTokenCache_HitUntilItsLifetimeThenMiss(t *testing.T) {
	clk := &clock{t0}
	c := newTokenCache(clk.now, 10*time.Second, 100)
	c.put("h", User{ID: "u1"}, t0.Add(time.Hour))
	tests := []struct {
		at   time.Duration
		want bool
	}{{0, true}, {9 * time.Second, true}, {10 * time.Second, false}, {11 * time.Second, false}}
	for _, tt := range tests {
		clk.t = t0.Add(tt.at)
		if u, ok := c.get("h"); ok != tt.want || (ok && u.ID != "u1") {
			t.Fatalf("at +%v: hit %v user %q, want hit %v", tt.at, ok, u.ID, tt.want)
		}
	}
}

func TestTokenCache_NeverOutlivesTheToken(t *testing.T) {
	clk := &clock{t0}
	c := newTokenCache(clk.now, 10*time.Second, 100)
	c.put("h", User{ID: "u1"}, t0.Add(3*time.Second))
	clk.t = t0.Add(2 * time.Second)
	if _, ok := c.get("h"); !ok {
		t.Fatal("miss before the token's expiry")
	}
	clk.t = t0.Add(3 * time.Second)
	if _, ok := c.get("h"); ok {
		t.Fatal("hit at the token's expiry")
	}
}

func TestTokenCache_DropForgetsAtOnce(t *testing.T) {
	c := newTokenCache((&clock{t0}).now, time.Minute, 100)
	c.put("h", User{ID: "u1"}, t0.Add(time.Hour))
	c.put("other", User{ID: "u2"}, t0.Add(time.Hour))
	c.drop("h")
	if _, ok := c.get("h"); ok {
		t.Fatal("dropped entry still served")
	}
	if _, ok := c.get("other"); !ok {
		t.Fatal("drop removed another entry")
	}
}

func TestTokenCache_StaysBounded(t *testing.T) {
	c := newTokenCache((&clock{t0}).now, time.Minute, 3)
	for _, h := range []string{"a", "b", "c", "d"} {
		c.put(h, User{ID: h}, t0.Add(time.Hour))
	}
	if len(c.entries) > 3 {
		t.Fatalf("%d entries, max 3", len(c.entries))
	}
	if _, ok := c.get("d"); !ok {
		t.Fatal("the newest entry is missing")
	}
}
