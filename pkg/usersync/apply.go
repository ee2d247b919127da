package usersync

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
)

// Journal records the outcome of each action as Apply makes it, so that an Apply
// interrupted (a crash, a kill, Ctrl-C) and run again with the same journal skips what was
// done and checks what may have been done. A journal belongs to one plan: its records
// resume that plan's Apply, never another plan's, and not the same plan once an Apply of
// it completed. Implementations must be safe for concurrent use.
type Journal interface {
	// Begin binds the journal to the plan with this ID ([Plan.ID]) before Apply reads or
	// records anything. It keeps the records of an Apply of the same plan that did not
	// complete, and forgets every other record (another plan's, or those of an Apply that
	// completed); it reports whether it kept any.
	Begin(planID string) (resumed bool, err error)
	// Get returns the last status recorded for the action id (and the user Id it named).
	Get(id string) (status, userID string, ok bool)
	// Put records the status of the action id before (pending) and after (done, failed) it.
	Put(id, status, userID, reason string) error
	// Complete records that every action of the plan is done: a later Begin starts clean.
	Complete() error
}

// Statuses a Journal records.
const (
	StatusPending = "pending" // about to be sent: its outcome is unknown until recorded
	StatusDone    = "done"
	StatusFailed  = "failed"
)

// MemJournal is a Journal in memory (for tests, or an Apply that need not survive a crash).
type MemJournal struct {
	mu       sync.Mutex
	plan     string
	complete bool
	m        map[string][2]string
}

// Begin implements Journal.
func (j *MemJournal) Begin(planID string) (bool, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.plan == planID && !j.complete && len(j.m) > 0 {
		return true, nil
	}
	j.plan, j.complete, j.m = planID, false, nil
	return false, nil
}

// Get implements Journal.
func (j *MemJournal) Get(id string) (string, string, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	e, ok := j.m[id]
	return e[0], e[1], ok
}

// Put implements Journal.
func (j *MemJournal) Put(id, status, userID, _ string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.m == nil {
		j.m = map[string][2]string{}
	}
	j.m[id] = [2]string{status, userID}
	return nil
}

// Complete implements Journal.
func (j *MemJournal) Complete() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.complete = true
	return nil
}

// ApplyOptions are the choices of [Apply].
type ApplyOptions struct {
	// Workers is how many calls are in flight at once (the client's limiter sets the pace);
	// 0 means 4.
	Workers int
	// OnDone, if set, is called after each action with its outcome (nil: done).
	OnDone func(a Action, err error)
}

// Result is the outcome of an Apply.
type Result struct {
	Done, Earlier, Failed, NotRun int
	// Failures are the actions that failed, with why.
	Failures []Failure
}

// Failure is an action that failed.
type Failure struct {
	Action Action
	Err    error
}

// MayHaveActed reports whether a failed call may still have been carried out by
// LeadSquared, so that a create is checked before it is sent again: it is
// [leadsquared.ErrOutcomeUnknown], the client's own rule (no answer after the request was
// sent, a 5xx without LeadSquared's refusal, a 2xx the client could not read).
func MayHaveActed(err error) bool { return errors.Is(err, leadsquared.ErrOutcomeUnknown) }

// maxBulkConditions is how many users one BulkUpdateUsers call selects (by address).
const maxBulkConditions = 50

