// Package scalar holds the tolerant scalar types of the generated models in package api.
//
// LeadSquared sends the same field in different JSON types across operations and accounts:
// a boolean as true, "true", "True", 1 or "1"; a number as 5 or "5"; a date as
// "2020-03-31 13:31:17", "" or null. The models use these types for every boolean, number and
// date of a response, so that one drifted scalar never costs the caller the whole reply.
// [github.com/leadsquared-go/leadsquared-go/pkg/leadsquared.WithResponseValidation] still
// reports such drift against the spec.
//
// [Bool], [Int] and [Float] are defined types over the Go scalar, so bool(u.IsPhoneCallAgent)
// and int64(n) work and untyped constants assign directly. Each has a twin ([StringBool],
// [StringInt]) that reads the same forms but writes the JSON string form ("true", "5"), for the
// fields LeadSquared's docs show as strings: marshalling a model writes each field in the form
// the docs show, so a request body round-trips unchanged. Reading accepts:
//
//   - the native JSON form (true, 5, 5.0),
//   - the string form ("true", "True", "1", "5", "5.0"), with surrounding spaces ignored,
//   - "" and null, both the zero value.
//
// A value that cannot be read at all (an object where a boolean belongs, "maybe") is a
// *json.UnmarshalTypeError, which encoding/json completes with the struct field's name.
package scalar

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"
)

// Bool is a boolean that LeadSquared may send as true, "true", "True", "TRUE", 1, "1", their
// false forms (false, "false", 0, "0"), "" or null (both false). It marshals as a JSON boolean.
type Bool bool

// StringBool is a [Bool] that marshals as the JSON string "true" or "false", the form
// LeadSquared's docs show for some fields (for example HierarchyUser.IsActive).
type StringBool bool

// Int is an integer that LeadSquared may send as 5, 5.0, "5", "5.0", "" or null (both 0). It
// marshals as a JSON number.
type Int int64

// StringInt is an [Int] that marshals as a JSON string ("5"), the form LeadSquared's docs
// show for some fields (for example UserSearchRecord.StatusCode).
type StringInt int64

// Float is a number that LeadSquared may send as 38.5, "38.5", "" or null (both 0). It
// marshals as a JSON number.
type Float float64

// String is a string that LeadSquared may also send as a JSON number or boolean (digits such as
// a telephony agent id or a zip code): those are kept as their literal text ("1232"). "" and
// null are both "". It marshals as a JSON string.
type String string

var (
	boolType       = reflect.TypeFor[Bool]()
	stringBoolType = reflect.TypeFor[StringBool]()
	intType        = reflect.TypeFor[Int]()
	stringIntType  = reflect.TypeFor[StringInt]()
	floatType      = reflect.TypeFor[Float]()
	stringType     = reflect.TypeFor[String]()
)

// typeError is the error of a JSON value that cannot be read as t; encoding/json adds the
// struct and field names to it.
func typeError(data []byte, t reflect.Type) error {
	return &json.UnmarshalTypeError{Value: describe(data), Type: t}
}

// describe names a JSON value's kind as encoding/json does, with a short excerpt of a string.
func describe(data []byte) string {
	if len(data) == 0 {
		return "empty value"
	}
	switch data[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		s := string(data)
		if len(s) > 40 {
			s = s[:37] + `..."`
		}
		return "string " + s
	case 't', 'f':
		return "bool"
	default:
		return "number " + string(data)
	}
}

// text returns the content of a JSON string token, or data itself for any other token;
// quoted reports whether it was a string. Escapes are decoded only when present.
func text(data []byte) (s []byte, quoted bool, ok bool) {
	if len(data) == 0 || data[0] != '"' {
		return data, false, true
	}
	if len(data) < 2 || data[len(data)-1] != '"' {
		return nil, true, false
	}
	inner := data[1 : len(data)-1]
	for _, c := range inner {
		if c == '\\' || c < 0x20 || c >= 0x80 { // escapes, or bytes json must check as UTF-8
			var u string
			if err := json.Unmarshal(data, &u); err != nil {
				return nil, true, false
			}
			return []byte(u), true, true
		}
	}
	return inner, true, true
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r' || b[len(b)-1] == '\n') {
		b = b[:len(b)-1]
	}
	return b
}

func isNull(data []byte) bool { return string(data) == "null" }

// parseBool reads every form of a boolean.
func parseBool(data []byte) (bool, bool) {
	if isNull(data) {
		return false, true
	}
	s, quoted, ok := text(data)
	if !ok {
		return false, false
	}
	s = trimSpace(s)
	switch {
	case len(s) == 0:
		return false, quoted
	case len(s) == 1 && s[0] == '1':
		return true, true
	case len(s) == 1 && s[0] == '0':
		return false, true
	case len(s) == 4 && (s[0]|0x20) == 't' && (s[1]|0x20) == 'r' && (s[2]|0x20) == 'u' && (s[3]|0x20) == 'e':
		return true, quoted || s[0] == 't'
	case len(s) == 5 && (s[0]|0x20) == 'f' && (s[1]|0x20) == 'a' && (s[2]|0x20) == 'l' && (s[3]|0x20) == 's' && (s[4]|0x20) == 'e':
		return false, quoted || s[0] == 'f'
	}
	// Other spellings of a number that is 0 or 1 ("1.0").
	if f, ok := parseNumber(s); ok && (f == 0 || f == 1) {
		return f == 1, true
	}
	return false, false
}

