package leadsquared

import (
	"testing"
	"time"
)

// The retry policy, without a server: every kind of failure LeadSquared or the way to it
// produces, for an operation safe to repeat and one that is not, and the limits (retries,
// rewinding the body, the context) that stop a retry.
func TestRetryDecision(t *testing.T) {
	t.Parallel()
	const (
		minB = 100 * time.Millisecond
		maxB = time.Second
	)
	get := Operation{ID: "GetUserByID", Idempotent: true}
	post := Operation{ID: "CreateUser"}
	lsqBody := func(typ ExceptionType, msg string) errorBody {
		return errorBody{Status: "Error", ExceptionType: typ, ExceptionMessage: msg, lsq: true}
	}
	rateLimited := lsqBody(ExceptionRateLimitExceeded, "You have exceeded the limit of 25 in 5 second(s)")
	answer := func(status int, eb errorBody) attemptOutcome {
		return attemptOutcome{Rewindable: true, Status: status, Body: eb}
	}
	broken := attemptOutcome{Rewindable: true, Broken: true}
	with := func(o attemptOutcome, f func(*attemptOutcome)) attemptOutcome { f(&o); return o }
	retryAfter := func(o attemptOutcome, d time.Duration) attemptOutcome {
		return with(o, func(o *attemptOutcome) { o.RetryAfter, o.HasRetryAfter = d, true })
	}
	deadlineIn := func(o attemptOutcome, d time.Duration) attemptOutcome {
		return with(o, func(o *attemptOutcome) { o.Remaining, o.HasDeadline = d, true })
	}
	retry := func(wait time.Duration, reason string) retryDecision {
		return retryDecision{Retry: true, Wait: wait, Reason: reason}
	}
	stop := func(reason string) retryDecision { return retryDecision{Reason: reason} }
	unknown := func(reason string) retryDecision { return retryDecision{Reason: reason, OutcomeUnknown: true} }
	deadline := retryDecision{Reason: "deadline before the retry", Deadline: true}

	tests := []struct {
		name    string
		op      Operation
		attempt int
		jitter  float64
		o       attemptOutcome
		want    retryDecision
	}{
		// Broken connections: retried when safe to repeat, with doubling backoff.
		{"broken GET 1", get, 1, 0, broken, retry(100*time.Millisecond, "transport error")},
		{"broken GET 2", get, 2, 0, broken, retry(200*time.Millisecond, "transport error")},
		{"broken GET 3", get, 3, 0, broken, retry(400*time.Millisecond, "transport error")},
		{"broken GET after max retries", get, 4, 0, broken, stop("retries exhausted")},
		{"broken GET jitter never below min", get, 1, 0.5, broken, retry(100*time.Millisecond, "transport error")},
		{"broken GET jitter takes up to a quarter", get, 2, 0.5, broken, retry(175*time.Millisecond, "transport error")},
		{"broken GET body not rewindable", get, 1, 0, with(broken, func(o *attemptOutcome) { o.Rewindable = false }), stop("body cannot be sent again")},
		{"broken GET context done", get, 1, 0, with(broken, func(o *attemptOutcome) { o.CtxDone = true }), stop("context done")},
		{"broken GET sent is still safe", get, 1, 0, with(broken, func(o *attemptOutcome) { o.Sent = true }), retry(100*time.Millisecond, "transport error")},
		{"broken POST never sent", post, 1, 0, broken, stop("not safe to repeat")},
		{"broken POST sent", post, 1, 0, with(broken, func(o *attemptOutcome) { o.Sent = true }), unknown("request sent, connection broken")},
		{"broken POST sent, context done", post, 1, 0, with(broken, func(o *attemptOutcome) { o.Sent, o.CtxDone = true, true }), unknown("request sent, connection broken")},

		// Rate limits, in every form, for any operation: LeadSquared did no work.
		{"429 no body", get, 1, 0, answer(429, errorBody{}), retry(100*time.Millisecond, "rate limited")},
		{"429 no body POST", post, 1, 0, answer(429, errorBody{}), retry(100*time.Millisecond, "rate limited")},
		{"429 no body attempt 3", post, 3, 0, answer(429, errorBody{}), retry(400*time.Millisecond, "rate limited")},
		{"429 window in message", post, 1, 0, answer(429, rateLimited), retry(5*time.Second, "rate limited")},
		{"403 rate-limit exception", post, 1, 0, answer(403, rateLimited), retry(5*time.Second, "rate limited")},
		{"200 rate-limit exception", post, 1, 0, answer(200, rateLimited), retry(5*time.Second, "rate limited")},
		{"200 rate-limit message only", post, 1, 0, answer(200, lsqBody("", "API calls exceeded the limit of 2 in 10 second(s)")), retry(10*time.Second, "rate limited")},
		{"403 exception without message", post, 1, 0, answer(403, lsqBody(ExceptionRateLimitExceeded, "")), retry(100*time.Millisecond, "rate limited")},
		{"429 Retry-After over window", post, 1, 0, retryAfter(answer(429, rateLimited), 7*time.Second), retry(7*time.Second, "rate limited")},
		{"429 Retry-After zero", post, 1, 0, retryAfter(answer(429, rateLimited), 0), retry(0, "rate limited")},
		{"429 after max retries", post, 4, 0, answer(429, rateLimited), stop("retries exhausted")},
		{"429 body not rewindable", post, 1, 0, with(answer(429, rateLimited), func(o *attemptOutcome) { o.Rewindable = false }), stop("body cannot be sent again")},
		{"count and time without limit words is no rate limit", post, 1, 0, answer(500, lsqBody(ExceptionInvalidInput, "Expected 2 in 10 seconds field")), stop("LeadSquared's answer")},

		// 5xx: a fault on the way (no LeadSquared body, an HTML page) or LeadSquared's answer.
		{"502 empty GET", get, 1, 0, answer(502, errorBody{}), retry(100*time.Millisecond, "server error 502")},
		{"503 Retry-After GET", get, 2, 0, retryAfter(answer(503, errorBody{}), 3*time.Second), retry(3*time.Second, "server error 503")},
		{"504 GET", get, 1, 0, answer(504, errorBody{}), retry(100*time.Millisecond, "server error 504")},
		{"502 GET after max retries", get, 4, 0, answer(502, errorBody{}), stop("retries exhausted")},
		{"502 GET body not rewindable", get, 1, 0, with(answer(502, errorBody{}), func(o *attemptOutcome) { o.Rewindable = false }), stop("body cannot be sent again")},
		{"502 empty POST", post, 1, 0, answer(502, errorBody{}), unknown("not safe to repeat")},
		{"200 HTML GET", get, 1, 0, with(answer(200, errorBody{ExceptionMessage: "HTML"}), func(o *attemptOutcome) { o.HTML = true }), retry(100*time.Millisecond, "server error 200")},
		{"200 HTML POST", post, 1, 0, with(answer(200, errorBody{ExceptionMessage: "HTML"}), func(o *attemptOutcome) { o.HTML = true }), unknown("not safe to repeat")},
		{"500 invalid input GET", get, 1, 0, answer(500, lsqBody(ExceptionInvalidInput, "Invalid Input")), stop("LeadSquared's answer")},
		{"500 invalid input POST", post, 1, 0, answer(500, lsqBody(ExceptionInvalidInput, "Invalid Input")), stop("LeadSquared's answer")},
		{"500 message only POST", post, 1, 0, answer(500, errorBody{ExceptionMessage: "Object reference not set", lsq: true}), stop("LeadSquared's answer")},
		{"500 internal error GET", get, 1, 0, answer(500, lsqBody(ExceptionInternalServerError, "failed")), stop("LeadSquared's answer")},
		{"500 internal error POST", post, 1, 0, answer(500, lsqBody(ExceptionInternalServerError, "failed")), unknown("LeadSquared's answer")},

		// Other answers are LeadSquared's and final.
		{"400 POST", post, 1, 0, answer(400, lsqBody(ExceptionMandatoryAttributeMissing, "missing")), stop("LeadSquared's answer")},
		{"401 GET", get, 1, 0, answer(401, lsqBody(ExceptionUnAuthorizedAccess, "no")), stop("LeadSquared's answer")},
		{"404 route GET", get, 1, 0, answer(404, lsqBody(ExceptionNotFound, "The API could not be found")), stop("LeadSquared's answer")},
		{"200 error body POST", post, 1, 0, answer(200, lsqBody(ExceptionDuplicateEntry, "taken")), stop("LeadSquared's answer")},

		// The context's deadline: no retry whose wait outlasts it.
		{"deadline before backoff", get, 1, 0, deadlineIn(broken, 50*time.Millisecond), deadline},
		{"deadline after backoff", get, 1, 0, deadlineIn(broken, 150*time.Millisecond), retry(100*time.Millisecond, "transport error")},
		{"deadline exactly at the wait", get, 1, 0, deadlineIn(broken, 100*time.Millisecond), retry(100*time.Millisecond, "transport error")},
		{"deadline before Retry-After", post, 1, 0, deadlineIn(retryAfter(answer(429, rateLimited), 7*time.Second), 5*time.Second), deadline},
		{"deadline before rate-limit window", post, 1, 0, deadlineIn(answer(429, rateLimited), 4*time.Second), deadline},
		{"deadline passed, final answer", post, 1, 0, deadlineIn(answer(400, lsqBody(ExceptionInvalidInput, "x")), -time.Second), stop("LeadSquared's answer")},
		{"deadline passed, no retries left", get, 4, 0, deadlineIn(broken, -time.Second), stop("retries exhausted")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := retryPolicy{maxRetries: 3, minBackoff: minB, maxBackoff: maxB, rand: func() float64 { return tt.jitter }}
			if got := p.decide(tt.op, tt.attempt, tt.o); got != tt.want {
				t.Errorf("decide(%s, attempt %d) = %+v, want %+v", tt.op.ID, tt.attempt, got, tt.want)
			}
		})
	}
}

// Backoff doubles from min, is capped at max (however many retries, without overflow) and
// loses up to a quarter to jitter, never going below min.
func TestRetryBackoff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		n      int
		jitter float64
		want   time.Duration
	}{
		{0, 0, 100 * time.Millisecond},
		{1, 0, 200 * time.Millisecond},
		{3, 0, 800 * time.Millisecond},
		{4, 0, time.Second},
		{31, 0, time.Second},
		{40, 0, time.Second},
		{63, 0, time.Second},
		{3, 0.5, 700 * time.Millisecond},
		{4, 1, 750 * time.Millisecond},
		{0, 1, 100 * time.Millisecond},
	}
	for _, tt := range tests {
		p := retryPolicy{maxRetries: 3, minBackoff: 100 * time.Millisecond, maxBackoff: time.Second, rand: func() float64 { return tt.jitter }}
		if got := p.backoff(tt.n); got != tt.want {
			t.Errorf("backoff(%d) with jitter %v = %s, want %s", tt.n, tt.jitter, got, tt.want)
		}
	}
}
