package lsqtest

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/scalar"
)

// searchColumns are the keys of every Advanced Search record, in order.
var searchColumns = []string{
	"UserId", "EmployeeId", "FirstName", "LastName", "EmailAddress", "Role", "StatusCode", "IsAdministrator",
	"AssociatedPhoneNumbers", "PhoneMobile", "PhoneMain", "Department", "Designation", "AvailabilityStatus",
	"CreatedOn", "TeamId", "TeamName", "ManagerUserId", "ManagerName", "Groups",
}

var errInvalidAttributes = errors.New("User search has some invalid Attributes")

// canonicalAttr returns the canonical spelling of an attribute name a search may use (a
// record key, an updatable attribute or a custom field), or "" when unknown.
func canonicalAttr(name string) string {
	name = strings.TrimSpace(name)
	if strings.EqualFold(name, "UserID") {
		return "UserId"
	}
	for _, c := range searchColumns {
		if strings.EqualFold(c, name) {
			return c
		}
	}
	for k := range updatable {
		if strings.EqualFold(k, name) {
			return k
		}
	}
	if strings.HasPrefix(strings.ToLower(name), "mx_") {
		return name
	}
	return ""
}

// attr returns a user's value of a canonical attribute; ok is false for null.
func (s *Server) attr(u *User, name string) (string, bool) {
	nonEmpty := func(v string) (string, bool) { return v, v != "" }
	switch name {
	case "UserId":
		return u.ID, true
	case "FirstName":
		return u.FirstName, true
	case "LastName":
		return nonEmpty(u.LastName)
	case "EmailAddress":
		return u.EmailAddress, true
	case "Role":
		return u.Role, true
	case "StatusCode":
		if u.Status == UserActive {
			return "0", true
		}
		return "1", true
	case "IsAdministrator":
		if u.Role == "Administrator" {
			return "true", true
		}
		return "false", true
	case "AssociatedPhoneNumbers":
		return nonEmpty(u.AssociatedPhoneNumbers)
	case "PhoneMobile":
		return nonEmpty(u.PhoneMobile)
	case "AvailabilityStatus":
		return nonEmpty(u.AvailabilityStatus)
	case "CreatedOn":
		return fmtTime(u.CreatedOn), true
	case "TeamId":
		return nonEmpty(u.TeamID)
	case "TeamName", "Groups":
		return "", false
	case "ManagerUserId":
		return nonEmpty(u.ManagerUserID)
	case "ManagerName":
		if m := s.st.users[u.ManagerUserID]; m != nil {
			return m.name(), true
		}
		return "", false
	case "TimeZone":
		return nonEmpty(u.TimeZone)
	case "DateFormat":
		return nonEmpty(u.DateFormat)
	case "WorkDayTemplateId":
		return nonEmpty(u.WorkDayTemplateID)
	case "HolidayCalendarId":
		return nonEmpty(u.HolidayCalendarID)
	case "IsPhoneCallAgent":
		return strconv.FormatBool(u.IsPhoneCallAgent), true
	case "UserType":
		return strconv.Itoa(u.UserType), true
	}
	v, ok := u.Attributes[name]
	return v, ok && v != ""
}

// matcher evaluates condition groups left to right.
type matcher struct {
	groups []api.ConditionGroup
	joins  []string // joins[i] joins group i and i+1
	inner  []string // the one join operator inside each group
}

// newMatcher checks the conditions: known attributes, one join operator per group, and a
// join between groups (the group's GroupOperator, else top).
func newMatcher(groups []api.ConditionGroup, top api.SearchConditionJoin) (*matcher, error) {
	m := &matcher{groups: groups}
	for i, g := range groups {
		op := ""
		for j, c := range g.Condition {
			if canonicalAttr(c.LookupName) == "" || canonicalAttr(c.LookupName) == "Groups" {
				return nil, errInvalidAttributes
			}
			if j == len(g.Condition)-1 || c.ConditionOperator == "" {
				continue
			}
			if op != "" && op != c.ConditionOperator {
				return nil, errors.New("Invalid Input! The conditions of one group must all be joined with the same ConditionOperator")
			}
			op = c.ConditionOperator
		}
		if op == "" {
			op = "AND"
		}
		m.inner = append(m.inner, op)
		if i < len(groups)-1 {
			join := g.GroupOperator
			if join == "" {
				join = top
			}
			if join == "" {
				return nil, errors.New("Invalid Input! GroupOperator is mandatory when there are several condition groups")
			}
			m.joins = append(m.joins, join)
		}
	}
	return m, nil
}

