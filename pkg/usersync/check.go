package usersync

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrBadPlan is wrapped by the error of a plan that cannot be applied as it is (a saved plan
// edited by hand, or written by something else): [Plan.Check] names the action.
var ErrBadPlan = errors.New("usersync: the plan is not one Apply can carry out")

// Check checks the whole plan before Apply makes its first change: its version, its
// fingerprint, and every action (a known kind, a valid address, the user's Id or the
// create's body, the changes its calls take, a manager the account or the plan has). Its
// error wraps [ErrBadPlan] and names the first action at fault.
func (p *Plan) Check() error {
	if p.spill != nil {
		q, err := p.inMemory()
		if err != nil {
			return err
		}
		return q.Check()
	}
	if p.Version != PlanVersion && p.Version != 1 {
		return fmt.Errorf("%w: version %d, want %d", ErrBadPlan, p.Version, PlanVersion)
	}
	if p.Fingerprint != fingerprint(p) {
		return fmt.Errorf("%w: its users or scope were edited (the fingerprint does not match them)", ErrBadPlan)
	}
	creates := map[string]int{} // key → index of the create
	seen := map[string]int{}
	for i, a := range p.Actions {
		fail := func(format string, args ...any) error {
			return fmt.Errorf("%w: action %d (%s %s): %s", ErrBadPlan, i+1, Printable(string(a.Kind)), Printable(a.Email), fmt.Sprintf(format, args...))
		}
		k, err := checkEmail(a.Email)
		if err != nil {
			return fail("the address: %v", err)
		}
		if j, dup := seen[a.ID()]; dup {
			return fail("the same action as action %d", j+1)
		}
		seen[a.ID()] = i
		_, read := p.Users.Get(k)
		if a.Kind != KindCreate && (a.UserID == "" || !read) {
			return fail("not a user the plan read (no userId, or not among its users)")
		}
		if a.Kind != KindCreate && len(a.Create) > 0 {
			return fail("a create body on an action that is not a create")
		}
		if err := checkManager(p, a, creates); err != nil {
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
			creates[k] = i
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
func checkManager(p *Plan, a Action, creates map[string]int) error {
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
	if _, ok := creates[k]; ok || a.Kind == KindManager && slices.ContainsFunc(p.Actions, func(x Action) bool { return x.Kind == KindCreate && keyOf(x.Email) == k }) {
		return nil
	}
	return fmt.Errorf("managerEmail %s: not a user the plan read or creates before", Printable(a.ManagerEmail))
}
