package main

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/spf13/cobra"

	"github.com/leadsquared-go/leadsquared-go/spec"
)

func (a *app) specCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "spec",
		Short: "Print the embedded OpenAPI spec (JSON)",
		Long: `Prints the OpenAPI spec embedded in the client, as indented JSON.
lsq spec drift (FILE.har | DIR | --live) reports where LeadSquared's replies drift from it.

Exit status: 0 the spec printed; 2 usage error (an argument or a bad flag).`,
		Args: a.noArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return a.runSpec(cmd) },
	}
	cmd.AddCommand(a.specDriftCommand())
	return cmd
}

func (a *app) runSpec(cmd *cobra.Command) error {
	b, err := specJSON()
	if err != nil {
		return usageErrorf(cmd, a.stderr, "%v", err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		return usageErrorf(cmd, a.stderr, "%v", err)
	}
	out.WriteByte('\n')
	_, _ = a.stdout.Write(out.Bytes())
	return nil
}

// specJSON returns the embedded spec (spec.OpenAPI, YAML) as JSON, references kept.
func specJSON() ([]byte, error) {
	doc, err := openapi3.NewLoader().LoadFromData(spec.OpenAPI)
	if err != nil {
		return nil, fmt.Errorf("load the embedded spec: %w", err)
	}
	return doc.MarshalJSON()
}
