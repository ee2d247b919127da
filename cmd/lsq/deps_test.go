package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLibraryDoesNotLinkCLIDeps checks that a program using the library links none of the
// CLI's dependencies (command framework, progress bar, terminal).
func TestLibraryDoesNotLinkCLIDeps(t *testing.T) {
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool on PATH")
	}
	out, err := exec.CommandContext(t.Context(), goTool, "list", "-deps",
		"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared",
		"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest",
		"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/redislimit",
		"github.com/leadsquared-go/leadsquared-go/pkg/validate",
		"github.com/leadsquared-go/leadsquared-go/pkg/api",
	).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"github.com/spf13/", "github.com/schollz/progressbar", "golang.org/x/term", "github.com/mitchellh/colorstring", "github.com/rivo/uniseg"} {
			if strings.HasPrefix(dep, banned) {
				t.Errorf("the library imports %s (a CLI dependency)", dep)
			}
		}
	}
}

// TestNoProgramLinksKinOpenAPI: validation, drift reports, the fake and every lsq command
// walk the table ./gen generates from the spec; kin-openapi is for ./gen and tests only.
func TestNoProgramLinksKinOpenAPI(t *testing.T) {
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool on PATH")
	}
	// ./gen is the generator, which loads the spec with it; its dependencies do not reach a
	// program, so list the others' apart.
	pkgs, err := exec.CommandContext(t.Context(), goTool, "list", "github.com/leadsquared-go/leadsquared-go/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, pkgs)
	}
	args := []string{"list", "-deps"}
	for _, p := range strings.Fields(string(pkgs)) {
		if !strings.HasSuffix(p, "/gen") {
			args = append(args, p)
		}
	}
	out, err := exec.CommandContext(t.Context(), goTool, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "github.com/getkin/kin-openapi") {
			t.Errorf("a package of the module (not ./gen) links %s", dep)
		}
	}
}

// TestSCIMDepsStayInSCIM checks that the SCIM library (github.com/elimity-com/scim and its
// filter parser) is linked only by pkg/scim and the CLI: a program using the client, the
// fake or the sync engine does not link it; and pkg/scim links none of the CLI's
// dependencies.
func TestSCIMDepsStayInSCIM(t *testing.T) {
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool on PATH")
	}
	list := func(pkgs ...string) []string {
		out, err := exec.CommandContext(t.Context(), goTool, append([]string{"list", "-deps"}, pkgs...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("go list: %v\n%s", err, out)
		}
		return strings.Fields(string(out))
	}
	const mod = "github.com/leadsquared-go/leadsquared-go/"
	for _, dep := range list(mod+"pkg/leadsquared", mod+"pkg/leadsquared/lsqtest", mod+"pkg/leadsquared/redislimit",
		mod+"pkg/validate", mod+"pkg/api", mod+"pkg/usersync") {
		for _, banned := range []string{"github.com/elimity-com/", "github.com/scim2/", "github.com/q-uint/", mod + "pkg/scim"} {
			if strings.HasPrefix(dep, banned) {
				t.Errorf("a library package links %s (only pkg/scim and the CLI may)", dep)
			}
		}
	}
	for _, dep := range list(mod + "pkg/scim") {
		for _, banned := range []string{"github.com/spf13/", "github.com/schollz/progressbar", "golang.org/x/term", "github.com/redis/"} {
			if strings.HasPrefix(dep, banned) {
				t.Errorf("pkg/scim links %s (a CLI dependency)", dep)
			}
		}
	}
}
