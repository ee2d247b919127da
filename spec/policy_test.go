package spec_test

import (
	"testing"

	"github.com/leadsquared-go/leadsquared-go/spec"
)

// The one rule of the operation table: x-idempotent when present, else GET, HEAD and OPTIONS;
// x-lsq-bulk and x-lsq-single; a mark that is not a boolean is an error.
func TestOperationPolicy(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		method string
		ext    map[string]any
		want   spec.Policy
		err    string
	}{
		{"GET", nil, spec.Policy{Idempotent: true}, ""},
		{"HEAD", nil, spec.Policy{Idempotent: true}, ""},
		{"OPTIONS", nil, spec.Policy{Idempotent: true}, ""},
		{"POST", nil, spec.Policy{}, ""},
		{"DELETE", nil, spec.Policy{}, ""},
		{"GET", map[string]any{"x-idempotent": false}, spec.Policy{}, ""},
		{"POST", map[string]any{"x-idempotent": true, "x-lsq-single": true}, spec.Policy{Idempotent: true, Single: true}, ""},
		{"POST", map[string]any{"x-idempotent": false, "x-lsq-bulk": true}, spec.Policy{Bulk: true}, ""},
		{"POST", map[string]any{"x-idempotent": "true"}, spec.Policy{}, "x-idempotent is not a boolean"},
		{"POST", map[string]any{"x-lsq-bulk": 1.0}, spec.Policy{}, "x-lsq-bulk is not a boolean"},
		{"GET", map[string]any{"x-lsq-single": nil}, spec.Policy{}, "x-lsq-single is not a boolean"},
	} {
		got, err := spec.OperationPolicy(tt.method, tt.ext)
		if msg := errText(err); got != tt.want || msg != tt.err {
			t.Errorf("%s %v: %+v, %q; want %+v, %q", tt.method, tt.ext, got, msg, tt.want, tt.err)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
