package usersync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/validate"
)

// canonical returns the spelling of a Create a User field for attr, or attr.
func canonical(attr string) string {
	for f := range createFields {
		if strings.EqualFold(f, attr) {
			return f
		}
	}
	return attr
}

// checkEmail returns the key of an address written alone (CheckAddress), or an error.
func checkEmail(s string) (string, error) {
	_, key, err := CheckAddress(s)
	return key, err
}

// MakePlan reads the account through c and returns what would make it match desired. The
// source is checked first: every invalid user is reported at once (an error wrapping
// [ErrInvalidSource] and joining one [*RowError] each) and nothing is read. It reads the
// account with User Advanced Search, 1000 users a call (and the key owner with Authenticate
// a User when opts.Deactivate), and changes nothing. [MakePlanFrom] plans a source too large
// to hold (a users file read twice).
//
// LeadSquared API docs: https://apidocs.leadsquared.com/user-advanced-search/
func MakePlan(ctx context.Context, c *leadsquared.Client, desired []Desired, opts Options) (*Plan, error) {
	return MakePlanFrom(ctx, c, SliceSource(desired), opts)
}

// MakePlanFrom is [MakePlan] with the desired users read from src, twice: once to check
// them (holding only each user's address key), and once, after the account was read, to
// compare them with it. A source that changed between the two reads is an error.
//
// LeadSquared API docs: https://apidocs.leadsquared.com/user-advanced-search/
func MakePlanFrom(ctx context.Context, c *leadsquared.Client, src Source, opts Options) (*Plan, error) {
	if opts.Deactivate && opts.Scope.empty() {
		return nil, errors.New("usersync: Deactivate needs a Scope (a role, a team or a search): a sync never deactivates the whole account")
	}
	v, err := validate.Default()
	if err != nil {
		return nil, err
	}
	var errs []error
	rowErr := func(d Desired, attr, msg string) {
		errs = append(errs, &RowError{Line: d.Line, Email: d.Email, Attr: attr, Msg: msg})
	}
	// The first read keeps, per user, the hash of its key (in byKey), its line and whether
	// it is inactive; the address as written only where it is not its key.
	byKey := newKeyIndex()
	var (
		lines    []int32
		inactive []bool
		flags    []uint8 // by row: rowActive, rowManager, and rowMatched, rowSeen as the account is read
		digests  = newRowDigests()
		spelled  = map[int32]string{}
		attrs    = map[string]bool{}
		mgrs     = map[string]int32{} // the keys of the managers the source names: their place in mgrIDs
		mgrOf    []int32              // by row: the place of the manager it names in mgrIDs, or -1
		n        int32
	)
	for d, err := range src() {
		if err != nil {
			return nil, err
		}
		i := n
		n++
		lines, inactive, mgrOf = append(lines, int32(d.Line)), append(inactive, d.inactive()), append(mgrOf, -1)
		var fl uint8
		if d.Active != nil && *d.Active {
			fl |= rowActive
		}
		if d.ManagerEmail != "" {
			fl |= rowManager
		}
		flags = append(flags, fl)
		digests.add(d)
		for k := range d.Attrs {
			if !attrs[k] {
				attrs[strings.Clone(k)] = true
			}
		}
		k, err := checkEmail(d.Email)
		if err != nil {
			rowErr(d, "EmailAddress", err.Error())
			continue
		}
		if j, dup := byKey.get(k); dup {
			first := k
			if s, ok := spelled[j]; ok {
				first = s
			}
			rowErr(d, "EmailAddress", fmt.Sprintf("%s is the same address as %s of row %d: one row per user",
				Printable(strings.TrimSpace(d.Email)), Printable(first), lines[j]))
			continue
		}
		byKey.put(k, i)
		if e := strings.TrimSpace(d.Email); e != k {
			spelled[i] = strings.Clone(e)
		}
		if d.ManagerEmail != "" {
			mk, err := checkEmail(d.ManagerEmail)
			if err != nil {
				rowErr(d, "ManagerEmail", err.Error())
			} else {
				m, ok := mgrs[mk]
				if !ok {
					m = int32(len(mgrs))
					mgrs[strings.Clone(mk)] = m
				}
				mgrOf[i] = m
			}
			if d.Attrs["ManagerUserId"] != "" {
				rowErr(d, "ManagerEmail", "give ManagerEmail or ManagerUserId, not both")
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(append([]error{ErrInvalidSource}, errs...)...)
	}
	byKey.freeze()
	columns := columnsOf(attrs)
	p := &Plan{Version: PlanVersion, Account: c.BaseURL(), Columns: columns}
	var found map[string]bool // the Ids the scope's search finds
	if opts.Deactivate && opts.Scope.Search != nil {
		if found, err = searchScope(ctx, c, *opts.Scope.Search); err != nil {
			return nil, err
		}
	}
	// Only the users whose row may change them are compared: the others are slim, and only
	// their hash is kept, unless they manage a user of the source or the scope may select
	// them. A user the source names is kept when its row spells its address otherwise,
	// states another status, sets values that hash otherwise, or names a manager other than
	// the user's (known if the manager was read first; else checked after the read: see
	// pending); one whose row changes nothing is marked matched and dropped. A second account
	// user with the key of a row (twins, or one user found twice) has that key read again,
	// whole.
	cs := newColumnSet(columns)
	emailCol, idCol, mgrCol := cs.find("EmailAddress"), cs.find("UserId"), cs.find("ManagerUserId")
	twinKeys := map[string]bool{}
	mgrIDs := make([]string, len(mgrs)) // the Id of each manager the source names, once read
	// The rows that change nothing but maybe their manager, read before it (rowPending): the
	// hash of the user's ManagerUserId, compared with the manager's Id's after the read.
	var pending []uint64
	pendingSeed := maphash.MakeSeed()
	keep := func(k string, vals []string, has []bool, active bool) bool {
		if m, ok := mgrs[k]; ok {
			switch id := vals[idCol]; mgrIDs[m] {
			case "":
				mgrIDs[m] = strings.Clone(id)
			case id: // the same user found twice
			default:
				mgrIDs[m] = twinManager // never a user's manager: the plan reports the twins
			}
		}
		i, ok := byKey.get(k)
		if !ok {
			return false
		}
		if flags[i]&rowSeen != 0 {
			twinKeys[k] = true
			return true
		}
		flags[i] |= rowSeen
		spelling := k
		if s, ok := spelled[i]; ok {
			spelling = s
		}
		if !strings.EqualFold(spelling, strings.TrimSpace(vals[emailCol])) ||
			flags[i]&rowActive != 0 && !active || inactive[i] && active ||
			!digests.same(i, cs, vals, has) {
			return true
		}
		if flags[i]&rowManager == 0 {
			return false
		}
		if mid := mgrIDs[mgrOf[i]]; mid != "" {
			return mid != vals[mgrCol]
		}
		if pending == nil {
			pending = make([]uint64, n)
		}
		flags[i] |= rowPending
		pending[i] = maphash.String(pendingSeed, vals[mgrCol])
		return false
	}
	// The users dropped that the source does not name, by 64 bits of the hash of their key
	// (half the memory of the whole hash: a file of new users drops every account user); a
	// user found there is a twin only if the plan's fingerprints hold its key.
	dropped := map[uint64]struct{}{}
	users, err := readAccount(ctx, c, columns, keep, func(k string, u *current) bool {
		// Kept (slim): the managers the source names, and the users the scope selects that
		// it does not list (deactivated).
		i, named := byKey.get(k)
		if _, mgr := mgrs[k]; mgr || opts.Deactivate && !named && inScope(u, opts.Scope, found) {
			return false
		}
		var twin bool
		if named {
			twin = flags[i]&rowMatched != 0
			flags[i] |= rowMatched
		} else {
			h := byKey.hash(k)[0]
			if _, seen := dropped[h]; seen {
				twin = p.Users.has(k)
			}
			dropped[h] = struct{}{}
		}
		if twin {
			k = "\x00" + u.id()
		}
		p.Users.Set(k, u.sum)
		return true
	})
	if err != nil {
		return nil, err
	}
	if len(twinKeys) > 0 {
		if err := readTwins(ctx, c, columns, twinKeys, users, &p.Users); err != nil {
			return nil, err
		}
	}
	// The rows read before their manager whose manager is another (or not in the account),
	// and those naming a manager the account turned out to have twins of: their users are
	// read again, whole, by address (the source read again for them).
	recheck := map[int32]bool{}
	for i := range n {
		if flags[i]&rowManager == 0 {
			continue
		}
		mid := mgrIDs[mgrOf[i]]
		if mid == twinManager || flags[i]&rowPending != 0 && (mid == "" || maphash.String(pendingSeed, mid) != pending[i]) {
			recheck[i] = true
		}
	}
	pending = nil
	if len(recheck) > 0 {
		if err := readManaged(ctx, c, src, columns, byKey, recheck, users, &p.Users); err != nil {
			return nil, err
		}
	}
	kept := make([]string, 0, len(users))
	for k, u := range users {
		if _, twin := p.Users.Get(k); twin && !strings.HasPrefix(k, "\x00") {
			k = "\x00" + u.id() // a user the read kept after one it did not, with one key
		}
		kept = append(kept, k, u.hash())
	}
	for i := 0; i < len(kept); i += 2 { // set after the lookups: a set sorts again at the next
		p.Users.Set(kept[i], kept[i+1])
	}
	// created reports whether the plan creates the user with the key.
	created := func(k string) bool {
		i, ok := byKey.get(k)
		return ok && users[k] == nil && flags[i]&rowMatched == 0 && !inactive[i]
	}

	var updates, teams, managers, activates, deactivates []Action
	// The creates, a file of new users' plan, are sized once: a slice grown by append holds
	// its old array and the new one at each growth (a plan of 464,000 creates peaked at
	// 1.25 times the slice in both).
	toCreate := 0
	for j := range n {
		if flags[j]&rowSeen == 0 && !inactive[j] {
			toCreate++ // no account user has its key: a create, unless the row has errors
		}
	}
	var creates []Action
	var sp *spill // the creates, with opts.SpillCreates
	if opts.SpillCreates && toCreate > 0 {
		if sp, err = newSpill(); err != nil {
			return nil, err
		}
		defer func() {
			if sp != nil && p.spill != sp { // not handed to the plan
				_ = sp.close()
			}
		}()
	} else {
		creates = make([]Action, 0, toCreate)
	}
	var order createOrder // the creates' managers, to make them a level at a time
	var i int32
	for d, err := range src() {
		if err != nil {
			return nil, err
		}
		key, kerr := checkEmail(d.Email)
		if j, ok := byKey.get(key); kerr != nil || !ok || j != i || i >= n {
			return nil, fmt.Errorf("usersync: the source changed while it was read (row %d): plan again", d.Line)
		}
		i++
		var mgrKey string
		if d.ManagerEmail != "" {
			mgrKey, _ = checkEmail(d.ManagerEmail)
		}
		u := users[key]
		if u != nil && len(u.twins) > 0 {
			rowErr(d, "EmailAddress", fmt.Sprintf("the account has %d users with this address: %s and %s; fix the account first",
				len(u.twins)+1, Printable(u.email()), strings.Join(mapSlice(u.twins, Printable), " and ")))
			continue
		}
		if u != nil && !strings.EqualFold(strings.TrimSpace(d.Email), u.email()) {
			rowErr(d, "EmailAddress", fmt.Sprintf("%s looks like the account's user %s (the same address once normalised): write it as the account has it",
				Printable(strings.TrimSpace(d.Email)), Printable(u.email())))
			continue
		}
		if u == nil && flags[i-1]&rowMatched != 0 || u != nil && u.sum != "" {
			continue // the account's user, whose row changes nothing (see keep)
		}
		if m := users[mgrKey]; m != nil && len(m.twins) > 0 {
			rowErr(d, "ManagerEmail", fmt.Sprintf("the account has %d users with this address", len(m.twins)+1))
			continue
		}
		if mgrKey != "" && users[mgrKey] == nil && !created(mgrKey) {
			rowErr(d, "ManagerEmail", "no user with this address in the account or the file")
			continue
		}
		if u == nil {
			if d.inactive() {
				p.Notes = append(p.Notes, fmt.Sprintf("%s: not in the account and marked Inactive: not created", Printable(d.Email)))
				continue
			}
			a, err := createAction(v, d, users, mgrKey)
			if err != nil {
				errs = append(errs, err...)
				continue
			}
			flags[i-1] |= rowCreate
			order.rows = append(order.rows, i-1)
			if j, ok := byKey.get(mgrKey); ok && mgrKey != "" && created(mgrKey) {
				if order.parent == nil {
					order.parent = slices.Repeat([]int32{-1}, int(n))
				}
				order.parent[i-1] = j
			}
			if sp == nil {
				creates = append(creates, a)
				continue
			}
			if err := sp.add(a); err != nil {
				return nil, err
			}
			continue
		}
		base := Action{Email: u.email(), Line: d.Line, UserID: u.id()}
		var changes []Change
		attrs := make([]string, 0, len(d.Attrs))
		for k := range d.Attrs {
			attrs = append(attrs, k)
		}
		slices.Sort(attrs)
		for _, k := range attrs {
			want := strings.TrimSpace(d.Attrs[k])
			name := canonical(k)
			if want == "" || readOnly[strings.ToLower(k)] || strings.EqualFold(k, "EmailAddress") {
				continue
			}
			have := u.value(name)
			if same(name, want, have) {
				continue
			}
			ch := Change{Attr: name, Old: have, New: want}
			switch {
			case name == "TeamId":
				a := base
				a.Kind, a.Changes = KindTeam, []Change{ch}
				teams = append(teams, a)
			case name == "ManagerUserId":
				a := base
				a.Kind, a.Changes = KindManager, []Change{ch}
				managers = append(managers, a)
			case name == "Password":
				// One rule with lsq users import: a password is set when the user is created,
				// and never shown.
				p.Notes = append(p.Notes, fmt.Sprintf("%s: Password: set only when a user is created (no API call changes it): left as it is", Printable(u.email())))
			case notUpdatable[name]:
				p.Notes = append(p.Notes, fmt.Sprintf("%s: %s is %q in the account, %q in the source: no API call changes it", Printable(u.email()), Printable(name), have, want))
			default:
				changes = append(changes, ch)
			}
		}
		if mgrKey != "" {
			have := u.value("ManagerUserId")
			if m := users[mgrKey]; m == nil || m.id() != have {
				a := base
				a.Kind, a.ManagerEmail = KindManager, mgrKey
				newID := ""
				if m != nil {
					newID = m.id()
				}
				a.Changes = []Change{{Attr: "ManagerUserId", Old: have, New: newID}}
				managers = append(managers, a)
			}
		}
		if len(changes) > 0 {
			a := base
			a.Kind, a.Changes = KindUpdate, changes
			updates = append(updates, a)
		}
		// Access changes only where the source says so: nil leaves the status alone.
		switch {
		case d.Active != nil && *d.Active && !u.active:
			a := base
			a.Kind = KindActivate
			activates = append(activates, a)
		case d.inactive() && u.active:
			if !opts.Deactivate {
				p.Notes = append(p.Notes, fmt.Sprintf("%s: marked Inactive in the source: deactivated only with the deactivate option", Printable(u.email())))
				break
			}
			a := base
			a.Kind = KindDeactivate
			deactivates = append(deactivates, a)
		}
	}
	if i != n {
		return nil, errors.New("usersync: the source changed while it was read (fewer rows): plan again")
	}
	var level []int32 // by row, with order.parent: the level of managers of each create
	if order.parent != nil {
		var cyclic []int32
		level, cyclic = order.levels(func(r int32) bool { return flags[r]&rowCreate != 0 })
		if len(cyclic) > 0 {
			cerrs, err := order.cycleErrors(src, cyclic, lines)
			if err != nil {
				return nil, err
			}
			errs = append(errs, cerrs...)
		}
	}
	if sp != nil && len(errs) == 0 {
		if err := sp.done(); err != nil {
			return nil, err
		}
		if level != nil { // the managers first: the file written again in that order
			if sp, err = sp.reorder(order.order(level)); err != nil {
				return nil, err
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(append([]error{ErrInvalidSource}, errs...)...)
	}
	if opts.Deactivate {
		scope := opts.Scope
		p.Scope = &scope
		more := scopedDeactivations(users, byKey, scope, found, &p.Notes)
		if found != nil {
			p.ScopeFound = slices.Sorted(maps.Keys(found))
		}
		listed := make(map[string]bool, len(deactivates))
		for _, a := range deactivates {
			listed[a.UserID] = true
		}
		for _, a := range more {
			if !listed[a.UserID] {
				deactivates = append(deactivates, a)
			}
		}
		owner, err := c.AuthenticateUser(ctx)
		if err != nil {
			return nil, fmt.Errorf("usersync: finding the key owner (never deactivated): %w", err)
		}
		deactivates = slices.DeleteFunc(deactivates, func(a Action) bool {
			if strings.EqualFold(a.UserID, owner.ID) {
				p.Notes = append(p.Notes, fmt.Sprintf("%s: the owner of the keys: never deactivated", Printable(a.Email)))
				return true
			}
			return false
		})
	}
	p.Fingerprint = fingerprint(p)
	if sp != nil { // in the file, between the access changes and the attribute changes
		p.Actions = slices.Concat(activates, deactivates, updates, teams, managers)
		sp.at = len(activates) + len(deactivates)
		sp.offs = nil
		p.spill = sp
		return p, nil
	}
	if level != nil { // the managers first
		sorted := make([]Action, len(creates))
		for k, at := range order.order(level) {
			sorted[k] = creates[at]
		}
		creates = sorted
	}
	// Access changes first, apart from the attribute changes (Apply orders by kind anyway):
	// activates, deactivates, creates, updates, teams, managers. The creates, a plan's
	// largest group (a file of new users), are not copied: the others are appended to
	// them, and the access changes rotated to the front.
	p.Actions = creates
	for _, group := range [][]Action{updates, teams, managers, activates, deactivates} {
		p.Actions = append(p.Actions, group...)
	}
	if m := len(p.Actions) - len(activates) - len(deactivates); m > 0 && m < len(p.Actions) {
		slices.Reverse(p.Actions[:m])
		slices.Reverse(p.Actions[m:])
		slices.Reverse(p.Actions)
	}
	if p.Actions == nil {
		p.Actions = []Action{}
	}
	return p, nil
}

// Flags of a row of the source, as MakePlanFrom holds it.
const (
	rowActive  = 1 << iota // the row says Active
	rowManager             // the row names a manager
	rowMatched             // an account user has the row's key, and the row changes nothing
	rowSeen                // an account user with the row's key was read
	rowPending             // rowMatched, but for its manager: read before it
	rowCreate              // the plan creates the row's user
)

// twinManager is the Id MakePlanFrom notes for a manager the account has twins of.
const twinManager = "\x00twins"

// readManaged reads the users of the rows of src in recheck again, whole, by address, into
// users, dropping what the first read recorded of them from sums.
func readManaged(ctx context.Context, c *leadsquared.Client, src Source, columns []string, byKey *keyIndex, recheck map[int32]bool, users map[string]*current, sums *Fingerprints) error {
	emails, err := addressesOf(src, recheck)
	if err != nil {
		return err
	}
	again, err := readByAddress(ctx, c, slices.Collect(maps.Values(emails)), columns)
	if err != nil {
		return err
	}
	for k, u := range again {
		if cur := users[k]; cur != nil && cur.sum == "" {
			continue // read whole already (twins)
		}
		if j, ok := byKey.get(k); ok && recheck[j] {
			sums.Delete(k)
			users[k] = u
		}
	}
	return nil
}

// addressesOf reads src again for the addresses of the rows (by index) in rows.
func addressesOf(src Source, rows map[int32]bool) (map[int32]string, error) {
	out := make(map[int32]string, len(rows))
	var i int32
	for d, err := range src() {
		if err != nil {
			return nil, err
		}
		if rows[i] {
			out[i] = strings.TrimSpace(d.Email)
		}
		i++
	}
	return out, nil
}

// readTwins reads the users with the keys again, whole (the first read dropped one of them
// as unchanged), into users, dropping what the first read recorded of them from sums.
func readTwins(ctx context.Context, c *leadsquared.Client, columns []string, keys map[string]bool, users map[string]*current, sums *Fingerprints) error {
	again, err := readAccount(ctx, c, columns, func(k string, _ []string, _ []bool, _ bool) bool { return keys[k] }, func(string, *current) bool { return true })
	if err != nil {
		return err
	}
	for k := range keys {
		sums.Delete(k)
		delete(users, k)
	}
	for k, u := range again {
		if !keys[keyOf(u.email())] {
			continue // a user whose address addressKey refuses: the first read kept it
		}
		sums.Delete("\x00" + u.id())
		delete(users, "\x00"+u.id())
		users[k] = u
	}
	return nil
}

// createAction builds and validates the create of a user the account does not have.
func createAction(v *validate.Validator, d Desired, users map[string]*current, mgrKey string) (Action, []error) {
	var errs []error
	fail := func(attr, msg string) {
		errs = append(errs, &RowError{Line: d.Line, Email: d.Email, Attr: attr, Msg: msg})
	}
	body := map[string]any{}
	custom := map[string]string{}
	var extra []Change
	for k, val := range d.Attrs {
		val = strings.TrimSpace(val)
		name := canonical(k)
		if val == "" || readOnly[strings.ToLower(k)] {
			continue
		}
		switch kind, ok := createFields[name]; {
		case ok && kind == "bool":
			b, err := strconv.ParseBool(val)
			if err != nil {
				fail(name, "not a boolean (true/false/1/0)")
				continue
			}
			body[name] = b
		case ok && kind == "int":
			n, err := strconv.Atoi(val)
			if err != nil {
				fail(name, "not a whole number")
				continue
			}
			body[name] = n
		case ok:
			body[name] = val
		case strings.HasPrefix(strings.ToLower(name), "mx_"):
			custom[name] = val
		default:
			if _, ok := updateField(name); !ok {
				fail(name, "no LeadSquared call sets it for a new user (neither Create a User nor Update a User takes it)")
				continue
			}
			extra = append(extra, Change{Attr: name, New: val}) // set by Update a User after the create
		}
	}
	body["EmailAddress"] = strings.TrimSpace(d.Email)
	if len(custom) > 0 {
		body["CustomFields"] = custom
	}
	if m := users[mgrKey]; m != nil {
		body["ManagerUserId"] = m.id()
		mgrKey = ""
	}
	raw, err := json.Marshal(body)
	if err != nil {
		fail("-", err.Error())
		return Action{}, errs
	}
	var verr *validate.Error
	if err := v.ValidateRequestBody(api.OpCreateUser, raw); errors.As(err, &verr) {
		for _, f := range verr.Failures {
			col := strings.TrimPrefix(strings.TrimPrefix(f.Pointer, "/"), "CustomFields/")
			fail(col, strings.TrimPrefix(f.String(), f.Pointer+": "))
		}
	} else if err != nil {
		fail("-", err.Error())
	}
	if len(errs) > 0 {
		return Action{}, errs
	}
	slices.SortFunc(extra, func(a, b Change) int { return strings.Compare(a.Attr, b.Attr) })
	// The address apart from the file's line (a substring of it would keep the line).
	return Action{Kind: KindCreate, Email: strings.Clone(strings.TrimSpace(d.Email)), Line: d.Line, Create: raw, ManagerEmail: mgrKey, Changes: extra}, nil
}

// scopedDeactivations returns the deactivation of every active user in scope that the
// source does not list (found: the Ids the scope's search found, nil without a search).
func scopedDeactivations(users map[string]*current, listed *keyIndex, scope Scope, found map[string]bool, notes *[]string) []Action {
	var out []Action
	for _, k := range slices.Sorted(maps.Keys(users)) {
		u := users[k]
		if _, ok := listed.get(k); ok || !inScope(u, scope, found) {
			continue
		}
		if strings.HasPrefix(k, "\x00") { // an address addressKey refuses, or a second user with one key
			*notes = append(*notes, fmt.Sprintf("%s: in the scope, but its address cannot be told apart from others (or is not one): not deactivated; fix it in the account", Printable(u.email())))
			continue
		}
		out = append(out, Action{Kind: KindDeactivate, Email: u.email(), UserID: u.id()})
	}
	return out
}

// inScope reports whether the scope selects the active user u.
func inScope(u *current, scope Scope, found map[string]bool) bool {
	switch {
	case !u.active:
		return false
	case scope.Role != "" && !strings.EqualFold(u.role(), scope.Role):
		return false
	case scope.TeamID != "" && !strings.EqualFold(u.value("TeamId"), scope.TeamID):
		return false
	case found != nil && !found[u.id()]:
		return false
	}
	return true
}

// searchScope returns the Ids of the users the scope's search finds.
func searchScope(ctx context.Context, c *leadsquared.Client, req api.UserSearchRequest) (map[string]bool, error) {
	found := map[string]bool{}
	req.Columns = api.UserSearchColumns{IncludeCSV: "UserId,EmailAddress"}
	for r, err := range c.SearchUsers(ctx, req) {
		if err != nil {
			return nil, fmt.Errorf("usersync: the scope's search: %w", err)
		}
		found[r.ID] = true
	}
	return found, nil
}

// mapSlice returns f of each element of s.
func mapSlice[T, U any](s []T, f func(T) U) []U {
	out := make([]U, len(s))
	for i, v := range s {
		out[i] = f(v)
	}
	return out
}
