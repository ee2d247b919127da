package leadsquared

import (
	"context"
	"errors"
	"math"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

// The window guarantee, end to end: 50 goroutines share a client limited to 10 starts per
// 50 ms (real time). Every attempt start the limiter granted is recorded; any 11
// consecutive starts must span at least 50 ms.
func TestLimiterWindowUnderConcurrency(t *testing.T) {
	t.Parallel()
	const (
		calls      = 10
		per        = 50 * time.Millisecond
		goroutines = 50
	)
	s := serve(reply{status: 200, body: usersJSON})
	env := setup(t, s, WithRateLimit(calls, per))
	l := env.c.doer.limiter.(*SlidingWindowLimiter)
	var starts []time.Time
	l.mu.Lock()
	l.now, l.after = time.Now, realAfter
	l.grant = func(t time.Time) { starts = append(starts, t) } // called under l.mu
	l.mu.Unlock()

	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := getUser(t, env.c); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if s.Hits() != goroutines {
		t.Fatalf("%d hits, want %d", s.Hits(), goroutines)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(starts) != goroutines {
		t.Fatalf("%d starts granted, want %d", len(starts), goroutines)
	}
	if !slices.IsSortedFunc(starts, func(a, b time.Time) int { return a.Compare(b) }) {
		t.Error("starts not granted in time order")
	}
	for i := 0; i+calls < len(starts); i++ {
		if span := starts[i+calls].Sub(starts[i]); span < per {
			t.Errorf("starts %d..%d span %s < %s", i, i+calls, span, per)
		}
	}
	if total := starts[len(starts)-1].Sub(starts[0]); total < 4*per {
		t.Errorf("50 starts took %s, want at least %s", total, 4*per)
	}
}

func realAfter(d time.Duration) (<-chan time.Time, func() bool) {
	tm := time.NewTimer(d)
	return tm.C, tm.Stop
}

func TestLimiterPacesOnFakeClock(t *testing.T) {
	t.Parallel()
	fc := newFakeClock()
	l, err := NewLimiter(2, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	l.now, l.after = fc.Now, fc.After
	var at []time.Duration
	t0 := fc.Now()
	for range 5 {
		if err := l.Wait(t.Context()); err != nil {
			t.Fatal(err)
		}
		at = append(at, fc.Now().Sub(t0))
	}
	// The window is per plus limiterSlack (2 %): 5.1 s.
	want := []time.Duration{0, 0, 5100 * time.Millisecond, 5100 * time.Millisecond, 10200 * time.Millisecond}
	if !slices.Equal(at, want) {
		t.Errorf("starts at %v, want %v", at, want)
	}
}

func TestNewLimiterValidation(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		calls int
		per   time.Duration
		ok    bool
	}{
		{1, time.Second, true},
		{25, 5 * time.Second, true},
		{0, time.Second, false},
		{-1, time.Second, false},
		{5, 0, false},
		{5, -time.Second, false},
		{MaxLimitCalls, MaxLimitWindow, true},
		{MaxLimitCalls + 1, time.Second, false},
		{math.MaxInt64, time.Second, false},  // was a makeslice panic
		{10_000_000_000, time.Second, false}, // was an out-of-memory
		{1, MaxLimitWindow + time.Second, false},
		{1, 2562047 * time.Hour, false}, // per+slack overflowed: no pacing at all
	} {
		l, err := NewLimiter(tt.calls, tt.per)
		if (err == nil) != tt.ok || (l != nil) != tt.ok {
			t.Errorf("NewLimiter(%d, %s) = %v, %v", tt.calls, tt.per, l, err)
		}
		if err := newUnlimited().SetLimit(tt.calls, tt.per); (err == nil) != tt.ok {
			t.Errorf("SetLimit(%d, %s) = %v", tt.calls, tt.per, err)
		}
		if _, err := New(HostSingapore, "ak", "sk", WithRateLimit(tt.calls, tt.per)); (err == nil) != tt.ok {
			t.Errorf("New(WithRateLimit(%d, %s)) = %v", tt.calls, tt.per, err)
		}
	}
}

func TestLimiterWaitCancelled(t *testing.T) {
	t.Parallel()
	l, err := NewLimiter(1, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = l.Wait(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("Wait ignored the context for %s", time.Since(start))
	}
	// An already-cancelled context fails at once, even on an unlimited limiter.
	done, cancel2 := context.WithCancel(t.Context())
	cancel2()
	if err := newUnlimited().Wait(done); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
}

// SetLimit wakes a waiter so it re-checks against the new limit.
func TestLimiterSetLimitWakesWaiters(t *testing.T) {
	t.Parallel()
	l, err := NewLimiter(1, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- l.Wait(t.Context()) }()
	select {
	case err := <-done:
		t.Fatalf("second start allowed at once: %v", err)
	case <-time.After(20 * time.Millisecond):
	}
	if err := l.SetLimit(5, time.Hour); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("waiter not woken by SetLimit")
	}
	if calls, per := l.Limit(); calls != 5 || per != time.Hour {
		t.Errorf("Limit() = %d, %s", calls, per)
	}
}

// After a rate-limit error naming the limit, the client adopts it: the next starts are paced.
func TestAdaptiveLimitAdopted(t *testing.T) {
	t.Parallel()
	s := serve(reply{status: 200, body: rateLimitBody(2, 5)}, reply{status: 200, body: usersJSON})
	env := setup(t, s)
	if _, err := getUser(t, env.c); err != nil {
		t.Fatal(err)
	}
	l := env.c.doer.limiter.(*SlidingWindowLimiter)
	if calls, per := l.Limit(); calls != 2 || per != 5*time.Second {
		t.Fatalf("limit %d per %s, want 2 per 5s", calls, per)
	}
	// The retry was the first start under the new limit; one more fits, the next waits.
	for range 2 {
		if _, err := getUser(t, env.c); err != nil {
			t.Fatal(err)
		}
	}
	if got := env.clock.LimiterWaits(); !slices.Equal(got, []time.Duration{5100 * time.Millisecond}) {
		t.Errorf("limiter waits %v, want [5.1s] (5 s + 2 %% slack)", got)
	}
}

func TestAdaptiveLimitNotAdoptedWithWithRateLimit(t *testing.T) {
	t.Parallel()
	s := serve(reply{status: 429, body: rateLimitBody(2, 5)}, reply{status: 200, body: usersJSON})
	env := setup(t, s, WithRateLimit(10, time.Second))
	if _, err := getUser(t, env.c); err != nil {
		t.Fatal(err)
	}
	if env.c.doer.adapt != nil {
		t.Error("user-set limiter is adaptive")
	}
	if calls, per := env.c.doer.limiter.(*SlidingWindowLimiter).Limit(); calls != 10 || per != time.Second {
		t.Errorf("limit %d per %s, want the user's 10 per 1s", calls, per)
	}
}

// A batch job against a server enforcing 3 calls per 5 s (on the same fake clock) gets one
// rate-limit error, adopts the limit, and then runs with no further errors.
func TestAdaptiveLimitSettles(t *testing.T) {
	t.Parallel()
	var (
		mu       sync.Mutex
		accepted []time.Time
		rejected int
	)
	var env *testEnv
	env = setup(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		now := env.clock.Now()
		w.Header().Set("Content-Type", "application/json")
		if n := len(accepted); n >= 3 && accepted[n-3].After(now.Add(-5*time.Second)) {
			rejected++
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(rateLimitBody(3, 5)))
			return
		}
		accepted = append(accepted, now)
		_, _ = w.Write([]byte(usersJSON))
	}))
	for i := range 20 {
		if _, err := getUser(t, env.c); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if rejected != 1 || len(accepted) != 20 {
		t.Errorf("%d rejected, %d accepted; want 1 and 20", rejected, len(accepted))
	}
}

