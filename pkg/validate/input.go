package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Limits on the JSON a Validator reads.
const (
	// DefaultMaxBodySize is the largest body a Validator reads (10 MB) unless
	// [Validator.WithMaxBodySize] sets another limit.
	DefaultMaxBodySize = 10 << 20
	// MaxDepth is the deepest nesting of arrays and objects a Validator accepts.
	MaxDepth = 1000
)

// The rules of the failures that input checks report (Failure.Rule), before any schema.
const (
	// RuleUTF8 is a string or key that is not valid UTF-8 (a raw invalid byte sequence or
	// an escaped unpaired surrogate). Decoders replace it silently with U+FFFD.
	RuleUTF8 Rule = "utf8"
	// RuleDuplicateKey is a key that appears twice in one object: decoders keep one of the
	// values (encoding/json the last), so what is validated and what is sent could differ.
	RuleDuplicateKey Rule = "duplicateKey"
	// RuleDepth is nesting deeper than MaxDepth.
	RuleDepth Rule = "depth"
	// RuleSize is a body larger than the Validator's size limit.
	RuleSize Rule = "size"
	// RuleUnknown is an attribute the spec does not list, in a request (or in a reply whose
	// schema does not allow others): a typo, named with the operation's own attribute it is
	// nearest to when there is one.
	RuleUnknown Rule = "unknown"
	// RuleCase is a key that differs from the spec's only in letter case; Expected is the
	// spec's spelling.
	RuleCase Rule = "case"
)

// ErrTooLarge is wrapped by the errors of [ReadLimited] for input over its limit.
var ErrTooLarge = errors.New("input is larger than the size limit")

// WithMaxBodySize returns a copy of v that refuses bodies larger than n bytes, instead of
// [DefaultMaxBodySize], with a failure of rule [RuleSize]. n must be positive.
func (v *Validator) WithMaxBodySize(n int64) (*Validator, error) {
	if n <= 0 {
		return nil, fmt.Errorf("validate: WithMaxBodySize: need a positive size, got %d", n)
	}
	c := *v
	c.maxSize = n
	return &c, nil
}

// MaxBodySize returns the largest body v reads, in bytes.
func (v *Validator) MaxBodySize() int64 {
	if v.maxSize > 0 {
		return v.maxSize
	}
	return DefaultMaxBodySize
}

// ReadLimited reads r to its end, but no more than max bytes: longer input is an error
// wrapping [ErrTooLarge], returned once max+1 bytes have been read, without reading the rest.
func ReadLimited(r io.Reader, max int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%w of %d bytes", ErrTooLarge, max)
	}
	return b, nil
}

// sizeFailure reports a body over the limit.
func sizeFailure(n int, limit int64) Failure {
	return Failure{In: InBody, Rule: RuleSize, Expected: fmt.Sprintf("at most %d bytes", limit), Message: fmt.Sprintf("body is %d bytes, over the size limit of %d bytes", n, limit)}
}

// CheckJSON checks that body is one JSON value that decodes unambiguously: its strings and
// keys are valid UTF-8, no object repeats a key, and nesting stays within [MaxDepth]. It
// returns the failures of those rules ([RuleUTF8], [RuleDuplicateKey], [RuleDepth]), each
// with the JSON pointer of the value or key, or an error when body is not JSON at all
// ("syntax error at byte N"; the input is never quoted). It reads body once, keeping only
// the keys of the objects on the current path.
func CheckJSON(body []byte) ([]Failure, error) {
	s := &inputScanner{b: body}
	s.skipSpace()
	ok := s.value(0)
	if ok {
		s.skipSpace()
		if s.i < len(s.b) {
			ok = s.syntax()
		}
	}
	if !ok && s.bad {
		return nil, fmt.Errorf("syntax error at byte %d", s.syntaxAt)
	}
	return s.fails, nil
}

// maxInputFailures caps the failures CheckJSON reports.
const maxInputFailures = 20

