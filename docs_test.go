package leadsquaredgo_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"go/ast"
	"go/doc"
	"go/doc/comment"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// oapiCodegenPackageComment is the start of the package comment oapi-codegen writes by default;
// gen/templates/oapi-codegen/imports.tmpl leaves it out.
const oapiCodegenPackageComment = "provides primitives to interact with the openapi HTTP API"

// TestPackageComments reads every Go file of the module (build-tagged ones too, such as
// tools.go; not tests) and requires of each directory one package and one package comment,
// ours: it starts "Package <name> " ("Command <dir> " for a command), says more than that, and is
// not oapi-codegen's default. That is the sentence `go doc` and pkg.go.dev open with.
func TestPackageComments(t *testing.T) {
	fset := token.NewFileSet()
	type pkgDocs struct {
		names map[string][]string // package name -> files
		docs  map[string]string   // file -> package comment
	}
	dirs := map[string]*pkgDocs{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != "." && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); path != "." && err == nil {
				return filepath.SkipDir // another module
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.PackageClauseOnly|parser.ParseComments)
		if err != nil {
			return err
		}
		dir := filepath.Dir(path)
		p := dirs[dir]
		if p == nil {
			p = &pkgDocs{names: map[string][]string{}, docs: map[string]string{}}
			dirs[dir] = p
		}
		p.names[f.Name.Name] = append(p.names[f.Name.Name], path)
		if f.Doc != nil {
			p.docs[path] = f.Doc.Text()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// The walk must see at least every package the go command sees.
	out, err := exec.Command("go", "list", "-f", "{{.Dir}}", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range strings.Fields(string(out)) {
		rel, err := filepath.Rel(root, d)
		if err != nil {
			t.Fatal(err)
		}
		if dirs[rel] == nil {
			t.Errorf("go list has package %s, which this test did not read", rel)
		}
	}

	keys := make([]string, 0, len(dirs))
	for dir := range dirs {
		keys = append(keys, dir)
	}
	sort.Strings(keys)
	for _, dir := range keys {
		p := dirs[dir]
		if len(p.names) != 1 {
			t.Errorf("%s: more than one package in one directory: %v", dir, p.names)
			continue
		}
		var name string
		for n := range p.names {
			name = n
		}
		if len(p.docs) != 1 {
			t.Errorf("%s: %d files with a package comment (%v), want exactly one", dir, len(p.docs), sortedKeys(p.docs))
			continue
		}
		for file, text := range p.docs {
			want := "Package " + name + " "
			if name == "main" {
				want = "Command " + filepath.Base(dir) + " "
			}
			synopsis := new(doc.Package).Synopsis(text)
			switch {
			case !strings.HasPrefix(text, want):
				t.Errorf("%s: package comment starts %q, want %q", file, firstLine(text), want)
			case strings.Contains(text, oapiCodegenPackageComment):
				t.Errorf("%s: package comment is oapi-codegen's default: %q", file, firstLine(text))
			case len(strings.Fields(synopsis)) < 5:
				t.Errorf("%s: package comment's first sentence %q does not say what the package is for", file, synopsis)
			}
		}
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// apache20SHA256 is the SHA-256 of the Apache License 2.0 as
// https://www.apache.org/licenses/LICENSE-2.0.txt serves it (and Debian ships it, in
// /usr/share/common-licenses/Apache-2.0): pkg.go.dev recognises the license from this text.
const apache20SHA256 = "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30"

// TestLicenseIsUnmodifiedApache20 keeps LICENSE the standard text, byte for byte.
func TestLicenseIsUnmodifiedApache20(t *testing.T) {
	b, err := os.ReadFile("LICENSE")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != apache20SHA256 {
		t.Errorf("LICENSE has SHA-256 %s, want %s (the unmodified Apache-2.0 text)", got, apache20SHA256)
	}
}

var goLine = regexp.MustCompile(`(?m)^go (\S+)$`)

// TestReadmeBadgesAndLinks keeps the README's badges true (the Go version is go.mod's go line,
// the license is LICENSE's) and the README linking the license and the security policy, which
// must exist.
func TestReadmeBadgesAndLinks(t *testing.T) {
	gomod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := goLine.FindSubmatch(gomod)
	if m == nil {
		t.Fatal("go.mod has no go line")
	}
	goVersion := string(m[1])
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	badge := "https://img.shields.io/badge/go-" + strings.ReplaceAll(goVersion, "-", "--") + "%2B-00ADD8"
	if !strings.Contains(string(readme), badge) {
		t.Errorf("README.md has no Go version badge for go.mod's go %s (want %s)", goVersion, badge)
	}
	if !strings.Contains(string(readme), "Go "+goVersion+" or later") {
		t.Errorf("README.md does not say %q, as go.mod's go line does", "Go "+goVersion+" or later")
	}
	if !strings.Contains(string(readme), "badge/license-Apache--2.0-blue)](LICENSE)") {
		t.Error("README.md has no Apache-2.0 badge linking LICENSE (TestLicenseIsUnmodifiedApache20 keeps that true)")
	}
	for _, link := range []string{"LICENSE", "SECURITY.md"} {
		if !strings.Contains(string(readme), "]("+link+")") {
			t.Errorf("README.md does not link %s", link)
		}
		if _, err := os.Stat(link); err != nil {
			t.Error(err)
		}
	}
}

// docSnippetScope is the signature of the function a doc comment's code block is compiled in:
// what the blocks may use without declaring it.
const docSnippetScope = "ctx context.Context, c *leadsquared.Client, t *testing.T, id, host, accessKey, secretKey string"

// TestDocSnippetsCompile compiles every code block of every doc comment of the module
// (package, type, function, field comments; not tests), so that what `go doc` shows a user
// compiles against the API. A block is Go unless every line is a shell command (starting
// "lsq ", "go ", "make " or "$ "). It is compiled as statements in a block of its own in a
// function with docSnippetScope's parameters, returning error; the names it declares at its
// top are used for it; "{ ... }" and a line "..." stand for code left out.
func TestDocSnippetsCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds code")
	}
	type snippet struct{ where, code string }
	var snippets []snippet
	fset := token.NewFileSet()
	var cp comment.Parser
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); path != "." && err == nil {
				return filepath.SkipDir // another module
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			var cg *ast.CommentGroup
			switch x := n.(type) {
			case *ast.File:
				cg = x.Doc
			case *ast.FuncDecl:
				cg = x.Doc
			case *ast.GenDecl:
				cg = x.Doc
			case *ast.TypeSpec:
				cg = x.Doc
			case *ast.ValueSpec:
				cg = x.Doc
			case *ast.Field:
				cg = x.Doc
			}
			if cg == nil {
				return true
			}
			for _, b := range cp.Parse(cg.Text()).Content {
				if code, ok := b.(*comment.Code); ok && !isShell(code.Text) {
					snippets = append(snippets, snippet{fset.Position(cg.Pos()).String(), code.Text})
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(snippets) == 0 {
		t.Fatal("no Go code block in any doc comment")
	}
	var src strings.Builder
	writeImports(&src, docImports)
	for i, s := range snippets {
		code := strings.ReplaceAll(s.code, "{ ... }", "{ /* ... */ }")
		code = regexp.MustCompile(`(?m)^\s*\.\.\.\s*$`).ReplaceAllString(code, "// ...")
		fmt.Fprintf(&src, "\n// %s\nfunc doc%d(%s) error {\n\t{\n%s\n%s\t}\n\treturn nil\n}\n", s.where, i, docSnippetScope, code, useDeclared(code))
	}
	dir, err := os.MkdirTemp(".", ".doc-check-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "vet", "./"+dir).CombinedOutput()
	if err != nil {
		t.Fatalf("doc comment code does not compile:\n%s\n--- generated:\n%s", out, src.String())
	}
	t.Logf("%d doc comment code blocks compile", len(snippets))
}

// isShell reports whether every line of a code block is a shell command.
func isShell(code string) bool {
	for _, line := range strings.Split(strings.TrimSpace(code), "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "lsq ") && !strings.HasPrefix(line, "go ") && !strings.HasPrefix(line, "make ") && !strings.HasPrefix(line, "$ ") {
			return false
		}
	}
	return true
}

// useDeclared returns "_ = name" lines for the names code declares at its top level (with
// := or var), so that a snippet that shows a call without using its result compiles.
func useDeclared(code string) string {
	f, err := parser.ParseFile(token.NewFileSet(), "", "package p\nfunc f() {\n"+code+"\n}", 0)
	if err != nil {
		return "" // the compiler reports it
	}
	var names []string
	for _, st := range f.Decls[0].(*ast.FuncDecl).Body.List {
		switch s := st.(type) {
		case *ast.AssignStmt:
			if s.Tok == token.DEFINE {
				for _, l := range s.Lhs {
					if id, ok := l.(*ast.Ident); ok && id.Name != "_" {
						names = append(names, id.Name)
					}
				}
			}
		case *ast.DeclStmt:
			if g, ok := s.Decl.(*ast.GenDecl); ok && g.Tok == token.VAR {
				for _, sp := range g.Specs {
					for _, id := range sp.(*ast.ValueSpec).Names {
						names = append(names, id.Name)
					}
				}
			}
		}
	}
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "\t\t_ = %s\n", n)
	}
	return b.String()
}

// writeImports writes a main package's header importing every package of imports, each used
// once (imports maps a path to an expression that uses it), and an empty main.
func writeImports(src *strings.Builder, imports map[string]string) {
	paths := make([]string, 0, len(imports))
	for p := range imports {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	src.WriteString("package main\n\nimport (\n")
	for _, p := range paths {
		fmt.Fprintf(src, "\t%q\n", p)
	}
	src.WriteString(")\n\nvar (\n")
	for _, p := range paths {
		fmt.Fprintf(src, "\t_ = %s\n", imports[p])
	}
	src.WriteString(")\n\nfunc main() {}\n")
}

// docImports are the packages doc comment code may use: the README's and the rest of the
// module's public packages, and Redis's client (package redislimit's example).
var docImports = func() map[string]string {
	m := map[string]string{
		"github.com/redis/go-redis/v9":                                        "redis.NewClient",
		"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/redislimit": "redislimit.New",
		"github.com/leadsquared-go/leadsquared-go/pkg/scim":                   "scim.New",
	}
	for k, v := range readmeImports {
		m[k] = v
	}
	return m
}()
