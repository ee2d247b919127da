package leadsquared_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
	"github.com/leadsquared-go/leadsquared-go/pkg/scalar"
)

// fakeAccount starts a fake LeadSquared (lsqtest) and returns it with a client of it; the
// Examples below run against it as they would against an account.
func fakeAccount(opts ...leadsquared.Option) (*lsqtest.Server, *leadsquared.Client) {
	srv, err := lsqtest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	c, err := leadsquared.New(srv.URL, srv.AccessKey, srv.SecretKey, opts...)
	if err != nil {
		log.Fatal(err)
	}
	return srv, c
}

// createUser creates a Sales_User and returns the id.
func createUser(c *leadsquared.Client, first, email, managerID string) string {
	res, err := c.CreateUser(context.Background(), api.UserCreateRequest{
		FirstName: first, EmailAddress: email, Role: api.RoleSalesUser, ManagerUserID: managerID,
	})
	if err != nil {
		log.Fatal(err)
	}
	return res.Message.ID
}

// SearchUsers is Advanced Search as an iterator: it fetches the pages as the loop needs them.
func ExampleClient_SearchUsers() {
	srv, c := fakeAccount()
	defer srv.Close()
	for _, name := range []string{"Grace", "Alan", "Linus"} { // and the owner of the keys, Ada
		createUser(c, name, strings.ToLower(name)+"@example.com", "")
	}

	asc := api.UserSearchSortAscending
	req := api.UserSearchRequest{
		Columns: api.UserSearchColumns{IncludeCSV: "UserId,FirstName,EmailAddress"},
		Sorting: []api.UserSearchSort{{ColumnName: "FirstName", Direction: &asc}},
		Paging:  api.UserSearchPaging{PageSize: 3}, // three users a call, to show the paging
	}
	for u, err := range c.SearchUsers(context.Background(), req) {
		if err != nil {
			log.Fatal(err) // the users of the pages before were yielded
		}
		fmt.Println(u.FirstName, u.EmailAddress)
	}
	fmt.Println(srv.Count(api.OpAdvancedSearchUsers), "calls")
	// Output:
	// Ada admin@lsqtest.example.com
	// Alan alan@example.com
	// Grace grace@example.com
	// Linus linus@example.com
	// 2 calls
}

// PermissionTemplates pages through the account's templates.
func ExampleClient_PermissionTemplates() {
	srv, c := fakeAccount()
	defer srv.Close()
	ctx := context.Background()
	for _, name := range []string{"Sales reps", "Team leads"} {
		if _, err := c.CreatePermissionTemplate(ctx, api.PermissionTemplateInput{Name: name, Description: name}); err != nil {
			log.Fatal(err)
		}
	}
	for tmpl, err := range c.PermissionTemplates(ctx, api.PermissionTemplateSearchRequest{}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(tmpl.Name)
	}
	// Output:
	// Sales reps
	// Team leads
}

// CheckInHistory pages through check-in and check-out events, newest first.
func ExampleClient_CheckInHistory() {
	srv, c := fakeAccount()
	defer srv.Close()
	ctx := context.Background()
	if _, err := c.CheckInUser(ctx, api.CheckInRequest{Source: "MobileApp"}); err != nil {
		log.Fatal(err)
	}
	if _, err := c.CheckOutUser(ctx, api.CheckOutRequest{Source: "MobileApp"}); err != nil {
		log.Fatal(err)
	}
	owner, err := c.GetUserByID(ctx, api.GetUserByIDParams{UserID: srv.OwnerID})
	if err != nil {
		log.Fatal(err)
	}
	now := srv.Clock().Now()
	req := api.CheckInHistoryRequest{
		UserAttributeType: api.CheckInHistoryByUserEmail,
		Users:             []string{owner.EmailAddress},
		FromDate:          scalar.NewDateTime(now.Add(-time.Hour)),
		ToDate:            scalar.NewDateTime(now.Add(time.Hour)),
	}
	n := 0
	for _, err := range c.CheckInHistory(ctx, req) {
		if err != nil {
			log.Fatal(err)
		}
		n++
	}
	fmt.Println(n, "events")
	// Output: 2 events
}

// UpdateUserManagers sends any number of manager changes in calls of at most 100, and answers
// for every item.
func ExampleClient_UpdateUserManagers() {
	srv, c := fakeAccount()
	defer srv.Close()
	lead := createUser(c, "Lead", "lead@example.com", "")
	rep := createUser(c, "Rep", "rep@example.com", "")

	results, err := c.UpdateUserManagers(context.Background(), []api.UserManagerUpdate{
		{UserID: rep, ManagerID: lead},
		{UserID: "", ManagerID: lead}, // not sent: no user
	})
	for _, r := range results {
		fmt.Println(r.Err == nil, errors.Is(r.Err, leadsquared.ErrInvalidItem))
	}
	fmt.Println(err != nil)
	// Output:
	// true false
	// false true
	// true
}

