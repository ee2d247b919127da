package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/usersync"
	"github.com/leadsquared-go/leadsquared-go/pkg/validate"
)

const syncLong = `Makes the account's users match a CSV file, the way terraform plan and apply do. The file
has the columns of lsq users import (and may be what lsq users export --format csv wrote:
UserId, Status, CreatedOn and the other read-only columns are read and ignored, Status
Active/Inactive says whether the user should be active).

By default (--plan) it only plans: it reads the account (User Advanced Search, 1000 users a call)
and prints what would change: users to create, attributes to update (old -> new), teams and
managers to move, users to activate, users to deactivate. An empty cell leaves the
attribute as it is. --save-plan FILE writes the plan (JSON) to review and apply later with
--apply-plan FILE, which refuses if the account changed since the plan. --apply plans and
applies at once.

Users missing from the file are deactivated only with --deactivate and a scope that selects
them: --scope-role, --scope-team or --scope-search (a User Advanced Search body); the owner
of the keys never is. Users marked Inactive in the file are deactivated only with
--deactivate too.

Applying has import's guarantees: the file is validated first, calls are paced (--rate),
a state file (--state) records each change so that a rerun after a crash or Ctrl-C goes on
where it stopped, and a create whose outcome is unknown is checked by email before it is
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
	var plan *usersync.Plan
	var desired []usersync.Desired
	if o.applyPlan != "" {
		b, err := readInput(o.applyPlan, a.stdin, 1<<30)
		if err != nil {
			return usageErrorf(cmd, a.stderr, "--apply-plan: %v", err)
		}
		plan = &usersync.Plan{}
		if err := json.Unmarshal(b, plan); err != nil || plan.Version == 0 {
			return usageErrorf(cmd, a.stderr, "--apply-plan %s: not a plan lsq users sync --save-plan wrote", o.applyPlan)
		}
	} else {
		in, err := o.open(a, args[0])
		if err != nil {
			return usageErrorf(cmd, a.stderr, "%v", err)
		}
		defer in.cleanup()
		var errs []string
		desired, errs = readSyncFile(in)
		if len(errs) > 0 {
			for _, e := range errs {
				fmt.Fprintf(a.stderr, "%s: %s\n", displayName(args[0]), e)
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
		plan, err = usersync.MakePlan(ctx, c.Client, desired, usersync.Options{Deactivate: o.deactivate, Scope: scope})
		if err != nil {
			if errors.Is(err, usersync.ErrInvalidSource) {
				for _, e := range unjoin(err)[1:] {
					fmt.Fprintf(a.stderr, "%s: %s\n", displayName(args[0]), scrub(e.Error(), c.keys))
				}
				fmt.Fprintf(a.stdout, "%s: the file has errors; nothing was sent\n", name)
				return &exitError{exitInvalid}
			}
			fmt.Fprintf(a.stderr, "%s: %v\n", name, scrubErr(err, c.keys))
			return &exitError{exitInvalid}
		}
		if o.savePlan != "" {
			if err := writePlan(o.savePlan, plan); err != nil {
				fmt.Fprintf(a.stderr, "%s: %v\n", name, err)
				return &exitError{exitUsage}
			}
		}
		if !o.apply {
			a.printPlan(name, plan, asJSON, o.savePlan)
			return nil
		}
		if !asJSON {
			a.printPlan(name, plan, false, o.savePlan)
		}
	}
	def := o.applyPlan + ".lsq-state" // a saved plan's, else the file's (none for standard input)
	if o.applyPlan == "" && args[0] != "-" {
		def = args[0] + ".lsq-state-sync"
	} else if o.applyPlan == "" {
		def = ""
	}
	st, _, err := o.openState(a, cmd, c, def)
	if err != nil {
		return err
	}
	defer func() { _ = st.close() }()
	j := &stateJournal{st: st, keys: c.keys}
	prog := a.newProgress(name, len(plan.Actions))
	res, err := usersync.Apply(ctx, c.Client, plan, j, usersync.ApplyOptions{Workers: o.workers, OnDone: func(_ usersync.Action, err error) {
		j.mu.Lock()
		defer j.mu.Unlock()
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
	enc := json.NewEncoder(p)
	enc.SetIndent("", "  ")
	if err := enc.Encode(plan); err != nil {
		p.discard()
		return err
	}
	return p.commit()
}

// printPlan prints the plan: one line per change for people, or the plan as JSON.
func (a *app) printPlan(name string, p *usersync.Plan, asJSON bool, saved string) {
	if asJSON {
		enc := json.NewEncoder(a.stdout)
		if a.isTerminal(a.stdout) {
			enc.SetIndent("", "  ")
		}
		_ = enc.Encode(struct {
			*usersync.Plan
			Summary map[string]int `json:"summary"`
		}{p, p.Count()})
		return
	}
	w := a.stdout
	for _, act := range p.Actions {
		where := ""
		if act.Line > 0 {
			where = fmt.Sprintf(" (row %d)", act.Line)
		}
		switch act.Kind {
		case usersync.KindCreate:
			var fields []string
			b, _ := json.Marshal(act.Create)
			var m map[string]any
			_ = json.Unmarshal(b, &m)
			for k, v := range m {
				if k != "EmailAddress" && k != "Password" {
					fields = append(fields, fmt.Sprintf("%s=%v", k, v))
				}
			}
			for _, ch := range act.Changes {
				fields = append(fields, ch.Attr+"="+ch.New)
			}
			if act.ManagerEmail != "" {
				fields = append(fields, "manager="+act.ManagerEmail)
			}
			slices.Sort(fields)
			fmt.Fprintf(w, "  + create     %s%s: %s\n", act.Email, where, strings.Join(fields, ", "))
		case usersync.KindActivate:
			fmt.Fprintf(w, "  + activate   %s%s\n", act.Email, where)
		case usersync.KindDeactivate:
			fmt.Fprintf(w, "  - deactivate %s%s\n", act.Email, where)
		default:
			var parts []string
			for _, ch := range act.Changes {
				to := fmt.Sprintf("%q", ch.New)
				if act.ManagerEmail != "" {
					to = act.ManagerEmail
				}
				parts = append(parts, fmt.Sprintf("%s %q -> %s", ch.Attr, ch.Old, to))
			}
			fmt.Fprintf(w, "  ~ %-10s %s%s: %s\n", act.Kind, act.Email, where, strings.Join(parts, ", "))
		}
	}
	for _, n := range p.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
	n := p.Count()
	fmt.Fprintf(w, "%s: %d users read; plan: %d to create, %d to update, %d team moves, %d manager changes, %d to activate, %d to deactivate",
		name, len(p.Users), n[usersync.KindCreate], n[usersync.KindUpdate], n[usersync.KindTeam], n[usersync.KindManager], n[usersync.KindActivate], n[usersync.KindDeactivate])
	if p.Empty() {
		fmt.Fprint(w, " (nothing to do)")
	}
	fmt.Fprintln(w)
	if saved != "" {
		fmt.Fprintf(w, "%s: the plan is in %s: apply it with --apply-plan %s\n", name, saved, saved)
	}
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
			out.Failures = append(out.Failures, failure{f.Action.Kind, f.Action.Email, scrub(f.Err.Error(), keys)})
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
		fmt.Fprintf(a.stdout, "  %s %s: %s\n", f.Action.Kind, f.Action.Email, scrub(f.Err.Error(), keys))
	}
}

// stateJournal is a usersync.Journal in an lsq state file.
type stateJournal struct {
	mu   sync.Mutex
	st   *stateFile
	keys credentials
}

func (j *stateJournal) Get(id string) (string, string, bool) {
	r, ok := j.st.lookup(id)
	if !ok {
		return "", "", false
	}
	return r.Status, r.UserID, true // the statuses of usersync, recorded as they are
}

func (j *stateJournal) Put(id, status, userID, reason string) error {
	return j.st.record(stateRecord{Key: id, Status: status, UserID: userID, Reason: reason})
}

// syncColumns are the columns a sync file may have beyond import's, an export's, by their
// name in lower case.
var syncColumns = map[string]string{
	"userid": "UserId", "status": "Status", "statuscode": "StatusCode", "isadministrator": "IsAdministrator",
	"availabilitystatus": "AvailabilityStatus", "groups": "Groups", "createdon": "CreatedOn", "teamname": "TeamName",
	"managername": "ManagerName", "phonemain": "PhoneMain", "department": "Department", "designation": "Designation",
	"employeeid": "EmployeeId",
}

// readSyncFile reads the users of a sync file: import's columns, and an export's.
func readSyncFile(in *importInput) ([]usersync.Desired, []string) {
	var (
		out     []usersync.Desired
		errs    []string
		names   []string
		started bool
	)
	_, err := in.scan(func(s *sheet, _, line int, rec []string) bool {
		if !started {
			started = true
			for i, h := range s.header {
				if msg := badUTF8(h); msg != "" {
					errs = append(errs, fmt.Sprintf("row 1, column %d: %s", i+1, msg))
					names = append(names, "")
					continue
				}
				n := strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
				canon := ""
				switch low := strings.ToLower(n); {
				case n == "" || low == colError:
				case low == "manageremail":
					canon = colManagerEmail
				case strings.HasPrefix(low, "customfields."):
					canon = n[len("CustomFields."):]
				case strings.HasPrefix(low, "mx_"):
					canon = n
				case syncColumns[low] != "":
					canon = syncColumns[low]
				default:
					for f := range createFields {
						if strings.EqualFold(f, n) {
							canon = f
						}
					}
					if canon == "" {
						errs = append(errs, fmt.Sprintf("row 1, column %d %q: not a column of a sync file (the fields of Create a User, ManagerEmail, mx_*, and an export's columns)%s", i+1, n, s.delimiterHint(n)))
					}
				}
				if canon != "" && slices.ContainsFunc(names, func(x string) bool { return strings.EqualFold(x, canon) }) {
					errs = append(errs, fmt.Sprintf("row 1, column %d %q: the same column twice", i+1, n))
				}
				names = append(names, canon)
			}
			if !slices.ContainsFunc(names, func(x string) bool { return strings.EqualFold(x, "EmailAddress") }) {
				errs = append(errs, "row 1: no EmailAddress column")
			}
			if len(errs) > 0 {
				return false
			}
		}
		d := usersync.Desired{Line: line, Attrs: map[string]string{}}
		for i, cell := range rec {
			if msg := badUTF8(cell); msg != "" {
				col := fmt.Sprint(i + 1)
				if i < len(names) && names[i] != "" {
					col = names[i]
				}
				errs = append(errs, fmt.Sprintf("row %d, column %s: %s", line, col, msg))
				return true
			}
			val := strings.TrimSpace(unneutralise(strings.TrimSpace(cell)))
			if i >= len(names) || names[i] == "" {
				if val != "" {
					errs = append(errs, fmt.Sprintf("row %d, column %d: a value in a column without a field name", line, i+1))
				}
				continue
			}
			switch col := names[i]; {
			case val == "":
			case scientificCell(col, val) != "":
				errs = append(errs, fmt.Sprintf("row %d, column %s: %s", line, col, scientificCell(col, val)))
			case strings.EqualFold(col, "EmailAddress"):
				addr, _, err := normalEmail(val)
				if err != nil {
					errs = append(errs, fmt.Sprintf("row %d, column EmailAddress: %v", line, err))
					continue
				}
				d.Email = addr
			case col == colManagerEmail:
				d.ManagerEmail = val
			case strings.EqualFold(col, "Status"):
				switch strings.ToLower(val) {
				case "active":
					t := true
					d.Active = &t
				case "inactive":
					f := false
					d.Active = &f
				default:
					errs = append(errs, fmt.Sprintf("row %d, column Status: want Active or Inactive", line))
				}
			default:
				d.Attrs[col] = val
			}
		}
		if d.Email == "" && !slices.ContainsFunc(errs, func(e string) bool { return strings.HasPrefix(e, fmt.Sprintf("row %d, column EmailAddress", line)) }) {
			errs = append(errs, fmt.Sprintf("row %d, column EmailAddress: required", line))
		}
		out = append(out, d)
		return true
	})
	if err != nil {
		errs = append(errs, err.Error())
	}
	return out, errs
}
