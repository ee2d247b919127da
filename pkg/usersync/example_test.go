package usersync_test

import (
	"context"
	"fmt"

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
