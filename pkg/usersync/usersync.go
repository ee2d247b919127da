// Package usersync makes the users of a LeadSquared account match a list of users, the way
// terraform plan and apply do: [MakePlan] reads the account (User Advanced Search, 1000
// users a call) and returns the changes that would make it match: users to create,
// attributes to update (old to new), managers and teams to move, users to activate, and,
// only when asked and within a scope, users to deactivate. A [Plan] is plain JSON: it can be
// saved, reviewed and applied later by [Apply], which refuses it if the account changed
// since it was made.
//
// The list can come from anywhere (a CSV, an HR system, a provisioning bridge): a
// [Desired] per user, keyed by email address. [ReadUsers] reads it from a users file, the
// one format lsq users export writes and import and sync read (its columns: [LookupColumn];
// the dialects spreadsheets save: [OpenSheet]). An attribute the list leaves empty is left as
// it is in the account, and a user's status changes only where the list states it. A list
// too large to hold is planned from a [Source] read twice ([MakePlanFrom], [FileSource]).
//
// Apply is safe to run again after it was interrupted (a [Journal] records each change as
// it is made), never creates a user twice (a create whose outcome is unknown is checked by
// email before it is sent again), and uses the bulk operations where they save calls:
// BulkUpdateUsers for team moves, BulkUpdateUserManagers for managers.
package usersync

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
)

// Desired is one user as the source wants it.
type Desired struct {
	// Line is where the user comes from in the source (a CSV row), for messages; 0 if none.
	Line int
	// Email is the user's address, which identifies the user (compared in any letter case).
	Email string
	// Attrs are the attributes to set, by name (FirstName, Role, TeamId, Department,
	// mx_Custom_1, ...); an attribute not listed, or empty, is left as it is.
	Attrs map[string]string
	// ManagerEmail names the user's manager by address (a user of the account or of the
	// source); "" leaves the manager as it is (or as Attrs["ManagerUserId"] says).
	ManagerEmail string
	// Active is the status the user should have: true activates an inactive user, false
	// deactivates an active one (only with [Options].Deactivate); nil leaves the status as
	// it is (a user the plan creates is created active).
	Active *bool
}

// inactive reports whether the source says the user should be inactive.
func (d *Desired) inactive() bool { return d.Active != nil && !*d.Active }

// Scope selects the account's users that a sync may deactivate when the source does not
// list them: those with the role, in the team, and found by the search (every one given
// must hold). An empty scope selects no one.
type Scope struct {
	Role   string                 `json:"role,omitempty"`
	TeamID string                 `json:"teamId,omitempty"`
	Search *api.UserSearchRequest `json:"search,omitempty"`
}

func (s Scope) empty() bool { return s.Role == "" && s.TeamID == "" && s.Search == nil }

// Options are the choices of [MakePlan].
type Options struct {
	// Deactivate plans the deactivation of the active users in Scope that the source does
	// not list. It needs a non-empty Scope. The key owner is never deactivated.
	Deactivate bool
	Scope      Scope
	// SpillCreates holds the plan's creates in a temporary file, not in the plan's Actions:
	// a plan of a file of new users then holds none of them in memory. [Plan.All] yields
	// them (Actions does not), [Plan.Len] counts them, WriteJSON writes them, Check and
	// Apply read them back; [Plan.Close] removes the file. A plan whose creates wait for
	// managers it creates is held in memory all the same (ordering them reads them all).
	SpillCreates bool
}

// Kind is the kind of an [Action].
type Kind string

// Kinds of [Action].
const (
	KindCreate     Kind = "create"
	KindUpdate     Kind = "update"     // UpdateUser: Changes
	KindTeam       Kind = "team"       // BulkUpdateUsers with the other users moved to the same team
	KindManager    Kind = "manager"    // BulkUpdateUserManagers
	KindActivate   Kind = "activate"   // ActivateUser
	KindDeactivate Kind = "deactivate" // DeactivateUser
)

