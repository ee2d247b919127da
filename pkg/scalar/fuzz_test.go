package scalar_test

import (
	"encoding/json"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/scalar"
)

// FuzzScalars: no input panics a scalar's UnmarshalJSON, and a value that was read marshals
// to JSON that reads back as the same value.
func FuzzScalars(f *testing.F) {
	for _, s := range []string{`true`, `"True"`, `"1"`, `5`, `"5.0"`, `""`, `null`, `"2020-03-31 13:31:17"`,
		`"2020-03-31T13:31:17Z"`, `"/Date(1585661477000)/"`, `{"a":1}`, `"maybe"`, `1e400`, `"\u0031"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		check(t, data, new(scalar.Bool))
		check(t, data, new(scalar.StringBool))
		check(t, data, new(scalar.Int))
		check(t, data, new(scalar.StringInt))
		check(t, data, new(scalar.Float))
		check(t, data, new(scalar.String))
		check(t, data, new(scalar.DateTime))
	})
}

func check[T any](t *testing.T, data []byte, v *T) {
	if !json.Valid(data) || json.Unmarshal(data, v) != nil {
		return
	}
	out, err := json.Marshal(*v)
	if err != nil {
		t.Fatalf("%T read %s but does not marshal: %v", v, data, err)
	}
	var again T
	if err := json.Unmarshal(out, &again); err != nil {
		t.Fatalf("%T: %s -> %s does not read back: %v", v, data, out, err)
	}
	if a, b := mustJSON(t, again), string(out); a != b {
		t.Fatalf("%T: %s -> %s -> %s", v, data, out, a)
	}
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
