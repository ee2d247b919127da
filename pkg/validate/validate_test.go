package validate_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/validate"
	"github.com/leadsquared-go/leadsquared-go/spec"
)

func mustDefault(t testing.TB) *validate.Validator {
	t.Helper()
	v, err := validate.Default()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// bodyExamples returns each operation's request-body examples from the spec, as JSON values.
func bodyExamples(t *testing.T) map[string][]any {
	t.Helper()
	doc := specDoc(t)
	out := map[string][]any{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.RequestBody == nil || op.RequestBody.Value == nil {
				continue
			}
			mt := op.RequestBody.Value.Content.Get("application/json")
			if mt == nil {
				continue
			}
			var exs []any
			if mt.Example != nil {
				exs = append(exs, mt.Example)
			}
			for _, name := range sortedKeys(mt.Examples) {
				if ex := mt.Examples[name]; ex != nil && ex.Value != nil {
					exs = append(exs, ex.Value.Value)
				}
			}
			if len(exs) == 0 && mt.Schema != nil && mt.Schema.Value.Example != nil {
				exs = append(exs, mt.Schema.Value.Example)
			}
			for _, ex := range exs {
				out[op.OperationID] = append(out[op.OperationID], roundTrip(t, ex))
			}
			if len(exs) == 0 {
				t.Errorf("%s: request body has no example", op.OperationID)
			}
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func roundTrip(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func marshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// validQuery builds a query string that satisfies the operation's required parameters.
func validQuery(t *testing.T, opID string) url.Values {
	t.Helper()
	doc := specDoc(t)
	q := url.Values{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.OperationID != opID {
				continue
			}
			for _, p := range op.Parameters {
				if p.Value.In != "query" || !p.Value.Required {
					continue
				}
				switch {
				case p.Value.Example != nil:
					q.Set(p.Value.Name, fmt.Sprint(p.Value.Example))
				case p.Value.Schema.Value.Example != nil:
					q.Set(p.Value.Name, fmt.Sprint(p.Value.Schema.Value.Example))
				case len(p.Value.Schema.Value.Enum) > 0:
					q.Set(p.Value.Name, fmt.Sprint(p.Value.Schema.Value.Enum[0]))
				default:
					t.Fatalf("%s: required parameter %s has no example", opID, p.Value.Name)
				}
			}
		}
	}
	return q
}

// mutation is one way to break a valid body: the pointer that must be reported and the rule.
type mutation struct {
	name    string
	body    any
	pointer string
	rule    validate.Rule
}

// mutations derives invalid bodies from a valid one using the schema: drop each required
// field, break each enum, give each field a value of the wrong type.
func mutations(schema *openapi3.Schema, value any, ptr string, set func(any) any) []mutation {
	var out []mutation
	if arr, ok := value.([]any); ok && schema.Items != nil && schema.Items.Value != nil && len(arr) > 0 {
		if wrong := wrongType(schema.Items.Value); wrong != nil {
			out = append(out, mutation{name: "type " + ptr + "/0", pointer: ptr + "/0", rule: "type",
				body: set(append([]any{wrong}, arr[1:]...))})
		}
		return append(out, mutations(schema.Items.Value, arr[0], ptr+"/0", func(nv any) any {
			return set(append([]any{nv}, arr[1:]...))
		})...)
	}
	obj, ok := value.(map[string]any)
	if !ok {
		return nil
	}
	for _, req := range schema.Required {
		if _, present := obj[req]; !present {
			continue
		}
		out = append(out, mutation{name: "drop " + ptr + "/" + req, pointer: ptr + "/" + req, rule: "required",
			body: set(without(obj, req))})
	}
	for _, name := range sortedKeys(obj) {
		prop := schema.Properties[name]
		if prop == nil || prop.Value == nil {
			continue
		}
		ps := prop.Value
		p := ptr + "/" + name
		if obj[name] == nil {
			continue
		}
		if len(ps.Enum) > 0 {
			bad := any("NotAnAllowedValue")
			if ps.Type.Is("integer") {
				bad = 987654.0
			}
			out = append(out, mutation{name: "enum " + p, pointer: p, rule: "enum", body: set(with(obj, name, bad))})
		}
		if wrong := wrongType(ps); wrong != nil {
			// kin-openapi checks an enum before the type: a wrong type on an enum field fails "enum".
			rule := validate.RuleType
			if len(ps.Enum) > 0 {
				rule = validate.RuleEnum
			}
			out = append(out, mutation{name: "type " + p, pointer: p, rule: rule, body: set(with(obj, name, wrong))})
		}
		switch v := obj[name].(type) {
		case map[string]any:
			if ps.Type.Is("object") {
				out = append(out, mutations(ps, v, p, func(nv any) any { return set(with(obj, name, nv)) })...)
			}
		case []any:
			if ps.Items != nil && ps.Items.Value != nil && len(v) > 0 {
				if first, ok := v[0].(map[string]any); ok {
					out = append(out, mutations(ps.Items.Value, first, p+"/0", func(nv any) any {
						arr := append([]any{nv}, v[1:]...)
						return set(with(obj, name, arr))
					})...)
				}
			}
		}
	}
	return out
}

func wrongType(s *openapi3.Schema) any {
	switch {
	case s.Type.Is("string"):
		return 12345.0
	case s.Type.Is("integer"), s.Type.Is("number"):
		return "not a number"
	case s.Type.Is("boolean"):
		return "yes"
	case s.Type.Is("array"):
		return map[string]any{"not": "an array"}
	case s.Type.Is("object"):
		return []any{"not an object"}
	}
	return nil
}

func without(m map[string]any, key string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}

func with(m map[string]any, key string, val any) map[string]any {
	out := without(m, key)
	out[key] = val
	return out
}

func TestRequestBodiesFromExamplesAndMutations(t *testing.T) {
	t.Parallel()
	v := mustDefault(t)
	doc := specDoc(t)
	examples := bodyExamples(t)
	if len(examples) == 0 {
		t.Fatal("no operation with a body")
	}
	total := 0
	for name, exs := range examples {
		opID := api.OperationID(name)
		op, _ := v.Operation(opID)
		schema := doc.Paths.Find(op.Path).GetOperation(op.Method).RequestBody.Value.Content.Get("application/json").Schema.Value
		q := validQuery(t, name)
		for i, ex := range exs {
			if err := v.ValidateRequest(opID, q, marshal(t, ex)); err != nil {
				t.Errorf("%s example %d: %v", opID, i, err)
				continue
			}
			ms := mutations(schema, ex, "", func(b any) any { return b })
			if len(ms) == 0 {
				t.Errorf("%s example %d: no mutation derived", opID, i)
			}
			for _, m := range ms {
				total++
				err := v.ValidateRequest(opID, q, marshal(t, m.body))
				var verr *validate.Error
				if !errors.As(err, &verr) {
					t.Errorf("%s %s: err = %v, want *validate.Error", opID, m.name, err)
					continue
				}
				if verr.Operation != opID || verr.Direction != validate.DirectionRequest {
					t.Errorf("%s %s: error names %s %s", opID, m.name, verr.Operation, verr.Direction)
				}
				if !hasFailure(verr, m.pointer, m.rule) {
					t.Errorf("%s %s: want failure %s %s, got %v", opID, m.name, m.pointer, m.rule, verr.Failures)
				}
			}
		}
	}
	t.Logf("%d operations with a body, %d mutations checked", len(examples), total)
}

func hasFailure(e *validate.Error, pointer string, rule validate.Rule) bool {
	for _, f := range e.Failures {
		if f.Pointer == pointer && f.Rule == rule {
			return true
		}
	}
	return false
}

func TestResponseExamplesValidate(t *testing.T) {
	t.Parallel()
	v := mustDefault(t)
	doc := specDoc(t)
	n := 0
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			r := op.Responses.Status(200)
			if r == nil || r.Value == nil {
				t.Errorf("%s: no 200", op.OperationID)
				continue
			}
			mt := r.Value.Content.Get("application/json")
			ex := mt.Example
			if ex == nil {
				ex = mt.Schema.Value.Example
			}
			if ex == nil {
				for _, name := range sortedKeys(mt.Examples) {
					ex = mt.Examples[name].Value.Value
					break
				}
			}
			if ex == nil {
				t.Errorf("%s: no 200 example", op.OperationID)
				continue
			}
			n++
			if err := v.ValidateResponse(api.OperationID(op.OperationID), 200, marshal(t, roundTrip(t, ex))); err != nil {
				t.Errorf("%s: %v", op.OperationID, err)
			}
		}
	}
	if n == 0 {
		t.Fatal("no response examples")
	}
}

func TestAllFailuresAtOnce(t *testing.T) {
	t.Parallel()
	v := mustDefault(t)
	err := v.ValidateRequest("CreateUser", nil, []byte(`{"FirstName":"Chris","Role":"Boss","IsPhoneCallAgent":"yes"}`))
	var verr *validate.Error
	if !errors.As(err, &verr) {
		t.Fatalf("err = %v", err)
	}
	want := []struct {
		ptr  string
		rule validate.Rule
	}{{"/EmailAddress", "required"}, {"/IsPhoneCallAgent", "type"}, {"/Role", "enum"}}
	if len(verr.Failures) != len(want) {
		t.Fatalf("failures = %v, want %d", verr.Failures, len(want))
	}
	for i, w := range want {
		if f := verr.Failures[i]; f.Pointer != w.ptr || f.Rule != w.rule {
			t.Errorf("failure %d = %+v, want %s %s (sorted)", i, f, w.ptr, w.rule)
		}
	}
	role := verr.Failures[2]
	if len(role.Allowed) != 4 || !strings.Contains(role.String(), `"Sales_User"`) {
		t.Errorf("enum failure must list the allowed roles: %s", role)
	}
	msg := err.Error()
	for _, s := range []string{"CreateUser request", "/EmailAddress", "/Role", "3 failures"} {
		if !strings.Contains(msg, s) {
			t.Errorf("error %q lacks %q", msg, s)
		}
	}
}

func TestNestedPointer(t *testing.T) {
	t.Parallel()
	v := mustDefault(t)
	// Roles[1] of NotifyUsers... use ApplyPermissionTemplate's RoleIds, present since the bootstrap.
	err := v.ValidateRequest("ApplyPermissionTemplate", nil, []byte(`{"Id":"x","RoleIds":["Sales_User","Boss","Administrator","Chief"]}`))
	var verr *validate.Error
	if !errors.As(err, &verr) {
		t.Fatalf("err = %v", err)
	}
	if !hasFailure(verr, "/RoleIds/1", "enum") || !hasFailure(verr, "/RoleIds/3", "enum") || len(verr.Failures) != 2 {
		t.Errorf("failures = %v", verr.Failures)
	}
}

// Operation names match in any letter case: the spec's operationId (GetUserById), its Go name
// (api.OpGetUserByID) and any other casing are the same operation, known by its Go name.
func TestOperationNamesMatchInAnyCase(t *testing.T) {
	v := mustDefault(t)
	for _, name := range []api.OperationID{"GetUserById", api.OpGetUserByID, "getuserbyid", "GETUSERBYID"} {
		o, ok := v.Operation(name)
		if !ok || o.ID != api.OpGetUserByID {
			t.Errorf("Operation(%q) = %v, %v; want %s", name, o, ok, api.OpGetUserByID)
			continue
		}
		if err := v.ValidateRequest(name, url.Values{"userId": {"3b1041fb"}}, nil); err != nil {
			t.Errorf("ValidateRequest(%q): %v", name, err)
		}
	}
	if _, ok := v.Operation("GetUserByIdentity"); ok {
		t.Error("a longer name matched")
	}
	for _, o := range v.Operations() {
		if id, ok := api.ParseOperationID(string(o.ID)); !ok || id != o.ID {
			t.Errorf("%s: ParseOperationID = %q, %v", o.ID, id, ok)
		}
	}
	if id, ok := api.ParseOperationID("getUSERbyEMAIL"); !ok || id != api.OpGetUserByEmail {
		t.Errorf("ParseOperationID(getUSERbyEMAIL) = %q, %v", id, ok)
	}
	if _, ok := api.ParseOperationID(""); ok {
		t.Error("ParseOperationID(\"\") found an operation")
	}
}

func TestRequestEdgeCases(t *testing.T) {
	t.Parallel()
	v := mustDefault(t)
	tests := []struct {
		name      string
		op        api.OperationID
		query     url.Values
		body      string
		pointer   string
		rule      validate.Rule
		unknownOp bool
	}{
		{name: "unknown operation", op: "NoSuchOp", unknownOp: true},
		{name: "not JSON", op: "CreateUser", body: `{"FirstName":`, rule: "json"},
		{name: "missing body", op: "CreateUser", rule: "required"},
		{name: "body on a GET", op: "GetUserById", query: url.Values{"userId": {"x"}}, body: `{}`, rule: "body"},
		{name: "missing query parameter", op: "GetUserById", pointer: "/userId", rule: "required"},
		{name: "bad StringBool query parameter", op: "ApplyPermissionTemplate", query: url.Values{"overWriteAll": {"yes"}}, body: `{"Id":"x"}`, pointer: "/overWriteAll", rule: "enum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body []byte
			if tt.body != "" {
				body = []byte(tt.body)
			}
			err := v.ValidateRequest(tt.op, tt.query, body)
			if tt.unknownOp {
				if !errors.Is(err, validate.ErrUnknownOperation) {
					t.Fatalf("err = %v, want ErrUnknownOperation", err)
				}
				return
			}
			var verr *validate.Error
			if !errors.As(err, &verr) {
				t.Fatalf("err = %v", err)
			}
			if !hasFailure(verr, tt.pointer, tt.rule) {
				t.Errorf("failures = %v, want %q %s", verr.Failures, tt.pointer, tt.rule)
			}
		})
	}
	if err := v.ValidateRequest("GetUserById", url.Values{"userId": {"3b1041fb"}, "accessKey": {"k"}}, nil); err != nil {
		t.Errorf("valid GET: %v", err)
	}
}

