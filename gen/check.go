package main

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"
)

// checkNode is what the checker's table (pkg/validate/check.gen.go) knows of one schema of a
// request body, a query parameter or a reply: its JSON types, enum, nullability, properties,
// items and bounds. Nodes are numbered; a component schema is one node however often it is
// referenced, so the table is a graph, not a tree.
type checkNode struct {
	Index    int
	Loc      string // JSONPath of the schema in the spec, for the overlay `lsq spec drift` writes
	Types    []string
	Also     []string // x-lsq-also-types
	Nullable bool
	Unknown  bool     // x-lsq-type-unknown: the type is a placeholder
	Enum     []string // strings as their value, numbers as their JSON text
	Props    []checkProp
	Required []string
	// RequiredIdx are the indexes in Props of Required, in the spec's order.
	RequiredIdx []int
	// GoType is set when the schema names its Go type (x-go-type): a tolerant scalar of
	// package scalar, which reads values the schema does not list.
	GoType  bool
	Open    bool // additionalProperties set: attributes besides Props are expected
	AddNode int  // the node of additionalProperties values, -1 for any value
	Items   int  // the node of array items, -1 for any value
	// Custom is the node of the values of custom fields (mx_* keys, a string or null), -1 when
	// the schema has none (x-lsq-custom-fields).
	Custom int
	// AttrOf is the node whose attributes (or a custom field) a string must name
	// (x-lsq-attribute-of), -1 when none.
	AttrOf             int
	MinLen, MaxLen     int // -1 when unset
	MinItems, MaxItems int // -1 when unset
	HasMin, HasMax     bool
	Min, Max           float64
	Pattern            string
	Format             string
	// OneOf lists the alternatives of an x-lsq-error-body answer: the answer and the Error
	// body, told apart by JSON type.
	OneOf []int
}

type checkProp struct {
	Name string
	Node int
}

// checkParam is a query parameter of an operation.
type checkParam struct {
	Name     string
	Required bool
	Node     int
}

// checkReply is the schema of an operation's reply with one status ("200", "4XX", "default").
type checkReply struct {
	Status string
	Node   int  // -1: any body (no JSON schema)
	JSON   bool // the reply is documented as JSON
}

// checkOp is what the checker knows of one operation: its body, query and replies. Drift is
// the node of its 200 answer that drift reports walk (the answer's branch of an
// x-lsq-error-body oneOf).
type checkOp struct {
	ID           string // the Go name of the operationId
	Body         int    // -1: no JSON body
	BodyRequired bool
	Query        []checkParam
	Replies      []checkReply
	Drift        int
}

// checkTable builds the checker's table of doc.
type checkTable struct {
	doc   *openapi3.T
	nodes []*checkNode
	seen  map[*openapi3.Schema]int
}

// checkTables returns the nodes, the operations (sorted by Go name) and the node of the Error
// schema (-1 when the spec has none).
func checkTables(doc *openapi3.T) ([]*checkNode, []checkOp, int, error) {
	t := &checkTable{doc: doc, seen: map[*openapi3.Schema]int{}}
	errNode := -1
	if doc.Components != nil && doc.Components.Schemas["Error"] != nil {
		var err error
		if errNode, err = t.node(doc.Components.Schemas["Error"], "$.components.schemas.Error"); err != nil {
			return nil, nil, 0, err
		}
	}
	var ops []checkOp
	paths := doc.Paths.InMatchingOrder()
	sort.Strings(paths)
	for _, path := range paths {
		item := doc.Paths.Value(path)
		for _, method := range []string{"get", "post", "put", "patch", "delete"} {
			op := item.GetOperation(strings.ToUpper(method))
			if op == nil {
				continue
			}
			o, err := t.operation(path, method, item, op)
			if err != nil {
				return nil, nil, 0, fmt.Errorf("%s: %w", op.OperationID, err)
			}
			ops = append(ops, o)
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].ID < ops[j].ID })
	return t.nodes, ops, errNode, nil
}

