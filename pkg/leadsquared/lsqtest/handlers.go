package lsqtest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/scalar"
	"github.com/leadsquared-go/leadsquared-go/pkg/validate"
)

// call is one validated, authenticated API call: its body and the host it came to. Handlers
// run with Server.mu held; those of an operation with query parameters also get them, bound
// into the operation's api.XParams by the generated router (see routes).
type call struct {
	body []byte
	host string
}

// decode reads the (already validated) body into v.
func (c *call) decode(v any) error {
	if err := json.Unmarshal(c.body, v); err != nil {
		return fmt.Errorf("Invalid Input! The request body could not be read: %w", err)
	}
	return nil
}

// query is a request's query string, read as LeadSquared's WCF services read it: a
// parameter's name matches in any letter case (the official PHP library sends UserId= where
// the docs write userId=).
type query url.Values

// Get returns the first value of the parameter name in any letter case: that of the
// documented spelling when present, else that of the first other spelling in sorted order
// (so the answer does not depend on map order). "" when there is none.
func (q query) Get(name string) string {
	if vs := validate.QueryValues(url.Values(q), name); len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// Has tells whether the parameter name is present in any letter case.
func (q query) Has(name string) bool {
	for k := range q {
		if strings.EqualFold(k, name) {
			return true
		}
	}
	return false
}

var success = api.SuccessStatus{Status: "Success"}

// ---- users ----

// createUser: FirstName, EmailAddress, Role mandatory (checked by the spec); the address
// must not belong to a user that is not obsolete (500 MXDuplicateEntryException); a
// ManagerUserId must name an existing user.
func (s *Server) createUser(c *call) (int, any) {
	var req api.UserCreateRequest
	if err := c.decode(&req); err != nil {
		return http.StatusBadRequest, errBody(api.ExceptionInvalidInput, err.Error())
	}
	email := strings.TrimSpace(req.EmailAddress)
	if s.st.byEmail(email) != nil {
		return fail(api.ExceptionDuplicateEntry, "A user with the same email address already exists.")
	}
	mgr := ""
	if id := strings.TrimSpace(req.ManagerUserID); id != "" {
		m := s.st.user(id)
		if m == nil {
			return fail(api.ExceptionInvalidInput, "Invalid Input! Parameter Name: ManagerUserId (no such user)")
		}
		mgr = m.ID
	}
	now := s.now()
	u := &User{
		ID: newGUID(), FirstName: req.FirstName, LastName: req.LastName, EmailAddress: email,
		Role: string(req.Role), Status: UserActive, ManagerUserID: mgr, TeamID: req.TeamID,
		AssociatedPhoneNumbers: req.AssociatedPhoneNumbers, PhoneMobile: req.PhoneMobile,
		TimeZone: req.TimeZone, DateFormat: req.DateFormat,
		WorkDayTemplateID: req.WorkDayTemplateID, HolidayCalendarID: req.HolidayCalendarID,
		UserType: int(req.UserType), IsPhoneCallAgent: req.IsPhoneCallAgent,
		AvailabilityStatus: "Offline", Attributes: map[string]string{}, Settings: map[string]int{},
		CreatedOn: now, ModifiedOn: now,
	}
	maps.Copy(u.Attributes, req.CustomFields)
	s.st.addUser(u)
	return http.StatusOK, api.UserCreated{Status: "Success", Message: api.UserCreatedMessage{ID: u.ID}}
}

// authenticateUser returns the key owner and the account's hosts; `api` is the host the
// call came to.
func (s *Server) authenticateUser(c *call) (int, any) {
	u := s.st.users[s.st.ownerID]
	return http.StatusOK, keepZero(api.AuthenticatedUser{
		Class: 1, Group: 1, SubRegionID: 1,
		ID: u.ID, Name: u.name(), PassPhrase: u.EmailAddress, Role: u.Role,
		SessionID: "", TimeZone: u.TimeZone, Type: "ApplicationUser",
		OrgDisplayName: OrgName, OrgID: OrgID, OrgShortCode: OrgShortCode,
		OrgUniqueName: "lsqtest", DefaultCountryCode: "91",
		AssociatedPhoneNumbers: u.AssociatedPhoneNumbers, CustomerType: "lsqtest", UserType: "Regular",
		MobileServiceURLs: api.AuthenticatedUserMobileServiceURLs{},
		LSQCommonServiceURLs: api.AuthenticatedUserCommonServiceURLs{
			API: c.host, App: c.host,
		},
	}, authenticatedUserFields...)
}

// authenticatedUserFields are the fields of Authenticate a User sent even when empty.
var authenticatedUserFields = []string{
	"AssociatedPhoneNumbers", "Class", "CustomerType", "DefaultCountryCode", "Group", "Id", "LSQCommonServiceURLs",
	"MobileServiceURLs", "Name", "OrgDisplayName", "OrgId", "OrgShortCode", "OrgUniqueName", "PassPhrase", "Role",
	"SessionId", "SubRegionId", "TimeZone", "Type", "UserType",
}

// getUsers lists every user that is not obsolete, inactive ones with StatusCode 1, with
// IsActive and AssociatedManagerEmail (the manager's address, left out without one) as real
// replies carry them.
func (s *Server) getUsers(*call) (int, any) {
	out := []api.UserListItem{}
	for _, u := range s.st.visible() {
		code := 0
		if u.Status != UserActive {
			code = 1
		}
		item := api.UserListItem{
			ID: u.ID, FirstName: u.FirstName, LastName: u.LastName,
			EmailAddress: u.EmailAddress, Role: u.Role, StatusCode: scalar.Int(code),
			IsPhoneCallAgent: scalar.Bool(u.IsPhoneCallAgent),
			IsActive:         scalar.Bool(u.Status == UserActive),
		}
		if m := s.st.user(u.ManagerUserID); m != nil {
			item.AssociatedManagerEmail = m.EmailAddress
		}
		out = append(out, item)
	}
	return http.StatusOK, keepZero(out, "EmailAddress", "FirstName", "ID", "IsActive", "IsPhoneCallAgent", "LastName", "Role", "StatusCode")
}

// userRecordFields are the fields of a user record sent even when empty (those that are
// null when unset, such as City, are left out when empty instead).
var userRecordFields = []string{
	"AssociatedPhoneNumbers", "AvailabilityStatus", "CompanyName", "DateFormat", "EmailAddress", "FirstName", "Groups",
	"IsCheckedIn", "IsPhoneCallAgent", "LastName", "OrgId", "PhoneMobile", "Role", "TimeZone", "UserId", "UserType",
}

// userRecordTyped are the attributes of User.Attributes that the record of Get a User types.
var userRecordTyped = map[string]bool{
	"Address": true, "City": true, "State": true, "Country": true, "ZipCode": true, "TelephonyAgentId": true,
	"PhoneMain": true, "PhoneOthers": true, "Designation": true, "Department": true, "OfficeLocationName": true,
	"Skills": true, "SalesRegions": true,
}

// userRecord is the record of Get a User by Id / by Email.
func (s *Server) userRecord(u *User) api.User {
	a := u.Attributes
	rec := api.User{
		ID: u.ID, FirstName: u.FirstName, LastName: u.LastName, EmailAddress: u.EmailAddress,
		AssociatedPhoneNumbers: u.AssociatedPhoneNumbers, DateFormat: u.DateFormat, TimeZone: u.TimeZone,
		Role: u.Role, IsPhoneCallAgent: scalar.Bool(u.IsPhoneCallAgent), OrgID: OrgShortCode, CompanyName: OrgName,
		UserType: scalar.Int(u.UserType), ManagerUserID: u.ManagerUserID,
		Address: a["Address"], City: a["City"], State: a["State"], Country: a["Country"],
		ZipCode: scalar.String(a["ZipCode"]), TelephonyAgentID: scalar.String(a["TelephonyAgentId"]),
		PhoneMain: a["PhoneMain"], PhoneMobile: u.PhoneMobile, PhoneOthers: a["PhoneOthers"],
		IsCheckedIn: scalar.Bool(u.CheckedIn), AvailabilityStatus: strings.ToLower(u.AvailabilityStatus),
		Designation: a["Designation"], Department: a["Department"],
		OfficeLocationName: a["OfficeLocationName"], Skills: a["Skills"], SalesRegions: a["SalesRegions"],
		Groups: []api.UserGroup{}, TeamID: u.TeamID, LastCheckedOn: dateTime(u.LastCheckedOn),
	}
	if m := s.st.users[u.ManagerUserID]; m != nil {
		rec.ManagerName = m.name()
	}
	// Custom fields: mx_Custom_1..10 always ("" when unset), and any other mx_* the user has.
	// Every other attribute the record does not type (Team, say) comes as an extra key.
	rec.CustomFields = api.CustomFields{}
	for n := 1; n <= 10; n++ {
		rec.CustomFields["mx_Custom_"+strconv.Itoa(n)] = ""
	}
	for k, v := range a {
		switch {
		case len(k) > 3 && strings.EqualFold(k[:3], "mx_"):
			rec.CustomFields[k] = v
		case !userRecordTyped[k]:
			setAttr(&rec.AdditionalProperties, k, v)
		}
	}
	return rec
}

// setAttr sets an attribute a model does not type (null for nil), as LeadSquared sends it.
func setAttr(m *map[string]json.RawMessage, key string, v any) {
	if *m == nil {
		*m = map[string]json.RawMessage{}
	}
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte("null")
	}
	(*m)[key] = b
}

