package usersync

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// CanonicalAddress returns the key under which two email addresses are the same user: two
// addresses that look alike on a screen or in a spreadsheet have the same key. It is the
// address with
//
//   - the whole address in Unicode normalisation form NFKC, so that a letter composed (é,
//     NFC) and decomposed (e and a combining acute, NFD) are one, and compatibility forms
//     fold to their plain letters: full-width ｂｏｂ＠ｘ．ｃｏｍ is bob@x.com, a ligature ﬁ is fi;
//   - the local part (before the @) case-folded (Unicode full case folding, so Bob and bob
//     are one, and so are ß and ss) and put in NFKC again;
//   - the domain (after the @) mapped to its ASCII form by IDNA (UTS 46, non-transitional,
//     as for a DNS lookup, with the Bidi rule and label lengths checked): bücher.de and its
//     punycode form xn--bcher-kva.de are one, xn--bcher-kva.de, in lower case.
//
// An address that cannot be keyed so is an error (an [*AddressError]), never quietly changed
// into another: one holding a character that shows nothing or reorders what follows it
// (zero-width space U+200B, zero-width non-joiner and joiner U+200C and U+200D, soft hyphen
// U+00AD, byte order mark U+FEFF, word joiner U+2060, the bidirectional controls U+200E,
// U+200F, U+061C, U+202A to U+202E and U+2066 to U+2069, variation selectors and every
// other default-ignorable or format character), a control character (tab and newline
// included), a space of any kind (an address has none: trim a cell's spaces first), a
// private-use or unassigned code point, a character whose compatibility form is one of
// those (U+00A8 DIAERESIS is a space and a combining mark), bytes that are not UTF-8, no @
// or more than one, an empty local part, a domain ending in a dot, or a domain IDNA
// refuses. The error names the character by code point and its place in the address.
//
// CanonicalAddress does not judge whether the address can receive mail, and does not fold
// letters of one script into look-alikes of another (Cyrillic а and Latin a stay apart).
// The key is for comparing; the address a user is created with is the one the source gave.
func CanonicalAddress(addr string) (string, error) {
	if err := checkAddressRunes(addr); err != nil {
		return "", err
	}
	s := norm.NFKC.String(addr)
	at := strings.IndexByte(s, '@')
	switch {
	case at < 0:
		return "", &AddressError{Address: addr, Reason: "has no @"}
	case strings.Count(s, "@") > 1:
		return "", &AddressError{Address: addr, Reason: "has more than one @"}
	case at == 0:
		return "", &AddressError{Address: addr, Reason: "has nothing before the @"}
	case at == len(s)-1:
		return "", &AddressError{Address: addr, Reason: "has no domain after the @"}
	}
	local := norm.NFKC.String(cases.Fold().String(s[:at]))
	domain, err := addressDomain.ToASCII(s[at+1:])
	if err != nil {
		return "", &AddressError{Address: addr, Reason: fmt.Sprintf("has a domain IDNA refuses (%v)", err)}
	}
	if strings.HasSuffix(domain, ".") {
		// A DNS name may end in the root's dot; an address's domain may not (RFC 5321).
		return "", &AddressError{Address: addr, Reason: "has a domain ending in a dot"}
	}
	return local + "@" + domain, nil
}

// addressDomain maps a domain as a DNS lookup of it does (RFC 5891 section 5, UTS 46).
var addressDomain = idna.New(
	idna.MapForLookup(),
	idna.BidiRule(),
	idna.Transitional(false),
	idna.VerifyDNSLength(true),
	idna.CheckHyphens(true),
	idna.CheckJoiners(true),
)

// AddressError is the error of [CanonicalAddress] for an address it cannot key.
type AddressError struct {
	// Address is the address as given.
	Address string
	// Rune is the character refused, [utf8.RuneError] for bytes that are not UTF-8; 0 when
	// the error is not about one character.
	Rune rune
	// Pos is the place of Rune in Address, in characters from 1 (for bytes that are not
	// UTF-8, the byte from 1); 0 when the error is not about one character.
	Pos int
	// Reason says what is wrong.
	Reason string
}