// inputScanner is a single-pass JSON checker that tracks the JSON pointer of the value it
// is in.
type inputScanner struct {
	b        []byte
	i        int
	path     []pathElem // where the scan is, built into a pointer only for a failure
	fails    []Failure
	bad      bool // a syntax error stopped the scan
	syntaxAt int  // its offset, counted from 1 as encoding/json does
}

// pathElem is one step of the scan's path: an array index, or an object key (decoded).
type pathElem struct {
	key   []byte
	index int
	isKey bool
}

func (e pathElem) token() string {
	if !e.isKey {
		return strconv.Itoa(e.index)
	}
	return escapeToken(strings.ToValidUTF8(string(e.key), "\uFFFD"))
}

// pointer returns the JSON pointer of the current value, and of extra beneath it.
func (s *inputScanner) pointer(extra ...pathElem) string {
	var b strings.Builder
	for _, p := range append(s.path[:len(s.path):len(s.path)], extra...) {
		b.WriteByte('/')
		b.WriteString(p.token())
	}
	return b.String()
}

// syntax records a syntax error at the current offset and stops the scan.
func (s *inputScanner) syntax() bool {
	if !s.bad {
		s.bad, s.syntaxAt = true, s.i+1
	}
	return false
}

// fail records a failure; it stops the scan once there are maxInputFailures.
func (s *inputScanner) fail(f Failure) bool {
	f.In = InBody
	s.fails = append(s.fails, f)
	return len(s.fails) < maxInputFailures
}

func (s *inputScanner) skipSpace() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
		default:
			return
		}
	}
}

// value scans one value at depth (the number of enclosing arrays and objects). It returns
// false when the scan stops: a syntax error, the depth limit or too many failures.
func (s *inputScanner) value(depth int) bool {
	if s.i >= len(s.b) {
		return s.syntax()
	}
	switch c := s.b[s.i]; {
	case c == '{' || c == '[':
		if depth >= MaxDepth {
			s.fail(Failure{Pointer: s.pointer(), Rule: RuleDepth,
				Message: fmt.Sprintf("nesting is deeper than the depth limit of %d arrays and objects", MaxDepth)})
			return false
		}
		if c == '{' {
			return s.object(depth + 1)
		}
		return s.array(depth + 1)
	case c == '"':
		_, valid, ok := s.str()
		if !ok {
			return false
		}
		if !valid {
			return s.fail(Failure{Pointer: s.pointer(), Rule: RuleUTF8, Message: "string is not valid UTF-8"})
		}
		return true
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return s.number()
	}
	return s.syntax()
}

func (s *inputScanner) literal(lit string) bool {
	if !bytes.HasPrefix(s.b[s.i:], []byte(lit)) {
		return s.syntax()
	}
	s.i += len(lit)
	return true
}

func (s *inputScanner) digits() int {
	n := 0
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
		n++
	}
	return n
}

func (s *inputScanner) number() bool {
	if s.b[s.i] == '-' {
		s.i++
	}
	if s.i < len(s.b) && s.b[s.i] == '0' {
		s.i++
	} else if s.digits() == 0 {
		return s.syntax()
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if s.digits() == 0 {
			return s.syntax()
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if s.digits() == 0 {
			return s.syntax()
		}
	}
	return true
}

// str scans a string at s.i; raw is its content between the quotes, valid whether it is
// valid UTF-8 with no unpaired surrogate escape.
func (s *inputScanner) str() (raw []byte, valid, ok bool) {
	start := s.i + 1
	s.i++
	valid = true
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			raw = s.b[start:s.i]
			s.i++
			return raw, valid && utf8.Valid(raw), true
		case c < 0x20:
			return nil, false, s.syntax()
		case c == '\\':
			s.i++
			if s.i >= len(s.b) {
				return nil, false, s.syntax()
			}
			switch s.b[s.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i++
			case 'u':
				r, ok := s.hex4(s.i + 1)
				if !ok {
					return nil, false, s.syntax()
				}
				s.i += 5
				if utf16.IsSurrogate(r) {
					// A high surrogate must be followed by an escaped low one.
					if r >= 0xDC00 || s.i+1 >= len(s.b) || s.b[s.i] != '\\' || s.b[s.i+1] != 'u' {
						valid = false
						continue
					}
					r2, ok := s.hex4(s.i + 2)
					if !ok {
						return nil, false, s.syntax()
					}
					if r2 < 0xDC00 || r2 > 0xDFFF {
						valid = false
						continue
					}
					s.i += 6
				}
			default:
				return nil, false, s.syntax()
			}
		default:
			s.i++
		}
	}
	return nil, false, s.syntax()
}

