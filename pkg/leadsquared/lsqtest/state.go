package lsqtest

import (
	"crypto/rand"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/scalar"
)

// DateTimeLayout is LeadSquared's date-time format (UTC).
const DateTimeLayout = "2006-01-02 15:04:05"

// DateLayout is LeadSquared's date format, for Get Work Day Details.
const DateLayout = "2006-01-02"

// DefaultWorkDayTemplateID is the account's one work-day template: Monday to Friday,
// 09:00:00 to 18:00:00. Users created with it as WorkDayTemplateId (and the owner) follow
// it; other users are available all day (StatusReason WorkDayTemplateNotDefined).
const DefaultWorkDayTemplateID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"

// The account's organisation, as Authenticate a User and Get a User by Id report it.
const (
	OrgID        = "3b1041a3-8374-11e7-8758-0a106ee76b21"
	OrgShortCode = 22824
	OrgName      = "lsqtest Fake Account"
)

// UserStatus is a user's state.
type UserStatus string

// The states of a user. Users cannot be deleted: deactivate, then mark obsolete.
const (
	UserActive   UserStatus = "Active"
	UserInactive UserStatus = "Inactive"
	UserObsolete UserStatus = "Obsolete"
)

// User is a user of the fake account, as [Server.Users] returns it (a copy).
type User struct {
	ID                     string
	FirstName, LastName    string
	EmailAddress           string
	Role                   string
	Status                 UserStatus
	ManagerUserID          string
	TeamID                 string
	AssociatedPhoneNumbers string
	PhoneMobile            string
	TimeZone               string
	DateFormat             string
	UserType               int
	IsPhoneCallAgent       bool
	WorkDayTemplateID      string
	HolidayCalendarID      string
	// Attributes holds every other attribute, keyed by schema name: custom fields
	// (CustomFields of Create a User, mx_Custom_N) and fields set by Update a User
	// (Designation, Department, City, ...).
	Attributes map[string]string
	// Settings holds the userSettings switches of Update a User.
	Settings map[string]int
	// Tags are the user's tags (there is no API to set them: use [Server.AddUserTag]).
	Tags []Tag
	// CheckedIn, AvailabilityStatus and LastCheckedOn are the user's availability.
	CheckedIn          bool
	AvailabilityStatus string
	LastCheckedOn      time.Time // zero when never checked in or out
	CreatedOn          time.Time
	ModifiedOn         time.Time
}

// Tag is a user tag.
type Tag struct{ Key, Value string }

func (u *User) clone() User {
	c := *u
	c.Attributes = maps.Clone(u.Attributes)
	c.Settings = maps.Clone(u.Settings)
	c.Tags = slices.Clone(u.Tags)
	return c
}

func (u *User) name() string { return strings.TrimSpace(u.FirstName + " " + u.LastName) }

// Template is a permission template, as [Server.Templates] returns it (a copy).
type Template struct {
	ID, Name, Description string
	Permissions           []EntityPermissions
	UserIDs               []string // users it is applied to
	GroupIDs              []string // sales groups it is applied to
	Roles                 []string // roles it is applied to
	CreatedBy, ModifiedBy string
	CreatedOn, ModifiedOn time.Time
}

// EntityPermissions are a template's permissions on one entity (Lead, Activity).
type EntityPermissions struct {
	Entity  string
	Actions []ActionPermission
}

// ActionPermission is one action's access: FullAccess, PartialAccess or NoAccess, with the
// restricted fields of a PartialAccess.
type ActionPermission struct {
	Action, Access   string
	RestrictedFields []string
}

func (t *Template) clone() Template {
	c := *t
	c.UserIDs = slices.Clone(t.UserIDs)
	c.GroupIDs = slices.Clone(t.GroupIDs)
	c.Roles = slices.Clone(t.Roles)
	c.Permissions = make([]EntityPermissions, len(t.Permissions))
	for i, ep := range t.Permissions {
		c.Permissions[i] = EntityPermissions{Entity: ep.Entity, Actions: make([]ActionPermission, len(ep.Actions))}
		for j, a := range ep.Actions {
			a.RestrictedFields = slices.Clone(a.RestrictedFields)
			c.Permissions[i].Actions[j] = a
		}
	}
	return c
}

// CheckEvent is one check-in or check-out.
type CheckEvent struct {
	UserID       string
	At           time.Time
	CheckIn      bool // false: check-out
	Source       string
	Location     string
	Latitude     float64
	Longitude    float64
	OtherDetails map[string]string
}

// Email is an email sent with Notify Users.
type Email struct {
	From, Subject, ContentHTML string
	To                         []string // the recipients' addresses, roles resolved
	SentOn                     time.Time
}