// getUserByID answers [] for a missing, inactive or obsolete user.
func (s *Server) getUserByID(_ *call, p api.GetUserByIDParams) (int, any) {
	if u := s.st.activeUser(p.UserID); u != nil {
		return http.StatusOK, keepZero([]api.User{s.userRecord(u)}, userRecordFields...)
	}
	return http.StatusOK, []api.User{}
}

// getUserByEmail answers [] for a missing, inactive or obsolete user.
func (s *Server) getUserByEmail(_ *call, p api.GetUserByEmailParams) (int, any) {
	if u := s.st.byEmail(p.EmailAddress); u != nil && u.Status == UserActive {
		return http.StatusOK, keepZero([]api.User{s.userRecord(u)}, userRecordFields...)
	}
	return http.StatusOK, []api.User{}
}

// updatable lists the attributes Update a User may change (the spec's list; mx_Custom_N
// are matched by prefix).
var updatable = map[string]bool{
	"Address": true, "AssociatedPhoneNumbers": true, "AvailabilityStatus": true, "City": true, "Country": true,
	"DateFormat": true, "DeletionStatusCode": true, "Department": true, "Designation": true, "FirstName": true,
	"HolidayCalendarId": true, "IsEmailSender": true, "IsPhoneCallAgent": true, "IsWorkingToday": true,
	"LastName": true, "MiddleName": true, "OfficeLocationName": true, "PhoneMain": true, "PhoneOthers": true,
	"Role": true, "SalesRegions": true, "Signature_Html": true, "Signature_Text": true, "Skills": true,
	"State": true, "Team": true, "TeamId": true, "TelephonyAgentId": true, "TemplateNames": true,
	"TimeZone": true, "UserType": true, "WorkDayTemplateId": true, "ZipCode": true,
}

