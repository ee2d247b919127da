package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
)

// A sync of what lsq users export just wrote plans nothing: formula-neutralised cells and
// read-only columns included.
func TestSyncOfAnExportPlansNothing(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, nil)
	for i, n := range []string{"=SUM(1,2)", "+1+1", "Plain"} {
		if _, err := f.AddUser(lsqtest.User{FirstName: n, LastName: "-L", EmailAddress: fmt.Sprintf("x%d@example.com", i), Role: "Sales_User",
			PhoneMobile: "+91-9876500000", TeamID: "t1", Attributes: map[string]string{"Department": "@Ops", "mx_Custom_1": "=c"}}); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "users.csv")
	if code, _, errOut := lsqRun(t.Context(), f.env(), "", "users", "export", "--out", out); code != 0 {
		t.Fatalf("export: exit %d\n%s", code, errOut)
	}
	f.ResetLog()
	code, stdout, errOut := lsqRun(t.Context(), f.env(), "", "users", "sync", out)
	if code != 0 || !strings.Contains(stdout, "(nothing to do)") || strings.Contains(stdout, "note:") {
		t.Errorf("sync of an export: exit %d\n%s\n%s", code, stdout, errOut)
	}
	if n := len(f.Requests()); n != 1 {
		t.Errorf("%d calls for the plan, want 1 (one page)", n)
	}
	assertNoKeys(t, stdout, errOut)
}

