package lsqtest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
)

func ExampleNewServer() {
	srv, err := lsqtest.NewServer(lsqtest.WithRateLimit(25, 5*time.Second, lsqtest.Form429))
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	c, err := leadsquared.New(srv.URL, srv.AccessKey, srv.SecretKey)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	created, err := c.CreateUser(ctx, api.UserCreateRequest{
		FirstName: "Chris", EmailAddress: "chris@example.com", Role: api.RoleSalesUser,
	})
	if err != nil {
		panic(err)
	}
	u, _ := c.GetUserByID(ctx, api.GetUserByIDParams{UserID: created.Message.ID})
	fmt.Println(u.FirstName, srv.UserCount())

	// The same address again: LeadSquared's duplicate error, as an *APIError.
	_, err = c.CreateUser(ctx, api.UserCreateRequest{
		FirstName: "Chris", EmailAddress: "chris@example.com", Role: api.RoleSalesUser,
	})
	var apiErr *leadsquared.APIError
	fmt.Println(errors.As(err, &apiErr), apiErr.StatusCode, apiErr.ExceptionType)
	fmt.Println(srv.Count(api.OpCreateUser), srv.Requests()[0].Query.Get("accessKey"))
	// Output:
	// Chris 2
	// true 500 MXDuplicateEntryException
	// 2 REDACTED
}

func ExampleServer_FailNext() {
	srv, _ := lsqtest.NewServer()
	defer srv.Close()
	c, _ := leadsquared.New(srv.URL, srv.AccessKey, srv.SecretKey,
		leadsquared.WithBackoff(time.Millisecond, 10*time.Millisecond))

	// The next Get Users fails with a gateway's 502 page: a read is retried and succeeds.
	// (A 5xx with LeadSquared's error body, the default Body, is an answer: not retried.)
	_ = srv.FailNext(api.OpGetUsers, 1, lsqtest.Fault{Status: 502, Body: "<html><body>502 Bad Gateway</body></html>"})
	_, err := c.GetUsers(context.Background())
	fmt.Println(err, srv.Count(api.OpGetUsers))

	// A create whose answer is lost after the user was made is not sent twice.
	_ = srv.FailNext(api.OpCreateUser, 1, lsqtest.Fault{Drop: true, AfterWork: true})
	_, err = c.CreateUser(context.Background(), api.UserCreateRequest{
		FirstName: "Ann", EmailAddress: "ann@example.com", Role: api.RoleSalesUser,
	})
	fmt.Println(err != nil, srv.Count(api.OpCreateUser), srv.UserCount())
	// Output:
	// <nil> 2
	// true 1 2
}
