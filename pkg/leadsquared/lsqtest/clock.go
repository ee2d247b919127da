package lsqtest

import (
	"context"
	"sync"
	"time"
)

// Clock is a fast-forward clock for tests: it runs with a base clock (the real one, or the
// one of [WithClock]), and a Sleep on it returns at once, moving the clock on by the wait
// instead of waiting. Every [Server] has one ([Server.Clock]) and reads the time from it, so
// a client that waits on the server's clock (package lsqclient gives it with
// leadsquared.WithClock) rides out a rate-limit answer naming a 5-second window in
// microseconds, and the server's rate-limit windows have passed when it retries.
//
// The waits are still computed as a real client's and kept: [Clock.Waits] lists them, so a
// test can assert that the client waited the 5 s LeadSquared named. A Clock is safe for
// concurrent use; each Sleep moves it on by its own wait, so concurrent sleepers move it on
// by the sum of theirs (time only runs further than it would have).
//
// Clock implements leadsquared.Clock (Now and Sleep). The zero Clock is [NewClock]'s: over the
// real clock.
type Clock struct {
	base func() time.Time

	mu     sync.Mutex
	offset time.Duration // skipped by sleeps and Advance
	waits  []time.Duration
}

// NewClock returns a fast-forward clock over the real clock.
func NewClock() *Clock { return newClock(time.Now) }

func newClock(base func() time.Time) *Clock { return &Clock{base: base} }

// Now returns the base clock's time plus the time the clock skipped.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.base == nil {
		return time.Now().Add(c.offset)
	}
	return c.base().Add(c.offset)
}

// Sleep records the wait d (see [Clock.Waits]) and moves the clock on by d, without
// waiting. It returns ctx's error, and skips nothing, when ctx is
// done. A wait of 0 or less returns at once and is not recorded.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits = append(c.waits, d)
	c.offset += d
	return nil
}

// Advance moves the clock on by d (a negative d is ignored), as if time passed.
func (c *Clock) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// Waits returns the waits slept on the clock so far, in order: the retry waits of a client
// on it, and the waits of its rate limiter.
func (c *Clock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

// Slept returns the sum of [Clock.Waits]: how long a client on the real clock would have
// waited.
func (c *Clock) Slept() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	var sum time.Duration
	for _, w := range c.waits {
		sum += w
	}
	return sum
}
