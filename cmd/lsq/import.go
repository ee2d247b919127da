package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/validate"
)

const importLong = `Creates the users of a CSV file. The header row names fields of Create a User
(FirstName, LastName, EmailAddress, Role, PhoneMobile, TimeZone, ManagerUserId, TeamId,
UserType, IsPhoneCallAgent, ...), in any letter case; ManagerEmail names the manager by
email address (a manager created by the same file is created first); mx_* columns (or
CustomFields.<name>) are custom fields.

Every row is validated against the spec first, and every invalid row, column and rule is
reported at once; nothing is sent while a row is invalid, unless --skip-invalid. --dry-run
stops after the validation.

The calls are paced by --rate (or the limit learnt from the account's first rate-limit
answer; --redis shares the budget with other workers). A state file (--state, default
<file>.lsq-state) records each row's outcome as it happens: rerun the same command after a
crash, a kill or Ctrl-C and the rows done are skipped. Before creating a user lsq checks by
email that it is not there yet, and a create whose outcome is unknown (a dropped connection,
a 5xx) is checked by email before it is sent again: no run creates a user twice.

It ends with a summary and writes the rows to fix (invalid or failed, with the reason in an
lsq_error column) to --failed (default <file>.failed.csv), which can be rerun as it is.

Exit status: 0 every row was created or already there; 1 a row was invalid or failed, or
the run was interrupted; 2 usage error.`

// importOptions are the flags of lsq users import.
type importOptions struct {
	client      clientFlags
	dryRun      bool
	skipInvalid bool
	statePath   string
	failedPath  string
	workers     int
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
	cmd.Flags().StringVar(&o.statePath, "state", "", "the state file (default <file>.lsq-state)")
	cmd.Flags().StringVar(&o.failedPath, "failed", "", "where to write the rows to fix (default <file>.failed.csv)")
	cmd.Flags().IntVar(&o.workers, "workers", 4, "calls in flight at once (the rate limit still applies)")
	o.client.register(cmd, true)
	return cmd
}

// importRow is one data row of the CSV.
type importRow struct {
	line    int      // the line of the file the row starts on (the header is line 1)
	record  []string // the cells as read
	email   string
	key     string // email, lower-cased
	manager string // ManagerEmail, lower-cased
	body    api.UserCreateRequest
	errs    []string
	depth   int // how many managers of this file are above it
}

// csvColumn is what a header cell names.
type csvColumn struct {
	field  string // a Create a User field, "ManagerEmail", "CustomFields.<name>" or "" (ignored)
	custom bool
}

// createFields are the fields of Create a User a CSV column may name, with their JSON kind.
var createFields = map[string]string{
	"FirstName": "string", "LastName": "string", "EmailAddress": "string", "Role": "string",
	"AssociatedPhoneNumbers": "string", "DateFormat": "string", "HolidayCalendarId": "string",
	"IsPhoneCallAgent": "bool", "ManagerUserId": "string", "Password": "string", "PhoneMobile": "string",
	"TeamId": "string", "TimeZone": "string", "UserType": "int", "WorkDayTemplateId": "string",
}

const (
	colManagerEmail = "ManagerEmail"
	colError        = "lsq_error" // the reason column of a failed-rows file, ignored on input
)

// parseHeader maps the header cells to fields; unknown names are errors.
func parseHeader(header []string) ([]csvColumn, []string) {
	cols := make([]csvColumn, len(header))
	var errs []string
	seen := map[string]int{}
	for i, h := range header {
		name := strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		var c csvColumn
		switch {
		case strings.EqualFold(name, colError):
		case strings.EqualFold(name, colManagerEmail):
			c.field = colManagerEmail
		case strings.HasPrefix(strings.ToLower(name), "customfields."):
			c.field, c.custom = name[len("CustomFields."):], true
		case strings.HasPrefix(strings.ToLower(name), "mx_"):
			c.field, c.custom = name, true
		default:
			for f := range createFields {
				if strings.EqualFold(f, name) {
					c.field = f
				}
			}
			if c.field == "" {
				errs = append(errs, fmt.Sprintf("row 1, column %d %q: not a field of Create a User (nor ManagerEmail, mx_*, CustomFields.*)", i+1, name))
				continue
			}
		}
		if c.field != "" {
			if j, dup := seen[strings.ToLower(c.field)]; dup {
				errs = append(errs, fmt.Sprintf("row 1, column %d %q: the same field as column %d", i+1, name, j+1))
			}
			seen[strings.ToLower(c.field)] = i
		}
		cols[i] = c
	}
	if _, ok := seen["emailaddress"]; !ok && len(errs) == 0 {
		errs = append(errs, "row 1: no EmailAddress column")
	}
	return cols, errs
}

