package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/validate"
)

const validateUsage = `Usage:
  lsq validate request  [--json] [--query 'name=value&...'] <operationId> <file|->
  lsq validate response [--json] <operationId> <status> <file|->

Validates a JSON payload against the spec. A request's query parameters (e.g. UpdateUser's
UserId) are checked only when --query gives them; their names match in any casing (userId,
UserId), as LeadSquared matches them. Prints one line per failure:
  <pointer>: <rule>: <message>
Exit status: 0 valid, 1 invalid, 2 usage error (unknown operation, unreadable or non-JSON file).
`

func runValidate(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lsq validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the result as JSON")
	rawQuery := fs.String("query", "", "with request: the query string to check too (without the keys), e.g. 'UserId=...'")
	fs.Usage = func() { fmt.Fprint(fs.Output(), validateUsage); fs.PrintDefaults() }
	if code, done := parseFlags(fs, args, stdout); done {
		return code
	}
	rest := fs.Args()
	if len(rest) == 0 || (rest[0] != "request" && rest[0] != "response") {
		fmt.Fprintln(stderr, "lsq validate: want 'request' or 'response'")
		fs.Usage()
		return exitUsage
	}
	// Flags may also follow the direction: lsq validate request --json Op file.
	sub := flag.NewFlagSet("lsq validate "+rest[0], flag.ContinueOnError)
	sub.SetOutput(stderr)
	sub.BoolVar(asJSON, "json", *asJSON, "print the result as JSON")
	sub.StringVar(rawQuery, "query", *rawQuery, "with request: the query string to check too (without the keys), e.g. 'UserId=...'")
	sub.Usage = func() { fmt.Fprint(sub.Output(), validateUsage); sub.PrintDefaults() }
	if code, done := parseFlags(sub, rest[1:], stdout); done {
		return code
	}
	pos := sub.Args()
	want := 2
	if rest[0] == "response" {
		want = 3
	}
	if len(pos) != want {
		fmt.Fprintf(stderr, "lsq validate %s: want %d arguments, got %d\n", rest[0], want, len(pos))
		fs.Usage()
		return exitUsage
	}
	v, err := validate.Default()
	if err != nil {
		fmt.Fprintf(stderr, "lsq validate: %v\n", err)
		return exitUsage
	}
	opID := api.OperationID(pos[0])
	if _, ok := v.Operation(opID); !ok {
		fmt.Fprintf(stderr, "lsq validate: unknown operation %q (see 'lsq ops')\n", opID)
		return exitUsage
	}
	status := 0
	if rest[0] == "response" {
		status, err = strconv.Atoi(pos[1])
		if err != nil || status < 100 || status > 599 {
			fmt.Fprintf(stderr, "lsq validate response: bad status %q\n", pos[1])
			return exitUsage
		}
	}
	body, err := readInput(pos[len(pos)-1], stdin)
	if err != nil {
		fmt.Fprintf(stderr, "lsq validate: %v\n", err)
		return exitUsage
	}
	if !json.Valid(body) {
		fmt.Fprintf(stderr, "lsq validate: %s is not valid JSON\n", displayName(pos[len(pos)-1]))
		return exitUsage
	}
	if rest[0] == "request" {
		if *rawQuery == "" {
			err = v.ValidateRequestBody(opID, body)
		} else {
			q, qerr := url.ParseQuery(strings.TrimPrefix(*rawQuery, "?"))
			if qerr != nil {
				fmt.Fprintln(stderr, "lsq validate: --query is not a query string")
				return exitUsage
			}
			err = v.ValidateRequest(opID, q, body)
		}
	} else {
		err = v.ValidateResponse(opID, status, body)
	}
	var verr *validate.Error
	if err != nil && !errors.As(err, &verr) {
		fmt.Fprintf(stderr, "lsq validate: %v\n", err)
		return exitUsage
	}
	if *asJSON {
		out := struct {
			Operation string             `json:"operation"`
			Direction string             `json:"direction"`
			Status    int                `json:"status,omitempty"`
			Valid     bool               `json:"valid"`
			Failures  []validate.Failure `json:"failures"`
		}{Operation: string(opID), Direction: rest[0], Status: status, Valid: verr == nil, Failures: []validate.Failure{}}
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
		fmt.Fprintf(stdout, "valid %s %s\n", opID, rest[0])
	}
	if verr != nil {
		return exitInvalid
	}
	return exitOK
}

func displayName(name string) string {
	if name == "-" {
		return "standard input"
	}
	return name
}

func readInput(name string, stdin io.Reader) ([]byte, error) {
	if name == "-" {
		b, err := io.ReadAll(stdin)
		if err != nil {
			return nil, fmt.Errorf("read standard input: %w", err)
		}
		return b, nil
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, unwrapPathError(err))
	}
	return b, nil
}

// unwrapPathError keeps "no such file or directory" without repeating the path.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
