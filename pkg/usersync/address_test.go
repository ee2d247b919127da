package usersync_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/leadsquared-go/leadsquared-go/pkg/usersync"
)

// Addresses that look alike are one user: each is keyed as the plain address is.
func TestCanonicalAddressSame(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, a, b, want string }{
		{"letter case", "Bob@X.COM", "bob@x.com", "bob@x.com"},
		{"NFC and NFD", "jos\u00e9@x.com", "jose\u0301@x.com", "jos\u00e9@x.com"},
		{"NFD in the domain", "bob@b\u00fccher.de", "bob@bu\u0308cher.de", "bob@xn--bcher-kva.de"},
		{"full-width letters", "\uff42\uff4f\uff42\uff20\uff58\uff0e\uff43\uff4f\uff4d", "bob@x.com", "bob@x.com"},
		{"full-width capitals", "\uff22\uff2f\uff22@x.com", "bob@x.com", "bob@x.com"},
		{"IDN and punycode", "bob@b\u00fccher.de", "bob@xn--bcher-kva.de", "bob@xn--bcher-kva.de"},
		{"IDN in capitals and punycode", "bob@B\u00dcCHER.DE", "bob@XN--BCHER-KVA.DE", "bob@xn--bcher-kva.de"},
		{"ideographic full stop in the domain", "bob@x\u3002com", "bob@x.com", "bob@x.com"},
		{"ligature", "\ufb01nance@x.com", "finance@x.com", "finance@x.com"},
		{"case folding", "STRASSE@x.com", "stra\u00dfe@x.com", "strasse@x.com"},
		{"non-Latin local part", "\u0399\u03a9\u0391\u039d\u039d\u0397\u03a3@x.gr", "\u03b9\u03c9\u03b1\u03bd\u03bd\u03b7\u03c3@x.gr", "\u03b9\u03c9\u03b1\u03bd\u03bd\u03b7\u03c3@x.gr"},
	} {
		a, err := usersync.CanonicalAddress(tc.a)
		if err != nil {
			t.Errorf("%s: CanonicalAddress(%q): %v", tc.name, tc.a, err)
			continue
		}
		b, err := usersync.CanonicalAddress(tc.b)
		if err != nil {
			t.Errorf("%s: CanonicalAddress(%q): %v", tc.name, tc.b, err)
			continue
		}
		if a != tc.want || b != tc.want {
			t.Errorf("%s: CanonicalAddress(%q) = %q, CanonicalAddress(%q) = %q, want both %q", tc.name, tc.a, a, tc.b, b, tc.want)
		}
	}
}

// Addresses that differ stay apart.
func TestCanonicalAddressDifferent(t *testing.T) {
	t.Parallel()
	for _, pair := range [][2]string{
		{"bob@x.com", "bob@y.com"},
		{"bob@x.com", "rob@x.com"},
		{"jos\u00e9@x.com", "jose@x.com"},
		{"bob@b\u00fccher.de", "bob@bucher.de"},
		{"b.ob@x.com", "bob@x.com"},
		{"\u0430bc@x.com", "abc@x.com"}, // Cyrillic а is not folded into Latin a
	} {
		a, errA := usersync.CanonicalAddress(pair[0])
		b, errB := usersync.CanonicalAddress(pair[1])
		if errA != nil || errB != nil {
			t.Errorf("%q, %q: %v, %v", pair[0], pair[1], errA, errB)
			continue
		}
		if a == b {
			t.Errorf("%q and %q are both %q", pair[0], pair[1], a)
		}
	}
}

