package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
)

// What lsq users export writes (custom fields included), import and sync read: an import
// of it creates nobody, and an edit made to it is the only change import or sync makes.
func TestExportEditImportSyncRoundTrip(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, nil)
	for _, u := range []lsqtest.User{
		{FirstName: "Ada", LastName: "L", EmailAddress: "ada@example.com", Role: "Sales_User", PhoneMobile: "+91-9876500000",
			Attributes: map[string]string{"Department": "Ops", "mx_Custom_1": "=x"}},
		{FirstName: "Bob", LastName: "L", EmailAddress: "bob@example.com", Role: "Sales_User", Status: lsqtest.UserInactive},
	} {
		if _, err := f.AddUser(u); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "users.csv")
	if code, _, errOut := lsqRun(t.Context(), f.env(), "", "users", "export", "--out", out); code != 0 {
		t.Fatalf("export: exit %d\n%s", code, errOut)
	}
	rows, err := csv.NewReader(strings.NewReader(readAll(t, out))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) int {
		i := slices.Index(rows[0], name)
		if i < 0 {
			t.Fatalf("the export has no %s column: %v", name, rows[0])
		}
		return i
	}
	col("mx_Custom_1") // the default export carries the custom fields
	write := func(rows [][]string) string {
		t.Helper()
		var b strings.Builder
		w := csv.NewWriter(&b)
		_ = w.WriteAll(rows)
		p := filepath.Join(t.TempDir(), "edited.csv")
		if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// The export as it is: import creates nobody (the users are there), sync plans nothing.
	f.ResetLog()
	code, stdout, errOut := lsqRun(t.Context(), f.env(), "", "users", "import", "--state", filepath.Join(dir, "s1"), write(rows))
	if code != 0 || !strings.Contains(stdout, "0 created, 2 already there") || !strings.Contains(stdout, "1 marked Inactive (not created)") || f.Count(api.OpCreateUser) != 0 {
		t.Fatalf("import of an export: exit %d\n%s\n%s", code, stdout, errOut)
	}
	// One new row (a copy of Ada's, another address, without UserId): the one user created,
	// with the columns Create a User does not take set after it.
	var ada []string
	for _, r := range rows {
		if r[col("EmailAddress")] == "ada@example.com" {
			ada = slices.Clone(r)
		}
	}
	ada[col("EmailAddress")], ada[col("UserId")], ada[col("FirstName")] = "cy@example.com", "", "Cy"
	ada[col("EmployeeId")] = ""
	code, stdout, errOut = lsqRun(t.Context(), f.env(), "", "users", "import", "--state", filepath.Join(dir, "s2"), write(append(slices.Clone(rows), ada)))
	cy, ok := userByEmail(f, "cy@example.com")
	if code != 0 || !strings.Contains(stdout, "1 created, 2 already there") || !ok || cy.FirstName != "Cy" ||
		cy.Attributes["Department"] != "Ops" || cy.Attributes["mx_Custom_1"] != "=x" || cy.PhoneMobile != "+91-9876500000" {
		t.Fatalf("import of one new row: exit %d %+v\n%s\n%s", code, cy, stdout, errOut)
	}
	// A new row with an EmployeeId (no call sets it for a new user): not created, and said so.
	ada[col("EmailAddress")], ada[col("EmployeeId")] = "dee@example.com", "E1"
	code, stdout, _ = lsqRun(t.Context(), f.env(), "", "users", "import", "--state", filepath.Join(dir, "s3"), "--failed", filepath.Join(dir, "f3.csv"), write([][]string{rows[0], ada}))
	if _, ok := userByEmail(f, "dee@example.com"); code != 1 || ok || !strings.Contains(stdout, "EmployeeId: no LeadSquared call sets it for a new user") {
		t.Errorf("a new row with an EmployeeId: exit %d\n%s", code, stdout)
	}
	// Export again, edit one cell, sync: exactly that change.
	out2 := filepath.Join(dir, "users2.csv")
	if code, _, errOut := lsqRun(t.Context(), f.env(), "", "users", "export", "--out", out2); code != 0 {
		t.Fatalf("export: exit %d\n%s", code, errOut)
	}
	rows, _ = csv.NewReader(strings.NewReader(readAll(t, out2))).ReadAll()
	for _, r := range rows {
		if r[col("EmailAddress")] == "ada@example.com" {
			r[col("LastName")] = "Lovelace"
		}
	}
	f.ResetLog()
	code, stdout, errOut = lsqRun(t.Context(), f.env(), "", "users", "sync", "--apply", write(rows))
	if a, _ := userByEmail(f, "ada@example.com"); code != 0 || a.LastName != "Lovelace" || !strings.Contains(stdout, "applied: 1 done") ||
		f.Count(api.OpUpdateUser) != 1 || len(f.Requests()) != 3 { // the plan's read, the apply's read, the update
		t.Errorf("sync of one edit: exit %d, %d requests\n%s\n%s", code, len(f.Requests()), stdout, errOut)
	}
}
