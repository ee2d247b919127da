package usersync

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
)

// stale returns how the account (users, as read again) differs from what the plan read:
// every user the plan read is checked, those it touched included. A user an earlier Apply of
// this plan (the journal's records) changed must be as that Apply left it: its done actions
// made, and each action left pending or failed either made or not, and as the plan read it
// otherwise. The users the scope's search finds must be those it found, but for the users
// this plan touched.
//
// The users the read did not keep were checked as they were read (hashed, nil if none).
func stale(ctx context.Context, c *leadsquared.Client, p *Plan, users map[string]*current, j Journal, hashed *byHash) ([]string, error) {
	recorded := map[string][]Action{} // by user key: the actions with a record
	status := map[string]string{}     // by action ID
	for a, err := range p.All() {
		if err != nil {
			return nil, err
		}
		if st, _, ok := j.Get(a.ID()); ok {
			k := keyOf(a.Email)
			recorded[k] = append(recorded[k], a)
			status[a.ID()] = st
		}
	}
	var changed []string
	if hashed != nil {
		changed = append(changed, hashed.changed...)
	}
	for k, h := range p.Users.All() {
		u, ok := users[k]
		switch {
		case !ok && hashed != nil && hashed.saw(k):
		case !ok:
			changed = append(changed, Printable(k)+" (gone)")
		case !asLeft(u, h, recorded[k], status, users):
			changed = append(changed, Printable(k))
		}
	}
	for k := range users {
		if _, ok := p.Users.Get(k); !ok && !slices.ContainsFunc(recorded[k], func(a Action) bool { return a.Kind == KindCreate }) {
			changed = append(changed, Printable(k)+" (new)")
		}
	}
	if p.Scope != nil && p.Scope.Search != nil {
		found, err := searchScope(ctx, c, *p.Scope.Search)
		if err != nil {
			return nil, err
		}
		byID := map[string]string{}
		for k, u := range users {
			byID[u.id()] = k
		}
		was := map[string]bool{}
		for _, id := range p.ScopeFound {
			was[id] = true
		}
		name := func(id string) string { // the users checked by hash are known by Id
			if k, ok := byID[id]; ok {
				return Printable(k)
			}
			return "the user " + Printable(id)
		}
		for id := range found {
			if !was[id] && len(recorded[byID[id]]) == 0 {
				changed = append(changed, name(id)+" (now in the scope's search)")
			}
		}
		for id := range was {
			if !found[id] && len(recorded[byID[id]]) == 0 {
				changed = append(changed, name(id)+" (no longer in the scope's search)")
			}
		}
	}
	slices.Sort(changed)
	return changed, nil
}

// byHash checks the users of the account a plan does not change as Apply reads them, by
// their hash, without keeping them: which of the plan's users (by their place among its
// sorted keys) were seen.
type byHash struct {
	p       *Plan
	seen    []bool
	changed []string
}

func newByHash(p *Plan) *byHash {
	return &byHash{p: p, seen: make([]bool, p.Users.Len())}
}

// check checks one user read (a slim one: its hash in sum) and drops it.
func (b *byHash) check(k string, u *current) bool {
	i, ok := b.p.Users.index(k)
	if ok && b.seen[i] { // a second user with the key: the plan read it by its Id
		k = "\x00" + u.id()
		i, ok = b.p.Users.index(k)
	}
	switch {
	case !ok:
		b.changed = append(b.changed, Printable(k)+" (new)")
	case b.p.Users.at(i) != u.sum:
		b.changed = append(b.changed, Printable(k))
	}
	if ok {
		b.seen[i] = true
	}
	return true
}

// saw reports whether check saw the user the plan read with key k.
func (b *byHash) saw(k string) bool {
	i, ok := b.p.Users.index(k)
	return ok && b.seen[i]
}

// asLeft reports whether u, as read now, is the user the plan read (hash h) once the
// recorded actions are taken back: each done action must show, and each pending or failed
// one may show or not.
func asLeft(u *current, h string, acts []Action, status map[string]string, users map[string]*current) bool {
	if len(acts) == 0 {
		return u.hash() == h
	}
	var done, unsure []Action
	for _, a := range acts {
		if status[a.ID()] == StatusDone {
			done = append(done, a)
		} else {
			unsure = append(unsure, a)
		}
	}
	for set := 0; set < 1<<len(unsure); set++ {
		made := slices.Clone(done)
		for i, a := range unsure {
			if set&(1<<i) != 0 {
				made = append(made, a)
			}
		}
		if before, ok := takeBack(u, made, users); ok && before.hash() == h {
			return true
		}
	}
	return false
}

// takeBack returns u as it was before the actions, or false if one of them does not show
// in u (someone else changed the attribute since).
func takeBack(u *current, made []Action, users map[string]*current) (*current, bool) {
	b := u.clone()
	for _, a := range made {
		switch a.Kind {
		case KindActivate, KindDeactivate:
			if b.active != (a.Kind == KindActivate) {
				return nil, false
			}
			b.active = !b.active
		case KindUpdate, KindTeam, KindManager:
			for _, ch := range a.Changes {
				want := ch.New
				if a.Kind == KindManager && a.ManagerEmail != "" {
					want = ""
					if m := users[keyOf(a.ManagerEmail)]; m != nil {
						want = m.id()
					}
				}
				if !same(ch.Attr, want, b.value(ch.Attr)) {
					return nil, false
				}
				b.set(ch.Attr, ch.Old)
			}
		}
	}
	return b, true
}

// staleError is the error of an account that changed.
func staleError(changed []string) error {
	more := ""
	if len(changed) > 5 {
		more = fmt.Sprintf(" and %d more", len(changed)-5)
		changed = changed[:5]
	}
	return fmt.Errorf("%w: %s%s; make a new plan", ErrAccountChanged, strings.Join(changed, ", "), more)
}