// An address with a character that shows nothing, reorders the text, or is a control is
// refused, naming the character and where it is; it is never stripped into the plain one.
func TestCanonicalAddressRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, addr string
		r          rune
		pos        int
		text       string
	}{
		{"zero-width space", "bob\u200b@x.com", 0x200B, 4, `character 4 is U+200B ZERO WIDTH SPACE, an invisible character`},
		{"zero-width joiner", "bo\u200db@x.com", 0x200D, 3, `U+200D ZERO WIDTH JOINER`},
		{"zero-width non-joiner", "bob@x\u200c.com", 0x200C, 6, `U+200C ZERO WIDTH NON-JOINER`},
		{"soft hyphen", "bo\u00adb@x.com", 0x00AD, 3, `character 3 is U+00AD SOFT HYPHEN, an invisible character`},
		{"byte order mark", "\ufeffbob@x.com", 0xFEFF, 1, `character 1 is U+FEFF ZERO WIDTH NO-BREAK SPACE (byte order mark)`},
		{"word joiner", "bob@x.c\u2060om", 0x2060, 8, `U+2060 WORD JOINER`},
		{"right-to-left override", "\u202emoc.x@bob", 0x202E, 1, `character 1 is U+202E RIGHT-TO-LEFT OVERRIDE, a bidirectional control`},
		{"left-to-right embedding", "bob@\u202ax.com", 0x202A, 5, `U+202A LEFT-TO-RIGHT EMBEDDING, a bidirectional control`},
		{"pop directional formatting", "bob\u202c@x.com", 0x202C, 4, `U+202C POP DIRECTIONAL FORMATTING`},
		{"right-to-left isolate", "bob@x.com\u2067", 0x2067, 10, `U+2067 RIGHT-TO-LEFT ISOLATE, a bidirectional control`},
		{"pop directional isolate", "bob\u2069@x.com", 0x2069, 4, `U+2069 POP DIRECTIONAL ISOLATE`},
		{"left-to-right mark", "bob\u200e@x.com", 0x200E, 4, `U+200E LEFT-TO-RIGHT MARK, a bidirectional control`},
		{"right-to-left mark", "bob@x.com\u200f", 0x200F, 10, `U+200F RIGHT-TO-LEFT MARK`},
		{"arabic letter mark", "bob\u061c@x.com", 0x061C, 4, `U+061C ARABIC LETTER MARK`},
		{"escape", "bob\x1b[8m@x.com", 0x1B, 4, `character 4 is U+001B, a control character`},
		{"newline", "bob@x.com\n", '\n', 10, `U+000A LINE FEED, a control character`},
		{"tab", "\tbob@x.com", '\t', 1, `U+0009 CHARACTER TABULATION`},
		{"DEL", "bob\x7f@x.com", 0x7F, 4, `U+007F, a control character`},
		{"C1 control", "bob\u0085@x.com", 0x85, 4, `U+0085, a control character`},
		{"space", "bob @x.com", ' ', 4, `U+0020 SPACE, a space`},
		{"no-break space", "bob@x.com\u00a0", 0xA0, 10, `U+00A0 NO-BREAK SPACE, a space`},
		{"ideographic space", "\u3000bob@x.com", 0x3000, 1, `U+3000 IDEOGRAPHIC SPACE`},
		{"variation selector", "bob\ufe0f@x.com", 0xFE0F, 4, `U+FE0F, an invisible character`},
		{"combining grapheme joiner", "bo\u034fb@x.com", 0x034F, 3, `U+034F COMBINING GRAPHEME JOINER, an invisible character`},
		{"Hangul filler", "bob\u3164@x.com", 0x3164, 4, `U+3164, an invisible character`},
		{"tag character", "bob\U000e0041@x.com", 0xE0041, 4, `U+E0041, an invisible character`},
		{"private use", "bob\ue000@x.com", 0xE000, 4, `U+E000, a private-use character`},
		{"unassigned", "bob\u0378@x.com", 0x0378, 4, `not a character Unicode assigns`},
		{"a space in compatibility form", "bob\u00a8@x.com", 0xA8, 4, `U+00A8, whose compatibility form holds U+0020 SPACE, a space`},
		{"not UTF-8", "bo\xffb@x.com", utf8.RuneError, 3, `byte 3 is not UTF-8`},
	} {
		got, err := usersync.CanonicalAddress(tc.addr)
		var ae *usersync.AddressError
		if !errors.As(err, &ae) {
			t.Errorf("%s: CanonicalAddress(%q) = %q, %v; want an *AddressError", tc.name, tc.addr, got, err)
			continue
		}
		if got != "" || ae.Rune != tc.r || ae.Pos != tc.pos || ae.Address != tc.addr {
			t.Errorf("%s: got %q, error {Rune: %U, Pos: %d, Address: %q}; want rune %U at %d", tc.name, got, ae.Rune, ae.Pos, ae.Address, tc.r, tc.pos)
		}
		if !strings.Contains(err.Error(), tc.text) {
			t.Errorf("%s: error %q lacks %q", tc.name, err, tc.text)
		}
		// The error shows the address escaped: the character refused cannot act on a
		// terminal, or hide in it.
		if strings.ContainsAny(err.Error(), "\u200b\u202e\x1b\n\ufeff\u00ad") {
			t.Errorf("%s: error holds the raw character: %q", tc.name, err)
		}
	}
}

