package usersync_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
	"github.com/leadsquared-go/leadsquared-go/pkg/usersync"
)

func setAttr(t *testing.T, c *leadsquared.Client, srv *lsqtest.Server, email string, f api.UserUpdateFields) {
	t.Helper()
	if _, err := c.UpdateUser(context.Background(), api.UpdateUserParams{UserID: byEmail(srv, email).ID}, api.UserUpdateRequest{User: f}); err != nil {
		t.Fatal(err)
	}
}

// partlyApplied plans an update of u000 and the deactivation of u002 and u003 (scope:
// Sales_User), and applies it with the update and the first deactivation refused.
func partlyApplied(t *testing.T) (*lsqtest.Server, *leadsquared.Client, *usersync.Plan, usersync.Journal) {
	t.Helper()
	srv, c := account(t, 4, nil)
	src := source(2)
	src[0].Attrs["FirstName"] = "X"
	plan, err := usersync.MakePlan(context.Background(), c, src, usersync.Options{Deactivate: true, Scope: usersync.Scope{Role: "Sales_User"}})
	if err != nil || len(plan.Actions) != 3 {
		t.Fatalf("plan: %v %+v", err, plan)
	}
	for _, op := range []api.OperationID{api.OpUpdateUser, api.OpDeactivateUser} {
		if err := srv.FailNext(op, 1, lsqtest.Fault{Status: 400}); err != nil {
			t.Fatal(err)
		}
	}
	j := &usersync.MemJournal{}
	res, err := usersync.Apply(context.Background(), c, plan, j, usersync.ApplyOptions{Workers: 1})
	if err != nil || res.Failed != 2 || res.Done != 1 {
		t.Fatalf("first apply: %+v %v", res, err)
	}
	return srv, c, plan, j
}

// The users an earlier Apply of the plan touched (failed actions included) are checked
// again: another admin's rename, or a user promoted out of the scope, refuses the plan.
func TestStalenessChecksTheUsersAFailedApplyNamed(t *testing.T) {
	t.Parallel()
	srv, c, plan, j := partlyApplied(t)
	mgr, last := api.Role("Sales_Manager"), "Renamed"
	setAttr(t, c, srv, "u000@example.com", api.UserUpdateFields{LastName: &last})
	setAttr(t, c, srv, "u002@example.com", api.UserUpdateFields{Role: &mgr})
	srv.ResetLog()
	_, err := usersync.Apply(context.Background(), c, plan, j, usersync.ApplyOptions{})
	if !errors.Is(err, usersync.ErrAccountChanged) || !strings.Contains(err.Error(), "u000@example.com") || !strings.Contains(err.Error(), "u002@example.com") {
		t.Errorf("err = %v", err)
	}
	if srv.Count(api.OpUpdateUser)+srv.Count(api.OpDeactivateUser) != 0 || byEmail(srv, "u002@example.com").Status != lsqtest.UserActive {
		t.Error("a stale plan was applied")
	}
}

// With nobody else's change, the same plan resumes: the done action skipped, the failed
// ones made.
func TestStalenessAcceptsWhatTheEarlierApplyDid(t *testing.T) {
	t.Parallel()
	srv, c, plan, j := partlyApplied(t)
	res, err := usersync.Apply(context.Background(), c, plan, j, usersync.ApplyOptions{})
	if err != nil || res.Earlier != 1 || res.Done != 2 {
		t.Fatalf("rerun: %+v %v", res, err)
	}
	if byEmail(srv, "u000@example.com").FirstName != "X" || byEmail(srv, "u002@example.com").Status != lsqtest.UserInactive {
		t.Errorf("after the rerun: %+v", srv.Users())
	}
}