// Ptr sends a field whose zero is a value: IsPhoneCallAgent false is sent, a field left nil
// is not.
func ExamplePtr() {
	srv, c := fakeAccount()
	defer srv.Close()
	id := createUser(c, "Ada", "ada@example.com", "")

	_, err := c.UpdateUser(context.Background(), api.UpdateUserParams{UserID: id}, api.UserUpdateRequest{
		User: api.UserUpdateFields{LastName: leadsquared.Ptr("Lovelace"), IsPhoneCallAgent: leadsquared.Ptr(false)},
	})
	if err != nil {
		log.Fatal(err)
	}
	u, _ := c.GetUserByID(context.Background(), api.GetUserByIDParams{UserID: id})
	fmt.Println(u.FirstName, u.LastName, bool(u.IsPhoneCallAgent))
	// Output: Ada Lovelace false
}

// DiscoverHost finds the account's host from its keys. Against a server that is not
// LeadSquared's (here the fake), it is a base URL with its scheme, which New takes as is.
func ExampleDiscoverHost() {
	srv, err := lsqtest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()

	host, err := leadsquared.DiscoverHost(ctx, srv.URL, srv.AccessKey, srv.SecretKey)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.HasPrefix(host, "http://127.0.0.1:")) // a LeadSquared account: "api-in21.leadsquared.com"
	c, err := leadsquared.New(host, srv.AccessKey, srv.SecretKey)
	if err != nil {
		log.Fatal(err)
	}
	who, err := c.AuthenticateUser(ctx)
	fmt.Println(who.ID == srv.OwnerID, err)
	// Output:
	// true
	// true <nil>
}

// WithRequestValidation checks every request against the spec before sending it: an invalid
// one is an error, and nothing is sent.
func ExampleWithRequestValidation() {
	srv, c := fakeAccount(leadsquared.WithRequestValidation())
	defer srv.Close()

	_, err := c.CreateUser(context.Background(), api.UserCreateRequest{
		FirstName: "Ada", Role: api.RoleSalesUser, // no EmailAddress, which Create a User needs
	})
	fmt.Println(err != nil, srv.Count(api.OpCreateUser))
	// Output: true 0
}

// WithDriftReport reports where LeadSquared's replies drift from the spec, without failing
// the call: here a fake that adds an attribute the spec does not know to every object.
func ExampleWithDriftReport() {
	srv, err := lsqtest.NewServer(lsqtest.WithDrift(lsqtest.Drift{ExtraAttributes: true}))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := leadsquared.New(srv.URL, srv.AccessKey, srv.SecretKey,
		leadsquared.WithDriftReport(func(r leadsquared.DriftReport) {
			fmt.Println(r.Operation, r.Kind, r.Pointer)
		}))
	if err != nil {
		log.Fatal(err)
	}
	users, err := c.GetUsers(context.Background())
	fmt.Println(len(users), err)
	// Output:
	// GetUsers unknown-attribute /*/LsqtestDrift
	// 1 <nil>
}

// Offboarding in a few lines: find the leaver by address whether still active or already
// deactivated (a rerun), hand their direct reports to their manager, deactivate them.
func ExampleClient_FindUserByEmail() {
	srv, c := fakeAccount()
	defer srv.Close()
	ctx := context.Background()
	boss := createUser(c, "Boss", "boss@example.com", "")
	leaver := createUser(c, "Leaver", "leaver@example.com", boss)
	rep := createUser(c, "Rep", "rep@example.com", leaver)
	createUser(c, "Intern", "intern@example.com", rep) // reports to Rep: in the chain, not a direct report

	for run := 1; run <= 2; run++ { // the second run finds the leaver inactive, and changes nothing
		u, err := c.FindUserByEmail(ctx, "Leaver@Example.com")
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("run", run, u.FirstName, "active:", u.StatusCode == 0)
		reports, err := c.DirectReports(ctx, u.ID)
		if err != nil {
			log.Fatal(err)
		}
		var moves []api.UserManagerUpdate
		for _, r := range reports {
			moves = append(moves, api.UserManagerUpdate{UserID: r.ID, ManagerID: u.ManagerUserID})
		}
		if _, err := c.UpdateUserManagers(ctx, moves); err != nil {
			log.Fatal(err)
		}
		if u.StatusCode == 0 {
			if _, err := c.DeactivateUser(ctx, api.DeactivateUserParams{UserID: u.ID}); err != nil {
				log.Fatal(err)
			}
		}
		fmt.Println("direct reports moved:", len(moves))
	}

	_, err := c.GetUserByEmail(ctx, api.GetUserByEmailParams{EmailAddress: "leaver@example.com"})
	fmt.Println("GetUserByEmail finds the inactive leaver:", !errors.Is(err, leadsquared.ErrNotFound))
	chain, _ := c.GetUserHierarchy(ctx, api.GetUserHierarchyParams{UserID: leadsquared.Ptr(boss)})
	direct, _ := c.DirectReports(ctx, boss)
	fmt.Println("under Boss, the chain:", len(chain), "direct reports:", len(direct))
	// Output:
	// run 1 Leaver active: true
	// direct reports moved: 1
	// run 2 Leaver active: false
	// direct reports moved: 0
	// GetUserByEmail finds the inactive leaver: false
	// under Boss, the chain: 3 direct reports: 2
}
