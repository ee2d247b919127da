package leadsquared

import (
	"context"
	"errors"
	"net/http"
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
	// The window is per plus LimiterSlack (2 %): 5.1 s.
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
	} {
		l, err := NewLimiter(tt.calls, tt.per)
		if (err == nil) != tt.ok || (l != nil) != tt.ok {
			t.Errorf("NewLimiter(%d, %s) = %v, %v", tt.calls, tt.per, l, err)
		}
		if err := newUnlimited().SetLimit(tt.calls, tt.per); (err == nil) != tt.ok {
			t.Errorf("SetLimit(%d, %s) = %v", tt.calls, tt.per, err)
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
	_, err := env.c.API().BulkUpdateUserManagersWithResponse(t.Context(), api.UserManagerUpdateList{{UserId: "u", ManagerId: "m"}})
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
	if _, err := envb.c.API().BulkUpdateUserManagersWithResponse(t.Context(), api.UserManagerUpdateList{{UserId: "u", ManagerId: "m"}}); err != nil {
		t.Fatal(err)
	}
	if lb := envb.c.doer.limiter.(*SlidingWindowLimiter); lb.slack != 100*time.Millisecond {
		t.Errorf("bulk rejection widened the slack to %s", lb.slack)
	}
}
