package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// scrub replaces every form of the keys in s with REDACTED: raw, query- and path-escaped,
// and as a JSON string escapes them, which is how a reply echoes one (WCF writes / as \/,
// encoders write & < > as \u0026 \u003c \u003e, " as \"; any character may be \uXXXX).
// Besides the forms it knows, it decodes every JSON string literal in s that has an escape
// and redacts a literal whose value holds a key, whatever escapes spell it.
func scrub(s string, keys credentials) string {
	var ks []string
	for _, k := range []string{keys.accessKey, keys.secretKey} {
		if strings.TrimSpace(k) != "" {
			ks = append(ks, k)
		}
	}
	if len(ks) == 0 {
		return s
	}
	for _, k := range ks {
		for _, form := range keySpellings(k) {
			s = strings.ReplaceAll(s, form, "REDACTED")
		}
	}
	if strings.Contains(s, `\`) {
		s = scrubJSONStrings(s, ks)
	}
	return s
}

// keySpellings are the spellings of key k that scrub replaces directly.
func keySpellings(k string) []string {
	forms := []string{k, url.QueryEscape(k), url.PathEscape(k)}
	for _, slash := range []string{`/`, `\/`, `\u002f`, `\u002F`} {
		for _, html := range []int{0, 'x', 'X'} {
			var b strings.Builder
			for _, r := range k {
				switch {
				case r == '"' || r == '\\':
					b.WriteByte('\\')
					b.WriteRune(r)
				case r == '/':
					b.WriteString(slash)
				case (r == '&' || r == '<' || r == '>') && html != 0:
					if html == 'x' {
						fmt.Fprintf(&b, `\u%04x`, r)
					} else {
						fmt.Fprintf(&b, `\u%04X`, r)
					}
				case r < 0x20:
					fmt.Fprintf(&b, `\u%04x`, r)
				default:
					b.WriteRune(r)
				}
			}
			forms = append(forms, b.String())
		}
	}
	return forms
}

// scrubJSONStrings redacts the JSON string literals of s (quoted, with an escape) whose
// decoded value holds one of the keys, raw or URL-escaped.
func scrubJSONStrings(s string, keys []string) string {
	var out strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '"' {
			continue
		}
		// Find the literal's end: the next " not escaped.
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
			if json.Unmarshal([]byte(s[i:j+1]), &v) == nil && utf8.ValidString(v) {
				w := v
				for _, k := range keys {
					for _, form := range []string{k, url.QueryEscape(k), url.PathEscape(k)} {
						w = strings.ReplaceAll(w, form, "REDACTED")
					}
				}
				if w != v {
					b, _ := json.Marshal(w)
					out.WriteString(s[last:i])
					out.Write(b)
					last = j + 1
				}
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
