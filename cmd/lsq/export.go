package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/usersync"
	"github.com/leadsquared-go/leadsquared-go/pkg/validate"
)

const exportLong = `Writes every user of the account (or those a search finds) to standard output, page by
page through User Advanced Search (1000 users a call), in constant memory.

--format csv (default) writes the columns a spreadsheet expects (UserId, FirstName,
LastName, EmailAddress, Role, Status, ...) and every custom field (mx_*) the first 1000
users have (--columns all is the same; a later user with a value in another custom field
is an error, never a value left out); --columns chooses others. lsq users import and sync
read what it writes. json writes one JSON array, jsonl one user a line, every attribute LeadSquared
returned. --search reads a User Advanced Search body (GroupConditions, Sorting, Columns) from
a file or -; without Sorting the users come in creation order.

A CSV cell that a spreadsheet would run as a formula (one starting with = + - @, a tab or a
carriage return, e.g. a phone number +91...) is written with a ' before it, as OWASP advises
against CSV injection; lsq users import and sync read it back without the '.

--out FILE writes a new file (never one that is there), under a temporary name until the
export is complete: a failed export leaves no file. On standard output a failed json export
ends without its closing ].

Exit status: 0 done; 1 a call failed (the users before it were written); 2 usage error.`

// knownExportColumns are the columns exportCell reads from the model (any letter case).
var knownExportColumns = []string{
	"UserId", "FirstName", "LastName", "EmailAddress", "Role", "Status", "StatusCode", "IsAdministrator",
	"PhoneMobile", "PhoneMain", "AssociatedPhoneNumbers", "Department", "Designation", "TeamId", "TeamName",
	"ManagerUserId", "ManagerName", "EmployeeId", "AvailabilityStatus", "Groups", "CreatedOn",
}

// exportColumnKnown reports whether --columns may name col: a column of knownExportColumns or
// a custom field (mx_*).
func exportColumnKnown(col string) bool {
	if len(col) > 3 && strings.EqualFold(col[:3], "mx_") {
		return true
	}
	for _, k := range knownExportColumns {
		if strings.EqualFold(k, col) {
			return true
		}
	}
	return false
}

func (a *app) exportCommand() *cobra.Command {
	var (
		cf      clientFlags
		format  string
		search  string
		columns string
		out     string
	)
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write the account's users as CSV, JSON or JSON lines",
		Long:  exportLong,
		Example: `  lsq users export > users.csv
  lsq users export --format jsonl --search active.json > active.jsonl`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runExport(cmd, &cf, format, search, columns, out)
		},
	}
	cmd.Flags().StringVar(&format, "format", "csv", "csv, json or jsonl")
	cmd.Flags().StringVar(&search, "search", "", "a User Advanced Search body (file or -)")
	cmd.Flags().StringVar(&columns, "columns", "", "the CSV columns, comma-separated, or all (default: the usual ones and the custom fields)")
	cmd.Flags().StringVar(&out, "out", "", "write to this new file (it appears only once the export is complete) instead of standard output")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"csv", "json", "jsonl"}, cobra.ShellCompDirectiveNoFileComp))
	cf.register(cmd, true)
	return cmd
}

