package validate

import (
	"strings"
	"sync"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

// The kinds of drift [Validator.Observe] reports (Observation.Kind).
const (
	// DriftUnknownAttribute is an attribute the spec does not list, in an object whose schema
	// does not allow others (no additionalProperties).
	DriftUnknownAttribute = "unknown-attribute"
	// DriftType is a value of another JSON type than the spec's, read by the models or not: a
	// number sent as a string counts, and so does 5.0 for an integer. Null is DriftNull.
	DriftType = "type"
	// DriftEnum is a value the spec's enum does not list.
	DriftEnum = "enum"
	// DriftMissingRequired is a required attribute left out.
	DriftMissingRequired = "missing-required"
	// DriftNull is a null where the spec does not say nullable.
	DriftNull = "null"
)

// Observation is one kind of drift at one place of a reply, found by [Validator.Observe]: the
// walk that validation refuses with, in the mode that refuses nothing.
type Observation struct {
	// Kind is one of the Drift constants.
	Kind string
	// Pointer is the JSON pointer of the value, with `*` for every array index.
	Pointer string
	// Attribute is the last key of Pointer ("" at the top or in an array).
	Attribute string
	// Schema is the JSONPath in spec/openapi.yaml of the schema to change: the object for
	// DriftUnknownAttribute and DriftMissingRequired, the value's schema otherwise.
	Schema string
	// SpecTypes and AlsoTypes are the JSON types the spec gives the value and those it
	// tolerates (x-lsq-also-types); nil for an unknown or missing attribute.
	SpecTypes, AlsoTypes []string
	// Count is how many values drifted this way in the reply.
	Count int
	// Types counts the JSON types of those values (none for DriftMissingRequired).
	Types map[string]int
	// Enum counts the values of a DriftEnum (at most MaxEnumValues, each cut to
	// MaxEnumValueLen bytes).
	Enum map[string]int
}

// Bounds on the enum values an Observation carries.
const (
	MaxEnumValues   = 20
	MaxEnumValueLen = 200
)

// observed is one drift of one reply, while walking.
type observed struct {
	kind    string
	pointer string
	node    int32
	attr    string
	count   int
	types   [numJSONTypes]int
	enum    map[string]int
}

var walkers = sync.Pool{New: func() any { return new(walker) }}

// Observe walks a 200 reply of operationID against the spec and returns how it drifted: nil
// when it matches, when the operation is unknown or when the reply is not JSON. It allocates
// only for what it returns.
func (v *Validator) Observe(operationID api.OperationID, body []byte) []Observation {
	t := checkTable()
	oc := t.ops[string(operationID)]
	if oc == nil {
		return nil
	}
	w := walkers.Get().(*walker)
	defer func() {
		w.release()
		walkers.Put(w)
	}()
	w.reset(t, observe, true, body)
	w.walk(oc.drift)
	if w.syntax || len(w.found) == 0 {
		return nil
	}
	out := make([]Observation, len(w.found))
	for i, f := range w.found {
		o := Observation{Kind: f.kind, Pointer: f.pointer, Attribute: f.attr, Count: f.count, Enum: f.enum}
		if f.node >= 0 {
			nd := &t.nodes[f.node]
			o.Schema = nd.loc
			if f.kind != DriftUnknownAttribute && f.kind != DriftMissingRequired {
				o.SpecTypes, o.AlsoTypes = nd.types.names(), nd.also.names()
			}
		}
		for k, c := range f.types {
			if c > 0 {
				if o.Types == nil {
					o.Types = map[string]int{}
				}
				o.Types[jsonTypeNames[k]] = c
			}
		}
		out[i] = o
	}
	return out
}

// observe counts one drift at the current path when observing; node is the schema of the
// value, or of the object for an unknown or missing attribute; t the value's type (0 for
// none); v an enum value.
func (w *walker) observe(kind string, node int32, t jsonType, v string) {
	if w.mode != observe {
		return
	}
	ptr := w.pointerBytes(nil)
	var f *observed
	for k := range w.found {
		if w.found[k].kind == kind && w.found[k].pointer == string(ptr) {
			f = &w.found[k]
			break
		}
	}
	if f == nil {
		attr := ""
		if w.leafSet {
			attr = string(w.leaf)
		} else if len(w.path) > 0 && !w.path[len(w.path)-1].array {
			attr = string(w.path[len(w.path)-1].key)
		}
		w.found = append(w.found, observed{kind: kind, pointer: string(ptr), node: node, attr: attr})
		f = &w.found[len(w.found)-1]
	}
	f.count++
	for k := 0; k < numJSONTypes; k++ {
		if t&(1<<k) != 0 {
			f.types[k]++
		}
	}
	if kind == DriftEnum {
		if len(v) > MaxEnumValueLen {
			v = strings.ToValidUTF8(v[:MaxEnumValueLen], "")
		}
		if f.enum == nil {
			f.enum = map[string]int{}
		}
		if _, ok := f.enum[v]; ok || len(f.enum) < MaxEnumValues {
			f.enum[v]++
		}
	}
}
