package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/usersync"
	"github.com/leadsquared-go/leadsquared-go/pkg/validate"
)

const importLong = `Creates the users of a CSV file. The header row names fields of Create a User
(FirstName, LastName, EmailAddress, Role, PhoneMobile, TimeZone, ManagerUserId, TeamId,
UserType, IsPhoneCallAgent, ...), in any letter case; ManagerEmail names the manager by
email address (a manager created by the same file is created first); mx_* columns (or
CustomFields.<name>) are custom fields.

The file may be what lsq users export wrote: its read-only columns (UserId, StatusCode,
IsAdministrator, AvailabilityStatus, Groups, CreatedOn, TeamName, ManagerName) are read
and ignored; Department, Designation and PhoneMain are set by Update a User right after
the create; a row whose Status is Inactive is not created (counted apart); a row with an
EmployeeId is not created (no call sets it for a new user) unless the user exists. Users
that exist are skipped and counted as already there.

Every row is validated against the spec first, and every invalid row, column and rule is
reported at once; nothing is sent while a row is invalid, unless --skip-invalid. --dry-run
stops after the validation.

The calls are paced by --rate (or the limit learnt from the account's first rate-limit
answer; --redis shares the budget with other workers). A state file (--state, default
<file>.lsq-state) records each row's outcome as it happens: rerun the same command after a
crash, a kill or Ctrl-C and the rows done are skipped. Before creating a user lsq checks by
email that it is not there yet, and a create whose outcome is unknown (a dropped connection,
a 5xx) is checked by email before it is sent again: no run creates a user twice.

The file may be what a spreadsheet saves: UTF-8 with or without a byte-order mark, UTF-16
with one, cells separated by ',' ';' or tab (found from the header row, or --delimiter, or
an Excel sep=; line above it), PowerShell 5.1's #TYPE line above the header, trailing empty
columns; a cell export wrote as '+91... (a ' before a leading = + - @, so that a spreadsheet
does not run it) is read back without the '. A cell that is not valid UTF-8 (a Latin-1
file), or a phone number or id in scientific notation (9.19877E+11: a spreadsheet lost its
digits), is an error naming its row and column. An address is written alone
(ada@example.com, not "Ada <ada@example.com>"), and appears once in the file, in any case.
- reads standard input (then give --state).

One run at a time uses a state file: a second one stops at once.

It ends with a summary and writes the rows to fix (invalid or failed, with the reason in an
lsq_error column) to --failed, which must not exist, else to the first free name of
<file>.failed.csv, <file>.failed-2.csv, ...: lsq never overwrites a file. The rows to fix
can be rerun as they are.

Exit status: 0 every row was created or already there; 1 a row was invalid or failed, or
the run was interrupted; 2 usage error.`

// importOptions are the flags of lsq users import.
type importOptions struct {
	sheetFlags
	dryRun      bool
	skipInvalid bool
	failedPath  string
}

func (a *app) importCommand() *cobra.Command {
	var o importOptions
	cmd := &cobra.Command{
		Use:   "import users.csv",
		Short: "Create the users of a CSV file, validated first, resumable, never twice",
		Long:  importLong,
		Example: `  lsq users import --dry-run team.csv
  lsq users import --rate "25 in 5s" team.csv
  lsq users import --rate "25 in 5s" team.failed.csv   # after fixing the rows`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return a.runImport(cmd, &o, args[0]) },
	}
	cmd.Flags().BoolVar(&o.dryRun, "dry-run", false, "validate the file and stop; nothing is sent")
	cmd.Flags().BoolVar(&o.skipInvalid, "skip-invalid", false, "create the valid rows even when some are invalid")
	cmd.Flags().StringVar(&o.failedPath, "failed", "", "where to write the rows to fix (default <file>.failed.csv)")
	o.register(cmd, "the state file (default <file>.lsq-state)")
	return cmd
}

// importSummary counts the outcomes of a run; the counts add up to the rows of the file.
type importSummary struct {
	mu                                              sync.Mutex
	rows, earlier, created, exists, invalid, failed int
	notRun, inactive                                int
	failures                                        []failedRow // the rows that failed in this run
}

// failedRow is a row that failed, and why.
type failedRow struct {
	idx, line     int
	email, reason string
}

