package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
)

// The scenario of issue 27: import a team file without a Status column, deactivate a
// leaver, then sync the file to fix one name: the leaver stays Inactive (and so with an
// empty Status cell); only a Status of Active activates.
func TestSyncNeverActivatesWhatTheFileDoesNotSay(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, nil)
	dir := t.TempDir()
	team := filepath.Join(dir, "team.csv")
	write := func(p, s string) {
		t.Helper()
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(team, "FirstName,LastName,EmailAddress,Role\nAda,L,ada@example.com,Sales_User\nBob,L,bob@example.com,Sales_User\n")
	if code, out, errOut := lsqRun(t.Context(), f.env(), "", "users", "import", team); code != 0 {
		t.Fatalf("import: exit %d\n%s\n%s", code, out, errOut)
	}
	leavers := filepath.Join(dir, "leavers.txt")
	write(leavers, "bob@example.com\n")
	if code, out, errOut := lsqRun(t.Context(), f.env(), "", "users", "deactivate", "--emails", leavers); code != 0 {
		t.Fatalf("deactivate: exit %d\n%s\n%s", code, out, errOut)
	}
	status := func(email string) lsqtest.UserStatus {
		t.Helper()
		u, ok := userByEmail(f, email)
		if !ok {
			t.Fatalf("no user %s", email)
		}
		return u.Status
	}
	// No Status column; then an empty Status cell.
	for i, body := range []string{
		"FirstName,LastName,EmailAddress,Role\nAda,Lovelace,ada@example.com,Sales_User\nBob,L,bob@example.com,Sales_User\n",
		"FirstName,LastName,EmailAddress,Role,Status\nAda,King,ada@example.com,Sales_User,Active\nBob,L,bob@example.com,Sales_User,\n",
	} {
		write(team, body)
		f.ResetLog()
		code, out, errOut := lsqRun(t.Context(), f.env(), "", "users", "sync", "--apply", team)
		if code != 0 || strings.Contains(out, "activate") && !strings.Contains(out, "0 to activate") {
			t.Errorf("sync %d: exit %d\n%s\n%s", i, code, out, errOut)
		}
		if st := status("bob@example.com"); st != lsqtest.UserInactive {
			t.Errorf("sync %d: the leaver is %v again", i, st)
		}
		if n := f.Count(api.OpActivateUser); n != 0 {
			t.Errorf("sync %d: %d activations", i, n)
		}
	}
	if u, _ := userByEmail(f, "ada@example.com"); u.LastName != "King" {
		t.Errorf("the name was not fixed: %+v", u)
	}
	// Active in the file: activated, listed among the access changes, before the attributes.
	write(team, "FirstName,LastName,EmailAddress,Role,Status\nAda,Queen,ada@example.com,Sales_User,\nBob,L,bob@example.com,Sales_User,Active\n")
	code, out, errOut := lsqRun(t.Context(), f.env(), "", "users", "sync", team)
	act, upd := strings.Index(out, "+ activate   bob@example.com"), strings.Index(out, "~ update     ada@example.com")
	if code != 0 || act < 0 || upd < 0 || act > upd || !strings.Contains(out, "access changes:") {
		t.Errorf("plan with Active: exit %d\n%s\n%s", code, out, errOut)
	}
	// Inactive without --deactivate: a note, nothing planned.
	write(team, "EmailAddress,Status\nada@example.com,Inactive\n")
	code, out, _ = lsqRun(t.Context(), f.env(), "", "users", "sync", "--apply", team)
	if code != 0 || status("ada@example.com") != lsqtest.UserActive || !strings.Contains(out, "deactivated only with the deactivate option") {
		t.Errorf("Inactive without --deactivate: exit %d\n%s", code, out)
	}
}

// A leaver deactivated from a list, rehired (activated), then leaving again: the same list
// deactivates them again (the first run's records are of a completed run).
func TestDeactivateAgainAfterARehire(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, nil)
	if _, err := f.AddUser(lsqtest.User{FirstName: "Bob", EmailAddress: "bob@example.com", Role: "Sales_User"}); err != nil {
		t.Fatal(err)
	}
	leavers := filepath.Join(t.TempDir(), "leavers.txt")
	if err := os.WriteFile(leavers, []byte("bob@example.com\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for i, verb := range []string{"deactivate", "activate", "deactivate"} {
		if code, out, errOut := lsqRun(t.Context(), f.env(), "", "users", verb, "--emails", leavers); code != 0 {
			t.Fatalf("%d %s: exit %d\n%s\n%s", i, verb, code, out, errOut)
		}
	}
	if u, _ := userByEmail(f, "bob@example.com"); u.Status != lsqtest.UserInactive {
		t.Errorf("after leaving again: %v", u.Status)
	}
}