func TestResponseEdgeCases(t *testing.T) {
	t.Parallel()
	v := mustDefault(t)
	// LeadSquared's error body with status 200 is what the API does: valid.
	if err := v.ValidateResponse("GetUserById", 200, []byte(`{"Status":"Error","ExceptionType":"MXAPIRateLimitExceededException","ExceptionMessage":"x"}`)); err != nil {
		t.Errorf("error body with 200: %v", err)
	}
	if err := v.ValidateResponse("GetUserById", 200, []byte(`[]`)); err != nil {
		t.Errorf("empty array: %v", err)
	}
	var verr *validate.Error
	err := v.ValidateResponse("GetUserById", 200, []byte(`[{"UserId":1}]`))
	if !errors.As(err, &verr) || !hasFailure(verr, "/0/UserId", "type") || verr.Status != 200 || verr.Direction != validate.DirectionResponse {
		t.Errorf("wrong type: %v", err)
	}
	err = v.ValidateResponse("GetUserById", 418, []byte(`{}`))
	if !errors.As(err, &verr) || !hasFailure(verr, "", "status") {
		t.Errorf("undocumented status: %v", err)
	}
	err = v.ValidateResponse("GetUserById", 200, []byte(`<html>`))
	if !errors.As(err, &verr) || !hasFailure(verr, "", "json") {
		t.Errorf("HTML body: %v", err)
	}
}

