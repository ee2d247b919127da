// Package redact removes secrets (API keys) from text, URLs, errors and query strings, in
// every spelling a secret takes on the way: raw, URL query-escaped, URL path-escaped (any of
// its bytes as a %XX escape, in upper, lower or mixed case hex), and as a JSON string escapes
// it. The client (package leadsquared), the fake server (lsqtest) and
// the lsq command use it, so a key never reaches an error, a log line or a request log.
//
// It uses only the standard library.
package redact

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// Redacted replaces a secret.
const Redacted = "REDACTED"

// Redactor replaces secrets by [Redacted]. A nil *Redactor, or one without secrets, changes
// nothing. It is safe for concurrent use.
type Redactor struct {
	r       *strings.Replacer
	keys    []string  // the secrets as given (not blank), longest first
	forms   []string  // every spelling of every secret, longest first
	params  []string  // query parameters whose values URL replaces
	escapes bool      // a JSON string literal may spell a secret in a form forms lacks
	space   bool      // a secret holds a space, which a query spells +
	first   [256]bool // the first bytes of the secrets
}

// New returns a Redactor of secrets. A blank secret (empty or only spaces) is ignored: it is
// no secret, and replacing it would wreck the text. params names the query parameters
// (matched in any letter case) whose values [Redactor.URL] replaces whatever they hold.
func New(secrets, params []string) *Redactor {
	rd := &Redactor{params: slices.Clone(params)}
	seen := map[string]bool{}
	for _, k := range secrets {
		if strings.TrimSpace(k) == "" {
			continue
		}
		rd.keys = append(rd.keys, k)
		for _, form := range Spellings(k) {
			if !seen[form] {
				seen[form] = true
				rd.forms = append(rd.forms, form)
			}
		}
	}
	// Longest first: where two spellings start at the same place (an escaped form and a
	// raw key that begins it, or a key that begins another key), the longer is replaced
	// whole. strings.Replacer tries its pairs in the order given.
	slices.SortStableFunc(rd.forms, func(a, b string) int { return len(b) - len(a) })
	slices.SortStableFunc(rd.keys, func(a, b string) int { return len(b) - len(a) })
	rd.space = slices.ContainsFunc(rd.keys, func(k string) bool { return strings.Contains(k, " ") })
	for _, k := range rd.keys {
		rd.first[k[0]] = true
	}
	pairs := make([]string, 0, 2*len(rd.forms))
	for _, f := range rd.forms {
		pairs = append(pairs, f, Redacted)
	}
	rd.r = strings.NewReplacer(pairs...)
	return rd
}

// Spellings returns the spellings of secret k that a Redactor replaces directly: k itself,
// URL query- and path-escaped, and as JSON encoders write it in a string (" and \ escaped; /
// as is, as \/ as WCF writes it, or \u002f; & < > as is or as \u0026 \u003c \u003e, lower
// or upper hex; control characters as \u00XX). A JSON string literal that spells k in any
// other way (every character \uXXXX, say) is found by decoding it, and one that percent-escapes
// any of k's bytes in another way (%2f for %2F, %24 for a $ the list leaves raw) by matching k
// byte by byte against the %XX escapes (and + for a space) of the text.
func Spellings(k string) []string {
	forms := []string{k, url.QueryEscape(k), url.PathEscape(k)}
	for _, slash := range []string{`/`, `\/`, `\u002f`, `\u002F`} {
		for _, html := range []byte{0, 'x', 'X'} {
			var b strings.Builder
			for _, r := range k {
				switch {
				case r == '"' || r == '\\':
					b.WriteByte('\\')
					b.WriteRune(r)
				case r == '/':
					b.WriteString(slash)
				case (r == '&' || r == '<' || r == '>') && html == 'x':
					fmt.Fprintf(&b, `\u%04x`, r)
				case (r == '&' || r == '<' || r == '>') && html == 'X':
					fmt.Fprintf(&b, `\u%04X`, r)
				case r < 0x20:
					fmt.Fprintf(&b, `\u%04x`, r)
				default:
					b.WriteRune(r)
				}
			}
			forms = append(forms, b.String())
		}
	}
	return slices.Compact(forms)
}

