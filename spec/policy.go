package spec

import (
	"fmt"
	"slices"
)

// SafeMethods are the HTTP methods of a request that is safe to repeat when its operation
// has no x-idempotent mark: GET, HEAD and OPTIONS.
var SafeMethods = []string{"GET", "HEAD", "OPTIONS"}

// Policy is what the spec says about calling an operation beside its schemas.
type Policy struct {
	// Idempotent: safe to repeat after a 5xx or a broken connection. x-idempotent when the
	// operation has it (true marks a POST that only reads, false a GET that changes state),
	// else true for the SafeMethods.
	Idempotent bool
	// Bulk is x-lsq-bulk: the operation counts against LeadSquared's separate, lower budget
	// for bulk calls.
	Bulk bool
	// Single is x-lsq-single: the 200 answer is an array of at most one item, [] meaning
	// "not found".
	Single bool
}

// OperationPolicy reads the Policy of an operation from its HTTP method and its extensions
// (openapi3.Operation.Extensions). It is the one rule: ./gen writes the operation table of
// package api with it, and package validate applies it to operations that table does not
// have. A mark that is present but not a boolean is an error.
func OperationPolicy(method string, extensions map[string]any) (Policy, error) {
	p := Policy{Idempotent: slices.Contains(SafeMethods, method)}
	for _, m := range []struct {
		name string
		dst  *bool
	}{{"x-idempotent", &p.Idempotent}, {"x-lsq-bulk", &p.Bulk}, {"x-lsq-single", &p.Single}} {
		v, ok := extensions[m.name]
		if !ok {
			continue
		}
		b, ok := v.(bool)
		if !ok {
			return Policy{}, fmt.Errorf("%s is not a boolean", m.name)
		}
		*m.dst = b
	}
	return p, nil
}
