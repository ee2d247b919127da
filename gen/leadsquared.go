package main

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"go/format"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"
	"go.yaml.in/yaml/v3"

	"github.com/leadsquared-go/leadsquared-go/spec"
)

//go:embed templates/*.tmpl
var templates embed.FS

// lsqConfig is gen/leadsquared.yaml: which templates make which files, in which package.
type lsqConfig struct {
	Files []struct {
		Template string `yaml:"template"`
		Output   string `yaml:"output"`
		Package  string `yaml:"package"`
	} `yaml:"files"`
}

// operation is what the templates know of one operation of the spec.
type operation struct {
	// ID is the operationId in the spec (GetUserById); Name is its Go name (GetUserByID), by
	// oapi-codegen's name normalizer as gen/oapi-codegen.yaml sets it: the name of the method,
	// of the api.Op constant and the constant's value.
	ID          string
	Name        string
	Method      string // "GET"
	Path        string // relative to the server URL: "/UserManagement.svc/User/Create"
	Summary     string
	Description string
	DocsURL     string
	// Policy is Idempotent, Bulk and Single, read from the marks by spec's one rule. A Single
	// operation's method returns the one item of the array answer.
	spec.Policy
	// Params is the Go type of the query parameters (api.XParams), "" when there are none;
	// Required lists the required ones.
	Params   string
	Required []param
	// Body is the Go type of the JSON body (api.XJSONRequestBody), "" when there is none.
	Body string
	// Result is the Go type of the 200 answer ([]api.User), Item the type of one item when
	// Single (api.User).
	Result, Item string
	// Ret is what the method returns beside the error: Item when Single, else Result.
	Ret string
	// ParamsSample is the query parameters' examples in the spec as a JSON object by wire name
	// ("" without parameters); BodySample the request body's example in the spec, or else the
	// docs page's sample (spec/testdata/docs/<operationId>.request.json), as compact JSON (""
	// without a body). The generated Examples send them to the fake.
	ParamsSample, BodySample string
	// Printed is Ret as fmt's %v of its type prints it: an alias of a string schema
	// (api.GUID = string) is printed as string.
	Printed string
}

// param is a query parameter: its name on the wire and its field in the Params struct.
type param struct{ Name, GoName string }

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
	if len(cfg.Files) == 0 {
		return fmt.Errorf("%s: no files", cfgPath)
	}
	doc, err := openapi3.NewLoader().LoadFromFile(specPath)
	if err != nil {
		return fmt.Errorf("loading %s: %w", specPath, err)
	}
	ops, err := operations(doc)
	if err != nil {
		return err
	}
	nodes, checkOps, errNode, err := checkTables(doc)
	if err != nil {
		return fmt.Errorf("check table: %w", err)
	}
	wire, err := wireVocabulary(doc, ops)
	if err != nil {
		return fmt.Errorf("wire vocabulary: %w", err)
	}
	tmpl, err := template.New("").Funcs(template.FuncMap{
		"comment":        comment,
		"goString":       goString,
		"docType":        docType,
		"firstParagraph": firstParagraph,
		"goTypes":        goTypes,
		"goFloat":        goFloat,
		"goInts":         goInts,
		"goStrings":      goStrings,
		"lowerFirst":     lowerFirst,
		"missing":        missing,
		"needsCmp":       needsCmp,
	}).ParseFS(templates, "templates/*.tmpl")
	if err != nil {
		return err
	}
	for _, f := range cfg.Files {
		if f.Package == "" || f.Template == "" || f.Output == "" {
			return fmt.Errorf("%s: each file needs a template, an output and a package", cfgPath)
		}
		data := map[string]any{"Package": f.Package, "Operations": ops, "SafeMethods": spec.SafeMethods, "CheckNodes": nodes, "CheckOps": checkOps, "CheckError": errNode, "BasePath": basePath(doc), "Wire": wire}
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
	var err error
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.OperationID == "" {
				return nil, fmt.Errorf("%s %s: no operationId", method, path)
			}
			o := operation{
				ID:          op.OperationID,
				Name:        codegen.SchemaNameToTypeName(op.OperationID),
				Method:      method,
				Path:        path,
				Summary:     strings.TrimSpace(op.Summary),
				Description: strings.TrimSpace(op.Description),
			}
			if op.ExternalDocs != nil {
				o.DocsURL = op.ExternalDocs.URL
			}
			if o.Policy, err = spec.OperationPolicy(method, op.Extensions); err != nil {
				return nil, fmt.Errorf("%s: %w", o.ID, err)
			}
			if err := signature(&o, op); err != nil {
				return nil, err
			}
			if err := samples(&o, op); err != nil {
				return nil, err
			}
			o.Printed = printedType(doc, o.Ret)
			ops = append(ops, o)
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].Name < ops[j].Name })
	// Tools look operations up by name in any letter case (api.ParseOperationID), so two names
	// must not differ only in case.
	seen := map[string]string{}
	for _, o := range ops {
		if prev, ok := seen[strings.ToLower(o.Name)]; ok {
			return nil, fmt.Errorf("operations %s and %s differ only in letter case", prev, o.ID)
		}
		seen[strings.ToLower(o.Name)] = o.ID
	}
	return ops, nil
}

