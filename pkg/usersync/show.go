package usersync

import (
	"strconv"
	"strings"
	"unicode"
)

// Printable returns s as it may be shown on a terminal or in a log: as it is when every
// character is a visible one (no space, quote, backslash, control character, escape,
// line break, bidi or invisible format character), else in double quotes with each such
// character escaped (\n, \x1b, \u202e, ...). A value read from a file or an account
// goes through it (or through [strconv.Quote]) before it is printed, so that a cell cannot
// forge or hide a line of a plan.
func Printable(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return r == '"' || r == '\\' || r == '\'' || r == '`' || unicode.IsSpace(r) || !strconv.IsPrint(r)
	}) < 0 {
		return s
	}
	return strconv.Quote(s)
}
