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
// Exit status: 0 success, 1 a LeadSquared error, an invalid payload or row, or standard output
// that could not be written, 2 usage error, 3 lsq call of GetUserByID or GetUserByEmail found
// no such (active) user. Each command's help (lsq <command> -h) states its own.
package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
	"sync"
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
	// out is stdout, which remembers its first write error.
	out    *outWriter
	getenv func(string) string
	// isTerminal reports whether w is a terminal (progress bar, indented JSON).
	isTerminal func(w io.Writer) bool
	// clientOpts are added to every client the commands build (tests: backoff, HTTP client).
	clientOpts []leadsquared.Option
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return newApp(stdin, stdout, stderr).run(ctx, args)
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *app {
	out := &outWriter{w: stdout}
	return &app{stdin: stdin, stdout: out, out: out, stderr: stderr, getenv: os.Getenv, isTerminal: isTerminal}
}

// outWriter is standard output as every command writes it: it remembers its first write
// error (a full disk, /dev/full, a closed pipe), returns it again for every later write, and
// run makes it exit status 1, whatever the command returned, so that no script takes output
// that never arrived for a success. One writer for every command, rather than a check after
// each write: a command cannot forget it.
type outWriter struct {
	mu  sync.Mutex
	w   io.Writer
	err error
}

func (o *outWriter) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err != nil {
		return 0, o.err
	}
	n, err := o.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		o.err = err
	}
	return n, err
}

// Err returns the first write error, or nil.
func (o *outWriter) Err() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.err
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

Exit status: 0 success; 1 LeadSquared answered an error, or a payload or row is invalid;
2 usage error; 3 lsq call found no such (active) user. Each command's help states its own.

Run 'lsq <command> -h' for a command's flags.
`

// The layout of every command's help, one for all: what it does and its exit statuses (the
// command's Long, which ends with "Exit status: ..."), then commandUsage: the usage line,
// examples, subcommands and flags. The root's help is rootUsage alone (its title once).
const (
	commandHelp = `{{with (or .Long .Short)}}{{. | trimTrailingWhitespaces}}

{{end}}{{if or .Runnable .HasSubCommands}}{{.UsageString}}{{end}}`
	rootHelp = `{{.UsageString}}`
)

// groupExit is the exit status of a command that only groups others (lsq users).
const groupExit = "Exit status: 0 help printed (-h); 2 usage error (no command, or an unknown one)."

// The exit statuses of the commands cobra adds.
const (
	completionExit = "Exit status: 0 the script printed; 2 usage error (an unknown shell or flag)."
	helpExit       = "Exit status: 0 the help printed; 2 usage error (an unknown command)."
)

// commandUsage is the usage of every command but the root (their help is Long, then this).
const commandUsage = `Usage: {{.UseLine}}{{if .HasExample}}

Examples:
{{.Example}}{{end}}{{if .HasAvailableSubCommands}}

Commands:{{range .Commands}}{{if .IsAvailableCommand}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{end}}{{if .HasAvailableFlags}}

Flags:
{{flagUsages . | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableSubCommands}}

