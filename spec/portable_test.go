package spec_test

import (
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v3"
)

// yaml11Bool matches the plain scalars that YAML 1.1 parsers (ogen's, PyYAML, SnakeYAML) read
// as booleans although YAML 1.2 reads them as strings.
var yaml11Bool = regexp.MustCompile(`^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$`)

// TestNoYAML11Booleans fails on a plain (unquoted) string the spec means as a string but a YAML
// 1.1 parser reads as a boolean, such as the search operator `n` (is null).
func TestNoYAML11Booleans(t *testing.T) {
	buf, err := os.ReadFile(specPath())
	if err != nil {
		t.Fatal(err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(buf, &root); err != nil {
		t.Fatal(err)
	}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode && n.Style == 0 && yaml11Bool.MatchString(n.Value) {
			t.Errorf("line %d: plain %q is a boolean to YAML 1.1 parsers: quote it", n.Line, n.Value)
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&root)
	if !strings.Contains(string(buf), `- "n"`) {
		t.Error(`the search operator "n" is not quoted`)
	}
}

// TestSchemasPortable checks what other validators and generators need: no `nullable` without a
// `type` (OAS 3.0.3 ignores it, ajv refuses it), every tolerant scalar (x-go-type: scalar.*,
// dates aside) lists the other JSON types LeadSquared sends in x-lsq-also-types, and each 200
// that LeadSquared may replace with its error body says so in the schema (oneOf with Error).
func TestSchemasPortable(t *testing.T) {
	doc := loadSpec(t)
	validTypes := map[string]bool{"string": true, "integer": true, "number": true, "boolean": true, "object": true, "array": true}
	tolerant := 0
	var visit func(where string, s *openapi3.Schema, seen map[*openapi3.Schema]bool)
	visit = func(where string, s *openapi3.Schema, seen map[*openapi3.Schema]bool) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		if s.Nullable && (s.Type == nil || len(*s.Type) == 0) && len(s.OneOf)+len(s.AnyOf)+len(s.AllOf) == 0 {
			t.Errorf("%s: nullable without a type", where)
		}
		if gt, _ := s.Extensions["x-go-type"].(string); strings.HasPrefix(gt, "scalar.") && gt != "scalar.DateTime" {
			tolerant++
			also, ok := s.Extensions["x-lsq-also-types"].([]any)
			if !ok || len(also) == 0 {
				t.Errorf("%s: %s without x-lsq-also-types", where, gt)
			}
			for _, a := range also {
				if a, _ := a.(string); !validTypes[a] || s.Type.Is(a) {
					t.Errorf("%s: x-lsq-also-types %v: not another JSON type than %v", where, also, s.Type)
				}
			}
		}
		keys := make([]string, 0, len(s.Properties))
		for k := range s.Properties {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			visit(where+"."+k, s.Properties[k].Value, seen)
		}
		if s.Items != nil {
			visit(where+"[]", s.Items.Value, seen)
		}
		for _, alt := range s.OneOf {
			visit(where+"|", alt.Value, seen)
		}
	}
	for name, s := range doc.Components.Schemas {
		visit(name, s.Value, map[*openapi3.Schema]bool{})
	}
	if tolerant < 40 {
		t.Errorf("only %d tolerant scalars: are the x-go-type marks gone?", tolerant)
	}

	arrays := 0
	for id, o := range operations(doc) {
		ok := o.op.Responses.Status(200)
		s := ok.Value.Content.Get("application/json").Schema.Value
		if s.Extensions["x-lsq-error-body"] == nil {
			if s.Type.Is("array") {
				t.Errorf("%s: a 200 array without the error body LeadSquared may send instead (oneOf with Error)", id)
			}
			continue
		}
		arrays++
		if len(s.OneOf) != 2 || s.OneOf[1].Ref != "#/components/schemas/Error" || !s.OneOf[0].Value.Type.Is("array") {
			t.Errorf("%s: x-lsq-error-body needs oneOf [the array, Error]", id)
		}
		// The Go name of the item's schema: the name normalizer writes initialisms (Guid: GUID).
		if gt, _ := s.Extensions["x-go-type"].(string); !strings.EqualFold(gt, "[]"+s.OneOf[0].Value.Items.Ref[strings.LastIndex(s.OneOf[0].Value.Items.Ref, "/")+1:]) {
			t.Errorf("%s: x-go-type %q does not keep the Go model the array", id, gt)
		}
	}
	if arrays != 5 {
		t.Errorf("%d operations with an array 200 or its error body, want 5", arrays)
	}
}
