package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/leadsquared-go/leadsquared-go/pkg/validate"
	"github.com/leadsquared-go/leadsquared-go/spec"
)

func runOps(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lsq ops", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the operations as JSON")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: lsq ops [--json]\n\nLists the operations of the spec: operationId, method, path, summary, one operation a line in aligned columns.")
		fs.PrintDefaults()
	}
	if code, done := parseFlags(fs, args, stdout); done {
		return code
	}
	if fs.NArg() != 0 {
		fmt.Fprintln(stderr, "lsq ops: takes no arguments")
		return exitUsage
	}
	v, err := validate.Default()
	if err != nil {
		fmt.Fprintf(stderr, "lsq ops: %v\n", err)
		return exitUsage
	}
	type op struct {
		OperationID string `json:"operationId"`
		Method      string `json:"method"`
		Path        string `json:"path"`
		Summary     string `json:"summary"`
		Idempotent  bool   `json:"idempotent"`
	}
	var ops []op
	for _, o := range v.Operations() {
		ops = append(ops, op{string(o.ID), o.Method, o.Path, o.Summary, o.Idempotent})
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(ops)
		return exitOK
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	for _, o := range ops {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", o.OperationID, o.Method, o.Path, o.Summary)
	}
	_ = tw.Flush()
	return exitOK
}

func runSpec(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "drift" {
		return runSpecDrift(ctx, args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("lsq spec", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: lsq spec\n       lsq spec drift (FILE.har | DIR | --live)   (lsq spec drift -h)\n\nPrints the OpenAPI spec embedded in the client, as indented JSON.")
		fs.PrintDefaults()
	}
	if code, done := parseFlags(fs, args, stdout); done {
		return code
	}
	if fs.NArg() != 0 {
		fmt.Fprintln(stderr, "lsq spec: takes no arguments")
		return exitUsage
	}
	b, err := specJSON()
	if err != nil {
		fmt.Fprintf(stderr, "lsq spec: %v\n", err)
		return exitUsage
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		fmt.Fprintf(stderr, "lsq spec: %v\n", err)
		return exitUsage
	}
	out.WriteByte('\n')
	_, _ = stdout.Write(out.Bytes())
	return exitOK
}

// specJSON returns the embedded spec (spec.OpenAPI, YAML) as JSON, references kept.
func specJSON() ([]byte, error) {
	doc, err := openapi3.NewLoader().LoadFromData(spec.OpenAPI)
	if err != nil {
		return nil, fmt.Errorf("load the embedded spec: %w", err)
	}
	return doc.MarshalJSON()
}

// parseFlags parses args; done is true when the command must return code (help or a bad
// flag). Help goes to stdout; a bad flag's message and the usage go to stderr.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) (code int, done bool) {
	usage := fs.Usage
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.Usage = usage
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			out := fs.Output()
			fs.SetOutput(stdout)
			fs.Usage()
			fs.SetOutput(out)
			return exitOK, true
		}
		fs.Usage()
		return exitUsage, true
	}
	return 0, false
}
