package usersync_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
	"github.com/leadsquared-go/leadsquared-go/pkg/usersync"
)

// account is a fake account with n users u000..u(n-1) (Sales_User, team t1) and a client.
func account(t *testing.T, n int, wrap func(http.Handler) http.Handler) (*lsqtest.Server, *leadsquared.Client) {
	t.Helper()
	srv, err := lsqtest.New()
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := srv.AddUser(lsqtest.User{FirstName: fmt.Sprintf("U%03d", i), LastName: "L", EmailAddress: fmt.Sprintf("u%03d@example.com", i),
			Role: "Sales_User", TeamID: "t1", Attributes: map[string]string{"Department": "Sales"}}); err != nil {
			t.Fatal(err)
		}
	}
	h := srv.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(func() { ts.Close(); srv.Close() })
	c, err := leadsquared.New(ts.URL+lsqtest.BasePath, lsqtest.DefaultAccessKey, lsqtest.DefaultSecretKey, leadsquared.WithBackoff(time.Millisecond, 5*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

// source lists u000..u(n-1) as the account has them.
func source(n int) []usersync.Desired {
	var out []usersync.Desired
	for i := range n {
		out = append(out, usersync.Desired{Line: i + 2, Email: fmt.Sprintf("u%03d@example.com", i),
			Attrs: map[string]string{"FirstName": fmt.Sprintf("U%03d", i), "LastName": "L", "Role": "Sales_User", "TeamId": "t1", "Department": "Sales"}})
	}
	return out
}

func byEmail(srv *lsqtest.Server, email string) lsqtest.User {
	for _, u := range srv.Users() {
		if strings.EqualFold(u.EmailAddress, email) {
			return u
		}
	}
	return lsqtest.User{}
}

func TestPlanThenApplyThenNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv, c := account(t, 10, nil)
	src := source(10)
	src[1].Attrs["FirstName"] = "Renamed"   // update
	src[2].Attrs["Department"] = "Ops"      // update, custom-ish attribute
	src[3].Attrs["TeamId"] = "t2"           // team
	src[4].Attrs["TeamId"] = "t2"           // team, same call
	src[5].ManagerEmail = "new@example.com" // manager, created by the plan
	src = append(src, usersync.Desired{Line: 20, Email: "new@example.com", Attrs: map[string]string{"FirstName": "New", "Role": "Sales_User", "Department": "Ops"}})
	src = append(src[:9], src[10:]...) // u009 not listed: deactivated only with a scope
	plan, err := usersync.MakePlan(ctx, c, src, usersync.Options{})
	if err != nil {
		t.Fatal(err)
	}
	n := plan.Count()
	if n[usersync.KindCreate] != 1 || n[usersync.KindUpdate] != 2 || n[usersync.KindTeam] != 2 || n[usersync.KindManager] != 1 || n[usersync.KindDeactivate] != 0 {
		t.Fatalf("plan: %v\n%+v", n, plan.Actions)
	}
	var upd usersync.Action
	for _, a := range plan.Actions {
		if a.Kind == usersync.KindUpdate && a.Email == "u001@example.com" {
			upd = a
		}
	}
	if len(upd.Changes) != 1 || upd.Changes[0] != (usersync.Change{Attr: "FirstName", Old: "U001", New: "Renamed"}) {
		t.Errorf("update of u001: %+v", upd)
	}
	// The plan survives JSON.
	b, _ := json.Marshal(plan)
	var saved usersync.Plan
	if err := json.Unmarshal(b, &saved); err != nil {
		t.Fatal(err)
	}
	srv.ResetLog()
	res, err := usersync.Apply(ctx, c, &saved, &usersync.MemJournal{}, usersync.ApplyOptions{})
	if err != nil || res.Done != 6 || res.Failed != 0 {
		t.Fatalf("apply: %+v %v", res, err)
	}
	// Calls: one page read, 1 create + its update, 2 updates, 1 bulk team call, 1 bulk manager call.
	if srv.Count(api.OpBulkUpdateUsers) != 1 || srv.Count(api.OpCreateUser) != 1 || srv.Count(api.OpBulkUpdateUserManagers) != 1 || srv.Count(api.OpAdvancedSearchUsers) != 1 {
		t.Errorf("calls: %d search, %d create, %d bulk team, %d bulk managers, %d in all", srv.Count(api.OpAdvancedSearchUsers),
			srv.Count(api.OpCreateUser), srv.Count(api.OpBulkUpdateUsers), srv.Count(api.OpBulkUpdateUserManagers), len(srv.Requests()))
	}
	newU := byEmail(srv, "new@example.com")
	if byEmail(srv, "u001@example.com").FirstName != "Renamed" || byEmail(srv, "u003@example.com").TeamID != "t2" ||
		byEmail(srv, "u005@example.com").ManagerUserID != newU.ID || newU.Attributes["Department"] != "Ops" {
		t.Errorf("account after apply: %+v", srv.Users())
	}
	// A second sync of the same source plans nothing.
	again, err := usersync.MakePlan(ctx, c, src, usersync.Options{})
	if err != nil || !again.Empty() {
		t.Errorf("second plan: %v %+v", err, again.Actions)
	}
	// The saved plan again, with a fresh journal: the account changed.
	if _, err := usersync.Apply(ctx, c, &saved, &usersync.MemJournal{}, usersync.ApplyOptions{}); !errors.Is(err, usersync.ErrAccountChanged) {
		t.Errorf("stale plan: %v", err)
	}
}

func TestApplyRefusesAChangedAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv, c := account(t, 3, nil)
	src := source(3)
	src[0].Attrs["FirstName"] = "X"
	plan, err := usersync.MakePlan(ctx, c, src, usersync.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.AddUser(lsqtest.User{FirstName: "Late", EmailAddress: "late@example.com", Role: "Sales_User"}); err != nil {
		t.Fatal(err)
	}
	srv.ResetLog()
	_, err = usersync.Apply(ctx, c, plan, &usersync.MemJournal{}, usersync.ApplyOptions{})
	if !errors.Is(err, usersync.ErrAccountChanged) || !strings.Contains(err.Error(), "late@example.com (new)") {
		t.Errorf("err = %v", err)
	}
	if srv.Count(api.OpUpdateUser) != 0 {
		t.Errorf("changes sent to a changed account")
	}
}

func TestDeactivationNeedsAScopeAndSparesTheOwner(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv, c := account(t, 4, nil)
	src := source(2) // u002, u003 not listed; the owner (an Administrator) not listed
	if _, err := usersync.MakePlan(ctx, c, src, usersync.Options{Deactivate: true}); err == nil {
		t.Error("Deactivate without a scope: no error")
	}
	plan, err := usersync.MakePlan(ctx, c, src, usersync.Options{})
	if err != nil || plan.Count()[usersync.KindDeactivate] != 0 {
		t.Fatalf("without Deactivate: %v %+v", err, plan.Actions)
	}
	plan, err = usersync.MakePlan(ctx, c, src, usersync.Options{Deactivate: true, Scope: usersync.Scope{Role: "Sales_User"}})
	if err != nil || plan.Count()[usersync.KindDeactivate] != 2 {
		t.Fatalf("role scope: %v %+v", err, plan.Actions)
	}
	// A scope that takes in the owner (the Administrator): never deactivated, and said so.
	plan, err = usersync.MakePlan(ctx, c, src, usersync.Options{Deactivate: true, Scope: usersync.Scope{Role: "Administrator"}})
	if err != nil || plan.Count()[usersync.KindDeactivate] != 0 || len(plan.Notes) != 1 || !strings.Contains(plan.Notes[0], "never deactivated") {
		t.Fatalf("owner: %v %+v %v", err, plan.Actions, plan.Notes)
	}
	plan, _ = usersync.MakePlan(ctx, c, src, usersync.Options{Deactivate: true, Scope: usersync.Scope{TeamID: "t1"}})
	res, err := usersync.Apply(ctx, c, plan, &usersync.MemJournal{}, usersync.ApplyOptions{})
	if err != nil || res.Done != 2 || byEmail(srv, "u003@example.com").Status != lsqtest.UserInactive {
		t.Fatalf("apply: %+v %v", res, err)
	}
	// Listed again without a status: left inactive; marked Active: activated.
	plan, _ = usersync.MakePlan(ctx, c, source(4), usersync.Options{})
	if !plan.Empty() {
		t.Errorf("a listing without a status changes access: %+v", plan.Actions)
	}
	src = source(4)
	active := true
	src[3].Active = &active
	plan, _ = usersync.MakePlan(ctx, c, src, usersync.Options{})
	if n := plan.Count(); n[usersync.KindActivate] != 1 || len(plan.Actions) != 1 || plan.Actions[0].Email != "u003@example.com" {
		t.Errorf("reactivation plan: %+v", plan.Actions)
	}
}

// A create whose answer is lost is checked, not sent twice; an Apply interrupted and run
// again with its journal goes on.
func TestApplyNeverCreatesTwice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var drop atomic.Int32
	drop.Store(2)
	srv, c := account(t, 1, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			if strings.HasSuffix(r.URL.Path, "/User/Create") && drop.Add(-1) >= 0 {
				panic(http.ErrAbortHandler) // the user was created; the answer is lost
			}
		})
	})
	src := source(1)
	for i := range 4 {
		src = append(src, usersync.Desired{Line: 10 + i, Email: fmt.Sprintf("n%d@example.com", i), Attrs: map[string]string{"FirstName": "N", "Role": "Sales_User"}})
	}
	plan, err := usersync.MakePlan(ctx, c, src, usersync.Options{})
	if err != nil {
		t.Fatal(err)
	}
	j := &usersync.MemJournal{}
	res, err := usersync.Apply(ctx, c, plan, j, usersync.ApplyOptions{Workers: 2})
	if err != nil || res.Done != 4 || res.Failed != 0 {
		t.Fatalf("apply: %+v %v", res, err)
	}
	count := map[string]int{}
	for _, u := range srv.Users() {
		count[u.EmailAddress]++
	}
	for i := range 4 {
		if e := fmt.Sprintf("n%d@example.com", i); count[e] != 1 {
			t.Errorf("%s exists %d times", e, count[e])
		}
	}
	// The same plan and journal again: the Apply completed, so the journal starts clean, and
	// the plan is refused (the account changed since it was made); nothing sent.
	srv.ResetLog()
	res, err = usersync.Apply(ctx, c, plan, j, usersync.ApplyOptions{})
	if !errors.Is(err, usersync.ErrAccountChanged) || srv.Count(api.OpCreateUser) != 0 {
		t.Errorf("rerun of a completed plan: %+v %v", res, err)
	}
	// A journal left pending by a crash after the create: the rerun finds the user.
	j2 := &usersync.MemJournal{}
	if resumed, _ := j2.Begin(plan.ID()); resumed {
		t.Error("a new journal resumes")
	}
	for _, a := range plan.Actions {
		_ = j2.Put(a.ID(), usersync.StatusPending, "", "")
	}
	srv.ResetLog()
	res, err = usersync.Apply(ctx, c, plan, j2, usersync.ApplyOptions{})
	if err != nil || res.Done != 4 || srv.Count(api.OpCreateUser) != 0 {
		t.Errorf("pending rerun: %+v %v, %d creates", res, err, srv.Count(api.OpCreateUser))
	}
}

