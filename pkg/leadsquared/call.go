package leadsquared

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

// The executor of the generated methods (client.gen.go), the checks before a call and the
// errors that name the operation. Reading the answer is in decode.go.

// call is the body of every generated method of operation id. It refuses a nil context, a
// call that lacks a required query parameter (missing is its name, from required; "" when none
// is missing) and an invalid option. Otherwise it puts the operation's entry of the table and
// the call's options (callOptions) into the context, where the doer (retries, the limiter's
// bulk budget, the middleware) reads them, sends the request with send (the generated
// client's method) and decodes the JSON answer into a T.
func call[T any](ctx context.Context, c *Client, id api.OperationID, missing string, opts []Option, send func(context.Context) (*http.Response, error)) (T, error) {
	if !c.made() {
		var zero T
		return zero, errNoClient(id)
	}
	if ctx == nil {
		var zero T
		return zero, errNilContext(id)
	}
	if missing != "" {
		var zero T
		return zero, errMissingParam(id, missing)
	}
	ctx, err := c.callOptions(ctx, id, opts)
	if err != nil {
		var zero T
		return zero, err
	}
	if op := table.operation(id); op != nil {
		ctx = withOperation(ctx, op)
	}
	rsp, err := send(ctx) //nolint:bodyclose // decode closes it
	return decode[T](c.doer.rd, id, rsp, err)
}

// callOne is call for an x-lsq-single operation: it returns the one item of the array answer,
// or an error matching ErrNotFound for [].
func callOne[T any](ctx context.Context, c *Client, id api.OperationID, missing string, opts []Option, send func(context.Context) (*http.Response, error)) (T, error) {
	items, err := call[[]T](ctx, c, id, missing, opts, send)
	return single(id, items, err)
}

// required returns name when v, a required query parameter, is its type's zero value, else "".
func required[T comparable](v T, name string) string {
	var zero T
	if v == zero {
		return name
	}
	return ""
}

// made reports whether c is a Client New made: not nil, not the zero value.
func (c *Client) made() bool { return c != nil && c.doer != nil }

// errNoClient is the error of a method of a Client New did not make (a nil *Client or a zero
// Client): it has no host, keys or transport, so nothing can be sent.
func errNoClient(op api.OperationID) error {
	return &invalidRequestError{op: op, msg: "the Client was not made by New"}
}

// errNilContext is the error of a method called with a nil context.
func errNilContext(op api.OperationID) error {
	return &invalidRequestError{op: op, msg: "nil context"}
}

// errMissingParam is the error of a method called without a required query parameter.
func errMissingParam(op api.OperationID, name string) error {
	return &invalidRequestError{op: op, msg: "missing required query parameter " + name}
}

// invalidRequestError is a call refused before anything was sent: by a check of the method
// (op and msg: a nil context, a missing parameter) or by WithRequestValidation (err, the
// validator's error, which it then reads as after "leadsquared: " and which errors.As
// reaches). It matches [ErrInvalidRequest].
type invalidRequestError struct {
	op  api.OperationID
	msg string
	err error
}

func (e *invalidRequestError) Error() string {
	if e.err != nil {
		return prefix + e.err.Error()
	}
	return fmt.Sprintf("leadsquared: %s: %s (nothing was sent)", e.op, e.msg)
}

func (e *invalidRequestError) Unwrap() error        { return e.err }
func (e *invalidRequestError) Is(target error) bool { return target == ErrInvalidRequest }

// opError names the operation in an error that does not come from this package (a broken
// connection, a validator's error), so that every error a method returns starts with
// "leadsquared: " once.
func opError(op api.OperationID, err error) error {
	if strings.HasPrefix(err.Error(), prefix) {
		return err
	}
	return &namedError{op: op, err: err}
}

// namedError is an error that is not the package's own, after "leadsquared: " and the
// operation it came from (none for a reply WithResponseValidation found invalid: the
// validator's error names it).
type namedError struct {
	op  api.OperationID
	err error
}

func (e *namedError) Error() string {
	if e.op == "" {
		return prefix + e.err.Error()
	}
	return prefix + string(e.op) + ": " + e.err.Error()
}
func (e *namedError) Unwrap() error { return e.err }
