package main

import (
	"bytes"
	"embed"
	"fmt"
	"go/format"
	"net/http"
	"os"
	"sort"
	"strings"
	"text/template"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v3"
)

//go:embed templates/*.tmpl
var templates embed.FS

// lsqConfig is gen/leadsquared.yaml: which templates make which files.
type lsqConfig struct {
	Package string `yaml:"package"`
	Files   []struct {
		Template string `yaml:"template"`
		Output   string `yaml:"output"`
	} `yaml:"files"`
}

// operation is what the templates know of one operation of the spec.
type operation struct {
	ID          string
	Method      string // "GET"
	Path        string // relative to the server URL: "/UserManagement.svc/User/Create"
	Summary     string
	Description string
	DocsURL     string
	Idempotent  bool
	Bulk        bool
}

// runLeadsquared writes the files gen/leadsquared.yaml lists.
func runLeadsquared(specPath, cfgPath string) error {
	buf, err := os.ReadFile(cfgPath)
	if err != nil {
		return err
	}
	var cfg lsqConfig
	if err := yaml.Unmarshal(buf, &cfg); err != nil {
		return fmt.Errorf("%s: %w", cfgPath, err)
	}
	if cfg.Package == "" || len(cfg.Files) == 0 {
		return fmt.Errorf("%s: need a package and at least one file", cfgPath)
	}
	doc, err := openapi3.NewLoader().LoadFromFile(specPath)
	if err != nil {
		return fmt.Errorf("loading %s: %w", specPath, err)
	}
	ops, err := operations(doc)
	if err != nil {
		return err
	}
	tmpl, err := template.New("").Funcs(template.FuncMap{
		"comment": comment,
	}).ParseFS(templates, "templates/*.tmpl")
	if err != nil {
		return err
	}
	data := map[string]any{"Package": cfg.Package, "Operations": ops}
	for _, f := range cfg.Files {
		var out bytes.Buffer
		if err := tmpl.ExecuteTemplate(&out, f.Template, data); err != nil {
			return fmt.Errorf("%s: %w", f.Template, err)
		}
		src, err := format.Source(out.Bytes())
		if err != nil {
			return fmt.Errorf("%s: gofmt: %w\n%s", f.Output, err, out.Bytes())
		}
		if err := writeFile(f.Output, src); err != nil {
			return err
		}
	}
	return nil
}

// operations lists the operations of doc, by operationId.
func operations(doc *openapi3.T) ([]operation, error) {
	var ops []operation
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.OperationID == "" {
				return nil, fmt.Errorf("%s %s: no operationId", method, path)
			}
			o := operation{
				ID:          op.OperationID,
				Method:      method,
				Path:        path,
				Summary:     strings.TrimSpace(op.Summary),
				Description: strings.TrimSpace(op.Description),
				Idempotent:  method == http.MethodGet,
			}
			if op.ExternalDocs != nil {
				o.DocsURL = op.ExternalDocs.URL
			}
			if v, ok := op.Extensions["x-idempotent"]; ok {
				b, ok := v.(bool)
				if !ok {
					return nil, fmt.Errorf("%s: x-idempotent is not a boolean", o.ID)
				}
				o.Idempotent = b
			}
			if v, ok := op.Extensions["x-lsq-bulk"]; ok {
				b, ok := v.(bool)
				if !ok {
					return nil, fmt.Errorf("%s: x-lsq-bulk is not a boolean", o.ID)
				}
				o.Bulk = b
			}
			ops = append(ops, o)
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].ID < ops[j].ID })
	return ops, nil
}

// comment turns text into the lines of a Go comment.
func comment(text string) string {
	text = strings.TrimSpace(text)
	if text == "" {
		return ""
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight("// "+l, " ")
	}
	return strings.Join(lines, "\n")
}
