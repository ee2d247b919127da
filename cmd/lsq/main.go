// Command lsq works with the LeadSquared User Management API spec that leadsquared-go is
// generated from: it validates payloads, lists the operations and prints the spec.
//
// Usage:
//
//	lsq validate request <operationId> <file|->
//	lsq validate response <operationId> <status> <file|->
//	lsq ops
//	lsq spec
//	lsq host [--base-url URL]
//
// Exit status: 0 valid (or done), 1 invalid payload, 2 usage error.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes.
const (
	exitOK      = 0
	exitInvalid = 1
	exitUsage   = 2
)

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"demo", "walk a tour of the API against a fake LeadSquared (or a real account)", runDemo},
		{"validate", "validate a request or response payload against the spec", runValidate},
		{"ops", "list the operations (operationId, method, path, summary)", runOps},
		{"spec", "print the embedded OpenAPI spec (JSON)", runSpec},
		{"fake", "serve a fake LeadSquared API on a local port, for testing", runFake},
		{"host", "print the API host of the account that owns the keys", runHost},
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "lsq: tools for the LeadSquared User Management API (leadsquared-go)")
	fmt.Fprintln(w, "\nUsage: lsq <command> [flags] [args]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'lsq <command> -h' for a command's flags.")
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		usage(stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdin, stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "lsq: unknown command %q\n", args[0])
	usage(stderr)
	return exitUsage
}