// readImport reads and validates every row. fileErrs are errors of the file as a whole
// (unreadable, bad header): nothing can be imported.
func readImport(r io.Reader, v *validate.Validator) (header []string, rows []*importRow, fileErrs []string) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil, []string{"the file is empty: want a header row of field names"}
		}
		return nil, nil, []string{err.Error()}
	}
	cols, errs := parseHeader(header)
	if len(errs) > 0 {
		return header, nil, errs
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return header, rows, []string{fmt.Sprintf("row %d: %v", pe.Line, pe.Err)}
			}
			return header, rows, []string{err.Error()}
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		rows = append(rows, buildRow(line, rec, cols, v))
	}
	checkFile(rows)
	return header, rows, nil
}

// buildRow turns one record into a Create a User body and validates it.
func buildRow(line int, rec []string, cols []csvColumn, v *validate.Validator) *importRow {
	row := &importRow{line: line, record: rec}
	fail := func(col, msg string) {
		row.errs = append(row.errs, fmt.Sprintf("row %d, column %s: %s", line, col, msg))
	}
	if len(rec) > len(cols) {
		fail(strconv.Itoa(len(cols)+1), fmt.Sprintf("%d cells, but the header has %d columns", len(rec), len(cols)))
	}
	body := map[string]any{}
	custom := map[string]any{}
	for i, c := range cols {
		if i >= len(rec) || c.field == "" {
			continue
		}
		val := strings.TrimSpace(rec[i])
		if val == "" {
			continue // left out: a required field then fails validation
		}
		switch {
		case c.field == colManagerEmail:
			if _, err := mail.ParseAddress(val); err != nil {
				fail(colManagerEmail, "not an email address")
			}
			row.manager = strings.ToLower(val)
		case c.custom:
			custom[c.field] = val
		case createFields[c.field] == "bool":
			b, err := strconv.ParseBool(val)
			if err != nil {
				fail(c.field, "not a boolean (true/false/1/0)")
				continue
			}
			body[c.field] = b
		case createFields[c.field] == "int":
			n, err := strconv.Atoi(val)
			if err != nil {
				fail(c.field, "not a whole number")
				continue
			}
			body[c.field] = n
		default:
			body[c.field] = val
		}
	}
	if len(custom) > 0 {
		body["CustomFields"] = custom
	}
	if e, ok := body["EmailAddress"].(string); ok {
		row.email, row.key = e, strings.ToLower(e)
		if _, err := mail.ParseAddress(e); err != nil {
			fail("EmailAddress", "not an email address")
		}
	}
	if row.manager != "" && body["ManagerUserId"] != nil {
		fail(colManagerEmail, "give ManagerEmail or ManagerUserId, not both")
	}
	raw, _ := json.Marshal(body)
	var verr *validate.Error
	if err := v.ValidateRequestBody(api.OpCreateUser, raw); errors.As(err, &verr) {
		for _, f := range verr.Failures {
			col := strings.TrimPrefix(f.Pointer, "/")
			if rest, ok := strings.CutPrefix(col, "CustomFields/"); ok {
				col = rest
			}
			if col == "" {
				col = "-"
			}
			fail(col, strings.TrimPrefix(f.String(), f.Pointer+": "))
		}
	} else if err != nil {
		fail("-", err.Error())
	}
	if len(row.errs) == 0 {
		if err := json.Unmarshal(raw, &row.body); err != nil {
			fail("-", err.Error())
		}
	}
	return row
}

