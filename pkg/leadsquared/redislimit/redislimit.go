// Package redislimit is a [leadsquared.Limiter] shared through Redis, for several processes
// (workers, pods) that call LeadSquared with the keys of one account. LeadSquared limits
// calls per account, so a limiter per process lets N processes send N times the limit; this
// one keeps every process sharing a Redis within one budget.
//
//	rdb := redis.NewClient(&redis.Options{Addr: "localhost:6379"})
//	lim, err := redislimit.New(rdb, accessKey, redislimit.Options{
//		Standard: redislimit.Limit{Calls: 25, Per: 5 * time.Second},
//		Bulk:     redislimit.Limit{Calls: 5, Per: 5 * time.Second},
//	})
//	...
//	c, err := leadsquared.New(host, accessKey, secretKey, leadsquared.WithLimiter(lim))
//
// # Guarantee
//
// Across all processes that use the same Redis, key prefix and access key, at most
// Calls request starts are granted in any window of length Per+Slack (a sliding window,
// not fixed buckets, and bursts included); Options.Slack absorbs the network's jitter
// between a grant and the call's arrival at LeadSquared. Each grant is one Lua script run atomically by Redis
// in one round trip: a sorted set per budget holds the grant times of the last window,
// read from the Redis server's clock (TIME), so the clocks of the processes do not matter.
// A caller that cannot start at once books the next free start and sleeps until then: callers
// are served first come, first served across processes (in the order they reach Redis), each
// with one round trip and no polling, so under saturation the longest wait stays close to
// the mean. A caller that gives up withdraws its booking (best effort; the place it held in
// the window is lost, not given to a later caller).
//
// github.com/go-redis/redis_rate was considered and not used: its GCRA lets a full burst
// through and then one call per Per/Calls, which can put more than Calls calls in one
// window of length Per (for example 10 at t=0 and an 11th at t=Per/10).
//
// # Budgets and keys
//
// Bulk operations (those the spec marks x-lsq-bulk: true, read with
// [leadsquared.OperationFromContext]) use the Bulk budget when it is set, and the
// Standard budget otherwise. The Redis keys are
// KeyPrefix + hex(SHA-256(access key)) + ":std" or ":bulk": the access key itself is never
// stored or sent to Redis.
//
// # When Redis is unreachable
//
// By default Wait returns an error that wraps [ErrUnavailable] (and the Redis error), and
// the client does not send the request. With Options.FallbackLocal, the limiter instead
// paces with an in-process sliding window of the same limits for Options.FallbackPeriod,
// then tries Redis again. While it falls back, each process keeps its own budget, so N
// processes may together send up to N times the limit and meet LeadSquared's rate-limit
// errors (which the client retries).
//
// LeadSquared API docs: https://apidocs.leadsquared.com/rate-limits/
package redislimit

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
)

// DefaultKeyPrefix is the prefix of the Redis keys when Options.KeyPrefix is empty.
const DefaultKeyPrefix = "lsq:rl:"

// DefaultSlack is the Slack of a limiter whose Options.Slack is zero: 1% of LeadSquared's
// usual 5-second window.
const DefaultSlack = 50 * time.Millisecond

// DefaultFallbackPeriod is how long the limiter paces locally after a Redis error before it
// tries Redis again, when Options.FallbackLocal is set and Options.FallbackPeriod is zero.
const DefaultFallbackPeriod = time.Second

// ErrUnavailable is wrapped by the error Wait returns when Redis cannot be reached (or
// answers with an error) and Options.FallbackLocal is not set.
var ErrUnavailable = errors.New("redislimit: redis unavailable")

// Limit is a rate limit: at most Calls request starts in any window of length Per.
type Limit struct {
	Calls int
	Per   time.Duration
}

func (l Limit) isZero() bool { return l.Calls == 0 && l.Per == 0 }

func (l Limit) validate(name string) error {
	if l.Calls < 1 || l.Per <= 0 {
		return fmt.Errorf("redislimit: %s limit: need Calls >= 1 and Per > 0, got %d per %s", name, l.Calls, l.Per)
	}
	if l.Per < time.Millisecond {
		return fmt.Errorf("redislimit: %s limit: Per must be at least 1ms, got %s", name, l.Per)
	}
	if l.Calls > leadsquared.MaxLimitCalls || l.Per > leadsquared.MaxLimitWindow {
		return fmt.Errorf("redislimit: %s limit: need Calls <= %d and Per <= %s, got %d per %s",
			name, leadsquared.MaxLimitCalls, leadsquared.MaxLimitWindow, l.Calls, l.Per)
	}
	return nil
}