// A rate-limit error on a bulk operation names the (lower) bulk budget: the client must not
// adopt it for every call.
func TestAdaptiveLimitIgnoresBulkOperations(t *testing.T) {
	t.Parallel()
	s := serve(reply{status: 429, body: rateLimitBody(1, 5)},
		reply{status: 200, body: `{"Status":"Success","Message":{"WFAId":"x"}}`})
	env := setup(t, s)
	_, err := env.c.API().BulkUpdateUserManagersWithResponse(t.Context(), api.UserManagerUpdateList{{UserID: "u", ManagerID: "m"}})
	if err != nil {
		t.Fatal(err)
	}
	if calls, _ := env.c.doer.limiter.(*SlidingWindowLimiter).Limit(); calls != 0 {
		t.Errorf("the bulk limit (1 per 5s) was adopted for every call: %d", calls)
	}
	// The same message on a standard call is adopted.
	s2 := serve(reply{status: 429, body: rateLimitBody(1, 5)}, reply{status: 200, body: usersJSON})
	env2 := setup(t, s2)
	if _, err := getUser(t, env2.c); err != nil {
		t.Fatal(err)
	}
	if calls, _ := env2.c.doer.limiter.(*SlidingWindowLimiter).Limit(); calls != 1 {
		t.Errorf("standard call: limit %d, want 1 adopted", calls)
	}
}