// updateUser changes attributes and settings. EmailAddress, PhoneMobile and ManagerUserId
// cannot be changed here (500 MXInvalidInputException); an attribute outside the spec's
// list answers 500 MXUnknownAttributeException; an unknown or obsolete user 500.
func (s *Server) updateUser(c *call, p api.UpdateUserParams) (int, any) {
	u := s.st.user(p.UserID)
	if u == nil {
		return fail(api.ExceptionInvalidInput, "Invalid Input! Parameter Name: UserId (no such user)")
	}
	// The attributes as sent: the fake checks names the typed model would not hold.
	var req struct {
		User         map[string]any         `json:"user"`
		UserSettings api.UserUpdateSettings `json:"userSettings"`
	}
	if err := c.decode(&req); err != nil {
		return http.StatusBadRequest, errBody(api.ExceptionInvalidInput, err.Error())
	}
	vals := map[string]string{}
	if req.User != nil {
		for _, k := range sortedKeys(req.User) {
			switch {
			case k == "EmailAddress" || k == "PhoneMobile" || k == "ManagerUserId":
				return fail(api.ExceptionInvalidInput, "%s cannot be updated with Update a User", k)
			case !updatable[k] && (len(k) <= 3 || !strings.EqualFold(k[:3], "mx_")):
				return fail(api.ExceptionUnknownAttribute, "Unknown attribute: %s", k)
			}
			v := scalarString(req.User[k])
			switch k {
			case "Role":
				if !validRole(v) {
					return fail(api.ExceptionInvalidInput, "Invalid Input! Parameter Name: Role")
				}
			case "FirstName":
				if strings.TrimSpace(v) == "" {
					return fail(api.ExceptionMandatoryAttributeMissing, "FirstName is mandatory")
				}
			case "UserType":
				if v != "0" && v != "1" {
					return fail(api.ExceptionInvalidInput, "Invalid Input! Parameter Name: UserType")
				}
			case "IsPhoneCallAgent":
				if _, err := strconv.ParseBool(v); err != nil && v != "0" && v != "1" {
					return fail(api.ExceptionInvalidInput, "Invalid Input! Parameter Name: IsPhoneCallAgent")
				}
			}
			vals[k] = v
		}
	}
	for k, v := range vals {
		switch k {
		case "FirstName":
			u.FirstName = v
		case "LastName":
			u.LastName = v
		case "Role":
			u.Role = v
		case "TeamId":
			u.TeamID = v
		case "AssociatedPhoneNumbers":
			u.AssociatedPhoneNumbers = v
		case "TimeZone":
			u.TimeZone = v
		case "DateFormat":
			u.DateFormat = v
		case "WorkDayTemplateId":
			u.WorkDayTemplateID = v
		case "HolidayCalendarId":
			u.HolidayCalendarID = v
		case "AvailabilityStatus":
			u.AvailabilityStatus = v
		case "UserType":
			u.UserType, _ = strconv.Atoi(v)
		case "IsPhoneCallAgent":
			u.IsPhoneCallAgent = v == "1" || strings.EqualFold(v, "true")
		default:
			u.Attributes[k] = v
		}
	}
	set := func(name string, f *api.UserUpdateSettingFlag) {
		if f != nil {
			u.Settings[name] = int(*f)
		}
	}
	st := req.UserSettings
	set("IgnoreIPRestrictionForLogin", st.IgnoreIPRestrictionForLogin)
	set("RestrictMobileLogin", st.RestrictMobileLogin)
	set("IsSoftPhoneEnabled", st.IsSoftPhoneEnabled)
	set("ApplyOnlyUserSpecificPT", st.ApplyOnlyUserSpecificPT)
	set("AllowUpdatingManagerInHierarchy", st.AllowUpdatingManagerInHierarchy)
	u.ModifiedOn = s.now()
	return http.StatusOK, keepZero(api.UserUpdateResult{Status: "Success", ExceptionMessage: ""}, "ExceptionMessage")
}