func (t *checkTable) operation(path, method string, item *openapi3.PathItem, op *openapi3.Operation) (checkOp, error) {
	// Keyed by the value of api.OperationID: the Go name of the operationId.
	o := checkOp{ID: codegen.SchemaNameToTypeName(op.OperationID), Body: -1, Drift: -1}
	base := fmt.Sprintf("$.paths['%s'].%s", path, method)
	for i, p := range append(append(openapi3.Parameters{}, item.Parameters...), op.Parameters...) {
		if p.Value == nil || p.Value.In != openapi3.ParameterInQuery {
			continue
		}
		n, err := t.node(p.Value.Schema, fmt.Sprintf("%s.parameters[%d].schema", base, i))
		if err != nil {
			return o, err
		}
		o.Query = append(o.Query, checkParam{Name: p.Value.Name, Required: p.Value.Required, Node: n})
	}
	if rb := op.RequestBody; rb != nil && rb.Value != nil {
		o.BodyRequired = rb.Value.Required
		if mt := rb.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
			n, err := t.node(mt.Schema, base+".requestBody.content['application/json'].schema")
			if err != nil {
				return o, err
			}
			o.Body = n
		}
	}
	statuses := make([]string, 0, op.Responses.Len())
	for status := range op.Responses.Map() {
		statuses = append(statuses, status)
	}
	sort.Strings(statuses)
	for _, status := range statuses {
		r := op.Responses.Value(status)
		if r == nil || r.Value == nil {
			continue
		}
		reply := checkReply{Status: status, Node: -1}
		if mt := r.Value.Content.Get("application/json"); mt != nil {
			reply.JSON = true
			loc := fmt.Sprintf("%s.responses['%s'].content['application/json'].schema", base, status)
			n, err := t.node(mt.Schema, loc)
			if err != nil {
				return o, err
			}
			reply.Node = n
			if status == "200" {
				o.Drift = n
				if nn := t.nodes[n]; len(nn.OneOf) == 2 {
					// oneOf [answer, Error] (x-lsq-error-body): an error body never reaches the
					// drift check (the client makes it an error first), so the answer's
					// branch is the root of drift reports.
					for _, alt := range nn.OneOf {
						if t.nodes[alt].Loc != "$.components.schemas.Error" {
							o.Drift = alt
						}
					}
				}
			}
		}
		o.Replies = append(o.Replies, reply)
	}
	if o.Drift < 0 {
		return o, fmt.Errorf("no JSON 200 response")
	}
	return o, nil
}

