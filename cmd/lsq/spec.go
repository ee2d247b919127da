package main

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

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

// specJSON returns the embedded spec (spec.OpenAPI, YAML) as JSON, references kept. It is
// read as YAML, not as an OpenAPI document: lsq links no OpenAPI machinery.
func specJSON() ([]byte, error) {
	var doc any
	if err := yaml.Unmarshal(spec.OpenAPI, &doc); err != nil {
		return nil, fmt.Errorf("read the embedded spec: %w", err)
	}
	return json.Marshal(doc)
}
