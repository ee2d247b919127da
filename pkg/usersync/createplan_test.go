package usersync_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
	"github.com/leadsquared-go/leadsquared-go/pkg/usersync"
)

// newCreate is the create action of a user with the address, at line.
func newCreate(t *testing.T, line int, email string) usersync.Action {
	t.Helper()
	body, err := json.Marshal(api.UserCreateRequest{EmailAddress: email, FirstName: "N", Role: "Sales_User"})
	if err != nil {
		t.Fatal(err)
	}
	return usersync.Action{Kind: usersync.KindCreate, Email: email, Line: line, Create: body,
		Changes: []usersync.Change{{Attr: "Department", New: "Ops"}}}
}

// An import is a create-only plan of the engine, batch by batch: PlanCreates plans the users
// the account lacks (those it has are returned), Apply creates them with a RowJournal over
// the state file (a row's record: created, with its line), and a rerun plans nothing; a
// create left pending whose user now exists is found, not created again.
func TestPlanCreatesThenApplyWithTheRowJournal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv, c := account(t, 1, nil)
	creates := []usersync.Action{newCreate(t, 2, "u000@example.com"), newCreate(t, 3, "new1@example.com"), newCreate(t, 4, "New2@Example.com")}
	plan, exists, err := usersync.PlanCreates(ctx, c, creates)
	if err != nil {
		t.Fatal(err)
	}
	if len(exists) != 1 || exists["u000@example.com"].UserID == "" || len(plan.Actions) != 2 || !plan.Partial {
		t.Fatalf("exists %v, plan %+v", exists, plan.Actions)
	}
	st, err := usersync.OpenStateFile(filepath.Join(t.TempDir(), "team.csv.lsq-state"), "users import", c.BaseURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = st.Close() }()
	var recorded []usersync.StateRecord
	lines := map[string]int{"new1@example.com": 3, "new2@example.com": 4}
	j := &usersync.RowJournal{State: st, Line: func(k string) int { return lines[k] }, OnRecord: func(r usersync.StateRecord) { recorded = append(recorded, r) }}
	res, err := usersync.Apply(ctx, c, plan, j, usersync.ApplyOptions{Workers: 1})
	if err != nil || res.Done != 2 || res.Failed != 0 {
		t.Fatalf("apply: %+v, %v", res, err)
	}
	if u := byEmail(srv, "new2@example.com"); u.ID == "" || u.Attributes["Department"] != "Ops" {
		t.Errorf("new2: %+v", u)
	}
	created := 0
	for _, r := range recorded {
		if r.Status == usersync.StateCreated && r.UserID != "" && r.Row == lines[r.Key] {
			created++
		}
	}
	if created != 2 {
		t.Errorf("records: %+v", recorded)
	}

	// A rerun: every user is there.
	plan, exists, err = usersync.PlanCreates(ctx, c, creates)
	if err != nil || len(plan.Actions) != 0 || len(exists) != 3 {
		t.Errorf("rerun: plan %+v, exists %v, %v", plan, exists, err)
	}

	// A user created meanwhile by someone else: the plan is refused, nothing created twice.
	plan, _, err = usersync.PlanCreates(ctx, c, []usersync.Action{newCreate(t, 5, "late@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.AddUser(lsqtest.User{FirstName: "L", EmailAddress: "late@example.com", Role: "Sales_User"}); err != nil {
		t.Fatal(err)
	}
	srv.ResetLog()
	_, err = usersync.Apply(ctx, c, plan, j, usersync.ApplyOptions{})
	if !errors.Is(err, usersync.ErrAccountChanged) || srv.Count(api.OpCreateUser) != 0 {
		t.Errorf("a user created meanwhile: %v, %d creates", err, srv.Count(api.OpCreateUser))
	}

	// Only creates, their managers by Id.
	odd := newCreate(t, 6, "m@example.com")
	odd.ManagerEmail = "new1@example.com"
	if _, _, err := usersync.PlanCreates(ctx, c, []usersync.Action{odd}); !errors.Is(err, usersync.ErrBadPlan) || !strings.Contains(err.Error(), "action 1") {
		t.Errorf("a create with a manager by address: %v", err)
	}
}

// A create whose attributes cannot be set after it is recorded as failed, with the user's
// Id, and says the user was created: a rerun must not create it again.
func TestApplyCreatedButNotSet(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv, c := account(t, 0, nil)
	plan, _, err := usersync.PlanCreates(ctx, c, []usersync.Action{newCreate(t, 2, "half@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.FailNext(api.OpUpdateUser, 1, lsqtest.Fault{Status: 400, Body: `{"Status":"Error","ExceptionType":"MXInvalidInputException","ExceptionMessage":"no"}`}); err != nil {
		t.Fatal(err)
	}
	j := &usersync.MemJournal{}
	res, err := usersync.Apply(ctx, c, plan, j, usersync.ApplyOptions{})
	if err != nil || res.Failed != 1 || len(res.Failures) != 1 ||
		!strings.HasPrefix(res.Failures[0].Err.Error(), "created, but setting Department failed (") {
		t.Fatalf("apply: %+v, %v", res, err)
	}
	st, id, _ := j.Get(plan.Actions[0].ID())
	if u := byEmail(srv, "half@example.com"); st != usersync.StatusFailed || u.ID == "" || id != u.ID {
		t.Errorf("journal %s %s, user %+v", st, id, u)
	}
}
