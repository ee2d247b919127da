package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/leadsquared-go/leadsquared-go/pkg/validate"
)

func (a *app) opsCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "ops",
		Short: "List the operations (operationId, method, path, summary)",
		Long: `Lists the operations of the spec: operationId, method, path, summary, one operation a line in
aligned columns (--json: a JSON array, with each operation's idempotency too).

Exit status: 0 the operations printed; 2 usage error (an argument or a bad flag).`,
		Args: a.noArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return a.runOps(cmd, asJSON) },
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the operations as JSON")
	return cmd
}

func (a *app) runOps(cmd *cobra.Command, asJSON bool) error {
	v, err := validate.Default()
	if err != nil {
		return usageErrorf(cmd, a.stderr, "%v", err)
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
	if asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(ops)
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	for _, o := range ops {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", o.OperationID, o.Method, o.Path, o.Summary)
	}
	_ = tw.Flush()
	return nil
}
