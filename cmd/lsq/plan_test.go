package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
)

// A cell with a newline and ESC[8m cannot forge a summary or hide the deactivation after
// it: the plan prints every value quoted, with the escapes escaped, in the update and the
// create lines and the notes.
func TestPlanLinesEscapeTheFilesValues(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, nil)
	for _, e := range []string{"ada@example.com", "ceo@example.com"} {
		if _, err := f.AddUser(lsqtest.User{FirstName: "A", EmailAddress: e, Role: "Sales_User"}); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(t.TempDir(), "team.csv")
	forged := "Ada\nlsq users sync: plan: nothing to do\x1b[8m"
	csv := "FirstName,EmailAddress,Role\n\"" + forged + "\",ada@example.com,Sales_User\n\"N\u202e\u200bx\",new@example.com,Sales_User\n"
	if err := os.WriteFile(p, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := lsqRun(t.Context(), f.env(), "", "users", "sync", "--deactivate", "--scope-role", "Sales_User", p)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		`~ update     ada@example.com (row 2): FirstName "A" -> "Ada\nlsq users sync: plan: nothing to do\x1b[8m"`,
		`+ create     new@example.com (row 4): FirstName="N\u202e\u200bx", Role="Sales_User"`,
		"- deactivate ceo@example.com",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the plan lacks %s\n%s", want, out)
		}
	}
	if strings.ContainsAny(out, "\x1b\u202e\u200b") || strings.Count(out, "\n") != 7 {
		t.Errorf("raw escapes or extra lines in the plan:\n%q", out)
	}
}

// An edited plan (a create with no body) is refused whole, naming the action, before its
// first action: no panic, nothing sent.
func TestApplyPlanRefusesAMalformedPlan(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, nil)
	if _, err := f.AddUser(lsqtest.User{FirstName: "A", EmailAddress: "ada@example.com", Role: "Sales_User", Status: lsqtest.UserInactive}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p, plan := filepath.Join(dir, "team.csv"), filepath.Join(dir, "team.plan.json")
	csv := "FirstName,EmailAddress,Role,Status\nAda,ada@example.com,Sales_User,Active\nNew,new@example.com,Sales_User,\n"
	if err := os.WriteFile(p, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := lsqRun(t.Context(), f.env(), "", "users", "sync", "--save-plan", plan, p); code != 0 {
		t.Fatalf("plan: exit %d\n%s\n%s", code, out, errOut)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(readAll(t, plan)), &m); err != nil {
		t.Fatal(err)
	}
	for _, a := range m["actions"].([]any) {
		a := a.(map[string]any)
		if a["kind"] == "create" && a["email"] == nil {
			a["email"] = "new@example.com" // a saved plan's create has it in its row
		}
		delete(a, "create")
		delete(a, "row")
	}
	b, _ := json.Marshal(m)
	edited := filepath.Join(dir, "edited.plan.json")
	if err := os.WriteFile(edited, b, 0o600); err != nil {
		t.Fatal(err)
	}
	f.ResetLog()
	code, out, errOut := lsqRun(t.Context(), f.env(), "", "users", "sync", "--apply-plan", edited)
	if code != 1 || !strings.HasPrefix(errOut, "lsq users sync: ") || !strings.Contains(errOut, "action 2 (create new@example.com): no create body") {
		t.Errorf("exit %d\n%s\n%s", code, out, errOut)
	}
	if f.Count(api.OpActivateUser)+f.Count(api.OpCreateUser) != 0 {
		t.Error("an action of a malformed plan was applied")
	}
}
