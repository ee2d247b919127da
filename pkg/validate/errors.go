package validate

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

// Direction tells whether a request or a response failed validation.
type Direction string

// The two directions of a payload.
const (
	DirectionRequest  Direction = "request"
	DirectionResponse Direction = "response"
)

// Location tells where a failing field is: in the JSON body or in the query string.
type Location string

// The places a failing field can be.
const (
	InBody  Location = "body"
	InQuery Location = "query"
)

// Error is returned when a payload does not match the spec. It lists every failure.
type Error struct {
	// Operation is the operationId, e.g. "CreateUser".
	Operation api.OperationID
	// Direction is request or response.
	Direction Direction
	// Status is the HTTP status of a validated response (0 for requests).
	Status int
	// Failures holds every failure found, in document order where the spec allows.
	Failures []Failure
}

// Error implements error: "CreateUser request: 2 failures: /EmailAddress: required: ...; ...".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Operation))
	b.WriteByte(' ')
	b.WriteString(string(e.Direction))
	if e.Status != 0 {
		fmt.Fprintf(&b, " (status %d)", e.Status)
	}
	if len(e.Failures) == 1 {
		b.WriteString(" is invalid: ")
	} else {
		fmt.Fprintf(&b, " is invalid: %d failures: ", len(e.Failures))
	}
	for i, f := range e.Failures {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(f.String())
	}
	return b.String()
}

// Failure is one field that broke one rule of the spec.
type Failure struct {
	// In is where the field is: body or query.
	In Location `json:"in"`
	// Pointer is the JSON pointer of the failing field in the body ("/Users/3/Role"; "" for the
	// whole body), or "/<name>" of a query parameter.
	Pointer string `json:"pointer"`
	// Rule is the schema keyword that failed: required, enum, type, pattern, maxLength, maxItems,
	// minimum, json (not JSON at all), status (an undocumented status), ...
	Rule string `json:"rule"`
	// Message says what is wrong, without quoting the value.
	Message string `json:"message"`
	// Allowed lists the allowed values when Rule is enum.
	Allowed []any `json:"allowed,omitempty"`
}

// String formats the failure on one line: "/Role: enum: value is not one of the allowed values [...]".
func (f Failure) String() string {
	where := f.Pointer
	if f.In == InQuery {
		where = "query " + strings.TrimPrefix(f.Pointer, "/")
	} else if where == "" {
		where = "/"
	}
	s := where + ": " + f.Rule + ": " + f.Message
	if len(f.Allowed) > 0 {
		b, _ := json.Marshal(f.Allowed)
		s += " (allowed: " + string(b) + ")"
	}
	return s
}

// appendSchemaFailures flattens what kin-openapi's VisitJSON returned into failures.
func appendSchemaFailures(fs []Failure, in Location, prefix string, err error) []Failure {
	if err == nil {
		return fs
	}
	var me openapi3.MultiError
	if errors.As(err, &me) {
		for _, e := range me {
			fs = appendSchemaFailures(fs, in, prefix, e)
		}
		return fs
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		// A oneOf/anyOf failure may carry its own list of causes.
		if se.Origin != nil {
			var inner openapi3.MultiError
			if errors.As(se.Origin, &inner) {
				return appendSchemaFailures(fs, in, prefix, inner)
			}
		}
		f := Failure{In: in, Pointer: prefix + pointer(se.JSONPointer()), Rule: se.SchemaField, Message: se.Reason}
		if f.Rule == "" {
			f.Rule = "schema"
		}
		if se.SchemaField == "enum" && se.Schema != nil {
			f.Allowed = se.Schema.Enum
			f.Message = "value is not allowed"
		}
		if in == InQuery {
			f.Pointer = prefix
		}
		return append(fs, f)
	}
	return append(fs, Failure{In: in, Pointer: prefix, Rule: "schema", Message: "invalid value"})
}

// sortFailures orders failures by place, then rule, so output is stable.
func sortFailures(fs []Failure) {
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].In != fs[j].In {
			return fs[i].In == InQuery
		}
		if fs[i].Pointer != fs[j].Pointer {
			return fs[i].Pointer < fs[j].Pointer
		}
		return fs[i].Rule < fs[j].Rule
	})
}

func pointer(parts []string) string {
	if len(parts) == 0 {
		return ""
	}
	var b strings.Builder
	for _, p := range parts {
		b.WriteByte('/')
		p = strings.ReplaceAll(p, "~", "~0")
		b.WriteString(strings.ReplaceAll(p, "/", "~1"))
	}
	return b.String()
}
