package scim

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	elimity "github.com/elimity-com/scim"
	scimerrors "github.com/elimity-com/scim/errors"
	scimfilter "github.com/elimity-com/scim/filter"
	"github.com/elimity-com/scim/optional"
	"github.com/scim2/filter-parser/v2"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/usersync"
)

// users is the resource handler of /Users over one LeadSquared account.
type users struct {
	c     *leadsquared.Client
	m     Mapping
	role  string
	audit *auditLog

	// creating serialises the creates of one address (by its usersync.CanonicalAddress
	// key, so look-alikes too): the look-up before a create and the create are one step,
	// and two requests for one address never both create. Other addresses go ahead.
	creating keyedLock
	// shared: other writers create users at the same time (Config.Shared).
	shared bool

	ownerMu sync.Mutex
	owner   string // the keys' owner, once known

	// noExtra: the account's Advanced Search refused extraColumns; they are not read, so
	// a write of one is sent whenever a request carries it.
	noExtra atomic.Bool
}

var _ elimity.ResourceHandler = (*users)(nil)

// search returns the users matching the conditions (all users for none), inactive ones
// included.
func (h *users) search(ctx context.Context, conds ...api.SearchCondition) ([]user, error) {
	if h.noExtra.Load() {
		return h.searchWith(ctx, false, conds)
	}
	out, err := h.searchWith(ctx, true, conds)
	if err != nil && strings.Contains(strings.ToLower(err.Error()), "invalid attributes") {
		// LeadSquared answers 500 "User search has some invalid Attributes" for a column
		// it does not know: read without the undocumented ones from now on.
		h.noExtra.Store(true)
		return h.searchWith(ctx, false, conds)
	}
	return out, err
}

func (h *users) searchWith(ctx context.Context, extra bool, conds []api.SearchCondition) ([]user, error) {
	req := api.UserSearchRequest{Columns: api.UserSearchColumns{IncludeCSV: h.m.columns(extra)}}
	asc := api.UserSearchSortDirection(0)
	req.Sorting = []api.UserSearchSort{{ColumnName: "CreatedOn", Direction: &asc}}
	if len(conds) > 0 {
		req.GroupConditions = []api.ConditionGroup{{Condition: conds}}
	}
	var out []user
	for r, err := range h.c.SearchUsers(ctx, req) {
		if err != nil {
			return nil, err
		}
		out = append(out, h.m.fromRecord(&r))
	}
	return out, nil
}

func eq(name, value string) api.SearchCondition {
	return api.SearchCondition{LookupName: name, LookupValue: value, Operator: "eq"}
}

// get returns the user with id, or a 404 SCIM error.
func (h *users) get(r *http.Request, id string) (user, error) {
	found, err := h.search(r.Context(), eq("UserId", id))
	if err != nil {
		return user{}, h.fail(r, err)
	}
	for _, u := range found {
		if strings.EqualFold(u.ID, id) {
			return u, nil
		}
	}
	return user{}, scimerrors.ScimErrorResourceNotFound(id)
}

// byAddress returns the users whose address is addr or looks like it (the same
// usersync.CanonicalAddress key): an exact search first, then, when that finds no one,
// every user of the account (LeadSquared's eq may compare case and Unicode forms exactly).
func (h *users) byAddress(ctx context.Context, addr string) ([]user, error) {
	key, err := usersync.CanonicalAddress(addr)
	if err != nil {
		return nil, err
	}
	match := func(us []user) []user {
		var out []user
		for _, u := range us {
			if k, err := usersync.CanonicalAddress(u.Email); err == nil && k == key {
				out = append(out, u)
			} else if err != nil && strings.EqualFold(u.Email, addr) {
				out = append(out, u)
			}
		}
		return out
	}
	found, err := h.search(ctx, eq("EmailAddress", addr))
	if err != nil {
		return nil, err
	}
	if m := match(found); len(m) > 0 {
		return m, nil
	}
	all, err := h.search(ctx)
	if err != nil {
		return nil, err
	}
	return match(all), nil
}

// keyedLock is a mutex per key.
type keyedLock struct {
	mu    sync.Mutex
	locks map[string]*keyLock
}

type keyLock struct {
	sync.Mutex
	users int
}

