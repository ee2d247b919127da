package scalar

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"time"
)

// Layout is LeadSquared's date-time format, UTC with no zone: "2006-01-02 15:04:05".
const Layout = time.DateTime

// DateTime is a UTC date and time that LeadSquared sends as "2020-03-31 13:31:17" (some list
// endpoints add a fraction, ".123"; a single-digit hour is read too). It also reads
// "2020-03-31" (midnight), RFC 3339 ("2020-03-31T13:31:17Z", converted to UTC; without a zone
// it is taken as UTC), WCF's "/Date(1585661477000)/", and "" and null (both the zero
// DateTime). It marshals as "2006-01-02 15:04:05" (with the fraction only when it is not 0),
// and the zero DateTime as "".
//
// The embedded time.Time gives DateTime every method of time.Time: d.IsZero(), d.Year(),
// d.Format(…); d.Time is the time.Time itself.
type DateTime struct {
	time.Time
}

var dateTimeType = reflect.TypeFor[DateTime]()

// NewDateTime returns t as a DateTime, in UTC.
func NewDateTime(t time.Time) DateTime {
	if t.IsZero() {
		return DateTime{}
	}
	return DateTime{t.UTC()}
}

// ParseDateTime reads s in any of the forms [DateTime] accepts ("" is the zero DateTime).
func ParseDateTime(s string) (DateTime, error) {
	t, ok := parseTime([]byte(s))
	if !ok {
		return DateTime{}, &time.ParseError{Layout: Layout, Value: s, LayoutElem: Layout, ValueElem: s,
			Message: ": not a LeadSquared date and time (want " + Layout + ", " + time.DateOnly + " or RFC 3339)"}
	}
	return DateTime{t}, nil
}

// UnmarshalJSON reads every form listed at [DateTime].
func (d *DateTime) UnmarshalJSON(data []byte) error {
	if isNull(data) {
		*d = DateTime{}
		return nil
	}
	s, quoted, ok := text(data)
	if !ok || !quoted {
		return typeError(data, dateTimeType)
	}
	t, ok := parseTime(s)
	if !ok {
		return typeError(data, dateTimeType)
	}
	d.Time = t
	return nil
}

// MarshalJSON writes "2006-01-02 15:04:05" in UTC (with a fraction when it is not 0), or ""
// for the zero DateTime.
func (d DateTime) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte(`""`), nil
	}
	b := make([]byte, 0, len(Layout)+12)
	b = append(b, '"')
	b = d.appendFormat(b)
	return append(b, '"'), nil
}

// String returns the DateTime as "2006-01-02 15:04:05" in UTC, or "" when it is zero.
func (d DateTime) String() string {
	if d.IsZero() {
		return ""
	}
	return string(d.appendFormat(nil))
}

// MarshalText writes the DateTime as [DateTime.String] does; it replaces time.Time's RFC 3339
// form for encoders other than encoding/json (query strings, YAML, CSV writers).
func (d DateTime) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return []byte{}, nil
	}
	return d.appendFormat(nil), nil
}

// UnmarshalText reads every form listed at [DateTime], without JSON quotes.
func (d *DateTime) UnmarshalText(data []byte) error {
	t, ok := parseTime(data)
	if !ok {
		return typeError(strconv.AppendQuote(nil, string(data)), dateTimeType)
	}
	d.Time = t
	return nil
}

func (d DateTime) appendFormat(b []byte) []byte {
	t := d.UTC()
	if t.Nanosecond() != 0 {
		return t.AppendFormat(b, "2006-01-02 15:04:05.9999999")
	}
	return t.AppendFormat(b, Layout)
}

// parseTime reads the forms of a date and time; an empty or blank string is the zero time.
func parseTime(s []byte) (time.Time, bool) {
	s = trimSpace(s)
	if len(s) == 0 {
		return time.Time{}, true
	}
	if t, ok := parseLSQ(s); ok {
		return t, true
	}
	if bytes.HasPrefix(s, []byte("/Date(")) && bytes.HasSuffix(s, []byte(")/")) {
		return parseWCF(s[len("/Date(") : len(s)-2])
	}
	str := string(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05Z07:00"} {
		if t, err := time.Parse(layout, str); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// parseLSQ reads "yyyy-MM-dd", "yyyy-MM-dd H:mm:ss" and "yyyy-MM-dd HH:mm:ss[.f…]" without
// allocating.
func parseLSQ(s []byte) (time.Time, bool) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	year, ok1 := num(s[0:4])
	month, ok2 := num(s[5:7])
	day, ok3 := num(s[8:10])
	if !ok1 || !ok2 || !ok3 || month < 1 || month > 12 || day < 1 || day > 31 {
		return time.Time{}, false
	}
	if len(s) == 10 {
		return date(year, month, day, 0, 0, 0, 0)
	}
	if s[10] != ' ' {
		return time.Time{}, false
	}
	rest := s[11:]
	hl := 2
	if len(rest) > 1 && rest[1] == ':' {
		hl = 1
	}
	if len(rest) < hl+6 || rest[hl] != ':' || rest[hl+3] != ':' {
		return time.Time{}, false
	}
	hour, ok1 := num(rest[:hl])
	minute, ok2 := num(rest[hl+1 : hl+3])
	sec, ok3 := num(rest[hl+4 : hl+6])
	if !ok1 || !ok2 || !ok3 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	frac := rest[hl+6:]
	nsec := 0
	if len(frac) > 0 {
		if frac[0] != '.' || len(frac) < 2 || len(frac) > 10 {
			return time.Time{}, false
		}
		digits := frac[1:]
		n, ok := num(digits)
		if !ok {
			return time.Time{}, false
		}
		for i := len(digits); i < 9; i++ {
			n *= 10
		}
		nsec = n
	}
	return date(year, month, day, hour, minute, sec, nsec)
}

func date(year, month, day, hour, minute, sec, nsec int) (time.Time, bool) {
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if t.Day() != day { // 2023-02-30
		return time.Time{}, false
	}
	return t, true
}

func num(s []byte) (int, bool) {
	if len(s) == 0 {
		return 0, false
	}
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// parseWCF reads the inside of WCF's "/Date(ms)/" or "/Date(ms+hhmm)/".
func parseWCF(s []byte) (time.Time, bool) {
	if i := bytes.LastIndexAny(s, "+-"); i > 0 {
		s = s[:i] // the zone only says how to display the instant
	}
	ms, err := strconv.ParseInt(string(s), 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	t := time.UnixMilli(ms).UTC()
	if y := t.Year(); y < 1 || y > 9999 {
		return time.Time{}, false // "yyyy-MM-dd HH:mm:ss" cannot write it, so it would not read back
	}
	return t, true
}

var _ json.Marshaler = DateTime{}
