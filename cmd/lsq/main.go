// Command lsq is the LeadSquared User Management API from a shell, for account admins and for
// the developers of leadsquared-go: it calls any operation, exports, imports, activates and
// deactivates users, validates payloads against the spec, lists the operations, prints the
// spec and serves a fake LeadSquared.
//
// Usage:
//
//	lsq call <operationId> [-q name=value]... [file|-]
//	lsq users export [--format csv|json|jsonl] [--search file]
//	lsq users import [--dry-run] [--skip-invalid] [--rate "25 in 5s"] users.csv
//	lsq users deactivate|activate --emails file
//	lsq validate request <operationId> <file|->
//	lsq validate response <operationId> <status> <file|->
//	lsq ops
//	lsq spec
//	lsq fake [--limit "25 in 5s"]
//	lsq host [--keys-file file]
//	lsq completion bash|zsh|fish|powershell
//
// Credentials come from LSQ_ACCESS_KEY, LSQ_SECRET_KEY and LSQ_HOST, or from --keys-file;
// never from flags, and they are never printed.
//
// Exit status: 0 success, 1 a LeadSquared error or an invalid payload or row, 2 usage error.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes.
const (
	exitOK       = 0
	exitInvalid  = 1
	exitUsage    = 2
	exitNotFound = 3 // lsq call of a read of one record that LeadSquared answered with []
)

// app is one run of lsq: its streams, its environment and what the commands need to reach
// the API. Tests build one with their own environment and clock.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// isTerminal reports whether w is a terminal (progress bar, indented JSON).
	isTerminal func(w io.Writer) bool
	// clientOpts are added to every client the commands build (tests: backoff, HTTP client).
	clientOpts []leadsquared.Option
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return newApp(stdin, stdout, stderr).run(ctx, args)
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *app {
	return &app{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv, isTerminal: isTerminal}
}

// exitError carries a command's exit status to run; its message, if any, has been printed.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// exit turns a status into RunE's error (nil for 0).
func exit(code int) error {
	if code == exitOK {
		return nil
	}
	return &exitError{code}
}

// usageErrorf prints "lsq <cmd>: message" and returns the usage exit status.
func usageErrorf(cmd *cobra.Command, stderr io.Writer, format string, a ...any) error {
	fmt.Fprintf(stderr, "%s: %s\n", cmd.CommandPath(), fmt.Sprintf(format, a...))
	return &exitError{exitUsage}
}

const rootUsage = `lsq: the LeadSquared User Management API from a shell (leadsquared-go)

Usage: lsq <command> [flags] [args]

Commands:{{range .Commands}}{{if (or .IsAvailableCommand (eq .Name "help"))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}

Credentials: LSQ_ACCESS_KEY, LSQ_SECRET_KEY and LSQ_HOST (a region, a host or a base URL; found
from the keys when unset), or --keys-file FILE with the same NAME=value lines, readable by you only.

Run 'lsq <command> -h' for a command's flags.
`

// commandUsage is the usage of every command but the root (their help is Long, then this).
const commandUsage = `Usage: {{.UseLine}}{{if .HasExample}}

Examples:
{{.Example}}{{end}}{{if .HasAvailableSubCommands}}

Commands:{{range .Commands}}{{if .IsAvailableCommand}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{end}}{{if .HasAvailableFlags}}

Flags:
{{.Flags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableSubCommands}}

Run '{{.CommandPath}} <command> -h' for a command's flags.{{end}}
`

func (a *app) root(ctx context.Context) *cobra.Command {
	root := &cobra.Command{
		Use:           "lsq",
		Short:         "The LeadSquared User Management API from a shell",
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(cmd *cobra.Command, args []string) error {
			cmd.SetOut(a.stderr)
			_ = cmd.Usage()
			return &exitError{exitUsage}
		},
	}
	root.SetContext(ctx)
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetUsageTemplate(rootUsage)
	root.CompletionOptions.HiddenDefaultCmd = false
	root.SetFlagErrorFunc(a.flagError) // every command's
	root.AddCommand(a.callCommand(), a.usersCommand(), a.hostCommand(), a.validateCommand(), a.opsCommand(),
		a.specCommand(), a.fakeCommand(), a.demoCommand(), a.scimCommand())
	root.InitDefaultCompletionCmd() // now, not at Execute: it shares the template too
	for _, c := range root.Commands() {
		c.SetUsageTemplate(commandUsage) // the root's template lists commands; the others share this one
	}
	return root
}

func (a *app) run(ctx context.Context, args []string) int {
	root := a.root(ctx)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	var ee *exitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.code
	}
	// Errors of the framework: an unknown command or flag, a wrong number of arguments.
	fmt.Fprintf(a.stderr, "lsq: %v\n", err)
	if strings.HasPrefix(err.Error(), "unknown command") {
		cmd, _, ferr := root.Find(args)
		if ferr != nil || cmd == nil {
			cmd = root
		}
		cmd.SetOut(a.stderr)
		_ = cmd.Usage()
	} else {
		fmt.Fprintln(a.stderr, "Run 'lsq <command> -h' for help.")
	}
	return exitUsage
}
