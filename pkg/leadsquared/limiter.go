package leadsquared

import (
	"context"
	"errors"
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

// WithLimiter makes the client wait on l before every attempt, instead of its own
// in-process limiter: for example a limiter shared by several processes through Redis
// (package redislimit). The client does not change l's limit when the server names one.
func WithLimiter(l Limiter) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("leadsquared: WithLimiter: nil Limiter")
		}
		c.limiter, c.userLimit, c.ownLimiter = l, true, false
		return nil
	}
}

// SlidingWindowLimiter allows at most `calls` request starts in any window of length
// `per`: it keeps the last `calls` start times, and a start at t is allowed only when the
// oldest of them is at or before t-(per+slack). It is safe for concurrent use.
//
// Waiters are served first come, first served: a Wait that has to wait queues behind the
// earlier ones, only the first in the queue watches the clock, and a new caller never
// overtakes the queue, so under saturation every call waits about as long as the others.
// A waiter whose context ends leaves the queue.
//
// The slack, 2 % of per at first, is there because LeadSquared counts a call
// when it arrives, not when it starts: a saturated client starts its calls in bursts one
// window apart, and a burst that arrives a few milliseconds late would otherwise overlap the
// next one in the server's window and be rejected (measured: 64 % of the allowed rate with
// no slack; see bench/README.md). When the server still rejects a call that the limiter let
// through, the network's jitter is larger than the slack: the client doubles it (once for
// the rejections of one burst: those within half a window), up to a tenth of the window (so
// the slack never costs more than 10 % of the rate). After 4 windows (at first) with no
// such rejection the slack halves again, step by step, back to its starting share, so an occasional late call costs a few windows rather than
// the rest of the run; a rejection soon after a narrowing doubles the number of clean
// windows the next narrowing waits for (up to 64), so a network whose jitter really needs
// the wider slack keeps it.
//
// A zero limit (calls == 0, the state of a client with no [WithRateLimit] that has not yet
// seen a rate-limit error) lets every start through.
type SlidingWindowLimiter struct {
	mu        sync.Mutex
	calls     int
	per       time.Duration
	slack     time.Duration // added to per when checking the window
	baseSlack time.Duration // the starting slack, limiterSlack of per
	changed   time.Time     // when the slack last widened or narrowed
	narrowed  bool          // the last change of the slack was a narrowing
	clean     int           // clean windows the next narrowing waits for
	starts    []time.Time   // the last `calls` start times, oldest first
	queue     []*waiter     // callers waiting for a start, in arrival order
	wake      chan struct{} // closed and replaced by SetLimit, to re-check the sleeping head
	now       func() time.Time
	after     func(d time.Duration) (<-chan time.Time, func() bool)
	grant     func(t time.Time) // test hook, called under the lock for every start
}

// waiter is a caller queued in Wait.
type waiter struct {
	turn    chan struct{} // closed when the waiter reaches the head of the queue or is granted
	granted bool          // its start was recorded for it; guarded by the limiter's mu
}

// limiterSlack is the share of the window a [SlidingWindowLimiter] adds to it at first, to
// absorb the network latency between a call's start and its arrival at LeadSquared.
const limiterSlack = 0.02

// slackCleanWindows is how many windows without a rejected paced call a
// [SlidingWindowLimiter] waits, at first, before it halves a slack that rejections widened.
const slackCleanWindows = 4

// maxSlackShare caps the slack that rate-limit errors can widen it to.
const maxSlackShare = 0.10

// maxCleanWindows caps the clean windows a narrowing can be made to wait for.
const maxCleanWindows = 64

// NewLimiter returns a limiter that allows at most calls request starts in any window of
// length per (widened by a slack of 2 %, see [SlidingWindowLimiter]). calls must be from 1
// to [MaxLimitCalls] and per positive and at most [MaxLimitWindow].
func NewLimiter(calls int, per time.Duration) (*SlidingWindowLimiter, error) {
	if err := validLimit(calls, per); err != nil {
		return nil, err
	}
	l := newUnlimited()
	l.calls, l.per = calls, per
	l.resetSlack()
	l.starts = make([]time.Time, 0, calls)
	return l, nil
}

// newUnlimited returns a limiter that lets every start through until SetLimit is called.
func newUnlimited() *SlidingWindowLimiter {
	return &SlidingWindowLimiter{
		wake:  make(chan struct{}),
		clean: slackCleanWindows,
		now:   time.Now,
		after: func(d time.Duration) (<-chan time.Time, func() bool) {
			t := time.NewTimer(d)
			return t.C, t.Stop
		},
	}
}

// useClock makes l read the time from clk and wait through clk.Sleep (WithClock). Called
// before l is shared.
func (l *SlidingWindowLimiter) useClock(clk Clock) {
	l.now = clk.Now
	l.after = func(d time.Duration) (<-chan time.Time, func() bool) {
		ch := make(chan time.Time, 1)
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			defer cancel()
			if clk.Sleep(ctx, d) == nil {
				ch <- clk.Now()
			}
		}()
		return ch, func() bool { cancel(); return true }
	}
}

// resetSlack sets the slack to its starting share of per. Called with l.mu held (or
// before l is shared).
func (l *SlidingWindowLimiter) resetSlack() {
	l.baseSlack = time.Duration(float64(l.per) * limiterSlack)
	l.slack = l.baseSlack
	l.narrowed = false
	l.clean = slackCleanWindows
}

// MaxLimitCalls is the most calls a limit may allow in one window: a limiter keeps one start
// time per call of its window, so a larger count would cost memory for no account's limit
// (LeadSquared's plans allow tens of calls in seconds).
const MaxLimitCalls = 100_000

