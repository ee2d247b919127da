// Package validate checks LeadSquared request and response payloads against the OpenAPI spec,
// before a call costs a request from a tight rate budget, or after it, to catch an API that
// drifted from the spec.
//
// The spec is not read at run time: ./gen turns it into a table (check.gen.go) that a payload
// is checked against in one pass over its bytes, for types, required attributes, enums,
// string lengths and patterns, bounds, additionalProperties, custom fields (mx_*), the
// tolerated types of replies (x-lsq-also-types), invalid UTF-8, duplicate keys, depth and
// size. The same walk refuses (the Validate methods) or observes (drift reports,
// [Validator.Observe]). A request may carry only the attributes the spec lists (and custom
// fields where the spec allows them): a typo is named, with the operation's own attribute it
// is nearest to, and a key that differs from the spec's only in letter case is named with the
// spec's spelling.
//
// Every failure is reported at once, each with the JSON pointer of the failing field
// (/EmailAddress, /Users/3/Role), the rule that failed, what the spec expects, and a message.
// Messages never include the offending value, so a secret in a payload does not end up in a
// log. A Validator is safe for concurrent use.
package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

// ErrUnknownOperation is returned (wrapped) for an operationId or route the spec does not have.
var ErrUnknownOperation = errors.New("unknown operation")

// Validator validates payloads of the spec's operations. The zero Validator is ready to use and
// is [Default]'s.
type Validator struct {
	t       *table
	maxSize int64 // WithMaxBodySize; 0 means DefaultMaxBodySize
}

// Operation is one operation of the spec, as the validator sees it: its [api.Operation] (ID,
// Method, Path, Summary, DocsURL, and the policy Idempotent, Bulk, Single) and what it checks.
// The validator's operations are shared: do not change them.
type Operation struct {
	api.Operation

	check *opCheck
}

// Default returns the validator of the spec the module was generated from. The error is
// always nil: there is nothing to load (it is kept so that Default can be passed where a
// constructor is expected).
func Default() (*Validator, error) {
	return &Validator{t: checkTable()}, nil
}

// checks returns the table v checks against: the spec's, also for a zero Validator.
func (v *Validator) checks() *table {
	if v.t == nil {
		return checkTable()
	}
	return v.t
}

// Operation returns the operation with the given operationId, in any letter case:
// "GetUserById", "getuserbyid" and [api.OpGetUserByID] are the same operation.
func (v *Validator) Operation(id api.OperationID) (*Operation, bool) {
	if o := v.checks().operation(id); o != nil {
		return o, true
	}
	op, ok := api.LookupOperation(id) // another letter case
	if !ok {
		return nil, false
	}
	o, ok := v.checks().byID[op.ID]
	return o, ok
}

// HasBody reports whether the operation takes a JSON request body.
func (o *Operation) HasBody() bool { return o.check.body >= 0 }

// Operations returns every operation, sorted by operationId.
func (v *Validator) Operations() []*Operation {
	out := make([]*Operation, 0, len(api.OperationIDs))
	for _, id := range api.OperationIDs {
		if o, ok := v.Operation(id); ok {
			out = append(out, o)
		}
	}
	return out
}

// Nearest returns the operation whose name is nearest to name (by edit distance, in any
// letter case), for a "did you mean" when name is not an operation; false when none is near.
func Nearest(name string) (api.OperationID, bool) {
	names := make([]string, len(api.OperationIDs))
	for i, id := range api.OperationIDs {
		names[i] = string(id)
	}
	best, bestD := "", len(name)/2+1
	for _, n := range names {
		if d := editDistance(strings.ToLower(name), strings.ToLower(n)); d < bestD {
			best, bestD = n, d
		}
	}
	if best == "" {
		return "", false
	}
	return api.OperationID(best), true
}

// Lookup finds the operation of a method and URL path. The path may include the server's base
// path ("/v2/UserManagement.svc/User/Create") or not.
func (v *Validator) Lookup(method, path string) (*Operation, bool) {
	op, ok := api.LookupRoute(method, path)
	if !ok && basePath != "" && strings.HasPrefix(path, basePath+"/") {
		op, ok = api.LookupRoute(method, strings.TrimPrefix(path, basePath))
	}
	if !ok {
		return nil, false
	}
	return v.Operation(op.ID)
}

func (v *Validator) operation(id api.OperationID) (*Operation, error) {
	o, ok := v.Operation(id)
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
	o := v.checks().operation(operationID)
	if o == nil {
		var err error
		if o, err = v.operation(operationID); err != nil {
			return err
		}
	}
	oc := o.check
	w := walkers.Get().(*walker)
	var fs []Failure
	if checkQuery && len(oc.query) > 0 {
		fs = v.checkQueries(w, oc, query)
	}
	switch {
	case blank(body):
		if oc.body >= 0 && oc.bodyRequired {
			fs = append(fs, Failure{In: InBody, Rule: RuleRequired, Expected: "a JSON body", Message: "request body is required"})
		}
	case oc.body < 0:
		fs = append(fs, Failure{In: InBody, Rule: RuleBody, Expected: "no body", Message: "operation takes no request body"})
	default:
		if bf := v.walkBody(w, false, oc.body, body); bf != nil {
			fs = append(fs, bf...)
		}
	}
	w.release()
	walkers.Put(w)
	if len(fs) > 0 {
		return failed(o, DirectionRequest, 0, fs)
	}
	return nil
}

// blank reports whether a body is empty or white space (bytes.TrimSpace's), at a glance when
// it starts with a byte of ASCII that is not.
func blank(body []byte) bool {
	if len(body) > 0 && body[0] > ' ' && body[0] < utf8.RuneSelf {
		return false
	}
	return len(bytes.TrimSpace(body)) == 0
}