// Access reports whether the kind changes a user's access (an activation or a
// deactivation) rather than attributes.
func (k Kind) Access() bool { return k == KindActivate || k == KindDeactivate }

// Change is one attribute to change.
type Change struct {
	Attr string `json:"attr"`
	Old  string `json:"old"`
	New  string `json:"new"`
}

// Action is one change to one user.
type Action struct {
	Kind  Kind   `json:"kind"`
	Email string `json:"email"`
	Line  int    `json:"line,omitempty"`
	// UserID is the user's Id; empty for a create.
	UserID string `json:"userId,omitempty"`
	// Changes are the attributes an update, team or manager action sets, old to new.
	Changes []Change `json:"changes,omitempty"`
	// Create is the body of a create, Create a User's JSON ([Action.Body] reads it): JSON
	// rather than an api.UserCreateRequest, which with its custom fields' map held about
	// 650 bytes a user where the JSON holds 200 (a plan of 464,000 creates). Its
	// ManagerUserId is filled at apply time when ManagerEmail names a user the plan creates.
	Create       json.RawMessage `json:"create,omitempty"`
	ManagerEmail string          `json:"managerEmail,omitempty"`
}

// Body returns the body of a create (Create), or an error if it has none or it is not one.
func (a Action) Body() (api.UserCreateRequest, error) {
	var req api.UserCreateRequest
	if len(a.Create) == 0 || string(a.Create) == "null" {
		return req, errors.New("no create body")
	}
	if err := json.Unmarshal(a.Create, &req); err != nil {
		return req, fmt.Errorf("the create body: %w", err)
	}
	return req, nil
}

// ID identifies the action in a [Journal].
func (a Action) ID() string { return string(a.Kind) + ":" + keyOf(a.Email) }

// Plan is what [MakePlan] found to do. It is plain JSON: save it, review it, apply it.
type Plan struct {
	// Version is the format of the plan.
	Version int `json:"version"`
	// Account is the API base URL of the account the plan was made against.
	Account string `json:"account"`
	// Columns are the attributes the plan read (and Apply reads again to compare).
	Columns []string `json:"columns"`
	// Fingerprint is a hash of every user the plan read, in the columns read, and of the
	// deactivation scope and the users its search found.
	Fingerprint string `json:"fingerprint"`
	// Users maps every address the plan read to the hash of that user.
	Users Fingerprints `json:"users"`
	// Actions are the changes, in the order Apply makes them; but for a plan made with
	// [Options.SpillCreates], whose creates wait in a temporary file: [Plan.All] yields
	// every action.
	Actions []Action `json:"actions"`
	// Notes are differences the plan cannot change (an attribute no API call sets).
	Notes []string `json:"notes,omitempty"`
	// Scope is the deactivation scope, when Deactivate was asked.
	Scope *Scope `json:"scope,omitempty"`
	// ScopeFound are the Ids of the users the scope's search found, sorted.
	ScopeFound []string `json:"scopeFound,omitempty"`
	// Partial is set on a plan that read only the users it changes, found by address
	// ([PlanAccess]): Apply reads and checks those only.
	Partial bool `json:"partial,omitempty"`

	spill *spill // the creates, with Options.SpillCreates
}

// PlanVersion is the version of the plans this package writes: 2 writes a create as a row
// (see [Plan.WriteJSON]); a plan of version 1 is read and applied as well.
const PlanVersion = 2

// ID identifies the plan (a hash of all of it): a [Journal] holds the records of one plan.
func (p *Plan) ID() string {
	h := sha256.New()
	_ = p.WriteJSON(h) // a hash.Hash never fails to write; WriteJSON holds one action at a time
	return hex.EncodeToString(h.Sum(nil))
}

// Empty reports whether the plan changes nothing.
func (p *Plan) Empty() bool { return p.Len() == 0 }