// ConverseNotification is a card posted with Send Converse Notification.
type ConverseNotification struct {
	MessageID, ToUser, Type, Message, Description string
	SentOn                                        time.Time
}

// state is the account. Guarded by Server.mu.
type state struct {
	ownerID   string
	users     map[string]*User
	order     []string // user ids in creation order
	templates map[string]*Template
	tplOrder  []string
	events    []CheckEvent
	emails    []Email
	converse  []ConverseNotification
	holidays  map[string]bool            // yyyy-MM-dd
	leaves    map[string]map[string]bool // user id → yyyy-MM-dd
	wfaID     int64
}

func (st *state) init(now time.Time) {
	st.users = map[string]*User{}
	st.templates = map[string]*Template{}
	st.holidays = map[string]bool{}
	st.leaves = map[string]map[string]bool{}
	st.wfaID = 1064688470
	owner := &User{
		ID: newGUID(), FirstName: "Ada", LastName: "Admin", EmailAddress: "admin@lsqtest.example.com",
		Role: "Administrator", Status: UserActive, TimeZone: "UTC", DateFormat: "yyyy-mm-dd",
		WorkDayTemplateID: DefaultWorkDayTemplateID, AvailabilityStatus: "Offline",
		Attributes: map[string]string{}, Settings: map[string]int{}, CreatedOn: now, ModifiedOn: now,
	}
	st.ownerID = owner.ID
	st.addUser(owner)
}

func (st *state) addUser(u *User) {
	st.users[u.ID] = u
	st.order = append(st.order, u.ID)
}

// user returns a user that is not obsolete.
// userOrOwner is the user named by an optional query parameter, or the key owner when the
// parameter is absent or empty (nil for an unknown user).
func (st *state) userOrOwner(param *string) *User {
	id := st.ownerID
	if param != nil && *param != "" {
		id = *param
	}
	return st.user(id)
}

func (st *state) user(id string) *User {
	u := st.users[strings.ToLower(strings.TrimSpace(id))]
	if u == nil || u.Status == UserObsolete {
		return nil
	}
	return u
}

// activeUser returns an active user.
func (st *state) activeUser(id string) *User {
	u := st.user(id)
	if u == nil || u.Status != UserActive {
		return nil
	}
	return u
}

// byEmail returns the user with the address (not obsolete), ignoring letter case.
func (st *state) byEmail(email string) *User {
	email = strings.TrimSpace(email)
	for _, id := range st.order {
		u := st.users[id]
		if u.Status != UserObsolete && strings.EqualFold(u.EmailAddress, email) {
			return u
		}
	}
	return nil
}

// visible returns the users that are not obsolete, in creation order.
func (st *state) visible() []*User {
	out := make([]*User, 0, len(st.order))
	for _, id := range st.order {
		if u := st.users[id]; u.Status != UserObsolete {
			out = append(out, u)
		}
	}
	return out
}

// reports returns every user under managerID, following the reporting chain breadth first.
func (st *state) reports(managerID string) []*User {
	var out []*User
	seen := map[string]bool{managerID: true}
	queue := []string{managerID}
	for len(queue) > 0 {
		m := queue[0]
		queue = queue[1:]
		for _, u := range st.visible() {
			if u.ManagerUserID == m && !seen[u.ID] {
				seen[u.ID] = true
				out = append(out, u)
				queue = append(queue, u.ID)
			}
		}
	}
	return out
}

// newGUID returns a random (version 4) GUID in lower case.
func newGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func fmtTime(t time.Time) string { return t.UTC().Format(DateTimeLayout) }

// dateTime is t as the models' date and time, to the second as fmtTime writes it (zero
// stays zero).
func dateTime(t time.Time) scalar.DateTime { return scalar.NewDateTime(t.Truncate(time.Second)) }

// ---- read access for assertions ----

// Users returns copies of every user, obsolete ones included, in creation order.
func (s *Server) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]User, 0, len(s.st.order))
	for _, id := range s.st.order {
		out = append(out, s.st.users[id].clone())
	}
	return out
}

// User returns a copy of the user with the given Id.
func (s *Server) User(id string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.users[strings.ToLower(id)]
	if u == nil {
		return User{}, false
	}
	return u.clone(), true
}

// UserCount returns the number of users ever created in the account, the owner,
// inactive and obsolete users included (users cannot be deleted).
func (s *Server) UserCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.st.order)
}

// Templates returns copies of the permission templates, in creation order.
func (s *Server) Templates() []Template {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Template, 0, len(s.st.tplOrder))
	for _, id := range s.st.tplOrder {
		out = append(out, s.st.templates[id].clone())
	}
	return out
}

