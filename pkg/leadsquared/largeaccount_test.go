package leadsquared_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
)

// A large account on the fake server: paging through every user and moving 250 of them to
// a new manager in chunks, with the bulk calls on their own (fake) budget.
func TestLargeAccountOnTheFakeServer(t *testing.T) {
	t.Parallel()
	srv := lsqtest.MustNewServer(t, lsqtest.WithBulkRateLimit(10, time.Second))
	const n = 1200
	for i := range n {
		if _, err := srv.AddUser(lsqtest.User{
			FirstName: fmt.Sprintf("User%04d", i), EmailAddress: fmt.Sprintf("u%04d@example.com", i), Role: "Sales_User",
		}); err != nil {
			t.Fatal(err)
		}
	}
	c, err := leadsquared.New(srv.URL, srv.AccessKey, srv.SecretKey, leadsquared.WithRequestValidation(), leadsquared.WithResponseValidation())
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()

	asc := api.UserSearchSortAscending
	seen := map[string]bool{}
	var ids []string
	for u, err := range c.SearchUsers(ctx, api.UserSearchRequest{
		Sorting: []api.UserSearchSort{{ColumnName: "FirstName", Direction: &asc}},
		Paging:  api.UserSearchPaging{PageSize: 500},
	}) {
		if err != nil {
			t.Fatal(err)
		}
		if u.ID == "" || seen[u.ID] {
			t.Fatalf("missing or repeated user %v", u.ID)
		}
		seen[u.ID] = true
		if u.ID != srv.OwnerID {
			ids = append(ids, u.ID)
		}
	}
	if len(seen) != n+1 { // and the owner
		t.Errorf("%d users, want %d", len(seen), n+1)
	}
	if got := srv.Count("AdvancedSearchUsers"); got != 3 {
		t.Errorf("%d searches for %d users in pages of %d, want 3", got, n+1, 500)
	}

	updates := make([]api.UserManagerUpdate, 250)
	for i := range updates {
		updates[i] = api.UserManagerUpdate{UserID: ids[i], ManagerID: srv.OwnerID}
	}
	results, err := c.UpdateUserManagers(ctx, updates)
	if err != nil {
		t.Fatal(err)
	}
	if got := srv.Count("BulkUpdateUserManagers"); got != 3 {
		t.Errorf("%d bulk calls for 250 updates, want 3", got)
	}
	for i, r := range results {
		u, _ := srv.User(updates[i].UserID)
		if r.Err != nil || r.WFAID == "" || u.ManagerUserID != srv.OwnerID {
			t.Fatalf("update %d: %+v; manager now %q", i, r, u.ManagerUserID)
		}
	}
}
