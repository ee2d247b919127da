package usersync

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
)

// PlanCreates returns the create-only plan of creates (actions of [KindCreate] whose Create
// bodies are built: lsq users import's plan of a batch of rows): it looks their addresses up
// ([LookupAddresses], inactive users included, [LookupBatch] addresses a search) and plans
// the creates of the users the account does not have; those it has are returned by key
// (exists), and not planned. The plan is partial: [Apply] checks by address, before its
// first create, that the users it creates are still missing (or were created by an earlier
// Apply recorded in its journal), and creates each user with [CreateOnce]. A manager is
// named by the body's ManagerUserId: a plan of creates made batch by batch creates the
// managers in an earlier batch.
//
// LeadSquared API docs: https://apidocs.leadsquared.com/user-advanced-search/
func PlanCreates(ctx context.Context, c *leadsquared.Client, creates []Action) (p *Plan, exists map[string]Found, err error) {
	exists = map[string]Found{}
	for i, a := range creates {
		if a.Kind != KindCreate || a.ManagerEmail != "" {
			return nil, nil, fmt.Errorf("%w: action %d (%s %s): want a create with its manager by Id", ErrBadPlan, i+1, Printable(string(a.Kind)), Printable(a.Email))
		}
	}
	for start := 0; start < len(creates); start += LookupBatch {
		batch := creates[start:min(start+LookupBatch, len(creates))]
		emails := make([]string, len(batch))
		for i, a := range batch {
			emails[i] = a.Email
		}
		found, err := LookupAddresses(ctx, c, emails)
		if err != nil {
			return nil, nil, err
		}
		for k, f := range found {
			exists[k] = f
		}
	}
	p = &Plan{Version: PlanVersion, Account: c.BaseURL(), Columns: accessColumns, Actions: []Action{}, Partial: true}
	for _, a := range creates {
		if _, ok := exists[keyOf(a.Email)]; !ok {
			p.Actions = append(p.Actions, a)
		}
	}
	p.Fingerprint = fingerprint(p)
	return p, exists, nil
}

// RowJournal is the [Journal] of lsq users import over its state file: the records are
// those of the file's rows, by address key, across the plans of its batches (each batch is
// a plan of its own), rather than those of one plan. Begin keeps every record (a row done by
// an earlier run of the file is done), Complete records nothing, and the outcome of a create
// is recorded as the row's: pending, created (done) or failed, with the row's line.
type RowJournal struct {
	State *StateFile
	// Line returns the line of the row with the address key, for its records.
	Line func(key string) int
	// OnRecord, if set, is called with each record written (to learn the Ids created).
	OnRecord func(StateRecord)
}

// rowKey is the key of the row of a create's action ID.
func rowKey(id string) (string, bool) { return strings.CutPrefix(id, string(KindCreate)+":") }

// Begin implements Journal: it keeps every record.
func (j *RowJournal) Begin(string) (bool, error) { return true, nil }

// Get implements Journal: the row's latest record from an earlier run (created and exists
// are done).
func (j *RowJournal) Get(id string) (string, string, bool) {
	key, ok := rowKey(id)
	if !ok {
		return "", "", false
	}
	r, ok := j.State.Lookup(key)
	if !ok {
		return "", "", false
	}
	if IsDone(r.Status) {
		return StatusDone, r.UserID, true
	}
	return r.Status, r.UserID, true
}

// Put implements Journal: it records the row's outcome.
func (j *RowJournal) Put(id, status, userID, reason string) error {
	key, ok := rowKey(id)
	if !ok {
		return errors.New("the journal of an import records creates only")
	}
	if status == StatusDone {
		status = StateCreated
	}
	r := StateRecord{Key: key, Status: status, UserID: userID, Reason: reason}
	if j.Line != nil {
		r.Row = j.Line(key)
	}
	if err := j.State.Record(r); err != nil {
		return err
	}
	if j.OnRecord != nil {
		j.OnRecord(r)
	}
	return nil
}

// Complete implements Journal: a file's rows stay recorded.
func (j *RowJournal) Complete() error { return nil }