func (m *matcher) match(s *Server, u *User) bool {
	if len(m.groups) == 0 {
		return true
	}
	result := false
	for i, g := range m.groups {
		r := matchGroup(s, u, g, m.inner[i])
		if i == 0 {
			result = r
		} else if m.joins[i-1] == "OR" {
			result = result || r
		} else {
			result = result && r
		}
	}
	return result
}

func matchGroup(s *Server, u *User, g api.ConditionGroup, op string) bool {
	result := false
	for j, c := range g.Condition {
		r := matchCondition(s, u, c)
		if j == 0 {
			result = r
		} else if op == "OR" {
			result = result || r
		} else {
			result = result && r
		}
	}
	return result
}

// matchCondition compares without regard to letter case, as LeadSquared's SQL does.
func matchCondition(s *Server, u *User, c api.SearchCondition) bool {
	v, ok := s.attr(u, canonicalAttr(c.LookupName))
	have, want := strings.ToLower(v), strings.ToLower(c.LookupValue)
	switch c.Operator {
	case api.SearchConditionOperatorEq:
		return ok && have == want
	case api.SearchConditionOperatorNeq:
		return !ok || have != want
	case api.SearchConditionOperatorLike:
		return ok && strings.Contains(have, want)
	case api.SearchConditionOperatorNotLike:
		return !ok || !strings.Contains(have, want)
	case api.SearchConditionOperatorStartsWith:
		return ok && strings.HasPrefix(have, want)
	case api.SearchConditionOperatorEndsWith:
		return ok && strings.HasSuffix(have, want)
	case api.SearchConditionOperatorIsNull:
		return !ok
	case api.SearchConditionOperatorIsNotNull:
		return ok
	}
	return false
}

// MaxSearchPageSize is the largest Paging.PageSize User Advanced Search accepts. A larger
// one answers HTTP 500 "PageSize can't be greater than 1000", as LeadSquared does (public
// code quotes the message; the ExceptionType is not known, so the fake says
// MXInvalidInputException).
const MaxSearchPageSize = 1000

// prechecks are the checks LeadSquared makes before those of the spec, with its own answer:
// they run before the fake validates the request, whose 400 would otherwise answer them.
var prechecks = map[api.OperationID]func(body []byte) (status int, answer any, rejected bool){
	api.OpAdvancedSearchUsers: checkSearchPageSize,
	api.OpUpdateUser:          checkUpdateAttributes,
}

