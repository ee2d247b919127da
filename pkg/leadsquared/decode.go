package leadsquared

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/redact"
)

// Reading the answer of a generated method (client.gen.go): decode, single and their errors.

// decode reads the JSON answer of op into a T: rsp and err are what the generated client's
// call returned. The doer has already turned every error reply into an *APIError, so rsp is a
// 2xx reply; one without a JSON body of the right shape is an error that names the operation
// and the status, never a zero value with a nil error. A decoding error quotes the value it
// could not read, so it goes through rd like every error that carries what the server sent.
func decode[T any](rd *redact.Redactor, op api.OperationID, rsp *http.Response, err error) (T, error) {
	var v T
	if err != nil {
		return v, opError(op, err)
	}
	defer func() { _ = rsp.Body.Close() }()
	var body []byte
	if pb, ok := rsp.Body.(*pooledBody); ok {
		body = pb.bytes() // the doer's buffer: decoded in place, returned to the pool by Close
	} else if body, err = io.ReadAll(rsp.Body); err != nil {
		return v, errorf("leadsquared: %s: HTTP %d: reading the reply: %w", op, rsp.StatusCode, rd.Err(err))
	}
	switch trimmed := bytes.TrimSpace(body); {
	case len(trimmed) == 0:
		return v, &ReplyError{Operation: op, StatusCode: rsp.StatusCode, Err: errEmptyReply}
	case string(trimmed) == "null":
		// encoding/json would leave v zero without an error: no answer is not an empty one.
		return v, &ReplyError{Operation: op, StatusCode: rsp.StatusCode, Err: errNullReply}
	}
	if err := json.Unmarshal(body, &v); err != nil {
		var zero T
		return zero, &ReplyError{Operation: op, StatusCode: rsp.StatusCode, Err: rd.Err(err)}
	}
	return v, nil
}

var (
	errEmptyReply = errors.New("empty body where JSON was expected")
	errNullReply  = errors.New("null where JSON was expected")
)

// ReplyError is a 2xx reply a method could not read: an empty body, or JSON of another shape
// than the spec's (an object where an array belongs, a value no tolerant type reads). Err is
// the cause (a *json.UnmarshalTypeError names the field). The raw reply is one call away:
// c.API().XWithResponse.
type ReplyError struct {
	Operation  api.OperationID
	StatusCode int
	Err        error
}

// Error names the operation, the status and the cause.
func (e *ReplyError) Error() string {
	return fmt.Sprintf("leadsquared: %s: HTTP %d: cannot read the reply: %v", e.Operation, e.StatusCode, e.Err)
}

// Unwrap returns the cause.
func (e *ReplyError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, [ErrOutcomeUnknown]) true when the operation is not safe to
// repeat: LeadSquared answered 2xx, so it may well have acted, but what it answered is not
// known.
func (e *ReplyError) Is(target error) bool {
	if target != ErrOutcomeUnknown {
		return false
	}
	op, ok := api.LookupOperation(e.Operation)
	return !ok || !op.Idempotent
}

// notFoundError is LeadSquared's [] for a read of one record; it matches [ErrNotFound].
type notFoundError struct{ op api.OperationID }

func (e *notFoundError) Error() string {
	return prefix + string(e.op) + ": not found (LeadSquared answered [], its answer for a missing or inactive user)"
}
func (e *notFoundError) Is(target error) bool { return target == ErrNotFound }

// single returns the one item of an x-lsq-single answer, or an error matching ErrNotFound
// for [].
func single[T any](op api.OperationID, items []T, err error) (T, error) {
	var zero T
	if err != nil {
		return zero, err
	}
	if len(items) == 0 {
		return zero, &notFoundError{op: op}
	}
	return items[0], nil
}
