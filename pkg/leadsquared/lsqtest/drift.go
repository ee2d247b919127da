package lsqtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/validate"
)

// Drift says how the fake's 200 replies drift from the spec on purpose ([WithDrift]), so that
// a test can check what leadsquared.WithDriftReport or `lsq spec drift` find. Each kind of
// drift keeps the reply readable by the client's models.
type Drift struct {
	// ExtraAttributes adds the attribute "LsqtestDrift": 1 to every object whose schema lists
	// its attributes (no additionalProperties).
	ExtraAttributes bool
	// OtherTypes sends every scalar that lists other JSON types (x-lsq-also-types) in the
	// first of them: true as "true", 5 as "5", "5" as 5 (when it is a number). An enum that
	// NewEnumValues drifts is left in its type.
	OtherTypes bool
	// NewEnumValues sends every enum value the models read whatever it is (a plain string or
	// number, not a tolerant type) as one the spec does not list: "LSQTEST_NEW", or 7.
	NewEnumValues bool
	// MissingAttributes leaves out the first required attribute of every object that has one.
	MissingAttributes bool
}

// AllDrift is every kind of drift.
var AllDrift = Drift{ExtraAttributes: true, OtherTypes: true, NewEnumValues: true, MissingAttributes: true}

// The attribute, string and number the fake adds or sends when it drifts.
const (
	DriftAttribute = "LsqtestDrift"
	DriftEnumValue = "LSQTEST_NEW"
	DriftEnumInt   = 7
)

// InjectedDrift is one drift the fake injected: where, in the terms of leadsquared.DriftReport
// (Kind is its DriftKind: "unknown-attribute", "type", "enum", "missing-required"; Pointer a
// JSON pointer with * for every array index).
type InjectedDrift struct {
	Operation api.OperationID
	Pointer   string
	Kind      string
}

// WithDrift makes the server's 200 replies drift from the spec as d says; [Server.Drifted]
// lists what it injected.
func WithDrift(d Drift) Option {
	return func(c *config) error {
		if d == (Drift{}) {
			return errors.New("lsqtest: WithDrift: no kind of drift chosen")
		}
		c.drift = &d
		return nil
	}
}

// Drifted returns the drifts the server injected so far ([WithDrift]), each once, sorted.
func (s *Server) Drifted() []InjectedDrift {
	s.driftMu.Lock()
	defer s.driftMu.Unlock()
	out := make([]InjectedDrift, 0, len(s.drifted))
	for d := range s.drifted {
		out = append(out, d)
	}
	sortInjected(out)
	return out
}

func sortInjected(ds []InjectedDrift) {
	sort.Slice(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.Operation != b.Operation {
			return a.Operation < b.Operation
		}
		if a.Pointer != b.Pointer {
			return a.Pointer < b.Pointer
		}
		return a.Kind < b.Kind
	})
}

// driftReply applies the server's drift to a 200 reply of op.
func (s *Server) driftReply(op api.OperationID, b []byte) []byte {
	out, injected, err := s.cfg.drift.Apply(op, b)
	if err != nil {
		return b
	}
	s.driftMu.Lock()
	defer s.driftMu.Unlock()
	if s.drifted == nil {
		s.drifted = map[InjectedDrift]struct{}{}
	}
	for _, d := range injected {
		s.drifted[d] = struct{}{}
	}
	return out
}

// Apply returns reply, a 200 reply of op that matches the spec, drifted as d says, and the
// drifts it injected (each once, sorted). It is what [WithDrift] does to every 200 reply; a
// test can also drift replies it recorded.
func (d Drift) Apply(op api.OperationID, reply []byte) ([]byte, []InjectedDrift, error) {
	schema, ok := validate.ReplySchema(op)
	if !ok {
		return nil, nil, fmt.Errorf("lsqtest: Drift.Apply: no 200 answer of %q in the spec", op)
	}
	dec := json.NewDecoder(bytes.NewReader(reply))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, nil, fmt.Errorf("lsqtest: Drift.Apply: %w", err)
	}
	w := &drifter{d: d, op: op, seen: map[InjectedDrift]bool{}}
	v = w.value(v, schema, "")
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, nil, fmt.Errorf("lsqtest: Drift.Apply: %w", err)
	}
	sortInjected(w.injected)
	return bytes.TrimRight(buf.Bytes(), "\n"), w.injected, nil
}

