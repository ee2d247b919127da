// Package validate checks LeadSquared request and response payloads against the OpenAPI spec
// embedded in package spec, before a call costs a request from a tight rate budget, or after
// it, to catch an API that drifted from the spec.
//
// A Validator is built once (Default loads and indexes the embedded spec on first use) and is
// safe for concurrent use. Every failure is reported at once, each with the JSON pointer of
// the failing field (/EmailAddress, /Users/3/Role), the rule that failed and, for enums, the
// allowed values. Messages never include the offending value, so a secret in a payload does
// not end up in a log.
package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/spec"
)

// ErrUnknownOperation is returned (wrapped) for an operationId or route the spec does not have.
var ErrUnknownOperation = errors.New("unknown operation")

// Validator validates payloads of the operations of one spec.
type Validator struct {
	ops       map[string]*Operation // by lower-case operation name
	byRoute   map[string]*Operation // "METHOD /path"
	basePath  string
	errSchema *openapi3.Schema
	maxSize   int64 // WithMaxBodySize; 0 means DefaultMaxBodySize
	doc       *openapi3.T
}

// Operation is one operation of the spec, as the validator sees it: its [api.Operation] (ID,
// Method, Path, Summary, DocsURL, and the policy Idempotent, Bulk, Single), and the schemas it
// validates with. For an operation of the generated table (same operationId and route), that
// is the table's entry, the one the client reads; for an operation of another spec, the same
// fields, read from the spec by the same rule (spec.OperationPolicy).
type Operation struct {
	api.Operation

	op           *openapi3.Operation
	body         *openapi3.Schema
	bodyRequired bool
	query        []*openapi3.Parameter
	responses    map[string]*openapi3.Schema // "200", "4XX", "default"
}

var (
	defaultOnce sync.Once
	defaultV    *Validator
	defaultErr  error
)

// Default returns the validator of the spec embedded in package spec, built on first use.
func Default() (*Validator, error) {
	defaultOnce.Do(func() {
		doc, err := openapi3.NewLoader().LoadFromData(spec.OpenAPI)
		if err != nil {
			defaultErr = fmt.Errorf("validate: load embedded spec: %w", err)
			return
		}
		defaultV, defaultErr = New(doc)
	})
	return defaultV, defaultErr
}

// New indexes the operations of doc. doc must have its references resolved (as
// openapi3.Loader returns it).
func New(doc *openapi3.T) (*Validator, error) {
	if doc == nil || doc.Paths == nil {
		return nil, errors.New("validate: spec has no paths")
	}
	v := &Validator{ops: map[string]*Operation{}, byRoute: map[string]*Operation{}, doc: doc}
	if len(doc.Servers) > 0 {
		// "https://{host}/v2" -> "/v2"
		u := doc.Servers[0].URL
		if i := strings.Index(u, "://"); i >= 0 {
			u = u[i+3:]
		}
		if i := strings.Index(u, "/"); i >= 0 {
			v.basePath = strings.TrimRight(u[i:], "/")
		}
	}
	if doc.Components != nil {
		if s := doc.Components.Schemas["Error"]; s != nil {
			v.errSchema = s.Value
		}
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.OperationID == "" {
				return nil, fmt.Errorf("validate: %s %s has no operationId", method, path)
			}
			// The Go name of the operationId (GetUserById is api.OpGetUserByID), as the rest of
			// the module names it; an operation package api does not know keeps the spec's.
			id, known := api.ParseOperationID(op.OperationID)
			if !known {
				id = api.OperationID(op.OperationID)
			}
			o := &Operation{op: op, responses: map[string]*openapi3.Schema{}}
			if t, ok := api.LookupOperation(id); known && ok && t.Method == method && t.Path == path {
				o.Operation = t
			} else {
				p, err := spec.OperationPolicy(method, op.Extensions)
				if err != nil {
					return nil, fmt.Errorf("validate: %s: %w", op.OperationID, err)
				}
				o.Operation = api.Operation{ID: id, Method: method, Path: path, Summary: strings.TrimSpace(op.Summary),
					Idempotent: p.Idempotent, Bulk: p.Bulk, Single: p.Single}
				if op.ExternalDocs != nil {
					o.DocsURL = op.ExternalDocs.URL
				}
			}
			for _, p := range append(append(openapi3.Parameters{}, item.Parameters...), op.Parameters...) {
				if p.Value != nil && p.Value.In == openapi3.ParameterInQuery {
					o.query = append(o.query, p.Value)
				}
			}
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				o.bodyRequired = op.RequestBody.Value.Required
				if mt := op.RequestBody.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
					o.body = mt.Schema.Value
				}
			}
			for status, r := range op.Responses.Map() {
				if r.Value == nil {
					continue
				}
				if mt := r.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
					o.responses[status] = answerSchema(mt.Schema.Value)
				} else {
					o.responses[status] = nil
				}
			}
			key := strings.ToLower(string(o.ID))
			if _, dup := v.ops[key]; dup {
				return nil, fmt.Errorf("validate: operationId %s is used twice (names match in any letter case)", op.OperationID)
			}
			v.ops[key] = o
			v.byRoute[method+" "+path] = o
		}
	}
	return v, nil
}

