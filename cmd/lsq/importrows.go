package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/usersync"
	"github.com/leadsquared-go/leadsquared-go/pkg/validate"
)

// importRow is one data row of the CSV, built and validated.
type importRow struct {
	idx     int      // the row's index among the data rows of the file
	line    int      // the line of the file the row starts on (the header is line 1)
	record  []string // the cells as read
	email   string
	key     string // the address's key (usersync.CheckAddress)
	manager string // ManagerEmail's key
	body    api.UserCreateRequest
	then    []usersync.Change // attributes Create a User does not take, set by Update a User after it
	blocked string            // why the row cannot be created (the user may exist: then it is skipped)
	errs    []string
	// inactive: the row's Status is Inactive: an import does not create the user.
	inactive bool
}

// rowMeta is what an import keeps of a row between its passes over the file: the file is
// read again to send the rows (and to write the rows to fix), so that an import holds
// about its keys in memory, not the file's cells and bodies.
type rowMeta struct {
	key      string // the address's key (a copy: not a slice of the record)
	manager  string // the ManagerEmail key (interned)
	line     int32
	depth    int32 // how many managers of this file are above it
	invalid  bool
	inactive bool // Status Inactive: not created
	todo     bool // to be sent in this run
}

// csvColumn is what a header cell names: a column of usersync.LookupColumn, or nothing.
type csvColumn struct {
	usersync.Column
	unnamed bool // an empty header cell: its cells must be empty too
}

// parseHeader maps the header cells to the columns of a users file (usersync.LookupColumn);
// unknown names are errors. An empty header cell (spreadsheets write trailing ones:
// ...,Role,,) names no column.
func parseHeader(s *usersync.Sheet) ([]csvColumn, []string) {
	header := s.Header()
	cols := make([]csvColumn, len(header))
	var errs []string
	seen := map[string]int{}
	for i, h := range header {
		if msg := usersync.InvalidUTF8(h); msg != "" {
			errs = append(errs, fmt.Sprintf("row 1, column %d: %s", i+1, msg))
			continue
		}
		name := strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if name == "" {
			cols[i].unnamed = true
			continue
		}
		c, ok := usersync.LookupColumn(name)
		if !ok {
			errs = append(errs, fmt.Sprintf("row 1, column %d %q: not a column of a users file (the fields of Create a User, ManagerEmail, Status, mx_*, CustomFields.*, and an export's columns)%s", i+1, name, s.DelimiterHint(name)))
			continue
		}
		if c.Kind != usersync.ColumnIgnored {
			if j, dup := seen[strings.ToLower(c.Name)]; dup {
				errs = append(errs, fmt.Sprintf("row 1, column %d %q: the same field as column %d", i+1, name, j+1))
			}
			seen[strings.ToLower(c.Name)] = i
		}
		cols[i].Column = c
	}
	if _, ok := seen["emailaddress"]; !ok && len(errs) == 0 {
		errs = append(errs, fmt.Sprintf("row 1: no EmailAddress column (the header was read as %d cells separated by %q, in %s; if that is wrong, give --delimiter)", len(header), usersync.DelimiterName(s.Delimiter()), s.Encoding()))
	}
	return cols, errs
}

