package main

// scrub replaces every form of the keys in s with REDACTED: raw, query- and path-escaped,
// and as a JSON string escapes them, which is how a reply echoes one (WCF writes / as \/,
// encoders write & < > as \u0026 \u003c \u003e, " as \"; any character may be \uXXXX),
// the longer key first where one holds the other. It is package redact's Redactor, which the
// client and the fake use too.
func scrub(s string, keys credentials) string {
	if s == "" {
		return s
	}
	return keys.redactor().Scrub(s)
}
