package lsqtest

import (
	"fmt"
	"strconv"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

// window is a sliding-window log: at most limit.calls accepted calls in any window of
// length limit.per. Guarded by Server.mu.
type window struct {
	limit limit
	times []time.Time // accepted calls within the last window, oldest first
}

// allow records a call at now and reports whether it is within the limit.
func (w *window) allow(now time.Time) bool {
	cutoff := now.Add(-w.limit.per)
	i := 0
	for i < len(w.times) && !w.times[i].After(cutoff) {
		i++
	}
	w.times = w.times[i:]
	if len(w.times) >= w.limit.calls {
		return false
	}
	w.times = append(w.times, now)
	return true
}

// rateLimit applies the account's limits to a call of opID (the bulk budget for an
// operation the spec marks x-lsq-bulk); it returns the answer when the call is over the
// limit.
func (s *Server) rateLimit(opID api.OperationID) (status int, body any, limited bool) {
	op, _ := s.v.Operation(opID)
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.limiter
	if op != nil && op.Bulk && s.bulkLimit != nil {
		w = s.bulkLimit
	}
	if w == nil || w.allow(s.now()) {
		return 0, nil, false
	}
	return int(s.cfg.form), rateLimitBody(w.limit), true
}

func rateLimitBody(l limit) errorBody {
	// Whole seconds as LeadSquared writes them ("5"); a test's sub-second window with its
	// decimals ("0.2").
	secs := strconv.FormatFloat(l.per.Seconds(), 'f', -1, 64)
	return errBody(api.ExceptionRateLimitExceeded, fmt.Sprintf("API calls exceeded the limit of %d in %s second(s)", l.calls, secs))
}
