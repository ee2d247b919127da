package main

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
)

// lookupBatch is how many email addresses one existence check asks about: one Advanced
// Search whose condition group ORs one EmailAddress condition per address. A batch costs one
// call instead of one per row, so an import spends its budget on creates.
const lookupBatch = 50

// found is what a check by email learnt about one address.
type found struct {
	UserID string
	Active bool
}

// lookupEmails returns the users of the account with the given addresses (lower-cased keys),
// inactive users included, in one Advanced Search. If the search fails with anything but
// the context's end, it falls back to Get a User by Email, one call per address, which only
// finds active users.
func lookupEmails(ctx context.Context, c *leadsquared.Client, emails []string) (map[string]found, error) {
	out := map[string]found{}
	if len(emails) == 0 {
		return out, nil
	}
	conds := make([]api.SearchCondition, len(emails))
	for i, e := range emails {
		conds[i] = api.SearchCondition{LookupName: "EmailAddress", Operator: api.SearchConditionOperatorEq, LookupValue: e}
		if i < len(emails)-1 {
			conds[i].ConditionOperator = "OR"
		}
	}
	req := api.UserSearchRequest{
		Columns:         api.UserSearchColumns{IncludeCSV: "UserId,EmailAddress,StatusCode"},
		GroupConditions: []api.ConditionGroup{{Condition: conds}},
	}
	var searchErr error
	for u, err := range c.SearchUsers(ctx, req) {
		if err != nil {
			searchErr = err
			break
		}
		out[strings.ToLower(strings.TrimSpace(u.EmailAddress))] = found{UserID: u.ID, Active: u.StatusCode == 0}
	}
	if searchErr == nil {
		return out, nil
	}
	if ctx.Err() != nil {
		return nil, searchErr
	}
	// Fallback: one read per address.
	out = map[string]found{}
	for _, e := range emails {
		u, err := c.GetUserByEmail(ctx, api.GetUserByEmailParams{EmailAddress: e})
		switch {
		case errors.Is(err, leadsquared.ErrNotFound):
		case err != nil:
			return nil, err
		default:
			out[strings.ToLower(e)] = found{UserID: u.ID, Active: true}
		}
	}
	return out, nil
}

// forEach runs fn for every item on up to workers goroutines and waits for them; it stops
// handing out items once ctx is done.
func forEach[T any](ctx context.Context, workers int, items []T, fn func(T)) {
	ch := make(chan T)
	var wg sync.WaitGroup
	for range max(1, workers) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range ch {
				fn(it)
			}
		}()
	}
	for _, it := range items {
		if ctx.Err() != nil {
			break
		}
		select {
		case ch <- it:
		case <-ctx.Done():
		}
	}
	close(ch)
	wg.Wait()
}
