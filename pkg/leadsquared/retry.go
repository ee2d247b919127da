package leadsquared

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// retryPolicy is the client's retry rules (WithRetries, WithBackoff) and the jitter source
// of its backoff. decide applies them to one failed attempt; it does no I/O.
type retryPolicy struct {
	maxRetries int
	minBackoff time.Duration
	maxBackoff time.Duration
	rand       func() float64 // jitter in [0, 1); replaced by in-package tests
}

// attemptOutcome is what the retry decision needs to know of one failed attempt. The doer
// fills it in from the request, the reply (or the transport's error) and the context.
type attemptOutcome struct {
	// Rewindable: the request has no body, or one GetBody can produce again.
	Rewindable bool
	// Broken: no answer was read; the connection failed, or broke while the body was read.
	Broken bool
	// Sent: a request not safe to repeat was written before the connection broke.
	Sent bool
	// CtxDone: the request's context had ended when the attempt failed.
	CtxDone bool
	// Status, Body and HTML describe the answer when Broken is false: the HTTP status,
	// LeadSquared's error body as parsed from the raw reply, and whether the reply was an
	// HTML page.
	Status int
	Body   errorBody
	HTML   bool
	// RetryAfter is the reply's Retry-After header, when HasRetryAfter.
	RetryAfter    time.Duration
	HasRetryAfter bool
	// Remaining is the time left before the context's deadline, when HasDeadline.
	Remaining   time.Duration
	HasDeadline bool
}

// retryDecision is what to do after a failed attempt: retry after Wait, or stop. Reason
// says why, for the log. When the call stops, OutcomeUnknown says that LeadSquared may
// have acted on it (see [ErrOutcomeUnknown]) and Deadline that a retry was due but the
// context's deadline comes before its wait ends.
type retryDecision struct {
	Retry          bool
	Wait           time.Duration
	Reason         string
	OutcomeUnknown bool
	Deadline       bool
}

// decide is the retry policy: whether the failed attempt number attempt (1 for the first)
// of a request for op is tried again, and after what wait.
//
//   - A rate-limit answer (any of LeadSquared's forms, see isRateLimit) is retried whatever
//     the operation: LeadSquared refuses it before doing any work. The wait is Retry-After,
//     else the window the message names, else backoff.
//   - A broken connection, a 5xx without LeadSquared's error body or an HTML page where JSON
//     was due is a fault on the way: retried only when op is idempotent, after Retry-After
//     (answers only) or backoff. A request not safe to repeat that was written, or answered
//     so, ends with its outcome unknown.
//   - Any other answer is LeadSquared's: asking again would get the same one.
//   - Nothing is retried after maxRetries retries, with a body that cannot be sent again, or
//     with the context done; nor when the context's deadline comes before the wait ends.
func (p retryPolicy) decide(op Operation, attempt int, o attemptOutcome) retryDecision {
	var d retryDecision
	switch {
	case o.Broken:
		switch {
		case o.Sent && !op.Idempotent:
			return retryDecision{Reason: "request sent, connection broken", OutcomeUnknown: true}
		case o.CtxDone:
			return retryDecision{Reason: "context done"}
		}
		if why := p.cannotRepeat(op, attempt, o); why != "" {
			return retryDecision{Reason: why}
		}
		d = retryDecision{Retry: true, Reason: "transport error", Wait: p.backoff(attempt - 1)}
	case isRateLimit(o.Status, o.Body):
		if why := p.cannotRepeat(Operation{Idempotent: true}, attempt, o); why != "" {
			return retryDecision{Reason: why}
		}
		d = retryDecision{Retry: true, Reason: "rate limited", Wait: p.rateLimitWait(o, attempt)}
	case o.Status >= 500 && !o.Body.lsq || o.HTML:
		if why := p.cannotRepeat(op, attempt, o); why != "" {
			return retryDecision{Reason: why, OutcomeUnknown: !op.Idempotent}
		}
		d = retryDecision{Retry: true, Reason: fmt.Sprintf("server error %d", o.Status), Wait: p.backoff(attempt - 1)}
		if o.HasRetryAfter {
			d.Wait = o.RetryAfter
		}
	default:
		return retryDecision{
			Reason:         "LeadSquared's answer",
			OutcomeUnknown: !op.Idempotent && mayHaveActed(o.Status, o.Body, o.HTML),
		}
	}
	if o.HasDeadline && o.Remaining < d.Wait {
		return retryDecision{Reason: "deadline before the retry", Deadline: true}
	}
	return d
}

// cannotRepeat says why the request may not be sent again, or "" when it may.
func (p retryPolicy) cannotRepeat(op Operation, attempt int, o attemptOutcome) string {
	switch {
	case !op.Idempotent:
		return "not safe to repeat"
	case attempt > p.maxRetries:
		return "retries exhausted"
	case !o.Rewindable:
		return "body cannot be sent again"
	}
	return ""
}

// rateLimitWait is the wait before retrying a rate-limited attempt: Retry-After when
// present (0 retries at once), else the window the message names (the server's window
// that rejected this attempt has ended by then), else backoff.
func (p retryPolicy) rateLimitWait(o attemptOutcome, attempt int) time.Duration {
	if o.HasRetryAfter {
		return o.RetryAfter
	}
	if _, window, _ := parseLimit(o.Body.ExceptionMessage); window > 0 {
		return window
	}
	return p.backoff(attempt - 1)
}

// backoff returns the wait before retry n (0 for the first retry): min·2ⁿ capped at max,
// minus up to 25 % jitter, never below min.
func (p retryPolicy) backoff(n int) time.Duration {
	w := p.maxBackoff
	if n < 32 {
		if b := p.minBackoff << n; b > 0 && b < p.maxBackoff {
			w = b
		}
	}
	w -= time.Duration(float64(w) * 0.25 * p.rand())
	return max(w, p.minBackoff)
}

// maxRetryAfter caps a Retry-After value; the context bounds the real wait anyway.
const maxRetryAfter = 24 * time.Hour

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP date.
func parseRetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if math.IsNaN(secs) || secs < 0 {
			return 0, false
		}
		if secs >= maxRetryAfter.Seconds() {
			return maxRetryAfter, true
		}
		return time.Duration(secs * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now), 0), maxRetryAfter), true
	}
	return 0, false
}

// sleepCtx waits d, or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