func TestValidateHTTPRequestRoutesAndKeepsBody(t *testing.T) {
	t.Parallel()
	v := mustDefault(t)
	body := `{"FirstName":"Chris","EmailAddress":"c@example.com","Role":"Sales_User"}`
	r, _ := http.NewRequest(http.MethodPost, "https://api.leadsquared.com/v2/UserManagement.svc/User/Create?accessKey=a&secretKey=b", strings.NewReader(body))
	if err := v.ValidateHTTPRequest(r); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, len(body)+1)
	n, _ := r.Body.Read(b)
	if string(b[:n]) != body {
		t.Errorf("body not restored: %q", b[:n])
	}
	r, _ = http.NewRequest(http.MethodGet, "https://api.leadsquared.com/v2/Nope", nil)
	if err := v.ValidateHTTPRequest(r); !errors.Is(err, validate.ErrUnknownOperation) {
		t.Errorf("unknown route: %v", err)
	}
	if o, ok := v.Lookup(http.MethodPost, "/UserManagement.svc/User/Create"); !ok || o.ID != "CreateUser" || o.Idempotent {
		t.Errorf("Lookup without base path = %+v, %v", o, ok)
	}
}

func TestNoSecretInMessages(t *testing.T) {
	t.Parallel()
	v := mustDefault(t)
	const secret = "a$b/c+d%e-SECRET"
	for _, body := range []string{
		`{"FirstName":"` + secret + `","EmailAddress":12,"Role":"` + secret + `"}`,
		`{"FirstName":"` + secret, // broken JSON
	} {
		err := v.ValidateRequest("CreateUser", url.Values{"accessKey": {secret}}, []byte(body))
		if err == nil {
			t.Fatal("want an error")
		}
		for _, s := range []string{secret, url.QueryEscape(secret)} {
			if strings.Contains(err.Error(), s) {
				t.Errorf("message leaks the value: %s", strings.NewReplacer(secret, "<SECRET>", url.QueryEscape(secret), "<SECRET>").Replace(err.Error()))
			}
		}
	}
}

