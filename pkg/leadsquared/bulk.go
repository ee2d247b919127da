package leadsquared

import (
	"context"
	"errors"
	"fmt"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

// MaxManagerUpdatesPerCall is the most users one BulkUpdateUserManagers call takes (the
// spec's UserManagerUpdateList maxItems); [Client.UpdateUserManagers] splits larger
// inputs into calls of at most this many.
const MaxManagerUpdatesPerCall = 100

// ErrInvalidItem is wrapped by the error of an input item a bulk helper did not send
// because it is invalid on its face (an empty id).
var ErrInvalidItem = errors.New("leadsquared: invalid item")

// ManagerUpdateResult is the outcome of one input item of [Client.UpdateUserManagers].
type ManagerUpdateResult struct {
	// Index is the item's position in the input.
	Index int
	// Update is the item.
	Update api.UserManagerUpdate
	// Call numbers (from 0) the BulkUpdateUserManagers call that carried the item; -1 when
	// the item was not sent (invalid, or the context ended first).
	Call int
	// WFAID is the id of the queued request that carried the item, to look up in the
	// account's Request History (LeadSquared applies the updates asynchronously and does
	// not report rows one by one); empty when Err is set.
	WFAID string
	// Err is the error of the call that carried the item, or why it was not sent.
	Err error
}

// UpdateUserManagers sets the reporting manager of every user in updates with
// BulkUpdateUserManagers, in calls of at most [MaxManagerUpdatesPerCall] users, one after
// the other in input order (each paced by the client's limiter, on the bulk budget of a
// limiter that keeps one).
//
// It returns one result per input item, in input order, whatever happens: an item with
// an empty UserId or ManagerId is not sent (its Err wraps [ErrInvalidItem]); the items of a
// failed call carry that call's error and the other calls still go ahead; when ctx ends, the
// items not yet sent carry ctx's error. The error is nil when every item was queued, and
// otherwise says how many failed and joins the distinct errors. A call that failed with a
// 5xx may still have been applied: writes are not retried after one.
//
// opts are every BulkUpdateUserManagers call's options ([Option]); WithResponseInto and
// WithCallStats report the last call.
//
// LeadSquared API docs: https://apidocs.leadsquared.com/update-users-managers-in-bulk/
func (c *Client) UpdateUserManagers(ctx context.Context, updates []api.UserManagerUpdate, opts ...Option) ([]ManagerUpdateResult, error) {
	if ctx == nil {
		err := errNilContext(api.OpBulkUpdateUserManagers)
		results := make([]ManagerUpdateResult, len(updates))
		for i, u := range updates {
			results[i] = ManagerUpdateResult{Index: i, Update: u, Call: -1, Err: err}
		}
		return results, err
	}
	results := make([]ManagerUpdateResult, len(updates))
	var errs []error
	valid := make([]int, 0, len(updates))
	for i, u := range updates {
		results[i] = ManagerUpdateResult{Index: i, Update: u, Call: -1}
		var missing string
		switch {
		case u.UserID == "":
			missing = "UserId"
		case u.ManagerID == "":
			missing = "ManagerId"
		}
		if missing != "" {
			results[i].Err = fmt.Errorf("%w: UpdateUserManagers: item %d: empty %s", ErrInvalidItem, i, missing)
			errs = append(errs, results[i].Err)
			continue
		}
		valid = append(valid, i)
	}
	for call := 0; len(valid) > 0; call++ {
		n := min(len(valid), MaxManagerUpdatesPerCall)
		idx := valid[:n]
		valid = valid[n:]
		if err := ctx.Err(); err != nil {
			err = errorf("leadsquared: UpdateUserManagers: not sent: %w", err)
			errs = append(errs, err)
			for _, i := range append(idx, valid...) {
				results[i].Err = err
			}
			break
		}
		body := make(api.UserManagerUpdateList, len(idx))
		for k, i := range idx {
			body[k] = updates[i]
		}
		wfa, err := c.updateManagersCall(ctx, body, opts)
		if err != nil {
			errs = append(errs, err)
		}
		for _, i := range idx {
			results[i].Call, results[i].WFAID, results[i].Err = call, wfa, err
		}
	}
	if len(errs) == 0 {
		return results, nil
	}
	failed := 0
	for _, r := range results {
		if r.Err != nil {
			failed++
		}
	}
	return results, errorf("leadsquared: UpdateUserManagers: %d of %d updates failed: %w", failed, len(updates), errors.Join(errs...))
}

// updateManagersCall sends one BulkUpdateUserManagers call and returns its WFAID.
func (c *Client) updateManagersCall(ctx context.Context, body api.UserManagerUpdateList, opts []Option) (string, error) {
	r, err := c.BulkUpdateUserManagers(ctx, body, opts...)
	if err != nil {
		return "", err
	}
	if r.ErrorMessage != "" {
		return "", fmt.Errorf("leadsquared: BulkUpdateUserManagers: %s", c.doer.rd.Scrub(r.ErrorMessage))
	}
	return string(r.WFAID), nil
}