func TestInvalidSourceIsReportedWhole(t *testing.T) {
	t.Parallel()
	srv, c := account(t, 1, nil)
	src := []usersync.Desired{
		{Line: 2, Email: "Ada <ada@example.com>", Attrs: map[string]string{"FirstName": "A", "Role": "Sales_User"}},
		{Line: 3, Email: "b@example.com", Attrs: map[string]string{"FirstName": "B", "Role": "Sales_User"}},
		{Line: 4, Email: "B@example.com", Attrs: map[string]string{"FirstName": "B", "Role": "Sales_User"}},
	}
	_, err := usersync.MakePlan(context.Background(), c, src, usersync.Options{})
	if !errors.Is(err, usersync.ErrInvalidSource) || !strings.Contains(err.Error(), "row 2, column EmailAddress: write the address alone") ||
		!strings.Contains(err.Error(), "row 4, column EmailAddress: B@example.com is the same address as b@example.com of row 3") {
		t.Errorf("err = %v", err)
	}
	if len(srv.Requests()) != 0 {
		t.Errorf("%d requests for an invalid source", len(srv.Requests()))
	}
	// A create that breaks the spec: found before anything is sent.
	_, err = usersync.MakePlan(context.Background(), c, []usersync.Desired{{Line: 2, Email: "c@example.com", Attrs: map[string]string{"FirstName": "C", "Role": "Boss"}}}, usersync.Options{})
	if !errors.Is(err, usersync.ErrInvalidSource) || !strings.Contains(err.Error(), "row 2, column Role") {
		t.Errorf("invalid create: %v", err)
	}
}

