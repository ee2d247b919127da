package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"
)

// driftNode is what the drift table (drift.gen.go) knows of one schema of a 200 answer: its
// JSON types, enum, nullability, properties and items. Nodes are numbered; a component schema
// is one node however often it is referenced, so the table is a graph, not a tree.
type driftNode struct {
	Index    int
	Loc      string // JSONPath of the schema in the spec, for the overlay `lsq spec drift` writes
	Types    []string
	Also     []string // x-lsq-also-types
	Nullable bool
	Unknown  bool     // x-lsq-type-unknown: the type is a placeholder
	Enum     []string // strings as their value, numbers as their JSON text
	Props    []driftProp
	Required []string
	Open     bool // additionalProperties set: attributes besides Props are expected
	AddNode  int  // the node of additionalProperties values, -1 for any value
	Items    int  // the node of array items, -1 for any value
	// Custom is the node of the values of custom fields (mx_* keys, a string or null), -1 when
	// the schema has none (x-lsq-custom-fields).
	Custom int
}

type driftProp struct {
	Name string
	Node int
}

// driftRoot is the node of an operation's 200 answer.
type driftRoot struct {
	ID   string
	Node int
}

// driftTable builds the drift table of doc's 200 answers.
type driftTable struct {
	nodes []*driftNode
	seen  map[*openapi3.Schema]int
}

// driftTables returns the nodes and the root of each operation, sorted by operationId.
func driftTables(doc *openapi3.T) ([]*driftNode, []driftRoot, error) {
	t := &driftTable{seen: map[*openapi3.Schema]int{}}
	var roots []driftRoot
	paths := doc.Paths.InMatchingOrder()
	sort.Strings(paths)
	for _, path := range paths {
		item := doc.Paths.Value(path)
		for _, method := range []string{"get", "post", "put", "patch", "delete"} {
			op := item.GetOperation(strings.ToUpper(method))
			if op == nil {
				continue
			}
			ok := op.Responses.Status(200)
			if ok == nil || ok.Value == nil || ok.Value.Content.Get("application/json") == nil {
				return nil, nil, fmt.Errorf("%s: no JSON 200 response", op.OperationID)
			}
			loc := fmt.Sprintf("$.paths['%s'].%s.responses['200'].content['application/json'].schema", path, method)
			sref := ok.Value.Content.Get("application/json").Schema
			// oneOf [answer, Error] (x-lsq-error-body): an error body never reaches the drift
			// check (the client makes it an error first), so the answer's branch is the root.
			if s := sref.Value; s != nil && s.Extensions["x-lsq-error-body"] != nil && len(s.OneOf) == 2 {
				errRef, _ := s.Extensions["x-lsq-error-body"].(string)
				for i, alt := range s.OneOf {
					if alt.Ref == errRef {
						j := 1 - i
						sref, loc = s.OneOf[j], fmt.Sprintf("%s.oneOf[%d]", loc, j)
						break
					}
				}
			}
			n, err := t.node(sref, loc)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %w", op.OperationID, err)
			}
			// Keyed by the value of api.OperationID: the Go name of the operationId.
			roots = append(roots, driftRoot{ID: codegen.SchemaNameToTypeName(op.OperationID), Node: n})
		}
	}
	sort.Slice(roots, func(i, j int) bool { return roots[i].ID < roots[j].ID })
	return t.nodes, roots, nil
}

// node returns the index of the node of s, adding it (and what it holds) when new. loc is
// where an inline schema sits; a $ref's node sits at its component.
func (t *driftTable) node(sref *openapi3.SchemaRef, loc string) (int, error) {
	if sref == nil || sref.Value == nil {
		return -1, nil
	}
	s := sref.Value
	if i, ok := t.seen[s]; ok {
		return i, nil
	}
	if sref.Ref != "" {
		name, ok := strings.CutPrefix(sref.Ref, "#/components/schemas/")
		if !ok {
			return 0, fmt.Errorf("$ref %s: only #/components/schemas refs are supported", sref.Ref)
		}
		loc = "$.components.schemas." + name
	}
	if len(s.OneOf)+len(s.AnyOf)+len(s.AllOf) > 0 || s.Not != nil {
		return 0, fmt.Errorf("%s: oneOf, anyOf, allOf and not are not supported in a 200 answer (but for x-lsq-error-body)", loc)
	}
	n := &driftNode{Index: len(t.nodes), Loc: loc, Nullable: s.Nullable, AddNode: -1, Items: -1, Custom: -1}
	t.nodes = append(t.nodes, n)
	t.seen[s] = n.Index
	if custom, _ := s.Extensions["x-lsq-custom-fields"].(bool); custom {
		// mx_* keys besides the properties: strings (or null), whatever the field's type.
		c := &driftNode{Index: len(t.nodes), Loc: loc, Types: []string{"string"}, Nullable: true, AddNode: -1, Items: -1, Custom: -1}
		t.nodes = append(t.nodes, c)
		n.Custom = c.Index
	}
	if s.Type != nil {
		n.Types = append(n.Types, (*s.Type)...)
	}
	if also, ok := s.Extensions["x-lsq-also-types"].([]any); ok {
		for _, a := range also {
			if a, ok := a.(string); ok {
				n.Also = append(n.Also, a)
			}
		}
	}
	n.Unknown, _ = s.Extensions["x-lsq-type-unknown"].(bool)
	for _, e := range s.Enum {
		switch e := e.(type) {
		case string:
			n.Enum = append(n.Enum, e)
		case nil:
			// null in an enum: nullability says it
		default:
			b, err := json.Marshal(e)
			if err != nil {
				return 0, err
			}
			n.Enum = append(n.Enum, string(b))
		}
	}
	names := make([]string, 0, len(s.Properties))
	for name := range s.Properties {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		pn, err := t.node(s.Properties[name], loc+".properties"+jsonPathKey(name))
		if err != nil {
			return 0, err
		}
		n.Props = append(n.Props, driftProp{Name: name, Node: pn})
	}
	n.Required = append(n.Required, s.Required...)
	sort.Strings(n.Required)
	if ap := s.AdditionalProperties; ap.Has != nil && *ap.Has || ap.Schema != nil {
		n.Open = true
		if ap.Schema != nil {
			i, err := t.node(ap.Schema, loc+".additionalProperties")
			if err != nil {
				return 0, err
			}
			n.AddNode = i
		}
	}
	if s.Items != nil {
		i, err := t.node(s.Items, loc+".items")
		if err != nil {
			return 0, err
		}
		n.Items = i
	}
	return n.Index, nil
}

// jsonPathKey is the JSONPath step to a member: .name, or ['name'] when name is not a plain
// identifier.
func jsonPathKey(name string) string {
	plain := name != ""
	for i, r := range name {
		ident := r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9'
		plain = plain && ident
	}
	if plain {
		return "." + name
	}
	return "['" + strings.ReplaceAll(name, "'", `\'`) + "']"
}

// goTypes is the bit set of JSON types the table's Go code uses (jsonString|jsonInteger|...).
func goTypes(types []string) string {
	if len(types) == 0 {
		return "0"
	}
	parts := make([]string, len(types))
	for i, t := range types {
		parts[i] = "json" + strings.ToUpper(t[:1]) + t[1:]
	}
	return strings.Join(parts, "|")
}

// goStrings is a Go []string literal of ss, nil when empty.
func goStrings(ss []string) string {
	if len(ss) == 0 {
		return "nil"
	}
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return "[]string{" + strings.Join(q, ", ") + "}"
}
