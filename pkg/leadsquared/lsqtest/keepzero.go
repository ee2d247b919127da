package lsqtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// withZero is an answer that marshals as the model v does, plus the named JSON fields even
// when they are zero. The models omit zero values (omitzero), while LeadSquared sends them:
// "IsAvailable": 0, "StatusCode": 0, "IsPhoneCallAgent": false, "Groups": [].
//
// A field is named by its JSON name; "Message.AffectedRows" names a field of a nested
// object (which is then always written), and a path through an array applies to each of
// its elements ("UserAttributes.IsHidden"). v may itself be an array of models.
type withZero struct {
	v     any
	paths []string
}

func keepZero(v any, paths ...string) withZero { return withZero{v: v, paths: paths} }

// MarshalJSON writes v with the named fields.
func (w withZero) MarshalJSON() ([]byte, error) {
	return marshalWithZero(reflect.ValueOf(w.v), w.paths)
}

func marshalWithZero(v reflect.Value, paths []string) ([]byte, error) {
	if len(paths) == 0 {
		return json.Marshal(v.Interface())
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return []byte("null"), nil
		}
		return marshalWithZero(v.Elem(), paths)
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return []byte("null"), nil
		}
		var b bytes.Buffer
		b.WriteByte('[')
		for i := range v.Len() {
			if i > 0 {
				b.WriteByte(',')
			}
			e, err := marshalWithZero(v.Index(i), paths)
			if err != nil {
				return nil, err
			}
			b.Write(e)
		}
		b.WriteByte(']')
		return b.Bytes(), nil
	case reflect.Struct:
	default:
		return nil, fmt.Errorf("lsqtest: cannot name fields %v of a %s", paths, v.Type())
	}
	b, err := json.Marshal(v.Interface())
	if err != nil {
		return nil, err
	}
	if out, ok, err := appendZeroFields(v, b, paths); ok || err != nil {
		return out, err
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		return nil, err
	}
	// Group the paths by their first name: "" marks the field itself.
	sub := map[string][]string{}
	var order []string
	for _, p := range paths {
		head, rest, _ := strings.Cut(p, ".")
		if _, seen := sub[head]; !seen {
			order = append(order, head)
		}
		if rest != "" {
			sub[head] = append(sub[head], rest)
		} else if sub[head] == nil {
			sub[head] = []string{}
		}
	}
	for _, name := range order {
		f, ok := jsonField(v.Type(), name)
		if !ok {
			return nil, fmt.Errorf("lsqtest: %s has no JSON field %s", v.Type(), name)
		}
		if _, present := obj[name]; present && len(sub[name]) == 0 {
			continue
		}
		if obj[name], err = marshalWithZero(v.FieldByIndex(f.index), sub[name]); err != nil {
			return nil, err
		}
	}
	return json.Marshal(obj)
}

// appendZeroFields is the fast path of a struct whose paths all name its own fields (no
// "a.b"): b is the struct's JSON, and the named fields that encoding/json left out (zero, or
// empty with omitempty) are appended to it. ok is false when a path goes deeper.
func appendZeroFields(v reflect.Value, b []byte, paths []string) (out []byte, ok bool, err error) {
	for _, p := range paths {
		if strings.Contains(p, ".") {
			return nil, false, nil
		}
	}
	if len(b) < 2 || b[len(b)-1] != '}' {
		return nil, false, nil
	}
	out = append(make([]byte, 0, len(b)+16*len(paths)), b[:len(b)-1]...)
	done := map[string]bool{}
	for _, name := range paths {
		if done[name] {
			continue
		}
		done[name] = true
		f, found := jsonField(v.Type(), name)
		if !found {
			return nil, true, fmt.Errorf("lsqtest: %s has no JSON field %s", v.Type(), name)
		}
		if !f.omits || !omitted(v.FieldByIndex(f.index)) {
			continue // encoding/json wrote it
		}
		e, err := marshalWithZero(v.FieldByIndex(f.index), nil)
		if err != nil {
			return nil, true, err
		}
		if out[len(out)-1] != '{' {
			out = append(out, ',')
		}
		out = append(out, '"')
		out = append(out, name...)
		out = append(out, '"', ':')
		out = append(out, e...)
	}
	return append(out, '}'), true, nil
}

// omitted reports whether encoding/json leaves out a field with omitempty or omitzero.
func omitted(f reflect.Value) bool {
	switch f.Kind() {
	case reflect.Slice, reflect.Map, reflect.String, reflect.Array:
		return f.Len() == 0 || f.IsZero()
	}
	return f.IsZero()
}

// fieldInfo is a struct field as encoding/json names it.
type fieldInfo struct {
	index []int
	omits bool // the tag has omitempty or omitzero
}

// fieldCache maps a struct type and a JSON name to its field.
var fieldCache sync.Map // fieldKey → fieldInfo

type fieldKey struct {
	t    reflect.Type
	name string
}

// jsonField finds the struct field whose JSON name is name.
func jsonField(t reflect.Type, name string) (fieldInfo, bool) {
	if fi, ok := fieldCache.Load(fieldKey{t, name}); ok {
		return fi.(fieldInfo), true
	}
	for i := range t.NumField() {
		f := t.Field(i)
		tag, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == "" {
			tag = f.Name
		}
		if tag == name && f.IsExported() {
			fi := fieldInfo{index: f.Index, omits: strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")}
			fieldCache.Store(fieldKey{t, name}, fi)
			return fi, true
		}
	}
	return fieldInfo{}, false
}