// A journal holding the records of an unfinished Apply of one plan resumes nothing of
// another: the second plan's update of the same user is sent.
func TestJournalResumesOnlyItsPlan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv, c := account(t, 2, nil)
	src := source(2)
	src[1].Attrs["FirstName"] = "First"
	planA, err := usersync.MakePlan(ctx, c, src, usersync.Options{})
	if err != nil {
		t.Fatal(err)
	}
	j := &usersync.MemJournal{}
	_, _ = j.Begin(planA.ID())
	_ = j.Put(planA.Actions[0].ID(), usersync.StatusDone, "", "") // recorded, then a crash before the next
	src[1].Attrs["FirstName"] = "Second"
	planB, err := usersync.MakePlan(ctx, c, src, usersync.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if planA.ID() == planB.ID() || planA.Actions[0].ID() != planB.Actions[0].ID() {
		t.Fatalf("plans: %s %s", planA.ID(), planB.ID())
	}
	res, err := usersync.Apply(ctx, c, planB, j, usersync.ApplyOptions{})
	if err != nil || res.Done != 1 || res.Earlier != 0 || byEmail(srv, "u001@example.com").FirstName != "Second" {
		t.Errorf("apply of another plan: %+v %v", res, err)
	}
}

// A row that says what the account has, in another spelling same accepts (spaces, a Role
// in another case), plans nothing, and its user is still known to the plan: as a manager
// of another row, and in the plan's users; a row that differs only where the spelling
// does not matter to the plan is still compared.
func TestUnchangedRowsAreKnownUsers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, c := account(t, 4, nil)
	src := source(4)
	src[0].Attrs["Role"] = "SALES_user"
	src[0].Attrs["FirstName"] = " U000 "
	src[1].ManagerEmail = "u000@example.com" // an unchanged user of the file as manager
	src[2].Attrs["LastName"] = "l"           // case matters outside Role
	active := true
	src[3].Active = &active // already active: nothing to do
	p, err := usersync.MakePlan(ctx, c, src, usersync.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range p.Actions {
		got = append(got, string(a.Kind)+" "+a.Email)
	}
	if want := []string{"update u002@example.com", "manager u001@example.com"}; !slices.Equal(got, want) {
		t.Errorf("actions = %q, want %q", got, want)
	}
	if _, ok := p.Users.Get("u000@example.com"); !ok || p.Users.Len() != 5 { // and the key owner
		t.Errorf("the plan read %d users, want 5 with u000", p.Users.Len())
	}
}