// parseInt reads an integer, from digits or from a number with no fractional part ("5.0").
func parseInt(data []byte) (int64, bool) {
	if isNull(data) {
		return 0, true
	}
	s, quoted, ok := text(data)
	if !ok || (!quoted && len(s) > 0 && (s[0] == '{' || s[0] == '[' || s[0] == 't' || s[0] == 'f')) {
		return 0, false
	}
	s = trimSpace(s)
	if len(s) == 0 {
		return 0, quoted
	}
	if n, ok := parseDigits(s); ok {
		return n, true
	}
	f, ok := parseNumber(s)
	if !ok || f != math.Trunc(f) || f > math.MaxInt64 || f < math.MinInt64 {
		return 0, false
	}
	return int64(f), true
}

// parseDigits reads an optionally signed decimal integer without allocating.
func parseDigits(s []byte) (int64, bool) {
	neg := false
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		s = s[1:]
	}
	if len(s) == 0 || len(s) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// parseNumber reads a decimal number ("38.5", "1e3").
func parseNumber(s []byte) (float64, bool) {
	if len(s) == 0 {
		return 0, false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E' {
			return 0, false // no "NaN", "Inf" or hex
		}
	}
	f, err := strconv.ParseFloat(string(s), 64)
	return f, err == nil
}

// parseFloat reads every form of a number.
func parseFloat(data []byte) (float64, bool) {
	if isNull(data) {
		return 0, true
	}
	s, quoted, ok := text(data)
	if !ok {
		return 0, false
	}
	s = trimSpace(s)
	if len(s) == 0 {
		return 0, quoted
	}
	if n, ok := parseDigits(s); ok {
		return float64(n), true
	}
	return parseNumber(s)
}

// UnmarshalJSON reads every form of a boolean (see [Bool]).
func (b *Bool) UnmarshalJSON(data []byte) error {
	v, ok := parseBool(data)
	if !ok {
		return typeError(data, boolType)
	}
	*b = Bool(v)
	return nil
}

// MarshalJSON writes true or false.
func (b Bool) MarshalJSON() ([]byte, error) {
	if b {
		return []byte("true"), nil
	}
	return []byte("false"), nil
}

// String returns "true" or "false".
func (b Bool) String() string { return strconv.FormatBool(bool(b)) }

// UnmarshalJSON reads every form of a boolean (see [Bool]).
func (b *StringBool) UnmarshalJSON(data []byte) error {
	v, ok := parseBool(data)
	if !ok {
		return typeError(data, stringBoolType)
	}
	*b = StringBool(v)
	return nil
}

// MarshalJSON writes "true" or "false", as a JSON string.
func (b StringBool) MarshalJSON() ([]byte, error) {
	if b {
		return []byte(`"true"`), nil
	}
	return []byte(`"false"`), nil
}

// String returns "true" or "false".
func (b StringBool) String() string { return strconv.FormatBool(bool(b)) }

// UnmarshalJSON reads every form of an integer (see [Int]).
func (n *Int) UnmarshalJSON(data []byte) error {
	v, ok := parseInt(data)
	if !ok {
		return typeError(data, intType)
	}
	*n = Int(v)
	return nil
}

// MarshalJSON writes a JSON number.
func (n Int) MarshalJSON() ([]byte, error) { return strconv.AppendInt(nil, int64(n), 10), nil }

// String returns the number in decimal.
func (n Int) String() string { return strconv.FormatInt(int64(n), 10) }

// UnmarshalJSON reads every form of an integer (see [Int]).
func (n *StringInt) UnmarshalJSON(data []byte) error {
	v, ok := parseInt(data)
	if !ok {
		return typeError(data, stringIntType)
	}
	*n = StringInt(v)
	return nil
}

// MarshalJSON writes the number as a JSON string ("5").
func (n StringInt) MarshalJSON() ([]byte, error) {
	b := append(make([]byte, 0, 22), '"')
	b = strconv.AppendInt(b, int64(n), 10)
	return append(b, '"'), nil
}

// String returns the number in decimal.
func (n StringInt) String() string { return strconv.FormatInt(int64(n), 10) }

// UnmarshalJSON reads every form of a number (see [Float]).
func (f *Float) UnmarshalJSON(data []byte) error {
	v, ok := parseFloat(data)
	if !ok || math.IsInf(v, 0) || math.IsNaN(v) {
		return typeError(data, floatType)
	}
	*f = Float(v)
	return nil
}

// MarshalJSON writes a JSON number, in the shortest form that reads back the same.
func (f Float) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return nil, &json.UnsupportedValueError{Str: strconv.FormatFloat(v, 'g', -1, 64)}
	}
	if v == 0 {
		v = 0 // -0 (read from "-.0") writes 0: "-0" would read back as 0
	}
	return strconv.AppendFloat(nil, v, 'f', -1, 64), nil
}

// String returns the number in its shortest decimal form.
func (f Float) String() string { return strconv.FormatFloat(float64(f), 'f', -1, 64) }

// UnmarshalJSON reads a JSON string, or keeps a number's or boolean's literal text (see
// [String]).
func (s *String) UnmarshalJSON(data []byte) error {
	if isNull(data) {
		*s = ""
		return nil
	}
	if len(data) > 0 && (data[0] == '{' || data[0] == '[') {
		return typeError(data, stringType)
	}
	t, quoted, ok := text(data)
	if !ok {
		return typeError(data, stringType)
	}
	if !quoted && len(t) == 0 {
		return typeError(data, stringType)
	}
	*s = String(t)
	return nil
}

// MarshalJSON writes a JSON string.
func (s String) MarshalJSON() ([]byte, error) { return json.Marshal(string(s)) }

// String returns s as a string.
func (s String) String() string { return string(s) }
