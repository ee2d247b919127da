package main

import (
	"sort"

	"github.com/getkin/kin-openapi/openapi3"
)

// Extensions of the spec that ./gen reads to shape the models of package api.
const (
	// extCustomFields marks a schema whose Go model gathers the custom fields (mx_* keys with
	// a string value) in a CustomFields map (api.CustomFields), read from and written as
	// top-level keys.
	extCustomFields = "x-lsq-custom-fields"
)

// shapeModels prepares the spec for oapi-codegen, without changing what it says about the
// wire: every component schema a response carries (and every x-lsq-custom-fields one) gets
// additionalProperties of raw JSON, so that its model keeps the attributes it does not type
// (AdditionalProperties) and writes them back unchanged; an x-lsq-custom-fields schema also
// gets a Go-only CustomFields field. gen/templates/oapi-codegen/additional-properties.tmpl writes their
// JSON methods. It returns the names of the schemas it shaped, sorted.
func shapeModels(doc *openapi3.T) []string {
	if doc.Components == nil {
		return nil
	}
	read := map[string]bool{}
	var visit func(ref *openapi3.SchemaRef)
	visit = func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil {
			return
		}
		if name, ok := componentName(ref.Ref); ok {
			if read[name] {
				return
			}
			read[name] = true
		}
		s := ref.Value
		for _, p := range s.Properties {
			visit(p)
		}
		visit(s.Items)
		visit(s.AdditionalProperties.Schema)
		for _, l := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
			for _, r := range l {
				visit(r)
			}
		}
	}
	if doc.Paths != nil {
		for _, item := range doc.Paths.Map() {
			for _, op := range item.Operations() {
				if op.Responses == nil {
					continue
				}
				for _, r := range op.Responses.Map() {
					if r.Value == nil {
						continue
					}
					for _, mt := range r.Value.Content {
						visit(mt.Schema)
					}
				}
			}
		}
	}
	var shaped []string
	for name, ref := range doc.Components.Schemas {
		s := ref.Value
		if s == nil || len(s.Properties) == 0 {
			continue
		}
		custom, _ := s.Extensions[extCustomFields].(bool)
		if !read[name] && !custom {
			continue
		}
		s.AdditionalProperties = openapi3.AdditionalProperties{Schema: &openapi3.SchemaRef{Value: &openapi3.Schema{
			Extensions: map[string]any{
				"x-go-type":        "json.RawMessage",
				"x-go-type-import": map[string]any{"path": "encoding/json"},
			},
		}}}
		if custom {
			s.Properties["CustomFields"] = &openapi3.SchemaRef{Value: &openapi3.Schema{
				Type:        &openapi3.Types{openapi3.TypeObject},
				Description: "The custom fields (mx_* keys with a string value), keyed by schema name. On the wire they are top-level keys, not one CustomFields object.",
				Extensions: map[string]any{
					"x-go-type":                       "CustomFields",
					"x-go-json-ignore":                true,
					"x-go-type-skip-optional-pointer": true,
				},
			}}
		}
		shaped = append(shaped, name)
	}
	sort.Strings(shaped)
	return shaped
}

// componentName returns the schema name of a reference to a component schema.
func componentName(ref string) (string, bool) {
	const prefix = "#/components/schemas/"
	if len(ref) > len(prefix) && ref[:len(prefix)] == prefix {
		return ref[len(prefix):], true
	}
	return "", false
}
