package main

import (
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// The operation table follows the spec's marks: a GET is idempotent unless x-idempotent: false,
// a POST only with x-idempotent: true; x-lsq-bulk: true marks a bulk operation.
func TestOperationMarks(t *testing.T) {
	const spec = `
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /Search:
    post: {operationId: Search, x-idempotent: true, responses: {"200": {description: ok}}}
  /Create:
    post: {operationId: Create, responses: {"200": {description: ok}}}
  /Write:
    post: {operationId: Write, x-idempotent: false, x-lsq-bulk: true, responses: {"200": {description: ok}}}
  /Get:
    get: {operationId: Get, responses: {"200": {description: ok}}}
  /Activate:
    get: {operationId: Activate, x-idempotent: false, responses: {"200": {description: ok}}}
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
    post: {operationId: Search, x-idempotent: "yes", responses: {"200": {description: ok}}}
`
	doc, err := openapi3.NewLoader().LoadFromData([]byte(spec))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := operations(doc); err == nil {
		t.Error("x-idempotent: \"yes\" was accepted")
	}
}