// signature fills the Go types of an operation's method: parameters, body and result, named
// as oapi-codegen names them in package api.
func signature(o *operation, op *openapi3.Operation) error {
	typeName := o.Name
	for _, p := range op.Parameters {
		if p.Value == nil || p.Value.In != openapi3.ParameterInQuery {
			if p.Value != nil && p.Value.In != openapi3.ParameterInHeader {
				return fmt.Errorf("%s: parameter %s in %s: only query parameters are supported", o.ID, p.Value.Name, p.Value.In)
			}
			continue
		}
		o.Params = "api." + typeName + "Params"
		if p.Value.Required {
			goName := p.Value.Name
			if n, ok := p.Value.Extensions["x-go-name"].(string); ok {
				goName = n
			}
			o.Required = append(o.Required, param{Name: p.Value.Name, GoName: codegen.SchemaNameToTypeName(goName)})
		}
	}
	if rb := op.RequestBody; rb != nil && rb.Value != nil {
		if rb.Value.Content.Get("application/json") == nil {
			return fmt.Errorf("%s: only JSON request bodies are supported", o.ID)
		}
		o.Body = "api." + typeName + "JSONRequestBody"
		if ref := rb.Value.Content.Get("application/json").Schema; ref != nil && ref.Ref != "" {
			o.Body, _ = goType(ref) // the schema's own name reads better than the alias
		}
	}
	ok := op.Responses.Status(200)
	if ok == nil || ok.Value == nil || ok.Value.Content.Get("application/json") == nil {
		return fmt.Errorf("%s: no JSON 200 response", o.ID)
	}
	result, err := goType(ok.Value.Content.Get("application/json").Schema)
	if err != nil {
		return fmt.Errorf("%s: 200 response: %w", o.ID, err)
	}
	o.Result = result
	if o.Single {
		item, found := strings.CutPrefix(result, "[]")
		if !found {
			return fmt.Errorf("%s: x-lsq-single needs an array answer, not %s", o.ID, result)
		}
		o.Item = item
	}
	o.Ret = o.Result
	if o.Single {
		o.Ret = o.Item
	}
	return nil
}

// docsSamples is where the request samples of LeadSquared's docs pages are kept, relative to
// the module root (see spec's TestDocsSamples).
const docsSamples = "spec/testdata/docs"

// samples fills the operation's ParamsSample and BodySample from the spec's examples and the
// docs' samples. An operation with a body or a required parameter and no sample is an error:
// its generated Example would have nothing to send.
func samples(o *operation, op *openapi3.Operation) error {
	params := map[string]any{}
	for _, p := range op.Parameters {
		if p.Value == nil || p.Value.In != openapi3.ParameterInQuery {
			continue
		}
		ex := p.Value.Example
		if ex == nil && p.Value.Schema != nil && p.Value.Schema.Value != nil {
			ex = p.Value.Schema.Value.Example
		}
		if ex == nil {
			if p.Value.Required {
				return fmt.Errorf("%s: required parameter %s has no example", o.ID, p.Value.Name)
			}
			continue
		}
		params[p.Value.Name] = ex
	}
	if o.Params != "" {
		b, err := json.Marshal(params) // keys sorted
		if err != nil {
			return fmt.Errorf("%s: parameter examples: %w", o.ID, err)
		}
		o.ParamsSample = string(b)
	}
	if o.Body == "" {
		return nil
	}
	var sample []byte
	if mt := op.RequestBody.Value.Content.Get("application/json"); mt.Example != nil {
		b, err := json.Marshal(mt.Example)
		if err != nil {
			return fmt.Errorf("%s: body example: %w", o.ID, err)
		}
		sample = b
	} else if b, err := os.ReadFile(filepath.Join(docsSamples, o.ID+".request.json")); err == nil {
		var buf bytes.Buffer
		if err := json.Compact(&buf, b); err != nil {
			return fmt.Errorf("%s: docs sample: %w", o.ID, err)
		}
		sample = buf.Bytes()
	} else {
		return fmt.Errorf("%s: the request body has no example in the spec and no docs sample in %s", o.ID, docsSamples)
	}
	o.BodySample = string(sample)
	return nil
}