// Count returns how many actions of each kind the plan holds (those in a temporary file:
// [Options.SpillCreates], are creates).
func (p *Plan) Count() map[Kind]int {
	n := map[Kind]int{}
	for _, a := range p.Actions {
		n[a.Kind]++
	}
	if p.spill != nil && p.spill.n > 0 {
		n[KindCreate] += p.spill.n
	}
	return n
}

// RowError is a problem of one user of the source.
type RowError struct {
	Line  int
	Email string
	Attr  string
	Msg   string
}

func (e *RowError) Error() string {
	where := ""
	if e.Line > 0 {
		where = fmt.Sprintf("row %d, ", e.Line)
	}
	col := e.Attr
	if col == "" {
		col = "-"
	}
	return fmt.Sprintf("%scolumn %s: %s", where, col, e.Msg)
}

// ErrInvalidSource is wrapped by MakePlan's error when a user of the source is invalid;
// the error joins one [*RowError] per problem.
var ErrInvalidSource = errors.New("usersync: the source has invalid users")

// ErrAccountChanged is wrapped by Apply's error when the account is not as the plan read it.
var ErrAccountChanged = errors.New("usersync: the account changed since the plan was made")

// readOnly are attributes a source may carry (an export's columns) that no call changes:
// they are not compared.
var readOnly = map[string]bool{
	"userid": true, "isadministrator": true, "availabilitystatus": true, "groups": true, "createdon": true,
	"teamname": true, "managername": true, "statuscode": true, "status": true, "modifiedon": true,
}

// notUpdatable are attributes Create a User sets but Update a User cannot change.
var notUpdatable = map[string]bool{"PhoneMobile": true, "EmployeeId": true, "Password": true, "EmailAddress": true}

// standardColumns are the attributes of every Advanced Search record.
var standardColumns = []string{
	"UserId", "EmployeeId", "FirstName", "LastName", "EmailAddress", "Role", "StatusCode", "IsAdministrator",
	"AssociatedPhoneNumbers", "PhoneMobile", "PhoneMain", "Department", "Designation", "AvailabilityStatus",
	"CreatedOn", "TeamId", "ManagerUserId",
}

// columnSet is the columns a plan reads, shared by every user read: their names and
// their order by name (the order of a user's hash).
type columnSet struct {
	names  []string
	sorted []int
}

func newColumnSet(names []string) *columnSet {
	cs := &columnSet{names: names, sorted: make([]int, len(names))}
	for i := range names {
		cs.sorted[i] = i
	}
	slices.SortFunc(cs.sorted, func(x, y int) int { return strings.Compare(names[x], names[y]) })
	return cs
}

// find returns the index of the column attr (in any letter case), or -1.
func (cs *columnSet) find(attr string) int {
	for i, n := range cs.names {
		if n == attr || strings.EqualFold(n, attr) {
			return i
		}
	}
	return -1
}

// current is a user of the account as read, packed in one string: its Id, address and role,
// then its value of each column of cols (a map per user of a large account cost about 1 KB
// more each, and a string per value about 300 bytes: a sync of 464,000 users held 200 MB of
// them). The packing: each field is a uvarint code and its bytes: 0 a column the record did
// not have, 1 a column whose value is the header field of the same name (UserId,
// EmailAddress, Role), n+2 a value of n bytes.
//
// A user the plan needs only to recognise (not one it compares with the source or changes)
// is slim: its Id, address, role and team, and the hash of all of it (sum).
type current struct {
	cols   *columnSet
	packed string
	active bool
	sum    string   // the hash of a slim user
	twins  []string // the addresses of other users with the same key
}

// headFields is how many header fields a packed user starts with.
const headFields = 4

// Codes of a packed field.
const (
	packMissing = 0
	packHeader  = 1
)

// headerOf is the index of the header field a column repeats (UserId, EmailAddress, Role,
// TeamId), or -1.
func headerOf(col string) int {
	switch strings.ToLower(col) {
	case "userid":
		return 0
	case "emailaddress":
		return 1
	case "role":
		return 2
	case "teamid":
		return 3
	}
	return -1
}