func TestValidateRequestBodySkipsQuery(t *testing.T) {
	t.Parallel()
	v := mustDefault(t)
	body := []byte(`{"user":{"LastName":"Kant"}}`)
	if err := v.ValidateRequestBody("UpdateUser", body); err != nil {
		t.Errorf("body only: %v", err)
	}
	var verr *validate.Error
	if err := v.ValidateRequest("UpdateUser", nil, body); !errors.As(err, &verr) || !hasFailure(verr, "/UserId", "required") {
		t.Errorf("with the query: %v, want UserId required", err)
	}
	if err := v.ValidateRequestBody("UpdateUser", []byte(`{"userSettings":{"IsSoftPhoneEnabled":5}}`)); !errors.As(err, &verr) || !hasFailure(verr, "/userSettings/IsSoftPhoneEnabled", "enum") || len(verr.Failures) != 1 {
		t.Errorf("body only, bad body: %v", err)
	}
}

// specDoc loads the embedded spec.
func specDoc(t testing.TB) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(spec.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// LeadSquared's WCF services match query names case-insensitively (the official PHP library
// sends UserId= to User/Retrieve/ByUserId, other callers userId=): any casing of a documented
// query parameter is accepted and checked; a missing one is still reported, under its
// documented name.
func TestQueryNamesMatchCaseInsensitively(t *testing.T) {
	t.Parallel()
	v := mustDefault(t)
	tests := []struct {
		name    string
		op      api.OperationID
		query   url.Values
		body    string
		pointer string // the failure expected; "" for a valid request
		rule    validate.Rule
	}{
		{name: "documented casing", op: "GetUserById", query: url.Values{"userId": {"3b1041fb"}}},
		{name: "PHP library casing", op: "GetUserById", query: url.Values{"UserId": {"3b1041fb"}}},
		{name: "lower case", op: "GetUserById", query: url.Values{"userid": {"3b1041fb"}}},
		{name: "upper case", op: "GetUserById", query: url.Values{"USERID": {"3b1041fb"}}},
		{name: "documented UserId sent as userId", op: "UpdateUser", query: url.Values{"userId": {"3b1041fb"}}, body: `{"user":{"LastName":"Kant"}}`},
		{name: "documented userid sent as UserId", op: "MarkUserObsolete", query: url.Values{"UserId": {"3b1041fb"}}},
		{name: "two parameters, both recased", op: "GetUserWorkDayDetails", query: url.Values{"UserID": {"3b1041fb"}, "DATE": {"2024-01-31"}}},
		{name: "missing: only another name", op: "GetUserById", query: url.Values{"user": {"3b1041fb"}}, pointer: "/userId", rule: "required"},
		{name: "missing: empty value list", op: "GetUserById", query: url.Values{"UserId": {}}, pointer: "/userId", rule: "required"},
		{name: "missing one of two", op: "GetUserWorkDayDetails", query: url.Values{"USERID": {"3b1041fb"}}, pointer: "/date", rule: "required"},
		{name: "recased value still checked", op: "ApplyPermissionTemplate", query: url.Values{"OverWriteAll": {"yes"}}, body: `{"Id":"x"}`, pointer: "/overWriteAll", rule: "enum"},
		{name: "documented casing wins over another", op: "ApplyPermissionTemplate", query: url.Values{"overWriteAll": {"yes"}, "OVERWRITEALL": {"true"}}, body: `{"Id":"x"}`, pointer: "/overWriteAll", rule: "enum"},
		{name: "first other casing in sorted order", op: "ApplyPermissionTemplate", query: url.Values{"OverwriteAll": {"yes"}, "overwriteall": {"true"}}, body: `{"Id":"x"}`, pointer: "/overWriteAll", rule: "enum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var body []byte
			if tt.body != "" {
				body = []byte(tt.body)
			}
			err := v.ValidateRequest(tt.op, tt.query, body)
			if tt.pointer == "" {
				if err != nil {
					t.Fatalf("err = %v, want valid", err)
				}
				return
			}
			var verr *validate.Error
			if !errors.As(err, &verr) {
				t.Fatalf("err = %v, want a *validate.Error", err)
			}
			if !hasFailure(verr, tt.pointer, tt.rule) || len(verr.Failures) != 1 {
				t.Errorf("failures = %v, want only %q %s", verr.Failures, tt.pointer, tt.rule)
			}
		})
	}
}