// CheckEvents returns every check-in and check-out, oldest first.
func (s *Server) CheckEvents() []CheckEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]CheckEvent, len(s.st.events))
	for i, e := range s.st.events {
		e.OtherDetails = maps.Clone(e.OtherDetails)
		out[i] = e
	}
	return out
}

// Emails returns the emails sent with Notify Users, oldest first.
func (s *Server) Emails() []Email {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Email, len(s.st.emails))
	for i, e := range s.st.emails {
		e.To = slices.Clone(e.To)
		out[i] = e
	}
	return out
}

// ConverseNotifications returns the Converse cards posted, oldest first.
func (s *Server) ConverseNotifications() []ConverseNotification {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.st.converse)
}

// ---- seeding, for state the API cannot create ----

// AddUser adds a user directly, without an API call (and without spending the rate
// limit). FirstName, EmailAddress and Role are required; ID (a new GUID), Status (Active),
// CreatedOn and ModifiedOn (now) get defaults. A duplicate email address (of a user that is
// not obsolete) or an unknown manager is an error. It returns the stored user.
func (s *Server) AddUser(u User) (User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.FirstName == "" || u.EmailAddress == "" || u.Role == "" {
		return User{}, fmt.Errorf("lsqtest: AddUser: FirstName, EmailAddress and Role are required")
	}
	if !validRole(u.Role) {
		return User{}, fmt.Errorf("lsqtest: AddUser: unknown role %q", u.Role)
	}
	if s.st.byEmail(u.EmailAddress) != nil {
		return User{}, fmt.Errorf("lsqtest: AddUser: a user with the email address %s already exists", u.EmailAddress)
	}
	if u.ManagerUserID != "" && s.st.user(u.ManagerUserID) == nil {
		return User{}, fmt.Errorf("lsqtest: AddUser: unknown manager %s", u.ManagerUserID)
	}
	c := u.clone()
	if c.ID == "" {
		c.ID = newGUID()
	}
	c.ID = strings.ToLower(c.ID)
	if _, dup := s.st.users[c.ID]; dup {
		return User{}, fmt.Errorf("lsqtest: AddUser: duplicate id %s", c.ID)
	}
	if c.Status == "" {
		c.Status = UserActive
	}
	now := s.now()
	if c.CreatedOn.IsZero() {
		c.CreatedOn = now
	}
	if c.ModifiedOn.IsZero() {
		c.ModifiedOn = c.CreatedOn
	}
	if c.Attributes == nil {
		c.Attributes = map[string]string{}
	}
	if c.Settings == nil {
		c.Settings = map[string]int{}
	}
	if c.AvailabilityStatus == "" {
		c.AvailabilityStatus = "Offline"
	}
	s.st.addUser(&c)
	return c.clone(), nil
}

// AddUserTag adds (or replaces) a tag of a user, for Get User Tags.
func (s *Server) AddUserTag(userID, key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.users[strings.ToLower(userID)]
	if u == nil {
		return fmt.Errorf("lsqtest: AddUserTag: unknown user %s", userID)
	}
	for i := range u.Tags {
		if u.Tags[i].Key == key {
			u.Tags[i].Value = value
			return nil
		}
	}
	u.Tags = append(u.Tags, Tag{Key: key, Value: value})
	return nil
}

// AddHoliday makes date (yyyy-MM-dd) a holiday of the account: Get Work Day Details then
// answers IsAvailable 0, StatusReason Holiday.
func (s *Server) AddHoliday(date string) error {
	if _, err := time.Parse(DateLayout, date); err != nil {
		return fmt.Errorf("lsqtest: AddHoliday: want yyyy-MM-dd: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.holidays[date] = true
	return nil
}

// AddLeave puts a user on leave on date (yyyy-MM-dd): Get Work Day Details then answers
// IsAvailable 0, StatusReason Leave.
func (s *Server) AddLeave(userID, date string) error {
	if _, err := time.Parse(DateLayout, date); err != nil {
		return fmt.Errorf("lsqtest: AddLeave: want yyyy-MM-dd: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := strings.ToLower(userID)
	if s.st.users[id] == nil {
		return fmt.Errorf("lsqtest: AddLeave: unknown user %s", userID)
	}
	if s.st.leaves[id] == nil {
		s.st.leaves[id] = map[string]bool{}
	}
	s.st.leaves[id][date] = true
	return nil
}

var roles = []string{"Administrator", "Marketing_User", "Sales_Manager", "Sales_User"}

func validRole(r string) bool { return slices.Contains(roles, r) }

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
