// Command speccheck checks spec/openapi.yaml with a second, independent OpenAPI toolchain
// (pb33f/libopenapi and libopenapi-validator) besides the kin-openapi the client uses: the spec
// must build into a model without errors, pass libopenapi-validator's document check, and
// every sample copied from LeadSquared's docs pages (spec/testdata/docs) must validate against
// its operation's schema. It is a module of its own, so that nothing it needs reaches what a
// program importing the client downloads; `make test` runs its test.
//
//	cd tools/speccheck && go run . ../../spec/openapi.yaml ../../spec/testdata/docs
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: speccheck SPEC.yaml DOCS-SAMPLES-DIR")
		os.Exit(2)
	}
	samples, problems, err := check(os.Args[1], os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "speccheck:", err)
		os.Exit(2)
	}
	for _, p := range problems {
		fmt.Println(p)
	}
	if len(problems) > 0 {
		fmt.Printf("speccheck: %d problems\n", len(problems))
		os.Exit(1)
	}
	fmt.Printf("speccheck: the spec loads in libopenapi and %d docs samples validate\n", samples)
}

// check loads the spec and validates the samples of docsDir, named OPERATIONID.request[.x].json
// or OPERATIONID.response.STATUS[.x].json. It returns how many samples it validated and the
// problems found.
func check(specPath, docsDir string) (int, []string, error) {
	src, err := os.ReadFile(specPath)
	if err != nil {
		return 0, nil, err
	}
	doc, err := libopenapi.NewDocument(src)
	if err != nil {
		return 0, nil, fmt.Errorf("%s: %w", specPath, err)
	}
	var problems []string
	model, err := doc.BuildV3Model()
	if err != nil {
		problems = append(problems, fmt.Sprintf("%s: building the model: %v", specPath, err))
	}
	if model == nil {
		return 0, problems, nil
	}
	v, errs := validator.NewValidator(doc)
	for _, e := range errs {
		problems = append(problems, fmt.Sprintf("%s: validator: %v", specPath, e))
	}
	if v != nil {
		if ok, verrs := v.ValidateDocument(); !ok {
			for _, e := range verrs {
				problems = append(problems, fmt.Sprintf("%s: %v", specPath, e))
			}
		}
	}

	ops := map[string]*v3.Operation{}
	for pair := model.Model.Paths.PathItems.First(); pair != nil; pair = pair.Next() {
		for op := pair.Value().GetOperations().First(); op != nil; op = op.Next() {
			ops[op.Value().OperationId] = op.Value()
		}
	}
	files, err := filepath.Glob(filepath.Join(docsDir, "*.json"))
	if err != nil {
		return 0, nil, err
	}
	sort.Strings(files)
	sv := schema_validation.NewSchemaValidator()
	samples := 0
	for _, f := range files {
		parts := strings.Split(strings.TrimSuffix(filepath.Base(f), ".json"), ".")
		op := ops[parts[0]]
		if op == nil || len(parts) < 2 {
			problems = append(problems, fmt.Sprintf("%s: no operation %q in the spec", f, parts[0]))
			continue
		}
		var schema *base.Schema
		switch {
		case parts[1] == "request" && op.RequestBody != nil:
			if mt, ok := op.RequestBody.Content.Get("application/json"); ok && mt.Schema != nil {
				schema = mt.Schema.Schema()
			}
		case parts[1] == "response" && len(parts) >= 3 && op.Responses != nil:
			if r, ok := op.Responses.Codes.Get(parts[2]); ok {
				if mt, ok := r.Content.Get("application/json"); ok && mt.Schema != nil {
					schema = mt.Schema.Schema()
				}
			}
		}
		if schema == nil {
			problems = append(problems, fmt.Sprintf("%s: no JSON schema for it in %s", f, parts[0]))
			continue
		}
		payload, err := os.ReadFile(f)
		if err != nil {
			return 0, nil, err
		}
		samples++
		if ok, verrs := sv.ValidateSchemaBytesWithVersion(schema, payload, 3.0); !ok {
			for _, e := range verrs {
				msg := e.Message
				for _, se := range e.SchemaValidationErrors {
					msg += fmt.Sprintf("; %s at %s", se.Reason, "/"+strings.Join(se.InstancePath, "/"))
				}
				problems = append(problems, fmt.Sprintf("%s: %s", f, msg))
			}
		}
	}
	return samples, problems, nil
}
