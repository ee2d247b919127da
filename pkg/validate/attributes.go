package validate

import (
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Extensions of the spec that request validation reads beside the schema keywords.
const (
	// extClosed marks an object whose keys must be its properties or custom fields (mx_*):
	// OpenAPI 3.0 has no patternProperties to say it (UserUpdateFields).
	extClosed = "x-lsq-closed"
	// extAttributeOf marks a string that must name a property of the component schema it
	// names, or a custom field (the Attribute of Update Users in Bulk).
	extAttributeOf = "x-lsq-attribute-of"
)

// isCustomField reports whether name is a custom field's schema name: mx_ in any letter case,
// then at least one character.
func isCustomField(name string) bool {
	return len(name) > 3 && strings.EqualFold(name[:3], "mx_")
}

// attributeFailures walks a request body along its schema and reports the keys of x-lsq-closed
// objects that are neither properties nor custom fields, and the x-lsq-attribute-of strings
// that name no attribute. doc resolves x-lsq-attribute-of's schema name.
func attributeFailures(fs []Failure, doc *openapi3.T, s *openapi3.Schema, val any, pointer string) []Failure {
	if s == nil {
		return fs
	}
	switch v := val.(type) {
	case map[string]any:
		closed, _ := s.Extensions[extClosed].(bool)
		for key, child := range v {
			p, ok := s.Properties[key]
			if !ok {
				if closed && !isCustomField(key) {
					fs = append(fs, Failure{In: InBody, Pointer: pointer + "/" + escapeToken(key), Rule: "additionalProperties",
						Message: "not an attribute of the spec nor a custom field (mx_*)"})
				}
				continue
			}
			if p != nil {
				fs = attributeFailures(fs, doc, p.Value, child, pointer+"/"+escapeToken(key))
			}
		}
	case []any:
		if s.Items != nil {
			for i, el := range v {
				fs = attributeFailures(fs, doc, s.Items.Value, el, pointer+"/"+strconv.Itoa(i))
			}
		}
	case string:
		name, _ := s.Extensions[extAttributeOf].(string)
		if name == "" || doc == nil || doc.Components == nil || isCustomField(v) {
			break
		}
		if of := doc.Components.Schemas[name]; of != nil && of.Value != nil {
			if _, ok := of.Value.Properties[v]; !ok {
				fs = append(fs, Failure{In: InBody, Pointer: pointer, Rule: "attribute",
					Message: "not an attribute of " + name + " nor a custom field (mx_*)"})
			}
		}
	}
	return fs
}