func TestValidateHTTPRequestQueryCasing(t *testing.T) {
	t.Parallel()
	v := mustDefault(t)
	r, _ := http.NewRequest(http.MethodGet, "https://api.leadsquared.com/v2/UserManagement.svc/User/Retrieve/ByUserId?UserId=3b1041fb&accessKey=a&secretKey=b", nil)
	if err := v.ValidateHTTPRequest(r); err != nil {
		t.Errorf("UserId= on ByUserId: %v", err)
	}
}

// Every operation is the generated table's entry.
func TestOperationPolicy(t *testing.T) {
	t.Parallel()
	v := mustDefault(t)
	for _, id := range api.OperationIDs {
		o, ok := v.Operation(id)
		want, _ := api.LookupOperation(id)
		if !ok || o.Operation != want {
			t.Errorf("%s: %+v, want the table's %+v", id, o.Operation, want)
		}
	}
}

// A typo is named, with the operation's own attribute it is nearest to, in every request
// body (create included); a key in another letter case is named with the spec's spelling;
// each failure carries its pointer, rule, expectation and message.
func TestTyposNamed(t *testing.T) {
	t.Parallel()
	v := mustDefault(t)
	for _, tc := range []struct {
		op   api.OperationID
		body string
		want []validate.Failure
	}{
		{api.OpCreateUser, `{"FirstName":"A","EmailAddress":"a@x.com","Role":"Sales_User","LastNmae":"K"}`, []validate.Failure{
			{In: validate.InBody, Pointer: "/LastNmae", Rule: validate.RuleUnknown, Expected: "an attribute of the spec", Message: "unknown attribute (did you mean LastName?)"},
		}},
		// A typo in a required attribute: named, and the attribute missing.
		{api.OpCreateUser, `{"FristName":"A","EmailAddress":"a@x.com","Role":"Sales_User"}`, []validate.Failure{
			{In: validate.InBody, Pointer: "/FirstName", Rule: "required", Expected: "present", Message: "required attribute is missing"},
			{In: validate.InBody, Pointer: "/FristName", Rule: validate.RuleUnknown, Expected: "an attribute of the spec", Message: "unknown attribute (did you mean FirstName?)"},
		}},
		// Checked beneath as the attribute it spells.
		{api.OpUpdateUser, `{"User":{"FristName":"A","LastName":5}}`, []validate.Failure{
			{In: validate.InBody, Pointer: "/User", Rule: validate.RuleCase, Expected: "user", Message: "the spec spells it user"},
			{In: validate.InBody, Pointer: "/User/FristName", Rule: validate.RuleUnknown, Expected: "an attribute of the spec or a custom field (mx_*)",
				Message: "unknown attribute: neither an attribute of the spec nor a custom field (mx_*) (did you mean FirstName?)"},
			{In: validate.InBody, Pointer: "/User/LastName", Rule: "type", Expected: "string", Message: "value is an integer, not string"},
		}},
		{api.OpUpdateUser, `{"user":{"FristName":"A","LastName":5,"mx_Custom_1":"x"}}`, []validate.Failure{
			{In: validate.InBody, Pointer: "/user/FristName", Rule: validate.RuleUnknown, Expected: "an attribute of the spec or a custom field (mx_*)",
				Message: "unknown attribute: neither an attribute of the spec nor a custom field (mx_*) (did you mean FirstName?)"},
			{In: validate.InBody, Pointer: "/user/LastName", Rule: "type", Expected: "string", Message: "value is an integer, not string"},
		}},
		{api.OpCreateUser, `{"FirstName":"A","EmailAddress":"a@x.com","Role":"Sales_User","Designation":"x"}`, []validate.Failure{
			{In: validate.InBody, Pointer: "/Designation", Rule: validate.RuleUnknown, Expected: "an attribute of the spec", Message: "unknown attribute"},
		}},
	} {
		err := v.ValidateRequestBody(tc.op, []byte(tc.body))
		var verr *validate.Error
		if !errors.As(err, &verr) {
			t.Errorf("%s %s: err = %v, want a *validate.Error", tc.op, tc.body, err)
			continue
		}
		if fmt.Sprint(verr.Failures) != fmt.Sprint(tc.want) {
			t.Errorf("%s %s:\n got %+v\nwant %+v", tc.op, tc.body, verr.Failures, tc.want)
		}
	}
	// A reply's unknown attribute fails validation too.
	err := v.ValidateResponse(api.OpGetUserByID, 200, []byte(`[{"UserId":"x","Nickname":"A"}]`))
	var verr *validate.Error
	if !errors.As(err, &verr) || len(verr.Failures) != 1 || verr.Failures[0].Pointer != "/0/Nickname" || verr.Failures[0].Rule != validate.RuleUnknown {
		t.Errorf("reply with an unknown attribute: %v", err)
	}
	if s := (validate.Failure{Pointer: "/LastNmae", Rule: validate.RuleUnknown, Message: "unknown attribute (did you mean LastName?)"}).String(); s != "/LastNmae: unknown attribute (did you mean LastName?)" {
		t.Errorf("String: %s", s)
	}
}