// printedType is the name fmt's %T prints for the Go type typ of package api: the name,
// except for a schema oapi-codegen makes an alias of string (a plain string schema such as
// Guid), which prints as string.
func printedType(doc *openapi3.T, typ string) string {
	prefix, name := "", typ
	for strings.HasPrefix(name, "[]") {
		prefix, name = prefix+"[]", name[2:]
	}
	short := strings.TrimPrefix(name, "api.")
	for schemaName, ref := range doc.Components.Schemas {
		if codegen.SchemaNameToTypeName(schemaName) != short || ref.Value == nil {
			continue
		}
		v := ref.Value
		if v.Type.Is("string") && len(v.Enum) == 0 && v.Extensions["x-go-type"] == nil {
			return prefix + "string"
		}
	}
	return typ
}

// docType is a Go type of package api as a doc comment of package api writes it: a named
// type as a doc link ([User]), a slice of one as []User.
func docType(typ string) string {
	if t, ok := strings.CutPrefix(typ, "[]api."); ok {
		return "[]" + t
	}
	return "[" + strings.TrimPrefix(typ, "api.") + "]"
}

// goString is s as a Go string literal: raw when it can be.
func goString(s string) string {
	if !strings.ContainsAny(s, "`\r") {
		return "`" + s + "`"
	}
	return strconv.Quote(s)
}

// goType is the Go type in package api of a response schema: a named component, or an array
// of one.
func goType(s *openapi3.SchemaRef) (string, error) {
	switch {
	case s == nil:
		return "", fmt.Errorf("no schema")
	case s.Ref != "":
		return "api." + codegen.SchemaNameToTypeName(s.Ref[strings.LastIndex(s.Ref, "/")+1:]), nil
	case s.Value != nil && s.Value.Type.Is("array") && s.Value.Items != nil:
		item, err := goType(s.Value.Items)
		return "[]" + item, err
	case s.Value != nil && len(s.Value.OneOf) == 2 && s.Value.Extensions["x-lsq-error-body"] != nil:
		// oneOf [the answer, the error body LeadSquared may send with 200]: the client turns
		// the error body into an error, so the method returns the answer.
		errRef, _ := s.Value.Extensions["x-lsq-error-body"].(string)
		for i, alt := range s.Value.OneOf {
			if alt.Ref == errRef {
				return goType(s.Value.OneOf[1-i])
			}
		}
		return "", fmt.Errorf("x-lsq-error-body %q is not one of the oneOf", errRef)
	}
	return "", fmt.Errorf("an inline schema: give it a name in components/schemas")
}

// missing is the Go expression, in a generated method, of the name of the first required query
// parameter the call lacks ("" when it lacks none): the missing argument of call.
func missing(required []param) string {
	var checks []string
	for _, p := range required {
		checks = append(checks, fmt.Sprintf("required(params.%s, %q)", p.GoName, p.Name))
	}
	switch len(checks) {
	case 0:
		return `""`
	case 1:
		return checks[0]
	}
	return "cmp.Or(" + strings.Join(checks, ", ") + ")"
}

// needsCmp reports whether a method checks more than one required parameter (missing uses
// cmp.Or).
func needsCmp(ops []operation) bool {
	for _, o := range ops {
		if len(o.Required) > 1 {
			return true
		}
	}
	return false
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

// firstParagraph is text up to its first blank line, without a last sentence that introduces
// a list (ends with ':') the paragraph does not hold.
func firstParagraph(text string) string {
	text = strings.TrimSpace(text)
	if i := strings.Index(text, "\n\n"); i >= 0 {
		text = text[:i]
	}
	if strings.HasSuffix(text, ":") {
		if i := strings.LastIndex(text, ". "); i >= 0 {
			text = text[:i+1]
		} else if i := strings.LastIndex(text, ".\n"); i >= 0 {
			text = text[:i+1]
		}
	}
	return text
}