// lock locks key and returns its unlock.
func (k *keyedLock) lock(key string) func() {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]*keyLock{}
	}
	l := k.locks[key]
	if l == nil {
		l = &keyLock{}
		k.locks[key] = l
	}
	l.users++
	k.mu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		k.mu.Lock()
		if l.users--; l.users == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}
}

// keyable reports whether usersync.CanonicalAddress accepts addr.
func keyable(addr string) bool {
	_, err := usersync.CanonicalAddress(addr)
	return err == nil
}

func (h *users) resource(u user) elimity.Resource {
	res := elimity.Resource{ID: u.ID, Attributes: h.m.attributes(u)}
	if v, ok := u.Custom["externalId"]; ok {
		res.ExternalID = optional.NewString(v)
	}
	if t, err := time.Parse("2006-01-02T15:04:05Z", u.Created); err == nil {
		res.Meta.Created = &t
	}
	return res
}

// Get answers GET /Users/{id}.
func (h *users) Get(r *http.Request, id string) (elimity.Resource, error) {
	u, err := h.get(r, id)
	if err != nil {
		return elimity.Resource{}, err
	}
	return h.resource(u), nil
}

// GetAll answers GET /Users: the users passing the filter, paged by startIndex and count.
// A filter that names an address (userName eq, emails... eq) is answered from a search
// for it; any other filter is applied to every user of the account.
func (h *users) GetAll(r *http.Request, params elimity.ListRequestParams) (elimity.Page, error) {
	ctx := r.Context()
	var (
		found []user
		err   error
	)
	addr := ""
	if params.FilterValidator != nil {
		addr = addressIn(params.FilterValidator.GetFilter())
	}
	_, extMapped := h.m["externalId"]
	switch {
	case addr != "" && !keyable(addr):
		// No user can have an address that cannot be keyed: an empty page.
	case params.FilterValidator != nil && !extMapped && needsExternalID(params.FilterValidator.GetFilter()):
		// No user has an externalId when no mx_ field holds it: an empty page, no calls.
	case addr != "":
		found, err = h.byAddress(ctx, addr)
	default:
		found, err = h.search(ctx)
	}
	if err != nil {
		return elimity.Page{}, h.fail(r, err)
	}
	pass := []elimity.Resource{} // none found is "Resources": [], as the IdPs' samples show, not null
	for _, u := range found {
		res := h.resource(u)
		if params.FilterValidator != nil {
			m := make(map[string]any, len(res.Attributes)+8)
			for k, v := range res.Attributes {
				m[k] = v
				// The validator finds an extension's attribute under URN:name.
				if ext, ok := v.(map[string]any); ok && strings.HasPrefix(k, "urn:") {
					for name, x := range ext {
						m[k+":"+name] = x
					}
				}
			}
			m["id"] = res.ID
			if res.ExternalID.Present() {
				m["externalId"] = res.ExternalID.Value()
			}
			if err := passes(params.FilterValidator, m); errors.Is(err, errUncomparable) {
				return elimity.Page{}, scimerrors.ScimError{ScimType: scimerrors.ScimTypeInvalidFilter, Status: http.StatusBadRequest,
					Detail: "the filter compares a complex attribute whole (such as name eq \"x\"): name one of its sub-attributes (name.givenName eq \"x\")"}
			} else if err != nil {
				continue
			}
		}
		pass = append(pass, res)
	}
	start := params.StartIndex - 1
	start = min(max(start, 0), len(pass))
	end := min(start+params.Count, len(pass))
	return elimity.Page{TotalResults: len(pass), Resources: pass[start:end]}, nil
}

// errUncomparable is passes' error for a filter the validator cannot apply.
var errUncomparable = errors.New("scim: the filter cannot be applied")

// passes applies the filter to a user; the library's validator panics on a comparison
// with a complex attribute (name eq "x"), which becomes errUncomparable.
func passes(v *scimfilter.Validator, m map[string]any) (err error) {
	defer func() {
		if recover() != nil {
			err = errUncomparable
		}
	}()
	return v.PassesFilter(m)
}

