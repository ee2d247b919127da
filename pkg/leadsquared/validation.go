package leadsquared

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// WithRequestValidation validates every request against the spec before it is sent. An
// invalid request returns a *validate.Error (reachable with errors.As) and is not sent: no
// request leaves the process and no rate budget is spent.
func WithRequestValidation() Option {
	return func(c *config) error {
		c.validateRequests = true
		return nil
	}
}

// WithResponseValidation checks every response against the spec and returns an error
// when LeadSquared's reply has drifted from it: a *validate.Error for a success reply that
// does not match (the reply is then not returned), or the *APIError of an error reply joined
// with the *validate.Error of its body. Useful in tests and staging; it costs a full parse
// of every response.
func WithResponseValidation() Option {
	return func(c *config) error {
		c.validateResponses = true
		return nil
	}
}

// WithLimiter makes the client wait on l before every attempt, instead of its own
// in-process limiter: for example a limiter shared by several processes through Redis
// (package redislimit). The client does not change l's limit when the server names one.
func WithLimiter(l Limiter) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("leadsquared: WithLimiter: nil Limiter")
		}
		c.limiter, c.userLimit = l, true
		return nil
	}
}

// operationID returns the operationId of a request's route, if the spec has it.
func (d *doer) operationID(method, urlPath string) (string, bool) {
	if d.validator == nil {
		return "", false
	}
	o, ok := d.validator.Lookup(method, strings.TrimPrefix(urlPath, d.basePath))
	if !ok {
		return "", false
	}
	return o.ID, true
}

// validateRequest checks req against the spec (WithRequestValidation); the body is read
// and put back.
func (d *doer) validateRequest(req *http.Request) error {
	if _, ok := d.operationID(req.Method, req.URL.Path); !ok {
		return fmt.Errorf("leadsquared: %s %s: not an operation of the spec", req.Method, req.URL.Path)
	}
	// The validator routes by path; give it the path relative to the server URL.
	orig := req.URL.Path
	req.URL.Path = strings.TrimPrefix(orig, d.basePath)
	err := d.validator.ValidateHTTPRequest(req)
	req.URL.Path = orig
	return err
}

// validateResponse checks a reply against the spec (WithResponseValidation).
func (d *doer) validateResponse(req *http.Request, status int, body []byte) error {
	id, ok := d.operationID(req.Method, req.URL.Path)
	if !ok {
		return nil
	}
	return d.validator.ValidateResponse(id, status, body)
}
