package usersync

import (
	"context"
	"errors"
	"fmt"

	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
)

// accessColumns are the columns an access plan reads and checks.
var accessColumns = []string{"UserId", "EmailAddress", "StatusCode", "Role"}

// PlanAccess returns a plan of access changes only, the plan of lsq users activate and
// deactivate: it activates (active true) or deactivates the users with the given
// addresses, found by address ([LookupBatch] addresses a User Advanced Search, inactive
// users included) rather than by reading the whole account. An address given twice (by
// its key) counts once. It returns the addresses no user has (missing) and those of users
// already as wanted (already), and changes nothing. The plan is partial: [Apply] reads
// and checks only the users it changes. An invalid address is an error wrapping
// [ErrInvalidSource] (a [*RowError] each, Line the address's place in emails, from 1).
//
// LeadSquared API docs: https://apidocs.leadsquared.com/user-advanced-search/
func PlanAccess(ctx context.Context, c *leadsquared.Client, emails []string, active bool) (p *Plan, missing, already []string, err error) {
	var errs []error
	var addrs []string
	seen := map[string]bool{}
	for i, e := range emails {
		addr, k, err := CheckAddress(e)
		if err != nil {
			errs = append(errs, &RowError{Line: i + 1, Email: e, Attr: "EmailAddress", Msg: err.Error()})
			continue
		}
		if !seen[k] {
			seen[k] = true
			addrs = append(addrs, addr)
		}
	}
	if len(errs) > 0 {
		return nil, nil, nil, errors.Join(append([]error{ErrInvalidSource}, errs...)...)
	}
	users, err := readByAddress(ctx, c, addrs, accessColumns)
	if err != nil {
		return nil, nil, nil, err
	}
	kind := KindDeactivate
	if active {
		kind = KindActivate
	}
	p = &Plan{Version: PlanVersion, Account: c.BaseURL(), Columns: accessColumns, Actions: []Action{}, Partial: true}
	for i, addr := range addrs {
		k := keyOf(addr)
		u := users[k]
		switch {
		case u == nil:
			missing = append(missing, addr)
		case len(u.twins) > 0:
			return nil, nil, nil, fmt.Errorf("%w: %s: the account has %d users with this address", ErrInvalidSource, Printable(addr), len(u.twins)+1)
		case u.active == active:
			already = append(already, addr)
		default:
			p.Users.Set(k, u.hash())
			p.Actions = append(p.Actions, Action{Kind: kind, Email: u.email(), Line: i + 1, UserID: u.id()})
		}
	}
	p.Fingerprint = fingerprint(p)
	return p, missing, already, nil
}