// Options configures a [Limiter].
type Options struct {
	// Standard is the account's limit for every operation (required), e.g. 25 calls per 5
	// seconds; see the account's plan.
	Standard Limit
	// Bulk is the separate limit of the bulk operations (BulkUpdateUsers,
	// BulkUpdateUserManagers). When zero, bulk operations count against Standard.
	Bulk Limit
	// KeyPrefix prefixes the Redis keys ([DefaultKeyPrefix] when empty).
	KeyPrefix string
	// Slack widens every window by this much: [DefaultSlack] when zero, none when negative.
	// LeadSquared counts calls when they arrive, not when they are granted. A saturated
	// sliding window grants its calls in bursts Per apart, so a burst that reaches the
	// server a few milliseconds late overlaps the next one in the server's window: on
	// loopback with no Slack, 8 processes at 10 per 500ms put up to 20 calls in one 500ms
	// window at the server. A Slack larger than the spread of the network latency avoids
	// those rate-limit errors, at a rate of Calls/(Per+Slack) instead of Calls/Per.
	Slack time.Duration
	// FallbackLocal makes Wait pace with an in-process limiter of the same limits when
	// Redis cannot be reached, instead of returning an error wrapping [ErrUnavailable].
	FallbackLocal bool
	// FallbackPeriod is how long Wait uses the in-process limiter after a Redis error
	// before it tries Redis again ([DefaultFallbackPeriod] when zero).
	FallbackPeriod time.Duration
	// OnFallback, when set, is called with the Redis error each time the limiter starts
	// falling back (FallbackLocal), e.g. to log it.
	OnFallback func(err error)
	// OnGrant, when set, is called after each grant through Redis, when Wait returns, with
	// the start time it booked (on the Redis server's clock) and whether the bulk budget
	// granted it, e.g. for metrics.
	OnGrant func(at time.Time, bulk bool)
}

// Limiter is a [leadsquared.Limiter] whose budget lives in Redis and is shared by every
// process that uses the same Redis, key prefix and access key. It is safe for concurrent
// use. Make one with [New]: the Wait of a zero Limiter returns an error.
type Limiter struct {
	rdb        redis.Scripter
	std, bulk  budget
	hasBulk    bool
	fallback   bool
	fbPeriod   time.Duration
	onFallback func(error)
	onGrant    func(time.Time, bool)

	token string        // this limiter's unique part of the sorted-set members
	seq   atomic.Uint64 // makes every member unique

	mu        sync.Mutex
	downUntil time.Time // use the local limiters until then

	now func() time.Time
}

// budget is one window: its Redis key, its limit and its in-process fallback.
type budget struct {
	key   string
	limit Limit
	slack time.Duration
	local *leadsquared.SlidingWindowLimiter
}

// New returns a Limiter that keeps the budgets of the account whose access key is given in
// Redis through rdb (a *redis.Client, *redis.ClusterClient, *redis.Ring or any
// redis.UniversalClient). New does not contact Redis.
//
// LeadSquared API docs: https://apidocs.leadsquared.com/rate-limits/
func New(rdb redis.Scripter, accessKey string, opts Options) (*Limiter, error) {
	if rdb == nil {
		return nil, errors.New("redislimit: nil Redis client")
	}
	if accessKey == "" {
		return nil, errors.New("redislimit: empty access key")
	}
	if err := opts.Standard.validate("Standard"); err != nil {
		return nil, err
	}
	hasBulk := !opts.Bulk.isZero()
	if hasBulk {
		if err := opts.Bulk.validate("Bulk"); err != nil {
			return nil, err
		}
	}
	switch {
	case opts.Slack == 0:
		opts.Slack = DefaultSlack
	case opts.Slack < 0:
		opts.Slack = 0
	}
	if opts.FallbackPeriod < 0 {
		return nil, fmt.Errorf("redislimit: negative FallbackPeriod %s", opts.FallbackPeriod)
	}
	prefix := opts.KeyPrefix
	if prefix == "" {
		prefix = DefaultKeyPrefix
	}
	base := prefix + AccountID(accessKey)
	var tok [8]byte
	_, _ = rand.Read(tok[:]) // crypto/rand.Read never fails
	l := &Limiter{
		rdb:        rdb,
		hasBulk:    hasBulk,
		fallback:   opts.FallbackLocal,
		fbPeriod:   opts.FallbackPeriod,
		onFallback: opts.OnFallback,
		onGrant:    opts.OnGrant,
		token:      hex.EncodeToString(tok[:]),
		now:        time.Now,
	}
	if l.fbPeriod == 0 {
		l.fbPeriod = DefaultFallbackPeriod
	}
	var err error
	l.std = budget{key: base + ":std", limit: opts.Standard, slack: opts.Slack}
	if l.std.local, err = leadsquared.NewLimiter(opts.Standard.Calls, opts.Standard.Per+opts.Slack); err != nil {
		return nil, fmt.Errorf("redislimit: %w", err)
	}
	if hasBulk {
		l.bulk = budget{key: base + ":bulk", limit: opts.Bulk, slack: opts.Slack}
		if l.bulk.local, err = leadsquared.NewLimiter(opts.Bulk.Calls, opts.Bulk.Per+opts.Slack); err != nil {
			return nil, fmt.Errorf("redislimit: %w", err)
		}
	}
	return l, nil
}

