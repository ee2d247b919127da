package leadsquared_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest/lsqclient"
)

// FindUserByEmail finds a user whatever the status, where GetUserByEmail answers [] for an
// inactive one; DirectReports is one level of the hierarchy, GetUserHierarchy the chain.
func TestFindUserByEmailAndDirectReports(t *testing.T) {
	t.Parallel()
	srv := lsqtest.MustNewServer(t)
	c := lsqclient.New(t, srv)
	ctx := t.Context()
	create := func(first, email, manager string) string {
		t.Helper()
		res, err := c.CreateUser(ctx, api.UserCreateRequest{FirstName: first, EmailAddress: email, Role: api.RoleSalesUser, ManagerUserID: manager})
		if err != nil {
			t.Fatal(err)
		}
		return res.Message.ID
	}
	boss := create("Boss", "boss@example.com", "")
	a := create("A", "a@example.com", boss)
	b := create("B", "b@example.com", boss)
	create("C", "c@example.com", a)
	create("Near", "a@example.com.evil", "") // contains the address: not it

	if _, err := c.DeactivateUser(ctx, api.DeactivateUserParams{UserID: a}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetUserByEmail(ctx, api.GetUserByEmailParams{EmailAddress: "a@example.com"}); !errors.Is(err, leadsquared.ErrNotFound) {
		t.Fatalf("GetUserByEmail of an inactive user: %v, want ErrNotFound (the reason for FindUserByEmail)", err)
	}
	u, err := c.FindUserByEmail(ctx, "  A@EXAMPLE.com ")
	if err != nil || u.ID != a || u.StatusCode != 1 || u.ManagerUserID != boss {
		t.Errorf("FindUserByEmail = %+v, %v; want A, inactive, under Boss", u, err)
	}
	if _, err := c.FindUserByEmail(ctx, "nobody@example.com"); !errors.Is(err, leadsquared.ErrNotFound) || strings.Count(err.Error(), "leadsquared:") != 1 {
		t.Errorf("no such user: %v, want ErrNotFound, saying leadsquared: once", err)
	}
	if _, err := c.FindUserByEmail(ctx, " "); !errors.Is(err, leadsquared.ErrInvalidRequest) {
		t.Errorf("empty address: %v, want ErrInvalidRequest", err)
	}

	reports, err := c.DirectReports(ctx, boss)
	if err != nil || len(reports) != 2 || reports[0].ID != a || reports[1].ID != b {
		t.Errorf("DirectReports(Boss) = %v, %v; want A (inactive) and B", reports, err)
	}
	chain, err := c.GetUserHierarchy(ctx, api.GetUserHierarchyParams{UserID: leadsquared.Ptr(boss)})
	if err != nil || len(chain) != 3 {
		t.Errorf("GetUserHierarchy(Boss) = %v, %v; want the 3 of the chain", chain, err)
	}
	if r, err := c.DirectReports(ctx, b); err != nil || len(r) != 0 {
		t.Errorf("DirectReports of a user with none = %v, %v", r, err)
	}
	if _, err := c.DirectReports(ctx, ""); !errors.Is(err, leadsquared.ErrInvalidRequest) {
		t.Errorf("empty manager: %v, want ErrInvalidRequest", err)
	}

	// A failed search is the error, not "not found".
	if err := srv.FailNext(api.OpAdvancedSearchUsers, 1, lsqtest.Fault{Status: 401}); err != nil {
		t.Fatal(err)
	}
	var apiErr *leadsquared.APIError
	if _, err := c.FindUserByEmail(ctx, "b@example.com"); !errors.As(err, &apiErr) || errors.Is(err, leadsquared.ErrNotFound) {
		t.Errorf("search refused: %v, want the *APIError", err)
	}
}
