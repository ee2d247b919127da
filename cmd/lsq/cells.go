package main

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
)

// Formula injection (OWASP, "CSV Injection"): a spreadsheet runs a cell that starts with =,
// +, -, @, a tab or a carriage return as a formula, so a user's name like
// =HYPERLINK("http://x","y") in an exported file would run on the admin's machine. Export
// writes such a cell with a ' before it, which the spreadsheet shows as text and does not
// run; import drops that ' again, so a phone number like +91-98765 survives the round trip.
// A value that itself starts with ' and then one of those characters gets one more ', so
// the mapping is one to one: neutralise and unneutralise are inverses.

// formulaStarts are the first characters that make a spreadsheet read a cell as a formula.
const formulaStarts = "=+-@\t\r"

// neutralise returns the CSV cell for the value v.
func neutralise(v string) string {
	if rest := strings.TrimLeft(v, "'"); rest != "" && strings.IndexByte(formulaStarts, rest[0]) >= 0 {
		return "'" + v
	}
	return v
}

// unneutralise returns the value of a CSV cell that export may have neutralised.
func unneutralise(cell string) string {
	if strings.HasPrefix(cell, "'") {
		if rest := strings.TrimLeft(cell, "'"); rest != "" && strings.IndexByte(formulaStarts, rest[0]) >= 0 {
			return cell[1:]
		}
	}
	return cell
}

// normalEmail checks that s is one email address written alone (not "Ada <ada@x.com>",
// "<ada@x.com>" or "ada@x.com (Ada)": those name the mailbox another way, and the same user
// would be three) and returns the address and its key, the address lower-cased, which is how
// lsq compares addresses (LeadSquared matches them in any letter case).
func normalEmail(s string) (addr, key string, err error) {
	s = strings.TrimSpace(s)
	a, perr := mail.ParseAddress(s)
	switch {
	case perr != nil || strings.ContainsAny(a.Address, " \t\r\n"):
		return "", "", fmt.Errorf("not an email address")
	case a.Address != s:
		return "", "", fmt.Errorf("write the address alone, without a name or <>: %s", a.Address)
	}
	return s, strings.ToLower(s), nil
}

// A spreadsheet shows a long run of digits (a phone number, a numeric id) as a number, and
// saves it as it shows it: 919876543210 becomes 9.19877E+11, its last digits lost. Such a
// cell of a phone or id column is refused, not imported as the text it became.

// scientific matches a number in scientific notation as spreadsheets write it: a mantissa,
// then E (or e) and a signed exponent.
var scientific = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?[eE][+-][0-9]+$`)

// scientificCell returns why a cell of column col is refused, "" if it is not: the column
// holds phone numbers (its name has "phone" in any letter case) or ids (it ends in Id or ID)
// and the cell is a number in scientific notation.
func scientificCell(col, val string) string {
	isDigits := strings.Contains(strings.ToLower(col), "phone") || strings.HasSuffix(col, "Id") || strings.HasSuffix(col, "ID")
	if !isDigits || !scientific.MatchString(val) {
		return ""
	}
	return fmt.Sprintf("%s is a number in scientific notation, as a spreadsheet saves a long number it reformatted, its last digits lost: format the column as text and enter the values again", val)
}