// AccountID returns the part of the Redis keys that names the account of accessKey: the
// lower-case hex SHA-256 of the key. The access key itself never reaches Redis.
func AccountID(accessKey string) string {
	sum := sha256.Sum256([]byte(accessKey))
	return hex.EncodeToString(sum[:])
}

// Keys returns the Redis keys of the standard and bulk budgets (bulk is empty when
// Options.Bulk is zero).
func (l *Limiter) Keys() (standard, bulk string) {
	if l.hasBulk {
		bulk = l.bulk.key
	}
	return l.std.key, bulk
}

// reserve books the next start the budget allows, first come, first served: at the Redis
// server's time now, or later when the window is full, at the latest of the last booked
// start and the start ARGV[1] bookings back plus the window ARGV[2] (microseconds). It
// records the booking as member ARGV[3] with that time as its score and answers
// {at, at - now}. Bookings are made in the order callers reach Redis and their times never
// decrease, so no window of that length ever holds more than ARGV[1] of them, and no caller
// is overtaken by a later one.
var reserve = redis.NewScript(`
if redis.replicate_commands then redis.replicate_commands() end
local key = KEYS[1]
local calls = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local at = now
local n = redis.call('ZCARD', key)
if n > 0 then
  local last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
  at = math.max(at, tonumber(last[2]))
  if n >= calls then
    local kth = redis.call('ZRANGE', key, n - calls, n - calls, 'WITHSCORES')
    at = math.max(at, tonumber(kth[2]) + window)
  end
end
redis.call('ZADD', key, at, ARGV[3])
redis.call('PEXPIRE', key, math.floor((at - now + window) / 1000) + 1000)
return {at, at - now}
`)

// Wait blocks until the budget of the request's operation (bulk or standard) allows one
// more start. It books the start in Redis in one round trip and sleeps until the booked
// time, so callers are served in the order they reach Redis, across processes, and never
// poll. It returns an error wrapping ctx.Err() when ctx is done first (the booking is then
// withdrawn; its place in the window is not given to a later caller), and one wrapping
// [ErrUnavailable] when Redis fails and FallbackLocal is off.
func (l *Limiter) Wait(ctx context.Context) error {
	if ctx == nil {
		return errors.New("redislimit: waiting for the rate limiter: nil context")
	}
	if l == nil || l.rdb == nil {
		return errors.New("redislimit: the Limiter was not made by New")
	}
	b, bulk := &l.std, false
	if op, ok := leadsquared.OperationFromContext(ctx); ok && op.Bulk && l.hasBulk {
		b, bulk = &l.bulk, true
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("redislimit: waiting for the rate limiter: %w", err)
	}
	if l.fallingBack() {
		return b.local.Wait(ctx)
	}
	window := b.limit.Per + b.slack
	member := l.token + ":" + strconv.FormatUint(l.seq.Add(1), 36)
	res, err := reserve.Run(ctx, l.rdb, []string{b.key}, b.limit.Calls, window.Microseconds(), member).Int64Slice()
	if err == nil && len(res) != 2 {
		err = fmt.Errorf("unexpected script reply %v", res)
	}
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fmt.Errorf("redislimit: waiting for the rate limiter: %w", ctxErr)
		}
		if !l.fallback {
			return fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		l.startFallback(err)
		return b.local.Wait(ctx)
	}
	at, wait := time.UnixMicro(res[0]), time.Duration(res[1])*time.Microsecond
	if wait > 0 {
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			l.withdraw(ctx, b.key, member)
			return fmt.Errorf("redislimit: waiting for the rate limiter: %w", ctx.Err())
		case <-timer.C:
		}
	}
	if l.onGrant != nil {
		l.onGrant(at, bulk)
	}
	return nil
}

// unbook removes the booking ARGV[1] from the budget KEYS[1].
var unbook = redis.NewScript(`return redis.call('ZREM', KEYS[1], ARGV[1])`)

// withdraw removes a booking its caller gave up on, best effort.
func (l *Limiter) withdraw(ctx context.Context, key, member string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	_ = unbook.Run(ctx, l.rdb, []string{key}, member).Err()
}

// fallingBack reports whether Wait should use the local limiters now.
func (l *Limiter) fallingBack() bool {
	if !l.fallback {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.now().Before(l.downUntil)
}

// startFallback makes Wait use the local limiters for the fallback period.
func (l *Limiter) startFallback(err error) {
	l.mu.Lock()
	now := l.now()
	started := !now.Before(l.downUntil)
	l.downUntil = now.Add(l.fbPeriod)
	l.mu.Unlock()
	if started && l.onFallback != nil {
		l.onFallback(err)
	}
}
