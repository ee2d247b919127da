package usersync_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
	"github.com/leadsquared-go/leadsquared-go/pkg/usersync"
)

// Plan the changes that make an account match a list of users, then apply them.
func Example() {
	srv, err := lsqtest.NewServer() // in a test: lsqtest.MustNewServer(t)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	_, _ = srv.AddUser(lsqtest.User{FirstName: "Ada", EmailAddress: "ada@example.com", Role: "Sales_User"})
	c, _ := leadsquared.New(srv.URL, srv.AccessKey, srv.SecretKey)

	ctx := context.Background()
	want := []usersync.Desired{
		{Email: "ada@example.com", Attrs: map[string]string{"FirstName": "Ada", "Department": "Research"}},
		{Email: "grace@example.com", Attrs: map[string]string{"FirstName": "Grace", "Role": "Sales_User"}},
	}
	plan, err := usersync.MakePlan(ctx, c, want, usersync.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range plan.Actions {
		fmt.Println(a.Kind, a.Email, a.Changes)
	}
	res, err := usersync.Apply(ctx, c, plan, &usersync.MemJournal{}, usersync.ApplyOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("done:", res.Done)
	again, _ := usersync.MakePlan(ctx, c, want, usersync.Options{})
	fmt.Println("then:", len(again.Actions), "changes")
	// Output:
	// create grace@example.com []
	// update ada@example.com [{Department  Research}]
	// done: 2
	// then: 0 changes
}

// Read a users file (what lsq users export writes, or a spreadsheet's CSV), plan the changes
// that make the account match it, and apply them with a journal, the way lsq users sync
// --apply does.
func ExampleReadUsers() {
	srv, err := lsqtest.NewServer() // in a test: lsqtest.MustNewServer(t)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	_, _ = srv.AddUser(lsqtest.User{FirstName: "Ada", LastName: "L", EmailAddress: "ada@example.com", Role: "Sales_User"})
	c, _ := leadsquared.New(srv.URL, srv.AccessKey, srv.SecretKey)

	file := "\ufeffEmailAddress;FirstName;LastName;Role;Status;Department\n" + // Excel's CSV: a mark, ';'
		"ada@example.com;Ada;Lovelace;Sales_User;;\n" + // an empty Status: the status stays as it is
		"grace@example.com;Grace;Hopper;Sales_User;Active;'=Research\n" // a neutralised cell
	want, err := usersync.ReadUsers(strings.NewReader(file), 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	plan, err := usersync.MakePlan(ctx, c, want, usersync.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range plan.Actions {
		fmt.Println(a.Kind, a.Email, a.Changes)
	}
	// A journal on disk: a rerun of this plan after a crash goes on where it stopped, and
	// never creates a user twice.
	dir, _ := os.MkdirTemp("", "usersync-example")
	defer func() { _ = os.RemoveAll(dir) }()
	journal, err := usersync.OpenStateFile(filepath.Join(dir, "team.csv.lsq-state"), "my-sync", c.BaseURL(), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = journal.Close() }()
	res, err := usersync.Apply(ctx, c, plan, journal, usersync.ApplyOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("done:", res.Done, "failed:", res.Failed)
	// Output:
	// create grace@example.com [{Department  =Research}]
	// update ada@example.com [{LastName L Lovelace}]
	// done: 2 failed: 0
}
