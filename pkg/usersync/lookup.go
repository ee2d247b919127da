package usersync

import (
	"context"
	"errors"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
)

// LookupBatch is how many email addresses one existence check asks about: one Advanced
// Search whose condition group ORs one EmailAddress condition per address. A batch costs one
// call instead of one per row, so an import spends its budget on creates.
const LookupBatch = 50

// Found is what a check by email learnt about one address.
type Found struct {
	UserID string
	Active bool
}

// LookupAddresses returns the users of the account with the given addresses (up to
// [LookupBatch]), by the key [CheckAddress] gives, inactive users included, in one
// Advanced Search. If the search fails with anything but the context's end, it falls back
// to Get a User by Email, one call per address, which only finds active users. Each address
// is asked for in every spelling the account may hold it in (its NFC form, its domain in
// ASCII and in Unicode), as [CanonicalAddress] takes them for one.
//
// LeadSquared API docs: https://apidocs.leadsquared.com/user-advanced-search/
func LookupAddresses(ctx context.Context, c *leadsquared.Client, emails []string) (map[string]Found, error) {
	out := map[string]Found{}
	if len(emails) == 0 {
		return out, nil
	}
	req := addressSearch(emails, "UserId,EmailAddress,StatusCode")
	var searchErr error
	for u, err := range c.SearchUsers(ctx, req) {
		if err != nil {
			searchErr = err
			break
		}
		out[keyOf(u.EmailAddress)] = Found{UserID: u.ID, Active: u.StatusCode == 0}
	}
	if searchErr == nil {
		return out, nil
	}
	if ctx.Err() != nil {
		return nil, searchErr
	}
	// Fallback: one read per address.
	out = map[string]Found{}
	for _, e := range emails {
		for _, s := range spellings(e) {
			u, err := c.GetUserByEmail(ctx, api.GetUserByEmailParams{EmailAddress: s})
			if errors.Is(err, leadsquared.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out[keyOf(e)] = Found{UserID: u.ID, Active: true}
			break
		}
	}
	return out, nil
}

// addressSearch is the Advanced Search of the users with any of the addresses emails, each
// in every spelling the account may hold it in (spellings), returning the columns
// includeCSV: one EmailAddress condition per spelling, ORed.
func addressSearch(emails []string, includeCSV string) api.UserSearchRequest {
	var asked []string
	for _, e := range emails {
		asked = append(asked, spellings(e)...)
	}
	conds := make([]api.SearchCondition, len(asked))
	for i, e := range asked {
		conds[i] = api.SearchCondition{LookupName: "EmailAddress", Operator: api.SearchConditionOperatorEq, LookupValue: e}
		if i < len(asked)-1 {
			conds[i].ConditionOperator = "OR"
		}
	}
	return api.UserSearchRequest{
		Columns:         api.UserSearchColumns{IncludeCSV: includeCSV},
		GroupConditions: []api.ConditionGroup{{Condition: conds}},
	}
}
