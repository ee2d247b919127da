package validate

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// mode is what a walk does with what does not match the spec: refuse (validation: every
// failure, with its exact pointer) or observe (drift reports: what kind drifted where, with
// `*` for array indices, nothing refused).
type mode uint8

const (
	refuse mode = iota
	observe
)

// maxFailures caps the failures one walk reports.
const maxFailures = 100

// walker checks one payload's bytes against the table, in one pass: the JSON syntax, the
// input rules (UTF-8, duplicate keys, depth) and the schema's. It allocates nothing while the
// payload matches.
type walker struct {
	t        *table
	mode     mode
	response bool // a reply: x-lsq-also-types are accepted when refusing
	b        []byte
	i        int
	stop     bool // a syntax error or too many failures ended the walk
	syntax   bool // the walk stopped on a syntax error
	syntaxAt int
	// statusError is set when the top-level object has "Status":"Error" (LeadSquared's error
	// body, which may come with any status).
	statusError bool

	path []pathSeg
	// leaf is the key of the scalar being checked, which is not on path (leafSet).
	leaf    []byte
	leafSet bool
	ptr     []byte
	fails   []Failure
	found   []observed
	// order is, by node, the property found at each position of the node's last object:
	// objects of one schema (a request's, an array's elements) bring their keys in the same
	// order, so a key is first compared in place with the name expected at its position, and
	// hashed only when it differs. It holds property indexes, nothing of a payload.
	order  [][]int16
	others [][]byte // keys not among an object's properties, of the objects being walked
	// othersUsed is how much of others' array this walk has used: release clears it, so that a
	// pooled walker keeps nothing of a payload.
	othersUsed int
	key        []byte // scratch for a query parameter's JSON text
	unesc      []byte // scratch for an escaped string's value
}

// pathSeg is one step of the path to the value being walked: a key, or an array index.
type pathSeg struct {
	key   []byte
	index int
	array bool
}

// reset readies a pooled walker for a payload.
func (w *walker) reset(t *table, m mode, response bool, b []byte) {
	w.t, w.mode, w.response, w.b, w.i = t, m, response, b, 0
	w.stop, w.syntax, w.syntaxAt, w.statusError, w.leafSet, w.leaf = false, false, 0, false, false, nil
	if len(w.fails) > 0 {
		clear(w.fails)
	}
	w.fails, w.path = w.fails[:0], w.path[:0]
}

// release drops every reference to the payload, for the pool.
func (w *walker) release() {
	// Each clear only where there is something to clear: a walk that found the payload valid
	// and observed nothing leaves found and fails empty, and a call of the runtime's clearing
	// for nothing costs a valid call's check a few nanoseconds.
	if len(w.found) > 0 {
		clear(w.found)
	}
	if len(w.fails) > 0 {
		clear(w.fails)
	}
	if w.othersUsed > 0 {
		clear(w.others[:w.othersUsed])
		w.othersUsed = 0
	}
	// The path's keys are slices of the payload, also past its length (the deepest the walk
	// went): cleared, so that a pooled walker does not keep the payload alive. One by one: a
	// path is a few steps deep.
	p := w.path[:cap(w.path)]
	for i := range p {
		p[i].key = nil
	}
	w.found, w.fails, w.path, w.others, w.b, w.leaf = w.found[:0], w.fails[:0], w.path[:0], w.others[:0], nil, nil
}

// walk checks the whole payload against node n (-1: any value).
func (w *walker) walk(n int32) {
	w.ws()
	w.value(n, 0)
	if !w.stop {
		w.ws()
		if w.i < len(w.b) {
			w.syntaxError()
		}
	}
}

func (w *walker) ws() {
	// One comparison for the usual case, a byte that is not white space (json.Marshal writes
	// none).
	for w.i < len(w.b) && w.b[w.i] <= ' ' && (w.b[w.i] == ' ' || w.b[w.i] == '\t' || w.b[w.i] == '\n' || w.b[w.i] == '\r') {
		w.i++
	}
}

func (w *walker) syntaxError() {
	if !w.stop {
		w.stop, w.syntax, w.syntaxAt = true, true, w.i+1
	}
}