// addressIn returns the address an `eq` on userName or emails(.value) names in x, when x
// holds one that every match must satisfy (at the top or under `and`).
func addressIn(x filter.Expression) string {
	switch e := x.(type) {
	case *filter.AttributeExpression:
		name := strings.ToLower(e.AttributePath.AttributeName)
		sub := strings.ToLower(e.AttributePath.SubAttributeName())
		s, ok := e.CompareValue.(string)
		if ok && strings.EqualFold(string(e.Operator), "eq") && (name == "username" || (name == "emails" && (sub == "" || sub == "value"))) {
			return s
		}
	case *filter.ValuePath:
		if strings.EqualFold(e.AttributePath.AttributeName, "emails") {
			return valueEq(e.ValueFilter)
		}
	case *filter.LogicalExpression:
		if strings.EqualFold(string(e.Operator), "and") {
			if a := addressIn(e.Left); a != "" {
				return a
			}
			return addressIn(e.Right)
		}
	}
	return ""
}

// needsExternalID reports whether every match of x must have an externalId (an
// externalId comparison other than ne, at the top or under and; under or, on both sides).
func needsExternalID(x filter.Expression) bool {
	switch e := x.(type) {
	case *filter.AttributeExpression:
		// Every operator but ne needs a value to match (RFC 7644 section 3.4.2.2).
		return strings.EqualFold(e.AttributePath.AttributeName, "externalId") && e.AttributePath.URI() == "" &&
			!strings.EqualFold(string(e.Operator), "ne")
	case *filter.LogicalExpression:
		if strings.EqualFold(string(e.Operator), "and") {
			return needsExternalID(e.Left) || needsExternalID(e.Right)
		}
		return needsExternalID(e.Left) && needsExternalID(e.Right)
	}
	return false
}

// valueEq returns X of `value eq "X"` in the filter of a value path, at the top or under
// `and` (emails[type eq "work" and value eq "X"]).
func valueEq(x filter.Expression) string {
	switch e := x.(type) {
	case *filter.AttributeExpression:
		if s, ok := e.CompareValue.(string); ok && strings.EqualFold(e.AttributePath.AttributeName, "value") && strings.EqualFold(string(e.Operator), "eq") {
			return s
		}
	case *filter.LogicalExpression:
		if strings.EqualFold(string(e.Operator), "and") {
			if v := valueEq(e.Left); v != "" {
				return v
			}
			return valueEq(e.Right)
		}
	}
	return ""
}

