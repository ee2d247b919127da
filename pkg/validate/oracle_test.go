package validate_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/validate"
)

// The differential test: the generated checker and kin-openapi (the oracle, loading the spec
// itself) judge every docs sample and at least minMutations generated mutations of them per
// direction, and must agree on every verdict but for the named differences below.
const minMutations = 2000

// difference is a kind of verdict on which the checker and the oracle may disagree, and why.
type difference struct {
	name, reason string
	// applies reports whether a disagreement is of this kind: checker and oracle are the
	// failures each found (one of them empty).
	applies func(checker []validate.Failure, oracle []*openapi3.SchemaError) bool
}

// differences is the list of named, justified differences.
var differences = []difference{
	{
		name: "typo rule",
		reason: "OpenAPI 3.0 allows any attribute an object schema does not forbid (kin-openapi accepts them); the " +
			"checker refuses, in a request and in a reply being validated, an attribute the spec does not list where " +
			"the schema has no additionalProperties, naming it (unknown) or the spec's spelling (case), and checks " +
			"what a key in another letter case holds as the attribute it spells: a typo would otherwise be sent, or a " +
			"reply's new attribute go unseen",
		applies: func(c []validate.Failure, o []*openapi3.SchemaError) bool {
			var cased []string
			for _, f := range c {
				if f.Rule == validate.RuleCase {
					cased = append(cased, f.Pointer)
				}
			}
			return len(o) == 0 && len(c) > 0 && !slices.ContainsFunc(c, func(f validate.Failure) bool {
				beneath := slices.ContainsFunc(cased, func(p string) bool { return f.Pointer == p || strings.HasPrefix(f.Pointer, p+"/") })
				return f.Rule != validate.RuleUnknown && f.Rule != validate.RuleCase && !beneath
			})
		},
	},
	{
		name: "x-lsq-attribute-of",
		reason: "the extension (a string must name an attribute of a schema, or a custom field) is the spec's, " +
			"which kin-openapi does not read",
		applies: func(c []validate.Failure, o []*openapi3.SchemaError) bool {
			return len(o) == 0 && len(c) > 0 && !slices.ContainsFunc(c, func(f validate.Failure) bool {
				return f.Rule != "attribute" && f.Rule != validate.RuleUnknown && f.Rule != validate.RuleCase
			})
		},
	},
	{
		name: "x-lsq-custom-fields",
		reason: "the extension says a custom field (mx_*) of a user holds a string or null, which the checker " +
			"checks; kin-openapi does not read it and accepts any value of an attribute the schema does not list",
		applies: func(c []validate.Failure, o []*openapi3.SchemaError) bool {
			return len(o) == 0 && len(c) > 0 && !slices.ContainsFunc(c, func(f validate.Failure) bool {
				last := f.Pointer[strings.LastIndex(f.Pointer, "/")+1:]
				return f.Rule != "type" || len(last) < 4 || !strings.EqualFold(last[:3], "mx_")
			})
		},
	},
	{
		name: "input rules",
		reason: "a key repeated in one object or a string that is not valid UTF-8 is refused (duplicateKey, utf8): " +
			"decoders keep one of the values or write U+FFFD, so what kin-openapi judges (the decoded value) is not " +
			"what would be sent",
		applies: func(c []validate.Failure, o []*openapi3.SchemaError) bool {
			return len(c) > 0 && !slices.ContainsFunc(c, func(f validate.Failure) bool {
				return f.Rule != validate.RuleDuplicateKey && f.Rule != validate.RuleUTF8
			})
		},
	},
	{
		name: "tolerant scalars",
		reason: "a reply's value of a type the spec lists in x-lsq-also-types (a number sent as a string, a boolean " +
			"as 0/1) is read by the models (package scalar): the checker reports it as drift, not as a failure; " +
			"kin-openapi sees only the schema's type",
		applies: func(c []validate.Failure, o []*openapi3.SchemaError) bool {
			return len(c) == 0 && len(o) > 0 && !slices.ContainsFunc(o, func(se *openapi3.SchemaError) bool {
				// The Error alternative of an x-lsq-error-body oneOf fails for any answer that
				// is not an object: not the failure that decides.
				return !alsoType(se) && se.Schema != errorSchema
			}) && slices.ContainsFunc(o, alsoType)
		},
	},
}