// Contains reports whether s holds a secret: in one of its [Spellings], with any of its bytes
// percent-escaped (in either letter case), or in a JSON string literal whose decoded value
// holds it. It is true exactly when [Redactor.Scrub] changes s.
func (rd *Redactor) Contains(s string) bool {
	if rd == nil || len(rd.forms) == 0 {
		return false
	}
	return rd.spelled(s) || (strings.Contains(s, `\`) && rd.scrubJSONStrings(s) != s)
}

// spelled reports whether s holds one of the secrets' [Spellings], or a secret some of whose
// bytes are percent-escaped.
func (rd *Redactor) spelled(s string) bool {
	for _, f := range rd.forms {
		if strings.Contains(s, f) {
			return true
		}
	}
	return rd.mayEscape(s) && rd.scrubEscaped(s) != s
}

// replace replaces every secret in s: its [Spellings], then the secrets spelled with other
// percent escapes.
func (rd *Redactor) replace(s string) string {
	s = rd.r.Replace(s)
	if rd.mayEscape(s) {
		s = rd.scrubEscaped(s)
	}
	return s
}

// mayEscape reports whether s may spell a secret with percent escapes the [Spellings] lack:
// s has a % (or, when a secret holds a space, a +).
func (rd *Redactor) mayEscape(s string) bool {
	return strings.IndexByte(s, '%') >= 0 || (rd.space && strings.IndexByte(s, '+') >= 0)
}

// scrubEscaped returns s with every secret replaced where each of its bytes is written as is,
// as a %XX escape with upper or lower case hex digits, or (a space) as +. At each place of s
// the longest secret that matches is replaced; s is returned as is when none matches.
func (rd *Redactor) scrubEscaped(s string) string {
	var out strings.Builder
	last := 0
	for i := 0; i < len(s); {
		// Only a place that spells a secret's first byte can start one: the byte itself, its
		// %XX escape, or + for a space.
		c := s[i]
		if !rd.first[c] && (c != '%' || i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) || !rd.first[unhex(s[i+1])<<4|unhex(s[i+2])]) &&
			(c != '+' || !rd.first[' ']) {
			i++
			continue
		}
		end := -1
		for _, k := range rd.keys {
			if end = matchEscaped(s, i, k); end >= 0 {
				break
			}
		}
		if end < 0 {
			i++
			continue
		}
		if last == 0 {
			out.Grow(len(s))
		}
		out.WriteString(s[last:i])
		out.WriteString(Redacted)
		i, last = end, end
	}
	if last == 0 {
		return s
	}
	out.WriteString(s[last:])
	return out.String()
}

// matchEscaped returns where secret k ends in s when s spells it from i, each byte of k as
// is, as %XX (hex digits in either case) or, a space, as +; otherwise -1. A % of k that s
// writes %25 is tried both ways: as the escape, then as a raw % followed by "25".
func matchEscaped(s string, i int, k string) int {
	for j := 0; j < len(k); j++ {
		b := k[j]
		if i+2 < len(s) && s[i] == '%' && isHex(s[i+1]) && isHex(s[i+2]) && unhex(s[i+1])<<4|unhex(s[i+2]) == int(b) {
			if b != '%' {
				i += 3
				continue
			}
			if end := matchEscaped(s, i+3, k[j+1:]); end >= 0 {
				return end
			}
		}
		if i < len(s) && (s[i] == b || (b == ' ' && s[i] == '+')) {
			i++
			continue
		}
		return -1
	}
	return i
}

func isHex(c byte) bool { return unhex(c) >= 0 }

// unhex is the value of hex digit c (in either case), or -1.
func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// Scrub returns s with every secret replaced by [Redacted]: each of its [Spellings], longest
// first; then each secret written with other percent escapes (%2f for %2F, %24 for $); then,
// in each JSON string literal of s that has an escape and whose decoded value holds a secret
// (whatever escapes spell it), the secret is replaced and the literal encoded again. s is returned as is when it holds no secret.
func (rd *Redactor) Scrub(s string) string {
	if rd == nil || len(rd.forms) == 0 {
		return s
	}
	if rd.spelled(s) {
		s = rd.replace(s)
	}
	if strings.Contains(s, `\`) {
		s = rd.scrubJSONStrings(s)
	}
	return s
}

// ScrubBytes is [Redactor.Scrub] for bytes; it returns b itself when b holds no secret.
func (rd *Redactor) ScrubBytes(b []byte) []byte {
	if rd == nil || len(rd.forms) == 0 {
		return b
	}
	s := string(b)
	if out := rd.Scrub(s); out != s {
		return []byte(out)
	}
	return b
}

// scrubJSONStrings rewrites the JSON string literals of s (quoted, with an escape) whose
// decoded value holds a secret: the secret is replaced in the value, which is encoded again.
func (rd *Redactor) scrubJSONStrings(s string) string {
	var out strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '"' {
			continue
		}
		// The literal's end: the next " not escaped.
		j, escaped := i+1, false
		for ; j < len(s); j++ {
			if s[j] == '\\' {
				escaped = true
				j++
				continue
			}
			if s[j] == '"' {
				break
			}
		}
		if j >= len(s) {
			break
		}
		if escaped {
			var v string
			if json.Unmarshal([]byte(s[i:j+1]), &v) == nil && utf8.ValidString(v) && rd.spelled(v) {
				b, _ := json.Marshal(rd.replace(v))
				out.WriteString(s[last:i])
				out.Write(b)
				last = j + 1
			}
		}
		i = j
	}
	if last == 0 {
		return s
	}
	out.WriteString(s[last:])
	return out.String()
}

// URL returns the URL raw with the values of the query parameters named in [New] replaced by
// REDACTED (as go-github's sanitizeURL does), then every other secret scrubbed.
func (rd *Redactor) URL(raw string) string {
	if rd == nil {
		return raw
	}
	if u, err := url.Parse(raw); err == nil && u.RawQuery != "" {
		if q, changed := query(u.Query(), rd.params); changed {
			u.RawQuery = q.Encode()
			raw = u.String()
		}
	}
	return rd.Scrub(raw)
}

// Query returns a copy of q with the value of every parameter named in names (in any letter
// case: LeadSquared matches query names so) replaced by [Redacted].
func Query(q url.Values, names ...string) url.Values {
	out, _ := query(q, names)
	return out
}

// query is Query, and whether a value was replaced.
func query(q url.Values, names []string) (out url.Values, changed bool) {
	out = make(url.Values, len(q))
	for k, vs := range q {
		secret := false
		for _, n := range names {
			secret = secret || strings.EqualFold(k, n)
		}
		if !secret {
			out[k] = slices.Clone(vs)
			continue
		}
		out[k] = make([]string, len(vs))
		for i := range vs {
			out[k][i] = Redacted
		}
		changed = true
	}
	return out, changed
}

// Err returns err with no secret in its text. A *url.Error (whose text holds the full URL,
// query included) is rebuilt with its URL redacted ([Redactor.URL]) and keeps its cause, so
// errors.Is, errors.As and Timeout() keep working; its cause is made [Redactor.Opaque] only
// when its own text holds a secret. Any other error holding a secret is made opaque; an
// error without one is returned as is.
func (rd *Redactor) Err(err error) error {
	if err == nil || rd == nil {
		return err
	}
	if ue, ok := err.(*url.Error); ok { //nolint:errorlint // only the outermost error is rebuilt
		inner := ue.Err
		if inner != nil && rd.Contains(inner.Error()) {
			inner = rd.Opaque(inner)
		}
		return &url.Error{Op: ue.Op, URL: rd.URL(ue.URL), Err: inner}
	}
	if !rd.Contains(err.Error()) {
		return err
	}
	return rd.Opaque(err)
}

// Opaque returns an error whose text is err's scrubbed and whose only cause is the context
// error (context.Canceled or context.DeadlineExceeded) err matches, if any: the rest of the
// chain, which may hold the secret, is dropped.
func (rd *Redactor) Opaque(err error) error {
	e := &redactedError{msg: rd.Scrub(err.Error())}
	switch {
	case errors.Is(err, context.Canceled):
		e.cause = context.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		e.cause = context.DeadlineExceeded
	}
	return e
}

// redactedError carries a scrubbed message in place of an error whose text held a secret.
type redactedError struct {
	msg   string
	cause error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.cause }
