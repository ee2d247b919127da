package main

import (
	"bytes"
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
  lsq validate request  [--json] [--max-size N] [--query 'name=value&...'] <operationId> <file|->
  lsq validate request  [--json] --query 'name=value&...' <operationId>   (an operation without a body)
  lsq validate response [--json] [--max-size N] <operationId> <status> <file|->

Validates a JSON payload against the spec. A request's query parameters (e.g. UpdateUser's
UserId) are checked when --query gives them, and always for an operation that takes no body
(GetUserByID), whose request is its query; their names match in any casing (userId, UserId),
as LeadSquared matches them. Prints one line per failure:
  <pointer>: <rule>: <message>
Invalid UTF-8 (rule utf8), a key repeated in one object (duplicateKey) and nesting deeper
than 1000 levels (depth) are failures too. A file larger than --max-size (default 10MB;
bytes, or with a KB, MB or GB suffix) is refused before it is read.
Exit status: 0 valid, 1 invalid, 2 usage error (unknown operation, unreadable, too large or
non-JSON file).
`

func runValidate(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lsq validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the result as JSON")
	rawQuery := fs.String("query", "", "with request: the query string to check too (without the keys), e.g. 'UserId=...'")
	maxSize := sizeFlag(validate.DefaultMaxBodySize)
	fs.Var(&maxSize, "max-size", "refuse a file larger than this (bytes, or 512KB, 10MB, 1GB)")
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
	sub.Var(&maxSize, "max-size", "refuse a file larger than this (bytes, or 512KB, 10MB, 1GB)")
	sub.Usage = func() { fmt.Fprint(sub.Output(), validateUsage); sub.PrintDefaults() }
	if code, done := parseFlags(sub, rest[1:], stdout); done {
		return code
	}
	pos := sub.Args()
	want := 2
	if rest[0] == "response" {
		want = 3
	}
	noBody := false // lsq validate request Op, for an operation without a body: its query only
	if rest[0] == "request" && len(pos) == 1 {
		if v, err := validate.Default(); err == nil {
			if op, ok := v.Operation(api.OperationID(pos[0])); ok && !op.HasBody() {
				noBody, want = true, 1
			}
		}
	}
	if len(pos) != want {
		fmt.Fprintf(stderr, "lsq validate %s: want %d arguments, got %d\n", rest[0], want, len(pos))
		fs.Usage()
		return exitUsage
	}
	v, err := validate.Default()
	if err == nil {
		v, err = v.WithMaxBodySize(int64(maxSize))
	}
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
	var body []byte
	if !noBody {
		body, err = readInput(pos[len(pos)-1], stdin, int64(maxSize))
		if err != nil {
			fmt.Fprintf(stderr, "lsq validate: %v\n", err)
			return exitUsage
		}
	}
	if op, _ := v.Operation(opID); rest[0] == "request" && !op.HasBody() && *rawQuery == "" && !noBody {
		noBody = true // a body file for an operation without one: checked below, with the (empty) query
	}
	if _, jerr := validate.CheckJSON(body); !noBody && jerr != nil {
		fmt.Fprintf(stderr, "lsq validate: %s is not valid JSON: %v\n", displayName(pos[len(pos)-1]), jerr)
		return exitUsage
	}
	if rest[0] == "request" {
		if *rawQuery == "" && !noBody {
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

// readInput reads a file (or standard input for "-"), refusing one larger than max bytes
// before reading it: a regular file by its size, other input once max+1 bytes were read.
func readInput(name string, stdin io.Reader, max int64) ([]byte, error) {
	tooLarge := func(size string) error {
		return fmt.Errorf("%s is %s, larger than the size limit of %s (--max-size)", displayName(name), size, fmtSize(max))
	}
	if name == "-" {
		b, err := validate.ReadLimited(stdin, max)
		if errors.Is(err, validate.ErrTooLarge) {
			return nil, tooLarge("over " + fmtSize(max))
		}
		if err != nil {
			return nil, fmt.Errorf("read standard input: %w", err)
		}
		return b, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, unwrapPathError(err))
	}
	defer func() { _ = f.Close() }()
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		if st.Size() > max {
			return nil, tooLarge(fmtSize(st.Size()))
		}
		// Read into a buffer of the file's size: growing one as io.ReadAll does would
		// hold two copies of a large file at once.
		buf := bytes.NewBuffer(make([]byte, 0, st.Size()+bytes.MinRead))
		if _, err := buf.ReadFrom(io.LimitReader(f, st.Size())); err != nil {
			return nil, fmt.Errorf("read %s: %w", name, unwrapPathError(err))
		}
		if n, _ := f.Read(make([]byte, 1)); n == 0 {
			return buf.Bytes(), nil
		}
		// The file grew while it was read: read it again, within the limit.
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, fmt.Errorf("read %s: %w", name, unwrapPathError(err))
		}
	}
	b, err := validate.ReadLimited(f, max)
	if errors.Is(err, validate.ErrTooLarge) {
		return nil, tooLarge("over " + fmtSize(max))
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, unwrapPathError(err))
	}
	return b, nil
}

// sizeFlag is a byte count given as 1048576, 512KB, 10MB or 1GB (powers of 1024).
type sizeFlag int64

func (s *sizeFlag) String() string { return fmtSize(int64(*s)) }

func (s *sizeFlag) Set(v string) error {
	t := strings.ToUpper(strings.TrimSpace(v))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return errors.New("want a positive size: bytes, or with a KB, MB or GB suffix")
	}
	*s = sizeFlag(n * mult)
	return nil
}

// fmtSize formats a byte count: "10MB" when exact, else bytes.
func fmtSize(n int64) string {
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}} {
		if n >= u.mult && n%u.mult == 0 {
			return strconv.FormatInt(n/u.mult, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// unwrapPathError keeps "no such file or directory" without repeating the path.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