// errorSchema is the spec's Error schema, as the oracle loaded it.
var errorSchema *openapi3.Schema

// alsoType reports whether a kin-openapi failure is a value of one of its schema's
// x-lsq-also-types.
func alsoType(se *openapi3.SchemaError) bool {
	if se.Schema == nil || (se.SchemaField != "type" && se.SchemaField != "enum") {
		return false
	}
	also, _ := se.Schema.Extensions["x-lsq-also-types"].([]any)
	t := ""
	switch v := se.Value.(type) {
	case string:
		t = "string"
	case bool:
		t = "boolean"
	case float64:
		t = "number"
		if v == float64(int64(v)) {
			t = "integer"
		}
	}
	for _, a := range also {
		if a == t || a == "number" && t == "integer" {
			return true
		}
	}
	return false
}

// sample is a docs sample: an operation's request body or reply, with the schema the oracle
// checks it against.
type sample struct {
	op       api.OperationID
	response bool
	status   int
	schema   *openapi3.Schema
	value    any
}

func docsSamples(t *testing.T, doc *openapi3.T) (reqs, resps []sample) {
	t.Helper()
	examples := func(mt *openapi3.MediaType) []any {
		var out []any
		if mt.Example != nil {
			out = append(out, mt.Example)
		}
		for _, name := range sortedKeys(mt.Examples) {
			if ex := mt.Examples[name]; ex != nil && ex.Value != nil {
				out = append(out, ex.Value.Value)
			}
		}
		if len(out) == 0 && mt.Schema != nil && mt.Schema.Value.Example != nil {
			out = append(out, mt.Schema.Value.Example)
		}
		return out
	}
	for _, path := range sortedKeys(doc.Paths.Map()) {
		item := doc.Paths.Value(path)
		for _, method := range []string{"GET", "POST"} {
			op := item.GetOperation(method)
			if op == nil {
				continue
			}
			id, _ := api.ParseOperationID(op.OperationID)
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				if mt := op.RequestBody.Value.Content.Get("application/json"); mt != nil {
					for _, ex := range examples(mt) {
						reqs = append(reqs, sample{op: id, schema: mt.Schema.Value, value: roundTrip(t, ex)})
					}
				}
			}
			for _, status := range sortedKeys(op.Responses.Map()) {
				r := op.Responses.Value(status)
				var code int
				if _, err := fmt.Sscan(status, &code); err != nil || r.Value == nil {
					continue
				}
				if mt := r.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
					for _, ex := range examples(mt) {
						resps = append(resps, sample{op: id, response: true, status: code, schema: mt.Schema.Value, value: roundTrip(t, ex)})
					}
				}
			}
		}
	}
	return reqs, resps
}

// oracle is kin-openapi's verdict: the schema's failures, the Error schema's for a reply
// that is LeadSquared's error body ("Status":"Error"), as package validate documents.
func oracle(doc *openapi3.T, s sample, val any) []*openapi3.SchemaError {
	schema := s.schema
	opt := openapi3.VisitAsRequest()
	if s.response {
		opt = openapi3.VisitAsResponse()
		if m, ok := val.(map[string]any); ok && m["Status"] == "Error" {
			schema = doc.Components.Schemas["Error"].Value
		}
	}
	return flatten(schema.VisitJSON(val, openapi3.MultiErrors(), opt))
}

func flatten(err error) []*openapi3.SchemaError {
	if err == nil {
		return nil
	}
	var me openapi3.MultiError
	if errors.As(err, &me) {
		var out []*openapi3.SchemaError
		for _, e := range me {
			out = append(out, flatten(e)...)
		}
		return out
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		if se.Origin != nil {
			if inner := flatten(se.Origin); len(inner) > 0 {
				return inner
			}
		}
		return []*openapi3.SchemaError{se}
	}
	return []*openapi3.SchemaError{{SchemaField: "other", Reason: err.Error()}}
}

func checker(t *testing.T, v *validate.Validator, s sample, body []byte) []validate.Failure {
	t.Helper()
	var err error
	if s.response {
		err = v.ValidateResponse(s.op, s.status, body)
	} else {
		err = v.ValidateRequestBody(s.op, body)
	}
	if err == nil {
		return nil
	}
	var verr *validate.Error
	if !errors.As(err, &verr) {
		t.Fatalf("%s: %v", s.op, err)
	}
	return verr.Failures
}

