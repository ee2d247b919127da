package validate

import (
	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

// Schema is a read-only view of one schema of the checker's table: what tools that walk
// payloads along the spec read (the fake's drifting replies, lsq spec drift's overlays)
// without loading the spec. The zero Schema is no schema: any value.
type Schema struct {
	t *table
	n int32
}

// ReplySchema returns the schema of the 200 answer of operationID that drift reports walk
// (the answer's branch of an x-lsq-error-body oneOf).
func ReplySchema(operationID api.OperationID) (Schema, bool) {
	t := checkTable()
	op, ok := api.LookupOperation(operationID)
	if !ok {
		return Schema{}, false
	}
	oc := t.ops[string(op.ID)]
	if oc == nil {
		return Schema{}, false
	}
	return Schema{t, oc.drift}, true
}

// SchemaAt returns the schema at a JSONPath of the spec as drift reports give it
// ($.components.schemas.User.properties.Role).
func SchemaAt(loc string) (Schema, bool) {
	t := checkTable()
	for i := range t.nodes {
		if t.nodes[i].loc == loc {
			return Schema{t, int32(i)}, true
		}
	}
	return Schema{}, false
}

func (s Schema) node() *node {
	if s.t == nil || s.n < 0 {
		return nil
	}
	return &s.t.nodes[s.n]
}

// Exists reports whether s is a schema (not "any value").
func (s Schema) Exists() bool { return s.node() != nil }

// Loc is the schema's JSONPath in the spec.
func (s Schema) Loc() string {
	if n := s.node(); n != nil {
		return n.loc
	}
	return ""
}

// Is reports whether the schema's type is t ("object", "integer", ...).
func (s Schema) Is(t string) bool {
	n := s.node()
	if n == nil {
		return false
	}
	for _, name := range n.types.names() {
		if name == t {
			return true
		}
	}
	return false
}

// AlsoTypes are the other JSON types the spec tolerates (x-lsq-also-types), in the table's
// order (string, integer, number, boolean).
func (s Schema) AlsoTypes() []string {
	if n := s.node(); n != nil {
		return n.also.names()
	}
	return nil
}

// TypeUnknown reports whether the type is a placeholder (x-lsq-type-unknown).
func (s Schema) TypeUnknown() bool { n := s.node(); return n != nil && n.unknownType }

// GoType reports whether the schema names its Go type (x-go-type): a tolerant scalar.
func (s Schema) GoType() bool { n := s.node(); return n != nil && n.goType }

// Enum lists the allowed values: strings as such, numbers as their JSON text.
func (s Schema) Enum() []string {
	if n := s.node(); n != nil {
		return n.enum
	}
	return nil
}

// Property returns the schema of the attribute name; false when the schema does not list it.
func (s Schema) Property(name string) (Schema, bool) {
	n := s.node()
	if n == nil {
		return Schema{}, false
	}
	k, ok := n.props[name]
	if !ok {
		return Schema{}, false
	}
	return Schema{s.t, n.children[k]}, true
}

// AdditionalProperties returns the schema of attributes the schema does not list, and
// whether it allows them at all (additionalProperties).
func (s Schema) AdditionalProperties() (Schema, bool) {
	n := s.node()
	if n == nil {
		return Schema{}, true
	}
	return Schema{s.t, n.addNode}, n.open
}

// Required lists the required attributes, in the spec's order.
func (s Schema) Required() []string {
	n := s.node()
	if n == nil {
		return nil
	}
	out := make([]string, len(n.required))
	for i, r := range n.required {
		out[i] = n.names[r]
	}
	return out
}

// Items returns the schema of an array's items.
func (s Schema) Items() Schema {
	if n := s.node(); n != nil {
		return Schema{s.t, n.items}
	}
	return Schema{}
}