// checkUpdateAttributes answers an Update a User that names an attribute it cannot change as
// the handler does (500): request validation refuses such names too, with a 400 that would
// otherwise answer first.
func checkUpdateAttributes(body []byte) (int, any, bool) {
	var req struct {
		User map[string]json.RawMessage `json:"user"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return 0, nil, false
	}
	for _, k := range sortedKeys(req.User) {
		switch {
		case k == "EmailAddress" || k == "PhoneMobile" || k == "ManagerUserId":
			status, v := fail(api.ExceptionInvalidInput, "%s cannot be updated with Update a User", k)
			return status, v, true
		case !updatable[k] && (len(k) <= 3 || !strings.EqualFold(k[:3], "mx_")):
			status, v := fail(api.ExceptionUnknownAttribute, "Unknown attribute: %s", k)
			return status, v, true
		case k == "Role":
			var role string
			if json.Unmarshal(req.User[k], &role) == nil && !validRole(role) {
				status, v := fail(api.ExceptionInvalidInput, "Invalid Input! Parameter Name: Role")
				return status, v, true
			}
		}
	}
	return 0, nil, false
}

// checkSearchPageSize answers a User Advanced Search whose Paging.PageSize is over
// [MaxSearchPageSize] with LeadSquared's 500. A body it cannot read is left to validation.
func checkSearchPageSize(body []byte) (int, any, bool) {
	var req struct {
		Paging struct {
			PageSize json.Number
		}
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return 0, nil, false
	}
	if n, err := req.Paging.PageSize.Float64(); err == nil && n > MaxSearchPageSize {
		status, v := fail(api.ExceptionInvalidInput, "PageSize can't be greater than %d", MaxSearchPageSize)
		return status, v, true
	}
	return 0, nil, false
}

// DefaultSearchPageSize is the page size of User Advanced Search when Paging is left out.
const DefaultSearchPageSize = 1000

// advancedSearchUsers searches users, inactive ones included (obsolete ones are gone).
// Every record carries the standard columns (UserId, FirstName, ..., Groups), null unless
// named in Include_CSV (or "*", the default); custom fields and other attributes come as
// extra keys (all that are set for "*", else those named, "" when unset). Naming ManagerName or
// TeamName, or an unknown attribute, answers 500 "User search has some invalid Attributes".
// Results are in creation order unless Sorting says otherwise; paging is 1-based.
func (s *Server) advancedSearchUsers(c *call) (int, any) {
	var req api.UserSearchRequest
	if err := c.decode(&req); err != nil {
		return http.StatusBadRequest, errBody(api.ExceptionInvalidInput, err.Error())
	}
	// Columns.
	all := true
	var want []string
	if csv := strings.TrimSpace(req.Columns.IncludeCSV); csv != "" && csv != "*" {
		all = false
		for _, name := range strings.Split(req.Columns.IncludeCSV, ",") {
			if strings.TrimSpace(name) == "" {
				continue
			}
			cn := canonicalAttr(name)
			if cn == "" || cn == "ManagerName" || cn == "TeamName" {
				return fail(api.ExceptionInvalidInput, "%s", errInvalidAttributes.Error())
			}
			want = append(want, cn)
		}
	}
	m, err := newMatcher(req.GroupConditions, req.GroupOperator)
	if err != nil {
		return fail(api.ExceptionInvalidInput, "%s", err.Error())
	}
	var found []*User
	for _, u := range s.st.visible() {
		if m.match(s, u) {
			found = append(found, u)
		}
	}
	if req.Sorting != nil {
		sorts := req.Sorting
		for _, so := range sorts {
			if canonicalAttr(so.ColumnName) == "" {
				return fail(api.ExceptionInvalidInput, "%s", errInvalidAttributes.Error())
			}
		}
		slices.SortStableFunc(found, func(a, b *User) int {
			for _, so := range sorts {
				col := canonicalAttr(so.ColumnName)
				va, _ := s.attr(a, col)
				vb, _ := s.attr(b, col)
				c := strings.Compare(strings.ToLower(va), strings.ToLower(vb))
				if so.Direction != nil && *so.Direction == api.UserSearchSortDescending {
					c = -c
				}
				if c != 0 {
					return c
				}
			}
			return 0
		})
	}
	index, size := 1, DefaultSearchPageSize
	if p := req.Paging; p.PageIndex != 0 {
		index = p.PageIndex
	}
	if p := req.Paging; p.PageSize != 0 {
		size = p.PageSize
	}
	page := pageOf(found, index, size)
	users := make([]map[string]any, 0, len(page))
	for _, u := range page {
		rec := make(map[string]any, len(searchColumns)+len(want))
		for _, col := range searchColumns {
			rec[col] = nil
			if all || slices.Contains(want, col) {
				if v, ok := s.attr(u, col); ok {
					rec[col] = v
				}
			}
		}
		// Other attributes (custom fields) come as extra keys: every one the user has for
		// "*", else those asked for ("" when unset: the spec's extra keys cannot be null).
		if all {
			for _, k := range sortedKeys(u.Attributes) {
				if _, std := rec[k]; !std && u.Attributes[k] != "" {
					rec[k] = u.Attributes[k]
				}
			}
		}
		for _, col := range want {
			if _, done := rec[col]; !done {
				v, _ := s.attr(u, col)
				rec[col] = v
			}
		}
		users = append(users, rec)
	}
	return http.StatusOK, map[string]any{"Users": users}
}

// pageOf returns page index (1-based) of size items.
func pageOf[T any](items []T, index, size int) []T {
	if index < 1 || size < 1 {
		return nil
	}
	start := (index - 1) * size
	if start >= len(items) {
		return nil
	}
	return items[start:min(start+size, len(items))]
}

// userAttributes are the account's user fields, for Get User Attributes.
var userAttributes = []struct {
	schema, display, category string
	dataType, renderType      int
	options                   string
}{
	{"FirstName", "First Name", "System", 1, 0, ""},
	{"LastName", "Last Name", "System", 1, 0, ""},
	{"EmailAddress", "Email Address", "System", 1, 9, ""},
	{"Role", "Role", "System", 1, 3, ""},
	{"AssociatedPhoneNumbers", "Phone Number", "System", 1, 8, ""},
	{"PhoneMobile", "Mobile Number", "System", 1, 8, ""},
	{"Designation", "Designation", "System", 1, 0, ""},
	{"Department", "Department", "System", 1, 0, ""},
	{"CreatedOn", "Created On", "System", 5, 10, ""},
	{"mx_Custom_1", "Marital Status", "Custom", 8, 22, `[{"IsDefault":true,"Text":null,"Value":"Unmarried","Order":1,"CanEdit":1,"CanDelete":1,"IsLastOption":0,"BackgroundColor":null,"FontColor":null},{"IsDefault":false,"Text":null,"Value":"Married","Order":2,"CanEdit":1,"CanDelete":1,"IsLastOption":0,"BackgroundColor":null,"FontColor":null}]`},
	{"mx_Custom_2", "Employee Id", "Custom", 1, 0, ""},
	{"mx_Custom_3", "Date of Joining", "Custom", 5, 10, ""},
}

// getUserAttributes returns the account's user-field definitions: all of them without a
// body, else those named in Parameter.LookupValue (unknown names are ignored).
func (s *Server) getUserAttributes(c *call) (int, any) {
	var names []string
	if len(strings.TrimSpace(string(c.body))) > 0 {
		var req api.UserAttributeRetrieveRequest
		if err := c.decode(&req); err != nil {
			return http.StatusBadRequest, errBody(api.ExceptionInvalidInput, err.Error())
		}
		for _, n := range strings.Split(req.Parameter.LookupValue, ",") {
			if n = strings.TrimSpace(n); n != "" {
				names = append(names, strings.ToLower(n))
			}
		}
	}
	owner := s.st.users[s.st.ownerID]
	created := dateTime(owner.CreatedOn)
	out := []api.UserAttribute{}
	for i, a := range userAttributes {
		if names != nil && !slices.Contains(names, strings.ToLower(a.schema)) {
			continue
		}
		out = append(out, api.UserAttribute{
			BaseTable: "User_Base", CanUserEdit: a.category == "Custom", Category: a.category,
			CreatedBy: owner.ID, CreatedByName: owner.name(), CreatedOn: created,
			DataType: scalar.Int(a.dataType), DisplayName: a.display, ID: attributeID(i),
			InternalSchemaName: a.schema, IsHidden: false, IsMandatory: a.schema == "FirstName" || a.schema == "EmailAddress",
			MaxLength: 250, ModifiedBy: owner.ID, ModifiedByName: owner.name(), ModifiedOn: created,
			Options: a.options, RangeMax: 250, RenderType: scalar.Int(a.renderType), SchemaName: a.schema,
			Sequence: scalar.Int(i + 1), SortOrder: scalar.Int(i + 1), StatusCode: 0, StatusReason: 0, Type: 2,
		})
	}
	return http.StatusOK, keepZero(api.UserAttributeList{TotalUserAttributes: scalar.Int(len(out)), UserAttributes: out}, userAttributeFields...)
}

// userAttributeFields are the fields of Get User Attributes sent even when zero (Options is
// left out when unset).
var userAttributeFields = []string{
	"TotalUserAttributes", "UserAttributes", "UserAttributes.BaseTable", "UserAttributes.CanUserEdit",
	"UserAttributes.Category", "UserAttributes.CreatedBy", "UserAttributes.CreatedByName", "UserAttributes.CreatedOn",
	"UserAttributes.DataType", "UserAttributes.DisplayName", "UserAttributes.Id", "UserAttributes.InternalSchemaName",
	"UserAttributes.IsHidden", "UserAttributes.IsMandatory", "UserAttributes.MaxLength", "UserAttributes.ModifiedBy",
	"UserAttributes.ModifiedByName", "UserAttributes.ModifiedOn", "UserAttributes.RangeMax", "UserAttributes.RenderType",
	"UserAttributes.SchemaName", "UserAttributes.Sequence", "UserAttributes.SortOrder", "UserAttributes.StatusCode",
	"UserAttributes.StatusReason", "UserAttributes.Type",
}

// attributeID is a stable GUID-shaped Id of the i-th attribute.
func attributeID(i int) string {
	return "3ca30e62-8374-11e7-ab78-" + strings.Repeat("0", 10) + string(rune('a'+i%26)) + string(rune('a'+i/26))
}