// When the server rejects a call the limiter let through, the network's jitter outran the
// slack: it doubles, up to a tenth of the window, and never for a bulk operation's error.
func TestSlackWidensAfterARejectedPacedCall(t *testing.T) {
	t.Parallel()
	s := serve(reply{status: 429, body: rateLimitBody(2, 5)}, reply{status: 429, body: rateLimitBody(2, 5)},
		reply{status: 429, body: rateLimitBody(2, 5)}, reply{status: 429, body: rateLimitBody(2, 5)},
		reply{status: 200, body: usersJSON})
	env := setup(t, s, WithRateLimit(2, 5*time.Second), WithMaxRetries(4))
	l := env.c.doer.limiter.(*SlidingWindowLimiter)
	if l.slack != 100*time.Millisecond {
		t.Fatalf("initial slack %s, want 2 %% of 5s", l.slack)
	}
	if _, err := getUser(t, env.c); err != nil {
		t.Fatal(err)
	}
	// 100ms doubled four times is 1.6s, capped at a tenth of the window: 500ms.
	if l.slack != 500*time.Millisecond {
		t.Errorf("slack after 4 rejections %s, want 500ms (the cap)", l.slack)
	}
	if calls, per := l.Limit(); calls != 2 || per != 5*time.Second {
		t.Errorf("the user's limit changed: %d per %s", calls, per)
	}

	// A bulk operation's rejection says nothing about the standard budget's slack.
	sb := serve(reply{status: 429, body: rateLimitBody(1, 5)}, reply{status: 200, body: `{"Status":"Success","Message":{"WFAId":"x"}}`})
	envb := setup(t, sb, WithRateLimit(2, 5*time.Second))
	if _, err := envb.c.API().BulkUpdateUserManagersWithResponse(t.Context(), api.UserManagerUpdateList{{UserID: "u", ManagerID: "m"}}); err != nil {
		t.Fatal(err)
	}
	if lb := envb.c.doer.limiter.(*SlidingWindowLimiter); lb.slack != 100*time.Millisecond {
		t.Errorf("bulk rejection widened the slack to %s", lb.slack)
	}
}

