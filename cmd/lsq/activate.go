package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
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
per 50 addresses, inactive users included); a user already %s is left as is.

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
		sc := bufio.NewScanner(a.stdin)
		if r != nil {
			sc = bufio.NewScanner(r)
		}
		seen := map[string]bool{}
		for n := 1; sc.Scan(); n++ {
			s := strings.TrimSpace(sc.Text())
			if s == "" || strings.HasPrefix(s, "#") {
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
		if err := sc.Err(); err != nil {
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
	def := o.emails + ".lsq-state-" + verb
	if o.emails == "-" {
		def = ""
	}
	st, _, err := o.openState(a, cmd, c, def)
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }()
	if _, err := st.Begin(statusPlanID(verb, lines)); err != nil {
		fmt.Fprintf(a.stderr, "%s: %v\n", name, err)
		return &exitError{exitInvalid}
	}

	var (
		mu                        sync.Mutex
		earlier, changed, already int
		failures                  []string
		finished                  int
	)
	var todo []statusLine
	for _, l := range lines {
		if rec, ok := st.Lookup(l.key); ok && usersync.IsDone(rec.Status) {
			earlier++
			continue
		}
		todo = append(todo, l)
	}
	prog := a.newProgress(name, len(todo))
	finish := func(l statusLine, status, id, reason string) {
		reason = scrub(reason, c.keys)
		if err := st.Record(usersync.StateRecord{Key: l.key, Row: l.line, Status: status, UserID: id, Reason: reason}); err != nil {
			status, reason = usersync.StateFailed, "the state file could not be written: "+err.Error()
		}
		mu.Lock()
		defer mu.Unlock()
		finished++
		switch status {
		case usersync.StateDone:
			changed++
		case usersync.StateAlready:
			already++
		default:
			failures = append(failures, fmt.Sprintf("line %d (%s): %s", l.line, l.email, reason))
		}
		prog.add(status == usersync.StateFailed)
	}
	for start := 0; start < len(todo) && ctx.Err() == nil; start += usersync.LookupBatch {
		batch := todo[start:min(start+usersync.LookupBatch, len(todo))]
		emails := make([]string, len(batch))
		for i, l := range batch {
			emails[i] = l.email
		}
		there, err := usersync.LookupAddresses(ctx, c.Client, emails)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			for _, l := range batch {
				finish(l, usersync.StateFailed, "", "finding the user failed: "+err.Error())
			}
			continue
		}
		forEach(ctx, o.workers, batch, func(l statusLine) {
			u, ok := there[l.key]
			switch {
			case !ok:
				finish(l, usersync.StateFailed, "", "no user with this email address")
				return
			case u.Active != deactivate:
				finish(l, usersync.StateAlready, u.UserID, "")
				return
			}
			err := setActive(ctx, c.Client, u.UserID, !deactivate)
			switch {
			case err == nil:
				finish(l, usersync.StateDone, u.UserID, "")
			case ctx.Err() != nil: // interrupted: the rerun looks again
			default:
				finish(l, usersync.StateFailed, u.UserID, err.Error())
			}
		})
	}
	prog.finish()
	notRun := len(todo) - finished
	if notRun == 0 && ctx.Err() == nil {
		// Carried out whole (a failure was tried and reported): the next run, of this list
		// or another, starts clean, so that a user who left, came back and left again is
		// deactivated again.
		if err := st.Complete(); err != nil {
			fmt.Fprintf(a.stderr, "%s: %v\n", name, err)
		}
	}
	state := "active"
	if deactivate {
		state = "inactive"
	}
	fmt.Fprintf(a.stdout, "%s: %d addresses: %d %sd, %d already %s, %d done in an earlier run, %d invalid, %d failed",
		name, len(lines)+len(invalid), changed, verb, already, state, earlier, len(invalid), len(failures))
	if notRun > 0 {
		fmt.Fprintf(a.stdout, ", %d not done (interrupted: rerun the same command to continue)", notRun)
	}
	fmt.Fprintln(a.stdout)
	slices.Sort(failures)
	for _, f := range failures {
		fmt.Fprintf(a.stdout, "  %s\n", f)
	}
	if len(invalid)+len(failures)+notRun > 0 {
		return &exitError{exitInvalid}
	}
	return nil
}

// statusPlanID identifies the plan of an activate or deactivate run: the verb and the
// addresses of the list, in order. A state file resumes only the same plan.
func statusPlanID(verb string, lines []statusLine) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n", verb)
	for _, l := range lines {
		fmt.Fprintf(h, "%s\n", l.key)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// setActive activates or deactivates one user (both calls are safe to repeat, and the client
// retries them).
func setActive(ctx context.Context, c *leadsquared.Client, userID string, active bool) error {
	var err error
	if active {
		_, err = c.ActivateUser(ctx, api.ActivateUserParams{UserID: userID})
	} else {
		_, err = c.DeactivateUser(ctx, api.DeactivateUserParams{UserID: userID})
	}
	if err != nil && errors.Is(err, context.Canceled) {
		return err
	}
	return err
}
