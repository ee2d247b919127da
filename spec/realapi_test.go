package spec_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// Facts about the real API that its docs pages do not show, seen by public code run against
// live accounts: the spec says them where a reader of each part will look.

// Query names match in any letter case: said once for the API and on every query parameter.
func TestQueryNamesCaseInsensitiveSaid(t *testing.T) {
	doc := loadSpec(t)
	if !strings.Contains(doc.Info.Description, "Query parameter names match case-insensitively") {
		t.Error("info.description does not say that query parameter names match case-insensitively")
	}
	n := 0
	for id, o := range operations(doc) {
		for _, p := range append(o.item.Parameters, o.op.Parameters...) {
			if p.Value.In != openapi3.ParameterInQuery {
				continue
			}
			n++
			if !strings.Contains(p.Value.Description, "in any letter case") {
				t.Errorf("%s: query parameter %s does not say its name matches in any letter case", id, p.Value.Name)
			}
		}
	}
	if n == 0 {
		t.Error("no query parameters found")
	}
}

// wantMedium are the response fields seen in real replies but not on the docs pages.
var wantMedium = []string{
	"UserListItem.AssociatedManagerEmail",
	"UserListItem.IsActive",
	"UserSearchRecord.Groups",
	"UserSearchRecord.IsAdministrator",
	"UserSearchRecord.StatusCode",
}

// Fields from real replies are optional, marked x-lsq-confidence: medium, and say where
// they come from; the fields that differ between Get Users and Advanced Search say how.
func TestFieldsFromRealReplies(t *testing.T) {
	doc := loadSpec(t)
	var got []string
	for name, s := range doc.Components.Schemas {
		for prop, p := range s.Value.Properties {
			c, ok := p.Value.Extensions["x-lsq-confidence"]
			if !ok {
				continue
			}
			where := name + "." + prop
			got = append(got, where)
			if c != "low" && c != "medium" {
				t.Errorf("%s: x-lsq-confidence = %v, want low or medium", where, c)
			}
			if slices.Contains(s.Value.Required, prop) {
				t.Errorf("%s: a field not on the docs page must be optional", where)
			}
			if !strings.Contains(p.Value.Description, "real replies") {
				t.Errorf("%s: the description must say the field was seen in real replies", where)
			}
		}
	}
	slices.Sort(got)
	if fmt.Sprint(got) != fmt.Sprint(wantMedium) {
		t.Errorf("properties marked x-lsq-confidence: %v, want %v", got, wantMedium)
	}
	prop := func(schema, name string) *openapi3.Schema {
		t.Helper()
		s := doc.Components.Schemas[schema]
		if s == nil || s.Value.Properties[name] == nil {
			t.Fatalf("%s.%s missing", schema, name)
		}
		return s.Value.Properties[name].Value
	}
	// StatusCode: a number in Get Users, a string in Advanced Search; each says so.
	if s := prop("UserListItem", "StatusCode"); !s.Type.Is("integer") || !strings.Contains(s.Description, "Advanced Search") {
		t.Errorf("UserListItem.StatusCode: type %v, description %q", s.Type, s.Description)
	}
	if s := prop("UserSearchRecord", "StatusCode"); !s.Type.Is("string") || !strings.Contains(s.Description, "Get Users") {
		t.Errorf("UserSearchRecord.StatusCode: type %v, description %q", s.Type, s.Description)
	}
	// Groups: an array (MemberOfGroups) in Get Users, one comma-joined string in Advanced Search.
	if s := prop("UserListItem", "MemberOfGroups"); !s.Type.Is("array") || !strings.Contains(s.Description, "comma-joined") {
		t.Errorf("UserListItem.MemberOfGroups: type %v, description %q", s.Type, s.Description)
	}
	if s := prop("UserSearchRecord", "Groups"); !s.Type.Is("string") || !strings.Contains(s.Description, "MemberOfGroups") {
		t.Errorf("UserSearchRecord.Groups: type %v, description %q", s.Type, s.Description)
	}
	// New scalars map to the tolerant Go types, as the others do.
	if s := prop("UserListItem", "IsActive"); s.Extensions["x-go-type"] != "scalar.Bool" {
		t.Errorf("UserListItem.IsActive: x-go-type %v, want scalar.Bool", s.Extensions["x-go-type"])
	}
}

// LeadSquared ignores body fields it does not know: no request schema may forbid them
// (the fake and `lsq validate` would reject what the real API accepts).
func TestRequestBodiesAllowUnknownFields(t *testing.T) {
	doc := loadSpec(t)
	seen := map[*openapi3.Schema]bool{}
	var walk func(where string, s *openapi3.SchemaRef)
	walk = func(where string, s *openapi3.SchemaRef) {
		if s == nil || s.Value == nil || seen[s.Value] {
			return
		}
		seen[s.Value] = true
		v := s.Value
		if h := v.AdditionalProperties.Has; h != nil && !*h {
			t.Errorf("%s: additionalProperties: false rejects fields LeadSquared ignores", where)
		}
		for name, p := range v.Properties {
			walk(where+"/"+name, p)
		}
		walk(where+"/items", v.Items)
		walk(where+"/additionalProperties", v.AdditionalProperties.Schema)
		for i, sub := range slices.Concat(v.AllOf, v.OneOf, v.AnyOf) {
			walk(fmt.Sprintf("%s/of/%d", where, i), sub)
		}
	}
	n := 0
	for id, o := range operations(doc) {
		if o.op.RequestBody == nil {
			continue
		}
		for _, mt := range o.op.RequestBody.Value.Content {
			n++
			walk(id+" request", mt.Schema)
		}
	}
	if n == 0 {
		t.Error("no request bodies found")
	}
}