// What is not an address of one local part and one domain is refused.
func TestCanonicalAddressMalformed(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]string{
		"":                   "has no @",
		"bob":                "has no @",
		"bob@x@y.com":        "has more than one @",
		"bob\uff20x@y.com":   "has more than one @", // a full-width @ is an @
		"@x.com":             "nothing before the @",
		"bob@":               "no domain after the @",
		"bob@x..com":         "domain IDNA refuses",
		"bob@x.com.":         "domain ending in a dot",
		"bob@x.com\u3002":    "domain ending in a dot", // an ideographic full stop is a dot
		"bob@-x.com":         "domain IDNA refuses",
		"bob@x_y.com":        "domain IDNA refuses",
		"bob@xn--zz.com":     "domain IDNA refuses", // not punycode
		"bob@" + longLabel(): "domain IDNA refuses",
	} {
		got, err := usersync.CanonicalAddress(addr)
		var ae *usersync.AddressError
		if !errors.As(err, &ae) || !strings.Contains(err.Error(), want) || got != "" {
			t.Errorf("CanonicalAddress(%q) = %q, %v; want an *AddressError saying %q", addr, got, err, want)
		}
	}
}

func longLabel() string { return strings.Repeat("a", 64) + ".com" }

// A canonical address is its own canonical form.
func TestCanonicalAddressIdempotent(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{"Bob@X.com", "jose\u0301@b\u00fccher.de", "\uff42\uff4f\uff42\uff20\uff58\uff0e\uff43\uff4f\uff4d", "\u1e9e@x.com", "\u0130@x.com"} {
		checkIdempotent(t, addr)
	}
}

func checkIdempotent(t *testing.T, addr string) {
	t.Helper()
	c, err := usersync.CanonicalAddress(addr)
	if err != nil {
		return
	}
	if !utf8.ValidString(c) || strings.Count(c, "@") != 1 {
		t.Fatalf("CanonicalAddress(%q) = %q: not one @ in UTF-8", addr, c)
	}
	c2, err := usersync.CanonicalAddress(c)
	if err != nil || c2 != c {
		t.Fatalf("CanonicalAddress(%q) = %q, but CanonicalAddress(%q) = %q, %v", addr, c, c, c2, err)
	}
}

func FuzzCanonicalAddress(f *testing.F) {
	for _, s := range []string{
		"bob@x.com", "bob\u200b@x.com", "jos\u00e9@x.com", "jose\u0301@x.com", "bo\u00adb@x.com",
		"\ufeffbob@x.com", "\u202emoc.x@bob", "\uff42\uff4f\uff42\uff20\uff58\uff0e\uff43\uff4f\uff4d",
		"bob@b\u00fccher.de", "bob@xn--bcher-kva.de", "STRA\u1e9eE@x.com", "\u0130@x.com", "a@b@c",
	} {
		f.Add(s)
	}
	f.Fuzz(checkIdempotent)
}