func (s *importSummary) fail(r *importRow, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failed++
	s.failures = append(s.failures, failedRow{idx: r.idx, line: r.line, email: r.email, reason: reason})
}

func (s *importSummary) count(status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch status {
	case usersync.StateCreated:
		s.created++
	case usersync.StateExists:
		s.exists++
	}
}

func (a *app) runImport(cmd *cobra.Command, o *importOptions, path string) error {
	name := cmd.CommandPath()
	ctx := cmd.Context()
	if path == "-" && o.statePath == "" && !o.dryRun {
		return usageErrorf(cmd, a.stderr, "reading standard input (-): give --state, the file that records the rows done")
	}
	v, err := validate.Default()
	if err != nil {
		return usageErrorf(cmd, a.stderr, "%v", err)
	}
	if o.failedPath != "" {
		input := path
		if input == "-" {
			input = ""
		}
		if err := checkNew("--failed", o.failedPath, input); err != nil {
			return usageErrorf(cmd, a.stderr, "%v", err)
		}
	}
	in, err := o.open(a, path)
	if err != nil {
		return usageErrorf(cmd, a.stderr, "%v", err)
	}
	defer in.cleanup()

	// Pass 1: validate every row, keeping only its key.
	var (
		cols     []csvColumn
		hdrErrs  []string
		rows     []rowMeta
		interned = map[string]string{}
	)
	sh, err := in.scan(func(s *usersync.Sheet, idx, line int, rec []string) bool {
		if cols == nil && hdrErrs == nil {
			if cols, hdrErrs = parseHeader(s); len(hdrErrs) > 0 {
				return false
			}
		}
		r := buildRow(line, rec, cols, v)
		m := rowMeta{key: strings.Clone(r.key), line: int32(line), invalid: len(r.errs) > 0, inactive: r.inactive}
		if r.manager != "" {
			mk, ok := interned[r.manager]
			if !ok {
				mk = strings.Clone(r.manager)
				interned[mk] = mk
			}
			m.manager = mk
		}
		rows = append(rows, m)
		for _, e := range r.errs {
			fmt.Fprintf(a.stderr, "%s: %s: %s\n", name, displayName(path), e)
		}
		return true
	})
	if err == nil && cols == nil && hdrErrs == nil {
		cols, hdrErrs = parseHeader(sh) // a file with a header and no rows
	}
	if err != nil || len(hdrErrs) > 0 {
		if err != nil {
			hdrErrs = append(hdrErrs, err.Error())
		}
		for _, e := range hdrErrs {
			fmt.Fprintf(a.stderr, "%s: %s: %s\n", name, displayName(path), e)
		}
		return &exitError{exitInvalid}
	}
	crossErrs := checkFile(rows)
	for i := range rows {
		for _, e := range crossErrs[i] {
			fmt.Fprintf(a.stderr, "%s: %s: %s\n", name, displayName(path), e)
		}
	}
	sum := &importSummary{rows: len(rows)}
	valid := 0
	for i := range rows {
		if rows[i].invalid {
			sum.invalid++
		} else {
			valid++
		}
	}
	if o.dryRun || (sum.invalid > 0 && !o.skipInvalid) {
		fmt.Fprintf(a.stdout, "%s: %s: %d valid, %d invalid; nothing was sent", name, plural(len(rows), "row", "rows"), valid, sum.invalid)
		if !o.dryRun {
			fmt.Fprint(a.stdout, " (fix the rows, or add --skip-invalid)")
		}
		fmt.Fprintln(a.stdout)
		if sum.invalid > 0 {
			return &exitError{exitInvalid}
		}
		return nil
	}
	c, err := a.newClient(ctx, &o.client)
	if err != nil {
		return a.clientError(cmd, err)
	}
	defer c.close()
	st, statePath, err := o.openState(a, cmd, c, path+".lsq-state")
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }()

	im := &importer{app: a, c: c, st: st, sum: sum, ids: map[string]string{}, managers: interned}
	todo, maxDepth := 0, int32(0)
	for i := range rows {
		r := &rows[i]
		if r.invalid {
			continue
		}
		if r.inactive {
			sum.inactive++ // an import creates active users only: never access the file denies
			continue
		}
		if rec, ok := st.Lookup(r.key); ok && usersync.IsDone(rec.Status) {
			sum.earlier++
			im.setID(r.key, rec.UserID)
			continue
		}
		r.todo = true
		todo++
		maxDepth = max(maxDepth, r.depth)
	}
	im.prog = a.newProgress(name, todo)
	// Pass 2, once per level of the managers named in the file: managers are created before
	// the users who report to them. Each row is built again from the file as it is sent.
	for d := int32(0); d <= maxDepth && ctx.Err() == nil && todo > 0; d++ {
		var batch []*importRow
		flush := func() {
			if len(batch) > 0 {
				im.batch(ctx, batch, o.workers)
				batch = batch[:0]
			}
		}
		_, err := in.scan(func(_ *usersync.Sheet, idx, line int, rec []string) bool {
			if ctx.Err() != nil {
				return false
			}
			if idx >= len(rows) || !rows[idx].todo || rows[idx].depth != d {
				return true
			}
			r := buildRow(line, rec, cols, v)
			r.idx = idx
			if len(r.errs) > 0 || r.key != rows[idx].key || r.manager != rows[idx].manager {
				// The manager too: the row is sent with pass 1's (the one its level and
				// the checks of the file were found from), the rest as read now.
				r.email = rows[idx].key
				r.key = rows[idx].key
				im.finish(r, usersync.StateFailed, "", "the file changed while it was imported: rerun it")
				return true
			}
			// Keep no slice of the record past the batch: the state and the summary keep
			// the key of pass 1.
			r.key, r.manager, r.email, r.record = rows[idx].key, rows[idx].manager, strings.Clone(r.email), nil
			batch = append(batch, r)
			if len(batch) == usersync.LookupBatch {
				flush()
			}
			return true
		})
		flush()
		if err != nil && ctx.Err() == nil {
			fmt.Fprintf(a.stderr, "%s: %s: reading it again: %v\n", name, displayName(path), err)
			break
		}
	}
	im.prog.finish()
	sum.notRun = todo - im.finished
	return a.importReport(cmd, in, o, statePath, cols, rows, crossErrs, sum, v)
}

