package leadsquared

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// route is an operation of the spec: an HTTP method and a path relative to the server URL.
type route struct {
	method, path string
}

// defaultIdempotent is the rule for a route the spec does not mark (or does not know).
func defaultIdempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	return false
}

// idempotent reports whether the request may be sent again after a 5xx or a broken
// connection. The path is the URL path minus the base URL's path.
func (d *doer) idempotent(method, urlPath string) bool {
	if op, ok := d.ops[route{method, strings.TrimPrefix(urlPath, d.basePath)}]; ok {
		return op.Idempotent
	}
	return defaultIdempotent(method)
}

// backoff returns the wait before retry n (0 for the first retry): min·2ⁿ capped at max,
// minus up to 25 % jitter, never below min.
func (d *doer) backoff(n int) time.Duration {
	w := d.maxBackoff
	if n < 32 {
		if b := d.minBackoff << n; b > 0 && b < d.maxBackoff {
			w = b
		}
	}
	w -= time.Duration(float64(w) * 0.25 * d.rand())
	return max(w, d.minBackoff)
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
