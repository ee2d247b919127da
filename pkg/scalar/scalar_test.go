package scalar_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/scalar"
)

func TestBoolReadsEveryForm(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{`true`, true}, {`"true"`, true}, {`"True"`, true}, {`"TRUE"`, true}, {`1`, true}, {`"1"`, true},
		{`" true "`, true}, {`1.0`, true}, {`"1.0"`, true},
		{`false`, false}, {`"false"`, false}, {`"False"`, false}, {`0`, false}, {`"0"`, false},
		{`""`, false}, {`null`, false},
	} {
		var b scalar.Bool
		if err := json.Unmarshal([]byte(tt.in), &b); err != nil || bool(b) != tt.want {
			t.Errorf("Bool %s = %v, %v; want %v", tt.in, b, err, tt.want)
		}
		var sb scalar.StringBool
		if err := json.Unmarshal([]byte(tt.in), &sb); err != nil || bool(sb) != tt.want {
			t.Errorf("StringBool %s = %v, %v; want %v", tt.in, sb, err, tt.want)
		}
	}
}

func TestIntReadsEveryForm(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		want int64
	}{
		{`5`, 5}, {`"5"`, 5}, {`5.0`, 5}, {`"5.0"`, 5}, {`-12`, -12}, {`"-12"`, -12}, {`" 7 "`, 7},
		{`1e3`, 1000}, {`""`, 0}, {`null`, 0}, {`0`, 0}, {`"22824"`, 22824},
		{`9007199254740993`, 9007199254740993},
	} {
		var n scalar.Int
		if err := json.Unmarshal([]byte(tt.in), &n); err != nil || int64(n) != tt.want {
			t.Errorf("Int %s = %v, %v; want %v", tt.in, n, err, tt.want)
		}
		var sn scalar.StringInt
		if err := json.Unmarshal([]byte(tt.in), &sn); err != nil || int64(sn) != tt.want {
			t.Errorf("StringInt %s = %v, %v; want %v", tt.in, sn, err, tt.want)
		}
	}
}

func TestFloatReadsEveryForm(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		want float64
	}{
		{`38.578624`, 38.578624}, {`"38.578624"`, 38.578624}, {`-121.5`, -121.5}, {`"-121.5"`, -121.5},
		{`5`, 5}, {`"5"`, 5}, {`""`, 0}, {`null`, 0},
	} {
		var f scalar.Float
		if err := json.Unmarshal([]byte(tt.in), &f); err != nil || float64(f) != tt.want {
			t.Errorf("Float %s = %v, %v; want %v", tt.in, f, err, tt.want)
		}
	}
}

func TestStringKeepsNumbersAsText(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{`"1232"`: "1232", `1232`: "1232", `"a\"b"`: `a"b`, `null`: "", `""`: "", `true`: "true", `12.50`: "12.50"} {
		var s scalar.String
		if err := json.Unmarshal([]byte(in), &s); err != nil || string(s) != want {
			t.Errorf("String %s = %q, %v; want %q", in, s, err, want)
		}
	}
}

func TestDateTimeReadsEveryForm(t *testing.T) {
	t.Parallel()
	want := time.Date(2020, 3, 31, 13, 31, 17, 0, time.UTC)
	for in, want := range map[string]time.Time{
		`"2020-03-31 13:31:17"`:          want,
		`"2020-03-31T13:31:17Z"`:         want,
		`"2020-03-31T19:01:17+05:30"`:    want,
		`"2020-03-31T13:31:17"`:          want,
		`"/Date(1585661477000)/"`:        want,
		`"\/Date(1585661477000+0530)\/"`: want,
		`"2020-03-31 13:31:17.120"`:      want.Add(120 * time.Millisecond),
		`"2017-11-22 7:44:45"`:           time.Date(2017, 11, 22, 7, 44, 45, 0, time.UTC),
		`"2023-10-04"`:                   time.Date(2023, 10, 4, 0, 0, 0, 0, time.UTC),
		`""`:                             {},
		`" "`:                            {},
		`null`:                           {},
	} {
		var d scalar.DateTime
		if err := json.Unmarshal([]byte(in), &d); err != nil || !d.Equal(want) || (!want.IsZero() && d.Location() != time.UTC) {
			t.Errorf("DateTime %s = %v, %v; want %v", in, d, err, want)
		}
	}
}