// failed returns the *Error of failures fs, sorted.
//
//go:noinline
func failed(o *Operation, d Direction, status int, fs []Failure) error {
	sortFailures(fs)
	return &Error{Operation: o.ID, Direction: d, Status: status, Failures: fs}
}

// checkQueries checks the query parameters of operation oc.
func (v *Validator) checkQueries(w *walker, oc *opCheck, query url.Values) []Failure {
	var fs []Failure
	for _, p := range oc.query {
		vals := QueryValues(query, p.name)
		if len(vals) == 0 {
			if p.required {
				fs = append(fs, Failure{In: InQuery, Pointer: "/" + p.name, Rule: RuleRequired, Expected: "present",
					Message: fmt.Sprintf("query parameter %q is missing", p.name)})
			}
			continue
		}
		fs = v.checkQuery(w, fs, p, vals[0])
	}
	return fs
}

// walkBody checks a body against node n in refuse mode and returns its failures (a copy:
// the walker's are reused).
func (v *Validator) walkBody(w *walker, response bool, n int32, body []byte) []Failure {
	if limit := v.MaxBodySize(); int64(len(body)) > limit {
		return []Failure{sizeFailure(len(body), limit)}
	}
	w.reset(v.checks(), refuse, response, body)
	w.walk(n)
	if !w.syntax && len(w.fails) == 0 {
		return nil
	}
	return w.bodyFailures()
}

// bodyFailures returns the failures of a walk that found some (a copy: the walker's are
// reused).
//
//go:noinline
func (w *walker) bodyFailures() []Failure {
	if w.syntax {
		return []Failure{{In: InBody, Rule: RuleJSON, Expected: "JSON", Message: fmt.Sprintf("body is not valid JSON: syntax error at byte %d", w.syntaxAt)}}
	}
	// A body that does not decode unambiguously (invalid UTF-8, a key twice, too deep) is
	// reported for that alone: what the schema rules would say depends on how it is read.
	var input []Failure
	for _, f := range w.fails {
		if f.Rule == RuleUTF8 || f.Rule == RuleDuplicateKey || f.Rule == RuleDepth {
			input = append(input, f)
		}
	}
	if input != nil {
		return input
	}
	return append([]Failure(nil), w.fails...)
}

// checkQuery checks one query parameter's value: a number or a boolean as its schema says,
// else a string.
func (v *Validator) checkQuery(w *walker, fs []Failure, p queryParam, raw string) []Failure {
	if p.node < 0 {
		return fs
	}
	nd := &v.checks().nodes[p.node]
	var text []byte
	switch {
	case nd.types&(jsonInteger|jsonNumber) != 0:
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return append(fs, Failure{In: InQuery, Pointer: "/" + p.name, Rule: RuleType, Expected: strings.Join(nd.types.names(), " or "), Message: "value is not a number"})
		}
		text = strconv.AppendFloat(w.key[:0], f, 'f', -1, 64)
	case nd.types&jsonBoolean != 0:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return append(fs, Failure{In: InQuery, Pointer: "/" + p.name, Rule: RuleType, Expected: "boolean", Message: "value is not a boolean"})
		}
		text = strconv.AppendBool(w.key[:0], b)
	default:
		if !strings.ContainsAny(raw, "\\\"") && strconv.CanBackquote(raw) {
			text = append(append(append(w.key[:0], '"'), raw...), '"')
		} else {
			text, _ = json.Marshal(raw) // quotes, backslashes, control characters: rare
		}
	}
	w.key = text
	w.reset(v.checks(), refuse, false, text)
	w.walk(p.node)
	for _, f := range w.fails {
		f.In, f.Pointer = InQuery, "/"+p.name
		fs = append(fs, f)
	}
	w.fails = w.fails[:0]
	return fs
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
				In: InBody, Rule: RuleSize, Expected: fmt.Sprintf("at most %d bytes", limit), Message: fmt.Sprintf("body is over the size limit of %d bytes", limit)}}}
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
// (`"Status":"Error"`) is checked against the Error schema whatever the status. A reply may
// carry only the attributes the spec lists, where its schema does not allow others (drift
// reports, [Validator.Observe], only report them).
func (v *Validator) ValidateResponse(operationID api.OperationID, status int, body []byte) error {
	o := v.checks().operation(operationID)
	if o == nil {
		var err error
		if o, err = v.operation(operationID); err != nil {
			return err
		}
	}
	r, documented := o.check.reply(status)
	if !documented {
		return failed(o, DirectionResponse, status, []Failure{{In: InBody, Rule: RuleStatus, Expected: "a documented status", Message: fmt.Sprintf("status %d is not documented", status)}})
	}
	if !r.json {
		return nil
	}
	if blank(body) {
		return failed(o, DirectionResponse, status, []Failure{{In: InBody, Rule: RuleRequired, Expected: "a JSON body", Message: "response body is empty"}})
	}
	w := walkers.Get().(*walker)
	fs := v.walkBody(w, true, r.node, body)
	if w.statusError && !w.syntax && v.checks().errNode >= 0 && r.node != v.checks().errNode {
		fs = v.walkBody(w, true, v.checks().errNode, body)
	}
	w.release()
	walkers.Put(w)
	if len(fs) > 0 {
		return failed(o, DirectionResponse, status, fs)
	}
	return nil
}

// reply returns the reply documented for status: its own, its class's (4XX) or the default.
func (oc *opCheck) reply(status int) (*reply, bool) {
	var found *reply
	for i := range oc.replies {
		r := &oc.replies[i]
		switch {
		case r.code == status:
			return r, true
		case r.class != 0 && r.class == status/100:
			found = r
		case r.status == "default" && found == nil:
			found = r
		}
	}
	return found, found != nil
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