func TestNearestOperation(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]api.OperationID{"GetUserById": api.OpGetUserByID, "GetUserByIdd": api.OpGetUserByID,
		"CreatUser": api.OpCreateUser, "getusers": api.OpGetUsers, "Frobnicate": ""} {
		if got, ok := validate.Nearest(name); got != want || ok != (want != "") {
			t.Errorf("Nearest(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
}

// A query value with a quote, a backslash or a control character is checked as the string it
// is, not let through for a parse of its own.
func TestQueryValuesNeedingEscapes(t *testing.T) {
	t.Parallel()
	v := mustDefault(t)
	for _, d := range []string{"2024\"01-02", "a\x00b", `2024-01-0\2`} {
		err := v.ValidateRequest(api.OpGetUserWorkDayDetails, url.Values{"userId": {"x"}, "date": {d}}, nil)
		var verr *validate.Error
		if !errors.As(err, &verr) || len(verr.Failures) != 1 || verr.Failures[0].Rule != "pattern" || verr.Failures[0].Pointer != "/date" {
			t.Errorf("date %q: %v, want one pattern failure at /date", d, err)
		}
	}
}

// TestZeroValidator: the zero Validator checks as Default's does, rather than panic on its
// missing table.
func TestZeroValidator(t *testing.T) {
	t.Parallel()
	var v validate.Validator
	err := v.ValidateRequestBody(api.OpCreateUser, []byte(`{"FirstName":"Ada","EmailAdress":"ada@example.com","Role":"Sales_User"}`))
	var ve *validate.Error
	if !errors.As(err, &ve) || len(ve.Failures) != 2 {
		t.Fatalf("ValidateRequestBody = %v, want the missing EmailAddress and the unknown EmailAdress", err)
	}
	if err := v.ValidateRequest(api.OpGetUserByID, url.Values{"userId": {"3b1041fb-8374-11e7-8758-0a106ee76b21"}}, nil); err != nil {
		t.Errorf("ValidateRequest of a valid GetUserByID: %v", err)
	}
	if err := v.ValidateResponse(api.OpGetUsers, 200, []byte(`{}`)); err == nil {
		t.Error("ValidateResponse of an object where GetUsers answers an array: nil error")
	}
	if _, ok := v.Operation("getuserbyid"); !ok {
		t.Error("Operation(getuserbyid) not found")
	}
	if _, ok := v.Lookup(http.MethodGet, "/UserManagement.svc/Users.Get"); !ok {
		t.Error("Lookup(GET Users.Get) not found")
	}
	if n := len(v.Operations()); n != len(api.OperationIDs) {
		t.Errorf("Operations() = %d, want %d", n, len(api.OperationIDs))
	}
	req := httptest.NewRequest(http.MethodGet, "/v2/UserManagement.svc/Users.Get", nil)
	if err := v.ValidateHTTPRequest(req); err != nil {
		t.Errorf("ValidateHTTPRequest(GET Users.Get): %v", err)
	}
}