func TestSyncPlanSaveApply(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, nil)
	for i := range 4 {
		if _, err := f.AddUser(lsqtest.User{FirstName: fmt.Sprintf("U%d", i), EmailAddress: fmt.Sprintf("u%d@example.com", i), Role: "Sales_User", TeamID: "t1"}); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "team.csv")
	csv := "FirstName,EmailAddress,Role,TeamId,ManagerEmail\n" +
		"U0,u0@example.com,Sales_User,t1,\n" +
		"Renamed,u1@example.com,Sales_User,t1,\n" +
		"U2,u2@example.com,Sales_User,t2,new@example.com\n" +
		"New,new@example.com,Sales_User,,\n"
	if err := os.WriteFile(p, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := lsqRun(t.Context(), f.env(), "", "users", "sync", "--deactivate", p); code != 2 || !strings.Contains(errOut, "needs a scope") {
		t.Errorf("--deactivate without a scope: exit %d\n%s", code, errOut)
	}
	plan := filepath.Join(dir, "team.plan.json")
	code, out, errOut := lsqRun(t.Context(), f.env(), "", "users", "sync", "--deactivate", "--scope-role", "Sales_User", "--save-plan", plan, p)
	for _, want := range []string{
		`+ create     new@example.com (row 5): FirstName="New", Role="Sales_User"`,
		`~ update     u1@example.com (row 3): FirstName "U1" -> "Renamed"`,
		`~ team       u2@example.com (row 4): TeamId "t1" -> "t2"`,
		`~ manager    u2@example.com (row 4): ManagerUserId "" -> new@example.com`,
		"- deactivate u3@example.com",
		"plan: 1 to create, 1 to update, 1 team moves, 1 manager changes, 0 to activate, 1 to deactivate",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q", want)
		}
	}
	if code != 0 || f.Count(api.OpCreateUser) != 0 {
		t.Fatalf("plan: exit %d\n%s\n%s", code, out, errOut)
	}
	f.ResetLog()
	if code, _, errOut := lsqRun(t.Context(), f.env(), "", "users", "sync", "--save-plan", plan, p); code != 2 || !strings.Contains(errOut, "never overwrites") || len(f.Requests()) != 0 {
		t.Errorf("--save-plan over a plan: exit %d, %d calls (want none: refused before the account is read)\n%s", code, len(f.Requests()), errOut)
	}
	if code, _, errOut := lsqRun(t.Context(), f.env(), "", "users", "sync", "--save-plan", p, p); code != 2 || !strings.Contains(errOut, "is the input file") || len(f.Requests()) != 0 {
		t.Errorf("--save-plan of the input: exit %d\n%s", code, errOut)
	}
	f.ResetLog()
	code, out, errOut = lsqRun(t.Context(), f.env(), "", "users", "sync", "--apply-plan", plan, "--json")
	var res struct{ Done, Failed int }
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res.Done != 5 || res.Failed != 0 {
		t.Fatalf("apply: exit %d\n%s\n%s", code, out, errOut)
	}
	if u, _ := userByEmail(f, "u3@example.com"); u.Status != lsqtest.UserInactive {
		t.Errorf("u3 not deactivated")
	}
	if owner, _ := userByEmail(f, "admin@lsqtest.example.com"); owner.Status != lsqtest.UserActive {
		t.Errorf("the key owner was touched")
	}
	// Nothing left to do; the saved plan, applied with another state file, is refused.
	code, out, _ = lsqRun(t.Context(), f.env(), "", "users", "sync", "--output", "json", p)
	var again struct {
		Actions []any `json:"actions"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &again) != nil || len(again.Actions) != 0 {
		t.Errorf("second sync: exit %d\n%s", code, out)
	}
	code, _, errOut = lsqRun(t.Context(), f.env(), "", "users", "sync", "--apply-plan", plan, "--state", filepath.Join(dir, "other"))
	if code != 1 || !strings.Contains(errOut, "the account changed since the plan was made") {
		t.Errorf("stale plan: exit %d\n%s", code, errOut)
	}
	// The same apply again (its state file): that apply completed, so its records resume
	// nothing, and the plan is stale; nothing sent.
	f.ResetLog()
	code, out, errOut = lsqRun(t.Context(), f.env(), "", "users", "sync", "--apply-plan", plan)
	if code != 1 || !strings.Contains(errOut, "the account changed since the plan was made") || f.Count(api.OpCreateUser)+f.Count(api.OpUpdateUser) != 0 {
		t.Errorf("rerun: exit %d\n%s%s", code, out, errOut)
	}
	assertNoKeys(t, out, errOut, readAll(t, plan), readAll(t, plan+".lsq-state"))
}

func TestSyncColumnsAndStatus(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, nil)
	for i := range 2 {
		if _, err := f.AddUser(lsqtest.User{FirstName: fmt.Sprintf("U%d", i), EmailAddress: fmt.Sprintf("u%d@example.com", i), Role: "Sales_User"}); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(t.TempDir(), "s.csv")
	csv := "emailaddress;department;status\nu0@example.com;Ops;Active\nu1@example.com;;Inactive\n"
	if err := os.WriteFile(p, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := lsqRun(t.Context(), f.env(), "", "users", "sync", "--plan", p)
	if code != 0 || !strings.Contains(out, `~ update     u0@example.com (row 2): Department "" -> "Ops"`) ||
		!strings.Contains(out, "note: u1@example.com: marked Inactive in the source: deactivated only with the deactivate option") {
		t.Errorf("plan: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, _, errOut := lsqRun(t.Context(), f.env(), "", "users", "sync", "--plan", "--apply", p); code != 2 || !strings.Contains(errOut, "--plan only plans") {
		t.Errorf("--plan --apply: exit %d\n%s", code, errOut)
	}
	code, out, errOut = lsqRun(t.Context(), f.env(), "", "users", "sync", "--apply", "--deactivate", "--scope-role", "Sales_User", p)
	if code != 0 || !strings.Contains(out, "applied: 2 done") {
		t.Fatalf("apply: exit %d\n%s\n%s", code, out, errOut)
	}
	u0, _ := userByEmail(f, "u0@example.com")
	u1, _ := userByEmail(f, "u1@example.com")
	if u0.Attributes["Department"] != "Ops" || u1.Status != lsqtest.UserInactive {
		t.Errorf("after apply: %+v %+v", u0, u1)
	}
	// A row error: nothing is read or sent.
	if err := os.WriteFile(p, []byte("EmailAddress,Status\nAda <ada@example.com>,Gone\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.ResetLog()
	code, _, errOut = lsqRun(t.Context(), f.env(), "", "users", "sync", p)
	if code != 1 || !strings.Contains(errOut, "row 2, column EmailAddress: write the address alone") || !strings.Contains(errOut, "row 2, column Status: want Active or Inactive") || len(f.Requests()) != 0 {
		t.Errorf("invalid file: exit %d, %d requests\n%s", code, len(f.Requests()), errOut)
	}
}

// A saved plan given on standard input is applied as a file is; its records need --state
// (there is no file to put them beside, and none named "-.lsq-state" is made).
func TestSyncApplyPlanFromStandardInput(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, nil)
	dir := t.TempDir()
	p := filepath.Join(dir, "team.csv")
	if err := os.WriteFile(p, []byte("FirstName,EmailAddress,Role\nNew,new@example.com,Sales_User\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	plan := filepath.Join(dir, "team.plan.json")
	if code, out, errOut := lsqRun(t.Context(), f.env(), "", "users", "sync", "--save-plan", plan, p); code != 0 {
		t.Fatalf("save-plan: exit %d\n%s\n%s", code, out, errOut)
	}
	saved := readAll(t, plan)
	wd, _ := os.Getwd()
	code, _, errOut := lsqRun(t.Context(), f.env(), saved, "users", "sync", "--apply-plan", "-")
	if code != 2 || !strings.Contains(errOut, "give --state") || f.Count(api.OpCreateUser) != 0 {
		t.Errorf("--apply-plan - without --state: exit %d\n%s", code, errOut)
	}
	if _, err := os.Lstat(filepath.Join(wd, "-.lsq-state")); err == nil {
		t.Errorf("a state file named -.lsq-state was made")
	}
	state := filepath.Join(dir, "state")
	code, out, errOut := lsqRun(t.Context(), f.env(), saved, "users", "sync", "--apply-plan", "-", "--state", state)
	if code != 0 || f.Count(api.OpCreateUser) != 1 || !strings.Contains(readAll(t, state), `"status":"created"`) && !strings.Contains(readAll(t, state), `"status":"done"`) {
		t.Fatalf("--apply-plan - --state: exit %d\n%s\n%s\n%s", code, out, errOut, readAll(t, state))
	}
	if _, ok := userByEmail(f, "new@example.com"); !ok {
		t.Errorf("new@example.com not created")
	}
	// A plan cut short is not a plan, and nothing is sent.
	f.ResetLog()
	code, _, errOut = lsqRun(t.Context(), f.env(), saved[:len(saved)/2], "users", "sync", "--apply-plan", "-", "--state", filepath.Join(dir, "other"))
	if code != 2 || !strings.Contains(errOut, "not a plan") || len(f.Requests()) != 0 {
		t.Errorf("a plan cut short: exit %d\n%s", code, errOut)
	}
}

// streamInput refuses input over its limit, from a file by its size before reading, from
// standard input once it read more.
func TestStreamInputLimit(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "plan.json")
	if err := os.WriteFile(p, []byte("0123456789"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := streamInput(p, nil, 9); err == nil || !strings.Contains(err.Error(), "larger than the size limit of 9 bytes") {
		t.Errorf("file over the limit: %v", err)
	}
	s, err := streamInput(p, nil, 10)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(s); err != nil || string(b) != "0123456789" || s.Err() != nil {
		t.Errorf("file at the limit: %q, %v, %v", b, err, s.Err())
	}
	s.close()
	s, _ = streamInput("-", strings.NewReader("0123456789"), 9)
	if _, err := io.ReadAll(s); err == nil || s.Err() == nil || !strings.Contains(err.Error(), "standard input is over the size limit of 9 bytes") {
		t.Errorf("standard input over the limit: %v", err)
	}
}
