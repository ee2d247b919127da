package usersync_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/usersync"
)

// A saved plan is checked whole before its first action: each malformed form is an error
// naming the action, and nothing is sent.
func TestMalformedPlansAreRefusedWhole(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv, c := account(t, 3, nil)
	src := source(3)
	src[0].Attrs["FirstName"] = "X"
	src[1].Attrs["TeamId"] = "t2"
	src = append(src, usersync.Desired{Line: 9, Email: "new@example.com", Attrs: map[string]string{"FirstName": "N", "Role": "Sales_User"}})
	plan, err := usersync.MakePlan(ctx, c, src, usersync.Options{})
	if err != nil || len(plan.Actions) != 3 {
		t.Fatalf("plan: %v %+v", err, plan)
	}
	saved, _ := json.Marshal(plan)
	idx := func(p *usersync.Plan, k usersync.Kind) int {
		for i, a := range p.Actions {
			if a.Kind == k {
				return i
			}
		}
		t.Fatalf("no %s", k)
		return 0
	}
	for _, tc := range []struct {
		edit func(p *usersync.Plan)
		want string
	}{
		{func(p *usersync.Plan) { p.Actions[idx(p, usersync.KindCreate)].Create = nil }, "(create new@example.com): no create body"},
		{func(p *usersync.Plan) { p.Actions[idx(p, usersync.KindUpdate)].Kind = "rename" }, "(rename u000@example.com): not a kind of action"},
		{func(p *usersync.Plan) { p.Actions[idx(p, usersync.KindUpdate)].Changes = nil }, "(update u000@example.com): no changes"},
		{func(p *usersync.Plan) { p.Actions[idx(p, usersync.KindUpdate)].Changes[0].Attr = "Shoe" }, "Shoe: not an attribute Update a User takes"},
		{func(p *usersync.Plan) { p.Actions[idx(p, usersync.KindTeam)].Changes = nil }, "(team u001@example.com): want one change, of TeamId"},
		{func(p *usersync.Plan) { p.Actions[idx(p, usersync.KindUpdate)].UserID = "" }, "not a user the plan read"},
		{func(p *usersync.Plan) { p.Actions[idx(p, usersync.KindCreate)].Email = "u002@example.com" }, "the account has this user"},
		{func(p *usersync.Plan) { p.Actions[idx(p, usersync.KindUpdate)].Email = "not an address" }, `(update "not an address"): the address`},
		{func(p *usersync.Plan) { p.Actions = append(p.Actions, p.Actions[0]) }, "action 4 (create new@example.com): the same action as action 1"},
		{func(p *usersync.Plan) { p.Users.Set("x@example.com", "0") }, "its users or scope were edited"},
		{func(p *usersync.Plan) {
			p.Actions = append(p.Actions, usersync.Action{Kind: usersync.KindDeactivate, Email: "u002@example.com", UserID: "x", ManagerEmail: "u000@example.com"})
		}, "action 4 (deactivate u002@example.com): a managerEmail on an action that sets no manager"},
	} {
		var p usersync.Plan
		if err := json.Unmarshal(saved, &p); err != nil {
			t.Fatal(err)
		}
		tc.edit(&p)
		srv.ResetLog()
		_, err := usersync.Apply(ctx, c, &p, &usersync.MemJournal{}, usersync.ApplyOptions{})
		if !errors.Is(err, usersync.ErrBadPlan) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("err = %v, want %q", err, tc.want)
		}
		if n := len(srv.Requests()); n != 0 {
			t.Errorf("%q: %d requests", tc.want, n)
		}
	}
	var p usersync.Plan
	_ = json.Unmarshal(saved, &p)
	if err := p.Check(); err != nil {
		t.Errorf("the plan as saved: %v", err)
	}
}

// The rules of lsq users import hold for a plan: managers the source creates form no
// cycle, and an attribute no call sets for a new user is an error naming the row.
func TestPlanRefusesManagerCyclesAndUnsettableAttributes(t *testing.T) {
	t.Parallel()
	_, c := account(t, 1, nil)
	src := []usersync.Desired{
		{Line: 2, Email: "a@example.com", ManagerEmail: "b@example.com", Attrs: map[string]string{"FirstName": "A", "Role": "Sales_User"}},
		{Line: 3, Email: "b@example.com", ManagerEmail: "a@example.com", Attrs: map[string]string{"FirstName": "B", "Role": "Sales_User"}},
		{Line: 4, Email: "c@example.com", Attrs: map[string]string{"FirstName": "C", "Role": "Sales_User", "EmployeeId": "E1"}},
	}
	_, err := usersync.MakePlan(context.Background(), c, src, usersync.Options{})
	for _, want := range []string{"row 2, column ManagerEmail: a cycle of managers: rows 2 -> 3 -> 2", "row 3, column ManagerEmail: a cycle of managers: rows 3 -> 2 -> 3", "row 4, column EmployeeId: no LeadSquared call sets it"} {
		if !errors.Is(err, usersync.ErrInvalidSource) || !strings.Contains(err.Error(), want) {
			t.Errorf("err lacks %q: %v", want, err)
		}
	}
}

// A plan written by WriteJSON reads back the same, one user and one action a line.
func TestWriteJSONReadsBack(t *testing.T) {
	t.Parallel()
	_, c := account(t, 3, nil)
	src := source(3)
	src[0].Attrs["FirstName"] = "X\n\x1b[8m"
	src = append(src, usersync.Desired{Line: 9, Email: "new@example.com", Attrs: map[string]string{"FirstName": "N", "Role": "Sales_User", "Department": "Ops"}})
	plan, err := usersync.MakePlan(context.Background(), c, src, usersync.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := plan.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var back usersync.Plan
	if err := json.Unmarshal([]byte(b.String()), &back); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	want, _ := json.Marshal(plan)
	got, _ := json.Marshal(&back)
	if string(got) != string(want) || back.ID() != plan.ID() || back.Check() != nil {
		t.Errorf("read back:\n%s\nwant\n%s", got, want)
	}
	if n := strings.Count(b.String(), "\n"); n != 1+plan.Users.Len()+len(plan.Actions)+2 {
		t.Errorf("%d lines:\n%s", n, b.String())
	}
}

// A Password column sets a new user's password (the create's body) and is left alone, never
// shown, for a user the account has: the rule of lsq users import.
func TestPasswordIsSetAtCreateOnly(t *testing.T) {
	t.Parallel()
	_, c := account(t, 1, nil)
	src := source(1)
	src[0].Attrs["Password"] = "s3cret-Old!"
	src = append(src, usersync.Desired{Line: 9, Email: "new@example.com", Attrs: map[string]string{"FirstName": "N", "Role": "Sales_User", "Password": "s3cret-New!"}})
	plan, err := usersync.MakePlan(context.Background(), c, src, usersync.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Actions) != 1 || !strings.Contains(string(plan.Actions[0].Create), `"Password":"s3cret-New!"`) {
		t.Errorf("actions: %+v", plan.Actions)
	}
	if len(plan.Notes) != 1 || !strings.Contains(plan.Notes[0], "Password: set only when a user is created") || strings.Contains(plan.Notes[0], "s3cret") {
		t.Errorf("notes: %q", plan.Notes)
	}
}
