package usersync

import (
	"context"
	"errors"
	"fmt"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
)

// maxCreateAttempts bounds the sends of one create: one more only after a check by email
// found the user missing (or LeadSquared refused the call before any work: a rate limit).
const maxCreateAttempts = 3

// CreateOnce creates the user of body through c, never twice: it calls pending (if not nil)
// before each send (to record the create as pending in a journal: its outcome is unknown until it
// returns), and an answer that leaves the outcome unknown ([MayHaveActed]) is followed by
// a check by address; the create is sent again only if the user is not there, at most 3
// sends in all. It returns the user's Id, and existed when LeadSquared answered that a
// user with this address exists (the Id then comes from Get a User by Email, "" if that
// does not find it). When ctx ends it returns ctx's error and the create stays pending:
// a later run checks it. Apply and lsq users import create every user through it.
//
// LeadSquared API docs: https://apidocs.leadsquared.com/create-a-user/,
// https://apidocs.leadsquared.com/get-a-user-by-email/
func CreateOnce(ctx context.Context, c *leadsquared.Client, body api.UserCreateRequest, pending func() error) (id string, existed bool, err error) {
	return CreateOnceSending(ctx, c, body, maxCreateAttempts, pending)
}

// CreateOnceSending is [CreateOnce] with at most sends sends (1 or more; CreateOnce's 3 when
// less): a service that answers a caller who retries (pkg/scim answers an identity
// provider) gives 1, so that a create LeadSquared did not carry out (a 5xx before the work,
// a dropped connection, a rate limit) is that caller's error to retry, not a wait of its
// own; a create whose outcome was unknown is still checked by address before the error
// is returned, and a user found is returned as created. The error then wraps the send's.
func CreateOnceSending(ctx context.Context, c *leadsquared.Client, body api.UserCreateRequest, sends int, pending func() error) (id string, existed bool, err error) {
	if sends < 1 {
		sends = maxCreateAttempts
	}
	if pending == nil {
		pending = func() error { return nil }
	}
	var last error
	for range sends {
		if err := pending(); err != nil {
			return "", false, fmt.Errorf("the journal could not be written: %w", err)
		}
		res, err := c.CreateUser(ctx, body)
		switch {
		case err == nil:
			return res.Message.ID, false, nil
		case ctx.Err() != nil:
			return "", false, ctx.Err() // interrupted: pending, and the next run checks it
		case errors.Is(err, leadsquared.ErrDuplicateEntry):
			// The Id only: an inactive user is not found, and the user exists all the same.
			if u, gerr := c.GetUserByEmail(ctx, api.GetUserByEmailParams{EmailAddress: body.EmailAddress}); gerr == nil {
				return u.ID, true, nil
			}
			return "", true, nil
		case errors.Is(err, leadsquared.ErrRateLimited):
			last = err
			continue // refused before any work: safe to send again
		case !MayHaveActed(err):
			return "", false, err
		}
		last = err
		u, cerr := c.GetUserByEmail(ctx, api.GetUserByEmailParams{EmailAddress: body.EmailAddress})
		switch {
		case cerr == nil:
			return u.ID, false, nil
		case errors.Is(cerr, leadsquared.ErrNotFound):
			continue // it did not happen: send it again
		case ctx.Err() != nil:
			return "", false, ctx.Err()
		default:
			return "", false, fmt.Errorf("the create may have happened (%w) and the check failed (%w); run again to check again", err, cerr)
		}
	}
	if sends == 1 {
		return "", false, last
	}
	return "", false, fmt.Errorf("gave up after %d attempts: %w", sends, last)
}