// checkFile applies the rules across rows: an address appears once; managers named by
// email in the file form no cycle. It sets each row's depth.
func checkFile(rows []*importRow) {
	byKey := map[string]*importRow{}
	for _, r := range rows {
		if r.key == "" {
			continue
		}
		if first, dup := byKey[r.key]; dup {
			r.errs = append(r.errs, fmt.Sprintf("row %d, column EmailAddress: the same address as row %d", r.line, first.line))
			continue
		}
		byKey[r.key] = r
	}
	for _, r := range rows {
		seen := map[*importRow]bool{r: true}
		for m := byKey[r.manager]; m != nil && r.manager != ""; m = byKey[m.manager] {
			if seen[m] {
				r.errs = append(r.errs, fmt.Sprintf("row %d, column ManagerEmail: the managers named in the file form a cycle", r.line))
				break
			}
			seen[m] = true
			r.depth++
			if m.manager == "" {
				break
			}
		}
	}
}

// importSummary counts the outcomes of a run; the counts add up to the rows of the file.
type importSummary struct {
	mu                                              sync.Mutex
	rows, earlier, created, exists, invalid, failed int
	notRun                                          int
	failures                                        []*importRow // invalid and failed rows, with their reasons
	reasons                                         map[*importRow]string
}

func (s *importSummary) fail(r *importRow, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failed++
	s.failures = append(s.failures, r)
	s.reasons[r] = reason
}

func (s *importSummary) count(status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch status {
	case stateCreated:
		s.created++
	case stateExists:
		s.exists++
	}
}

func (a *app) runImport(cmd *cobra.Command, o *importOptions, path string) error {
	name := cmd.CommandPath()
	ctx := cmd.Context()
	v, err := validate.Default()
	if err != nil {
		return usageErrorf(cmd, a.stderr, "%v", err)
	}
	f, err := os.Open(path)
	if err != nil {
		return usageErrorf(cmd, a.stderr, "%s: %v", path, unwrapPathError(err))
	}
	header, rows, fileErrs := readImport(f, v)
	_ = f.Close()
	if len(fileErrs) > 0 {
		for _, e := range fileErrs {
			fmt.Fprintf(a.stderr, "%s: %s: %s\n", name, path, e)
		}
		return &exitError{exitInvalid}
	}
	sum := &importSummary{rows: len(rows), reasons: map[*importRow]string{}}
	var valid []*importRow
	for _, r := range rows {
		if len(r.errs) == 0 {
			valid = append(valid, r)
			continue
		}
		sum.invalid++
		sum.failures = append(sum.failures, r)
		sum.reasons[r] = strings.Join(r.errs, "; ")
		for _, e := range r.errs {
			fmt.Fprintf(a.stderr, "%s: %s\n", path, e)
		}
	}
	if o.dryRun || (sum.invalid > 0 && !o.skipInvalid) {
		fmt.Fprintf(a.stdout, "%s: %d rows: %d valid, %d invalid; nothing was sent", name, len(rows), len(valid), sum.invalid)
		if !o.dryRun {
			fmt.Fprint(a.stdout, " (fix the rows, or add --skip-invalid)")
		}
		fmt.Fprintln(a.stdout)
		if sum.invalid > 0 {
			return &exitError{exitInvalid}
		}
		return nil
	}
	if o.workers < 1 {
		return usageErrorf(cmd, a.stderr, "--workers must be at least 1")
	}
	c, err := a.newClient(ctx, &o.client)
	if err != nil {
		return a.clientError(cmd, err)
	}
	defer c.close()
	statePath := o.statePath
	if statePath == "" {
		statePath = path + ".lsq-state"
	}
	st, err := openState(statePath, "users import", accountOf(c.Client), c.keys)
	if err != nil {
		return usageErrorf(cmd, a.stderr, "%v", err)
	}
	defer func() { _ = st.close() }()

	im := &importer{app: a, c: c, st: st, sum: sum, ids: map[string]string{}}
	var todo []*importRow
	for _, r := range valid {
		if rec, ok := st.lookup(r.key); ok && isDone(rec.Status) {
			sum.earlier++
			im.setID(r.key, rec.UserID)
			continue
		}
		todo = append(todo, r)
	}
	im.prog = a.newProgress(name, len(todo))
	// Managers named in the file are created before the users who report to them.
	slices.SortStableFunc(todo, func(x, y *importRow) int { return x.depth - y.depth })
	for start := 0; start < len(todo) && ctx.Err() == nil; {
		end := min(start+lookupBatch, len(todo))
		if d := todo[start].depth; todo[end-1].depth != d { // a batch stays in one level
			for end = start + 1; end < len(todo) && todo[end].depth == d; end++ {
			}
		}
		im.batch(ctx, todo[start:end], o.workers)
		start = end
	}
	im.prog.finish()
	sum.notRun = len(todo) - im.finished
	return a.importReport(cmd, path, header, o, sum)
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
	st       *stateFile
	sum      *importSummary
	prog     *progress
	mu       sync.Mutex
	ids      map[string]string // email (lower-cased) → user id, of users known to exist
	finished int
}