// buildRow turns one record into a Create a User body and validates it.
func buildRow(line int, rec []string, cols []csvColumn, v *validate.Validator) *importRow {
	row := &importRow{line: line, record: rec}
	fail := func(col, msg string) {
		row.errs = append(row.errs, fmt.Sprintf("row %d, column %s: %s", line, col, msg))
	}
	colName := func(i int) string {
		if i < len(cols) && cols[i].Name != "" {
			return cols[i].Name
		}
		return strconv.Itoa(i + 1)
	}
	bad := false
	for i, cell := range rec {
		// Before anything reads the cell: json.Marshal would turn invalid UTF-8 into U+FFFD,
		// and the user would be created with a name the file never had.
		if msg := usersync.InvalidUTF8(cell); msg != "" {
			fail(colName(i), msg)
			bad = true
		}
	}
	if bad {
		return row
	}
	for i := len(cols); i < len(rec); i++ {
		if strings.TrimSpace(rec[i]) != "" {
			fail(strconv.Itoa(i+1), fmt.Sprintf("a value in cell %d, but the header has %d columns", i+1, len(cols)))
			break
		}
	}
	body := map[string]any{}
	custom := map[string]any{}
	for i, c := range cols {
		if i >= len(rec) {
			continue
		}
		val := strings.TrimSpace(usersync.Unneutralise(strings.TrimSpace(rec[i])))
		if c.unnamed && val != "" {
			fail(strconv.Itoa(i+1), "a value in a column whose header is empty: name the column or empty the cell")
			continue
		}
		if val == "" || c.Kind == "" {
			continue // left out: a required field then fails validation
		}
		if msg := usersync.ScientificCell(c.Name, val); msg != "" {
			fail(c.Name, msg)
			continue
		}
		switch c.Kind {
		case usersync.ColumnReadOnly, usersync.ColumnIgnored:
		case usersync.ColumnStatus:
			switch strings.ToLower(val) {
			case "active":
			case "inactive":
				row.inactive = true
			default:
				fail(c.Name, "want Active or Inactive (or empty)")
			}
		case usersync.ColumnUpdate:
			row.then = append(row.then, usersync.Change{Attr: c.Name, New: val})
		case usersync.ColumnNoCreate:
			row.blocked = fmt.Sprintf("%s: no LeadSquared call sets it for a new user (Create a User has no such field): empty the cell to create the user", c.Name)
		case usersync.ColumnManager:
			_, key, err := usersync.CheckAddress(val)
			if err != nil {
				fail(c.Name, err.Error())
				continue
			}
			row.manager = key
		case usersync.ColumnCustom:
			custom[c.Name] = val
		default:
			switch {
			case c.Type == "bool":
				b, err := strconv.ParseBool(val)
				if err != nil {
					fail(c.Name, "not a boolean (true/false/1/0)")
					continue
				}
				body[c.Name] = b
			case c.Type == "int":
				n, err := strconv.Atoi(val)
				if err != nil {
					fail(c.Name, "not a whole number")
					continue
				}
				body[c.Name] = n
			case c.Name == "EmailAddress":
				addr, key, err := usersync.CheckAddress(val)
				if err != nil {
					fail("EmailAddress", err.Error())
					continue
				}
				row.email, row.key = addr, key
				body[c.Name] = addr
			default:
				body[c.Name] = val
			}
		}
	}
	if len(custom) > 0 {
		body["CustomFields"] = custom
	}
	if row.manager != "" && body["ManagerUserId"] != nil {
		fail(usersync.ColManagerEmail, "give ManagerEmail or ManagerUserId, not both")
	}
	raw, err := json.Marshal(body)
	if err != nil {
		fail("-", err.Error())
		return row
	}
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
			if col == "EmailAddress" && hasErrFor(row.errs, "EmailAddress") {
				continue // already reported: not an address
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

// hasErrFor reports whether errs has an error for column col.
func hasErrFor(errs []string, col string) bool {
	for _, e := range errs {
		if strings.Contains(e, ", column "+col+": ") {
			return true
		}
	}
	return false
}

// checkFile applies the rules across rows: an address appears once (compared by the
// engine's key, usersync.CheckAddress); managers named by email in the file form no cycle. It sets each
// row's depth and returns the errors it found, by row index.
func checkFile(rows []rowMeta) map[int][]string {
	errs := map[int][]string{}
	add := func(i int, msg string) {
		errs[i] = append(errs[i], fmt.Sprintf("row %d, column %s", rows[i].line, msg))
		rows[i].invalid = true
	}
	byKey := make(map[string]int, len(rows))
	for i := range rows {
		r := &rows[i]
		if r.key == "" {
			continue
		}
		if first, dup := byKey[r.key]; dup {
			add(i, fmt.Sprintf("EmailAddress: the same address as row %d", rows[first].line))
			continue
		}
		byKey[r.key] = i
	}
	for i := range rows {
		r := &rows[i]
		if r.manager == "" {
			continue
		}
		seen := map[int]bool{i: true}
		for m, ok := byKey[r.manager]; ok; m, ok = byKey[rows[m].manager] {
			if seen[m] {
				add(i, "ManagerEmail: the managers named in the file form a cycle")
				break
			}
			seen[m] = true
			r.depth++
			if rows[m].manager == "" {
				break
			}
		}
	}
	return errs
}

// importInput is the file an import reads, opened as often as the import passes over it.
// Standard input ("-"), and any input that is not a regular file (a pipe reads once), is
// copied to a temporary file (mode 0600) first, whose name is removed at once where an open
// file outlives its name (not on Windows: there at the end): a run that is killed leaves
// no copy behind.
type importInput struct {
	path    string   // as given
	file    string   // the file to open
	copied  *os.File // the copy of an input read once, or nil
	size    int64    // the copy's size
	delim   rune
	cleanup func()
}

func (a *app) openImportInput(path string, delim rune) (*importInput, error) {
	in := &importInput{path: path, file: path, delim: delim, cleanup: func() {}}
	src := a.stdin
	if path != "-" {
		// A pipe (<(...), a FIFO, /dev/stdin) reads once: the second pass would find it
		// empty. It is copied, as standard input is.
		r, err := os.Open(path)
		if err != nil {
			return in, nil //nolint:nilerr // the first pass names the file and the error
		}
		defer func() { _ = r.Close() }()
		if st, err := r.Stat(); err != nil || st.Mode().IsRegular() {
			return in, nil
		}
		src = r
	}
	f, err := os.CreateTemp("", "lsq-stdin-*.csv")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", displayName(path), err)
	}
	in.cleanup = func() { _ = f.Close(); _ = os.Remove(f.Name()) }
	if runtime.GOOS != "windows" {
		_ = os.Remove(f.Name())
	}
	n, err := io.Copy(f, src)
	if err != nil {
		in.cleanup()
		return nil, fmt.Errorf("reading %s: %w", displayName(path), unwrapPathError(err))
	}
	in.copied, in.size = f, n
	return in, nil
}

// open opens the input for one pass.
func (in *importInput) open() (io.ReadCloser, error) {
	if in.copied != nil {
		return io.NopCloser(io.NewSectionReader(in.copied, 0, in.size)), nil
	}
	return os.Open(in.file)
}

// users checks the file as the users of a sync (usersync.ScanUsers: every problem at once)
// and returns it as a source the plan reads again (usersync.FileSource).
func (in *importInput) users() (usersync.Source, error) {
	open := func() (io.ReadCloser, error) {
		f, err := in.open()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", displayName(in.path), unwrapPathError(err))
		}
		return f, nil
	}
	f, err := in.open() // the caller names the file
	if err != nil {
		return nil, unwrapPathError(err)
	}
	defer func() { _ = f.Close() }()
	if err := usersync.ScanUsers(f, in.delim, func(usersync.Desired) bool { return true }); err != nil {
		return nil, err
	}
	return usersync.FileSource(open, in.delim), nil
}

// scan reads the file once: its header, then each data row (blank lines skipped) with its
// index. fn returning false stops the scan. Its errors do not name the file: the caller does.
func (in *importInput) scan(fn func(s *usersync.Sheet, idx, line int, rec []string) bool) (*usersync.Sheet, error) {
	f, err := in.open()
	if err != nil {
		return nil, unwrapPathError(err) // the caller names the file
	}
	defer func() { _ = f.Close() }()
	s, err := usersync.OpenSheet(f, in.delim)
	if err != nil {
		return nil, err
	}
	if fn == nil {
		return s, nil
	}
	for idx := 0; ; {
		rec, line, err := s.Next()
		if errors.Is(err, io.EOF) {
			return s, nil
		}
		if err != nil {
			return s, err
		}
		if blankRecord(rec) {
			continue
		}
		if !fn(s, idx, line, rec) {
			return s, nil
		}
		idx++
	}
}

// blankRecord reports whether a record is an empty line or only empty cells (what a
// spreadsheet writes for an empty row: ,,,,).
func blankRecord(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
