package usersync

import (
	"fmt"
	"net/mail"
	"strings"
)

// Formula injection (OWASP, "CSV Injection"): a spreadsheet runs a cell that starts with =,
// +, -, @, a tab or a carriage return as a formula, so a user's name like
// =HYPERLINK("http://x","y") in an exported file would run on the admin's machine. Export
// writes such a cell with a ' before it, which the spreadsheet shows as text and does not
// run; import drops that ' again, so a phone number like +91-98765 survives the round trip.
// A value that itself starts with ' and then one of those characters gets one more ', so
// the mapping is one to one: Neutralise and Unneutralise are inverses.

// formulaStarts are the first characters that make a spreadsheet read a cell as a formula.
const formulaStarts = "=+-@\t\r"

// Neutralise returns the CSV cell for the value v: v, or v after a ' when a spreadsheet
// would run it as a formula.
func Neutralise(v string) string {
	if rest := strings.TrimLeft(v, "'"); rest != "" && strings.IndexByte(formulaStarts, rest[0]) >= 0 {
		return "'" + v
	}
	return v
}

// Unneutralise returns the value of a CSV cell that [Neutralise] (lsq users export) may
// have written.
func Unneutralise(cell string) string {
	if strings.HasPrefix(cell, "'") {
		if rest := strings.TrimLeft(cell, "'"); rest != "" && strings.IndexByte(formulaStarts, rest[0]) >= 0 {
			return cell[1:]
		}
	}
	return cell
}

// CheckAddress checks that s is one email address written alone (not "Ada <ada@x.com>",
// "<ada@x.com>" or "ada@x.com (Ada)": those name the mailbox another way, and the same user
// would be three) and returns the address and its key, which is how the engine and lsq
// compare addresses (LeadSquared matches them in any letter case).
func CheckAddress(s string) (addr, key string, err error) {
	s = strings.TrimSpace(s)
	a, perr := mail.ParseAddress(s)
	switch {
	case perr != nil || strings.ContainsAny(a.Address, " \t\r\n"):
		return "", "", fmt.Errorf("not an email address")
	case a.Address != s:
		return "", "", fmt.Errorf("write the address alone, without a name or <>: %s", Printable(a.Address))
	}
	key, err = addressKey(s)
	if err != nil {
		return "", "", err
	}
	return s, key, nil
}