type drifter struct {
	d        Drift
	op       api.OperationID
	seen     map[InjectedDrift]bool
	injected []InjectedDrift
}

func (w *drifter) inject(pointer, kind string) {
	d := InjectedDrift{Operation: w.op, Pointer: pointer, Kind: kind}
	if !w.seen[d] {
		w.seen[d] = true
		w.injected = append(w.injected, d)
	}
}

func escapeToken(k string) string {
	return strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
}

// value returns v, of schema s at pointer, drifted.
func (w *drifter) value(v any, s validate.Schema, pointer string) any {
	if !s.Exists() || v == nil {
		return v
	}
	switch x := v.(type) {
	case map[string]any:
		if !s.Is("object") {
			return v
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p, ok := s.Property(k); ok {
				x[k] = w.value(x[k], p, pointer+"/"+escapeToken(k))
			} else if ap, _ := s.AdditionalProperties(); ap.Exists() {
				x[k] = w.value(x[k], ap, pointer+"/"+escapeToken(k))
			}
		}
		if w.d.MissingAttributes {
			for _, r := range s.Required() {
				if _, ok := x[r]; ok {
					delete(x, r)
					w.inject(pointer+"/"+escapeToken(r), "missing-required")
					break
				}
			}
		}
		if _, open := s.AdditionalProperties(); w.d.ExtraAttributes && !open {
			x[DriftAttribute] = json.Number("1")
			w.inject(pointer+"/"+DriftAttribute, "unknown-attribute")
		}
		return x
	case []any:
		if !s.Items().Exists() {
			return v
		}
		for i := range x {
			x[i] = w.value(x[i], s.Items(), pointer+"/*")
		}
		return x
	}
	if w.d.NewEnumValues && len(s.Enum()) > 0 && !s.GoType() {
		switch v.(type) {
		case string:
			w.inject(pointer, "enum")
			return DriftEnumValue
		case json.Number:
			w.inject(pointer, "enum")
			return json.Number(strconv.Itoa(DriftEnumInt))
		}
	}
	if w.d.NewEnumValues && len(s.Enum()) > 0 && s.Is("integer") {
		// A tolerant integer (scalar.Int) reads any number.
		if _, ok := v.(json.Number); ok {
			w.inject(pointer, "enum")
			return json.Number(strconv.Itoa(DriftEnumInt))
		}
	}
	if w.d.OtherTypes {
		if also := s.AlsoTypes(); len(also) > 0 {
			if nv, ok := otherType(v, also[0]); ok {
				w.inject(pointer, "type")
				return nv
			}
		}
	}
	return v
}

// otherType converts a scalar to the JSON type to, when it has a form there.
func otherType(v any, to string) (any, bool) {
	switch to {
	case "string":
		switch x := v.(type) {
		case bool:
			return strconv.FormatBool(x), true
		case json.Number:
			return x.String(), true
		}
	case "integer":
		switch x := v.(type) {
		case string:
			if _, err := strconv.ParseInt(x, 10, 64); err == nil {
				return json.Number(x), true
			}
		case bool:
			if x {
				return json.Number("1"), true
			}
			return json.Number("0"), true
		}
	case "number":
		if x, ok := v.(string); ok {
			if _, err := strconv.ParseFloat(x, 64); err == nil {
				return json.Number(x), true
			}
		}
	case "boolean":
		if x, ok := v.(string); ok {
			if b, err := strconv.ParseBool(x); err == nil {
				return b, true
			}
		}
	}
	return nil, false
}
