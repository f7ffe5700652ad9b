package auth

import (
	"sync"
	"time"
)

// tokenCache remembers recently checked tokens for a few seconds, so that a
// burst of API calls does not read the tokens and users tables each time.
// Logout drops the entry at once; other changes (an account disabled) take
// effect within the cache's lifetime.
type tokenCache struct {
	mu      sync.Mutex
	now     func() time.Time
	ttl     time.Duration
	max     int
	entries map[string]cachedUser
}

type cachedUser struct {
	user  User
	until time.Time
}

func newTokenCache(now func() time.Time, ttl time.Duration, max int) *tokenCache {
	return &tokenCache{now: now, ttl: ttl, max: max, entries: map[string]cachedUser{}}
}

func (c *tokenCache) get(hash string) (User, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[hash]
	if !ok || !e.until.After(c.now()) {
		delete(c.entries, hash)
		return User{}, false
	}
	return e.user, true
}

// put keeps u until the cache lifetime or the token's expiry, whichever is first.
func (c *tokenCache) put(hash string, u User, expires time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		c.entries = map[string]cachedUser{} // rare: simpler than LRU and bounded
	}
	until := c.now().Add(c.ttl)
	if expires.Before(until) {
		until = expires
	}
	c.entries[hash] = cachedUser{user: u, until: until}
}

func (c *tokenCache) drop(hash string) {
	c.mu.Lock()
	delete(c.entries, hash)
	c.mu.Unlock()
}

// dropUser forgets every cached session of a user but the one whose token
// hashes to keep (a password change keeps the session that made it).
func (c *tokenCache) dropUser(userID, keep string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for h, e := range c.entries {
		if e.user.ID == userID && h != keep {
			delete(c.entries, h)
		}
	}
}