// accountOf names the account a state file belongs to: the client's API host.
func accountOf(c *leadsquared.Client) string {
	u := c.BaseURL()
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
	}
	return u
}

// importer runs the creates of one import.
type importer struct {
	app      *app
	c        *apiClient
	st       *usersync.StateFile
	sum      *importSummary
	prog     *progress
	mu       sync.Mutex
	ids      map[string]string // address key (usersync.CheckAddress) → user id, of the managers known to exist
	managers map[string]string // the keys of the managers named in the file
	finished int
}

func (im *importer) setID(key, id string) {
	if _, ok := im.managers[key]; id == "" || !ok {
		return
	}
	im.mu.Lock()
	defer im.mu.Unlock()
	im.ids[key] = id
}

func (im *importer) id(key string) string {
	im.mu.Lock()
	defer im.mu.Unlock()
	return im.ids[key]
}

// batch imports rows as a create-only plan of the engine (usersync.PlanCreates): the rows'
// addresses are looked up (one search per 50), the users there are skipped, and the plan of
// the others, their managers resolved, is carried out by usersync.Apply with the state file
// as its journal (usersync.RowJournal): checked first, each user created with
// usersync.CreateOnce (never twice), then the attributes Create a User does not take set.
func (im *importer) batch(ctx context.Context, rows []*importRow, workers int) {
	creates := make([]usersync.Action, 0, len(rows))
	byLine := make(map[int]*importRow, len(rows))
	for _, r := range rows {
		body, err := json.Marshal(r.body)
		if err != nil {
			im.finish(r, usersync.StateFailed, "", err.Error())
			continue
		}
		byLine[r.line] = r
		creates = append(creates, usersync.Action{Kind: usersync.KindCreate, Email: r.email, Line: r.line, Create: body, Changes: r.then})
	}
	plan, there, err := usersync.PlanCreates(ctx, im.c.Client, creates)
	if err != nil {
		if ctx.Err() != nil {
			return
		}
		for _, a := range creates {
			im.finish(byLine[a.Line], usersync.StateFailed, "", "checking by email failed: "+err.Error())
		}
		return
	}
	planned := plan.Actions[:0]
	for _, a := range creates {
		r := byLine[a.Line]
		if u, ok := there[r.key]; ok {
			im.finish(r, usersync.StateExists, u.UserID, "")
			continue
		}
		if r.blocked != "" {
			im.finish(r, usersync.StateFailed, "", r.blocked)
			continue
		}
		if r.manager != "" {
			mgr, err := im.managerID(ctx, r.manager)
			if err != nil {
				if ctx.Err() == nil {
					im.finish(r, usersync.StateFailed, "", err.Error())
				}
				continue
			}
			body := r.body
			body.ManagerUserID = mgr
			if a.Create, err = json.Marshal(body); err != nil {
				im.finish(r, usersync.StateFailed, "", err.Error())
				continue
			}
		}
		planned = append(planned, a)
	}
	plan.Actions = planned
	if len(planned) == 0 || ctx.Err() != nil {
		return
	}
	byKey := make(map[string]*importRow, len(planned))
	for _, a := range planned {
		byKey[byLine[a.Line].key] = byLine[a.Line]
	}
	j := &usersync.RowJournal{
		State: im.st,
		Line: func(key string) int {
			if r := byKey[key]; r != nil {
				return r.line
			}
			return 0
		},
		OnRecord: func(rec usersync.StateRecord) { im.setID(rec.Key, rec.UserID) },
	}
	_, err = usersync.Apply(ctx, im.c.Client, plan, j, usersync.ApplyOptions{Workers: workers, OnDone: func(a usersync.Action, err error) {
		if err != nil {
			im.done(byLine[a.Line], usersync.StateFailed, err.Error())
			return
		}
		im.done(byLine[a.Line], usersync.StateCreated, "")
	}})
	if err != nil && ctx.Err() == nil { // refused before its first create
		for _, a := range planned {
			im.finish(byLine[a.Line], usersync.StateFailed, "", err.Error())
		}
	}
}