// pack packs a user: head are its Id, address, role and team; vals and has its values by
// column (none for a slim user).
func pack(cols *columnSet, head [headFields]string, vals []string, has []bool) string {
	n := 0
	for _, v := range head {
		n += len(v) + 2
	}
	for _, v := range vals {
		n += len(v) + 2
	}
	b := make([]byte, 0, n)
	put := func(code int, v string) {
		b = binary.AppendUvarint(b, uint64(code))
		b = append(b, v...)
	}
	for _, v := range head {
		put(len(v)+2, v)
	}
	for i, v := range vals {
		switch h := headerOf(cols.names[i]); {
		case !has[i]:
			put(packMissing, "")
		case h >= 0 && head[h] == v:
			put(packHeader, "")
		default:
			put(len(v)+2, v)
		}
	}
	return string(b)
}

// field returns the i-th packed field (0-3 the header, then the columns), and whether the
// record had it.
func (u *current) field(i int) (string, bool) {
	if u.sum != "" && i >= headFields {
		return "", false // slim
	}
	s := u.packed
	for j := 0; ; j++ {
		code, n := binary.Uvarint([]byte(s[:min(len(s), binary.MaxVarintLen64)]))
		s = s[n:]
		size := max(int(code)-2, 0)
		if j == i {
			switch code {
			case packMissing:
				return "", false
			case packHeader:
				v, _ := u.field(headerOf(u.cols.names[i-headFields]))
				return v, true
			}
			return s[:size], true
		}
		s = s[size:]
	}
}

// unpack returns the user's header fields and its values and presence by column.
func (u *current) unpack() (head [headFields]string, vals []string, has []bool) {
	for i := range head {
		head[i], _ = u.field(i)
	}
	vals, has = make([]string, len(u.cols.names)), make([]bool, len(u.cols.names))
	for i := range vals {
		vals[i], has[i] = u.field(i + headFields)
	}
	return head, vals, has
}

func (u *current) id() string    { v, _ := u.field(0); return v }
func (u *current) email() string { v, _ := u.field(1); return v }
func (u *current) role() string  { v, _ := u.field(2); return v }

// value returns the user's value of attr (names compared in any case): of a slim user, its
// team only.
func (u *current) value(attr string) string {
	if u.sum != "" {
		v := ""
		if strings.EqualFold(attr, "TeamId") {
			v, _ = u.field(3)
		}
		return v
	}
	if i := u.cols.find(attr); i >= 0 {
		v, _ := u.field(i + headFields)
		return v
	}
	return ""
}

// set sets the value of attr, a column the user was read in (any other is ignored).
func (u *current) set(attr, v string) {
	if i := u.cols.find(attr); i >= 0 {
		head, vals, has := u.unpack()
		vals[i], has[i] = v, true
		u.packed = pack(u.cols, head, vals, has)
	}
}

// clone returns a copy of u whose values can be set.
func (u *current) clone() *current {
	c := *u
	return &c
}