// Create answers POST /Users. It looks the address up first (inactive users and
// look-alike addresses included) and answers 409 uniqueness when someone has it; it never
// sends a create twice: when LeadSquared's answer is lost, it looks again and answers 201
// only if the user is there, else a 5xx the IdP retries (and the retry finds the user).
func (h *users) Create(r *http.Request, attrs elimity.ResourceAttributes) (elimity.Resource, error) {
	ctx := r.Context()
	u := user{Active: true}
	e := newEdit(h.m, &u)
	if err := e.setResource(attrs); err != nil {
		return elimity.Resource{}, err
	}
	if strings.TrimSpace(u.Email) == "" {
		return elimity.Resource{}, invalidValue("userName (the user's LeadSquared address) is required")
	}
	if strings.TrimSpace(u.GivenName) == "" {
		return elimity.Resource{}, invalidValue("name.givenName: LeadSquared needs a first name")
	}
	if u.Role == "" {
		u.Role = h.role
	}
	if !api.Role(u.Role).Valid() {
		return elimity.Resource{}, invalidValue("roles: %q is not a LeadSquared role (Administrator, Marketing_User, Sales_Manager, Sales_User)", u.Role)
	}
	key, err := usersync.CanonicalAddress(u.Email)
	if err != nil {
		return elimity.Resource{}, invalidValue("userName: %v", err)
	}

	unlock := h.creating.lock(key)
	defer unlock()
	existing, err := h.byAddress(ctx, u.Email)
	if err != nil {
		return elimity.Resource{}, h.fail(r, err)
	}
	if len(existing) > 0 && h.shared {
		// An IdP's retry of a create: settle look-alikes an earlier attempt (or another
		// instance) left active, as the recheck after a create would have.
		if err := h.settle(r, key); err != nil {
			return elimity.Resource{}, err
		}
	}
	if len(existing) > 0 {
		x := existing[0]
		d := "a user with this address exists in LeadSquared"
		if !strings.EqualFold(x.Email, u.Email) {
			d = fmt.Sprintf("a user whose address looks the same (%s) exists in LeadSquared", x.Email)
		}
		if !x.Active {
			d += " (inactive: set active to true on it instead)"
		}
		return elimity.Resource{}, scimerrors.ScimError{ScimType: scimerrors.ScimTypeUniqueness, Detail: d, Status: http.StatusConflict}
	}

	req := api.UserCreateRequest{
		FirstName: u.GivenName, LastName: u.FamilyName, EmailAddress: u.Email, Role: api.Role(u.Role),
		PhoneMobile: u.PhoneMobile, ManagerUserID: u.Manager, CustomFields: h.customFields(u, user{}),
	}
	entry := h.audit.entry(r, "create", user{}, u, e.ignoredList())
	// The create goes through the users engine's one create-never-twice loop, with one
	// send: the audit line is written before it (a change whose line cannot be written is
	// not sent), and an answer that leaves the outcome unknown is followed by a check by
	// address; a create LeadSquared did not carry out is the IdP's 5xx (or 429) to retry.
	var begun bool
	var auditErr error
	id, existed, err := usersync.CreateOnceSending(ctx, h.c, req, 1, func() error {
		if !begun {
			begun = true
			auditErr = h.audit.begin(entry)
		}
		return auditErr
	})
	result := error(nil)
	switch {
	case auditErr != nil:
		return elimity.Resource{}, errAudit
	case err == nil && existed:
		h.audit.write(entry, leadsquared.ErrDuplicateEntry)
		return elimity.Resource{}, scimerrors.ScimError{ScimType: scimerrors.ScimTypeUniqueness, Detail: "LeadSquared: a user with this address exists", Status: http.StatusConflict}
	case err == nil && id != "":
		u.ID = id
	case err == nil:
		// Created, but the answer holds no id: find it.
		again, lerr := h.byAddress(ctx, u.Email)
		if lerr != nil || len(again) == 0 {
			h.audit.write(entry, fmt.Errorf("created without an id in the answer; not found afterwards: %w", lerr))
			return elimity.Resource{}, h.failStatus(r, http.StatusBadGateway, "LeadSquared created the user without giving its id, and it could not be found: retry (a retry looks the address up before it creates)", 0)
		}
		u.ID = again[0].ID
		result = errors.New("the answer held no id; the user was found in the account afterwards: created")
	default:
		h.audit.write(entry, err)
		return elimity.Resource{}, h.fail(r, err)
	}
	entry.UserID = u.ID
	h.audit.write(entry, result)
	if h.shared {
		if err := h.recheck(r, key, u); err != nil {
			return elimity.Resource{}, err
		}
	}

	// Create a User cannot set these: the same calls an update makes set them.
	after := u
	base := user{ID: u.ID, Email: u.Email, GivenName: u.GivenName, FamilyName: u.FamilyName, Role: u.Role, Active: true,
		PhoneMobile: u.PhoneMobile, Manager: u.Manager, Custom: u.Custom}
	res, err := h.write(r, "create (attributes Create a User cannot set)", base, after, nil)
	if err != nil {
		return elimity.Resource{}, err
	}
	return res, nil
}

// recheck looks, after a create, for a look-alike of u's address (key) that another writer
// created at the same time (Config.Shared). u keeps its address only when every other user
// with the key was created strictly later; otherwise (an earlier one, one of the same
// CreatedOn second, or the look-up failing) u, just created, is deactivated and the answer
// is 409 (or 502 when the look-up failed: the IdP's retry then finds u and gets 409). Of
// two look-alikes created at once, at most one stays active; when both see each other in
// the same second, both are deactivated, and the IdP's re-activation of one is allowed
// (no active look-alike), the other's refused.
func (h *users) recheck(r *http.Request, key string, u user) error {
	ctx := r.Context()
	var (
		other    user
		conflict bool
	)
	all, serr := h.search(ctx)
	mine := user{Created: "~"} // unknown: after every other
	for _, x := range all {
		if strings.EqualFold(x.ID, u.ID) {
			mine = x
		}
	}
	for _, x := range all {
		if strings.EqualFold(x.ID, u.ID) {
			continue
		}
		if k, err := usersync.CanonicalAddress(x.Email); (err == nil && k == key) || (err != nil && strings.EqualFold(x.Email, u.Email)) {
			if x.Created == "" || mine.Created == "~" || x.Created <= mine.Created {
				other, conflict = x, true
				break
			}
		}
	}
	if serr == nil && !conflict {
		return nil
	}
	why := fmt.Sprintf("a user whose address looks the same (%s, id %s) was created at the same time by another writer", other.Email, other.ID)
	if serr != nil {
		why = fmt.Sprintf("the check for a look-alike address created at the same time failed (%v)", serr)
	}
	after := u
	after.Active = false
	entry := h.audit.entry(r, "create: deactivate ("+why+")", u, after, nil)
	if err := h.call(r, entry, func() error {
		_, err := h.c.DeactivateUser(ctx, api.DeactivateUserParams{UserID: u.ID}, undoRetries...)
		return err
	}); err != nil {
		return err
	}
	if serr != nil {
		return h.failStatus(r, http.StatusBadGateway, "the user was created, then deactivated: the check for a look-alike address created at the same time failed; retry", 0)
	}
	return scimerrors.ScimError{ScimType: scimerrors.ScimTypeUniqueness, Status: http.StatusConflict,
		Detail: why + "; the user this request created (id " + u.ID + ") is deactivated"}
}