func (a *app) runExport(cmd *cobra.Command, cf *clientFlags, format, search, columns, outPath string) error {
	switch format {
	case "csv", "json", "jsonl":
	default:
		return usageErrorf(cmd, a.stderr, "--format %q: want csv, json or jsonl", format)
	}
	var req api.UserSearchRequest
	if search != "" {
		b, err := readInput(search, a.stdin, validate.DefaultMaxBodySize)
		if err != nil {
			return usageErrorf(cmd, a.stderr, "--search: %v", err)
		}
		if err := json.Unmarshal(b, &req); err != nil {
			return usageErrorf(cmd, a.stderr, "--search %s: not a User Advanced Search body: %v", displayName(search), err)
		}
	}
	cols := usersync.ExportColumns
	withCustom := columns == "" || strings.EqualFold(strings.TrimSpace(columns), "all")
	if !withCustom {
		if format != "csv" {
			return usageErrorf(cmd, a.stderr, "--columns: only --format csv has columns (json and jsonl write every attribute)")
		}
		cols = nil
		for _, c := range strings.Split(columns, ",") {
			if c = strings.TrimSpace(c); c != "" {
				if !exportColumnKnown(c) {
					return usageErrorf(cmd, a.stderr, "--columns: unknown column %q: want one of %s, or a custom field (mx_*)", c, strings.Join(knownExportColumns, ", "))
				}
				cols = append(cols, c)
			}
		}
	}
	if req.Columns.IncludeCSV == "" {
		req.Columns.IncludeCSV = "*"
	}
	if len(req.Sorting) == 0 {
		asc := api.UserSearchSortDirection(0)
		req.Sorting = []api.UserSearchSort{{ColumnName: "CreatedOn", Direction: &asc}}
	}
	c, err := a.newClient(cmd.Context(), cf)
	if err != nil {
		return a.clientError(cmd, err)
	}
	defer c.close()

	dst := a.stdout
	var pending *pendingFile
	if outPath != "" {
		if pending, err = createPending("--out", outPath); err != nil {
			return usageErrorf(cmd, a.stderr, "%v", err)
		}
		defer pending.discard() // after commit: removes nothing
		dst = pending
	}
	w := bufio.NewWriterSize(dst, 64<<10)
	var cw *csv.Writer
	switch format {
	case "csv":
		cw = csv.NewWriter(w)
	case "json":
		_, _ = w.WriteString("[")
	}
	n := 0
	var callErr error
	var row []string
	// The default CSV columns (and --columns all) carry the custom fields: the mx_* fields
	// of the first page of users name the columns, and a later user with a value in another
	// one is an error (never a value left out).
	var first []api.UserSearchRecord
	custom := map[string]bool{}
	writeCSV := func(u *api.UserSearchRecord) error {
		if row == nil {
			if withCustom {
				cols = slices.Concat(usersync.ExportColumns, slices.Sorted(maps.Keys(custom)))
			}
			_ = cw.Write(cols)
			row = make([]string, len(cols))
		}
		if u == nil {
			return nil
		}
		if withCustom {
			for k, v := range customFields(u) {
				if !custom[k] && v != "" {
					return fmt.Errorf("user %s has a value in the custom field %s, which the first %d users do not have: give the columns with --columns", usersync.Printable(u.EmailAddress), usersync.Printable(k), exportHeaderUsers)
				}
			}
		}
		for i, col := range cols {
			row[i] = usersync.Neutralise(exportCell(u, col))
		}
		return cw.Write(row)
	}
users:
	for u, err := range c.SearchUsers(cmd.Context(), req) {
		if err != nil {
			callErr = err
			break
		}
		n++
		switch format {
		case "csv":
			if withCustom && row == nil && len(first) < exportHeaderUsers {
				for k := range customFields(&u) {
					custom[k] = true
				}
				first = append(first, u)
				continue
			}
			for i := range first {
				if callErr = writeCSV(&first[i]); callErr != nil {
					break
				}
			}
			first = nil
			if callErr == nil {
				callErr = writeCSV(&u)
			}
			if callErr != nil {
				break users
			}
		case "json", "jsonl":
			b, err := json.Marshal(u)
			if err != nil {
				callErr = err
				break users
			}
			if format == "json" {
				if n > 1 {
					_, _ = w.WriteString(",")
				}
				_, _ = w.WriteString("\n")
			}
			_, _ = w.Write(b)
			if format == "jsonl" {
				_, _ = w.WriteString("\n")
			}
		}
	}
	switch format {
	case "csv":
		for i := range first {
			if callErr == nil {
				callErr = writeCSV(&first[i])
			}
		}
		if row == nil && callErr == nil { // no users: the header alone
			_ = writeCSV(nil)
		}
		cw.Flush()
	case "json":
		if callErr == nil { // a failed export's array stays open: no JSON reader takes it as complete
			_, _ = w.WriteString("\n]\n")
		}
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintf(a.stderr, "%s: writing: %v\n", cmd.CommandPath(), err)
		return &exitError{exitInvalid}
	}
	if callErr != nil {
		fmt.Fprintf(a.stderr, "%s: after %d users: %v\n", cmd.CommandPath(), n, scrubErr(callErr, c.keys))
		if pending != nil {
			fmt.Fprintf(a.stderr, "%s: %s was not written\n", cmd.CommandPath(), outPath)
		}
		return &exitError{exitInvalid}
	}
	if pending != nil {
		if err := pending.commit(); err != nil {
			fmt.Fprintf(a.stderr, "%s: --out: %v\n", cmd.CommandPath(), err)
			return &exitError{exitInvalid}
		}
	}
	fmt.Fprintf(a.stderr, "%s: %s\n", cmd.CommandPath(), plural(n, "user", "users"))
	return nil
}

// exportHeaderUsers is how many users an export reads before it writes the CSV header, to
// find the custom fields (one page).
const exportHeaderUsers = 1000

// customFields returns the custom fields (mx_*) of a record, by name.
func customFields(u *api.UserSearchRecord) map[string]string {
	out := map[string]string{}
	for k, v := range u.CustomFields {
		out[k] = v
	}
	for k := range u.AdditionalProperties {
		if len(k) > 3 && strings.EqualFold(k[:3], "mx_") {
			out[k] = exportCell(u, k)
		}
	}
	return out
}

// exportCell is one CSV cell: usersync.RecordValue, "" for an attribute the record lacks.
func exportCell(u *api.UserSearchRecord, col string) string {
	v, _ := usersync.RecordValue(u, col)
	return v
}
