package auth

import (
	"strings"
	"sync"
	"time"
)

// throttle slows repeated failed logins. Three counters: the (account, IP)
// pair, the IP alone, and the account alone. The pair and the IP may back off
// for long (an attacker's own address); the account alone is capped short, so
// that someone guessing a real user's password from many addresses can only
// delay that user by seconds, never lock them out.
type throttle struct {
	mu      sync.Mutex
	entries map[string]*failures
	now     func() time.Time
}

type failures struct {
	count int
	last  time.Time
	until time.Time
}

type limit struct {
	free   int           // failures allowed before any delay
	maxGap time.Duration // the longest delay
}

var (
	pairLimit    = limit{free: 5, maxGap: 15 * time.Minute}
	ipLimit      = limit{free: 20, maxGap: 15 * time.Minute}
	accountLimit = limit{free: 10, maxGap: 30 * time.Second}
	forgetAfter  = time.Hour
)

func newThrottle(now func() time.Time) *throttle {
	return &throttle{entries: map[string]*failures{}, now: now}
}

func keys(email, ip string) []struct {
	key string
	lim limit
} {
	return []struct {
		key string
		lim limit
	}{{"p|" + email + "|" + ip, pairLimit}, {"i|" + ip, ipLimit}, {"a|" + email, accountLimit}}
}

// wait returns how long the caller must still wait before trying again.
func (t *throttle) wait(email, ip string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	var longest time.Duration
	for _, k := range keys(email, ip) {
		if f, ok := t.entries[k.key]; ok && f.until.After(now) {
			if d := f.until.Sub(now); d > longest {
				longest = d
			}
		}
	}
	return longest
}

// fail counts a failed attempt; the delay doubles with each failure past the free ones.
func (t *throttle) fail(email, ip string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	for _, k := range keys(email, ip) {
		f := t.entries[k.key]
		if f == nil || now.Sub(f.last) > forgetAfter {
			f = &failures{}
			t.entries[k.key] = f
		}
		f.count++
		f.last = now
		if over := f.count - k.lim.free; over > 0 {
			d := time.Second << min(over-1, 20)
			if d > k.lim.maxGap {
				d = k.lim.maxGap
			}
			f.until = now.Add(d)
		}
	}
	if len(t.entries) > 100_000 { // bound memory under a spray of addresses
		for key, f := range t.entries {
			if now.Sub(f.last) > forgetAfter {
				delete(t.entries, key)
			}
		}
	}
}

// forgetAccount drops the account's counts (alone and with every address)
// whose last failure came before at: an administrator lifted them. The
// addresses' own counts stay: an attacker's address is still slowed.
func (t *throttle) forgetAccount(email string, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	prefix := "p|" + email + "|"
	for key, f := range t.entries {
		if (key == "a|"+email || strings.HasPrefix(key, prefix)) && !f.last.After(at) {
			delete(t.entries, key)
		}
	}
}

// succeed clears the pair's count; the IP and account counts decay on their own.
func (t *throttle) succeed(email, ip string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.entries, "p|"+email+"|"+ip)
	delete(t.entries, "a|"+email)
}
