package leadsquared

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

// Validator checks payloads against the spec. [*validate.Validator] is the one to use: its
// package, validate, is the only one that links the OpenAPI machinery (kin-openapi), so a
// program that does not validate stays small.
//
// [*validate.Validator]: https://pkg.go.dev/github.com/leadsquared-go/leadsquared-go/pkg/validate#Validator
type Validator interface {
	// ValidateRequest checks the query and the JSON body of a request of operationID.
	ValidateRequest(operationID api.OperationID, query url.Values, body []byte) error
	// ValidateResponse checks the body of a reply of operationID with the HTTP status.
	ValidateResponse(operationID api.OperationID, status int, body []byte) error
}

// WithRequestValidation validates every request against the spec before it is sent, with the
// Validator load returns; validate.Default is the one to give:
//
//	c, err := leadsquared.New(host, accessKey, secretKey, leadsquared.WithRequestValidation(validate.Default))
//
// An invalid request returns the validator's error (a *validate.Error, reachable with
// errors.As) and is not sent: no request leaves the process and no rate budget is spent. A nil
// load, or an error from it, makes [New] fail.
func WithRequestValidation[V Validator](load func() (V, error)) Option {
	return func(c *config) error {
		v, err := loadValidator("WithRequestValidation", load)
		if err != nil {
			return err
		}
		c.validator, c.validateRequests = v, true
		return nil
	}
}

// WithResponseValidation checks every response against the spec, with the Validator load
// returns (validate.Default, as for [WithRequestValidation]), and returns an error when
// LeadSquared's reply has drifted from it: the validator's error for a success reply that does
// not match (the reply is then not returned), or the *APIError of an error reply joined with
// the validator's error about its body. The client's models read drifted scalars anyway
// (package scalar); this option is how to see the drift, in tests and staging. It costs a
// full parse of every response.
func WithResponseValidation[V Validator](load func() (V, error)) Option {
	return func(c *config) error {
		v, err := loadValidator("WithResponseValidation", load)
		if err != nil {
			return err
		}
		c.validator, c.validateResponses = v, true
		return nil
	}
}

func loadValidator[V Validator](option string, load func() (V, error)) (Validator, error) {
	if load == nil {
		return nil, fmt.Errorf("leadsquared: %s: nil validator function", option)
	}
	v, err := load()
	if err != nil {
		return nil, fmt.Errorf("leadsquared: %s: %w", option, err)
	}
	return v, nil
}

// validateRequest checks req against the spec (WithRequestValidation). The body is read
// through GetBody when the request has one, else read and put back.
func (d *doer) validateRequest(req *http.Request, op *Operation) error {
	if op.ID == "" {
		return fmt.Errorf("leadsquared: %s %s: not an operation of the spec", req.Method, req.URL.Path)
	}
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		var err error
		if req.GetBody != nil {
			var rc io.ReadCloser
			if rc, err = req.GetBody(); err == nil {
				body, err = io.ReadAll(rc)
				_ = rc.Close()
			}
		} else {
			body, err = io.ReadAll(req.Body)
			_ = req.Body.Close()
			req.Body = io.NopCloser(bytes.NewReader(body))
		}
		if err != nil {
			return fmt.Errorf("leadsquared: %s: reading the request body: %w", op.ID, err)
		}
	}
	if err := d.validator.ValidateRequest(op.ID, req.URL.Query(), body); err != nil {
		return &invalidRequestError{op: op.ID, err: err}
	}
	return nil
}

// validateResponse checks a reply of op against the spec (WithResponseValidation). An invalid
// reply's error reads as the validator's after "leadsquared: ", and errors.As reaches it.
func (d *doer) validateResponse(op *Operation, status int, body []byte) error {
	if op.ID == "" {
		return nil
	}
	if err := d.validator.ValidateResponse(op.ID, status, body); err != nil {
		return &namedError{err: err}
	}
	return nil
}