// node returns the index of the node of s, adding it (and what it holds) when new. loc is
// where an inline schema sits; a $ref's node sits at its component.
func (t *checkTable) node(sref *openapi3.SchemaRef, loc string) (int, error) {
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
	errBody, _ := s.Extensions["x-lsq-error-body"].(string)
	if len(s.AnyOf)+len(s.AllOf) > 0 || s.Not != nil || len(s.OneOf) > 0 && (errBody == "" || len(s.OneOf) != 2) {
		return 0, fmt.Errorf("%s: oneOf (but for x-lsq-error-body), anyOf, allOf and not are not supported", loc)
	}
	if s.ExclusiveMin || s.ExclusiveMax || s.MultipleOf != nil || s.UniqueItems || s.MinProps != 0 || s.MaxProps != nil {
		return 0, fmt.Errorf("%s: exclusiveMinimum, exclusiveMaximum, multipleOf, uniqueItems, minProperties and maxProperties are not supported", loc)
	}
	if s.Format != "" && s.Format != "double" && s.Format != "float" && s.Format != "int32" && s.Format != "int64" {
		return 0, fmt.Errorf("%s: format %q is not supported", loc, s.Format)
	}
	n := &checkNode{Index: len(t.nodes), Loc: loc, Nullable: s.Nullable, AddNode: -1, Items: -1, Custom: -1, AttrOf: -1,
		MinLen: int(s.MinLength), MaxLen: -1, MinItems: int(s.MinItems), MaxItems: -1, Pattern: s.Pattern, Format: s.Format}
	if s.MinLength == 0 {
		n.MinLen = -1
	}
	if s.MinItems == 0 {
		n.MinItems = -1
	}
	if s.MaxLength != nil {
		n.MaxLen = int(*s.MaxLength)
	}
	if s.MaxItems != nil {
		n.MaxItems = int(*s.MaxItems)
	}
	if s.Min != nil {
		n.HasMin, n.Min = true, *s.Min
	}
	if s.Max != nil {
		n.HasMax, n.Max = true, *s.Max
	}
	if math.IsInf(n.Min, 0) || math.IsInf(n.Max, 0) {
		return 0, fmt.Errorf("%s: infinite bound", loc)
	}
	t.nodes = append(t.nodes, n)
	t.seen[s] = n.Index
	for i, alt := range s.OneOf {
		a, err := t.node(alt, fmt.Sprintf("%s.oneOf[%d]", loc, i))
		if err != nil {
			return 0, err
		}
		n.OneOf = append(n.OneOf, a)
	}
	if len(n.OneOf) == 2 {
		a, b := t.nodes[n.OneOf[0]], t.nodes[n.OneOf[1]]
		if len(a.Types) != 1 || len(b.Types) != 1 || a.Types[0] == b.Types[0] {
			return 0, fmt.Errorf("%s: the alternatives of x-lsq-error-body must have one JSON type each, not the same", loc)
		}
	}
	if custom, _ := s.Extensions["x-lsq-custom-fields"].(bool); custom {
		// mx_* keys besides the properties: strings (or null), whatever the field's type.
		c := &checkNode{Index: len(t.nodes), Loc: loc, Types: []string{"string"}, Nullable: true, AddNode: -1, Items: -1, Custom: -1,
			AttrOf: -1, MinLen: -1, MaxLen: -1, MinItems: -1, MaxItems: -1}
		t.nodes = append(t.nodes, c)
		n.Custom = c.Index
	}
	if name, ok := s.Extensions["x-lsq-attribute-of"].(string); ok {
		of := t.doc.Components.Schemas[name]
		if of == nil {
			return 0, fmt.Errorf("%s: x-lsq-attribute-of names %s, not a component schema", loc, name)
		}
		i, err := t.node(of, "$.components.schemas."+name)
		if err != nil {
			return 0, err
		}
		n.AttrOf = i
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
	n.GoType = s.Extensions["x-go-type"] != nil
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
	if len(names) > 128 {
		return 0, fmt.Errorf("%s: more than 128 properties", loc)
	}
	for _, name := range names {
		pn, err := t.node(s.Properties[name], loc+".properties"+jsonPathKey(name))
		if err != nil {
			return 0, err
		}
		n.Props = append(n.Props, checkProp{Name: name, Node: pn})
	}
	n.Required = append(n.Required, s.Required...)
	for _, r := range n.Required { // in the spec's order: lsq spec drift's overlay removes by index
		i := sort.SearchStrings(names, r)
		if i == len(names) || names[i] != r {
			return 0, fmt.Errorf("%s: required %s is not a property", loc, r)
		}
		n.RequiredIdx = append(n.RequiredIdx, i)
	}
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

// goFloat is a Go literal of a bound.
func goFloat(f float64) string {
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// goInts is a Go []int32 literal of is.
func goInts(is []int) string {
	q := make([]string, len(is))
	for i, n := range is {
		q[i] = strconv.Itoa(n)
	}
	return "[]int32{" + strings.Join(q, ", ") + "}"
}

// basePath is the path of the spec's first server URL: "https://{host}/v2" is "/v2".
func basePath(doc *openapi3.T) string {
	if len(doc.Servers) == 0 {
		return ""
	}
	u := doc.Servers[0].URL
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
	}
	if i := strings.Index(u, "/"); i >= 0 {
		return strings.TrimRight(u[i:], "/")
	}
	return ""
}
