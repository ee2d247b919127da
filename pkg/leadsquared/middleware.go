package leadsquared

import (
	"net/http"
)

// MiddlewareNext passes the request of one attempt on: to the next [Middleware], or, from the
// last one, to LeadSquared: it waits for the rate limiter, sends the request with the keys
// added to a copy, and reads the whole reply.
type MiddlewareNext func(req *http.Request) (*http.Response, error)

// Middleware runs around every attempt of every request (a retry is another attempt), for a
// concern of the caller's: tracing, metrics, an audit log. It gets the attempt's request,
// which never holds the keys; [OperationFromContext](req.Context()) gives the operation
// called (ok is false for a route the spec does not have). It may change the request's header,
// and calls next to go on. The client's User-Agent is not in that header yet (a call's
// [WithUserAgent] is): it is added as the request reaches the transport, and the reply's
// Request carries it.
//
// The response next returns is LeadSquared's reply as it is, an error reply included (the
// client turns that into an [*APIError] after the middleware): status, header, and a Body that
// already holds the whole reply (reading it costs nothing, and the client still sees all of
// it). next's error is a broken connection, or the context's end while waiting for the rate
// limiter. A middleware that returns an error without calling next ends the call with that
// error and nothing is sent; one that fails a call after next answered ends it too: neither is
// retried. A middleware must return next's response or one of its own, with a nil error.
//
// The client's validation ([WithRequestValidation], [WithResponseValidation]) and its drift
// reports ([WithDriftReport]) run on the same seam, around the middleware of WithMiddleware.
type Middleware func(req *http.Request, next MiddlewareNext) (*http.Response, error)

// WithMiddleware runs mw around every attempt, the first outermost: given to [New], around
// every call's; given to a method, around that call's attempts only, inside the client's.
// A nil middleware is an error.
func WithMiddleware(mw ...Middleware) Option {
	return func(c *config) error {
		c.callable = true
		for _, m := range mw {
			if m == nil {
				return errorf("leadsquared: WithMiddleware: nil middleware")
			}
		}
		c.middleware = append(c.middleware[:len(c.middleware):len(c.middleware)], mw...)
		return nil
	}
}

// chain returns mw around send, for one attempt (at).
func (d *doer) chain(mw []Middleware, at *attempt) MiddlewareNext {
	next := func(r *http.Request) (*http.Response, error) { return d.send(at, r) }
	for i := len(mw) - 1; i >= 0; i-- {
		m, inner := mw[i], next
		next = func(r *http.Request) (*http.Response, error) { return m(r, inner) }
	}
	return next
}

// builtin returns the middleware of the client's own concerns, outermost first, before the
// user's: request and response validation (WithRequestValidation, WithResponseValidation),
// then the drift check (WithDriftReport; observe is set by its hook).
func (d *doer) builtin(cfg config) []Middleware {
	var mw []Middleware
	if d.validateRequests || d.validateResponses {
		mw = append(mw, d.validation)
	}
	if d.observe != nil {
		mw = append(mw, d.observeDrift)
	}
	return append(mw, cfg.middleware...)
}

// invalidReply is how the validation middleware hands the doer its verdict on a reply with
// the reply: the doer returns it for a success reply, joins it to the error of an error reply
// that ends the call, and drops it for an attempt it retries.
type invalidReply struct{ err error }

func (e *invalidReply) Error() string { return e.err.Error() }
func (e *invalidReply) Unwrap() error { return e.err }

// refusedReply is the error of a call whose success reply the response validation refused:
// LeadSquared carried the call out, but its answer is not returned. For an operation that is
// not safe to repeat (unsafe) it matches [ErrOutcomeUnknown], as a 2xx reply the client cannot
// read ([*ReplyError]) does. It reads as, and unwraps to, the validation's error.
type refusedReply struct {
	err    error
	unsafe bool
}

func (e *refusedReply) Error() string { return e.err.Error() }
func (e *refusedReply) Unwrap() error { return e.err }
func (e *refusedReply) Is(target error) bool {
	return target == ErrOutcomeUnknown && e.unsafe
}

// validation checks each attempt's request before it goes on (an invalid one is refused:
// nothing is sent, no rate budget spent) and each reply against the spec
// (WithRequestValidation, WithResponseValidation).
func (d *doer) validation(req *http.Request, next MiddlewareNext) (*http.Response, error) {
	return d.validate(req, operationOf(req), next)
}

// validate is validation for a request of op. The doer calls it directly for an attempt
// whose only middleware it is (no chain to build), with a next that does not escape.
func (d *doer) validate(req *http.Request, op *Operation, next MiddlewareNext) (*http.Response, error) {
	if d.validateRequests {
		if err := d.validateRequest(req, op); err != nil {
			return nil, err
		}
	}
	resp, err := next(req)
	if !d.validateResponses || err != nil || resp == nil {
		return resp, err
	}
	body, err := replyBody(resp)
	if err != nil {
		return nil, err
	}
	if verr := d.validateResponse(op, resp.StatusCode, body); verr != nil {
		return resp, &invalidReply{err: verr}
	}
	return resp, nil
}

// observeDrift gives every 200 reply that is not an error body to the drift check.
func (d *doer) observeDrift(req *http.Request, next MiddlewareNext) (*http.Response, error) {
	resp, err := next(req)
	if err != nil || resp == nil || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	body, err := replyBody(resp)
	if err != nil {
		return nil, err
	}
	if !isHTML(body) {
		if _, isErr := errorShape(body); !isErr {
			d.observe(operationOf(req).ID, body)
		}
	}
	return resp, nil
}

// operationOf returns the table's entry of the operation of an attempt's request (the doer
// puts it into the request's context), or an Operation without an ID for a route the spec
// does not have.
func operationOf(req *http.Request) *Operation {
	if op, ok := req.Context().Value(operationKey{}).(*Operation); ok && op != nil {
		return op
	}
	return &unknownUnsafe
}