// scalarString renders a JSON value of an update as the string LeadSquared stores.
func scalarString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// bulkUpdateUsers sets TeamId on the users (not obsolete) that match the conditions. Any
// other Attribute answers 500 MXInvalidInputException.
func (s *Server) bulkUpdateUsers(c *call) (int, any) {
	var req api.UserBulkUpdateRequest
	if err := c.decode(&req); err != nil {
		return http.StatusBadRequest, errBody(api.ExceptionInvalidInput, err.Error())
	}
	if req.Attribute != "TeamId" {
		return fail(api.ExceptionInvalidInput, "Invalid Input! Parameter Name: Attribute (only TeamId can be updated in bulk)")
	}
	m, err := newMatcher(req.Conditions, "")
	if err != nil {
		return fail(api.ExceptionInvalidInput, "%s", err.Error())
	}
	n := 0
	now := s.now()
	for _, u := range s.st.visible() {
		if m.match(s, u) {
			u.TeamID = req.Value
			u.ModifiedOn = now
			n++
		}
	}
	return http.StatusOK, keepZero(api.UserBulkUpdateResult{Status: "Success", Message: api.UserBulkUpdateMessage{AffectedRows: scalar.Int(n), IsSuccessful: true}},
		"Message.AffectedRows", "Message.IsSuccessful")
}

// bulkUpdateUserManagers sets the managers at once (LeadSquared queues the work and
// reports rows only in Request History): rows naming an unknown user or manager, the user
// itself, or a manager that reports to the user (a cycle) are skipped silently.
func (s *Server) bulkUpdateUserManagers(c *call) (int, any) {
	var req api.UserManagerUpdateList
	if err := c.decode(&req); err != nil {
		return http.StatusBadRequest, errBody(api.ExceptionInvalidInput, err.Error())
	}
	now := s.now()
	for _, row := range req {
		u, m := s.st.user(row.UserID), s.st.user(row.ManagerID)
		if u == nil || m == nil || u == m {
			continue
		}
		cycle := false
		for _, r := range s.st.reports(u.ID) {
			if r == m {
				cycle = true
				break
			}
		}
		if cycle {
			continue
		}
		u.ManagerUserID = m.ID
		u.ModifiedOn = now
	}
	s.st.wfaID++
	return http.StatusOK, map[string]any{"ErrorMessage": nil, "Status": "Success", "WFAId": strconv.FormatInt(s.st.wfaID, 10)}
}