func TestCheckerAgreesWithKinOpenAPI(t *testing.T) {
	v := mustDefault(t)
	doc := specDoc(t)
	errorSchema = doc.Components.Schemas["Error"].Value
	reqs, resps := docsSamples(t, doc)
	for _, dir := range []struct {
		name    string
		samples []sample
	}{{"request", reqs}, {"response", resps}} {
		if len(dir.samples) == 0 {
			t.Fatalf("no %s samples", dir.name)
		}
		rng := rand.New(rand.NewPCG(28, uint64(len(dir.name))))
		cases, agreed := 0, 0
		named := map[string]int{}
		judgeBytes := func(s sample, what string, val any, body []byte) {
			cases++
			c, o := checker(t, v, s, body), oracle(doc, s, val)
			if (len(c) == 0) == (len(o) == 0) {
				agreed++
				return
			}
			for _, d := range differences {
				if d.applies(c, o) {
					named[d.name]++
					return
				}
			}
			var kin []string
			for _, se := range o {
				kin = append(kin, "/"+strings.Join(se.JSONPointer(), "/")+" "+se.SchemaField+": "+se.Reason)
			}
			t.Errorf("%s %s %s (%s): checker %v, kin-openapi %v\n%s", dir.name, s.op, what, describe(s), c, kin, body)
		}
		judge := func(s sample, what string, val any) {
			body, err := json.Marshal(val)
			if err != nil {
				t.Fatal(err)
			}
			judgeBytes(s, what, val, body)
		}
		for _, s := range dir.samples {
			judge(s, "docs sample", s.value)
			// What decoders hide: a key twice (the oracle sees the object once), a string that
			// is not UTF-8 (the oracle sees U+FFFD).
			body, _ := json.Marshal(s.value)
			if m, ok := s.value.(map[string]any); ok && len(m) > 0 {
				k := sortedKeys(m)[0]
				member, _ := json.Marshal(map[string]any{k: m[k]})
				dup := append(append(member[:len(member)-1:len(member)-1], ','), body[1:]...)
				judgeBytes(s, "key "+k+" twice", s.value, dup)
				if len(checker(t, v, s, dup)) == 0 {
					t.Errorf("%s %s: key %s twice accepted", dir.name, s.op, k)
				}
			}
			if i := bytes.Index(body, []byte(`":"`)); i >= 0 {
				bad := append(append(slices.Clone(body[:i+3]), 0xff), body[i+3:]...)
				var val any
				if json.Unmarshal(bad, &val) == nil {
					judgeBytes(s, "invalid UTF-8 in a string", val, bad)
					if len(checker(t, v, s, bad)) == 0 {
						t.Errorf("%s %s: invalid UTF-8 accepted", dir.name, s.op)
					}
				}
			}
		}
		mutations := 0
		for i := 0; mutations < minMutations && i < 20*minMutations; i++ {
			s := dir.samples[i%len(dir.samples)]
			m, what := mutate(rng, s.value)
			if what == "unchanged" {
				continue // the operation drawn does not apply there
			}
			mutations++
			judge(s, what, m)
		}
		if mutations < minMutations {
			t.Errorf("%s: %d mutations, want at least %d", dir.name, mutations, minMutations)
		}
		var names []string
		for n, c := range named {
			names = append(names, fmt.Sprintf("%s %d", n, c))
		}
		sort.Strings(names)
		t.Logf("%s: %d docs samples + %d mutations = %d cases: %d verdicts agree, named differences: %v", dir.name, len(dir.samples), mutations, cases, agreed, names)
	}
}

func describe(s sample) string {
	if s.response {
		return fmt.Sprintf("status %d", s.status)
	}
	return "body"
}

