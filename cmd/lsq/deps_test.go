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
