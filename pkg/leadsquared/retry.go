package leadsquared

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// route is an operation of the spec: an HTTP method and a path relative to the server URL.
type route struct {
	method, path string
}

// specIdempotency reads, once, which operations of the embedded spec are safe to retry.
var specIdempotency = sync.OnceValues(func() (map[route]bool, error) {
	ops, err := specOperations()
	if err != nil {
		return nil, err
	}
	return idempotency(ops), nil
})

// idempotencyOf maps every operation of doc to whether it may be retried after a 5xx or
// a broken connection (see [Operation.Idempotent]).
func idempotencyOf(doc *openapi3.T) map[route]bool {
	return idempotency(operationsOf(doc))
}

func idempotency(ops map[route]Operation) map[route]bool {
	m := make(map[route]bool, len(ops))
	for r, op := range ops {
		m[r] = op.Idempotent
	}
	return m
}

// defaultIdempotent is the rule for a route the spec does not mark (or does not know).
func defaultIdempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	return false
}

// boolExtension reads a boolean extension value as kin-openapi may hold it.
func boolExtension(v any) (value, ok bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		b, err := strconv.ParseBool(x)
		return b, err == nil
	case json.RawMessage:
		var b bool
		err := json.Unmarshal(x, &b)
		return b, err == nil
	}
	return false, false
}

// idempotent reports whether the request may be sent again after a 5xx or a broken
// connection. The path is the URL path minus the base URL's path.
func (d *doer) idempotent(method, urlPath string) bool {
	p := strings.TrimPrefix(urlPath, d.basePath)
	if v, ok := d.idem[route{method, p}]; ok {
		return v
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