// Apply makes the changes of p through c, recording each in j. It first checks the whole
// plan ([Plan.Check]: an error wrapping [ErrBadPlan] names the action at fault, and nothing
// is sent), binds j to p (see [Journal]: a journal resumes only an unfinished Apply of the
// same plan), and reads the account again: it refuses (an error wrapping
// [ErrAccountChanged]) if any user the plan read, or the users its scope's search finds,
// are not as the plan read them, once the changes an earlier Apply of this plan recorded
// are taken back. Actions done in an earlier Apply are skipped; a create left pending is
// checked by email, not sent again. Actions go in this order: activations, creates
// (managers first), updates (Update a User), team moves (Update Users in Bulk, one call
// per team and up to 50 users), manager changes (Update Users' Managers in Bulk, 100 a
// call), deactivations.
//
// LeadSquared API docs: https://apidocs.leadsquared.com/update-a-user/,
// https://apidocs.leadsquared.com/update-users-in-bulk/,
// https://apidocs.leadsquared.com/update-users-managers-in-bulk/
func Apply(ctx context.Context, c *leadsquared.Client, p *Plan, j Journal, opts ApplyOptions) (*Result, error) {
	switch {
	case p == nil:
		return nil, fmt.Errorf("%w: no plan (nil)", ErrBadPlan)
	case j == nil:
		return nil, errors.New("usersync: Apply: no journal (nil): give a MemJournal, a StateFile or a RowJournal")
	case c.BaseURL() == "":
		return nil, errors.New("usersync: Apply: the client was not made by leadsquared.New")
	}
	if err := p.check(); err != nil {
		return nil, err
	}
	if p.Account != c.BaseURL() {
		return nil, fmt.Errorf("usersync: the plan was made for %s, not %s", p.Account, c.BaseURL())
	}
	if _, err := j.Begin(p.ID()); err != nil {
		return nil, fmt.Errorf("usersync: the journal: %w", err)
	}
	var (
		users  map[string]*current
		hashed *byHash
		err    error
	)
	if p.Partial {
		emails := make([]string, 0, p.Len())
		for a, err := range p.All() {
			if err != nil {
				return nil, err
			}
			emails = append(emails, a.Email)
		}
		users, err = readByAddress(ctx, c, emails, p.Columns)
	} else {
		// Only the users the plan changes (or names as managers) are compared value by value
		// and kept: the others are checked by hash as they are read.
		// They are known by the hash of their key (a plan of 464,000 creates): another user with
		// the same hash would only be kept whole too.
		acted := newKeyIndex()
		for a, err := range p.All() {
			if err != nil {
				return nil, err
			}
			acted.put(keyOf(a.Email), 0)
			if a.ManagerEmail != "" {
				acted.put(keyOf(a.ManagerEmail), 0)
			}
		}
		acted.freeze()
		hashed = newByHash(p)
		users, err = readAccount(ctx, c, p.Columns, func(k string, _ []string, _ []bool, _ bool) bool {
			_, ok := acted.get(k)
			return ok
		}, hashed.check)
	}
	if err != nil {
		return nil, err
	}
	changed, err := stale(ctx, c, p, users, j, hashed)
	if err != nil {
		return nil, err
	}
	if len(changed) > 0 {
		return nil, staleError(changed)
	}
	ap := &applier{c: c, j: j, users: users, res: &Result{}, opts: opts, ids: map[string]string{}, named: map[string]bool{}}
	for a, err := range p.All() {
		if err != nil {
			return nil, err
		}
		if a.ManagerEmail != "" {
			ap.named[keyOf(a.ManagerEmail)] = true
		}
	}
	if ap.opts.Workers <= 0 {
		ap.opts.Workers = 4
	}
	// The actions to make; the creates of a temporary file stay there, and are read back one
	// at a time as they are made (creates).
	var (
		todo    []Action
		nTodo   int
		creates iter.Seq[Action]
		readErr error
	)
	streamed := p.spill != nil
	for a, err := range p.All() {
		if err != nil {
			return nil, err
		}
		if st, id, ok := j.Get(a.ID()); ok && st == StatusDone {
			ap.res.Earlier++
			ap.setID(a.Email, id)
			continue
		}
		nTodo++
		if !streamed || a.Kind != KindCreate {
			todo = append(todo, a)
		}
	}
	if streamed {
		creates = func(yield func(Action) bool) {
			for a, err := range p.All() {
				if err != nil {
					readErr = err
					return
				}
				if a.Kind != KindCreate {
					continue
				}
				if st, _, ok := j.Get(a.ID()); ok && st == StatusDone {
					continue
				}
				if !yield(a) {
					return
				}
			}
		}
	}
	ap.run(ctx, todo, creates)
	ap.res.NotRun = nTodo - ap.res.Done - ap.res.Failed
	if readErr != nil {
		return ap.res, readErr
	}
	if ap.res.Failed+ap.res.NotRun == 0 && ctx.Err() == nil {
		if err := j.Complete(); err != nil {
			return ap.res, fmt.Errorf("usersync: the journal: %w", err)
		}
	}
	return ap.res, nil
}

type applier struct {
	c     *leadsquared.Client
	j     Journal
	users map[string]*current
	opts  ApplyOptions
	mu    sync.Mutex
	res   *Result
	ids   map[string]string // address → Id of the users created by this plan that named holds
	// named holds the addresses actions name as manager: the Ids of the others are not
	// kept (a plan of a file of new users creates as many).
	named map[string]bool
}

func (ap *applier) setID(email, id string) {
	k := keyOf(email)
	if id == "" || !ap.named[k] {
		return
	}
	ap.mu.Lock()
	defer ap.mu.Unlock()
	ap.ids[k] = id
}

