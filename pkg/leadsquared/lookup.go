package leadsquared

import (
	"context"
	"strings"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

// FindUserByEmail returns the user whose email address is email, active or inactive, with
// one User Advanced Search (every column, "*"). It is what offboarding and any rerun need:
// Get a User by Email ([Client.GetUserByEmail]) answers [] for an inactive user, as if there
// were none. No user is an error matching [ErrNotFound]; the address matches without regard
// to letter case or surrounding spaces. The record's StatusCode is 0 for an active user, 1
// for an inactive one. opts are the call's options ([WithHeader], [WithCallStats], ...).
//
// LeadSquared API docs: https://apidocs.leadsquared.com/user-advanced-search/
func (c *Client) FindUserByEmail(ctx context.Context, email string, opts ...Option) (api.UserSearchRecord, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return api.UserSearchRecord{}, &invalidRequestError{op: api.OpAdvancedSearchUsers, msg: "FindUserByEmail: empty email address"}
	}
	req := searchBy("EmailAddress", email)
	for u, err := range c.SearchUsers(ctx, req, opts...) {
		if err != nil {
			return api.UserSearchRecord{}, err
		}
		if strings.EqualFold(strings.TrimSpace(u.EmailAddress), email) {
			return u, nil
		}
	}
	return api.UserSearchRecord{}, errNoSuchAddress{}
}

// errNoSuchAddress is FindUserByEmail's error when no user has the address; it matches
// [ErrNotFound], without repeating its "leadsquared: " in the message.
type errNoSuchAddress struct{}

func (errNoSuchAddress) Error() string {
	return prefix + "FindUserByEmail: not found: no user, active or inactive, has this address"
}
func (errNoSuchAddress) Is(target error) bool { return target == ErrNotFound }

// DirectReports returns the users whose reporting manager is managerID, active or inactive,
// one level down only, in the order User Advanced Search gives them (one search, paged).
// [Client.GetUserHierarchy] and [Client.GetUserHierarchyInfo] answer the whole chain below a
// user instead: the reports of the reports too, with no manager to tell the levels apart.
// A manager with no reports gives an empty slice and no error. opts are the call's options.
//
// LeadSquared API docs: https://apidocs.leadsquared.com/user-advanced-search/
func (c *Client) DirectReports(ctx context.Context, managerID string, opts ...Option) ([]api.UserSearchRecord, error) {
	managerID = strings.TrimSpace(managerID)
	if managerID == "" {
		return nil, &invalidRequestError{op: api.OpAdvancedSearchUsers, msg: "DirectReports: empty manager Id"}
	}
	var out []api.UserSearchRecord
	for u, err := range c.SearchUsers(ctx, searchBy("ManagerUserId", managerID), opts...) {
		if err != nil {
			return nil, err
		}
		if strings.EqualFold(u.ManagerUserID, managerID) {
			out = append(out, u)
		}
	}
	return out, nil
}

// searchBy is an Advanced Search of every column for the users whose attribute equals value,
// sorted by creation so that pages stay consistent.
func searchBy(attribute, value string) api.UserSearchRequest {
	asc := api.UserSearchSortAscending
	return api.UserSearchRequest{
		Columns: api.UserSearchColumns{IncludeCSV: "*"},
		GroupConditions: []api.ConditionGroup{{Condition: []api.SearchCondition{
			{LookupName: attribute, Operator: api.SearchConditionOperatorEq, LookupValue: value},
		}}},
		Sorting: []api.UserSearchSort{{ColumnName: "CreatedOn", Direction: &asc}},
	}
}
