package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/usersync"
	"github.com/leadsquared-go/leadsquared-go/pkg/validate"
)

const syncLong = `Makes the account's users match a CSV file, the way terraform plan and apply do. The file
has the columns of lsq users import (and may be what lsq users export --format csv wrote:
UserId, StatusCode, CreatedOn and the other read-only columns are read and ignored).

Access changes only where the file states it: a Status of Active activates an inactive
user; Inactive deactivates an active one, and only with --deactivate; no Status column, or
an empty Status cell, leaves the user's status as it is.

By default (--plan) it only plans: it reads the account (User Advanced Search, 1000 users a call)
and prints what would change: access changes first and apart (users to activate, users to
deactivate), then users to create, then attribute changes (old -> new, teams and managers
to move). Every value from the file or the account is printed quoted, with control
characters, line breaks, escapes and bidi marks escaped. An empty cell leaves the
attribute as it is. --save-plan FILE writes the plan (JSON) to review and apply later with
--apply-plan FILE, which refuses if the account changed since the plan. --apply plans and
applies at once.

Users missing from the file are deactivated only with --deactivate and a scope that selects
them: --scope-role, --scope-team or --scope-search (a User Advanced Search body); the owner
of the keys never is. Users marked Inactive in the file are deactivated only with
--deactivate too.

Applying has import's guarantees: the file is validated first, calls are paced (--rate),
a state file (--state) records each change so that a rerun of the same plan after a crash
or Ctrl-C goes on where it stopped (a state file holds one plan's records: another plan,
or a rerun after an apply that completed, starts it clean), and a create whose outcome is unknown is checked by email before it is
sent again. Team moves go in BulkUpdateUsers calls (one per team, 50 users each), manager
changes in BulkUpdateUserManagers (100 a call).

Output for people, or JSON for scripts (--json, or --output json).

Exit status: 0 planned (or applied) without error; 1 an invalid row, a failed change, or the
account changed since the plan; 2 usage error.`

type syncOptions struct {
	sheetFlags
	plan        bool
	apply       bool
	savePlan    string
	applyPlan   string
	deactivate  bool
	scopeRole   string
	scopeTeam   string
	scopeSearch string
	json        bool
	output      string
}

func (a *app) syncCommand() *cobra.Command {
	var o syncOptions
	cmd := &cobra.Command{
		Use:   "sync [users.csv]",
		Short: "Make the account's users match a CSV file: plan, then apply",
		Long:  syncLong,
		Example: `  lsq users sync team.csv                              # the plan
  lsq users sync --save-plan team.plan.json team.csv
  lsq users sync --apply-plan team.plan.json --rate "25 in 5s"
  lsq users sync --apply --deactivate --scope-role Sales_User team.csv`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return a.runSync(cmd, &o, args) },
	}
	f := cmd.Flags()
	f.BoolVar(&o.plan, "plan", false, "only plan: print what would change, send nothing (the default)")
	f.BoolVar(&o.apply, "apply", false, "apply the plan at once")
	f.StringVar(&o.savePlan, "save-plan", "", "write the plan to this new file (JSON), to apply later with --apply-plan")
	f.StringVar(&o.applyPlan, "apply-plan", "", "apply a plan --save-plan wrote (no CSV file then)")
	f.BoolVar(&o.deactivate, "deactivate", false, "deactivate the users of the scope that the file does not list (needs a --scope-*), and those marked Inactive")
	f.StringVar(&o.scopeRole, "scope-role", "", "deactivation scope: users with this role")
	f.StringVar(&o.scopeTeam, "scope-team", "", "deactivation scope: users of this team (TeamId)")
	f.StringVar(&o.scopeSearch, "scope-search", "", "deactivation scope: the users a User Advanced Search body (file) finds")
	f.BoolVar(&o.json, "json", false, "print JSON (the same as --output json)")
	f.StringVar(&o.output, "output", "", "text or json (default text)")
	o.register(cmd, "the state file of an apply (default <file>.lsq-state-sync, or <plan>.lsq-state)")
	return cmd
}