// mutate returns a copy of val broken (or not) in one place chosen at random, and what was
// done: a value's type swapped, a key removed, renamed or re-cased, an enum-like string
// altered, a value nested in an array or an object, an array emptied or replaced by its first
// element, a number or a string pushed to an edge, an unknown key added.
func mutate(rng *rand.Rand, val any) (any, string) {
	val = deepCopy(val)
	type spot struct {
		parent any // map[string]any or []any; nil for the root
		key    string
		index  int
		value  any
		ptr    string
	}
	var spots []spot
	var walk func(parent any, key string, index int, v any, ptr string)
	walk = func(parent any, key string, index int, v any, ptr string) {
		spots = append(spots, spot{parent, key, index, v, ptr})
		switch v := v.(type) {
		case map[string]any:
			for _, k := range sortedKeys(v) {
				walk(v, k, 0, v[k], ptr+"/"+k)
			}
		case []any:
			for i, e := range v {
				walk(v, "", i, e, fmt.Sprintf("%s/%d", ptr, i))
			}
		}
	}
	walk(nil, "", 0, val, "")
	sp := spots[rng.IntN(len(spots))]
	set := func(nv any) {
		switch p := sp.parent.(type) {
		case map[string]any:
			p[sp.key] = nv
		case []any:
			p[sp.index] = nv
		default:
			val = nv
		}
	}
	op := rng.IntN(14)
	switch op {
	case 0: // swap the type
		switch x := sp.value.(type) {
		case string:
			set(12345.0)
		case float64:
			set(fmt.Sprint(x))
		case bool:
			set("yes")
		case map[string]any:
			set([]any{x})
		case []any:
			set(map[string]any{"Item": x})
		case nil:
			set("null")
		}
		return val, "type swapped at " + sp.ptr
	case 1: // remove a key
		if p, ok := sp.parent.(map[string]any); ok {
			delete(p, sp.key)
			return val, "removed " + sp.ptr
		}
	case 2, 3: // rename a key: a typo
		if p, ok := sp.parent.(map[string]any); ok && len(sp.key) > 2 {
			k := []byte(sp.key)
			i := rng.IntN(len(k) - 1)
			k[i], k[i+1] = k[i+1], k[i]
			delete(p, sp.key)
			p[string(k)] = sp.value
			return val, "renamed " + sp.ptr + " to " + string(k)
		}
	case 4: // re-case a key
		if p, ok := sp.parent.(map[string]any); ok && sp.key != "" {
			k := strings.ToLower(sp.key)
			if k == sp.key {
				k = strings.ToUpper(sp.key[:1]) + sp.key[1:]
			}
			delete(p, sp.key)
			p[k] = sp.value
			return val, "re-cased " + sp.ptr + " to " + k
		}
	case 5: // alter an enum-like string
		if s, ok := sp.value.(string); ok {
			set(s + "X")
			return val, "altered " + sp.ptr
		}
	case 6: // nest in an array
		set([]any{sp.value})
		return val, "nested " + sp.ptr + " in an array"
	case 7: // nest in an object
		set(map[string]any{"Value": sp.value})
		return val, "nested " + sp.ptr + " in an object"
	case 8: // an array emptied or replaced by its first element
		if a, ok := sp.value.([]any); ok {
			if len(a) > 0 && rng.IntN(2) == 0 {
				set(a[0])
				return val, "replaced " + sp.ptr + " by its first element"
			}
			set([]any{})
			return val, "emptied " + sp.ptr
		}
	case 9: // a number to an edge
		if _, ok := sp.value.(float64); ok {
			edges := []any{0.0, -1.0, 1.5, 1e9, 2000.0}
			set(edges[rng.IntN(len(edges))])
			return val, "number edge at " + sp.ptr
		}
	case 10: // a string to an edge
		if _, ok := sp.value.(string); ok {
			edges := []any{"", "2021-01-01", "2021-01-01 10:00:00", strings.Repeat("x", 300), "true", "1"}
			set(edges[rng.IntN(len(edges))])
			return val, "string edge at " + sp.ptr
		}
	case 11: // an unknown key, or a custom field
		if m, ok := sp.value.(map[string]any); ok {
			keys := []string{"Unknown", "mx_Custom_9", "Mx_Custom_2", "mx_"}
			m[keys[rng.IntN(len(keys))]] = "v"
			return val, "added a key to " + sp.ptr
		}
	case 12: // null
		set(nil)
		return val, "null at " + sp.ptr
	case 13: // a boolean or a number for a string
		if _, ok := sp.value.(string); ok {
			set(rng.IntN(2) == 0)
			return val, "boolean at " + sp.ptr
		}
	}
	return val, "unchanged"
}

func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		a := make([]any, len(v))
		for i, e := range v {
			a[i] = deepCopy(e)
		}
		return a
	}
	return v
}
