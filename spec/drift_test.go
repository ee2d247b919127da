package spec_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestResponsesTolerateScalarDrift decodes the 200 example of every operation through the
// generated client, with each scalar the models read tolerantly (x-go-type: scalar.*) replaced,
// one at a time, by each of the other JSON forms LeadSquared sends it in (true as "true",
// "True", 1, "1"; 5 as "5", 5.0, "5.0"; dates in RFC 3339; and "" and null). Decoding never
// fails, and a form of the same value decodes to the same model.
func TestResponsesTolerateScalarDrift(t *testing.T) {
	r := newReplayer(t)
	forms := 0
	for _, e := range examples200(loadSpec(t)) {
		if e.value == nil {
			t.Errorf("%s: no 200 example", e.id)
			continue
		}
		base, err := json.Marshal(e.value)
		if err != nil {
			t.Fatal(err)
		}
		want := r.decode(t, e.id, base)
		for _, d := range drifts(e.schema, e.value, nil) {
			forms++
			changed, err := json.Marshal(replace(e.value, d.path, d.value))
			if err != nil {
				t.Fatal(err)
			}
			got := r.decode(t, e.id, changed)
			if d.same && !reflect.DeepEqual(got, want) {
				t.Errorf("%s: /%s as %s (%s) decodes to\n%+v\nwant\n%+v", e.id, strings.Join(d.path, "/"), mustJSON(d.value), d.kind, got, want)
			}
		}
	}
	if forms < 100 {
		t.Errorf("only %d drifted forms tried: are the x-go-type marks gone?", forms)
	}
	t.Logf("%d drifted forms decoded", forms)
}

// drift is one replacement of one scalar of an example.
type drift struct {
	path  []string // object keys and array indexes
	value any
	same  bool   // the replacement means the same value (else it is "" or null: zero)
	kind  string // the scalar type
}

// drifts lists the replacements of every tolerant scalar in v, whose schema is s.
func drifts(s *openapi3.Schema, v any, path []string) []drift {
	if s == nil {
		return nil
	}
	if kind, ok := s.Extensions["x-go-type"].(string); ok && strings.HasPrefix(kind, "scalar.") {
		return forms(kind, v, path)
	}
	var out []drift
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p := s.Properties[k]; p != nil {
				out = append(out, drifts(p.Value, v[k], append(append([]string{}, path...), k))...)
			}
		}
	case []any:
		if s.Items != nil {
			for i, e := range v {
				out = append(out, drifts(s.Items.Value, e, append(append([]string{}, path...), strconv.Itoa(i)))...)
			}
		}
	}
	return out
}

func forms(kind string, v any, path []string) []drift {
	var same []any
	switch kind {
	case "scalar.Bool", "scalar.StringBool":
		b, _ := v.(bool)
		if s, ok := v.(string); ok {
			b = s == "true"
		}
		if b {
			same = []any{true, "true", "True", "TRUE", 1, "1"}
		} else {
			same = []any{false, "false", "False", 0, "0", "", nil}
		}
	case "scalar.Int", "scalar.StringInt":
		n, err := strconv.ParseFloat(fmt.Sprint(v), 64)
		if err != nil || v == nil {
			break
		}
		same = []any{int64(n), strconv.FormatInt(int64(n), 10), json.Number(strconv.FormatInt(int64(n), 10) + ".0"), strconv.FormatInt(int64(n), 10) + ".0"}
	case "scalar.Float":
		f, err := strconv.ParseFloat(fmt.Sprint(v), 64)
		if err != nil || v == nil {
			break
		}
		same = []any{f, strconv.FormatFloat(f, 'f', -1, 64)}
	case "scalar.DateTime":
		s, _ := v.(string)
		tm, err := time.Parse(time.DateTime, s)
		if err != nil {
			break
		}
		same = []any{s, tm.Format(time.RFC3339), tm.In(time.FixedZone("IST", 19800)).Format(time.RFC3339)}
	case "scalar.String":
		s, _ := v.(string)
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && strconv.FormatInt(n, 10) == s {
			same = []any{s, json.Number(s)}
		}
	}
	var out []drift
	for _, f := range same {
		out = append(out, drift{path: path, value: f, same: true, kind: kind})
	}
	for _, z := range []any{"", nil} {
		out = append(out, drift{path: path, value: z, same: v == z || (z == "" && v == nil), kind: kind})
	}
	return out
}

// replace returns a deep copy of v with the value at path set to nv.
func replace(v any, path []string, nv any) any {
	if len(path) == 0 {
		return nv
	}
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = e
		}
		m[path[0]] = replace(v[path[0]], path[1:], nv)
		return m
	case []any:
		i, _ := strconv.Atoi(path[0])
		s := append([]any{}, v...)
		s[i] = replace(v[i], path[1:], nv)
		return s
	}
	panic(fmt.Sprintf("path %v does not fit %T", path, v))
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