// The scope's search is part of what a plan read: a user moved out of it between the plan
// and the apply refuses the plan, and so does a saved plan whose scope was edited.
func TestScopeSearchIsPartOfThePlan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv, c := account(t, 1, nil)
	for _, e := range []string{"v1@example.com", "v2@example.com"} {
		if _, err := srv.AddUser(lsqtest.User{FirstName: "V", EmailAddress: e, Role: "Sales_User", Attributes: map[string]string{"mx_Level": "1"}}); err != nil {
			t.Fatal(err)
		}
	}
	search := &api.UserSearchRequest{GroupConditions: []api.ConditionGroup{{Condition: []api.SearchCondition{{LookupName: "mx_Level", Operator: api.SearchConditionOperatorEq, LookupValue: "1"}}}}}
	opts := usersync.Options{Deactivate: true, Scope: usersync.Scope{Search: search}}
	plan, err := usersync.MakePlan(ctx, c, source(1), opts)
	if err != nil || plan.Count()[usersync.KindDeactivate] != 2 {
		t.Fatalf("plan: %v %+v", err, plan)
	}
	// A saved plan with its scope edited: refused before anything is read or sent.
	b, _ := json.Marshal(plan)
	var edited usersync.Plan
	_ = json.Unmarshal(b, &edited)
	edited.Scope.Role = "Sales_User"
	if _, err := usersync.Apply(ctx, c, &edited, &usersync.MemJournal{}, usersync.ApplyOptions{}); !errors.Is(err, usersync.ErrBadPlan) {
		t.Errorf("edited scope: %v", err)
	}
	two := "2"
	setAttr(t, c, srv, "v2@example.com", api.UserUpdateFields{CustomFields: api.CustomFields{"mx_Level": two}})
	srv.ResetLog()
	_, err = usersync.Apply(ctx, c, plan, &usersync.MemJournal{}, usersync.ApplyOptions{})
	if !errors.Is(err, usersync.ErrAccountChanged) || !strings.Contains(err.Error(), "v2@example.com (no longer in the scope's search)") {
		t.Errorf("err = %v", err)
	}
	if srv.Count(api.OpDeactivateUser) != 0 {
		t.Error("deactivated out of scope")
	}
}

// Addresses are compared by one key: two rows that differ only in letter case are one
// user (an error naming both rows), and so are two users of the account, which a row
// naming them cannot tell apart (an error naming both addresses); nothing is sent.
func TestOneKeyPerAddress(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// The fake refuses two users whose addresses differ in case; its search answers show
	// bob2 as bob@EXAMPLE.com.
	srv, c := account(t, 1, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			maps.Copy(w.Header(), rec.Header())
			w.Header().Del("Content-Length")
			w.WriteHeader(rec.Code)
			_, _ = w.Write(bytes.ReplaceAll(rec.Body.Bytes(), []byte("bob2@example.com"), []byte("bob@EXAMPLE.com")))
		})
	})
	for _, e := range []string{"Bob@example.com", "bob2@example.com"} {
		if _, err := srv.AddUser(lsqtest.User{FirstName: "Bob", EmailAddress: e, Role: "Sales_User"}); err != nil {
			t.Fatal(err)
		}
	}
	srv.ResetLog()
	src := []usersync.Desired{
		{Line: 2, Email: "bob@example.com", Attrs: map[string]string{"FirstName": "B"}},
		{Line: 3, Email: "new@example.com", Attrs: map[string]string{"FirstName": "N", "Role": "Sales_User"}},
		{Line: 4, Email: "NEW@Example.com", Attrs: map[string]string{"FirstName": "N", "Role": "Sales_User"}},
		{Line: 5, Email: "ok@example.com", Attrs: map[string]string{"FirstName": "O", "Role": "Sales_User"}, ManagerEmail: "BOB@example.com"},
	}
	_, err := usersync.MakePlan(ctx, c, src, usersync.Options{})
	if want := "row 4, column EmailAddress: NEW@Example.com is the same address as new@example.com of row 3"; !errors.Is(err, usersync.ErrInvalidSource) || !strings.Contains(err.Error(), want) {
		t.Errorf("err lacks %q:\n%v", want, err)
	}
	if len(srv.Requests()) != 0 {
		t.Error("the account read for a source with errors of its own")
	}
	src = append(src[:2], src[3])
	_, err = usersync.MakePlan(ctx, c, src, usersync.Options{})
	for _, want := range []string{
		"row 2, column EmailAddress: the account has 2 users with this address: Bob@example.com and bob@EXAMPLE.com",
		"row 5, column ManagerEmail: the account has 2 users with this address",
	} {
		if !errors.Is(err, usersync.ErrInvalidSource) || !strings.Contains(err.Error(), want) {
			t.Errorf("err lacks %q:\n%v", want, err)
		}
	}
	// A row that changes nothing of the first of the two: the plan drops a user whose row
	// changes nothing as it reads the account, and must still see the second.
	src[0].Attrs = map[string]string{"FirstName": "Bob"}
	_, err = usersync.MakePlan(ctx, c, src[:1], usersync.Options{})
	if want := "row 2, column EmailAddress: the account has 2 users with this address: Bob@example.com and bob@EXAMPLE.com"; !errors.Is(err, usersync.ErrInvalidSource) || !strings.Contains(err.Error(), want) {
		t.Errorf("unchanged row: err lacks %q:\n%v", want, err)
	}
	if srv.Count(api.OpCreateUser)+srv.Count(api.OpUpdateUser) != 0 {
		t.Error("sent with an invalid source")
	}
}