// hash is the fingerprint of one user: its Id, address, status and values, by column name.
func (u *current) hash() string {
	if u.sum != "" {
		return u.sum
	}
	h := sha256.New()
	head, vals, has := u.unpack()
	fmt.Fprintf(h, "%s\x00%s\x00%t\x00", head[0], strings.ToLower(head[1]), u.active)
	for _, i := range u.cols.sorted {
		if k := u.cols.names[i]; has[i] && !strings.EqualFold(k, "StatusCode") { // active says it
			fmt.Fprintf(h, "%s=%s\x00", k, vals[i])
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// keepFunc decides whether a user read is kept whole: its key, its values and presence by
// column (of the plan's columnSet) and whether it is active.
type keepFunc func(key string, vals []string, has []bool, active bool) bool

// readAccount reads every user of the account (inactive ones included) in the columns; the
// users whose key keep refuses are slim (keep nil keeps all), and handed to drop if it is
// set: those drop takes (returning true) are not kept at all.
func readAccount(ctx context.Context, c *leadsquared.Client, columns []string, keep keepFunc, drop func(key string, u *current) bool) (map[string]*current, error) {
	req := api.UserSearchRequest{Columns: api.UserSearchColumns{IncludeCSV: strings.Join(columns, ",")}}
	asc := api.UserSearchSortDirection(0)
	req.Sorting = []api.UserSearchSort{{ColumnName: "CreatedOn", Direction: &asc}}
	out, cs := map[string]*current{}, newColumnSet(columns)
	for r, err := range c.SearchUsers(ctx, req) {
		if err != nil {
			return nil, fmt.Errorf("usersync: reading the account's users: %w", err)
		}
		addCurrent(out, &r, cs, keep, drop)
	}
	return out, nil
}

// readByAddress reads the users with the given addresses (inactive ones included) in the
// columns, LookupBatch addresses a search: what a partial plan reads.
func readByAddress(ctx context.Context, c *leadsquared.Client, emails []string, columns []string) (map[string]*current, error) {
	out, cs := map[string]*current{}, newColumnSet(columns)
	for start := 0; start < len(emails); start += LookupBatch {
		req := addressSearch(emails[start:min(start+LookupBatch, len(emails))], strings.Join(columns, ","))
		for r, err := range c.SearchUsers(ctx, req) {
			if err != nil {
				return nil, fmt.Errorf("usersync: finding the users by address: %w", err)
			}
			addCurrent(out, &r, cs, nil, nil)
		}
	}
	return out, nil
}

// addCurrent adds the user of a search record to users, by its address's key: a second
// user with the same key (or an address addressKey refuses) goes under a key no address
// has, so that it is never matched but still checked.
func addCurrent(users map[string]*current, r *api.UserSearchRecord, cs *columnSet, keep keepFunc, drop func(string, *current) bool) {
	vals, has := make([]string, len(cs.names)), make([]bool, len(cs.names))
	for i, col := range cs.names {
		vals[i], has[i] = RecordValue(r, col)
	}
	email := strings.TrimSpace(r.EmailAddress)
	head := [headFields]string{r.ID, email, r.Role, r.TeamID}
	u := &current{cols: cs, packed: pack(cs, head, vals, has), active: r.StatusCode == 0}
	k, err := addressKey(email)
	if keep != nil && !keep(k, vals, has, u.active) {
		u.sum = u.hash()
		u.packed = pack(cs, head, nil, nil)
		if drop != nil && err == nil && drop(k, u) {
			return
		}
	}
	email = u.email() // the packed copy: the record's strings are not kept
	if k == email {
		k = email // no second copy of the address as the key
	}
	if first, twin := users[k]; err == nil && twin {
		if first.id() == r.ID {
			return // the same user found twice
		}
		first.twins = append(first.twins, email)
	}
	if _, taken := users[k]; err != nil || taken {
		k = "\x00" + r.ID
	}
	users[k] = u
}

// RecordValue is the value of a column of a users file (any letter case) in a record of
// User Advanced Search, as lsq users export writes it: Status is Active or Inactive,
// CreatedOn is "2006-01-02 15:04:05", a custom field or another attribute LeadSquared
// returned is its text; false for an attribute the record does not have.
func RecordValue(r *api.UserSearchRecord, col string) (string, bool) {
	switch strings.ToLower(col) {
	case "status":
		if r.StatusCode == 0 {
			return "Active", true
		}
		return "Inactive", true
	case "teamname":
		return r.TeamName, true
	case "managername":
		return r.ManagerName, true
	case "groups":
		return r.Groups, true
	case "userid":
		return r.ID, true
	case "employeeid":
		return r.EmployeeID, true
	case "firstname":
		return r.FirstName, true
	case "lastname":
		return r.LastName, true
	case "emailaddress":
		return r.EmailAddress, true
	case "role":
		return r.Role, true
	case "statuscode":
		return strconv.Itoa(int(r.StatusCode)), true
	case "isadministrator":
		return strconv.FormatBool(bool(r.IsAdministrator)), true
	case "associatedphonenumbers":
		return r.AssociatedPhoneNumbers, true
	case "phonemobile":
		return r.PhoneMobile, true
	case "phonemain":
		return r.PhoneMain, true
	case "department":
		return r.Department, true
	case "designation":
		return r.Designation, true
	case "availabilitystatus":
		return r.AvailabilityStatus, true
	case "createdon":
		if r.CreatedOn.IsZero() {
			return "", true
		}
		return r.CreatedOn.Format("2006-01-02 15:04:05"), true
	case "teamid":
		return r.TeamID, true
	case "manageruserid":
		return r.ManagerUserID, true
	}
	for k, v := range r.CustomFields {
		if strings.EqualFold(k, col) {
			return v, true
		}
	}
	for k, raw := range r.AdditionalProperties {
		if strings.EqualFold(k, col) {
			var v any
			if err := json.Unmarshal(raw, &v); err != nil {
				return string(raw), true
			}
			switch x := v.(type) {
			case nil:
				return "", true
			case string:
				return x, true
			case bool:
				return strconv.FormatBool(x), true
			case float64:
				return strconv.FormatFloat(x, 'f', -1, 64), true
			default:
				return string(raw), true
			}
		}
	}
	return "", false
}

// columnsOf returns the columns a plan reads: the standard ones and every attribute the
// source names (attrs).
func columnsOf(attrs map[string]bool) []string {
	cols := slices.Clone(standardColumns)
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		if readOnly[strings.ToLower(k)] || strings.EqualFold(k, "Password") || // never read back: a search asking for it is refused
			slices.ContainsFunc(cols, func(c string) bool { return strings.EqualFold(c, k) }) {
			continue
		}
		cols = append(cols, k)
	}
	slices.Sort(cols[len(standardColumns):])
	return cols
}

// fingerprint hashes what a plan read: the users, the scope and the users its search found.
func fingerprint(p *Plan) string {
	h := sha256.New()
	for k, v := range p.Users.All() {
		fmt.Fprintf(h, "%s=%s\n", k, v)
	}
	_ = json.NewEncoder(h).Encode(p.Scope)
	_ = json.NewEncoder(h).Encode(p.ScopeFound)
	return hex.EncodeToString(h.Sum(nil))
}

// addressKey is the key by which the engine compares and looks up addresses: every
// comparison of two addresses (a row's, a manager's, an account user's) goes through it.
// An address it cannot take is an error (for a row: an invalid row). The key is
// CanonicalAddress's: Unicode normalisation, case folding and the IDN mapping of the domain,
// so that look-alike spellings of one address are one user, and an address with an invisible,
// bidi or control character is refused rather than taken for another user.
func addressKey(addr string) (string, error) {
	addr = strings.TrimSpace(addr)
	if addr == "" {
		return "", errors.New("no address")
	}
	return CanonicalAddress(addr)
}

// keyOf is the key of an address already checked (a plan's, a row's), or the address as
// it is if addressKey refuses it (a key no other address has).
func keyOf(addr string) string {
	if k, err := addressKey(addr); err == nil {
		return k
	}
	return "\x00" + addr
}

// same reports whether a source value and an account value are the same: trimmed, booleans
// by value (true, True, 1), Role in any letter case.
func same(attr, want, have string) bool {
	want, have = strings.TrimSpace(want), strings.TrimSpace(have)
	if want == have {
		return true
	}
	if strings.EqualFold(attr, "Role") {
		return strings.EqualFold(want, have)
	}
	bw, errw := strconv.ParseBool(want)
	bh, errh := strconv.ParseBool(have)
	if errw == nil && errh == nil {
		return bw == bh
	}
	if have == "" && (strings.EqualFold(want, "false") || want == "0") {
		return true // an unset flag is false
	}
	return false
}
