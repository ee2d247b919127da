package leadsquared

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Limiter paces request starts. The client calls Wait before every attempt (retries
// included) and sends the attempt only when Wait returns nil. Wait must be safe for
// concurrent use and return promptly with the context's error when ctx is done.
//
// [*SlidingWindowLimiter] is the in-process implementation; a limiter shared between
// processes (one LeadSquared account, many workers) can implement the same interface.
type Limiter interface {
	Wait(ctx context.Context) error
}

// limitSetter is implemented by limiters that can adopt the limit LeadSquared names in a
// rate-limit error ("exceeded the limit of 20 in 5 second(s)").
type limitSetter interface {
	SetLimit(calls int, per time.Duration) error
	Limit() (calls int, per time.Duration)
}

// SlidingWindowLimiter allows at most `calls` request starts in any window of length
// `per`: it keeps the last `calls` start times, and a start at t is allowed only when the
// oldest of them is at or before t-(per+slack). It is safe for concurrent use.
//
// The slack, [LimiterSlack] of per (2 %) at first, is there because LeadSquared counts a call
// when it arrives, not when it starts: a saturated client starts its calls in bursts one
// window apart, and a burst that arrives a few milliseconds late would otherwise overlap the
// next one in the server's window and be rejected (measured: 64 % of the allowed rate with
// no slack; see bench/README.md). When the server still rejects a call that the limiter let
// through, the network's jitter is larger than the slack: the client doubles it, up to a
// tenth of the window (so the slack never costs more than 10 % of the rate).
//
// A zero limit (calls == 0, the state of a client with no [WithRateLimit] that has not yet
// seen a rate-limit error) lets every start through.
type SlidingWindowLimiter struct {
	mu     sync.Mutex
	calls  int
	per    time.Duration
	slack  time.Duration // added to per when checking the window
	starts []time.Time   // the last `calls` start times, oldest first
	wake   chan struct{} // closed and replaced by SetLimit, to re-check sleeping waiters
	now    func() time.Time
	after  func(d time.Duration) (<-chan time.Time, func() bool)
	grant  func(t time.Time) // test hook, called under the lock for every start
}

// LimiterSlack is the share of the window a [SlidingWindowLimiter] adds to it at first, to
// absorb the network latency between a call's start and its arrival at LeadSquared.
const LimiterSlack = 0.02

// maxSlackShare caps the slack that rate-limit errors can widen it to.
const maxSlackShare = 0.10

// NewLimiter returns a limiter that allows at most calls request starts in any window of
// length per (widened by [LimiterSlack]). calls must be at least 1 and per positive.
func NewLimiter(calls int, per time.Duration) (*SlidingWindowLimiter, error) {
	if err := validLimit(calls, per); err != nil {
		return nil, err
	}
	l := newUnlimited()
	l.calls, l.per, l.slack = calls, per, slackOf(per)
	l.starts = make([]time.Time, 0, calls)
	return l, nil
}

// newUnlimited returns a limiter that lets every start through until SetLimit is called.
func newUnlimited() *SlidingWindowLimiter {
	return &SlidingWindowLimiter{
		wake: make(chan struct{}),
		now:  time.Now,
		after: func(d time.Duration) (<-chan time.Time, func() bool) {
			t := time.NewTimer(d)
			return t.C, t.Stop
		},
	}
}

func slackOf(per time.Duration) time.Duration {
	return time.Duration(float64(per) * LimiterSlack)
}

func validLimit(calls int, per time.Duration) error {
	if calls < 1 {
		return fmt.Errorf("leadsquared: rate limit calls must be at least 1, got %d", calls)
	}
	if per <= 0 {
		return fmt.Errorf("leadsquared: rate limit window must be positive, got %s", per)
	}
	return nil
}

// Limit returns the current limit; calls is 0 when the limiter lets every start through.
func (l *SlidingWindowLimiter) Limit() (calls int, per time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.calls, l.per
}

// widenSlack doubles the slack (up to a tenth of the window), after the server rejected a
// call this limiter let through. It reports whether the slack grew.
func (l *SlidingWindowLimiter) widenSlack() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.calls <= 0 {
		return false
	}
	limit := time.Duration(float64(l.per) * maxSlackShare)
	next := min(max(2*l.slack, time.Millisecond), limit)
	if next <= l.slack {
		return false
	}
	l.slack = next
	return true
}

// SetLimit changes the limit to calls starts per window, keeping the most recent start
// times, and wakes waiters so they re-check against the new limit.
func (l *SlidingWindowLimiter) SetLimit(calls int, per time.Duration) error {
	if err := validLimit(calls, per); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if calls == l.calls && per == l.per {
		return nil
	}
	starts := make([]time.Time, 0, calls)
	if keep := len(l.starts); keep > 0 {
		if keep > calls {
			keep = calls
		}
		starts = append(starts, l.starts[len(l.starts)-keep:]...)
	}
	l.calls, l.per, l.slack, l.starts = calls, per, slackOf(per), starts
	close(l.wake)
	l.wake = make(chan struct{})
	return nil
}

// Wait blocks until a request may start, and records the start. It returns ctx.Err()
// (wrapped) if ctx is done first.
func (l *SlidingWindowLimiter) Wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("leadsquared: waiting for the rate limiter: %w", err)
	}
	for {
		l.mu.Lock()
		if l.calls <= 0 {
			l.mu.Unlock()
			return nil
		}
		now := l.now()
		var wait time.Duration
		if len(l.starts) < l.calls {
			l.starts = append(l.starts, now)
		} else if oldest := l.starts[0]; !oldest.After(now.Add(-(l.per + l.slack))) {
			copy(l.starts, l.starts[1:])
			l.starts[len(l.starts)-1] = now
		} else {
			wait = oldest.Add(l.per + l.slack).Sub(now)
		}
		if wait == 0 {
			if l.grant != nil {
				l.grant(now)
			}
			l.mu.Unlock()
			return nil
		}
		wake := l.wake
		tc, stop := l.after(wait)
		l.mu.Unlock()
		select {
		case <-ctx.Done():
			stop()
			return fmt.Errorf("leadsquared: waiting for the rate limiter: %w", ctx.Err())
		case <-wake:
			stop()
		case <-tc:
		}
	}
}
