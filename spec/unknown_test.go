package spec_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

// Attributes a reply may carry beyond the spec: one LeadSquared might add, and a custom field.
var unknownAttributes = map[string]any{
	"X_Drift_Attribute": map[string]any{"n": []any{1.0, "two", nil}},
	"X_Drift_Null":      nil,
	"mx_Region":         "North",
}

// TestReadModelsKeepUnknownAttributes decodes the 200 example of every operation through the
// generated client with unknown attributes (and a custom field, mx_Region) added to every
// object of the reply, writes the model back, and finds each of them, unchanged, where it was:
// no read model drops what LeadSquared sends.
func TestReadModelsKeepUnknownAttributes(t *testing.T) {
	r := newReplayer(t)
	objects := 0
	for _, e := range examples200(loadSpec(t)) {
		if e.value == nil {
			continue
		}
		in := inject(clone(e.value), e.schema)
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		back, err := json.Marshal(r.decode(t, e.id, b))
		if err != nil {
			t.Fatalf("%s: writing the model back: %v", e.id, err)
		}
		var got any
		if err := json.Unmarshal(back, &got); err != nil {
			t.Fatal(err)
		}
		objects += kept(t, e.id, "", in, got)
	}
	if objects < 30 {
		t.Errorf("only %d objects checked", objects)
	}
	t.Logf("%d objects kept every unknown attribute", objects)
}

// inject adds unknownAttributes to every object of v that is a model (a schema with
// properties; not a dictionary such as OtherDetails); s is v's schema.
func inject(v any, s *openapi3.Schema) any {
	if s == nil {
		return v
	}
	switch v := v.(type) {
	case map[string]any:
		if len(s.Properties) == 0 {
			return v
		}
		for k, x := range v {
			if p := s.Properties[k]; p != nil {
				v[k] = inject(x, p.Value)
			}
		}
		for k, x := range unknownAttributes {
			v[k] = clone(x)
		}
		v[markKey] = true
	case []any:
		if s.Items != nil {
			for i, x := range v {
				v[i] = inject(x, s.Items.Value)
			}
		}
	}
	return v
}

// markKey marks the objects inject added attributes to.
const markKey = "X_Drift_Marked"

// kept checks that every unknown attribute of want is in got, unchanged, and recurses into
// what both have; it returns the number of objects checked.
func kept(t *testing.T, id, path string, want, got any) int {
	t.Helper()
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			t.Errorf("%s: %s: written back as %T", id, path, got)
			return 0
		}
		if w[markKey] != true {
			return 0
		}
		n := 1
		for k, x := range unknownAttributes {
			if v, found := g[k]; !found || !reflect.DeepEqual(v, x) {
				t.Errorf("%s: %s/%s: written back as %v (found %v), want %v", id, path, k, v, found, x)
			}
		}
		for k, x := range w {
			if _, unknown := unknownAttributes[k]; unknown || strings.HasPrefix(k, "X_Drift") {
				continue
			}
			if y, found := g[k]; found {
				n += kept(t, id, path+"/"+k, x, y)
			}
		}
		return n
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			t.Errorf("%s: %s: written back as %v", id, path, got)
			return 0
		}
		n := 0
		for i := range w {
			n += kept(t, id, path, w[i], g[i])
		}
		return n
	}
	return 0
}

// clone copies a JSON value.
func clone(v any) any {
	b, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

// The models find every key of a reply, whatever JSON puts in the values: escapes in keys,
// brackets inside strings, nested arrays, white space, numbers and literals.
func TestReadModelsScanAwkwardJSON(t *testing.T) {
	const reply = ` { "UserId" : "u1", "X\u0041" : {"s":"}{][\"","n":[[],{}]} ,"mx_Custom_1":"q\"x",
		"Arr":[{"a":"]"},2,"[{"], "n" : -1.5e3 , "t":true,"nul":null, "mx_Num": 7 ,"FirstName":"Ada"} `
	var u api.User
	if err := json.Unmarshal([]byte(reply), &u); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"XA": `{"s":"}{][\"","n":[[],{}]}`, "Arr": `[{"a":"]"},2,"[{"]`, "n": `-1.5e3`, "t": `true`, "nul": `null`, "mx_Num": `7`,
	}
	got := map[string]string{}
	for k, v := range u.AdditionalProperties {
		got[k] = string(v)
	}
	if !reflect.DeepEqual(got, want) || u.ID != "u1" || u.FirstName != "Ada" ||
		!reflect.DeepEqual(u.CustomFields, api.CustomFields{"mx_Custom_1": `q"x`}) {
		t.Fatalf("read %+v\nextra %v\nwant %v", u, got, want)
	}
	back, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	var a, b map[string]any
	if err := json.Unmarshal([]byte(reply), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(back, &b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Errorf("written back as %s", back)
	}
}
