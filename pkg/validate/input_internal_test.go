package validate

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

// Validating element by element finds exactly the failures of validating the decoded
// whole, with the same pointers and rules.
func TestStreamingMatchesWholeValidation(t *testing.T) {
	t.Parallel()
	v, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	user := `{"ID":"u1","FirstName":"A","EmailAddress":"a@example.com","Role":"Sales_User","StatusCode":0}`
	badUser := `{"ID":"u2","FirstName":7,"EmailAddress":"a@example.com","Role":"Boss"}`
	for _, tc := range []struct {
		op, body string
		request  bool
	}{
		{"GetUsers", `[` + user + `,` + badUser + `,` + user + `,` + badUser + `]`, false},
		{"GetUsers", `[]`, false},
		{"GetUsers", `[1, "x", null]`, false},
		{"AdvancedSearchUsers", `{"Users":[` + user + `,` + badUser + `],"RecordCount":2}`, false},
		{"AdvancedSearchUsers", `{"Users":[],"RecordCount":"two","Extra":{"a":1}}`, false},
		{"AdvancedSearchUsers", `{"Users":"none"}`, false},
		{"AdvancedSearchUsers", `{"RecordCount":1}`, false},
		{"AdvancedSearchUsers", `{"GroupConditions":[{"Condition":[1]},{}],"Paging":{"PageIndex":"x"}}`, true},
		{"BulkUpdateUsers", `{"Conditions":[{"x":1}],"Fields":[]}`, true},
		{"BulkUpdateUserManagers", `[{"UserId":"u","ManagerId":"m"},{"UserId":1}]`, true},
	} {
		o, _ := v.Operation(api.OperationID(tc.op))
		schema, opt := o.responses["200"], openapi3.VisitAsResponse()
		if tc.request {
			schema, opt = o.body, openapi3.VisitAsRequest()
		}
		body := []byte(tc.body)
		if streamed(schema, body) {
			t.Errorf("%s: a body of %d bytes is streamed", tc.op, len(body))
		}
		// Pad it past streamMinSize with white space, which changes nothing else.
		body = append(body, make([]byte, streamMinSize)...)
		for i := len(tc.body); i < len(body); i++ {
			body[i] = ' '
		}
		if !streamed(schema, body) {
			if firstByte(body) == '[' || tc.op == "AdvancedSearchUsers" {
				t.Errorf("%s %s: not streamed", tc.op, tc.body)
			}
			continue
		}
		got, _, err := validateStreaming(schema, body, opt)
		if err != nil {
			t.Fatalf("%s: %v", tc.op, err)
		}
		var val any
		if err := json.Unmarshal(body, &val); err != nil {
			t.Fatal(err)
		}
		want := appendSchemaFailures(nil, InBody, "", schema.VisitJSON(val, openapi3.MultiErrors(), opt))
		key := func(fs []Failure) []string {
			var out []string
			for _, f := range fs {
				out = append(out, f.Pointer+" "+f.Rule)
			}
			slices.Sort(out)
			return out
		}
		if !slices.Equal(key(got), key(want)) {
			t.Errorf("%s %s:\nstreamed %v\nwhole    %v", tc.op, tc.body, key(got), key(want))
		}
	}
}
