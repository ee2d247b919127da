package leadsquared

import (
	"bytes"
	"encoding/json"
	"strings"
)

// driftWalk walks one reply's bytes against the drift table, in one pass and without
// allocating while nothing drifts. It expects valid JSON (the caller drops its findings
// otherwise): it checks only as much syntax as it needs to stay in bounds.
type driftWalk struct {
	c      *driftChecker
	b      []byte
	bad    bool
	path   []pathSeg
	ptr    []byte
	key    []byte // scratch for an escaped key
	found  []driftFound
	caches [][]keyCacheEntry // the key cache of each array being walked, by depth
}

// pathSeg is one step of the path to the value being walked: a key, or an array index.
type pathSeg struct {
	key   []byte
	array bool
}

// driftFound is one drift of one reply.
type driftFound struct {
	kind    DriftKind
	pointer string
	node    int32 // the node of Schema
	attr    string
	count   int
	types   [numJSONTypes]int
	enum    map[string]int
}

// ws skips white space from i.
func (w *driftWalk) ws(i int) int {
	for i < len(w.b) {
		switch w.b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// typeAt is the JSON type of the value starting at i (jsonInteger or jsonNumber for a number,
// by its text).
func (w *driftWalk) typeAt(i int) jsonType {
	switch w.b[i] {
	case '{':
		return jsonObject
	case '[':
		return jsonArray
	case '"':
		return jsonString
	case 't', 'f':
		return jsonBoolean
	case 'n':
		return jsonNull
	}
	for j := i; j < len(w.b); j++ {
		switch w.b[j] {
		case '.', 'e', 'E':
			return jsonNumber
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return jsonInteger
		}
	}
	return jsonInteger
}

// strEnd returns the index after the string starting at i (at its quote).
func (w *driftWalk) strEnd(i int) int {
	b := w.b
	for j := i + 1; j < len(b); {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			break
		}
		q := j + k
		// A quote after an odd number of backslashes is escaped.
		n := 0
		for p := q - 1; p > i && b[p] == '\\'; p-- {
			n++
		}
		if n%2 == 0 {
			return q + 1
		}
		j = q + 1
	}
	w.bad = true
	return len(b)
}

// str scans the string starting at i (at its quote): it returns the index after it, its raw
// content and whether that holds an escape.
func (w *driftWalk) str(i int) (end int, raw []byte, escaped bool) {
	end = w.strEnd(i)
	if w.bad {
		return end, nil, false
	}
	raw = w.b[i+1 : end-1]
	return end, raw, bytes.IndexByte(raw, '\\') >= 0
}

// unescape returns the value of a string's raw content that holds an escape.
func unescape(raw []byte) string {
	var s string
	q := make([]byte, 0, len(raw)+2)
	q = append(append(append(q, '"'), raw...), '"')
	if json.Unmarshal(q, &s) != nil {
		return string(raw)
	}
	return s
}

// skip returns the index after the value starting at i.
func (w *driftWalk) skip(i int) int {
	if i >= len(w.b) {
		w.bad = true
		return i
	}
	switch w.b[i] {
	case '"':
		return w.strEnd(i)
	case '{', '[':
		depth := 0
		for i < len(w.b) {
			switch w.b[i] {
			case '"':
				i = w.strEnd(i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		w.bad = true
		return i
	}
	for i < len(w.b) {
		switch w.b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
		i++
	}
	return i
}

// value walks the value starting at i against node n (-1: any value) and returns the index
// after it.
func (w *driftWalk) value(i int, n int32) int {
	if i >= len(w.b) {
		w.bad = true
		return i
	}
	if n < 0 {
		return w.skip(i)
	}
	node := &w.c.nodes[n]
	t := w.typeAt(i)
	switch {
	case t == jsonNull:
		if !node.nullable {
			w.record(DriftNull, n, t, "")
		}
		return w.skip(i)
	case !node.accepts(t):
		w.record(DriftType, n, t, "")
		return w.skip(i)
	case t == jsonObject:
		return w.object(i, n, nil)
	case t == jsonArray:
		return w.array(i, n)
	case t == jsonString && node.enum != nil:
		end, raw, esc := w.str(i)
		if !w.bad && !inEnum(node.enum, raw, esc) {
			v := string(raw)
			if esc {
				v = unescape(raw)
			}
			w.record(DriftEnum, n, t, v)
		}
		return end
	case (t == jsonInteger || t == jsonNumber) && node.enum != nil:
		end := w.skip(i)
		if !inEnum(node.enum, w.b[i:end], false) {
			w.record(DriftEnum, n, t, string(w.b[i:end]))
		}
		return end
	}
	return w.skip(i)
}

func inEnum(enum []string, raw []byte, escaped bool) bool {
	v := string(raw) // not allocated: compared only
	if escaped {
		v = unescape(raw)
	}
	for _, e := range enum {
		if e == v {
			return true
		}
	}
	return false
}

// keyCacheEntry is the attribute at one position of the objects of an array: their keys come
// in the same order in every element, so a key is first compared in place with the one at its
// position in the element before, and looked up in the node's map only when it differs.
type keyCacheEntry struct {
	key   []byte // a slice of the reply without escapes; nil when not known
	child int32
	known bool // the node has the attribute
}

// object walks the object at i against node n; cache is the key cache of the array it is an
// element of (nil for an object that is not).
func (w *driftWalk) object(i int, n int32, cache *[]keyCacheEntry) int {
	node := &w.c.nodes[n]
	pos := 0
	var present uint64 // bit k: node.required[k] seen
	i = w.ws(i + 1)
	if i < len(w.b) && w.b[i] == '}' {
		i++
	} else {
		for !w.bad {
			if i >= len(w.b) || w.b[i] != '"' {
				w.bad = true
				return len(w.b)
			}
			var end int
			var key []byte
			var esc, hit bool
			if cache != nil && pos < len(*cache) {
				// The key of the element before at this position, compared in place.
				if ck := (*cache)[pos].key; ck != nil && i+1+len(ck) < len(w.b) && w.b[i+1+len(ck)] == '"' && bytes.Equal(w.b[i+1:i+1+len(ck)], ck) {
					end, key, hit = i+2+len(ck), w.b[i+1:i+1+len(ck)], true
				}
			}
			if !hit {
				var raw []byte
				end, raw, esc = w.str(i)
				key = raw
				if esc {
					w.key = append(w.key[:0], unescape(raw)...)
					key = w.key
				}
			}
			i = w.ws(end)
			if i >= len(w.b) || w.b[i] != ':' {
				w.bad = true
				return len(w.b)
			}
			i = w.ws(i + 1)
			w.path = append(w.path, pathSeg{key: key})
			var child int32
			var ok bool
			if hit {
				child, ok = (*cache)[pos].child, (*cache)[pos].known
			} else {
				child, ok = node.props[string(key)]
				if cache != nil && !esc {
					e := keyCacheEntry{key: key, child: child, known: ok}
					if pos < len(*cache) {
						(*cache)[pos] = e
					} else if pos == len(*cache) {
						*cache = append(*cache, e)
					}
				}
			}
			pos++
			if ok {
				for k, r := range node.required {
					if k < 64 && r == string(key) {
						present |= 1 << k
					}
				}
				i = w.value(i, child)
			} else if node.custom && bytes.HasPrefix(key, []byte("mx_")) {
				i = w.value(i, node.customNode)
			} else if node.open {
				i = w.value(i, node.addNode)
			} else {
				if i < len(w.b) {
					w.record(DriftUnknownAttribute, n, w.typeAt(i), "")
				}
				i = w.skip(i)
			}
			w.path = w.path[:len(w.path)-1]
			i = w.ws(i)
			if i >= len(w.b) {
				w.bad = true
				return i
			}
			if w.b[i] == ',' {
				i = w.ws(i + 1)
				continue
			}
			if w.b[i] != '}' {
				w.bad = true
				return i
			}
			i++
			break
		}
	}
	for k, r := range node.required {
		if k < 64 && present&(1<<k) == 0 {
			w.path = append(w.path, pathSeg{key: []byte(r)})
			w.record(DriftMissingRequired, n, 0, "")
			w.path = w.path[:len(w.path)-1]
		}
	}
	return i
}

// array walks the array at i against node n.
func (w *driftWalk) array(i int, n int32) int {
	items := w.c.nodes[n].items
	w.path = append(w.path, pathSeg{array: true})
	depth := len(w.caches)
	if depth < cap(w.caches) {
		w.caches = w.caches[:depth+1]
	} else {
		w.caches = append(w.caches, nil)
	}
	w.caches[depth] = w.caches[depth][:0]
	defer func() {
		w.path = w.path[:len(w.path)-1]
		clear(w.caches[depth]) // no slice of this reply kept past the walk
		w.caches = w.caches[:depth]
	}()
	i = w.ws(i + 1)
	if i < len(w.b) && w.b[i] == ']' {
		return i + 1
	}
	for !w.bad {
		if items >= 0 && i < len(w.b) && w.b[i] == '{' && w.c.nodes[items].accepts(jsonObject) {
			i = w.ws(w.object(i, items, &w.caches[depth]))
		} else {
			i = w.ws(w.value(i, items))
		}
		if i >= len(w.b) {
			w.bad = true
			return i
		}
		if w.b[i] == ',' {
			i = w.ws(i + 1)
			continue
		}
		if w.b[i] != ']' {
			w.bad = true
			return i
		}
		return i + 1
	}
	return i
}

// record counts one drift at the current path; node is the schema of the value, or of the
// object for an unknown or missing attribute; t the value's type (0 for none); v an enum value.
func (w *driftWalk) record(kind DriftKind, node int32, t jsonType, v string) {
	w.ptr = w.ptr[:0]
	for _, s := range w.path {
		w.ptr = append(w.ptr, '/')
		if s.array {
			w.ptr = append(w.ptr, '*')
			continue
		}
		for _, c := range s.key {
			switch c {
			case '~':
				w.ptr = append(w.ptr, '~', '0')
			case '/':
				w.ptr = append(w.ptr, '~', '1')
			default:
				w.ptr = append(w.ptr, c)
			}
		}
	}
	var f *driftFound
	for k := range w.found {
		if w.found[k].kind == kind && w.found[k].pointer == string(w.ptr) {
			f = &w.found[k]
			break
		}
	}
	if f == nil {
		attr := ""
		if len(w.path) > 0 && !w.path[len(w.path)-1].array {
			attr = string(w.path[len(w.path)-1].key)
		}
		w.found = append(w.found, driftFound{kind: kind, pointer: string(w.ptr), node: node, attr: attr})
		f = &w.found[len(w.found)-1]
	}
	f.count++
	for k := 0; k < numJSONTypes; k++ {
		if t&(1<<k) != 0 {
			f.types[k]++
		}
	}
	if kind == DriftEnum {
		if len(v) > maxEnumValueLen {
			v = strings.ToValidUTF8(v[:maxEnumValueLen], "")
		}
		if f.enum == nil {
			f.enum = map[string]int{}
		}
		if _, ok := f.enum[v]; ok || len(f.enum) < maxEnumValues {
			f.enum[v]++
		}
	}
}