// finish records a row's outcome in the state file, then counts it (done).
func (im *importer) finish(r *importRow, status, userID, reason string) {
	reason = scrub(reason, im.c.keys)
	if err := im.st.Record(usersync.StateRecord{Key: r.key, Row: r.line, Status: status, UserID: userID, Reason: reason}); err != nil {
		reason = strings.TrimPrefix(reason+"; ", "; ") + "the state file could not be written: " + err.Error()
		status = usersync.StateFailed
	}
	im.setID(r.key, userID)
	im.done(r, status, reason)
}

// done counts a row's outcome (recorded) in the summary and the progress.
func (im *importer) done(r *importRow, status, reason string) {
	if status == usersync.StateFailed {
		im.sum.fail(r, scrub(reason, im.c.keys))
	} else {
		im.sum.count(status)
	}
	im.mu.Lock()
	im.finished++
	im.prog.add(status == usersync.StateFailed)
	im.mu.Unlock()
}

// managerID finds the id of a manager named by email: created or found in this run or an
// earlier one, else looked up.
func (im *importer) managerID(ctx context.Context, email string) (string, error) {
	if id := im.id(email); id != "" {
		return id, nil
	}
	if rec, ok := im.st.Lookup(email); ok && rec.UserID != "" {
		return rec.UserID, nil
	}
	u, err := im.c.GetUserByEmail(ctx, api.GetUserByEmailParams{EmailAddress: email})
	switch {
	case errors.Is(err, leadsquared.ErrNotFound):
		return "", fmt.Errorf("ManagerEmail: no active user %s", email)
	case err != nil:
		return "", fmt.Errorf("ManagerEmail: looking up %s: %w", email, err)
	}
	im.setID(email, u.ID)
	return u.ID, nil
}

