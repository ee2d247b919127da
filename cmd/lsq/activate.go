package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/leadsquared-go/leadsquared-go/pkg/usersync"
)

type statusOptions struct {
	batchFlags
	emails string
}

// statusCommand is lsq users deactivate (activate false) or lsq users activate.
func (a *app) statusCommand(deactivate bool) *cobra.Command {
	verb, done := "activate", "activated"
	if deactivate {
		verb, done = "deactivate", "deactivated"
	}
	var o statusOptions
	cmd := &cobra.Command{
		Use:   verb + " --emails file",
		Short: strings.ToUpper(verb[:1]) + verb[1:] + " the users of a list of email addresses",
		Long: fmt.Sprintf(`%ss the users whose email addresses are in --emails (one a line, or - for standard
input; blank lines and # comments are skipped). The users are found by email (one search
per 50 addresses, inactive users included); a user already %s is left as is. It is a
plan of the users engine (package usersync) that changes access only: applied as lsq
users sync applies one, after the users it changes are read again (a user changed
meanwhile is refused).

As lsq users import: paced by --rate, a progress bar on a terminal and lines otherwise, a
state file (--state, default <file>.lsq-state-%s) so that a rerun of the same list after
a crash or Ctrl-C skips the users done (a run that went to the end, or another list,
starts the state file clean), and a summary.

Exit status: 0 every user %s or already so; 1 an address was invalid, unknown or
failed; 2 usage error.`, strings.ToUpper(verb[:1])+verb[1:], done, verb, done),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return a.runStatus(cmd, &o, deactivate) },
	}
	cmd.Flags().StringVar(&o.emails, "emails", "", "the file of email addresses, one a line (required)")
	o.register(cmd, "the state file (default <file>.lsq-state-"+verb+")")
	_ = cmd.MarkFlagRequired("emails")
	return cmd
}

type statusLine struct {
	line  int
	email string
	key   string
}

func (a *app) runStatus(cmd *cobra.Command, o *statusOptions, deactivate bool) error {
	name, ctx := cmd.CommandPath(), cmd.Context()
	verb := "activate"
	if deactivate {
		verb = "deactivate"
	}
	var lines []statusLine
	var invalid []string
	{
		var r *os.File
		if o.emails == "-" {
			r = nil
		} else {
			f, err := os.Open(o.emails)
			if err != nil {
				return usageErrorf(cmd, a.stderr, "--emails %s: %v", o.emails, unwrapPathError(err))
			}
			defer func() { _ = f.Close() }()
			r = f
		}
		src := a.stdin
		if r != nil {
			src = r
		}
		// As a users file is read: a byte-order mark dropped, UTF-16 decoded.
		text, err := usersync.DecodeText(src)
		if err != nil {
			return usageErrorf(cmd, a.stderr, "--emails %s: %v", displayName(o.emails), err)
		}
		sc := bufio.NewScanner(text)
		seen := map[string]bool{}
		n := 0
		for sc.Scan() {
			n++
			s := strings.TrimSpace(sc.Text())
			if s == "" || strings.HasPrefix(s, "#") {
				continue
			}
			if msg := usersync.InvalidUTF8(s); msg != "" {
				invalid = append(invalid, fmt.Sprintf("line %d: %s", n, strings.Replace(msg, "of the cell", "of the line", 1)))
				continue
			}
			addr, key, err := usersync.CheckAddress(s)
			if err != nil {
				invalid = append(invalid, fmt.Sprintf("line %d: %v", n, err))
				continue
			}
			if seen[key] {
				continue
			}
			seen[key] = true
			lines = append(lines, statusLine{line: n, email: addr, key: key})
		}
		if err := sc.Err(); errors.Is(err, bufio.ErrTooLong) {
			return usageErrorf(cmd, a.stderr, "--emails %s: line %d is longer than %d bytes: want one address a line", displayName(o.emails), n+1, bufio.MaxScanTokenSize)
		} else if err != nil {
			return usageErrorf(cmd, a.stderr, "--emails: %v", err)
		}
	}
	for _, e := range invalid {
		fmt.Fprintf(a.stderr, "%s: %s: %s\n", name, displayName(o.emails), e)
	}
	if err := o.check(); err != nil {
		return usageErrorf(cmd, a.stderr, "%v", err)
	}
	c, err := a.newClient(ctx, &o.client)
	if err != nil {
		return a.clientError(cmd, err)
	}
	defer c.close()
	// The plan of the engine (usersync.PlanAccess): the users found by address, those to
	// change, then applied with the state file as its journal.
	emails := make([]string, len(lines))
	byKey := make(map[string]statusLine, len(lines))
	for i, l := range lines {
		emails[i] = l.email
		byKey[l.key] = l
	}
	plan, missing, already, err := usersync.PlanAccess(ctx, c.Client, emails, !deactivate)
	if err != nil {
		fmt.Fprintf(a.stderr, "%s: finding the users: %v\n", name, scrubErr(err, c.keys))
		return &exitError{exitInvalid}
	}
	def := o.emails + ".lsq-state-" + verb
	if o.emails == "-" {
		def = ""
	}
	st, _, err := o.openState(a, cmd, c, def)
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }()
	var failures []string
	for _, e := range missing {
		failures = append(failures, fmt.Sprintf("line %d (%s): no user with this email address", byKey[keyOfLine(e)].line, usersync.Printable(e)))
	}
	prog := a.newProgress(name, len(plan.Actions))
	var progMu sync.Mutex
	res := &usersync.Result{}
	if !plan.Empty() {
		res, err = usersync.Apply(ctx, c.Client, plan, st, usersync.ApplyOptions{Workers: o.workers, OnDone: func(_ usersync.Action, err error) {
			progMu.Lock()
			defer progMu.Unlock()
			prog.add(err != nil)
		}})
		if err != nil {
			prog.finish()
			fmt.Fprintf(a.stderr, "%s: %v\n", name, scrubErr(err, c.keys))
			return &exitError{exitInvalid}
		}
	}
	prog.finish()
	for _, f := range res.Failures {
		failures = append(failures, fmt.Sprintf("line %d (%s): %s", byKey[keyOfLine(f.Action.Email)].line, usersync.Printable(f.Action.Email), strings.Map(escapeControl, scrub(f.Err.Error(), c.keys))))
	}
	state := "active"
	if deactivate {
		state = "inactive"
	}
	fmt.Fprintf(a.stdout, "%s: %s: %d %sd, %d already %s, %d done in an earlier run, %d invalid, %d failed",
		name, plural(len(lines)+len(invalid), "address", "addresses"), res.Done, verb, len(already), state, res.Earlier, len(invalid), len(failures))
	if res.NotRun > 0 {
		fmt.Fprintf(a.stdout, ", %d not done (interrupted: rerun the same command to continue)", res.NotRun)
	}
	fmt.Fprintln(a.stdout)
	slices.Sort(failures)
	for _, f := range failures {
		fmt.Fprintf(a.stdout, "  %s\n", f)
	}
	if len(invalid)+len(failures)+res.NotRun > 0 {
		return &exitError{exitInvalid}
	}
	return nil
}

// keyOfLine is the key of an address of the list (as usersync.CheckAddress gives it).
func keyOfLine(email string) string {
	_, k, _ := usersync.CheckAddress(email)
	return k
}
