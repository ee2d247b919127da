package leadsquared

import (
	"fmt"
	"strings"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

// The helpers of the generated methods (client.gen.go): the checks before a call and the
// errors that name the operation. Reading the answer is in decode.go.

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

// isZero reports whether v is its type's zero value.
func isZero[T comparable](v T) bool {
	var zero T
	return v == zero
}

// opError names the operation in an error that does not come from this package (a broken
// connection, a validator's error), so that every error a method returns starts with
// "leadsquared: " once.
func opError(op api.OperationID, err error) error {
	if strings.HasPrefix(err.Error(), prefix) {
		return err
	}
	return &namedError{op: op, err: err}
}

// namedError is an error that is not the package's own, with the operation it came from.
type namedError struct {
	op  api.OperationID
	err error
}

func (e *namedError) Error() string { return prefix + string(e.op) + ": " + e.err.Error() }
func (e *namedError) Unwrap() error { return e.err }
