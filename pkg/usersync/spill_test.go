package usersync_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
	"github.com/leadsquared-go/leadsquared-go/pkg/usersync"
)

// lsqtestUser is an account user with the address, outside a source's scope.
func lsqtestUser(email string) lsqtest.User {
	return lsqtest.User{FirstName: "T", LastName: "L", EmailAddress: email, Role: "Sales_User", TeamID: "t1"}
}

// spillSource is source(n) with changes of every kind and new users (custom fields, an
// attribute only Update a User sets, text JSON escapes); with managed, new users whose
// managers the plan creates, one of them after its report.
func spillSource(n int, managed bool) []usersync.Desired {
	src := source(n)
	src[1].Attrs["FirstName"] = "Renamed"
	src[3].Attrs["TeamId"] = "t2"
	src = src[:n-1] // u(n-1) not listed: deactivated by the scope
	for i := range 5 {
		src = append(src, usersync.Desired{Line: 100 + i, Email: fmt.Sprintf("new%d@example.com", i),
			Attrs: map[string]string{"FirstName": fmt.Sprintf("Né<%d>&\"q\"", i), "Role": "Sales_User", "mx_Custom_1": "c\u2028x", "Department": "Ops"}})
	}
	if managed { // new4 -> new0, new2 -> new1 -> new3: the plan makes new0 and new3 first, then new4 and new1, then new2
		src[len(src)-1].ManagerEmail = "new0@example.com"
		src[len(src)-3].ManagerEmail = "new1@example.com"
		src[len(src)-4].ManagerEmail = "new3@example.com"
	}
	return src
}

// TestSpillCreatesSamePlan checks that a plan whose creates wait in a temporary file is the
// plan held in memory: the same actions in the same order, the same saved plan byte for
// byte, the same counts; that Close removes the file; and that Apply creates them.
func TestSpillCreatesSamePlan(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	ctx := context.Background()
	for _, managed := range []bool{false, true} {
		t.Run(fmt.Sprintf("managed=%v", managed), func(t *testing.T) {
			srv, c := account(t, 10, nil)
			opts := usersync.Options{Deactivate: true, Scope: usersync.Scope{Role: "Sales_User"}}
			held, err := usersync.MakePlan(ctx, c, spillSource(10, managed), opts)
			if err != nil {
				t.Fatal(err)
			}
			opts.SpillCreates = true
			spilled, err := usersync.MakePlan(ctx, c, spillSource(10, managed), opts)
			if err != nil {
				t.Fatal(err)
			}
			files, _ := os.ReadDir(tmp)
			want := 0 // the file's name is removed at once where an open file outlives it
			if runtime.GOOS == "windows" {
				want = 1
			}
			switch {
			case len(files) != want:
				t.Fatalf("%d files in TMPDIR, want %d", len(files), want)
			case len(spilled.Actions) != len(held.Actions)-5:
				// With managed, in the order of their managers: the file written again.
				t.Fatalf("spilled: %d of %d actions held, want the 5 creates in the file", len(spilled.Actions), len(held.Actions))
			}
			var all []usersync.Action
			for a, err := range spilled.All() {
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, a)
			}
			if !reflect.DeepEqual(all, held.Actions) {
				t.Errorf("All:\n%+v\nwant the held plan's Actions:\n%+v", all, held.Actions)
			}
			var made []string
			for _, a := range all {
				if a.Kind == usersync.KindCreate {
					made = append(made, strings.TrimSuffix(a.Email, "@example.com"))
				}
			}
			wantMade := []string{"new0", "new1", "new2", "new3", "new4"}
			if managed { // a level of managers at a time, in the order of the file within one
				wantMade = []string{"new0", "new3", "new1", "new4", "new2"}
			}
			if !slices.Equal(made, wantMade) {
				t.Errorf("creates in the order %q, want %q", made, wantMade)
			}
			if spilled.Len() != len(held.Actions) || !reflect.DeepEqual(spilled.Count(), held.Count()) || spilled.Empty() {
				t.Errorf("Len %d, Count %v; want %d, %v", spilled.Len(), spilled.Count(), len(held.Actions), held.Count())
			}
			var a, b bytes.Buffer
			if err := held.WriteJSON(&a); err != nil {
				t.Fatal(err)
			}
			if err := spilled.WriteJSON(&b); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) || spilled.ID() != held.ID() {
				t.Errorf("saved plans differ:\n%s\nwant\n%s", b.Bytes(), a.Bytes())
			}
			if err := spilled.Check(); err != nil {
				t.Fatal(err)
			}
			res, err := usersync.Apply(ctx, c, spilled, &usersync.MemJournal{}, usersync.ApplyOptions{Workers: 2})
			if err != nil || res.Failed+res.NotRun > 0 || res.Done != len(held.Actions) {
				t.Fatalf("Apply: %+v, %v", res, err)
			}
			for i := range 5 {
				if u := byEmail(srv, fmt.Sprintf("new%d@example.com", i)); u.ID == "" {
					t.Errorf("new%d not created", i)
				}
			}
			if err := spilled.Close(); err != nil {
				t.Fatal(err)
			}
			if files, _ := os.ReadDir(tmp); len(files) != 0 {
				t.Errorf("after Close: %d files in TMPDIR", len(files))
			}
			if spilled.Len() != len(spilled.Actions) {
				t.Errorf("after Close: Len %d, want the %d held", spilled.Len(), len(spilled.Actions))
			}
		})
	}
}

