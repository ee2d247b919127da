package redislimit_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/redislimit"
)

const testAccessKey = "u$r/a+b%c&d=e-access"

var bulkCtx = func(ctx context.Context) context.Context {
	return leadsquared.ContextWithOperation(ctx, leadsquared.Operation{ID: "BulkUpdateUserManagers", Bulk: true})
}

func newLimiter(t *testing.T, rdb redis.Scripter, opts redislimit.Options) *redislimit.Limiter {
	t.Helper()
	if opts.KeyPrefix == "" {
		opts.KeyPrefix = "test:" + t.Name() + ":"
	}
	l, err := redislimit.New(rdb, testAccessKey, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return l
}

// waitFor calls l.Wait with a context that ends after d.
func waitFor(ctx context.Context, l leadsquared.Limiter, d time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	return l.Wait(ctx)
}

// maxInWindow is the largest number of times in any window (t-per, t].
func maxInWindow(times []time.Time, per time.Duration) int {
	ts := slices.Clone(times)
	slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
	best, i := 0, 0
	for j := range ts {
		for ts[j].Sub(ts[i]) >= per {
			i++
		}
		best = max(best, j-i+1)
	}
	return best
}

func TestMaxInWindow(t *testing.T) {
	t.Parallel()
	t0 := time.Unix(0, 0)
	at := func(ms ...int) []time.Time {
		var ts []time.Time
		for _, m := range ms {
			ts = append(ts, t0.Add(time.Duration(m)*time.Millisecond))
		}
		return ts
	}
	for _, tc := range []struct {
		ms   []int
		want int
	}{
		{nil, 0},
		{[]int{0, 100, 200}, 3},
		{[]int{0, 100, 200, 300}, 3}, // 0 and 300 are a full window apart
		{[]int{0, 100, 200, 299}, 4},
		{[]int{299, 0, 200, 100}, 4},
	} {
		if got := maxInWindow(at(tc.ms...), 300*time.Millisecond); got != tc.want {
			t.Errorf("maxInWindow(%v) = %d, want %d", tc.ms, got, tc.want)
		}
	}
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	t.Cleanup(func() { _ = rdb.Close() })
	ok := redislimit.Limit{Calls: 5, Per: time.Second}
	for name, tc := range map[string]struct {
		rdb  redis.Scripter
		key  string
		opts redislimit.Options
	}{
		"nil client":       {nil, "k", redislimit.Options{Standard: ok}},
		"empty key":        {rdb, "", redislimit.Options{Standard: ok}},
		"no limit":         {rdb, "k", redislimit.Options{}},
		"zero calls":       {rdb, "k", redislimit.Options{Standard: redislimit.Limit{Per: time.Second}}},
		"zero window":      {rdb, "k", redislimit.Options{Standard: redislimit.Limit{Calls: 1}}},
		"sub-ms window":    {rdb, "k", redislimit.Options{Standard: redislimit.Limit{Calls: 1, Per: time.Microsecond}}},
		"half bulk":        {rdb, "k", redislimit.Options{Standard: ok, Bulk: redislimit.Limit{Calls: 1}}},
		"negative fb wait": {rdb, "k", redislimit.Options{Standard: ok, FallbackPeriod: -1}},
	} {
		if _, err := redislimit.New(tc.rdb, tc.key, tc.opts); err == nil {
			t.Errorf("%s: New succeeded, want an error", name)
		}
	}
	if _, err := redislimit.New(rdb, "k", redislimit.Options{Standard: ok}); err != nil {
		t.Errorf("valid options: %v", err)
	}
}

func TestKeysNeverHoldTheAccessKey(t *testing.T) {
	t.Parallel()
	rs := startRedis(t)
	rdb := rs.Client(t)
	l, err := redislimit.New(rdb, testAccessKey, redislimit.Options{
		Standard: redislimit.Limit{Calls: 5, Per: time.Second},
		Bulk:     redislimit.Limit{Calls: 1, Per: time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(testAccessKey))
	id := hex.EncodeToString(sum[:])
	if got := redislimit.AccountID(testAccessKey); got != id {
		t.Errorf("AccountID = %q, want %q", got, id)
	}
	std, bulk := l.Keys()
	if std != redislimit.DefaultKeyPrefix+id+":std" || bulk != redislimit.DefaultKeyPrefix+id+":bulk" {
		t.Errorf("Keys() = %q, %q", std, bulk)
	}
	ctx := t.Context()
	if err := l.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.Wait(bulkCtx(ctx)); err != nil {
		t.Fatal(err)
	}
	keys, err := rdb.Keys(ctx, "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	if want := []string{bulk, std}; !slices.Equal(keys, want) {
		t.Errorf("Redis keys = %q, want %q", keys, want)
	}
	for _, k := range keys {
		members, err := rdb.ZRange(ctx, k, 0, -1).Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range append(members, k) {
			if strings.Contains(s, testAccessKey) || strings.Contains(s, "access") {
				t.Errorf("Redis holds the access key: %q", s)
			}
		}
		if ttl := rdb.PTTL(ctx, k).Val(); ttl <= 2*time.Second || ttl > 2*time.Second+redislimit.DefaultSlack {
			t.Errorf("TTL of %s = %s, want the window (1s + DefaultSlack) plus 1s", k, ttl)
		}
	}
	// Without a bulk limit there is one key; a negative Slack means none.
	l2, _ := redislimit.New(rdb, testAccessKey, redislimit.Options{
		KeyPrefix: "noslack:",
		Standard:  redislimit.Limit{Calls: 1, Per: time.Second},
		Slack:     -1,
	})
	std2, b := l2.Keys()
	if b != "" {
		t.Errorf("bulk key without a bulk limit: %q", b)
	}
	if err := l2.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if ttl := rdb.PTTL(ctx, std2).Val(); ttl <= time.Second+900*time.Millisecond || ttl > 2*time.Second {
		t.Errorf("TTL without Slack = %s, want 1s plus 1s", ttl)
	}
}

func TestWaitPacesWithinTheWindow(t *testing.T) {
	t.Parallel()
	rs := startRedis(t)
	var grants []time.Time
	var mu sync.Mutex
	per := 300 * time.Millisecond
	l := newLimiter(t, rs.Client(t), redislimit.Options{
		Standard: redislimit.Limit{Calls: 3, Per: per},
		OnGrant: func(at time.Time, bulk bool) {
			mu.Lock()
			grants = append(grants, at)
			mu.Unlock()
		},
	})
	for i := range 4 {
		if err := l.Wait(t.Context()); err != nil {
			t.Fatalf("wait %d: %v", i, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(grants) != 4 {
		t.Fatalf("%d grants, want 4", len(grants))
	}
	// On the Redis clock, to the microsecond: a start the window holds back is booked exactly
	// one window (Per+Slack) after the start Calls bookings back; one that is free is booked
	// when it reaches Redis. So none of the first 3 sits exactly a window after the first,
	// and the 4th is at least a window after it (exactly one, unless it reached Redis later).
	window := per + redislimit.DefaultSlack
	for i := 1; i < 3; i++ {
		if grants[i].Sub(grants[0]) == window {
			t.Errorf("grant %d was held back one window, want none of the first 3 held back", i)
		}
	}
	if gap := grants[3].Sub(grants[0]); gap < window {
		t.Errorf("the 4th grant came %s after the 1st, want at least %s", gap, window)
	}
}

func TestBulkHasItsOwnBudget(t *testing.T) {
	t.Parallel()
	rs := startRedis(t)
	rdb := rs.Client(t)
	ctx := t.Context()
	l := newLimiter(t, rdb, redislimit.Options{
		Standard: redislimit.Limit{Calls: 2, Per: 10 * time.Second},
		Bulk:     redislimit.Limit{Calls: 1, Per: 10 * time.Second},
	})
	for range 2 {
		if err := l.Wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := waitFor(ctx, l, 50*time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("3rd standard wait: %v, want a deadline error", err)
	}
	if err := waitFor(bulkCtx(ctx), l, time.Second); err != nil {
		t.Errorf("the bulk budget is separate: %v", err)
	}
	if err := waitFor(bulkCtx(ctx), l, 50*time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("2nd bulk wait: %v, want a deadline error", err)
	}
	// A non-bulk operation in the context uses the standard budget.
	std := leadsquared.ContextWithOperation(ctx, leadsquared.Operation{ID: "GetUsers"})
	if err := waitFor(std, l, 50*time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("standard operation: %v, want a deadline error", err)
	}

	// Without a bulk limit, bulk operations share the standard budget.
	shared := newLimiter(t, rdb, redislimit.Options{
		KeyPrefix: "shared:",
		Standard:  redislimit.Limit{Calls: 1, Per: 10 * time.Second},
	})
	if err := shared.Wait(bulkCtx(ctx)); err != nil {
		t.Fatal(err)
	}
	if err := waitFor(ctx, shared, 50*time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("shared budget: %v, want a deadline error", err)
	}
}

func TestWaitEndsWithTheContext(t *testing.T) {
	t.Parallel()
	rs := startRedis(t)
	l := newLimiter(t, rs.Client(t), redislimit.Options{Standard: redislimit.Limit{Calls: 1, Per: time.Hour}})
	if err := l.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(30*time.Millisecond, cancel)
	// The booking is an hour away, so a Wait that returns context.Canceled returned because
	// of the cancel.
	err := l.Wait(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	std, _ := l.Keys()
	if n := rs.Client(t).ZCard(t.Context(), std).Val(); n != 1 {
		t.Errorf("%d bookings after the cancelled wait, want 1: the booking was not withdrawn", n)
	}
	// An already-ended context does not reach Redis.
	if err := l.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("done context: %v", err)
	}
}

// deadRedis is a client of a loopback port nobody listens on.
func deadRedis(t *testing.T, port int) *redis.Client {
	rdb := redis.NewClient(&redis.Options{
		Addr:        "127.0.0.1:" + strconv.Itoa(port),
		DialTimeout: 200 * time.Millisecond,
		MaxRetries:  -1,
	})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

func TestUnreachableRedisIsAnError(t *testing.T) {
	t.Parallel()
	l := newLimiter(t, deadRedis(t, freePort(t)), redislimit.Options{Standard: redislimit.Limit{Calls: 5, Per: time.Second}})
	err := l.Wait(t.Context())
	if !errors.Is(err, redislimit.ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}

	// Through a client: the request is not sent, and the error says why.
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = w.Write([]byte(`[]`))
	}))
	t.Cleanup(srv.Close)
	c, err := leadsquared.New(srv.URL, testAccessKey, "secret", leadsquared.WithLimiter(l))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.API().GetUserByIDWithResponse(t.Context(), &api.GetUserByIDParams{UserID: "x"})
	if !errors.Is(err, redislimit.ErrUnavailable) {
		t.Errorf("client error = %v, want ErrUnavailable", err)
	}
	if hits.Load() != 0 {
		t.Errorf("%d requests sent without the limiter's consent", hits.Load())
	}
}

func TestFallbackLocalThenBackToRedis(t *testing.T) {
	t.Parallel()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		startRedis(t) // skips or fails as the other Redis tests do
	}
	port := freePort(t)
	var fallbacks atomic.Int64
	per := 200 * time.Millisecond
	rdb := deadRedis(t, port)
	l := newLimiter(t, rdb, redislimit.Options{
		Standard:       redislimit.Limit{Calls: 2, Per: per},
		FallbackLocal:  true,
		FallbackPeriod: 100 * time.Millisecond,
		OnFallback:     func(error) { fallbacks.Add(1) },
	})
	start := time.Now()
	for i := range 3 {
		if err := l.Wait(t.Context()); err != nil {
			t.Fatalf("wait %d: %v", i, err)
		}
	}
	if d := time.Since(start); d < per-10*time.Millisecond {
		t.Errorf("3 waits at 2 per %s took %s: the local limiter did not pace", per, d)
	}
	if n := fallbacks.Load(); n != 1 {
		t.Errorf("OnFallback called %d times, want 1", n)
	}

	// Redis comes up: after the fallback period the limiter uses it again.
	rs, err := launchRedis(path, port)
	if err != nil {
		t.Skipf("could not start redis-server on the same port again: %v", err)
	}
	t.Cleanup(rs.stop)
	time.Sleep(150 * time.Millisecond) // past FallbackPeriod: real time, the limiter reads the real clock
	if err := l.Wait(t.Context()); err != nil {
		t.Fatalf("after Redis came back: %v", err)
	}
	std, _ := l.Keys()
	if n := rdb.ZCard(t.Context(), std).Val(); n != 1 {
		t.Errorf("ZCARD %s = %d, want 1: the grant did not go through Redis", std, n)
	}
}

func TestClientPutsBulkOperationsOnTheBulkBudget(t *testing.T) {
	t.Parallel()
	rs := startRedis(t)
	rdb := rs.Client(t)
	l := newLimiter(t, rdb, redislimit.Options{
		Standard: redislimit.Limit{Calls: 10, Per: 10 * time.Second},
		Bulk:     redislimit.Limit{Calls: 10, Per: 10 * time.Second},
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.Contains(r.URL.Path, "InBulk") {
			_, _ = w.Write([]byte(`{"Status":"Success","WFAId":"1","ErrorMessage":null}`))
			return
		}
		_, _ = w.Write([]byte(`[]`))
	}))
	t.Cleanup(srv.Close)
	c, err := leadsquared.New(srv.URL, testAccessKey, "secret", leadsquared.WithLimiter(l))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if _, err := c.API().BulkUpdateUserManagersWithResponse(ctx, api.UserManagerUpdateList{{UserID: "u", ManagerID: "m"}}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := c.API().GetUserByIDWithResponse(ctx, &api.GetUserByIDParams{UserID: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	std, bulk := l.Keys()
	if n := rdb.ZCard(ctx, bulk).Val(); n != 1 {
		t.Errorf("bulk budget holds %d grants, want 1", n)
	}
	if n := rdb.ZCard(ctx, std).Val(); n != 2 {
		t.Errorf("standard budget holds %d grants, want 2", n)
	}
}

// Several limiters (as several processes would have, each with its own connection pool)
// and many goroutines: the grants never exceed the limit in any window.
func TestManyLimitersShareOneBudget(t *testing.T) {
	t.Parallel()
	rs := startRedis(t)
	const calls, per = 5, 200 * time.Millisecond
	const want = 25 // 5 windows
	var mu sync.Mutex
	var grants []time.Time
	// The goroutines stop after want grants; the time-out only ends a hung run.
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	for range 3 {
		l := newLimiter(t, rs.Client(t), redislimit.Options{
			Standard: redislimit.Limit{Calls: calls, Per: per},
			OnGrant: func(at time.Time, _ bool) {
				mu.Lock()
				grants = append(grants, at)
				if len(grants) >= want {
					cancel()
				}
				mu.Unlock()
			},
		})
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for l.Wait(ctx) == nil {
				}
			}()
		}
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
		t.Fatalf("%d grants in a minute, want %d", len(grants), want)
	}
	if got := maxInWindow(grants, per); got > calls {
		t.Errorf("%d grants in one window of %s, limit %d", got, per, calls)
	}
	// Waiters cancelled while their booking was pending withdraw it; at most one goroutine's
	// grant can land after the count was reached per goroutine.
	if n := len(grants); n < want || n > want+24 {
		t.Errorf("%d grants, want %d to %d", n, want, want+24)
	}
}

// Callers that have to wait are served in the order they reached Redis, each booking its
// start in one round trip (the booking shows in the sorted set at once); a caller that
// gives up withdraws its booking.
func TestWaitersServedInArrivalOrder(t *testing.T) {
	t.Parallel()
	rs := startRedis(t)
	rdb := rs.Client(t)
	per := 500 * time.Millisecond
	l := newLimiter(t, rdb, redislimit.Options{Standard: redislimit.Limit{Calls: 1, Per: per}, Slack: 10 * time.Millisecond})
	std, _ := l.Keys()
	ctx := t.Context()
	if err := l.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	first, err := rdb.ZRangeWithScores(ctx, std, 0, 0).Result()
	if err != nil || len(first) != 1 {
		t.Fatalf("the first grant: %v, %v", first, err)
	}
	// Bookings are the members after the first grant (which leaves the set after a window).
	after := "(" + strconv.FormatFloat(first[0].Score, 'f', 0, 64)
	count := func() int64 { return rdb.ZCount(ctx, std, after, "+inf").Val() }
	var seen []time.Time // the Redis clock just after each booking was seen
	booked := func(n int64) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for count() != n-1 {
			if time.Now().After(deadline) {
				t.Fatalf("%d bookings, want %d", count(), n-1)
			}
			time.Sleep(time.Millisecond) // polling Redis, not timing the limiter
		}
		now, err := rdb.Time(ctx).Result()
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, now)
	}
	const n = 4
	order := make(chan int, n)
	giveUp, cancel := context.WithCancel(ctx)
	defer cancel()
	for i := range n {
		wctx := ctx
		if i == 2 {
			wctx = giveUp
		}
		go func() {
			if l.Wait(wctx) == nil {
				order <- i
			} else {
				order <- -1
			}
		}()
		booked(int64(i + 2))
	}
	// Each booking is the earliest start the window allows, to the microsecond on the Redis
	// clock: at least one window (Per+Slack) after the one before, and no later than that or
	// than the moment it reached Redis, which was before it was seen.
	bookings, err := rdb.ZRangeByScoreWithScores(ctx, std, &redis.ZRangeBy{Min: after, Max: "+inf"}).Result()
	if err != nil || len(bookings) != n {
		t.Fatalf("bookings: %v, %v; want %d", bookings, err, n)
	}
	scores := append(first, bookings...) // the first grant may have left the set by now
	window := (per + 10*time.Millisecond).Microseconds()
	for k := 1; k <= n; k++ {
		prev, got := int64(scores[k-1].Score), int64(scores[k].Score)
		latest := max(prev+window, seen[k-1].UnixMicro())
		if got < prev+window || got > latest {
			t.Errorf("booking %d at %d µs, want from %d (one window after the one before) to %d", k, got, prev+window, latest)
		}
	}
	cancel()
	var got []int
	gaveUp := 0
	for range n {
		if i := <-order; i >= 0 {
			got = append(got, i)
		} else {
			gaveUp++
		}
	}
	if want := []int{0, 1, 3}; !slices.Equal(got, want) || gaveUp != 1 {
		t.Errorf("granted in order %v (%d gave up), want %v (arrival order; waiter 2 gave up)", got, gaveUp, want)
	}
}

// TestZeroLimiterErrs: a Limiter New did not make refuses to grant a start, rather than panic
// (or let the call through unpaced).
func TestZeroLimiterErrs(t *testing.T) {
	t.Parallel()
	for name, l := range map[string]*redislimit.Limiter{"zero": {}, "nil": nil} {
		if err := l.Wait(t.Context()); err == nil || !strings.Contains(err.Error(), "not made by New") {
			t.Errorf("%s Limiter: Wait = %v, want an error naming New", name, err)
		}
	}
}
