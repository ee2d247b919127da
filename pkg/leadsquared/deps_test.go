package leadsquared_test

import (
	"os/exec"
	"strings"
	"testing"
)

// A program that only calls the API links no OpenAPI machinery (kin-openapi: validation and
// drift reports walk a table generated from the spec, in package validate), no Redis client,
// no CLI or YAML library: pkg/leadsquared's dependencies outside the standard library are the
// module's own packages and oapi-codegen's small runtime.
func TestClientDependenciesStayLean(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", "github.com/leadsquared-go/leadsquared-go/pkg/leadsquared").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	allowed := []string{
		"github.com/leadsquared-go/leadsquared-go/pkg/",
		"github.com/oapi-codegen/runtime",
		"github.com/google/uuid",             // oapi-codegen/runtime/types
		"github.com/apapsch/go-jsonmerge/v2", // oapi-codegen/runtime
	}
	for _, pkg := range strings.Fields(string(out)) {
		first := pkg
		if i := strings.Index(pkg, "/"); i >= 0 {
			first = pkg[:i]
		}
		if !strings.Contains(first, ".") || strings.HasPrefix(pkg, "vendor/") {
			continue // the standard library
		}
		ok := false
		for _, a := range allowed {
			ok = ok || strings.HasPrefix(pkg, a)
		}
		if !ok {
			t.Errorf("pkg/leadsquared links %s", pkg)
		}
		if strings.Contains(pkg, "/pkg/leadsquared/redislimit") || strings.Contains(pkg, "/cmd/") || strings.HasSuffix(pkg, "/spec") {
			t.Errorf("pkg/leadsquared links %s", pkg)
		}
	}
}