func (s *inputScanner) hex4(at int) (rune, bool) {
	if at+4 > len(s.b) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(s.b[at:at+4]), 16, 32)
	return rune(n), err == nil
}

func (s *inputScanner) array(depth int) bool {
	s.i++ // [
	s.skipSpace()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		return true
	}
	for idx := 0; ; idx++ {
		s.path = append(s.path, pathElem{index: idx})
		ok := s.value(depth)
		s.path = s.path[:len(s.path)-1]
		if !ok {
			return false
		}
		s.skipSpace()
		if s.i >= len(s.b) {
			return s.syntax()
		}
		switch s.b[s.i] {
		case ',':
			s.i++
			s.skipSpace()
		case ']':
			s.i++
			return true
		default:
			return s.syntax()
		}
	}
}

func (s *inputScanner) object(depth int) bool {
	s.i++ // {
	s.skipSpace()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return true
	}
	// The keys seen so far: a list while it is short, a map beyond.
	var few [16][]byte
	keys := few[:0]
	var seen map[string]struct{}
	for {
		if s.i >= len(s.b) || s.b[s.i] != '"' {
			return s.syntax()
		}
		raw, valid, ok := s.str()
		if !ok {
			return false
		}
		key := raw
		if bytes.IndexByte(raw, '\\') >= 0 {
			var k string
			if err := json.Unmarshal(s.b[s.i-len(raw)-2:s.i], &k); err == nil {
				key = []byte(k)
			}
		}
		elem := pathElem{key: key, isKey: true}
		keep := true
		if !valid {
			keep = s.fail(Failure{Pointer: s.pointer(elem), Rule: RuleUTF8, Message: "key is not valid UTF-8"})
		} else {
			dup := false
			if seen != nil {
				_, dup = seen[string(key)]
				seen[string(key)] = struct{}{}
			} else {
				for _, k := range keys {
					if bytes.Equal(k, key) {
						dup = true
						break
					}
				}
				keys = append(keys, key)
				if len(keys) > len(few) {
					seen = make(map[string]struct{}, 2*len(keys))
					for _, k := range keys {
						seen[string(k)] = struct{}{}
					}
				}
			}
			if dup {
				keep = s.fail(Failure{Pointer: s.pointer(elem), Rule: RuleDuplicateKey,
					Message: "key appears more than once in the object (decoders keep only one of its values)"})
			}
		}
		if !keep {
			return false
		}
		s.skipSpace()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return s.syntax()
		}
		s.i++
		s.skipSpace()
		s.path = append(s.path, elem)
		ok = s.value(depth)
		s.path = s.path[:len(s.path)-1]
		if !ok {
			return false
		}
		s.skipSpace()
		if s.i >= len(s.b) {
			return s.syntax()
		}
		switch s.b[s.i] {
		case ',':
			s.i++
			s.skipSpace()
		case '}':
			s.i++
			return true
		default:
			return s.syntax()
		}
	}
}

// escapeToken escapes a key as a JSON pointer token.
func escapeToken(k string) string {
	if strings.ContainsAny(k, "~/") {
		k = strings.ReplaceAll(k, "~", "~0")
		k = strings.ReplaceAll(k, "/", "~1")
	}
	return k
}