// userID returns the Id of the user with the address: created by the plan, or read.
func (ap *applier) userID(email string) string {
	k := keyOf(email)
	ap.mu.Lock()
	id := ap.ids[k]
	ap.mu.Unlock()
	if id == "" {
		if u := ap.users[k]; u != nil {
			id = u.id()
		}
	}
	return id
}

func (ap *applier) finish(a Action, userID string, err error) {
	status, reason := StatusDone, ""
	if err != nil {
		status, reason = StatusFailed, err.Error()
	}
	if perr := ap.j.Put(a.ID(), status, userID, reason); perr != nil && err == nil {
		err = fmt.Errorf("the journal could not be written: %w", perr)
	}
	ap.mu.Lock()
	if err != nil {
		ap.res.Failed++
		ap.res.Failures = append(ap.res.Failures, Failure{Action: a, Err: err})
	} else {
		ap.res.Done++
	}
	ap.mu.Unlock()
	if ap.opts.OnDone != nil {
		ap.opts.OnDone(a, err)
	}
}

// run makes the actions by kind, in the plan's order of kinds. The creates are those of
// todo, or, if streamed is not nil, those it yields, made as they are read.
func (ap *applier) run(ctx context.Context, todo []Action, streamed iter.Seq[Action]) {
	byKind := map[Kind][]Action{}
	for _, a := range todo {
		byKind[a.Kind] = append(byKind[a.Kind], a)
	}
	ap.each(ctx, byKind[KindActivate], func(a Action) {
		_, err := ap.c.ActivateUser(ctx, api.ActivateUserParams{UserID: a.UserID})
		ap.finish(a, a.UserID, err)
	})
	if streamed == nil {
		streamed = slices.Values(byKind[KindCreate])
	}
	ap.creates(ctx, streamed)
	ap.each(ctx, byKind[KindUpdate], func(a Action) {
		ap.finish(a, a.UserID, ap.update(ctx, a.UserID, a.Changes))
	})
	ap.teams(ctx, byKind[KindTeam])
	ap.managers(ctx, byKind[KindManager])
	ap.each(ctx, byKind[KindDeactivate], func(a Action) {
		_, err := ap.c.DeactivateUser(ctx, api.DeactivateUserParams{UserID: a.UserID})
		ap.finish(a, a.UserID, err)
	})
}

// creates makes the creates on the workers as they come, a level of managers at a time: a
// create whose manager is among the creates being made waits until they are made (the
// plan puts managers before the users who report to them). Only the managers are
// remembered: a plan of a file of new users is not held.
func (ap *applier) creates(ctx context.Context, creates iter.Seq[Action]) {
	next, stop := iter.Pull(creates)
	defer stop()
	var held *Action // the first create of the next level
	for more := true; more && ctx.Err() == nil; {
		making := map[string]bool{} // the managers among the creates being made
		level := func(yield func(Action) bool) {
			for {
				var a Action
				if held != nil {
					a, held = *held, nil
				} else {
					var ok bool
					if a, ok = next(); !ok {
						more = false
						return
					}
				}
				if a.ManagerEmail != "" && making[keyOf(a.ManagerEmail)] {
					held = &a
					return
				}
				if k := keyOf(a.Email); ap.named[k] {
					making[k] = true
				}
				if !yield(a) {
					return
				}
			}
		}
		ap.eachOf(ctx, level, ap.opts.Workers, func(a Action) { ap.create(ctx, a) })
	}
}

// each runs fn on the actions on the workers, until ctx ends.
func (ap *applier) each(ctx context.Context, actions []Action, fn func(Action)) {
	ap.eachOf(ctx, slices.Values(actions), min(ap.opts.Workers, max(1, len(actions))), fn)
}

// eachOf runs fn on the actions on workers workers, until ctx ends.
func (ap *applier) eachOf(ctx context.Context, actions iter.Seq[Action], workers int, fn func(Action)) {
	ch := make(chan Action)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for a := range ch {
				fn(a)
			}
		}()
	}
	for a := range actions {
		if ctx.Err() != nil {
			break
		}
		select {
		case ch <- a:
		case <-ctx.Done():
		}
	}
	close(ch)
	wg.Wait()
}

func (ap *applier) update(ctx context.Context, userID string, changes []Change) error {
	return SetAttributes(ctx, ap.c, userID, changes)
}

// SetAttributes sets the attributes of the user userID to the New of each change, in one
// Update a User call (none for no changes). An attribute Update a User does not take is an
// error naming it, and nothing is sent.
//
// LeadSquared API docs: https://apidocs.leadsquared.com/update-a-user/
func SetAttributes(ctx context.Context, c *leadsquared.Client, userID string, changes []Change) error {
	if len(changes) == 0 {
		return nil
	}
	fields, err := updateFields(changes)
	if err != nil {
		return err
	}
	_, err = c.UpdateUser(ctx, api.UpdateUserParams{UserID: userID}, api.UserUpdateRequest{User: fields})
	return err
}