// A widened slack narrows back, one halving per slackCleanWindows clean windows, to its
// starting share; a rejection soon after a narrowing makes the next one wait twice as long.
func TestSlackNarrowsAfterCleanWindows(t *testing.T) {
	t.Parallel()
	fc := newFakeClock()
	l, err := NewLimiter(10, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	l.now, l.after = fc.Now, fc.After
	base := 20 * time.Millisecond
	start := func() {
		t.Helper()
		if err := l.Wait(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	slack := func() time.Duration {
		l.mu.Lock()
		defer l.mu.Unlock()
		return l.slack
	}
	// Rejections of one burst (within half a window) widen it once.
	l.widenSlack()
	l.widenSlack()
	if got := slack(); got != 40*time.Millisecond {
		t.Fatalf("slack after 2 rejections at once %s, want 40ms (doubled once)", got)
	}
	for range 2 {
		_ = fc.Sleep(t.Context(), 500*time.Millisecond)
		l.widenSlack()
	}
	if got := slack(); got != 100*time.Millisecond {
		t.Fatalf("slack after 3 rejections half a window apart %s, want 100ms (the cap)", got)
	}
	// Just short of 4 windows of 1.1 s: no narrowing yet.
	_ = fc.Sleep(t.Context(), 4*1100*time.Millisecond-time.Millisecond)
	start()
	if got := slack(); got != 100*time.Millisecond {
		t.Fatalf("slack narrowed before %d clean windows: %s", slackCleanWindows, got)
	}
	_ = fc.Sleep(t.Context(), time.Millisecond)
	start()
	if got := slack(); got != 50*time.Millisecond {
		t.Fatalf("slack after 4 clean windows %s, want 50ms", got)
	}
	// An idle stretch long enough for every step narrows all the way, never below the start.
	_ = fc.Sleep(t.Context(), time.Minute)
	start()
	if got := slack(); got != base {
		t.Fatalf("slack after a clean minute %s, want the starting %s", got, base)
	}

	// A rejection right after a narrowing: the next narrowing waits 8 windows, not 4.
	_ = fc.Sleep(t.Context(), time.Second)
	l.widenSlack() // 40ms
	_ = fc.Sleep(t.Context(), 4*1040*time.Millisecond)
	start() // narrows to 20ms
	if got := slack(); got != base {
		t.Fatalf("slack %s, want %s", got, base)
	}
	l.widenSlack() // soon after the narrowing: 40ms, and 8 clean windows from now on
	_ = fc.Sleep(t.Context(), 4*1040*time.Millisecond)
	start()
	if got := slack(); got != 40*time.Millisecond {
		t.Fatalf("slack narrowed after 4 windows although a rejection followed the last narrowing: %s", got)
	}
	_ = fc.Sleep(t.Context(), 4*1040*time.Millisecond)
	start()
	if got := slack(); got != base {
		t.Fatalf("slack after 8 clean windows %s, want %s", got, base)
	}
}

// The adaptive limit (learned from a rate-limit error) narrows its slack back the same way.
func TestAdaptiveSlackNarrows(t *testing.T) {
	t.Parallel()
	s := serve(reply{status: 429, body: rateLimitBody(2, 5)}, reply{status: 429, body: rateLimitBody(2, 5)},
		reply{status: 429, body: rateLimitBody(2, 5)}, reply{status: 200, body: usersJSON})
	env := setup(t, s, WithMaxRetries(3))
	if _, err := getUser(t, env.c); err != nil {
		t.Fatal(err)
	}
	l := env.c.doer.limiter.(*SlidingWindowLimiter)
	l.mu.Lock()
	widened := l.slack
	l.mu.Unlock()
	if widened <= 100*time.Millisecond {
		t.Fatalf("slack %s after rejections of paced calls, want wider than 100ms", widened)
	}
	_ = env.clock.Sleep(t.Context(), time.Hour)
	if _, err := getUser(t, env.c); err != nil {
		t.Fatal(err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.slack != 100*time.Millisecond {
		t.Errorf("slack %s an hour after the last rejection, want the starting 100ms", l.slack)
	}
}

// manualClock is a clock whose timers fire only when the test advances it.
type manualClock struct {
	mu     sync.Mutex
	t      time.Time
	timers []manualTimer
}

type manualTimer struct {
	at time.Time
	ch chan time.Time
}

func (m *manualClock) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.t
}

func (m *manualClock) After(d time.Duration) (<-chan time.Time, func() bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ch := make(chan time.Time, 1)
	m.timers = append(m.timers, manualTimer{m.t.Add(d), ch})
	return ch, func() bool { return true }
}

// Advance moves the clock on and fires the timers that are due, the latest registered first.
func (m *manualClock) Advance(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.t = m.t.Add(d)
	var keep []manualTimer
	for i := len(m.timers) - 1; i >= 0; i-- {
		if tm := m.timers[i]; !tm.at.After(m.t) {
			tm.ch <- m.t
		} else {
			keep = append(keep, tm)
		}
	}
	m.timers = keep
}

// queued waits until n callers are queued in l (goroutines reaching Wait; no clock involved).
func queued(t *testing.T, l *SlidingWindowLimiter, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		l.mu.Lock()
		got := len(l.queue)
		l.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d callers queued, want %d", got, n)
		}
		runtime.Gosched()
	}
}

// Waiters are granted in the order they called Wait, whatever order their timers fire
// in; a waiter whose context ends leaves the queue without holding up the others.
func TestLimiterServesWaitersInArrivalOrder(t *testing.T) {
	t.Parallel()
	mc := &manualClock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	l, err := NewLimiter(1, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	l.now, l.after = mc.Now, mc.After
	if err := l.Wait(t.Context()); err != nil { // fills the window
		t.Fatal(err)
	}
	const n = 8
	granted := make(chan int, n)
	cancels := map[int]context.CancelFunc{}
	for i := range n {
		ctx, cancel := context.WithCancel(t.Context())
		cancels[i] = cancel
		defer cancel()
		go func() {
			if err := l.Wait(ctx); err == nil {
				granted <- i
			} else {
				granted <- -1 - i
			}
		}()
		queued(t, l, i+1)
	}
	// The head (0) and a middle waiter (4) give up.
	cancels[0]()
	cancels[4]()
	var got []int
	for range 2 {
		got = append(got, <-granted)
	}
	slices.Sort(got)
	if !slices.Equal(got, []int{-5, -1}) {
		t.Fatalf("cancelled waiters returned %v", got)
	}
	got = nil
	for range n - 2 {
		mc.Advance(l.per + l.slack)
		got = append(got, <-granted)
	}
	if want := []int{1, 2, 3, 5, 6, 7}; !slices.Equal(got, want) {
		t.Errorf("granted in order %v, want %v (arrival order)", got, want)
	}
}

// A new caller does not overtake the queue, even at the moment a start is free.
func TestLimiterNewCallerQueuesBehindWaiters(t *testing.T) {
	t.Parallel()
	mc := &manualClock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	l, err := NewLimiter(1, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	l.now, l.after = mc.Now, mc.After
	if err := l.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	first := make(chan error, 1)
	go func() { first <- l.Wait(t.Context()) }()
	queued(t, l, 1)
	// The window frees, but the head's timer has not fired yet (it does only on Advance):
	// move the clock without firing, then call Wait again.
	mc.mu.Lock()
	mc.t = mc.t.Add(2 * time.Second)
	mc.mu.Unlock()
	second := make(chan error, 1)
	go func() { second <- l.Wait(t.Context()) }()
	queued(t, l, 2)
	mc.Advance(0) // fires the head's timer
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-second:
		t.Fatalf("the second caller started in the same window as the first: %v", err)
	default:
	}
	mc.Advance(l.per + l.slack)
	if err := <-second; err != nil {
		t.Fatal(err)
	}
}