// TestSpillCreatesSameErrors checks that a source with errors, a cycle of managers among
// the users it creates included, is refused with the same errors when creates spill.
func TestSpillCreatesSameErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, c := account(t, 5, nil)
	src := spillSource(5, false)
	src[len(src)-1].ManagerEmail = "new3@example.com" // new4 -> new3 -> new4
	src[len(src)-2].ManagerEmail = "new4@example.com"
	src[len(src)-3].Attrs["IsPhoneCallAgent"] = "maybe" // not a boolean
	_, want := usersync.MakePlan(ctx, c, src, usersync.Options{})
	_, err := usersync.MakePlan(ctx, c, src, usersync.Options{SpillCreates: true})
	if !errors.Is(want, usersync.ErrInvalidSource) || !strings.Contains(want.Error(), "a cycle of managers") {
		t.Fatalf("held: %v, want the cycle refused", want)
	}
	if err == nil || err.Error() != want.Error() {
		t.Errorf("spilled: %v\nwant %v", err, want)
	}
}

// TestDroppedTwinsKept checks that two account users with one address key that the source
// does not name are both fingerprinted (a plan dropped them as read), and a third user
// with another key is not taken for a twin.
func TestDroppedTwinsKept(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv, c := account(t, 3, nil)
	// NFC and NFD of one address: one key.
	for _, e := range []string{"jos\u00e9@example.com", "jose\u0301@example.com", "other@example.com"} {
		if _, err := srv.AddUser(lsqtestUser(e)); err != nil {
			t.Fatal(err)
		}
	}
	plan, err := usersync.MakePlan(ctx, c, source(3), usersync.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range plan.Users.All() {
		keys = append(keys, k)
	}
	if len(keys) != 7 || !slices.Contains(keys, "jos\u00e9@example.com") || !slices.Contains(keys, "other@example.com") {
		t.Fatalf("fingerprints of %q, want the 3 listed users, the admin, other@ and both twins (one by Id)", keys)
	}
	if n := len(slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return !strings.HasPrefix(k, "\x00") })); n != 1 {
		t.Errorf("%d keys by Id, want the second twin's only: %q", n, keys)
	}
}

// accountState is the account's users by address, without what differs between two
// accounts that were given the same calls (Ids, times).
func accountState(srv *lsqtest.Server) map[string]string {
	out := map[string]string{}
	for _, u := range srv.Users() {
		u.ID, u.ManagerUserID = "", ""
		u.CreatedOn, u.ModifiedOn, u.LastCheckedOn = time.Time{}, time.Time{}, time.Time{}
		out[strings.ToLower(u.EmailAddress)] = fmt.Sprintf("%+v", u)
	}
	return out
}

// TestSpillApplySameAsHeld checks that Apply of a plan whose creates wait in a temporary
// file (read back one at a time as they are made) makes what Apply of the same plan held in
// memory makes, in two runs: one where a create fails, and the run that resumes it from the
// journal (the creates done are not made again, the failed one is).
func TestSpillApplySameAsHeld(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	ctx := context.Background()
	type run struct {
		res   [2]usersync.Result
		done  [2][]string
		state map[string]string
		calls int
	}
	do := func(spill bool) run {
		srv, c := account(t, 10, nil)
		plan, err := usersync.MakePlan(ctx, c, spillSource(10, false), usersync.Options{Deactivate: true, Scope: usersync.Scope{Role: "Sales_User"}, SpillCreates: spill})
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = plan.Close() }()
		if held := len(plan.Actions) < plan.Len(); held != spill {
			t.Fatalf("spill %v: %d of %d actions held", spill, len(plan.Actions), plan.Len())
		}
		var r run
		j := &usersync.MemJournal{}
		for i := range 2 {
			if i == 0 {
				if err := srv.FailNext(api.OpCreateUser, 1, lsqtest.Fault{Status: 400, Body: `{"Status":"Error","ExceptionType":"MXInvalidInputException","ExceptionMessage":"no"}`}); err != nil {
					t.Fatal(err)
				}
			}
			var mu sync.Mutex
			res, err := usersync.Apply(ctx, c, plan, j, usersync.ApplyOptions{Workers: 1, OnDone: func(a usersync.Action, err error) {
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					r.done[i] = append(r.done[i], a.ID())
				}
			}})
			if err != nil {
				t.Fatalf("spill %v, run %d: %v", spill, i, err)
			}
			res.Failures = nil
			r.res[i] = *res
			slices.Sort(r.done[i])
		}
		r.state = accountState(srv)
		r.calls = srv.Count(api.OpCreateUser)
		return r
	}
	held, spilled := do(false), do(true)
	if held.res[0].Failed != 1 || held.res[1].Earlier == 0 || held.res[1].Failed+held.res[1].NotRun > 0 {
		t.Fatalf("held: results %+v, want a create failed then made", held.res)
	}
	if !reflect.DeepEqual(spilled.res, held.res) || !reflect.DeepEqual(spilled.done, held.done) {
		t.Errorf("spilled: results %+v, done %q\nwant %+v, %q", spilled.res, spilled.done, held.res, held.done)
	}
	if !reflect.DeepEqual(spilled.state, held.state) || spilled.calls != held.calls {
		t.Errorf("spilled: %d creates, account\n%v\nwant %d, %v", spilled.calls, spilled.state, held.calls, held.state)
	}
}

