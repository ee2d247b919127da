package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	yaml3 "gopkg.in/yaml.v3"
)

// The operation table follows the spec's marks: a GET is idempotent unless x-idempotent: false,
// a POST only with x-idempotent: true; x-lsq-bulk: true marks a bulk operation.
func TestOperationMarks(t *testing.T) {
	const spec = `
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /Search:
    post: {operationId: Search, x-idempotent: true, responses: {"200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/R"}}}}}}
  /Create:
    post: {operationId: Create, responses: {"200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/R"}}}}}}
  /Write:
    post: {operationId: Write, x-idempotent: false, x-lsq-bulk: true, responses: {"200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/R"}}}}}}
  /Get:
    get: {operationId: Get, responses: {"200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/R"}}}}}}
  /Activate:
    get: {operationId: Activate, x-idempotent: false, responses: {"200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/R"}}}}}}
components: {schemas: {R: {type: object}}}
`
	doc, err := openapi3.NewLoader().LoadFromData([]byte(spec))
	if err != nil {
		t.Fatal(err)
	}
	ops, err := operations(doc)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]bool{ // idempotent, bulk
		"Search": {true, false}, "Create": {false, false}, "Write": {false, true}, "Get": {true, false}, "Activate": {false, false},
	}
	if len(ops) != len(want) {
		t.Fatalf("%d operations, want %d", len(ops), len(want))
	}
	for i, o := range ops {
		if i > 0 && ops[i-1].ID >= o.ID {
			t.Errorf("operations not sorted by ID: %s before %s", ops[i-1].ID, o.ID)
		}
		if w := want[o.ID]; o.Idempotent != w[0] || o.Bulk != w[1] {
			t.Errorf("%s: idempotent %v bulk %v, want %v %v", o.ID, o.Idempotent, o.Bulk, w[0], w[1])
		}
	}
}

func TestOperationMarkMustBeBoolean(t *testing.T) {
	const spec = `
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /Search:
    post: {operationId: Search, x-idempotent: "yes", responses: {"200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/R"}}}}}}
components: {schemas: {R: {type: object}}}
`
	doc, err := openapi3.NewLoader().LoadFromData([]byte(spec))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := operations(doc); err == nil {
		t.Error("x-idempotent: \"yes\" was accepted")
	}
}

// The method signature follows the spec: query parameters (required ones checked), body, and
// the 200 answer's type; x-lsq-single returns one item of an array.
func TestOperationSignature(t *testing.T) {
	const spec = `
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /User:
    get:
      operationId: GetThing
      x-lsq-single: true
      parameters:
        - {name: thingId, in: query, required: true, example: t-1, schema: {type: string}}
        - {name: lower, in: query, required: true, x-go-name: Lower, schema: {type: string, example: x}}
        - {name: opt, in: query, schema: {type: string}}
      responses: {"200": {description: ok, content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Thing"}}}}}}
  /Create:
    post:
      operationId: CreateThing
      requestBody: {content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}, example: {Name: a}}}}
      responses: {"200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}}}
  /Inline:
    get:
      operationId: Inline
      responses: {"200": {description: ok, content: {application/json: {schema: {type: object}}}}}
components: {schemas: {Thing: {type: object}}}
`
	doc, err := openapi3.NewLoader().LoadFromData([]byte(spec))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := operations(doc); err == nil {
		t.Error("an inline 200 schema was accepted")
	}
	doc.Paths.Delete("/Inline")
	ops, err := operations(doc)
	if err != nil {
		t.Fatal(err)
	}
	create, get := ops[0], ops[1]
	if create.Params != "" || create.Body != "api.Thing" || create.Ret != "api.Thing" || create.Single {
		t.Errorf("CreateThing: %+v", create)
	}
	if get.Params != "api.GetThingParams" || get.Body != "" || get.Result != "[]api.Thing" || get.Ret != "api.Thing" || !get.Single ||
		len(get.Required) != 2 || get.Required[0] != (param{"thingId", "ThingId"}) || get.Required[1] != (param{"lower", "Lower"}) {
		t.Errorf("GetThing: %+v", get)
	}
	// The generated Examples' samples: the parameters' examples (the optional one has none),
	// the body's example, as Go literals that compile.
	if get.ParamsSample != `{"lower":"x","thingId":"t-1"}` || create.BodySample != `{"Name":"a"}` {
		t.Errorf("samples: params %s, body %s", get.ParamsSample, create.BodySample)
	}
	if got := goString(create.BodySample); got != "`"+`{"Name":"a"}`+"`" {
		t.Errorf("goString = %s", got)
	}
	if got := goString("a`b"); got != `"a`+"`"+`b"` {
		t.Errorf("goString = %s", got)
	}
	// An operation whose Example would have nothing to send is an error.
	doc.Paths.Value("/Create").Post.RequestBody.Value.Content.Get("application/json").Example = nil
	if _, err := operations(doc); err == nil || !strings.Contains(err.Error(), "has no example") {
		t.Errorf("a body without an example or a docs sample: %v", err)
	}
}