// settle applies Config.Shared's rule to the users of the account whose address has key:
// of those active, the one created strictly first keeps its access and the others are
// deactivated (all of them when the first two were created in the same second, as recheck
// does); the keys' owner is never deactivated. It is what recheck does after a create, for
// an IdP's retry after a create whose recheck could not finish (its answer lost, or its
// look-up failed), so that a retry cannot leave two look-alikes active. A failure is the
// request's 5xx, which the IdP retries.
func (h *users) settle(r *http.Request, key string) error {
	ctx := r.Context()
	all, err := h.search(ctx)
	if err != nil {
		return h.fail(r, err)
	}
	var active []user
	for _, x := range all {
		if k, kerr := usersync.CanonicalAddress(x.Email); kerr == nil && k == key && x.Active {
			active = append(active, x)
		}
	}
	if len(active) < 2 {
		return nil
	}
	slices.SortFunc(active, func(a, b user) int { return cmp.Or(cmp.Compare(a.Created, b.Created), cmp.Compare(a.ID, b.ID)) })
	owner, err := h.ownerID(ctx)
	if err != nil {
		return h.fail(r, err)
	}
	first := active[0].Created != "" && active[0].Created < active[1].Created
	for i, x := range active {
		if (i == 0 && first) || strings.EqualFold(x.ID, owner) {
			continue
		}
		after := x
		after.Active = false
		entry := h.audit.entry(r, "create: deactivate (an active look-alike address was created no later)", x, after, nil)
		if err := h.call(r, entry, func() error {
			_, err := h.c.DeactivateUser(ctx, api.DeactivateUserParams{UserID: x.ID}, undoRetries...)
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}

// undoRetries are the options of a deactivation that undoes this request's own change (a
// look-alike created or activated at the same time as another, Config.Shared): Deactivate a
// User is safe to repeat, and if it failed the look-alike would stay active, so it is tried
// up to five times here, quickly, rather than left to the IdP's retry (which finds the user
// already there and answers 409).
var undoRetries = []leadsquared.Option{leadsquared.WithMaxRetries(4), leadsquared.WithBackoff(20*time.Millisecond, 200*time.Millisecond)}

// recheckActivation looks, after u was activated (Config.Shared), for an active look-alike
// that another writer activated or created at the same time; when there is one, u is
// deactivated again and the answer is 409. Of two look-alikes activated at once at most
// one stays active (both may end inactive, until the IdP's next attempt); when the
// look-up fails, u is deactivated too and the answer is a 5xx the IdP retries.
func (h *users) recheckActivation(r *http.Request, op string, u user) error {
	ctx := r.Context()
	x, found, serr := h.activeLookalike(ctx, u)
	if serr == nil && !found {
		return nil
	}
	why := fmt.Sprintf("an active user whose address looks the same (%s, id %s) was activated at the same time", x.Email, x.ID)
	if serr != nil {
		why = fmt.Sprintf("the check for an active look-alike failed (%v)", serr)
	}
	entry := h.audit.entry(r, op+": deactivate ("+why+")", user{ID: u.ID, Email: u.Email, Active: true}, user{ID: u.ID, Email: u.Email, Active: false}, nil)
	if err := h.call(r, entry, func() error {
		_, err := h.c.DeactivateUser(ctx, api.DeactivateUserParams{UserID: u.ID}, undoRetries...)
		return err
	}); err != nil {
		return err
	}
	if serr != nil {
		return h.failStatus(r, http.StatusBadGateway, "the user was activated, then deactivated again: the check for an active look-alike failed; retry", 0)
	}
	return scimerrors.ScimError{ScimType: scimerrors.ScimTypeUniqueness, Status: http.StatusConflict, Detail: why + ": this one stays inactive"}
}

// activeLookalike returns an active user other than u whose address looks like u's, for a
// re-activation under Config.Shared.
func (h *users) activeLookalike(ctx context.Context, u user) (user, bool, error) {
	key, kerr := usersync.CanonicalAddress(u.Email)
	if kerr != nil {
		// No key (a control character in an address LeadSquared holds): no look-alikes.
		return user{}, false, nil //nolint:nilerr // an address without a key has no look-alike
	}
	all, err := h.search(ctx)
	if err != nil {
		return user{}, false, err
	}
	for _, x := range all {
		if x.Active && !strings.EqualFold(x.ID, u.ID) {
			if k, err := usersync.CanonicalAddress(x.Email); err == nil && k == key {
				return x, true, nil
			}
		}
	}
	return user{}, false, nil
}

// customFields are the mx_ fields of after that differ from before.
func (h *users) customFields(after, before user) api.CustomFields {
	var out api.CustomFields
	for _, k := range h.m.keys() {
		if after.Custom[k] != before.Custom[k] {
			if out == nil {
				out = api.CustomFields{}
			}
			out[h.m[k]] = after.Custom[k]
		}
	}
	return out
}

// Replace answers PUT /Users/{id}.
func (h *users) Replace(r *http.Request, id string, attrs elimity.ResourceAttributes) (elimity.Resource, error) {
	return h.update(r, id, "replace", func(e *edit) error { return e.setResource(attrs) })
}

// Patch answers PATCH /Users/{id}: add, replace and remove in any letter case, with or
// without a path.
func (h *users) Patch(r *http.Request, id string, ops []elimity.PatchOperation) (elimity.Resource, error) {
	return h.update(r, id, "patch", func(e *edit) error {
		for _, op := range ops {
			if err := e.patch(op.Op, op.Path, op.Value); err != nil {
				return err
			}
		}
		return nil
	})
}

// Delete answers DELETE /Users/{id}: LeadSquared keeps its users, so the user is
// deactivated (204); deleting an inactive user changes nothing.
func (h *users) Delete(r *http.Request, id string) error {
	before, err := h.get(r, id)
	if err != nil {
		return err
	}
	after := before
	after.Active = false
	_, err = h.write(r, "delete", before, after, nil)
	return err
}

func (h *users) update(r *http.Request, id, op string, mutate func(e *edit) error) (elimity.Resource, error) {
	before, err := h.get(r, id)
	if err != nil {
		return elimity.Resource{}, err
	}
	after := before
	after.Custom = make(map[string]string, len(before.Custom))
	for k, v := range before.Custom {
		after.Custom[k] = v
	}
	e := newEdit(h.m, &after)
	if err := mutate(e); err != nil {
		return elimity.Resource{}, err
	}
	return h.write(r, op, before, after, e)
}

// write makes LeadSquared's user before into after: deactivation first (a leaver loses
// access even if another change fails), then the attributes, the manager, and
// re-activation last. Each call is audited. Any failure is the request's error: nothing
// half-applied is reported as done, and every step is safe to repeat when the IdP retries.
func (h *users) write(r *http.Request, op string, before, after user, e *edit) (elimity.Resource, error) {
	ctx := r.Context()
	var ignored []string
	if e != nil {
		ignored = e.ignoredList()
	}
	if after.Role != before.Role && !api.Role(after.Role).Valid() {
		return elimity.Resource{}, invalidValue("roles: %q is not a LeadSquared role (Administrator, Marketing_User, Sales_Manager, Sales_User)", after.Role)
	}
	if strings.TrimSpace(after.GivenName) == "" {
		return elimity.Resource{}, invalidValue("name.givenName: LeadSquared needs a first name")
	}
	if h.shared && !before.Active && after.Active {
		x, found, err := h.activeLookalike(ctx, before)
		if err != nil {
			return elimity.Resource{}, h.fail(r, err)
		}
		if found {
			return elimity.Resource{}, scimerrors.ScimError{ScimType: scimerrors.ScimTypeUniqueness, Status: http.StatusConflict,
				Detail: fmt.Sprintf("an active user whose address looks the same (%s, id %s) exists: this one stays inactive", x.Email, x.ID)}
		}
	}
	if before.Active && !after.Active {
		owner, err := h.ownerID(ctx)
		if err != nil {
			return elimity.Resource{}, h.fail(r, err)
		}
		if strings.EqualFold(owner, before.ID) {
			return elimity.Resource{}, scimerrors.ScimError{Status: http.StatusForbidden, Detail: "this user owns the service's LeadSquared keys and is never deactivated through SCIM"}
		}
		entry := h.audit.entry(r, op+": deactivate", before, user{ID: before.ID, Email: before.Email, Active: false}, nil)
		if err := h.call(r, entry, func() error {
			_, err := h.c.DeactivateUser(ctx, api.DeactivateUserParams{UserID: before.ID})
			return err
		}); err != nil {
			return elimity.Resource{}, err
		}
	}
	fields, changed := updateFields(before, after)
	if e != nil && h.noExtra.Load() && forceExtra(&fields, after, e.touched) {
		changed = true
	}
	if cf := h.customFields(after, before); cf != nil {
		fields.CustomFields, changed = cf, true
	}
	if changed {
		entry := h.audit.entry(r, op+": update", before, after, ignored)
		if err := h.call(r, entry, func() error {
			_, err := h.c.UpdateUser(ctx, api.UpdateUserParams{UserID: before.ID}, api.UserUpdateRequest{User: fields})
			return err
		}); err != nil {
			return elimity.Resource{}, err
		}
	} else if len(ignored) > 0 {
		h.audit.write(h.audit.entry(r, op+": nothing LeadSquared can store", before, after, ignored), nil)
	}
	if after.Manager != before.Manager {
		if after.Manager == "" {
			h.audit.write(h.audit.entry(r, op+": manager not removed (LeadSquared cannot clear a manager)", before, after, nil), nil)
		} else {
			entry := h.audit.entry(r, op+": manager", before, after, nil)
			if err := h.call(r, entry, func() error {
				_, err := h.c.UpdateUserManagers(ctx, []api.UserManagerUpdate{{UserID: before.ID, ManagerID: after.Manager}})
				return err
			}); err != nil {
				return elimity.Resource{}, err
			}
		}
	}
	if !before.Active && after.Active {
		entry := h.audit.entry(r, op+": activate", before, user{ID: before.ID, Email: before.Email, Active: true}, nil)
		if err := h.call(r, entry, func() error {
			_, err := h.c.ActivateUser(ctx, api.ActivateUserParams{UserID: before.ID})
			return err
		}); err != nil {
			return elimity.Resource{}, err
		}
		if h.shared {
			if err := h.recheckActivation(r, op, before); err != nil {
				return elimity.Resource{}, err
			}
		}
	}
	// Answer with what LeadSquared holds now; if it cannot be read, with what was written.
	if now, err := h.get(r, before.ID); err == nil {
		return h.resource(now), nil
	}
	if st := stateOf(ctx); st != nil {
		st.mu.Lock()
		st.status = 0
		st.mu.Unlock()
	}
	return h.resource(after), nil
}

// errAudit is the answer to a change whose audit line cannot be written: it is not sent.
var errAudit = scimerrors.ScimError{Status: http.StatusInternalServerError, Detail: "the audit log cannot be written: nothing was changed"}

// call makes one audited LeadSquared write: the audit line first (no line, no call), the
// call, then its answer's line.
func (h *users) call(r *http.Request, entry *AuditEntry, do func() error) error {
	if err := h.audit.begin(entry); err != nil {
		return errAudit
	}
	err := do()
	h.audit.write(entry, err)
	if err != nil {
		return h.fail(r, err)
	}
	return nil
}

// updateFields are the Update a User fields that differ between before and after.
func updateFields(before, after user) (api.UserUpdateFields, bool) {
	var f api.UserUpdateFields
	changed := false
	set := func(dst **string, b, a string) {
		if a != b {
			v := a
			*dst, changed = &v, true
		}
	}
	set(&f.FirstName, before.GivenName, after.GivenName)
	set(&f.LastName, before.FamilyName, after.FamilyName)
	set(&f.Designation, before.Title, after.Title)
	set(&f.Department, before.Department, after.Department)
	set(&f.PhoneMain, before.PhoneWork, after.PhoneWork)
	set(&f.MiddleName, before.MiddleName, after.MiddleName)
	set(&f.TimeZone, before.TimeZone, after.TimeZone)
	set(&f.Address, before.Street, after.Street)
	set(&f.City, before.City, after.City)
	set(&f.State, before.Region, after.Region)
	set(&f.ZipCode, before.PostalCode, after.PostalCode)
	set(&f.Country, before.Country, after.Country)
	if after.Role != before.Role {
		role := api.Role(after.Role)
		f.Role, changed = &role, true
	}
	return f, changed
}

// forceExtra sets in f the extra attributes the request touched, whatever before held: with
// the extra columns unread, before's value is unknown. It reports whether it set any.
func forceExtra(f *api.UserUpdateFields, after user, touched map[string]bool) bool {
	set := false
	for name, dst := range map[string]**string{"MiddleName": &f.MiddleName, "TimeZone": &f.TimeZone, "Address": &f.Address,
		"City": &f.City, "State": &f.State, "ZipCode": &f.ZipCode, "Country": &f.Country} {
		if touched[name] {
			v := map[string]string{"MiddleName": after.MiddleName, "TimeZone": after.TimeZone, "Address": after.Street,
				"City": after.City, "State": after.Region, "ZipCode": after.PostalCode, "Country": after.Country}[name]
			*dst, set = &v, true
		}
	}
	return set
}

// ownerID is the id of the keys' owner (one Authenticate a User call, then remembered).
func (h *users) ownerID(ctx context.Context) (string, error) {
	h.ownerMu.Lock()
	defer h.ownerMu.Unlock()
	if h.owner != "" {
		return h.owner, nil
	}
	me, err := h.c.AuthenticateUser(ctx)
	if err != nil {
		return "", err
	}
	if me.ID == "" {
		return "", errors.New("leadsquared: Authenticate a User named no user id")
	}
	h.owner = me.ID
	return h.owner, nil
}

// fail turns a LeadSquared error into the SCIM answer: 429 with Retry-After when the
// rate budget is spent, 502 when LeadSquared failed or its answer was lost (the IdP
// retries), 404, 409 or 400 when LeadSquared refused the request.
func (h *users) fail(r *http.Request, err error) error {
	var be *budgetError
	var rl *leadsquared.RateLimitError
	var ae *leadsquared.APIError
	switch {
	case errors.As(err, &be):
		return h.failStatus(r, http.StatusTooManyRequests, "the LeadSquared rate budget is spent: retry after the time given", be.retryAfter)
	case errors.As(err, &rl):
		ra := rl.RetryAfter
		if ra <= 0 {
			ra = 5 * time.Second
		}
		return h.failStatus(r, http.StatusTooManyRequests, "LeadSquared's rate limit is reached: retry after the time given", ra)
	case errors.Is(err, leadsquared.ErrNotFound):
		return scimerrors.ScimError{Status: http.StatusNotFound, Detail: "LeadSquared: no such user"}
	case errors.Is(err, leadsquared.ErrDuplicateEntry):
		return scimerrors.ScimError{ScimType: scimerrors.ScimTypeUniqueness, Detail: "LeadSquared: " + err.Error(), Status: http.StatusConflict}
	case errors.Is(err, leadsquared.ErrUnauthorized):
		return h.failStatus(r, http.StatusBadGateway, "LeadSquared refused the service's keys", 0)
	case errors.Is(err, leadsquared.ErrInvalidRequest) && errors.As(err, &ae) && ae.StatusCode < 500:
		return scimerrors.ScimError{ScimType: scimerrors.ScimTypeInvalidValue, Detail: "LeadSquared refused the change: " + ae.ExceptionMessage, Status: http.StatusBadRequest}
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return h.failStatus(r, http.StatusServiceUnavailable, "the request ended before LeadSquared answered: retry", 0)
	}
	return h.failStatus(r, http.StatusBadGateway, "LeadSquared failed or its answer was lost; nothing is reported done: retry", 0)
}

// failStatus makes the answer status (which the library cannot send itself) and returns
// the error the library needs to answer at all.
func (h *users) failStatus(r *http.Request, status int, detail string, retryAfter time.Duration) error {
	if st := stateOf(r.Context()); st != nil {
		st.mu.Lock()
		st.status, st.detail, st.retryAfter = status, detail, retryAfter
		st.mu.Unlock()
	}
	return scimerrors.ScimError{Status: http.StatusInternalServerError, Detail: detail}
}