// A plan lists the access changes first, then creates, updates, team moves and managers.
func TestPlanOrdersAccessFirst(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv, c := account(t, 5, nil)
	if _, err := srv.AddUser(lsqtest.User{FirstName: "U005", LastName: "L", EmailAddress: "u005@example.com", Role: "Sales_User", TeamID: "t1",
		Attributes: map[string]string{"Department": "Sales"}, Status: lsqtest.UserInactive}); err != nil {
		t.Fatal(err)
	}
	src := source(6)
	src[0].Attrs["TeamId"] = "t2"
	src[1].ManagerEmail = "u002@example.com"
	src[2].Attrs["FirstName"] = "Renamed"
	active, inactive := true, false
	src[3].Active = &inactive
	src[5].Active = &active
	src = append(src, usersync.Desired{Line: 9, Email: "new@example.com", Attrs: map[string]string{"FirstName": "N", "Role": "Sales_User"}})
	p, err := usersync.MakePlan(ctx, c, src, usersync.Options{Deactivate: true, Scope: usersync.Scope{Role: "Nobody"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range p.Actions {
		got = append(got, string(a.Kind)+" "+a.Email)
	}
	want := []string{"activate u005@example.com", "deactivate u003@example.com", "create new@example.com",
		"update u002@example.com", "team u000@example.com", "manager u001@example.com"}
	if !slices.Equal(got, want) {
		t.Errorf("actions = %q\nwant %q", got, want)
	}
}

// A row naming a manager is compared whether the account lists the user before or after
// the manager (by CreatedOn): a user whose manager is the row's plans nothing and is not
// read again; the others are read again, whole, in one search by address, and plan the
// manager change.
func TestManagersReadAfterTheirReports(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var lookups atomic.Int32
	srv, c := account(t, 0, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/User/AdvancedSearch") {
				body, _ := io.ReadAll(r.Body)
				if strings.Contains(string(body), "LookupValue") {
					lookups.Add(1)
				}
				r.Body = io.NopCloser(bytes.NewReader(body))
			}
			h.ServeHTTP(w, r)
		})
	})
	early, late, later := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
	add := func(email, manager string, created time.Time) lsqtest.User {
		t.Helper()
		u, err := srv.AddUser(lsqtest.User{FirstName: "F", LastName: "L", EmailAddress: email, Role: "Sales_User", TeamID: "t1", ManagerUserID: manager, CreatedOn: created})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	m1, m2 := add("m1@example.com", "", late), add("m2@example.com", "", late)
	add("same@example.com", m1.ID, early)      // read before m1: the same manager
	add("moved@example.com", m1.ID, early)     // read before m2: to m2
	add("none@example.com", "", early)         // no manager yet: to m1
	add("tonew@example.com", m1.ID, early)     // to a manager the file creates
	add("after@example.com", m1.ID, later)     // read after m1: the same manager
	add("aftermove@example.com", m1.ID, later) // read after m2: to m2
	row := func(line int, email, manager string) usersync.Desired {
		return usersync.Desired{Line: line, Email: email, ManagerEmail: manager, Attrs: map[string]string{"FirstName": "F", "LastName": "L", "Role": "Sales_User", "TeamId": "t1"}}
	}
	plan := func(src []usersync.Desired) []string {
		t.Helper()
		p, err := usersync.MakePlan(ctx, c, src, usersync.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range p.Actions {
			s := string(a.Kind) + " " + a.Email
			for _, ch := range a.Changes {
				s += fmt.Sprintf(" %s %q -> %q", ch.Attr, ch.Old, ch.New)
			}
			if a.ManagerEmail != "" {
				s += " (" + a.ManagerEmail + ")"
			}
			got = append(got, s)
		}
		return got
	}
	unchanged := []usersync.Desired{row(2, "m1@example.com", ""), row(3, "m2@example.com", ""), row(4, "same@example.com", "m1@example.com"),
		row(5, "after@example.com", "m1@example.com")}
	if got := plan(unchanged); len(got) != 0 || lookups.Load() != 0 {
		t.Errorf("managers as the account has them: actions %q, %d searches by address; want none", got, lookups.Load())
	}
	src := append(unchanged, row(6, "moved@example.com", "m2@example.com"), row(7, "none@example.com", "m1@example.com"),
		row(8, "tonew@example.com", "new@example.com"), row(9, "aftermove@example.com", "m2@example.com"),
		usersync.Desired{Line: 10, Email: "new@example.com", Attrs: map[string]string{"FirstName": "N", "Role": "Sales_User"}})
	want := []string{
		"create new@example.com",
		fmt.Sprintf("manager moved@example.com ManagerUserId %q -> %q (m2@example.com)", m1.ID, m2.ID),
		fmt.Sprintf("manager none@example.com ManagerUserId %q -> %q (m1@example.com)", "", m1.ID),
		fmt.Sprintf("manager tonew@example.com ManagerUserId %q -> %q (new@example.com)", m1.ID, ""),
		fmt.Sprintf("manager aftermove@example.com ManagerUserId %q -> %q (m2@example.com)", m1.ID, m2.ID),
	}
	got := plan(src)
	slices.Sort(got[1:])
	slices.Sort(want[1:])
	if !slices.Equal(got, want) {
		t.Errorf("actions:\n%q\nwant\n%q", got, want)
	}
	if n := lookups.Load(); n != 1 {
		t.Errorf("%d searches by address, want 1 (the three users read before their manager, whose manager changes)", n)
	}
	// Applied, the account has the file's managers: a new plan has nothing to do.
	p, err := usersync.MakePlan(ctx, c, src, usersync.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := usersync.Apply(ctx, c, p, &usersync.MemJournal{}, usersync.ApplyOptions{}); err != nil || res.Failed > 0 {
		t.Fatalf("Apply: %+v, %v", res, err)
	}
	newU := byEmail(srv, "new@example.com")
	for email, mgr := range map[string]string{"moved@example.com": m2.ID, "none@example.com": m1.ID, "tonew@example.com": newU.ID, "aftermove@example.com": m2.ID, "same@example.com": m1.ID} {
		if got := byEmail(srv, email).ManagerUserID; got != mgr || got == "" {
			t.Errorf("%s: manager %q, want %q", email, got, mgr)
		}
	}
	if got := plan(src); len(got) != 0 {
		t.Errorf("after the apply: %q", got)
	}
}

// Apply of a nil plan, with a nil journal or a client New did not make is an error, not a
// panic; CreateOnce takes a nil pending.
func TestApplyNilArguments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv, c := account(t, 1, nil)
	p, err := usersync.MakePlan(ctx, c, []usersync.Desired{{Line: 2, Email: "n@example.com", Attrs: map[string]string{"FirstName": "N", "Role": "Sales_User"}}}, usersync.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := usersync.Apply(ctx, c, nil, &usersync.MemJournal{}, usersync.ApplyOptions{}); !errors.Is(err, usersync.ErrBadPlan) {
		t.Errorf("nil plan: %v", err)
	}
	if _, err := usersync.Apply(ctx, c, p, nil, usersync.ApplyOptions{}); err == nil || !strings.Contains(err.Error(), "no journal") {
		t.Errorf("nil journal: %v", err)
	}
	for _, bad := range []*leadsquared.Client{nil, {}} {
		if _, err := usersync.Apply(ctx, bad, p, &usersync.MemJournal{}, usersync.ApplyOptions{}); err == nil || !strings.Contains(err.Error(), "not made by leadsquared.New") {
			t.Errorf("client %v: %v", bad, err)
		}
	}
	if srv.Count(api.OpCreateUser) != 0 {
		t.Fatalf("a create was sent")
	}
	id, existed, err := usersync.CreateOnce(ctx, c, api.UserCreateRequest{FirstName: "N", EmailAddress: "n@example.com", Role: "Sales_User", Password: "Secret#123"}, nil)
	if err != nil || existed || id == "" {
		t.Errorf("CreateOnce with a nil pending: %q, %v, %v", id, existed, err)
	}
}

// A row naming a manager the account has twins of (one address in two spellings) is an
// error, even when the user's manager is the first of them, read before the second.
func TestManagerTwinsReadAfterTheRow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv, c := account(t, 0, nil)
	day := func(d int) time.Time { return time.Date(2020, 1, d, 0, 0, 0, 0, time.UTC) }
	add := func(email, manager string, created time.Time) lsqtest.User {
		t.Helper()
		u, err := srv.AddUser(lsqtest.User{FirstName: "F", LastName: "L", EmailAddress: email, Role: "Sales_User", TeamID: "t1", ManagerUserID: manager, CreatedOn: created})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	first := add("jos\u00e9@example.com", "", day(1))
	add("r@example.com", first.ID, day(2))
	add("jose\u0301@example.com", "", day(3)) // the same address once normalised
	src := []usersync.Desired{{Line: 2, Email: "r@example.com", ManagerEmail: "jos\u00e9@example.com", Attrs: map[string]string{"FirstName": "F", "LastName": "L", "Role": "Sales_User", "TeamId": "t1"}}}
	_, err := usersync.MakePlan(ctx, c, src, usersync.Options{})
	if !errors.Is(err, usersync.ErrInvalidSource) || !strings.Contains(err.Error(), "row 2, column ManagerEmail: the account has 2 users with this address") {
		t.Errorf("MakePlan: %v; want the manager's twins refused", err)
	}
}