// Values that cannot be read at all are errors that name the struct field (encoding/json adds it
// to the *json.UnmarshalTypeError) and never a silent zero.
func TestUnreadableValuesNameTheField(t *testing.T) {
	t.Parallel()
	type model struct {
		IsPhoneCallAgent scalar.Bool
		Flag             scalar.StringBool
		OrgId            scalar.Int
		Code             scalar.StringInt
		Latitude         scalar.Float
		Zip              scalar.String
		LastCheckedOn    scalar.DateTime
	}
	for _, tt := range []struct{ field, value string }{
		{"IsPhoneCallAgent", `"maybe"`}, {"IsPhoneCallAgent", `{"a":1}`}, {"IsPhoneCallAgent", `[true]`}, {"IsPhoneCallAgent", `2`},
		{"Flag", `"yes please"`},
		{"OrgId", `"12a"`}, {"OrgId", `5.5`}, {"OrgId", `true`}, {"OrgId", `{}`}, {"OrgId", `"NaN"`},
		{"Code", `"x"`},
		{"Latitude", `"north"`}, {"Latitude", `false`}, {"Latitude", `"Inf"`},
		{"Zip", `{}`}, {"Zip", `[]`},
		{"LastCheckedOn", `"yesterday"`}, {"LastCheckedOn", `"2023-02-30 10:00:00"`}, {"LastCheckedOn", `12`}, {"LastCheckedOn", `"2020-03-31 25:00:00"`},
	} {
		var m model
		err := json.Unmarshal([]byte(`{"`+tt.field+`":`+tt.value+`}`), &m)
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) || !strings.Contains(err.Error(), "model."+tt.field) {
			t.Errorf("%s = %s: err %v, want a type error naming model.%s", tt.field, tt.value, err, tt.field)
		}
	}
}

// Each type writes the form LeadSquared's docs show for its fields, and reads it back.
func TestMarshalWritesTheDocumentedForm(t *testing.T) {
	t.Parallel()
	when := scalar.NewDateTime(time.Date(2020, 3, 31, 19, 1, 17, 0, time.FixedZone("IST", 5*3600+1800)))
	for _, tt := range []struct {
		v    any
		want string
	}{
		{scalar.Bool(true), `true`}, {scalar.Bool(false), `false`},
		{scalar.StringBool(true), `"true"`}, {scalar.StringBool(false), `"false"`},
		{scalar.Int(22824), `22824`}, {scalar.StringInt(-3), `"-3"`},
		{scalar.Float(38.578624), `38.578624`}, {scalar.Float(0), `0`},
		{scalar.String("1232"), `"1232"`},
		{when, `"2020-03-31 13:31:17"`},
		{scalar.DateTime{}, `""`},
		{scalar.NewDateTime(time.Date(2020, 3, 31, 13, 31, 17, 120e6, time.UTC)), `"2020-03-31 13:31:17.12"`},
	} {
		got, err := json.Marshal(tt.v)
		if err != nil || string(got) != tt.want {
			t.Errorf("Marshal(%#v) = %s, %v; want %s", tt.v, got, err, tt.want)
		}
	}
	// A body in the docs' forms round-trips unchanged.
	type body struct {
		IsActive  scalar.StringBool `json:"IsActive"`
		Agent     scalar.Bool       `json:"IsPhoneCallAgent"`
		Status    scalar.StringInt  `json:"StatusCode"`
		OrgID     scalar.Int        `json:"OrgId"`
		Lat       scalar.Float      `json:"Latitude"`
		CheckedOn scalar.DateTime   `json:"CheckedOn"`
	}
	const in = `{"IsActive":"true","IsPhoneCallAgent":false,"StatusCode":"0","OrgId":22824,"Latitude":12.9716,"CheckedOn":"2017-11-22 07:44:45"}`
	var b body
	if err := json.Unmarshal([]byte(in), &b); err != nil {
		t.Fatal(err)
	}
	if out, _ := json.Marshal(b); string(out) != in {
		t.Errorf("round trip:\n got %s\nwant %s", out, in)
	}
}

func TestScalarsConvertToGoTypes(t *testing.T) {
	t.Parallel()
	var m struct {
		A scalar.Bool
		N scalar.Int
	}
	if err := json.Unmarshal([]byte(`{"A":"True","N":"42"}`), &m); err != nil {
		t.Fatal(err)
	}
	if !bool(m.A) || int(m.N) != 42 || m.N != 42 {
		t.Errorf("got %+v", m)
	}
	if d, err := scalar.ParseDateTime("2020-03-31 13:31:17"); err != nil || d.Year() != 2020 || d.String() != "2020-03-31 13:31:17" {
		t.Errorf("ParseDateTime: %v %v", d, err)
	}
	if _, err := scalar.ParseDateTime("31/03/2020"); err == nil {
		t.Error("ParseDateTime accepted 31/03/2020")
	}
}

// omitzero leaves zero scalars out of a request body (the generated request models rely on it).
func TestOmitZero(t *testing.T) {
	t.Parallel()
	v := struct {
		A scalar.Bool     `json:"A,omitzero"`
		D scalar.DateTime `json:"D,omitzero"`
		N scalar.Int      `json:"N,omitzero"`
	}{}
	if out, _ := json.Marshal(v); string(out) != `{}` {
		t.Errorf("zero values marshal to %s, want {}", out)
	}
}