// Operation returns the operation with the given operationId, in any letter case:
// "GetUserById", "getuserbyid" and [api.OpGetUserByID] are the same operation.
func (v *Validator) Operation(id api.OperationID) (*Operation, bool) {
	o, ok := v.ops[strings.ToLower(string(id))]
	return o, ok
}

// HasBody reports whether the operation takes a JSON request body.
func (o *Operation) HasBody() bool { return o.body != nil }

// Operations returns every operation, sorted by operationId.
func (v *Validator) Operations() []*Operation {
	out := make([]*Operation, 0, len(v.ops))
	for _, o := range v.ops {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Lookup finds the operation of a method and URL path. The path may include the server's base
// path ("/v2/UserManagement.svc/User/Create") or not.
func (v *Validator) Lookup(method, path string) (*Operation, bool) {
	if o, ok := v.byRoute[method+" "+path]; ok {
		return o, true
	}
	if v.basePath != "" && strings.HasPrefix(path, v.basePath+"/") {
		o, ok := v.byRoute[method+" "+strings.TrimPrefix(path, v.basePath)]
		return o, ok
	}
	return nil, false
}

func (v *Validator) operation(id api.OperationID) (*Operation, error) {
	o, ok := v.ops[strings.ToLower(string(id))]
	if !ok {
		return nil, fmt.Errorf("validate: %w %q", ErrUnknownOperation, id)
	}
	return o, nil
}

// ValidateRequest checks the query parameters and the JSON body of a request to the operation
// operationID. query may be nil; body may be nil for operations without a body. The
// credentials (accessKey, secretKey) are not parameters of any operation and are ignored.
//
// Query parameter names match case-insensitively, as LeadSquared's WCF services match them:
// UserId=, userId= and userid= all give UpdateUser its UserId. When the query has the
// documented spelling it is the one checked; otherwise the first other spelling in sorted
// order is.
// It returns nil, a *Error listing every failure, or an error wrapping ErrUnknownOperation.
func (v *Validator) ValidateRequest(operationID api.OperationID, query url.Values, body []byte) error {
	return v.validateRequest(operationID, query, true, body)
}

// ValidateRequestBody checks only the JSON body of a request to the operation operationID,
// not its query parameters: for a payload kept apart from the URL it will be sent with.
func (v *Validator) ValidateRequestBody(operationID api.OperationID, body []byte) error {
	return v.validateRequest(operationID, nil, false, body)
}

func (v *Validator) validateRequest(operationID api.OperationID, query url.Values, checkQuery bool, body []byte) error {
	o, err := v.operation(operationID)
	if err != nil {
		return err
	}
	var fs []Failure
	for _, p := range o.query {
		if !checkQuery {
			break
		}
		vals := QueryValues(query, p.Name)
		if len(vals) == 0 {
			if p.Required {
				fs = append(fs, Failure{In: InQuery, Pointer: "/" + p.Name, Rule: "required", Message: fmt.Sprintf("query parameter %q is missing", p.Name)})
			}
			continue
		}
		if p.Schema == nil || p.Schema.Value == nil {
			continue
		}
		val, perr := queryValue(p.Schema.Value, vals[0])
		if perr != nil {
			fs = append(fs, Failure{In: InQuery, Pointer: "/" + p.Name, Rule: "type", Message: perr.Error()})
			continue
		}
		fs = appendSchemaFailures(fs, InQuery, "/"+p.Name, p.Schema.Value.VisitJSON(val, openapi3.MultiErrors(), openapi3.VisitAsRequest()))
	}
	switch {
	case len(bytes.TrimSpace(body)) == 0:
		if o.body != nil && o.bodyRequired {
			fs = append(fs, Failure{In: InBody, Pointer: "", Rule: "required", Message: "request body is required"})
		}
	case o.body == nil:
		fs = append(fs, Failure{In: InBody, Pointer: "", Rule: "body", Message: "operation takes no request body"})
	default:
		if in, isJSON := v.checkInput(body); len(in) > 0 {
			fs = append(fs, in...)
			break
		} else if isJSON && streamed(o.body, body) {
			if sfs, _, err := validateStreaming(o.body, body, openapi3.VisitAsRequest()); err == nil {
				fs = append(fs, sfs...)
				break
			}
		}
		var val any
		if err := json.Unmarshal(body, &val); err != nil {
			fs = append(fs, Failure{In: InBody, Pointer: "", Rule: "json", Message: "body is not valid JSON: " + jsonErrText(err)})
			break
		}
		fs = appendSchemaFailures(fs, InBody, "", o.body.VisitJSON(val, openapi3.MultiErrors(), openapi3.VisitAsRequest()))
		fs = attributeFailures(fs, v.doc, o.body, val, "")
	}
	if len(fs) > 0 {
		sortFailures(fs)
		return &Error{Operation: o.ID, Direction: DirectionRequest, Failures: fs}
	}
	return nil
}

// ValidateHTTPRequest routes r by method and path and validates its query and body. The body
// is read and put back, so r can still be sent.
func (v *Validator) ValidateHTTPRequest(r *http.Request) error {
	o, ok := v.Lookup(r.Method, r.URL.Path)
	if !ok {
		return fmt.Errorf("validate: %w: %s %s", ErrUnknownOperation, r.Method, r.URL.Path)
	}
	var body []byte
	if r.Body != nil && r.Body != http.NoBody {
		limit := v.MaxBodySize()
		b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
		if err == nil && int64(len(b)) > limit {
			// Not read to the end: put back what was read, before the rest.
			r.Body = struct {
				io.Reader
				io.Closer
			}{io.MultiReader(bytes.NewReader(b), r.Body), r.Body}
			return &Error{Operation: o.ID, Direction: DirectionRequest, Failures: []Failure{{
				In: InBody, Rule: RuleSize, Message: fmt.Sprintf("body is over the size limit of %d bytes", limit)}}}
		}
		_ = r.Body.Close()
		if err != nil {
			return fmt.Errorf("validate: read request body: %w", err)
		}
		body = b
		r.Body = io.NopCloser(bytes.NewReader(b))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}
	return v.ValidateRequest(o.ID, r.URL.Query(), body)
}

// ValidateResponse checks a response body of the operation against the schema documented for
// status. LeadSquared also sends its error body with status 200; a body that is the Error shape
// (`"Status":"Error"`) is checked against the Error schema whatever the status.
func (v *Validator) ValidateResponse(operationID api.OperationID, status int, body []byte) error {
	o, err := v.operation(operationID)
	if err != nil {
		return err
	}
	schema, documented := o.responses[strconv.Itoa(status)]
	if !documented {
		schema, documented = o.responses[strconv.Itoa(status/100)+"XX"]
	}
	if !documented {
		schema, documented = o.responses["default"]
	}
	fail := func(f Failure) error {
		return &Error{Operation: o.ID, Direction: DirectionResponse, Status: status, Failures: []Failure{f}}
	}
	if !documented {
		return fail(Failure{In: InBody, Rule: "status", Message: fmt.Sprintf("status %d is not documented", status)})
	}
	if schema == nil {
		return nil
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return fail(Failure{In: InBody, Rule: "required", Message: "response body is empty"})
	}
	if in, isJSON := v.checkInput(body); len(in) > 0 {
		return &Error{Operation: o.ID, Direction: DirectionResponse, Status: status, Failures: in}
	} else if isJSON && streamed(schema, body) {
		// An error reply ({"Status":"Error",...}) has no large array: the full decode below
		// checks it against the Error schema.
		if fs, m, err := validateStreaming(schema, body, openapi3.VisitAsResponse()); err == nil && (m == nil || m["Status"] != "Error") {
			if len(fs) > 0 {
				sortFailures(fs)
				return &Error{Operation: o.ID, Direction: DirectionResponse, Status: status, Failures: fs}
			}
			return nil
		}
	}
	var val any
	if err := json.Unmarshal(body, &val); err != nil {
		return fail(Failure{In: InBody, Rule: "json", Message: "body is not valid JSON: " + jsonErrText(err)})
	}
	if m, ok := val.(map[string]any); ok && m["Status"] == "Error" && v.errSchema != nil {
		schema = v.errSchema
	}
	if fs := appendSchemaFailures(nil, InBody, "", schema.VisitJSON(val, openapi3.MultiErrors(), openapi3.VisitAsResponse())); len(fs) > 0 {
		sortFailures(fs)
		return &Error{Operation: o.ID, Direction: DirectionResponse, Status: status, Failures: fs}
	}
	return nil
}

// QueryValues returns the values of the query parameter name as LeadSquared's services read
// it, matched case-insensitively: those of the documented spelling when present, else those
// of the first other spelling (in sorted order, so the result does not depend on map order).
// The validator and the fake server (lsqtest) read query parameters with it.
func QueryValues(query url.Values, name string) []string {
	if vals := query[name]; len(vals) > 0 {
		return vals
	}
	var found string
	var vals []string
	for k, vs := range query {
		if len(vs) > 0 && strings.EqualFold(k, name) && (vals == nil || k < found) {
			found, vals = k, vs
		}
	}
	return vals
}

// queryValue converts a query string to the JSON value its schema expects.
func queryValue(s *openapi3.Schema, raw string) (any, error) {
	switch {
	case s.Type.Is("integer"), s.Type.Is("number"):
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return nil, errors.New("value is not a number")
		}
		return f, nil
	case s.Type.Is("boolean"):
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return nil, errors.New("value is not a boolean")
		}
		return b, nil
	default:
		return raw, nil
	}
}

// jsonErrText describes a JSON syntax error without quoting the input.
func jsonErrText(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("type error at byte %d", te.Offset)
	}
	return "malformed JSON"
}

// answerSchema is the schema of a reply that is not an error body. The spec writes a 200 that
// may also be LeadSquared's error body as oneOf [the answer, Error] marked x-lsq-error-body;
// ValidateResponse checks an error body against the Error schema itself, so the answer's
// branch is the schema of everything else (and a large array of it is still validated one
// element at a time).
func answerSchema(s *openapi3.Schema) *openapi3.Schema {
	errRef, ok := s.Extensions["x-lsq-error-body"].(string)
	if !ok || len(s.OneOf) != 2 {
		return s
	}
	for i, alt := range s.OneOf {
		if alt.Ref == errRef && s.OneOf[1-i].Value != nil {
			return s.OneOf[1-i].Value
		}
	}
	return s
}