// create creates one user, never twice.
func (ap *applier) create(ctx context.Context, a Action) {
	k := keyOf(a.Email)
	// A create an earlier Apply left pending (or failed after it may have happened): the
	// account was just read, and the user is either there or not.
	if u := ap.users[k]; u != nil {
		ap.setID(a.Email, u.id())
		ap.finish(a, u.id(), ap.update(ctx, u.id(), a.Changes))
		return
	}
	body, err := a.Body()
	if err != nil { // Check found none: a plan changed since
		ap.finish(a, "", err)
		return
	}
	if a.ManagerEmail != "" {
		id := ap.userID(a.ManagerEmail)
		if id == "" {
			ap.finish(a, "", fmt.Errorf("the manager %s was not created", Printable(a.ManagerEmail)))
			return
		}
		body.ManagerUserID = id
	}
	id, existed, err := CreateOnce(ctx, ap.c, body, func() error { return ap.j.Put(a.ID(), StatusPending, "", "") })
	switch {
	case err != nil && ctx.Err() != nil:
		return // interrupted: pending, and the next Apply finds out
	case err != nil:
		ap.finish(a, "", err)
		return
	case existed && id == "":
		ap.finish(a, "", errors.New("a user with this address exists (created meanwhile?) and Get a User by Email does not find it"))
		return
	}
	ap.setID(a.Email, id)
	if err := ap.update(ctx, id, a.Changes); err != nil {
		names := make([]string, len(a.Changes))
		for i, ch := range a.Changes {
			names[i] = ch.Attr
		}
		ap.finish(a, id, fmt.Errorf("created, but setting %s failed (%w): set it with a sync", strings.Join(names, ", "), err))
		return
	}
	ap.finish(a, id, nil)
}

// teams moves users to their new teams with BulkUpdateUsers: one call per team and up to
// maxBulkConditions users.
func (ap *applier) teams(ctx context.Context, actions []Action) {
	byTeam := map[string][]Action{}
	var order []string
	for _, a := range actions {
		t := a.Changes[0].New
		if _, ok := byTeam[t]; !ok {
			order = append(order, t)
		}
		byTeam[t] = append(byTeam[t], a)
	}
	for _, team := range order {
		group := byTeam[team]
		for len(group) > 0 && ctx.Err() == nil {
			batch := group[:min(len(group), maxBulkConditions)]
			group = group[len(batch):]
			conds := make([]api.SearchCondition, len(batch))
			for i, a := range batch {
				_ = ap.j.Put(a.ID(), StatusPending, a.UserID, "")
				conds[i] = api.SearchCondition{LookupName: "EmailAddress", Operator: api.SearchConditionOperatorEq, LookupValue: a.Email}
				if i < len(batch)-1 {
					conds[i].ConditionOperator = "OR"
				}
			}
			_, err := ap.c.BulkUpdateUsers(ctx, api.UserBulkUpdateRequest{Attribute: "TeamId", Value: team, Conditions: []api.ConditionGroup{{Condition: conds}}})
			if ctx.Err() != nil {
				return
			}
			for _, a := range batch {
				ap.finish(a, a.UserID, err)
			}
		}
	}
}

// managers sets managers with BulkUpdateUserManagers (up to 100 users a call).
func (ap *applier) managers(ctx context.Context, actions []Action) {
	var ups []api.UserManagerUpdate
	var sent []Action
	for _, a := range actions {
		mgr := a.Changes[0].New
		if a.ManagerEmail != "" {
			mgr = ap.userID(a.ManagerEmail)
		}
		if mgr == "" {
			ap.finish(a, a.UserID, fmt.Errorf("the manager %s was not created", Printable(a.ManagerEmail)))
			continue
		}
		_ = ap.j.Put(a.ID(), StatusPending, a.UserID, "")
		ups = append(ups, api.UserManagerUpdate{UserID: a.UserID, ManagerID: mgr})
		sent = append(sent, a)
	}
	if len(ups) == 0 || ctx.Err() != nil {
		return
	}
	results, _ := ap.c.UpdateUserManagers(ctx, ups)
	for i, r := range results {
		if ctx.Err() != nil && r.Call < 0 {
			continue
		}
		ap.finish(sent[i], sent[i].UserID, r.Err)
	}
}