// pointer builds the JSON pointer of the current value (with extra beneath it) in w.ptr:
// array indices as numbers when refusing, as `*` when observing.
func (w *walker) pointer(extra []byte) string {
	return string(w.pointerBytes(extra))
}

// pointerBytes is pointer in w.ptr, valid until the next call.
func (w *walker) pointerBytes(extra []byte) []byte {
	w.ptr = w.ptr[:0]
	for _, s := range w.path {
		w.ptr = append(w.ptr, '/')
		if s.array {
			if w.mode == observe {
				w.ptr = append(w.ptr, '*')
			} else {
				w.ptr = strconv.AppendInt(w.ptr, int64(s.index), 10)
			}
			continue
		}
		w.ptr = appendToken(w.ptr, s.key)
	}
	if w.leafSet {
		w.ptr = appendToken(append(w.ptr, '/'), w.leaf)
	}
	if extra != nil {
		w.ptr = appendToken(append(w.ptr, '/'), extra)
	}
	return w.ptr
}

func appendToken(dst, key []byte) []byte {
	if !utf8.Valid(key) {
		key = []byte(strings.ToValidUTF8(string(key), "\uFFFD"))
	}
	for _, c := range key {
		switch c {
		case '~':
			dst = append(dst, '~', '0')
		case '/':
			dst = append(dst, '~', '1')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// fail records a failure at the current value (or at its member extra). Observing, it does
// nothing: observe records drifts with observe.
func (w *walker) fail(extra []byte, rule Rule, expected, msg string, allowed []any) {
	if w.mode != refuse || w.stop {
		return
	}
	w.fails = append(w.fails, Failure{In: InBody, Pointer: w.pointer(extra), Rule: rule, Expected: expected, Message: msg, Allowed: allowed})
	if len(w.fails) >= maxFailures {
		w.stop = true
	}
}

// value walks the value at w.i against node n (-1: any value); depth counts the arrays and
// objects it is in.
func (w *walker) value(n int32, depth int) {
	if w.i >= len(w.b) {
		w.syntaxError()
		return
	}
	var nd *node
	if n >= 0 {
		nd = &w.t.nodes[n]
		if nd.hasOneOf {
			n, nd = w.branch(nd)
		}
	}
	c := w.b[w.i]
	switch {
	case c == '{' || c == '[':
		if depth >= MaxDepth {
			w.tooDeep()
			return
		}
		t := jsonObject
		if c == '[' {
			t = jsonArray
		}
		if nd != nil && !nd.accepts(t) && !w.typeOK(n, nd, t) {
			n, nd = -1, nil
		}
		if c == '{' {
			w.object(n, nd, depth+1)
		} else {
			w.array(n, nd, depth+1)
		}
	case c == '"':
		start := w.i
		raw, esc, valid := w.str()
		if w.stop && w.syntax {
			return
		}
		if !valid {
			w.fail(nil, RuleUTF8, "valid UTF-8", "string is not valid UTF-8", nil)
			return
		}
		if nd != nil && (nd.types != jsonString || nd.strRules) && w.typeOK(n, nd, jsonString) {
			w.stringRules(n, nd, w.b[start:w.i], raw, esc)
		}
	case c == 't' || c == 'f' || c == 'n':
		lit, t := "null", jsonNull
		switch c {
		case 't':
			lit, t = "true", jsonBoolean
		case 'f':
			lit, t = "false", jsonBoolean
		}
		if !bytes.HasPrefix(w.b[w.i:], []byte(lit)) {
			w.syntaxError()
			return
		}
		w.i += len(lit)
		if nd == nil {
			return
		}
		if t == jsonNull {
			if !nd.nullable {
				w.observe(DriftNull, n, jsonNull, "")
				w.fail(nil, RuleNullable, "not null", "value is null", nil)
			}
			return
		}
		if w.typeOK(n, nd, t) && nd.hasEnum && !inEnum(nd.enum, w.b[w.i-len(lit):w.i]) {
			w.enumFail(n, nd, t, lit)
		}
	case c == '-' || c >= '0' && c <= '9':
		start := w.i
		integer := w.number()
		if w.stop {
			return
		}
		if nd == nil {
			return
		}
		w.numberRules(n, nd, w.b[start:w.i], integer)
	default:
		w.syntaxError()
	}
}

// tooDeep fails and ends the walk at a value nested past MaxDepth.
//
//go:noinline
func (w *walker) tooDeep() {
	w.fail(nil, RuleDepth, fmt.Sprintf("at most %d nested arrays and objects", MaxDepth),
		fmt.Sprintf("nesting is deeper than the depth limit of %d arrays and objects", MaxDepth), nil)
	w.stop = true
}

// branch picks the alternative of an x-lsq-error-body oneOf that the value's JSON type
// selects (the generator checks that their types differ); none: the first, which then fails.
func (w *walker) branch(nd *node) (int32, *node) {
	t := typeOfByte(w.b[w.i])
	for _, alt := range nd.oneOf {
		if a := &w.t.nodes[alt]; a.types&t != 0 {
			return alt, a
		}
	}
	return nd.oneOf[0], &w.t.nodes[nd.oneOf[0]]
}

func typeOfByte(c byte) jsonType {
	switch c {
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
	return jsonNumber
}

// typeOK checks a value's type against the node's, and records a failure (or a drift) when it
// is not one of them. A reply's value of a type of x-lsq-also-types (the models read it) is
// drift, but not a failure.
func (w *walker) typeOK(n int32, nd *node, t jsonType) bool {
	if nd.accepts(t) {
		return true
	}
	w.observe(DriftType, n, t, "")
	if w.response && nd.also&t != 0 {
		return false
	}
	if nd.enum != nil {
		// As kin-openapi: an enum is checked before the type.
		w.refuseEnum(nd)
		return false
	}
	w.fail(nil, RuleType, strings.Join(nd.types.names(), " or "), "value is "+article(t)+", not "+strings.Join(nd.types.names(), " or "), nil)
	return false
}

func article(t jsonType) string {
	n := t.name()
	if n == "integer" || n == "array" || n == "object" {
		return "an " + n
	}
	return "a " + n
}

func (w *walker) enumFail(n int32, nd *node, t jsonType, v string) {
	w.observe(DriftEnum, n, t, v)
	w.refuseEnum(nd)
}

func (w *walker) refuseEnum(nd *node) {
	if w.mode != refuse || w.stop {
		return
	}
	allowed := make([]any, len(nd.enum))
	for i, e := range nd.enum {
		allowed[i] = e
	}
	w.fail(nil, RuleEnum, "one of "+strings.Join(nd.enum, ", "), "value is not allowed", allowed)
}

// stringRules checks a string (lit its JSON text, raw its content) against n.
func (w *walker) stringRules(n int32, nd *node, lit, raw []byte, esc bool) {
	if !nd.hasEnum && (w.mode != refuse || nd.minLen < 0 && nd.maxLen < 0 && !nd.hasPattern && nd.attrOf < 0) {
		return // no rule reads the string's value
	}
	val := raw
	if esc {
		w.unesc = appendUnescaped(w.unesc[:0], raw)
		val = w.unesc
	}
	if nd.hasEnum && !inEnum(nd.enum, val) {
		v := ""
		if w.mode == observe {
			v = string(val)
		}
		w.enumFail(n, nd, jsonString, v)
		return
	}
	if w.mode != refuse {
		return
	}
	// A string of n bytes holds between n/4 and n characters: only one near a bound is
	// counted.
	if n := len(val); nd.minLen >= 0 && n < 4*int(nd.minLen) || nd.maxLen >= 0 && n > int(nd.maxLen) {
		w.lengths(nd, val)
	}
	if nd.hasPattern && !w.t.matchers[n](val) {
		w.fail(nil, RulePattern, nd.pattern, "string does not match the pattern "+nd.pattern, nil)
	}
	if nd.attrOf >= 0 && !isCustomField(string(val)) {
		w.attributeOf(nd, val)
	}
}

// lengths checks a string's length in characters against nd's bounds.
//
//go:noinline
func (w *walker) lengths(nd *node, val []byte) {
	l := utf8.RuneCount(val)
	if nd.minLen >= 0 && l < int(nd.minLen) {
		w.fail(nil, RuleMinLength, fmt.Sprintf("at least %d characters", nd.minLen), fmt.Sprintf("string is shorter than %d characters", nd.minLen), nil)
	}
	if nd.maxLen >= 0 && l > int(nd.maxLen) {
		w.fail(nil, RuleMaxLength, fmt.Sprintf("at most %d characters", nd.maxLen), fmt.Sprintf("string is longer than %d characters", nd.maxLen), nil)
	}
}

// attributeOf checks that a string names an attribute of nd.attrOf (x-lsq-attribute-of).
//
//go:noinline
func (w *walker) attributeOf(nd *node, val []byte) {
	if _, ok := w.t.nodes[nd.attrOf].props[string(val)]; !ok {
		of := strings.TrimPrefix(w.t.nodes[nd.attrOf].loc, "$.components.schemas.")
		w.fail(nil, RuleAttribute, "an attribute of "+of+" or a custom field (mx_*)", "not an attribute of "+of+" nor a custom field (mx_*)", nil)
	}
}

// numberRules checks a number (its JSON text; integer: no fraction or exponent) against n.
func (w *walker) numberRules(n int32, nd *node, text []byte, integer bool) {
	t := jsonNumber
	if integer {
		t = jsonInteger
	}
	if !nd.accepts(t) {
		// 5.0 is an integer to the spec (a whole number), but drifted from the integer the
		// spec documents.
		whole := false
		if nd.types&jsonInteger != 0 {
			f, err := strconv.ParseFloat(string(text), 64)
			whole = err == nil && f == float64(int64(f))
		}
		if w.mode == observe || !whole {
			if !w.typeOK(n, nd, t) {
				return
			}
		}
	}
	if nd.hasEnum && !inEnum(nd.enum, text) {
		w.enumFail(n, nd, t, string(text))
		return
	}
	if w.mode != refuse || !nd.hasMin && !nd.hasMax {
		return
	}
	f, err := strconv.ParseFloat(string(text), 64)
	if err != nil {
		w.fail(nil, RuleType, "a finite number", "number is out of range", nil)
		return
	}
	if nd.hasMin && f < nd.min {
		w.fail(nil, RuleMinimum, "at least "+strconv.FormatFloat(nd.min, 'g', -1, 64), "number is less than "+strconv.FormatFloat(nd.min, 'g', -1, 64), nil)
	}
	if nd.hasMax && f > nd.max {
		w.fail(nil, RuleMaximum, "at most "+strconv.FormatFloat(nd.max, 'g', -1, 64), "number is more than "+strconv.FormatFloat(nd.max, 'g', -1, 64), nil)
	}
}

// inEnum reports whether a value (a string's decoded value, a number's or a literal's JSON
// text) is one of the enum's.
func inEnum(enum []string, v []byte) bool {
	for _, e := range enum {
		if e == string(v) { // not allocated: compared only
			return true
		}
	}
	return false
}

// appendUnescaped appends the value of a JSON string's raw content (valid: str scanned it) to
// dst, without allocating beyond dst's growth.
func appendUnescaped(dst, raw []byte) []byte {
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' {
			dst = append(dst, c)
			continue
		}
		i++
		switch raw[i] {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, _ := hex4(raw, i+1)
			i += 4
			if utf16.IsSurrogate(r) && i+6 < len(raw)+1 && i+2 < len(raw) && raw[i+1] == '\\' && raw[i+2] == 'u' {
				if r2, ok := hex4(raw, i+3); ok {
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						r = d
						i += 6
					}
				}
			}
			dst = utf8.AppendRune(dst, r)
		default: // " \ /
			dst = append(dst, raw[i])
		}
	}
	return dst
}

// str scans the string at w.i (at its quote) strictly: its raw content, whether it holds an
// escape, and whether it is valid UTF-8 with no unpaired surrogate escape.
func (w *walker) str() (raw []byte, esc, valid bool) {
	b := w.b
	start := w.i + 1
	i := start
	// The commonest string, printable ASCII without an escape, ends at the first special
	// byte, its quote.
	for i+8 <= len(b) {
		x := binary.LittleEndian.Uint64(b[i:])
		const ones, highs = 0x0101010101010101, 0x8080808080808080
		q, bs := x^(ones*'"'), x^(ones*'\\')
		if m := ((q-ones)&^q | (bs-ones)&^bs | (x-ones*0x20)&^x | x) & highs; m != 0 {
			i += bits.TrailingZeros64(m) / 8
			if b[i] == '"' {
				w.i = i + 1
				return b[start:i], false, true
			}
			return w.strRest(start, i)
		}
		i += 8
	}
	if i < len(b) && len(b) >= 8 {
		// Fewer than eight bytes left: the last eight, shifted past those already read
		// (the zero bytes shifted in are marked, as control characters).
		x := binary.LittleEndian.Uint64(b[len(b)-8:]) >> (uint(i-(len(b)-8)) * 8)
		const ones, highs = 0x0101010101010101, 0x8080808080808080
		q, bs := x^(ones*'"'), x^(ones*'\\')
		m := ((q-ones)&^q | (bs-ones)&^bs | (x-ones*0x20)&^x | x) & highs
		if j := i + bits.TrailingZeros64(m)/8; j < len(b) {
			if b[j] == '"' {
				w.i = j + 1
				return b[start:j], false, true
			}
			i = j
		}
	}
	return w.strRest(start, i)
}

// strRest is str from i, where the bytes from start are plain.
func (w *walker) strRest(start, i int) (raw []byte, esc, valid bool) {
	b := w.b
	ascii := true
	valid = true
	for i < len(b) {
		// Eight bytes at a time while none is a quote, a backslash, a control character or
		// past ASCII.
		for i+8 <= len(b) {
			x := binary.LittleEndian.Uint64(b[i:])
			const ones, highs = 0x0101010101010101, 0x8080808080808080
			q, bs := x^(ones*'"'), x^(ones*'\\')
			if m := ((q-ones)&^q | (bs-ones)&^bs | (x-ones*0x20)&^x | x) & highs; m != 0 {
				// The lowest marked byte is the first special one (a borrow only marks bytes
				// above a true one): step to it.
				i += bits.TrailingZeros64(m) / 8
				break
			}
			i += 8
		}
		if i >= len(b) {
			break
		}
		c := b[i]
		if plainByte[c] {
			i++
			continue
		}
		switch {
		case c == '"':
			raw = b[start:i]
			w.i = i + 1
			if !ascii && valid {
				valid = utf8.Valid(raw)
			}
			return raw, esc, valid
		case c < 0x20:
			w.i = i
			w.syntaxError()
			return nil, false, true
		case c == '\\':
			esc = true
			i++
			if i >= len(b) {
				w.i = i
				w.syntaxError()
				return nil, false, true
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				r, ok := hex4(b, i+1)
				if !ok {
					w.i = i
					w.syntaxError()
					return nil, false, true
				}
				i += 5
				if utf16.IsSurrogate(r) {
					// A high surrogate must be followed by an escaped low one.
					if r >= 0xDC00 || i+1 >= len(b) || b[i] != '\\' || b[i+1] != 'u' {
						valid = false
						continue
					}
					r2, ok := hex4(b, i+2)
					if !ok {
						w.i = i
						w.syntaxError()
						return nil, false, true
					}
					if r2 < 0xDC00 || r2 > 0xDFFF {
						valid = false
						continue
					}
					i += 6
				}
			default:
				w.i = i
				w.syntaxError()
				return nil, false, true
			}
		case c >= 0x80:
			ascii = false
			i++
		default:
			i++
		}
	}
	w.i = i
	w.syntaxError()
	return nil, false, true
}

// plainByte marks the bytes a string's scan steps over: not a quote, a backslash, a control
// character or a byte past ASCII.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func hex4(b []byte, at int) (rune, bool) {
	if at+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[at : at+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// number scans a number strictly; integer: it has no fraction and no exponent.
func (w *walker) number() (integer bool) {
	b := w.b
	i := w.i
	if b[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else if digits() == 0 {
		w.i = i
		w.syntaxError()
		return false
	}
	integer = true
	if i < len(b) && b[i] == '.' {
		i++
		integer = false
		if digits() == 0 {
			w.i = i
			w.syntaxError()
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		integer = false
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			w.i = i
			w.syntaxError()
			return false
		}
	}
	w.i = i
	return integer
}

// array walks the array at w.i against node n (nil nd: any items).
func (w *walker) array(n int32, nd *node, depth int) {
	items := int32(-1)
	if nd != nil {
		items = nd.items
	}
	w.path = append(w.path, pathSeg{array: true})
	count := w.elements(items, depth)
	w.path = w.path[:len(w.path)-1]
	if w.stop || nd == nil || w.mode != refuse {
		return
	}
	if nd.minItems >= 0 && count < int(nd.minItems) {
		w.fail(nil, RuleMinItems, fmt.Sprintf("at least %d items", nd.minItems), fmt.Sprintf("array has fewer than %d items", nd.minItems), nil)
	}
	if nd.maxItems >= 0 && count > int(nd.maxItems) {
		w.fail(nil, RuleMaxItems, fmt.Sprintf("at most %d items", nd.maxItems), fmt.Sprintf("array has more than %d items", nd.maxItems), nil)
	}
}

// elements walks the elements of an array and returns their count.
func (w *walker) elements(items int32, depth int) int {
	w.i++ // [
	w.ws()
	if w.i < len(w.b) && w.b[w.i] == ']' {
		w.i++
		return 0
	}
	var itemNode *node
	if items >= 0 {
		itemNode = &w.t.nodes[items]
	}
	seg := len(w.path) - 1
	for count := 0; ; count++ {
		w.path[seg].index = count
		if itemNode != nil && w.i < len(w.b) && w.b[w.i] == '{' && !itemNode.hasOneOf && itemNode.accepts(jsonObject) && depth < MaxDepth {
			w.object(items, itemNode, depth+1)
		} else {
			w.value(items, depth)
		}
		if w.stop {
			return count + 1
		}
		w.ws()
		if w.i >= len(w.b) {
			w.syntaxError()
			return count + 1
		}
		switch w.b[w.i] {
		case ',':
			w.i++
			w.ws()
		case ']':
			w.i++
			return count + 1
		default:
			w.syntaxError()
			return count + 1
		}
	}
}

// object walks the object at w.i against node n (nil nd: any members).
func (w *walker) object(n int32, nd *node, depth int) {
	othersStart := len(w.others)
	w.members(n, nd, depth, othersStart)
	w.others = w.others[:othersStart] // cleared by release
}

// members is object's walk of the members; the keys it adds to w.others (those that are not
// properties) are w.others[othersStart:].
func (w *walker) members(n int32, nd *node, depth, othersStart int) {
	var seen [2]uint64 // bit k: property k seen
	w.i++              // {
	w.ws()
	pos := 0
	var order []int16 // w.order[n], the hint (fetched once: a nested object of n may replace it, which only costs hits)
	if nd != nil && nd.names != nil {
		order = w.nodeOrder(n)
	}
	if w.i < len(w.b) && w.b[w.i] == '}' {
		w.i++
	} else {
		for !w.stop {
			if w.i >= len(w.b) || w.b[w.i] != '"' {
				if w.ws(); w.i >= len(w.b) || w.b[w.i] != '"' {
					w.syntaxError()
					return
				}
			}
			var key []byte
			child := int32(-1)
			hit := false
			if order != nil {
				if pos < len(order) && order[pos] >= 0 {
					// The property at this position in the last object of this schema,
					// compared in place with its closing quote and the colon (names hold no
					// quote, backslash or invalid UTF-8).
					kc := nd.keyColon[order[pos]]
					if end := w.i + 1 + len(kc); end <= len(w.b) && string(w.b[w.i+1:end]) == kc {
						key, child, hit = w.b[w.i+1:end-2], int32(order[pos]), true
						w.i = end
					}
				}
			}
			validKey := true
			esc := false
			if !hit {
				var raw []byte
				raw, esc, validKey = w.str()
				if w.stop {
					return
				}
				key = raw
				if esc {
					// Its own copy: it stays in w.path while nested keys are read.
					key = appendUnescaped(nil, raw)
				}
				if nd != nil && nd.names != nil {
					child = nd.property(key)
				}
				if order != nil && child >= 0 && pos < maxOrder {
					if pos >= len(order) {
						order = w.growOrder(n, order, pos)
					}
					order[pos] = int16(child)
				}
			}
			pos++
			// White space is looked for only where the expected byte is not (json.Marshal
			// writes none).
			if !hit {
				if w.i >= len(w.b) || w.b[w.i] != ':' {
					if w.ws(); w.i >= len(w.b) || w.b[w.i] != ':' {
						w.syntaxError()
						return
					}
				}
				w.i++
			}
			w.ws()
			if !validKey {
				w.fail(key, RuleUTF8, "valid UTF-8", "key is not valid UTF-8", nil)
			} else if w.duplicate(seen[:], child, key, othersStart) {
				w.fail(key, RuleDuplicateKey, "each key once", "key appears more than once in the object (decoders keep only one of its values)", nil)
			}
			if depth == 1 && w.response && string(key) == "Status" && w.i+7 <= len(w.b) && string(w.b[w.i:w.i+7]) == `"Error"` {
				w.statusError = true
			}
			next := int32(-1)
			switch {
			case nd == nil:
			case child >= 0:
				next = nd.children[child]
			case nd.custom && isCustomField(string(key)):
				next = nd.customNode
			case nd.open:
				next = nd.addNode
			default:
				if spelled := w.unknown(n, nd, key); spelled >= 0 && w.mode == refuse {
					// Checked as the attribute it misspells, so that what is wrong inside is
					// named too.
					next = nd.children[spelled]
				}
			}
			str := strNone
			if next >= 0 && w.i < len(w.b) && w.b[w.i] == '"' {
				str = w.t.strKinds[next]
			}
			if str == strPlain {
				// The commonest value, a string no rule reads: scanned here.
				if _, _, valid := w.str(); !valid && !w.stop {
					w.leaf, w.leafSet = key, true
					w.fail(nil, RuleUTF8, "valid UTF-8", "string is not valid UTF-8", nil)
					w.leafSet = false
				}
			} else if str >= strRuled {
				// A string with rules of a string node: as value checks it, without its switch.
				start := w.i
				raw, esc, valid := w.str()
				if str == strNonEmpty && len(raw) > 0 && !esc && valid {
					// Its only rule, minLength 1, holds: a byte is a character at least.
				} else if !w.stop || !w.syntax {
					w.leaf, w.leafSet = key, true
					if !valid {
						w.fail(nil, RuleUTF8, "valid UTF-8", "string is not valid UTF-8", nil)
					} else {
						w.stringRules(next, &w.t.nodes[next], w.b[start:w.i], raw, esc)
					}
					w.leafSet = false
				}
			} else if container := w.i < len(w.b) && (w.b[w.i] == '{' || w.b[w.i] == '['); container {
				w.path = append(w.path, pathSeg{key: key})
				if next >= 0 && w.b[w.i] == '{' && depth < MaxDepth && w.t.nodes[next].objectOnly {
					w.object(next, &w.t.nodes[next], depth+1) // as value walks it, without its switch
				} else {
					w.value(next, depth)
				}
				w.path = w.path[:len(w.path)-1]
			} else {
				w.leaf, w.leafSet = key, true
				w.value(next, depth)
				w.leafSet = false
			}
			if w.stop {
				return
			}
			if w.i < len(w.b) && w.b[w.i] == ',' {
				w.i++
				continue
			}
			w.ws()
			if w.i >= len(w.b) {
				w.syntaxError()
				return
			}
			if w.b[w.i] == ',' {
				w.i++
				continue
			}
			if w.b[w.i] != '}' {
				w.syntaxError()
				return
			}
			w.i++
			break
		}
	}
	if w.stop || nd == nil {
		return
	}
	for _, r := range nd.required {
		if seen[r/64]&(1<<(r%64)) == 0 {
			w.missing(n, nd, r)
		}
	}
}

// missing reports nd's required property r missing from the object just walked.
//
//go:noinline
func (w *walker) missing(n int32, nd *node, r int32) {
	name := []byte(nd.names[r])
	w.path = append(w.path, pathSeg{key: name})
	w.observe(DriftMissingRequired, n, 0, "")
	w.path = w.path[:len(w.path)-1]
	w.fail(name, RuleRequired, "present", "required attribute is missing", nil)
}

// maxOrder bounds the positions remembered of an object's keys.
const maxOrder = 128

// growOrder extends node n's order to hold position pos.
//
//go:noinline
func (w *walker) growOrder(n int32, order []int16, pos int) []int16 {
	for len(order) <= pos {
		order = append(order, -1)
	}
	w.order[n] = order
	return order
}

// nodeOrder returns the order of node n's last object (see walker.order), nil at first.
func (w *walker) nodeOrder(n int32) []int16 {
	if len(w.order) != len(w.t.nodes) {
		w.order = make([][]int16, len(w.t.nodes))
	}
	if w.order[n] == nil {
		w.order[n] = make([]int16, 0, 8)
	}
	return w.order[n]
}

// duplicate reports whether the key (property child, or -1) was seen before in this object,
// and notes it seen. The keys of this object that are not properties are w.others[from:]:
// each nested object removes its own before it returns.
func (w *walker) duplicate(seen []uint64, child int32, key []byte, from int) bool {
	if child >= 0 {
		bit := uint64(1) << (child % 64)
		if seen[child/64]&bit != 0 {
			return true
		}
		seen[child/64] |= bit
		return false
	}
	for _, k := range w.others[from:] {
		if bytes.Equal(k, key) {
			return true
		}
	}
	w.others = append(w.others, key)
	w.othersUsed = max(w.othersUsed, len(w.others))
	return false
}

// unknown handles a key that is not an attribute of nd: a failure (with the spec's spelling
// or the nearest attribute) when refusing, drift when observing. It returns the index of the
// attribute the key spells in another letter case, -1 when none.
func (w *walker) unknown(n int32, nd *node, key []byte) int32 {
	w.path = append(w.path, pathSeg{key: key})
	w.observe(DriftUnknownAttribute, n, w.typeAt(), "")
	w.path = w.path[:len(w.path)-1]
	if w.mode != refuse {
		return -1
	}
	for k, name := range nd.names {
		if strings.EqualFold(name, string(key)) {
			w.fail(key, RuleCase, name, "the spec spells it "+name, nil)
			return int32(k)
		}
	}
	msg := "unknown attribute"
	expected := "an attribute of the spec"
	if nd.custom {
		msg = "unknown attribute: neither an attribute of the spec nor a custom field (mx_*)"
		expected = "an attribute of the spec or a custom field (mx_*)"
	}
	if s := suggest(string(key), nd.names); s != "" {
		msg += " (did you mean " + s + "?)"
	}
	w.fail(key, RuleUnknown, expected, msg, nil)
	return -1
}

// typeAt is the JSON type of the value at w.i (jsonInteger or jsonNumber for a number, by its
// text), 0 at the end of the payload.
func (w *walker) typeAt() jsonType {
	if w.i >= len(w.b) {
		return 0
	}
	t := typeOfByte(w.b[w.i])
	if t != jsonNumber {
		return t
	}
	for j := w.i; j < len(w.b); j++ {
		switch w.b[j] {
		case '.', 'e', 'E':
			return jsonNumber
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return jsonInteger
		}
	}
	return jsonInteger
}

// suggest returns the attribute of names nearest to key by edit distance, when near enough
// to be a typo of it: at most 2 edits, and fewer than half its letters.
func suggest(key string, names []string) string {
	best, bestD := "", 3
	for _, name := range names {
		d := editDistance(strings.ToLower(key), strings.ToLower(name))
		if d < bestD && 2*d < len(name) {
			best, bestD = name, d
		}
	}
	return best
}

// editDistance is the Damerau-Levenshtein distance (with adjacent transpositions) of a and b,
// by bytes.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	var rows [3][65]int
	prev2, prev, cur := &rows[0], &rows[1], &rows[2]
	for j := 0; j <= len(b); j++ {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// isCustomField reports whether name is a custom field's schema name: mx_ in any letter case,
// then at least one character.
func isCustomField(name string) bool {
	return len(name) > 3 && strings.EqualFold(name[:3], "mx_")
}
