package lsqtest

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

// Fault is a scripted failure of one call, queued with [Server.FailNext].
//
//   - Delay waits before anything else (in real time, cut short when the client gives up or
//     the server closes).
//   - Drop then closes the connection without an answer (the client sees a broken
//     connection, as when a proxy drops it).
//   - Status, when not 0, is the answer's HTTP status, with Body as its body; an empty Body
//     gets LeadSquared's error body (for 429, the rate-limit body).
//   - A Fault with only a Delay delays the call, which is then served normally.
//   - AfterWork applies all of this after the call was served: the operation ran (a user
//     was created, a template applied) but its answer is delayed, replaced or lost. Use it
//     to test what a client does when it cannot know whether a write happened.
//
// A fault applied before the work skips authentication, rate limiting and validation, and
// the call does not count against the rate limit unless it is then served normally.
type Fault struct {
	Status    int
	Body      string
	Delay     time.Duration
	Drop      bool
	AfterWork bool
}

// FailNext makes the next n calls to the operation operationID fail with f (or be delayed
// by it). operationID "" matches any operation; faults queued for the operation itself go
// first. Calls queue up in order. The name matches in any letter case ("GetUserById" is
// [api.OpGetUserByID]). It returns an error for an unknown operationId or n < 1.
func (s *Server) FailNext(operationID api.OperationID, n int, f Fault) error {
	if !s.made() {
		return errNotMade
	}
	if operationID != "" {
		op, ok := api.LookupOperation(operationID)
		if !ok {
			return fmt.Errorf("lsqtest: FailNext: unknown operation %q", operationID)
		}
		operationID = op.ID
	}
	if n < 1 {
		return fmt.Errorf("lsqtest: FailNext: n must be at least 1, got %d", n)
	}
	if f.Status != 0 && (f.Status < 100 || f.Status > 599) {
		return fmt.Errorf("lsqtest: FailNext: bad status %d", f.Status)
	}
	if f.Delay < 0 {
		return fmt.Errorf("lsqtest: FailNext: negative delay %s", f.Delay)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults[operationID] = append(s.faults[operationID], f)
	}
	return nil
}

// ClearFaults drops every queued fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = map[api.OperationID][]Fault{}
}

func (s *Server) takeFault(opID api.OperationID) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, key := range []api.OperationID{opID, ""} {
		if q := s.faults[key]; len(q) > 0 {
			f := q[0]
			if len(q) == 1 {
				delete(s.faults, key)
			} else {
				s.faults[key] = q[1:]
			}
			return f, true
		}
	}
	return Fault{}, false
}

// runFault applies f and reports whether the call goes on to be served normally.
func (s *Server) runFault(w http.ResponseWriter, r *http.Request, rec *Request, f Fault) bool {
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			rec.Dropped = true
			s.record(*rec) // the client went away
			return false
		case <-s.done:
			t.Stop()
			rec.Dropped = true
			s.record(*rec)
			return false
		}
	}
	switch {
	case f.Drop:
		rec.Dropped = true
		s.record(*rec)
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return false
			}
		}
		// No hijacking (HTTP/2): abort the handler, which resets the stream.
		panic(http.ErrAbortHandler)
	case f.Status != 0:
		if f.Body != "" {
			s.reply(w, rec, f.Status, rawBody(f.Body))
		} else {
			s.reply(w, rec, f.Status, s.faultBody(f.Status))
		}
		return false
	}
	return true
}

// faultBody is LeadSquared's error body for a scripted status.
func (s *Server) faultBody(status int) any {
	switch {
	case status == http.StatusTooManyRequests:
		l := limit{calls: 25, per: 5 * time.Second}
		if s.cfg.limit != nil {
			l = *s.cfg.limit
		}
		return rateLimitBody(l)
	case status == http.StatusUnauthorized:
		return errBody(api.ExceptionUnAuthorizedAccess, "Invalid access key or secret key.")
	case status == http.StatusNotFound:
		return errBody(api.ExceptionNotFound, "The API could not be found.")
	case status >= 500:
		return errBody(api.ExceptionInternalServerError, "An internal error occurred (injected by lsqtest).")
	case status >= 400:
		return errBody(api.ExceptionInvalidInput, http.StatusText(status)+" (injected by lsqtest).")
	}
	return errBody(api.ExceptionInternalServerError, "Injected by lsqtest.")
}

// Request is one call the server received, as kept in its log.
type Request struct {
	// Time is when the server received it (by the server's clock).
	Time time.Time
	// Method and Path are the HTTP method and URL path (with /v2).
	Method, Path string
	// OperationID is the operation the call was routed to; "" for an unknown route.
	OperationID api.OperationID
	// Query is the query string, with the accessKey and secretKey values replaced by
	// REDACTED.
	Query url.Values
	// Auth is how the keys came: "query", "header" or "" (none).
	Auth string
	// Body is the request body.
	Body []byte
	// Status is the HTTP status answered; 0 when the connection was dropped.
	Status int
	// Fault is true when a scripted fault applied to the call.
	Fault bool
	// Dropped is true when the call got no answer (a Drop fault, or the client left
	// during a Delay).
	Dropped bool
}

func (s *Server) record(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = append(s.log, r)
}

// Requests returns a copy of the request log, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.log))
	for i, r := range s.log {
		r.Query = cloneValues(r.Query)
		r.Body = append([]byte(nil), r.Body...)
		out[i] = r
	}
	return out
}

// Count returns how many calls to operationID are in the log (every attempt, whatever its
// outcome). operationID "" counts the calls to unknown routes; a name matches in any letter
// case.
func (s *Server) Count(operationID api.OperationID) int {
	if op, ok := api.LookupOperation(operationID); ok {
		operationID = op.ID
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.log {
		if r.OperationID == operationID {
			n++
		}
	}
	return n
}

// ResetLog empties the request log.
func (s *Server) ResetLog() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = nil
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