// TestSpecRoundTripExact: spec/openapi.yaml read and written back as applyOverlay does is the
// same bytes, so an applied overlay changes only what it says.
func TestSpecRoundTripExact(t *testing.T) {
	src, err := os.ReadFile("../spec/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var root yaml3.Node
	if err := yaml3.Unmarshal(src, &root); err != nil {
		t.Fatal(err)
	}
	out, err := encodeYAML(&root)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, src) {
		a, b := strings.Split(string(src), "\n"), strings.Split(string(out), "\n")
		for i := range min(len(a), len(b)) {
			if a[i] != b[i] {
				t.Fatalf("line %d differs after a round trip:\n  %s\n  %s", i+1, a[i], b[i])
			}
		}
		t.Fatalf("round trip: %d lines, was %d", len(b), len(a))
	}
}

// TestApplyOverlay applies an overlay of each action lsq spec drift writes to a copy of the
// spec: the changes land where targeted, and nothing else changes.
func TestApplyOverlay(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile("../spec/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	specPath, overlayPath := filepath.Join(dir, "openapi.yaml"), filepath.Join(dir, "drift.overlay.yaml")
	if err := os.WriteFile(specPath, src, 0o644); err != nil {
		t.Fatal(err)
	}
	overlay := `overlay: 1.0.0
info:
  title: test
  version: 1.0.0
actions:
  - target: $.components.schemas.User.properties
    update:
      NewField:
        type: integer
  - target: $.components.schemas.User.properties.UserType
    update:
      enum: [7]
  - target: $.components.schemas.User.properties.IsCheckedIn
    update:
      x-lsq-also-types: [number]
  - target: $.components.schemas.SuccessStatus.required[0]
    remove: true
`
	if err := os.WriteFile(overlayPath, []byte(overlay), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := applyOverlay(specPath, overlayPath); err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	user := doc.Components.Schemas["User"].Value
	if p := user.Properties["NewField"]; p == nil || !p.Value.Type.Is("integer") {
		t.Error("NewField not added")
	}
	if e := user.Properties["UserType"].Value.Enum; len(e) != 3 {
		t.Errorf("UserType enum %v, want 7 appended", e)
	}
	if a := user.Properties["IsCheckedIn"].Value.Extensions["x-lsq-also-types"]; fmt.Sprint(a) != "[string integer number]" {
		t.Errorf("IsCheckedIn x-lsq-also-types %v", a)
	}
	if r := doc.Components.Schemas["SuccessStatus"].Value.Required; len(r) != 0 {
		t.Errorf("SuccessStatus required %v", r)
	}
	out, _ := os.ReadFile(specPath)
	// NewField: 2 lines; the enum item: 1; the also-type joins its flow list; required: [] is
	// one line instead of two.
	if d := len(strings.Split(string(out), "\n")) - len(strings.Split(string(src), "\n")); d != 2+1+0-1 {
		t.Errorf("the spec grew by %d lines, want 2", d)
	}
}

// Tools look operations up in any letter case, so the generator refuses two operationIds
// that differ only in case.
func TestOperationNamesDifferBeyondCase(t *testing.T) {
	const spec = `
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /A:
    get: {operationId: GetUserById, responses: {"200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/R"}}}}}}
  /B:
    get: {operationId: getUserByID, responses: {"200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/R"}}}}}}
components: {schemas: {R: {type: object}}}
`
	doc, err := openapi3.NewLoader().LoadFromData([]byte(spec))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := operations(doc); err == nil || !strings.Contains(err.Error(), "letter case") {
		t.Fatalf("err = %v, want one about letter case", err)
	}
}