// TestReadPlanSpillsCreates checks that ReadPlan reads a saved plan into the plan
// json.Unmarshal reads, with its creates in a temporary file (but for those that follow
// other actions), that Check of it finds what Check of the held plan finds, naming the same
// action, and that it applies.
func TestReadPlanSpillsCreates(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	ctx := context.Background()
	for _, managed := range []bool{false, true} {
		t.Run(fmt.Sprintf("managed=%v", managed), func(t *testing.T) {
			srv, c := account(t, 10, nil)
			made, err := usersync.MakePlan(ctx, c, spillSource(10, managed), usersync.Options{Deactivate: true, Scope: usersync.Scope{Role: "Sales_User"}})
			if err != nil {
				t.Fatal(err)
			}
			var saved bytes.Buffer
			if err := made.WriteJSON(&saved); err != nil {
				t.Fatal(err)
			}
			var held usersync.Plan
			if err := json.Unmarshal(saved.Bytes(), &held); err != nil {
				t.Fatal(err)
			}
			read, err := usersync.ReadPlan(bytes.NewReader(saved.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = read.Close() }()
			var all []usersync.Action
			for a, err := range read.All() {
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, a)
			}
			switch {
			case len(read.Actions) != len(held.Actions)-5:
				t.Errorf("%d of %d actions held, want the 5 creates in the file", len(read.Actions), len(held.Actions))
			case !reflect.DeepEqual(all, held.Actions):
				t.Errorf("All:\n%+v\nwant\n%+v", all, held.Actions)
			case read.ID() != held.ID() || read.Fingerprint != held.Fingerprint:
				t.Errorf("ID %s, want %s", read.ID(), held.ID())
			case held.Users.Len() == 0 || !maps.Equal(maps.Collect(read.Users.All()), maps.Collect(held.Users.All())):
				t.Errorf("users %v, want %v", maps.Collect(read.Users.All()), maps.Collect(held.Users.All()))
			}
			// A users object that is not one (read as it is decoded): not a plan.
			if _, err := usersync.ReadPlan(bytes.NewReader(bytes.Replace(saved.Bytes(), []byte(`"users":{`), []byte(`"users":[{`), 1))); err == nil || !strings.Contains(err.Error(), "not a plan") {
				t.Errorf("ReadPlan of users not an object: %v", err)
			}
			if err := read.Check(); err != nil {
				t.Fatal(err)
			}

			// A create whose address is not its body's: the same error, naming the action.
			edited := bytes.Replace(saved.Bytes(), []byte(`"line":102,`), []byte(`"line":102,"email":"x@example.com",`), 1)
			var badHeld usersync.Plan
			if err := json.Unmarshal(edited, &badHeld); err != nil {
				t.Fatal(err)
			}
			bad, err := usersync.ReadPlan(bytes.NewReader(edited))
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = bad.Close() }()
			want := badHeld.Check()
			if err := bad.Check(); want == nil || !strings.Contains(want.Error(), "x@example.com") || err == nil || err.Error() != want.Error() {
				t.Errorf("Check of an edited plan: %v\nwant %v", err, want)
			}
			if _, err := usersync.Apply(ctx, c, bad, &usersync.MemJournal{}, usersync.ApplyOptions{}); !errors.Is(err, usersync.ErrBadPlan) || srv.Count(api.OpCreateUser) != 0 {
				t.Errorf("Apply of an edited plan: %v, %d creates; want ErrBadPlan and none", err, srv.Count(api.OpCreateUser))
			}
			// A row that cannot be read: an error naming the action.
			_, err = usersync.ReadPlan(bytes.NewReader(bytes.Replace(saved.Bytes(), []byte(`"row":[`), []byte(`"row":[1,`), 1)))
			if err == nil || !strings.Contains(err.Error(), "action ") {
				t.Errorf("ReadPlan of a bad row: %v", err)
			}

			res, err := usersync.Apply(ctx, c, read, &usersync.MemJournal{}, usersync.ApplyOptions{Workers: 2})
			if err != nil || res.Failed+res.NotRun > 0 || res.Done != len(held.Actions) {
				t.Fatalf("Apply: %+v, %v", res, err)
			}
			if n := srv.Count(api.OpCreateUser); n != 5 {
				t.Errorf("%d creates, want 5", n)
			}
		})
	}
}