func (a *app) runSync(cmd *cobra.Command, o *syncOptions, args []string) error {
	name, ctx := cmd.CommandPath(), cmd.Context()
	asJSON := o.json
	switch o.output {
	case "", "text":
	case "json":
		asJSON = true
	default:
		return usageErrorf(cmd, a.stderr, "--output %q: want text or json", o.output)
	}
	if err := o.check(); err != nil {
		return usageErrorf(cmd, a.stderr, "%v", err)
	}
	switch {
	case o.applyPlan != "" && len(args) > 0:
		return usageErrorf(cmd, a.stderr, "--apply-plan applies a saved plan: give no CSV file")
	case o.applyPlan == "" && len(args) == 0:
		return usageErrorf(cmd, a.stderr, "give the CSV file (or --apply-plan FILE)")
	case o.plan && (o.apply || o.applyPlan != ""):
		return usageErrorf(cmd, a.stderr, "--plan only plans: no --apply or --apply-plan with it")
	case o.applyPlan != "" && (o.apply || o.savePlan != "" || o.deactivate):
		return usageErrorf(cmd, a.stderr, "--apply-plan takes the plan as saved: no --apply, --save-plan or --deactivate")
	}
	if o.savePlan != "" { // before the account is read: a name that is there is refused at once
		if err := checkNew("--save-plan", o.savePlan, args[0]); err != nil {
			return usageErrorf(cmd, a.stderr, "%v", err)
		}
	}
	scope := usersync.Scope{Role: o.scopeRole, TeamID: o.scopeTeam}
	if o.scopeSearch != "" {
		b, err := readInput(o.scopeSearch, a.stdin, validate.DefaultMaxBodySize)
		if err != nil {
			return usageErrorf(cmd, a.stderr, "--scope-search: %v", err)
		}
		var req api.UserSearchRequest
		if err := json.Unmarshal(b, &req); err != nil {
			return usageErrorf(cmd, a.stderr, "--scope-search: not a User Advanced Search body: %v", err)
		}
		scope.Search = &req
	}
	if o.deactivate && scope.Role == "" && scope.TeamID == "" && scope.Search == nil {
		return usageErrorf(cmd, a.stderr, "--deactivate needs a scope: --scope-role, --scope-team or --scope-search (a sync never deactivates the whole account)")
	}
	if !o.deactivate && (scope.Role != "" || scope.TeamID != "" || scope.Search != nil) {
		return usageErrorf(cmd, a.stderr, "a --scope-* is the scope of --deactivate: give --deactivate too")
	}
	var (
		plan    *usersync.Plan
		desired usersync.Source
		err     error
	)
	if o.applyPlan != "" {
		in, err := streamInput(o.applyPlan, a.stdin, 1<<30)
		if err != nil {
			return usageErrorf(cmd, a.stderr, "--apply-plan: %v", err)
		}
		// The plan is read as it is decoded, and its creates wait in a temporary file, read
		// back one at a time as they are checked and made: a plan of a file of new users is
		// not held in memory.
		plan, err = usersync.ReadPlan(in)
		in.close()
		if err != nil || plan.Version == 0 {
			if plan != nil {
				_ = plan.Close()
			}
			if in.Err() != nil {
				return usageErrorf(cmd, a.stderr, "--apply-plan: %v", in.Err())
			}
			return usageErrorf(cmd, a.stderr, "--apply-plan %s: not a plan lsq users sync --save-plan wrote", o.applyPlan)
		}
		defer func() { _ = plan.Close() }()
	} else {
		var in *importInput
		in, err = o.open(a, args[0])
		if err != nil {
			return usageErrorf(cmd, a.stderr, "%v", err)
		}
		defer in.cleanup()
		// The file is checked whole first, then read twice more by the plan: one user at a
		// time, never held.
		if desired, err = in.users(); err != nil {
			errs := []error{err}
			if errors.Is(err, usersync.ErrInvalidSource) {
				errs = unjoin(err)[1:]
			}
			for _, e := range errs {
				fmt.Fprintf(a.stderr, "%s: %s: %s\n", name, displayName(args[0]), e)
			}
			fmt.Fprintf(a.stdout, "%s: the file has errors; nothing was read or sent\n", name)
			return &exitError{exitInvalid}
		}
	}
	c, err := a.newClient(ctx, &o.client)
	if err != nil {
		return a.clientError(cmd, err)
	}
	defer c.close()
	if plan == nil {
		// The creates wait in a temporary file (a file of new users is a plan of as many
		// creates), but for the plan printed as JSON, which encodes its Actions.
		plan, err = usersync.MakePlanFrom(ctx, c.Client, desired, usersync.Options{Deactivate: o.deactivate, Scope: scope, SpillCreates: !asJSON})
		if err != nil {
			if errors.Is(err, usersync.ErrInvalidSource) {
				for _, e := range unjoin(err)[1:] {
					fmt.Fprintf(a.stderr, "%s: %s: %s\n", name, displayName(args[0]), scrub(e.Error(), c.keys))
				}
				fmt.Fprintf(a.stdout, "%s: the file has errors; nothing was sent\n", name)
				return &exitError{exitInvalid}
			}
			fmt.Fprintf(a.stderr, "%s: %v\n", name, scrubErr(err, c.keys))
			return &exitError{exitInvalid}
		}
		defer func() { _ = plan.Close() }()
		if o.savePlan != "" {
			if err := writePlan(o.savePlan, plan); err != nil {
				fmt.Fprintf(a.stderr, "%s: %v\n", name, err)
				return &exitError{exitUsage}
			}
		}
		if !o.apply || !asJSON {
			if err := a.printPlan(name, plan, asJSON, o.savePlan); err != nil {
				fmt.Fprintf(a.stderr, "%s: %v\n", name, err)
				return &exitError{exitInvalid}
			}
		}
		if !o.apply {
			return nil
		}
	}
	var def string // beside a saved plan, else beside the file; none for standard input
	switch {
	case o.applyPlan == "-":
	case o.applyPlan != "":
		def = o.applyPlan + ".lsq-state"
	case args[0] != "-":
		def = args[0] + ".lsq-state-sync"
	}
	st, _, err := o.openState(a, cmd, c, def)
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }()
	prog := a.newProgress(name, plan.Len())
	var progMu sync.Mutex
	res, err := usersync.Apply(ctx, c.Client, plan, st, usersync.ApplyOptions{Workers: o.workers, OnDone: func(_ usersync.Action, err error) {
		progMu.Lock()
		defer progMu.Unlock()
		prog.add(err != nil)
	}})
	prog.finish()
	if err != nil {
		fmt.Fprintf(a.stderr, "%s: %v\n", name, scrubErr(err, c.keys))
		return &exitError{exitInvalid}
	}
	a.printResult(name, res, asJSON, c.keys)
	if res.Failed+res.NotRun > 0 {
		return &exitError{exitInvalid}
	}
	return nil
}

