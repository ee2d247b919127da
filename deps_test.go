package leadsquaredgo_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLibraryDependencies is what `go list -deps` shows a program that imports the module's
// library packages: per package, the modules outside the standard library it links, from an
// allow-list. The client, the fake, validation and the sync engine link oapi-codegen's small
// runtime and golang.org/x/net and x/text only; Redis is redislimit's alone and the SCIM
// library pkg/scim's. The generator (oapi-codegen, kin-openapi, speakeasy), the CLI's
// (cobra, the progress bar, x/term), YAML and the benchmark tools reach no library package.
func TestLibraryDependencies(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.CommandContext(t.Context(), "go", "list", "-f", "{{.ImportPath}}{{range .Deps}} {{.}}{{end}}", "./pkg/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	const mod = "github.com/leadsquared-go/leadsquared-go/"
	every := []string{
		mod + "pkg/",
		"github.com/oapi-codegen/runtime", // pkg/api's generated client
		"github.com/google/uuid",          // oapi-codegen/runtime/types
		"github.com/apapsch/go-jsonmerge/v2",
		"golang.org/x/net/", "golang.org/x/text/", // usersync's and scim's text handling
	}
	extra := map[string][]string{
		mod + "pkg/leadsquared/redislimit": {"github.com/redis/go-redis/v9", "github.com/cespare/xxhash/v2", "go.uber.org/atomic", "golang.org/x/sys/"},
		mod + "pkg/scim":                   {"github.com/elimity-com/scim", "github.com/scim2/filter-parser/v2", "github.com/q-uint/"},
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 8 {
		t.Fatalf("go list listed %d packages under ./pkg", len(lines))
	}
	for _, line := range lines {
		f := strings.Fields(line)
		pkg, deps := f[0], f[1:]
		allowed := append(append([]string(nil), every...), extra[pkg]...)
		for _, dep := range deps {
			first, _, _ := strings.Cut(dep, "/")
			if !strings.Contains(first, ".") || strings.HasPrefix(dep, "vendor/") {
				continue // the standard library
			}
			ok := false
			for _, a := range allowed {
				ok = ok || dep == strings.TrimSuffix(a, "/") || strings.HasPrefix(dep, a) || strings.HasPrefix(dep, a+"/")
			}
			if !ok {
				t.Errorf("%s links %s", strings.TrimPrefix(pkg, mod), dep)
			}
		}
	}
}
