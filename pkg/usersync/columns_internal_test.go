package usersync

import (
	"maps"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/leadsquared-go/leadsquared-go/spec"
)

// TestColumnsAreTheSpecsCreateUserFields proves the users file's table of fields is the spec's:
// every property of Create a User's request body that one CSV cell can hold is a column
// of its JSON kind, nothing else is, and the others are named here with how they are written.
func TestColumnsAreTheSpecsCreateUserFields(t *testing.T) {
	t.Parallel()
	doc, err := openapi3.NewLoader().LoadFromData(spec.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	var body *openapi3.Schema
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.OperationID == "CreateUser" {
				body = op.RequestBody.Value.Content.Get("application/json").Schema.Value
			}
		}
	}
	if body == nil {
		t.Fatal("no CreateUser request body in the spec")
	}
	cells, others := map[string]string{}, map[string]string{}
	for name, p := range body.Properties {
		switch {
		case p.Value.Type.Is("string"):
			cells[name] = "string"
		case p.Value.Type.Is("boolean"):
			cells[name] = "bool"
		case p.Value.Type.Is("integer"):
			cells[name] = "int"
		default:
			others[name] = p.Value.Type.Slice()[0]
		}
	}
	if !maps.Equal(createFields, cells) {
		t.Errorf("import columns %v,\nthe spec's one-cell properties %v", createFields, cells)
	}
	// The properties a cell cannot hold, and how a file gives them: a change of the spec
	// that adds one must decide it here.
	if want := map[string]string{"CustomFields": "object", "AssociatedGroups": "array"}; !maps.Equal(others, want) {
		t.Errorf("properties without a column: %v, want %v", others, want)
	}
	for _, req := range body.Required {
		if _, ok := cells[req]; !ok {
			t.Errorf("required property %s has no column", req)
		}
	}
	// Each is a column in any letter case; custom fields are mx_* and CustomFields.<name>;
	// the rest is not a column.
	var header []string
	for name := range cells {
		header = append(header, strings.ToLower(name))
	}
	for _, h := range header {
		if c, ok := LookupColumn(h); !ok || c.Kind != ColumnCreate || createFields[c.Name] == "" || !strings.EqualFold(c.Name, h) {
			t.Errorf("column %q read as %+v", h, c)
		}
	}
	if c, _ := LookupColumn("mx_Region"); c.Kind != ColumnCustom || c.Name != "mx_Region" {
		t.Errorf("mx_Region read as %+v", c)
	}
	if c, _ := LookupColumn("CustomFields.Appraisal_Date"); c.Kind != ColumnCustom || c.Name != "Appraisal_Date" {
		t.Errorf("CustomFields.Appraisal_Date read as %+v", c)
	}
	if c, _ := LookupColumn("manageremail"); c.Kind != ColumnManager {
		t.Errorf("ManagerEmail read as %+v", c)
	}
	for _, bad := range []string{"AssociatedGroups", "CustomFields", "Nope"} {
		if c, ok := LookupColumn(bad); ok {
			t.Errorf("column %s read as %+v", bad, c)
		}
	}
	// Every column the export writes by default is one a users file has.
	for _, h := range ExportColumns {
		if _, ok := LookupColumn(h); !ok {
			t.Errorf("the export's column %s is not a column of a users file", h)
		}
	}
}

func TestNeutraliseIsOneToOne(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"", "=1", "+91", "-", "@a", "\tx", "\rx", "'", "'=1", "''+1", "'a", "a=b", "'''", "''@"} {
		if got := Unneutralise(Neutralise(v)); got != v {
			t.Errorf("unneutralise(neutralise(%q)) = %q", v, got)
		}
		if c := Neutralise(v); c != "" && strings.ContainsRune(formulaStarts, rune(c[0])) {
			t.Errorf("neutralise(%q) = %q starts a formula", v, c)
		}
	}
}