// unjoin returns the errors errors.Join joined (or err alone).
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// writePlan writes a plan to a new file, complete or not at all.
func writePlan(path string, plan *usersync.Plan) error {
	p, err := createPending("--save-plan", path)
	if err != nil {
		return err
	}
	if err := plan.WriteJSON(p); err != nil {
		p.discard()
		return err
	}
	return p.commit()
}

// printPlan prints the plan: one line per change for people (access changes first and
// apart, every value from the file or the account quoted or escaped), or the plan as JSON.
func (a *app) printPlan(name string, p *usersync.Plan, asJSON bool, saved string) error {
	if asJSON {
		enc := json.NewEncoder(a.stdout)
		if a.isTerminal(a.stdout) {
			enc.SetIndent("", "  ")
		}
		_ = enc.Encode(struct {
			*usersync.Plan
			Summary map[usersync.Kind]int `json:"summary"`
		}{p, p.Count()})
		return nil
	}
	w := a.stdout
	sections := []struct {
		title string
		in    func(usersync.Kind) bool
	}{
		{"access changes", usersync.Kind.Access},
		{"users to create", func(k usersync.Kind) bool { return k == usersync.KindCreate }},
		{"attribute changes", func(k usersync.Kind) bool { return !k.Access() && k != usersync.KindCreate }},
	}
	for _, sec := range sections {
		title := false
		for act, err := range p.All() {
			if err != nil {
				return err
			}
			if !sec.in(act.Kind) {
				continue
			}
			if !title {
				fmt.Fprintf(w, "%s:\n", sec.title)
				title = true
			}
			fmt.Fprintln(w, planLine(act))
		}
	}
	for i, n := range p.Notes {
		if i == 0 {
			fmt.Fprintln(w, "notes:")
		}
		fmt.Fprintf(w, "  note: %s\n", strings.Map(escapeControl, n))
	}
	n := p.Count()
	fmt.Fprintf(w, "%s: %s read; plan: %d to create, %d to update, %d team moves, %d manager changes, %d to activate, %d to deactivate",
		name, plural(p.Users.Len(), "user", "users"), n[usersync.KindCreate], n[usersync.KindUpdate], n[usersync.KindTeam], n[usersync.KindManager], n[usersync.KindActivate], n[usersync.KindDeactivate])
	if p.Empty() {
		fmt.Fprint(w, " (nothing to do)")
	}
	fmt.Fprintln(w)
	if saved != "" {
		fmt.Fprintf(w, "%s: the plan is in %s: apply it with --apply-plan %s\n", name, usersync.Printable(saved), usersync.Printable(saved))
	}
	return nil
}