// activateUser activates an inactive user (harmless when already active). An unknown or
// obsolete user answers 500.
func (s *Server) activateUser(_ *call, p api.ActivateUserParams) (int, any) {
	u := s.st.user(p.UserID)
	if u == nil {
		return fail(api.ExceptionInvalidInput, "Invalid Input! Parameter Name: userId (no such user)")
	}
	u.Status = UserActive
	u.ModifiedOn = s.now()
	return http.StatusOK, success
}

// deactivateUser deactivates a user (harmless when already inactive). The key owner cannot
// deactivate themselves (500), which would lock the fake's only keys out.
func (s *Server) deactivateUser(_ *call, p api.DeactivateUserParams) (int, any) {
	u := s.st.user(p.UserID)
	if u == nil {
		return fail(api.ExceptionInvalidInput, "Invalid Input! Parameter Name: userId (no such user)")
	}
	if u.ID == s.st.ownerID {
		return fail(api.ExceptionInvalidInput, "You cannot deactivate yourself.")
	}
	u.Status = UserInactive
	u.CheckedIn = false
	u.ModifiedOn = s.now()
	return http.StatusOK, success
}

// markUserObsolete marks a deactivated user obsolete, which frees the email address. An
// active, unknown or already obsolete user answers 500.
func (s *Server) markUserObsolete(_ *call, p api.MarkUserObsoleteParams) (int, any) {
	u := s.st.user(p.UserID)
	if u == nil {
		return fail(api.ExceptionInvalidInput, "Invalid Input! Parameter Name: userid (no such user)")
	}
	if u.Status != UserInactive {
		return fail(api.ExceptionInvalidInput, "Only a deactivated user can be marked obsolete.")
	}
	u.Status = UserObsolete
	u.ModifiedOn = s.now()
	return http.StatusOK, success
}

// getUserTags answers [] for a missing, inactive or obsolete user.
func (s *Server) getUserTags(_ *call, p api.GetUserTagsParams) (int, any) {
	out := []api.UserTag{}
	if u := s.st.activeUser(p.UserID); u != nil {
		for _, t := range u.Tags {
			out = append(out, api.UserTag{Key: t.Key, Value: t.Value})
		}
	}
	return http.StatusOK, keepZero(out, "key", "value")
}

// notifyUsers records an email to the named users or to every active user with one of the
// roles. An address that is not an active user's, or no recipient at all, answers 500.
func (s *Server) notifyUsers(c *call) (int, any) {
	var req api.NotifyUsersRequest
	if err := c.decode(&req); err != nil {
		return http.StatusBadRequest, errBody(api.ExceptionInvalidInput, err.Error())
	}
	var to []string
	seen := map[string]bool{}
	add := func(u *User) {
		if !seen[u.ID] {
			seen[u.ID] = true
			to = append(to, u.EmailAddress)
		}
	}
	for _, e := range req.UserEmailAddresses {
		u := s.st.byEmail(e)
		if u == nil || u.Status != UserActive {
			return fail(api.ExceptionInvalidInput, "Invalid Input! Parameter Name: UserEmailAddresses (not a user of the account)")
		}
		add(u)
	}
	for _, r := range req.Roles {
		for _, u := range s.st.visible() {
			if u.Status == UserActive && u.Role == string(r) {
				add(u)
			}
		}
	}
	if len(to) == 0 && len(req.UserEmailAddresses) == 0 && len(req.Roles) == 0 {
		return fail(api.ExceptionMandatoryAttributeMissing, "UserEmailAddresses or Roles is mandatory")
	}
	s.st.emails = append(s.st.emails, Email{
		From: req.EmailContent.From, Subject: req.EmailContent.Subject, ContentHTML: req.EmailContent.ContentHTML,
		To: to, SentOn: s.now(),
	})
	return http.StatusOK, success
}