// MaxLimitWindow is the longest window a limit may have: a longer one is no pacing an
// account has, and near the largest time.Duration the window plus its slack would overflow.
const MaxLimitWindow = 24 * time.Hour

func validLimit(calls int, per time.Duration) error {
	if calls < 1 || calls > MaxLimitCalls {
		return fmt.Errorf("leadsquared: rate limit calls must be from 1 to %d, got %d", MaxLimitCalls, calls)
	}
	if per <= 0 || per > MaxLimitWindow {
		return fmt.Errorf("leadsquared: rate limit window must be positive and at most %s, got %s", MaxLimitWindow, per)
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
	now := l.now()
	if !l.narrowed && !l.changed.IsZero() && now.Sub(l.changed) < l.per/2 {
		// Widened within the last half window: the calls of one late burst are one piece
		// of evidence, not several.
		return false
	}
	if l.narrowed && now.Sub(l.changed) < time.Duration(l.clean)*(l.per+l.slack) {
		// Rejected soon after a narrowing: that slack was too small for this network.
		l.clean = min(2*l.clean, maxCleanWindows)
	}
	limit := time.Duration(float64(l.per) * maxSlackShare)
	next := min(max(2*l.slack, time.Millisecond), limit)
	l.narrowed = false
	l.changed = now // a rejection at the cap restarts the count of clean windows too
	if next <= l.slack {
		return false
	}
	l.slack = next
	return true
}

// narrowSlack halves a widened slack (not below its starting share) for every l.clean
// windows that passed since it last changed. Called with l.mu held.
func (l *SlidingWindowLimiter) narrowSlack(now time.Time) {
	for l.slack > l.baseSlack {
		span := time.Duration(l.clean) * (l.per + l.slack)
		if now.Sub(l.changed) < span {
			return
		}
		l.slack = max(l.slack/2, l.baseSlack)
		l.changed = l.changed.Add(span)
		l.narrowed = true
	}
}

// SetLimit changes the limit to calls starts per window, keeping the most recent start
// times, and wakes waiters so they re-check against the new limit. A new limit starts
// with the starting slack.
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
	l.calls, l.per, l.starts = calls, per, starts
	l.resetSlack()
	close(l.wake)
	l.wake = make(chan struct{})
	return nil
}

// tryStart records a start now if the window allows one, else returns how long until it
// does. Called with l.mu held and l.calls > 0.
func (l *SlidingWindowLimiter) tryStart() (wait time.Duration, ok bool) {
	now := l.now()
	l.narrowSlack(now)
	if len(l.starts) < l.calls {
		l.starts = append(l.starts, now)
	} else if oldest := l.starts[0]; !oldest.After(now.Add(-(l.per + l.slack))) {
		copy(l.starts, l.starts[1:])
		l.starts[len(l.starts)-1] = now
	} else {
		return oldest.Add(l.per + l.slack).Sub(now), false
	}
	if l.grant != nil {
		l.grant(now)
	}
	return 0, true
}

// Wait blocks until a request may start, and records the start. Callers are served in the
// order they called Wait. It returns ctx.Err() (wrapped) if ctx is done first.
func (l *SlidingWindowLimiter) Wait(ctx context.Context) error {
	if ctx == nil {
		return errors.New("leadsquared: waiting for the rate limiter: nil context")
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("leadsquared: waiting for the rate limiter: %w", err)
	}
	l.mu.Lock()
	if l.calls <= 0 {
		l.mu.Unlock()
		return nil
	}
	if len(l.queue) == 0 {
		if _, ok := l.tryStart(); ok {
			l.mu.Unlock()
			return nil
		}
	}
	w := &waiter{turn: make(chan struct{})}
	l.queue = append(l.queue, w)
	if len(l.queue) == 1 {
		close(w.turn)
	}
	l.mu.Unlock()
	for {
		select {
		case <-ctx.Done():
			return l.leave(w, ctx.Err())
		case <-w.turn:
		}
		// w heads the queue (or was granted): it alone waits for the next free start.
		l.mu.Lock()
		if w.granted {
			l.mu.Unlock()
			return nil
		}
		wait, ok := l.tryStart()
		if ok {
			l.popHead()
			l.mu.Unlock()
			return nil
		}
		wake := l.wake
		tc, stop := l.after(wait)
		l.mu.Unlock()
		select {
		case <-ctx.Done():
			stop()
			return l.leave(w, ctx.Err())
		case <-wake:
			stop()
		case <-tc:
		}
	}
}

// popHead removes the head of the queue, which got its start, and grants the waiters
// behind it whose starts are free now, at once: the head hands on the starts of one window
// together, rather than each waiter waking the next (every wake-up would delay the starts
// of the next window a little more). The first waiter it cannot grant becomes the head.
// Called with l.mu held.
func (l *SlidingWindowLimiter) popHead() {
	l.queue[0] = nil
	l.queue = l.queue[1:]
	for len(l.queue) > 0 {
		next := l.queue[0]
		if _, ok := l.tryStart(); !ok {
			close(next.turn)
			return
		}
		next.granted = true
		close(next.turn)
		l.queue[0] = nil
		l.queue = l.queue[1:]
	}
}

// leave removes a waiter whose context ended from the queue, handing the head's turn on.
// A waiter granted meanwhile keeps its start: it returns nil.
func (l *SlidingWindowLimiter) leave(w *waiter, err error) error {
	l.mu.Lock()
	if w.granted {
		l.mu.Unlock()
		return nil
	}
	for i, q := range l.queue {
		if q == w {
			l.queue = append(l.queue[:i], l.queue[i+1:]...)
			if i == 0 && len(l.queue) > 0 {
				close(l.queue[0].turn)
			}
			break
		}
	}
	l.mu.Unlock()
	return fmt.Errorf("leadsquared: waiting for the rate limiter: %w", err)
}
