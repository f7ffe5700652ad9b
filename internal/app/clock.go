package app

import (
	"sync/atomic"
	"time"
)

// demoClock is the clock every service is given: the configured one,
// except while the demo year loads, when it stands at the instant of the
// event being written. The demo's past (attempts, juries, deliberations,
// certificates) then goes through the services with its own dates, so that
// the rules about dates (no deliberation before the session, two months
// for a VAE decision) hold on it and the audit chain stays chronological.
// It is set only before the server and the job runner start.
type demoClock struct {
	base func() time.Time
	at   atomic.Pointer[time.Time]
}

func newDemoClock(base func() time.Time) *demoClock { return &demoClock{base: base} }

// Now is the instant set, or the configured clock's.
func (c *demoClock) Now() time.Time {
	if t := c.at.Load(); t != nil {
		return *t
	}
	return c.base()
}

// set stands the clock at t.
func (c *demoClock) set(t time.Time) { c.at.Store(&t) }

// release gives the clock back to the configured one.
func (c *demoClock) release() { c.at.Store(nil) }