func (im *importer) setID(key, id string) {
	if id == "" {
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

// batch checks the rows' addresses in one search, then creates the missing users.
func (im *importer) batch(ctx context.Context, rows []*importRow, workers int) {
	emails := make([]string, len(rows))
	for i, r := range rows {
		emails[i] = r.email
	}
	there, err := lookupEmails(ctx, im.c.Client, emails)
	if err != nil {
		if ctx.Err() != nil {
			return
		}
		for _, r := range rows {
			im.finish(r, stateFailed, "", "checking by email failed: "+err.Error())
		}
		return
	}
	forEach(ctx, workers, rows, func(r *importRow) {
		if u, ok := there[r.key]; ok {
			im.finish(r, stateExists, u.UserID, "")
			return
		}
		im.create(ctx, r)
	})
}

// finish records a row's outcome in the state file, the summary and the progress.
func (im *importer) finish(r *importRow, status, userID, reason string) {
	reason = scrub(reason, im.c.keys)
	if err := im.st.record(stateRecord{Key: r.key, Row: r.line, Status: status, UserID: userID, Reason: reason}); err != nil {
		reason = strings.TrimPrefix(reason+"; ", "; ") + "the state file could not be written: " + err.Error()
		status = stateFailed
	}
	im.setID(r.key, userID)
	if status == stateFailed {
		im.sum.fail(r, reason)
	} else {
		im.sum.count(status)
	}
	im.mu.Lock()
	im.finished++
	im.prog.add(status == stateFailed)
	im.mu.Unlock()
}

// maxCreateAttempts bounds the creates of one row: a retry happens only after the account
// was checked and the user is not there.
const maxCreateAttempts = 3

// create creates one user, never twice: an answer that leaves the outcome unknown is
// followed by a check by email, and the create is sent again only if the user is not there.
func (im *importer) create(ctx context.Context, r *importRow) {
	body := r.body
	if r.manager != "" {
		mgr, err := im.managerID(ctx, r.manager)
		if err != nil {
			if ctx.Err() == nil {
				im.finish(r, stateFailed, "", err.Error())
			}
			return
		}
		body.ManagerUserID = mgr
	}
	var last error
	for attempt := 1; attempt <= maxCreateAttempts; attempt++ {
		if err := im.st.record(stateRecord{Key: r.key, Row: r.line, Status: statePending}); err != nil {
			im.finish(r, stateFailed, "", "the state file could not be written: "+err.Error())
			return
		}
		res, err := im.c.CreateUser(ctx, body)
		switch {
		case err == nil:
			im.finish(r, stateCreated, res.Message.ID, "")
			return
		case errors.Is(err, leadsquared.ErrDuplicateEntry):
			im.finish(r, stateExists, "", "")
			return
		case ctx.Err() != nil:
			return // interrupted: the row stays pending, and the rerun checks it
		case errors.Is(err, leadsquared.ErrRateLimited):
			last = err // refused before any work: safe to send again
			continue
		case !uncertain(err):
			im.finish(r, stateFailed, "", err.Error())
			return
		}
		last = err
		u, cerr := im.c.GetUserByEmail(ctx, api.GetUserByEmailParams{EmailAddress: r.email})
		switch {
		case cerr == nil:
			im.finish(r, stateCreated, u.ID, "")
			return
		case errors.Is(cerr, leadsquared.ErrNotFound):
			continue // the create did not happen: send it again
		case ctx.Err() != nil:
			return
		default:
			im.finish(r, stateFailed, "", fmt.Sprintf("the create may have happened (%v) and the check failed (%v); a rerun checks again", err, cerr))
			return
		}
	}
	im.finish(r, stateFailed, "", fmt.Sprintf("gave up after %d attempts: %v", maxCreateAttempts, last))
}

// uncertain reports whether a failed create may have happened: no answer (a dropped
// connection, a timeout), a 5xx that is not LeadSquared refusing the input, or a 2xx the
// client could not read.
func uncertain(err error) bool {
	var apiErr *leadsquared.APIError
	if errors.As(err, &apiErr) {
		if errors.Is(err, leadsquared.ErrInvalidRequest) || errors.Is(err, leadsquared.ErrUnauthorized) {
			return false
		}
		return apiErr.StatusCode >= 500 || apiErr.StatusCode < 300
	}
	return !errors.Is(err, leadsquared.ErrInvalidRequest)
}

// managerID finds the id of a manager named by email: created or found in this run or an
// earlier one, else looked up.
func (im *importer) managerID(ctx context.Context, email string) (string, error) {
	if id := im.id(email); id != "" {
		return id, nil
	}
	if rec, ok := im.st.lookup(email); ok && rec.UserID != "" {
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
func (a *app) importReport(cmd *cobra.Command, path string, header []string, o *importOptions, sum *importSummary) error {
	name := cmd.CommandPath()
	fmt.Fprintf(a.stdout, "%s: %d rows: %d created, %d already there, %d done in an earlier run, %d invalid, %d failed",
		name, sum.rows, sum.created, sum.exists, sum.earlier, sum.invalid, sum.failed)
	if sum.notRun > 0 {
		fmt.Fprintf(a.stdout, ", %d not done (interrupted: rerun the same command to continue)", sum.notRun)
	}
	fmt.Fprintln(a.stdout)
	slices.SortFunc(sum.failures, func(x, y *importRow) int { return x.line - y.line })
	for _, r := range sum.failures {
		if len(r.errs) == 0 {
			fmt.Fprintf(a.stdout, "  row %d (%s): %s\n", r.line, r.email, sum.reasons[r])
		}
	}
	failedPath := o.failedPath
	if failedPath == "" {
		failedPath = strings.TrimSuffix(path, filepath.Ext(path)) + ".failed.csv"
		if failedPath == path {
			failedPath = path + ".failed.csv"
		}
	}
	if len(sum.failures) > 0 {
		if err := writeFailed(failedPath, header, sum); err != nil {
			fmt.Fprintf(a.stderr, "%s: writing the failed rows: %v\n", name, err)
		} else {
			fmt.Fprintf(a.stdout, "%s: the %d rows to fix are in %s (rerun it once fixed)\n", name, len(sum.failures), failedPath)
		}
	} else if o.failedPath == "" {
		_ = os.Remove(failedPath) // a previous run's, now stale
	}
	if sum.invalid+sum.failed+sum.notRun > 0 {
		return &exitError{exitInvalid}
	}
	return nil
}

// writeFailed writes the invalid and failed rows as they were read, with the reason in a last
// lsq_error column.
func writeFailed(path string, header []string, sum *importSummary) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	errCol := slices.IndexFunc(header, func(h string) bool { return strings.EqualFold(strings.TrimSpace(h), colError) })
	out := slices.Clone(header)
	if errCol < 0 {
		out = append(out, colError)
	}
	_ = w.Write(out)
	for _, r := range sum.failures {
		rec := slices.Clone(r.record)
		for len(rec) < len(header) {
			rec = append(rec, "")
		}
		if errCol >= 0 {
			rec[errCol] = sum.reasons[r]
		} else {
			rec = append(rec, sum.reasons[r])
		}
		_ = w.Write(rec)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