Run '{{.CommandPath}} <command> -h' for a command's flags.{{end}}
`

func init() { cobra.AddTemplateFunc("flagUsages", flagUsages) }

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
	root.SetHelpTemplate(rootHelp)
	root.CompletionOptions.HiddenDefaultCmd = false
	root.SetFlagErrorFunc(a.flagError) // every command's
	root.AddCommand(a.callCommand(), a.usersCommand(), a.hostCommand(), a.validateCommand(), a.opsCommand(),
		a.specCommand(), a.fakeCommand(), a.demoCommand(), a.scimCommand())
	root.InitDefaultCompletionCmd() // now, not at Execute: it shares the template too
	root.InitDefaultHelpCmd()
	for _, c := range root.Commands() {
		c.SetUsageTemplate(commandUsage) // the root's template lists commands; the others share this one
		c.SetHelpTemplate(commandHelp)
	}
	a.layout(root)
	return root
}

// layout gives every command below root the shared parts of its help and errors: an exit
// status for the commands that do not state one (the ones that only group others, and
// cobra's completion and help), and argument errors in lsq's words.
func (a *app) layout(root *cobra.Command) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if !strings.Contains(sub.Long, "Exit status:") {
				exit := groupExit
				switch {
				case sub.Name() == "help" && c == root:
					exit = helpExit
				case sub.Name() == "completion" && c == root, c.Name() == "completion" && c.Parent() == root:
					exit = completionExit
				}
				sub.Long = strings.TrimRight(cmp.Or(sub.Long, sub.Short), "\n") + "\n\n" + exit
			}
			if !sub.Runnable() && sub.HasSubCommands() {
				// A group cobra made (completion): without a command, its usage and exit 2, as
				// lsq users; with an argument, "unknown command" (cobra would print help, exit 0).
				sub.Args = cobra.NoArgs
				sub.RunE = func(cmd *cobra.Command, _ []string) error {
					cmd.SetOut(a.stderr)
					_ = cmd.Usage()
					return &exitError{exitUsage}
				}
			}
			if args := sub.Args; args != nil {
				sub.Args = func(cmd *cobra.Command, pos []string) error {
					err := args(cmd, pos)
					var ee *exitError
					if err == nil || errors.As(err, &ee) {
						return err
					}
					if m := cobraArgsUnknown.FindStringSubmatch(err.Error()); m != nil && cmd.HasSubCommands() {
						return usageErrorf(cmd, a.stderr, "unknown command %s; run '%s -h' for its commands", m[1], cmd.CommandPath())
					}
					return usageErrorf(cmd, a.stderr, "%s; usage: %s (run '%s -h' for help)", argsError(err), cmd.UseLine(), cmd.CommandPath())
				}
			}
			walk(sub)
		}
	}
	walk(root)
}

var (
	cobraArgsExact   = regexp.MustCompile(`^accepts (\d+) arg\(s\), received (\d+)$`)
	cobraArgsMost    = regexp.MustCompile(`^accepts at most (\d+) arg\(s\), received (\d+)$`)
	cobraArgsLeast   = regexp.MustCompile(`^requires at least (\d+) arg\(s\), only received (\d+)$`)
	cobraArgsBetween = regexp.MustCompile(`^accepts between (\d+) and (\d+) arg\(s\), received (\d+)$`)
	cobraArgsUnknown = regexp.MustCompile(`^unknown command (".*") for ".*"$`)
)

// argsError says an error of cobra's argument checks (cobra.ExactArgs, ...) in lsq's words:
// "takes 1 argument, got 0".
func argsError(err error) string {
	msg := err.Error()
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	if m := cobraArgsExact.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("takes %s, got %s", plural(atoi(m[1]), "argument", "arguments"), m[2])
	}
	if m := cobraArgsMost.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("takes at most %s, got %s", plural(atoi(m[1]), "argument", "arguments"), m[2])
	}
	if m := cobraArgsLeast.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("takes at least %s, got %s", plural(atoi(m[1]), "argument", "arguments"), m[2])
	}
	if m := cobraArgsBetween.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("takes %s to %s arguments, got %s", m[1], m[2], m[3])
	}
	if m := cobraArgsUnknown.FindStringSubmatch(msg); m != nil {
		return "takes no arguments, got " + m[1] // cobra.NoArgs
	}
	return msg
}

// plural is n and the noun in the number n needs: "1 address", "2 addresses".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func (a *app) run(ctx context.Context, args []string) int {
	code := a.execute(ctx, args)
	if err := a.out.Err(); err != nil {
		fmt.Fprintf(a.stderr, "lsq: writing standard output: %v\n", err)
		if code == exitOK || code == exitNotFound {
			code = exitInvalid
		}
	}
	return code
}

// execute runs the command args name, and returns its exit status.
func (a *app) execute(ctx context.Context, args []string) int {
	root := a.root(ctx)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	var ee *exitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.code
	case a.out.Err() != nil && errors.Is(err, a.out.Err()):
		return exitInvalid // a command of cobra's (completion) returned the write error: run says it
	}
	// Errors of the framework: an unknown command. Named by the command that was found.
	cmd, _, ferr := root.Find(args)
	if ferr != nil || cmd == nil {
		cmd = root
	}
	first, more, _ := strings.Cut(err.Error(), "\n")
	if m := cobraArgsUnknown.FindStringSubmatch(first); m != nil {
		// cobra adds "Did you mean this?" and the names, one a line.
		var guesses []string
		for _, l := range strings.Split(more, "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasSuffix(l, "?") {
				guesses = append(guesses, l)
			}
		}
		hint := ""
		if len(guesses) > 0 {
			hint = " (did you mean " + strings.Join(guesses, " or ") + "?)"
		}
		fmt.Fprintf(a.stderr, "%s: unknown command %s%s; run '%s -h' for its commands\n", cmd.CommandPath(), m[1], hint, cmd.CommandPath())
		return exitUsage
	}
	fmt.Fprintf(a.stderr, "%s: %v (run '%s -h' for help)\n", cmd.CommandPath(), err, cmd.CommandPath())
	return exitUsage
}
