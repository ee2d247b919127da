package validate

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

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

// Rule names the rule a [Failure] broke: a schema keyword, an extension of the spec, or an
// input rule ([RuleUTF8] and the others beside it).
type Rule string

// The schema's rules, by their keyword, and the other rules of a request or a reply.
const (
	RuleType      Rule = "type"
	RuleRequired  Rule = "required"
	RuleEnum      Rule = "enum"
	RuleNullable  Rule = "nullable"
	RulePattern   Rule = "pattern"
	RuleMinLength Rule = "minLength"
	RuleMaxLength Rule = "maxLength"
	RuleMinItems  Rule = "minItems"
	RuleMaxItems  Rule = "maxItems"
	RuleMinimum   Rule = "minimum"
	RuleMaximum   Rule = "maximum"
	// RuleAttribute is a string that must name an attribute (x-lsq-attribute-of) and does not.
	RuleAttribute Rule = "attribute"
	// RuleJSON is a payload that is not JSON at all.
	RuleJSON Rule = "json"
	// RuleBody is a body sent to an operation that takes none.
	RuleBody Rule = "body"
	// RuleStatus is a reply with a status the spec does not document.
	RuleStatus Rule = "status"
)

// Failure is one field that broke one rule of the spec.
type Failure struct {
	// In is where the field is: body or query.
	In Location `json:"in"`
	// Pointer is the JSON pointer of the failing field in the body ("/Users/3/Role"; "" for the
	// whole body), or "/<name>" of a query parameter.
	Pointer string `json:"pointer"`
	// Rule is the rule that failed: a schema keyword ([RuleRequired], [RuleEnum], [RuleType],
	// [RuleNullable], [RulePattern], [RuleMinLength], [RuleMaxLength], [RuleMinItems],
	// [RuleMaxItems], [RuleMinimum], [RuleMaximum]), [RuleUnknown] (an attribute the spec does
	// not list), [RuleCase] (one it spells in another letter case), [RuleAttribute]
	// (x-lsq-attribute-of), an input rule ([RuleUTF8], [RuleDuplicateKey], [RuleDepth],
	// [RuleSize]), [RuleJSON] (not JSON at all), [RuleBody] (a body where none is taken) or
	// [RuleStatus] (an undocumented status).
	Rule Rule `json:"rule"`
	// Expected is what the spec expects there: "string", "one of A, B", "at least 1
	// characters", the pattern, the spec's spelling of a key, "present"...
	Expected string `json:"expected,omitempty"`
	// Message says what is wrong, without quoting the value.
	Message string `json:"message"`
	// Allowed lists the allowed values when Rule is enum.
	Allowed []any `json:"allowed,omitempty"`
}

// String formats the failure on one line, its place, its rule and its message:
// "/Role: enum: value is not one of the allowed values (allowed: [...])"; the message of an
// unknown attribute or of a key in another letter case says its rule:
// "/LastNmae: unknown attribute (did you mean LastName?)", "/User: the spec spells it user".
func (f Failure) String() string {
	where := f.Pointer
	if f.In == InQuery {
		where = "query " + strings.TrimPrefix(f.Pointer, "/")
	} else if where == "" {
		where = "/"
	}
	s := where + ": " + string(f.Rule) + ": " + f.Message
	if f.Rule == RuleUnknown || f.Rule == RuleCase {
		s = where + ": " + f.Message
	}
	if len(f.Allowed) > 0 {
		b, _ := json.Marshal(f.Allowed)
		s += " (allowed: " + string(b) + ")"
	}
	return s
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
