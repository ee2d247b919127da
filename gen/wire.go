package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"
)

// wire is the vocabulary of the wire that the templates write into package api, so that the
// client, the fake (lsqtest) and lsq share one spelling of each name.
type wire struct {
	// Credentials are the security schemes: where the keys go and under which name.
	Credentials []credential
	// Exceptions are the ExceptionType values the spec lists (x-lsq-exception-types on the
	// Error schema's ExceptionType).
	Exceptions []exceptionType
	// Query lists, by operation, the query parameters the spec names, as it spells them.
	Query []opQuery
}

// credential is one security scheme: Name is the Go name of the scheme (AccessKeyHeader),
// Key its name on the wire (x-LSQ-AccessKey), In "query" or "header".
type credential struct{ Name, Key, In, Description string }

// exceptionType is one ExceptionType value of LeadSquared's error body.
type exceptionType struct{ Name, Value, Description, Confidence string }

// opQuery is an operation and its query parameters.
type opQuery struct {
	Name   string // Go name of the operation (GetUserByID)
	Params []string
}

func wireVocabulary(doc *openapi3.T, ops []operation) (wire, error) {
	var w wire
	if doc.Components == nil || doc.Components.Schemas["Error"] == nil || doc.Components.Schemas["Error"].Value == nil {
		return w, fmt.Errorf("no Error schema")
	}
	for name, ref := range doc.Components.SecuritySchemes {
		s := ref.Value
		if s == nil || s.Type != "apiKey" || (s.In != "query" && s.In != "header") {
			return w, fmt.Errorf("security scheme %s: only apiKey schemes in the query or a header are supported", name)
		}
		w.Credentials = append(w.Credentials, credential{
			Name: codegen.SchemaNameToTypeName(name), Key: s.Name, In: s.In, Description: strings.TrimSpace(s.Description),
		})
	}
	sort.Slice(w.Credentials, func(i, j int) bool { return w.Credentials[i].Name < w.Credentials[j].Name })

	prop := doc.Components.Schemas["Error"].Value.Properties["ExceptionType"]
	if prop == nil || prop.Value == nil {
		return w, fmt.Errorf("the Error schema has no ExceptionType")
	}
	list, ok := prop.Value.Extensions["x-lsq-exception-types"].([]any)
	if !ok {
		return w, fmt.Errorf("Error.ExceptionType: x-lsq-exception-types is not a list")
	}
	seen := map[string]bool{}
	for i, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			return w, fmt.Errorf("x-lsq-exception-types[%d] is not an object", i)
		}
		e := exceptionType{}
		e.Value, _ = m["value"].(string)
		e.Description, _ = m["description"].(string)
		e.Confidence, _ = m["x-lsq-confidence"].(string)
		e.Description = strings.TrimSpace(e.Description)
		if !strings.HasPrefix(e.Value, "MX") || e.Description == "" {
			return w, fmt.Errorf("x-lsq-exception-types[%d]: each needs a value starting with MX and a description", i)
		}
		switch e.Confidence {
		case "high", "medium", "low":
		default:
			return w, fmt.Errorf("x-lsq-exception-types %s: x-lsq-confidence must be high, medium or low", e.Value)
		}
		e.Name, _ = m["go-name"].(string)
		if e.Name == "" {
			e.Name = strings.TrimSuffix(strings.TrimPrefix(e.Value, "MX"), "Exception")
		}
		if seen[e.Name] || seen[e.Value] {
			return w, fmt.Errorf("x-lsq-exception-types: %s is listed twice", e.Value)
		}
		seen[e.Name], seen[e.Value] = true, true
		w.Exceptions = append(w.Exceptions, e)
	}

	for _, o := range ops {
		item := doc.Paths.Find(o.Path)
		op := item.GetOperation(o.Method)
		q := opQuery{Name: o.Name}
		for _, p := range append(append(openapi3.Parameters{}, item.Parameters...), op.Parameters...) {
			if p.Value != nil && p.Value.In == openapi3.ParameterInQuery {
				q.Params = append(q.Params, p.Value.Name)
			}
		}
		if len(q.Params) > 0 {
			w.Query = append(w.Query, q)
		}
	}
	return w, nil
}

// lowerFirst is name with its first letter in lower case: the fake's handler of an operation.
func lowerFirst(name string) string {
	if name == "" {
		return name
	}
	return strings.ToLower(name[:1]) + name[1:]
}