func (e *AddressError) Error() string {
	if e.Pos == 0 {
		return fmt.Sprintf("address %q %s", e.Address, e.Reason)
	}
	if e.Rune == utf8.RuneError {
		return fmt.Sprintf("address %q: byte %d %s", e.Address, e.Pos, e.Reason)
	}
	return fmt.Sprintf("address %q: character %d is %s, %s", e.Address, e.Pos, runeName(e.Rune), e.Reason)
}

// checkAddressRunes returns an [*AddressError] for the first character of addr that an
// address may not hold, directly or in its compatibility form.
func checkAddressRunes(addr string) error {
	pos := 0
	for i, r := range addr {
		pos++
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(addr[i:]); size == 1 {
				return &AddressError{Address: addr, Rune: utf8.RuneError, Pos: i + 1, Reason: "is not UTF-8"}
			}
		}
		reason := refusedRune(r)
		if reason == "" && r >= utf8.RuneSelf {
			// A compatibility mapping may add what the character itself is not (U+00A8
			// DIAERESIS is a space and a combining diaeresis).
			for _, m := range norm.NFKC.String(string(r)) {
				if why := refusedRune(m); why != "" {
					reason = fmt.Sprintf("whose compatibility form holds %s, %s", runeName(m), why)
					break
				}
			}
		}
		if reason != "" {
			return &AddressError{Address: addr, Rune: r, Pos: pos, Reason: reason}
		}
	}
	return nil
}

// refusedRune says why an address may not hold r, or "" if it may.
func refusedRune(r rune) string {
	switch {
	case bidiControl(r):
		return "a bidirectional control (it reorders the text shown after it)"
	case unicode.Is(unicode.Cc, r):
		return "a control character"
	case unicode.Is(unicode.Cf, r), unicode.Is(unicode.Variation_Selector, r),
		unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r):
		return "an invisible character"
	case unicode.Is(unicode.Z, r):
		return "a space"
	case unicode.Is(unicode.Co, r):
		return "a private-use character"
	case !unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S):
		return "not a character Unicode assigns"
	}
	return ""
}

// bidiControl reports whether r is one of Unicode's explicit bidirectional formatting
// characters (UAX 9, table 4) or a directional mark.
func bidiControl(r rune) bool {
	return r == 0x061C || r == 0x200E || r == 0x200F ||
		(0x202A <= r && r <= 0x202E) || (0x2066 <= r && r <= 0x2069)
}

// runeNames are the Unicode names of the characters an address is most often refused for.
var runeNames = map[rune]string{
	0x0009: "CHARACTER TABULATION",
	0x000A: "LINE FEED",
	0x000D: "CARRIAGE RETURN",
	0x0020: "SPACE",
	0x00A0: "NO-BREAK SPACE",
	0x00AD: "SOFT HYPHEN",
	0x034F: "COMBINING GRAPHEME JOINER",
	0x061C: "ARABIC LETTER MARK",
	0x200B: "ZERO WIDTH SPACE",
	0x200C: "ZERO WIDTH NON-JOINER",
	0x200D: "ZERO WIDTH JOINER",
	0x200E: "LEFT-TO-RIGHT MARK",
	0x200F: "RIGHT-TO-LEFT MARK",
	0x202A: "LEFT-TO-RIGHT EMBEDDING",
	0x202B: "RIGHT-TO-LEFT EMBEDDING",
	0x202C: "POP DIRECTIONAL FORMATTING",
	0x202D: "LEFT-TO-RIGHT OVERRIDE",
	0x202E: "RIGHT-TO-LEFT OVERRIDE",
	0x2060: "WORD JOINER",
	0x2066: "LEFT-TO-RIGHT ISOLATE",
	0x2067: "RIGHT-TO-LEFT ISOLATE",
	0x2068: "FIRST STRONG ISOLATE",
	0x2069: "POP DIRECTIONAL ISOLATE",
	0x3000: "IDEOGRAPHIC SPACE",
	0xFEFF: "ZERO WIDTH NO-BREAK SPACE (byte order mark)",
}

// runeName is r's code point, and its name when runeNames has it: U+200B ZERO WIDTH SPACE.
func runeName(r rune) string {
	if n, ok := runeNames[r]; ok {
		return fmt.Sprintf("U+%04X %s", r, n)
	}
	return fmt.Sprintf("U+%04X", r)
}
