package leadsquaredgo_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/validate"
)

// readmeImports are the packages README examples may use, each with an expression that
// uses it, so that the generated file compiles whatever a block needs.
var readmeImports = map[string]string{
	"context":  "context.Background",
	"errors":   "errors.New",
	"fmt":      "fmt.Sprint",
	"log":      "log.Print",
	"log/slog": "slog.Default",
	"net/http": "http.StatusOK",
	"os":       "os.Getenv",
	"testing":  "testing.Short",
	"time":     "time.Second",
	"github.com/leadsquared-go/leadsquared-go/pkg/api":                           "api.NewClient",
	"github.com/leadsquared-go/leadsquared-go/pkg/scalar":                        "scalar.NewDateTime",
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest":           "lsqtest.NewServer",
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest/lsqclient": "lsqclient.New",
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared":                   "leadsquared.New",
	"github.com/leadsquared-go/leadsquared-go/pkg/validate":                      "validate.Default",
}

var goBlock = regexp.MustCompile("(?s)```go\n(.*?)```")

// TestReadmeExamplesCompile compiles every ```go block of README.md, so the examples a
// newcomer copies stay true to the API. A block is either a whole file (it starts with
// "package") or statements, compiled as the body of a function that has ctx, c (a
// *leadsquared.Client), t (a *testing.T) and body ([]byte) in scope.
func TestReadmeExamplesCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds code")
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := goBlock.FindAllStringSubmatch(string(readme), -1)
	if len(blocks) == 0 {
		t.Fatal("README.md has no go blocks")
	}
	dir, err := os.MkdirTemp(".", ".readme-check-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })

	var src strings.Builder
	src.WriteString("package main\n\nimport (\n")
	for path := range readmeImports {
		fmt.Fprintf(&src, "\t%q\n", path)
	}
	src.WriteString(")\n\nvar (\n")
	for _, use := range readmeImports {
		fmt.Fprintf(&src, "\t_ = %s\n", use)
	}
	src.WriteString(")\n\nfunc main() {}\n")
	files := 0
	for i, b := range blocks {
		code := b[1]
		if strings.HasPrefix(strings.TrimSpace(code), "package ") {
			// A whole file: its own package directory.
			sub := filepath.Join(dir, fmt.Sprintf("file%d", i))
			if err := os.MkdirAll(sub, 0o755); err != nil {
				t.Fatal(err)
			}
			name := "main.go"
			if strings.Contains(code, "_test\n") || strings.Contains(code, "func Test") {
				name = "example_test.go"
			}
			if err := os.WriteFile(filepath.Join(sub, name), []byte(code), 0o644); err != nil {
				t.Fatal(err)
			}
			files++
			continue
		}
		if strings.HasPrefix(strings.TrimSpace(code), "func ") || strings.HasPrefix(strings.TrimSpace(code), "// ") {
			// Top-level declarations (a helper and a test function, say).
			fmt.Fprintf(&src, "\n// README block %d\n%s", i+1, code)
			continue
		}
		fmt.Fprintf(&src, "\n// README block %d\nfunc block%d(ctx context.Context, c *leadsquared.Client, t *testing.T, body []byte) {\n%s}\n", i+1, i, code)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	pkgs := []string{"./" + dir}
	subs, _ := filepath.Glob(filepath.Join(dir, "file*"))
	for _, sub := range subs {
		pkgs = append(pkgs, "./"+sub)
	}
	out, err := exec.Command("go", append([]string{"vet"}, pkgs...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("README examples do not compile:\n%s\n--- generated:\n%s", out, src.String())
	}
	t.Logf("%d README go blocks compile (%d whole files)", len(blocks), files)
}

// TestReadmeCountsOperations: the number of operations the README gives is the number `lsq
// ops` prints.
func TestReadmeCountsOperations(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	v, err := validate.Default()
	if err != nil {
		t.Fatal(err)
	}
	n := len(v.Operations())
	counts := regexp.MustCompile(`\b(\d+) operations\b`).FindAllStringSubmatch(string(readme), -1)
	if len(counts) == 0 {
		t.Fatal("README.md gives no number of operations")
	}
	for _, m := range counts {
		if m[1] != fmt.Sprint(n) {
			t.Errorf("README.md says %q; lsq ops prints %d", m[0], n)
		}
	}
}
