package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/spf13/cobra"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/validate"
)

const callLong = `Calls one operation of the API (see 'lsq ops'), like 'gh api': query parameters with
-q name=value (repeatable), the JSON body from a file or - (standard input). The request is
validated against the spec before it is sent; an invalid one is not sent. The reply is
printed as JSON: indented on a terminal, compact otherwise.

Calls go through the client: paced (--rate), retried after rate limits and, for
operations that are safe to repeat, after 5xx and broken connections.

Exit status: 0 success; 1 LeadSquared answered an error (its type and message on stderr) or
the call failed; 2 usage error (unknown operation, bad flag, invalid request, no keys); 3
GetUserByID or GetUserByEmail found no such (active) user (LeadSquared answered []).`

func (a *app) callCommand() *cobra.Command {
	var (
		cf     clientFlags
		params []string
	)
	cmd := &cobra.Command{
		Use:   "call <operationId> [file|-]",
		Short: "Call any operation of the API and print its JSON reply",
		Long:  callLong,
		Example: `  lsq call GetUsers
  lsq call GetUserByEmail -q EmailAddress=ada@example.com
  lsq call CreateUser user.json
  echo '{"Columns":{"Include_CSV":"UserId,EmailAddress"}}' | lsq call AdvancedSearchUsers -`,
		Args: cobra.RangeArgs(1, 2),
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveDefault // the body file
			}
			return operationNames(toComplete), cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runCall(cmd, &cf, params, args)
		},
	}
	cmd.Flags().StringArrayVarP(&params, "query", "q", nil, "a query parameter as name=value (repeatable)")
	cf.register(cmd, true)
	return cmd
}

// operationNames returns the operationIds that start with prefix, with their summaries
// (for shell completion).
func operationNames(prefix string) []string {
	v, err := validate.Default()
	if err != nil {
		return nil
	}
	var out []string
	for _, o := range v.Operations() {
		if strings.HasPrefix(strings.ToLower(string(o.ID)), strings.ToLower(prefix)) {
			out = append(out, string(o.ID)+"\t"+o.Summary)
		}
	}
	return out
}

func (a *app) runCall(cmd *cobra.Command, cf *clientFlags, params, args []string) error {
	v, err := validate.Default()
	if err != nil {
		return usageErrorf(cmd, a.stderr, "%v", err)
	}
	op, ok := v.Operation(api.OperationID(args[0]))
	if !ok {
		return usageErrorf(cmd, a.stderr, "%s", unknownOperation(args[0]))
	}
	query := url.Values{}
	for _, p := range params {
		name, value, ok := strings.Cut(p, "=")
		if !ok || strings.TrimSpace(name) == "" {
			return usageErrorf(cmd, a.stderr, "-q %q: want name=value", p)
		}
		if strings.EqualFold(name, api.CredentialAccessKey) || strings.EqualFold(name, api.CredentialSecretKey) {
			return usageErrorf(cmd, a.stderr, "-q: keys are never given as flags; set LSQ_ACCESS_KEY and LSQ_SECRET_KEY")
		}
		query.Add(queryName(op.ID, name), value)
	}
	var body []byte
	if len(args) == 2 {
		if body, err = readInput(args[1], a.stdin, validate.DefaultMaxBodySize); err != nil {
			return usageErrorf(cmd, a.stderr, "%v", err)
		}
		if !json.Valid(body) {
			return usageErrorf(cmd, a.stderr, "%s is not valid JSON", displayName(args[1]))
		}
	}
	if err := v.ValidateRequest(op.ID, query, body); err != nil {
		var verr *validate.Error
		if !errors.As(err, &verr) {
			return usageErrorf(cmd, a.stderr, "%v", err)
		}
		fmt.Fprintf(a.stderr, "%s: invalid %s request, not sent:\n", cmd.CommandPath(), op.ID)
		for _, f := range verr.Failures {
			fmt.Fprintf(a.stderr, "  %s\n", f.String())
		}
		return &exitError{exitUsage}
	}
	c, err := a.newClient(cmd.Context(), cf)
	if err != nil {
		return a.clientError(cmd, err)
	}
	defer c.close()
	reply, err := c.send(cmd, op, query, body)
	if err != nil {
		var apiErr *leadsquared.APIError
		if errors.As(err, &apiErr) {
			fmt.Fprintf(a.stderr, "%s: %s: HTTP %d %s: %s\n", cmd.CommandPath(), op.ID, apiErr.StatusCode,
				orDash(string(apiErr.ExceptionType)), scrub(apiErr.ExceptionMessage, c.keys))
		} else {
			fmt.Fprintf(a.stderr, "%s: %s: %v\n", cmd.CommandPath(), op.ID, scrubErr(err, c.keys))
		}
		return &exitError{exitInvalid}
	}
	if op.Single && string(bytes.TrimSpace(reply)) == "[]" {
		// As the library's ErrNotFound: LeadSquared's [] is its way to say "no such user".
		fmt.Fprintf(a.stderr, "%s: %s: not found (LeadSquared answered [], its answer for a missing or inactive user)\n", cmd.CommandPath(), op.ID)
		return &exitError{exitNotFound}
	}
	a.printJSON([]byte(scrub(string(reply), c.keys))) // a reply that echoes a key must not print it
	return nil
}

// clientError prints an error of newClient: a usage error (bad flag, no keys) exits 2.
func (a *app) clientError(cmd *cobra.Command, err error) error {
	fmt.Fprintf(a.stderr, "%s: %v\n", cmd.CommandPath(), err)
	var ue usageError
	if errors.As(err, &ue) || strings.HasPrefix(err.Error(), "no ") || strings.HasPrefix(err.Error(), "--keys-file") {
		return &exitError{exitUsage}
	}
	return &exitError{exitInvalid}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// send sends one request of op through the client's transport (credentials, limiter,
// retries, typed errors) and returns the reply's body.
func (c *apiClient) send(cmd *cobra.Command, op *validate.Operation, query url.Values, body []byte) ([]byte, error) {
	u := strings.TrimRight(c.BaseURL(), "/") + op.Path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(cmd.Context(), op.Method, u, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	return io.ReadAll(resp.Body)
}

// printJSON writes a JSON reply to stdout: indented on a terminal, compact otherwise; a
// reply that is not JSON as it came.
func (a *app) printJSON(reply []byte) {
	var out bytes.Buffer
	var err error
	if a.isTerminal(a.stdout) {
		err = json.Indent(&out, reply, "", "  ")
	} else {
		err = json.Compact(&out, reply)
	}
	if err != nil {
		out.Reset()
		out.Write(bytes.TrimSpace(reply))
	}
	out.WriteByte('\n')
	_, _ = a.stdout.Write(out.Bytes())
}

// queryName returns the spec's spelling of a query parameter of op (LeadSquared matches
// names in any casing; the fake and some proxies do not), or name when the spec has none.
func queryName(op api.OperationID, name string) string {
	for _, p := range api.QueryParameters(op) {
		if strings.EqualFold(p, name) {
			return p
		}
	}
	return name
}

// unknownOperation is the usage error of an operation name the spec does not have, with the
// nearest one when there is one: "unknown operation "GetUserByIdd" (did you mean GetUserByID?
// see 'lsq ops')".
func unknownOperation(name string) string {
	if near, ok := validate.Nearest(name); ok {
		return fmt.Sprintf("unknown operation %q (did you mean %s? see 'lsq ops')", name, near)
	}
	return fmt.Sprintf("unknown operation %q (see 'lsq ops')", name)
}