// importReport prints the summary, writes the rows to fix and returns the exit status.
func (a *app) importReport(cmd *cobra.Command, in *importInput, o *importOptions, statePath string, cols []csvColumn,
	rows []rowMeta, crossErrs map[int][]string, sum *importSummary, v *validate.Validator) error {
	name := cmd.CommandPath()
	fmt.Fprintf(a.stdout, "%s: %s: %d created, %d already there, %d done in an earlier run, %d invalid, %d failed",
		name, plural(sum.rows, "row", "rows"), sum.created, sum.exists, sum.earlier, sum.invalid, sum.failed)
	if sum.inactive > 0 {
		fmt.Fprintf(a.stdout, ", %d marked Inactive (not created)", sum.inactive)
	}
	if sum.notRun > 0 {
		fmt.Fprintf(a.stdout, ", %d not done (interrupted: rerun the same command to continue)", sum.notRun)
	}
	fmt.Fprintln(a.stdout)
	slices.SortFunc(sum.failures, func(x, y failedRow) int { return x.line - y.line })
	for _, r := range sum.failures {
		fmt.Fprintf(a.stdout, "  row %d (%s): %s\n", r.line, r.email, r.reason)
	}
	if sum.invalid+sum.failed > 0 {
		reasons := make(map[int]string, sum.failed)
		for _, r := range sum.failures {
			reasons[r.idx] = r.reason
		}
		written, failedPath, err := a.writeFailed(in, o.failedPath, statePath, cols, rows, crossErrs, reasons, v)
		if err != nil {
			fmt.Fprintf(a.stderr, "%s: writing the rows to fix: %v\n", name, err)
		} else {
			are := "are"
			if written == 1 {
				are = "is"
			}
			fmt.Fprintf(a.stdout, "%s: the %s to fix %s in %s (rerun it once fixed)\n", name, plural(written, "row", "rows"), are, failedPath)
		}
	}
	if sum.invalid+sum.failed+sum.notRun > 0 {
		return &exitError{exitInvalid}
	}
	return nil
}

// writeFailed writes the invalid and failed rows as they were read, with the reason in a
// last lsq_error column, to a new file: --failed (which must not be there), else the first
// free name of <file>.failed.csv, <file>.failed-2.csv, ... It never replaces a file: not
// the input, not the rows to fix an earlier run wrote (and the user may be editing).
func (a *app) writeFailed(in *importInput, flagPath, statePath string, cols []csvColumn, rows []rowMeta,
	crossErrs map[int][]string, reasons map[int]string, v *validate.Validator) (int, string, error) {
	var (
		f    *pendingFile
		path string
		err  error
	)
	if flagPath != "" {
		path = flagPath
		input := in.path
		if input == "-" {
			input = ""
		}
		if err = checkNew("--failed", path, input); err == nil { // checked before the import too
			f, err = createPending("--failed", path)
		}
	} else {
		base := in.path
		if in.copied != nil { // standard input, a pipe: no name to put it beside
			base = strings.TrimSuffix(statePath, ".lsq-state")
		}
		f, err = createFresh(strings.TrimSuffix(base, filepath.Ext(base)) + ".failed.csv")
	}
	if err != nil {
		return 0, "", err
	}
	w := csv.NewWriter(f)
	written, errCol, headerDone := 0, -1, false
	_, err = in.scan(func(s *usersync.Sheet, idx, line int, rec []string) bool {
		if !headerDone {
			headerDone = true
			errCol = slices.IndexFunc(s.Header(), func(h string) bool { return strings.EqualFold(strings.TrimSpace(h), usersync.ColError) })
			out := slices.Clone(s.Header())
			if errCol < 0 {
				out = append(out, usersync.ColError)
			}
			_ = w.Write(out)
		}
		var reason string
		switch {
		case idx >= len(rows):
			return false
		case rows[idx].invalid:
			errs := crossErrs[idx]
			if r := buildRow(line, rec, cols, v); len(r.errs) > 0 {
				errs = append(slices.Clone(r.errs), errs...)
			}
			reason = strings.Join(errs, "; ")
		default:
			var ok bool
			if reason, ok = reasons[idx]; !ok {
				return true
			}
		}
		out := slices.Clone(rec)
		for len(out) < len(s.Header()) {
			out = append(out, "")
		}
		if errCol >= 0 {
			out[errCol] = usersync.Neutralise(reason)
		} else {
			out = append(out, usersync.Neutralise(reason))
		}
		_ = w.Write(out)
		written++
		return true
	})
	if err != nil {
		err = fmt.Errorf("reading %s again: %w", displayName(in.path), err)
	}
	w.Flush()
	if err == nil {
		err = w.Error()
	}
	if err != nil {
		f.discard()
		return 0, "", err
	}
	if err := f.commit(); err != nil {
		return 0, "", err
	}
	return written, f.final, nil
}
