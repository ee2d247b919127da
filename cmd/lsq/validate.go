package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/validate"
)

// The help of lsq validate: what it checks (validateWhat, for a request validateQuery too),
// how it reports (validateReport), with examples of each direction.
const (
	validateWhat  = "Validates a JSON payload against the spec."
	validateQuery = ` A request's query parameters (e.g. UpdateUser's
UserId) are checked when --query gives them, and always for an operation that takes no body
(GetUserByID), whose request is its query; their names match in any casing (userId, UserId),
as LeadSquared matches them.`
	validateReport = ` Prints one line per failure:
  <pointer>: <rule>: <message>
An attribute the spec does not list is named with the nearest one:
  /LastNmae: unknown attribute (did you mean LastName?)
  /User: the spec spells it user
--json writes each failure's pointer, rule, expectation and message. Invalid UTF-8 (rule
utf8), a key repeated in one object (duplicateKey) and nesting deeper than 1000 levels
(depth) are failures too. A file larger than --max-size (default 10MB;
bytes, or with a KB, MB or GB suffix) is refused before it is read.

Exit status: 0 valid, 1 invalid, 2 usage error (unknown operation, unreadable, too large or
non-JSON file).`
	validateRequestExample = `  lsq validate request CreateUser user.json
  lsq validate request --query 'UserId=3b1041fb-8374-11e7-8758-0a106ee76b21' UpdateUser update.json
  lsq validate request --query 'UserId=3b1041fb-8374-11e7-8758-0a106ee76b21' GetUserByID   # no body: its query`
	validateResponseExample = `  lsq validate response GetUserByID 200 - < reply.json
  lsq validate response --json --max-size 64MB GetUsers 200 users.json`
)

// validateLong is the help of lsq validate and lsq validate request; lsq validate response's
// leaves out the query.
const validateLong = validateWhat + validateQuery + validateReport

// validateOptions are the flags of lsq validate, given before or after the direction.
type validateOptions struct {
	asJSON   bool
	rawQuery string
	maxSize  sizeFlag
}

func (a *app) validateCommand() *cobra.Command {
	o := &validateOptions{maxSize: sizeFlag(validate.DefaultMaxBodySize)}
	cmd := &cobra.Command{
		Use:                   "validate request|response [flags] <operationId> ...",
		DisableFlagsInUseLine: true,
		Short:                 "Validate a request or response payload against the spec",
		Long:                  validateLong,
		Example:               validateRequestExample + "\n" + validateResponseExample,
		RunE: func(cmd *cobra.Command, args []string) error {
			err := usageErrorf(cmd, a.stderr, "want 'request' or 'response' (run '%s -h' for help)", cmd.CommandPath())
			cmd.SetOut(a.stderr)
			_ = cmd.Usage()
			return err
		},
	}
	f := cmd.PersistentFlags()
	f.BoolVar(&o.asJSON, "json", false, "print the result as JSON")
	f.StringVar(&o.rawQuery, "query", "", "the query string to check too (without the keys), e.g. 'UserId=...'")
	onlyFor(f, "query", "request") // a request's; lsq validate response -h does not list it
	f.Var(&o.maxSize, "max-size", "refuse a file larger than this (bytes, or 512KB, 10MB, 1GB)")
	for _, d := range []struct{ use, short, long, example string }{
		{"request [--json] [--max-size N] [--query 'name=value&...'] <operationId> [file|-]",
			"Validate a request: its JSON body, and its query (--query, or an operation without a body)",
			validateLong, validateRequestExample},
		{"response [--json] [--max-size N] <operationId> <status> <file|->", "Validate a reply of a status",
			validateWhat + validateReport, validateResponseExample},
	} {
		cmd.AddCommand(&cobra.Command{
			Use: d.use, DisableFlagsInUseLine: true, Short: d.short, Long: d.long, Example: d.example,
			RunE: func(cmd *cobra.Command, args []string) error { return a.runValidate(cmd, o, cmd.Name(), args) },
		})
	}
	return cmd
}

// runValidate is lsq validate request (dir "request") or response, with its arguments pos.
func (a *app) runValidate(cmd *cobra.Command, o *validateOptions, dir string, pos []string) error {
	stdout, stderr, maxSize := a.stdout, a.stderr, o.maxSize
	want := 2
	if dir == "response" {
		want = 3
	}
	noBody := false // lsq validate request Op, for an operation without a body: its query only
	if dir == "request" && len(pos) == 1 {
		if v, err := validate.Default(); err == nil {
			if op, ok := v.Operation(api.OperationID(pos[0])); ok && !op.HasBody() {
				noBody, want = true, 1
			}
		}
	}
	if len(pos) != want {
		return usageErrorf(cmd, stderr, "takes %s, got %d; usage: %s (run '%s -h' for help)",
			plural(want, "argument", "arguments"), len(pos), cmd.UseLine(), cmd.CommandPath())
	}
	v, err := validate.Default()
	if err == nil {
		v, err = v.WithMaxBodySize(int64(maxSize))
	}
	if err != nil {
		return usageErrorf(cmd, stderr, "%v", err)
	}
	opID := api.OperationID(pos[0])
	if _, ok := v.Operation(opID); !ok {
		return usageErrorf(cmd, stderr, "%s", unknownOperation(string(opID)))
	}
	status := 0
	if dir == "response" {
		status, err = strconv.Atoi(pos[1])
		if err != nil || status < 100 || status > 599 {
			return usageErrorf(cmd, stderr, "bad status %q", pos[1])
		}
	}
	var body []byte
	if !noBody {
		body, err = readInput(pos[len(pos)-1], a.stdin, int64(maxSize))
		if err != nil {
			return usageErrorf(cmd, stderr, "%v", err)
		}
	}
	if op, _ := v.Operation(opID); dir == "request" && !op.HasBody() && o.rawQuery == "" && !noBody {
		noBody = true // a body file for an operation without one: checked below, with the (empty) query
	}
	if _, jerr := validate.CheckJSON(body); !noBody && jerr != nil {
		return usageErrorf(cmd, stderr, "%s is not valid JSON: %v", displayName(pos[len(pos)-1]), jerr)
	}
	if dir == "request" {
		if o.rawQuery == "" && !noBody {
			err = v.ValidateRequestBody(opID, body)
		} else {
			q, qerr := url.ParseQuery(strings.TrimPrefix(o.rawQuery, "?"))
			if qerr != nil {
				return usageErrorf(cmd, stderr, "--query is not a query string")
			}
			err = v.ValidateRequest(opID, q, body)
		}
	} else {
		err = v.ValidateResponse(opID, status, body)
	}
	var verr *validate.Error
	if err != nil && !errors.As(err, &verr) {
		return usageErrorf(cmd, stderr, "%v", err)
	}
	if o.asJSON {
		out := struct {
			Operation string             `json:"operation"`
			Direction string             `json:"direction"`
			Status    int                `json:"status,omitempty"`
			Valid     bool               `json:"valid"`
			Failures  []validate.Failure `json:"failures"`
		}{Operation: string(opID), Direction: dir, Status: status, Valid: verr == nil, Failures: []validate.Failure{}}
		if verr != nil {
			out.Failures = verr.Failures
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(out)
	} else if verr != nil {
		for _, f := range verr.Failures {
			fmt.Fprintln(stdout, f.String())
		}
	} else {
		fmt.Fprintf(stdout, "valid %s %s\n", opID, dir)
	}
	if verr != nil {
		return &exitError{exitInvalid}
	}
	return nil
}