// An access plan (lsq users deactivate) finds its users by address, changes only them, and
// is checked against them only: one search to plan, one to check, whatever the account's size.
func TestPlanAccessIsPartial(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv, c := account(t, 5, nil)
	if _, err := c.DeactivateUser(ctx, api.DeactivateUserParams{UserID: byEmail(srv, "u001@example.com").ID}); err != nil {
		t.Fatal(err)
	}
	srv.ResetLog()
	plan, missing, already, err := usersync.PlanAccess(ctx, c, []string{"u000@example.com", "U000@Example.com", "u001@example.com", "nobody@example.com"}, false)
	if err != nil || len(plan.Actions) != 1 || plan.Actions[0].Kind != usersync.KindDeactivate || !plan.Partial ||
		len(missing) != 1 || missing[0] != "nobody@example.com" || len(already) != 1 || already[0] != "u001@example.com" {
		t.Fatalf("plan: %v %+v missing %v already %v", err, plan, missing, already)
	}
	// Another user of the account changes: not this plan's concern.
	if _, err := srv.AddUser(lsqtest.User{FirstName: "Late", EmailAddress: "late@example.com", Role: "Sales_User"}); err != nil {
		t.Fatal(err)
	}
	j := &usersync.MemJournal{}
	res, err := usersync.Apply(ctx, c, plan, j, usersync.ApplyOptions{})
	if err != nil || res.Done != 1 || byEmail(srv, "u000@example.com").Status != lsqtest.UserInactive || byEmail(srv, "u002@example.com").Status != lsqtest.UserActive {
		t.Fatalf("apply: %+v %v", res, err)
	}
	if n := srv.Count(api.OpAdvancedSearchUsers); n != 2 {
		t.Errorf("%d searches, want 2 (the plan's, the apply's)", n)
	}
	// The user it names changed since: refused.
	plan, _, _, _ = usersync.PlanAccess(ctx, c, []string{"u003@example.com"}, false)
	role := api.Role("Sales_Manager")
	setAttr(t, c, srv, "u003@example.com", api.UserUpdateFields{Role: &role})
	if _, err := usersync.Apply(ctx, c, plan, &usersync.MemJournal{}, usersync.ApplyOptions{}); !errors.Is(err, usersync.ErrAccountChanged) {
		t.Errorf("a changed user: %v", err)
	}
}

// The users a plan does not change are checked by hash as Apply reads them, not kept: one
// another admin changed since the plan (renamed, or deactivated) is named, and nothing is
// sent.
func TestApplyChecksTheUsersItDoesNotChange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, change := range []string{"rename", "deactivate"} {
		srv, c := account(t, 3, nil)
		src := source(1) // u001 and u002 are not in the source
		src[0].Attrs["FirstName"] = "X"
		plan, err := usersync.MakePlan(ctx, c, src, usersync.Options{})
		if err != nil {
			t.Fatal(err)
		}
		switch change {
		case "rename":
			other := "Other"
			setAttr(t, c, srv, "u002@example.com", api.UserUpdateFields{FirstName: &other})
		case "deactivate":
			if _, err := c.DeactivateUser(ctx, api.DeactivateUserParams{UserID: byEmail(srv, "u002@example.com").ID}); err != nil {
				t.Fatal(err)
			}
		}
		srv.ResetLog()
		_, err = usersync.Apply(ctx, c, plan, &usersync.MemJournal{}, usersync.ApplyOptions{})
		if !errors.Is(err, usersync.ErrAccountChanged) || !strings.Contains(err.Error(), "u002@example.com") || strings.Contains(err.Error(), "u001") {
			t.Errorf("%s: err = %v", change, err)
		}
		if srv.Count(api.OpUpdateUser) != 0 {
			t.Errorf("%s: changes sent to a changed account", change)
		}
	}
}
