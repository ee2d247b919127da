package usersync

import (
	"errors"
	"fmt"
	"strings"
)

// ErrBadPlan is wrapped by the error of a plan that cannot be applied as it is (a saved plan
// edited by hand, or written by something else): [Plan.Check] names the action.
var ErrBadPlan = errors.New("usersync: the plan is not one Apply can carry out")

// Check checks the whole plan before Apply makes its first change: its version, its
// fingerprint, and every action (a known kind, a valid address, the user's Id or the
// create's body, the changes its calls take, a manager the account or the plan has). Its
// error wraps [ErrBadPlan] and names the first action at fault.
//
// The creates of a plan made with [Options.SpillCreates] are read from its temporary file
// one at a time, twice: they are not held in memory.
func (p *Plan) Check() error { return p.check() }

func (p *Plan) check() error {
	if p.Version != PlanVersion && p.Version != 1 {
		return fmt.Errorf("%w: version %d, want %d", ErrBadPlan, p.Version, PlanVersion)
	}
	if p.Fingerprint != fingerprint(p) {
		return fmt.Errorf("%w: its users or scope were edited (the fingerprint does not match them)", ErrBadPlan)
	}
	// The addresses of the plan's creates (first pass), each with the index of its first
	// create: a create's manager is created before it, a manager change names any of them.
	// It is the one map of every create Check keeps.
	created := newKeyIndex() // by 128 bits of the address's hash: a collision could only refuse a plan
	i := -1
	for a, err := range p.All() {
		i++
		if err != nil {
			return err
		}
		if k, err := checkEmail(a.Email); err == nil && a.Kind == KindCreate {
			if _, dup := created.get(k); !dup {
				created.put(k, int32(i))
			}
		}
	}
	created.freeze()
	seen := map[string]int{} // the other actions, by ID
	i = -1
	for a, err := range p.All() {
		i++
		if err != nil {
			return err
		}
		fail := func(format string, args ...any) error {
			return fmt.Errorf("%w: action %d (%s %s): %s", ErrBadPlan, i+1, Printable(string(a.Kind)), Printable(a.Email), fmt.Sprintf(format, args...))
		}
		k, err := checkEmail(a.Email)
		if err != nil {
			return fail("the address: %v", err)
		}
		if a.Kind == KindCreate {
			if j, _ := created.get(k); int(j) != i {
				return fail("the same action as action %d", j+1)
			}
		} else if j, dup := seen[a.ID()]; dup {
			return fail("the same action as action %d", j+1)
		} else {
			seen[a.ID()] = i
		}
		_, read := p.Users.Get(k)
		if a.Kind != KindCreate && (a.UserID == "" || !read) {
			return fail("not a user the plan read (no userId, or not among its users)")
		}
		if a.Kind != KindCreate && len(a.Create) > 0 {
			return fail("a create body on an action that is not a create")
		}
		if err := checkManager(p, a, i, created); err != nil {
			return fail("%v", err)
		}
		switch a.Kind {
		case KindCreate:
			body, err := a.Body()
			switch {
			case err != nil:
				return fail("%v", err)
			case read:
				return fail("the account has this user: a create would make a second one")
			case keyOf(body.EmailAddress) != k:
				return fail("the body's EmailAddress %s is not the action's", Printable(body.EmailAddress))
			}
			if _, err := updateFields(a.Changes); err != nil {
				return fail("%v", err)
			}
		case KindUpdate:
			if len(a.Changes) == 0 {
				return fail("no changes")
			}
			if _, err := updateFields(a.Changes); err != nil {
				return fail("%v", err)
			}
		case KindTeam:
			if len(a.Changes) != 1 || !strings.EqualFold(a.Changes[0].Attr, "TeamId") || a.Changes[0].New == "" {
				return fail("want one change, of TeamId, to a team")
			}
		case KindManager:
			if len(a.Changes) != 1 || !strings.EqualFold(a.Changes[0].Attr, "ManagerUserId") || (a.Changes[0].New == "" && a.ManagerEmail == "") {
				return fail("want one change, of ManagerUserId, to a user")
			}
		case KindActivate, KindDeactivate:
			if len(a.Changes) > 0 || a.ManagerEmail != "" {
				return fail("an access change has no attribute changes")
			}
		default:
			return fail("not a kind of action")
		}
	}
	return nil
}

// checkManager checks the manager an action names by address: a user the plan read, or one
// it creates in an earlier action.
// created holds the addresses of all the plan's creates, each with the index of its first
// create; a is action i.
func checkManager(p *Plan, a Action, i int, created *keyIndex) error {
	if a.ManagerEmail == "" {
		return nil
	}
	if a.Kind != KindCreate && a.Kind != KindManager {
		return errors.New("a managerEmail on an action that sets no manager")
	}
	k, err := checkEmail(a.ManagerEmail)
	if err != nil {
		return fmt.Errorf("managerEmail: %w", err)
	}
	if _, ok := p.Users.Get(k); ok {
		return nil
	}
	if j, ok := created.get(k); ok && (int(j) < i || a.Kind == KindManager) {
		return nil
	}
	return fmt.Errorf("managerEmail %s: not a user the plan read or creates before", Printable(a.ManagerEmail))
}