// planLine is the line of one action: its address as usersync.Printable shows it, every
// value quoted.
func planLine(act usersync.Action) string {
	where := ""
	if act.Line > 0 {
		where = fmt.Sprintf(" (row %d)", act.Line)
	}
	email := usersync.Printable(act.Email)
	switch act.Kind {
	case usersync.KindCreate:
		var fields []string
		var m map[string]any
		_ = json.Unmarshal(act.Create, &m)
		for k, v := range m {
			switch x := v.(type) {
			case map[string]any: // CustomFields
				for ck, cv := range x {
					fields = append(fields, fmt.Sprintf("%s=%s", usersync.Printable(ck), quoteValue(cv)))
				}
			default:
				if k != "EmailAddress" && k != "Password" {
					fields = append(fields, fmt.Sprintf("%s=%s", k, quoteValue(x)))
				}
			}
		}
		for _, ch := range act.Changes {
			fields = append(fields, usersync.Printable(ch.Attr)+"="+strconv.Quote(ch.New))
		}
		if act.ManagerEmail != "" {
			fields = append(fields, "manager="+usersync.Printable(act.ManagerEmail))
		}
		slices.Sort(fields)
		return fmt.Sprintf("  + create     %s%s: %s", email, where, strings.Join(fields, ", "))
	case usersync.KindActivate:
		return fmt.Sprintf("  + activate   %s%s", email, where)
	case usersync.KindDeactivate:
		return fmt.Sprintf("  - deactivate %s%s", email, where)
	}
	var parts []string
	for _, ch := range act.Changes {
		to := strconv.Quote(ch.New)
		if act.ManagerEmail != "" {
			to = usersync.Printable(act.ManagerEmail)
		}
		parts = append(parts, fmt.Sprintf("%s %s -> %s", usersync.Printable(ch.Attr), strconv.Quote(ch.Old), to))
	}
	return fmt.Sprintf("  ~ %-10s %s%s: %s", act.Kind, email, where, strings.Join(parts, ", "))
}

// quoteValue is a value of a create's body: text quoted, a number or a boolean as it is.
func quoteValue(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return usersync.Printable(fmt.Sprint(v))
}

// escapeControl is a strings.Map function for a message that may carry a value (a note, a
// server's error): it turns each character a terminal acts on or hides (controls, line
// breaks, escapes, bidi and invisible format characters) into U+FFFD.
func escapeControl(r rune) rune {
	if r != ' ' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.IsSpace(r)) {
		return '\uFFFD'
	}
	return r
}

// printResult prints the outcome of an apply.
func (a *app) printResult(name string, r *usersync.Result, asJSON bool, keys credentials) {
	if asJSON {
		type failure struct {
			Kind, Email, Error string
		}
		out := struct {
			Done, Earlier, Failed, NotRun int
			Failures                      []failure
		}{r.Done, r.Earlier, r.Failed, r.NotRun, []failure{}}
		for _, f := range r.Failures {
			out.Failures = append(out.Failures, failure{string(f.Action.Kind), f.Action.Email, scrub(f.Err.Error(), keys)})
		}
		_ = json.NewEncoder(a.stdout).Encode(out)
		return
	}
	fmt.Fprintf(a.stdout, "%s: applied: %d done, %d done in an earlier run, %d failed", name, r.Done, r.Earlier, r.Failed)
	if r.NotRun > 0 {
		fmt.Fprintf(a.stdout, ", %d not done (interrupted: rerun the same command to continue)", r.NotRun)
	}
	fmt.Fprintln(a.stdout)
	for _, f := range r.Failures {
		fmt.Fprintf(a.stdout, "  %s %s: %s\n", f.Action.Kind, usersync.Printable(f.Action.Email), strings.Map(escapeControl, scrub(f.Err.Error(), keys)))
	}
}
