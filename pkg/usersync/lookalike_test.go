package usersync_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
	"github.com/leadsquared-go/leadsquared-go/pkg/usersync"
)

// Look-alike addresses are one user, or an invalid row: never a second user the plan
// creates beside the real one (issue 27).
func TestLookAlikeAddresses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv, c := account(t, 0, nil)
	for _, e := range []string{"bob@x.com", "jos\u00e9@x.com", "ann@xn--bcher-kva.de"} {
		if _, err := srv.AddUser(lsqtest.User{FirstName: "A", EmailAddress: e, Role: "Sales_User"}); err != nil {
			t.Fatal(err)
		}
	}
	srv.ResetLog()

	// Rows that are invalid or look like another row: an error naming the row(s); nothing
	// is read or sent.
	for _, tc := range []struct {
		name string
		rows []string
		want string
	}{
		{"zero-width space", []string{"bob@x.com", "bob\u200b@x.com"}, "row 3, column EmailAddress"},
		{"bidi override", []string{"\u202ebob@x.com"}, "U+202E"},
		{"soft hyphen", []string{"b\u00adob@x.com"}, "U+00AD"},
		{"BOM", []string{"\ufeffbob@x.com"}, "U+FEFF"},
		{"NFC and NFD", []string{"jos\u00e9@y.com", "jose\u0301@y.com"}, "row 3, column EmailAddress: jose\u0301@y.com is the same address as jos\u00e9@y.com of row 2"},
		{"full-width", []string{"eve@y.com", "\uff45\uff56\uff45@y.com"}, "of row 2"},
		{"IDN and punycode", []string{"zed@b\u00fccher.de", "zed@xn--bcher-kva.de"}, "of row 2"},
	} {
		var src []usersync.Desired
		for i, e := range tc.rows {
			src = append(src, usersync.Desired{Line: i + 2, Email: e, Attrs: map[string]string{"FirstName": "X", "Role": "Sales_User"}})
		}
		_, err := usersync.MakePlan(ctx, c, src, usersync.Options{Deactivate: true, Scope: usersync.Scope{Role: "Sales_User"}})
		if !errors.Is(err, usersync.ErrInvalidSource) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want ErrInvalidSource with %q", tc.name, err, tc.want)
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Fatalf("%d requests for sources with errors of their own", n)
	}

	// A row that looks like an account user: an error naming both, with --deactivate too;
	// the real user is neither deactivated nor doubled.
	for _, e := range []string{"jose\u0301@x.com", "ann@b\u00fccher.de", "\uff42\uff4f\uff42@x.com"} {
		src := []usersync.Desired{{Line: 2, Email: e, Attrs: map[string]string{"FirstName": "A", "Role": "Sales_User"}}}
		_, err := usersync.MakePlan(ctx, c, src, usersync.Options{Deactivate: true, Scope: usersync.Scope{Role: "Sales_User"}})
		if !errors.Is(err, usersync.ErrInvalidSource) || !strings.Contains(err.Error(), "looks like the account's user") {
			t.Errorf("%q: err = %v, want a look-alike of an account user", e, err)
		}
	}
	if srv.Count(api.OpCreateUser)+srv.Count(api.OpDeactivateUser)+srv.Count(api.OpUpdateUser) != 0 {
		t.Error("a look-alike plan created or changed a user")
	}

	// The lookups import and deactivate use find the user under any of its spellings.
	found, err := usersync.LookupAddresses(ctx, c, []string{"jose\u0301@x.com", "ann@b\u00fccher.de", "BOB@x.com", "nobody@x.com"})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 3 {
		t.Errorf("found %d of the 3 users the account has under other spellings: %v", len(found), found)
	}
}
