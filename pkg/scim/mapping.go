package scim

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

// The schema URNs the handler serves.
const (
	// UserSchema is the core User schema (RFC 7643 section 4.1).
	UserSchema = "urn:ietf:params:scim:schemas:core:2.0:User"
	// EnterpriseSchema is the enterprise User extension (RFC 7643 section 4.3).
	EnterpriseSchema = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	// CustomSchema is the extension that holds the custom attributes of a [Mapping], each
	// stored in a LeadSquared mx_ field.
	CustomSchema = "urn:leadsquared-go:params:scim:schemas:extension:custom:2.0:User"
)

// Mapping sends SCIM attributes that LeadSquared has no standard field for to the
// account's custom user fields (mx_*). Keys are SCIM attribute names, values mx_ field
// names:
//
//   - "externalId": the IdP's id of the user (Entra ID can match users on it);
//   - "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter" (or
//     organization, division): an enterprise attribute LeadSquared lacks;
//   - CustomSchema + ":NAME": an attribute of the custom extension, which the handler
//     declares in /Schemas for every NAME mapped (a string).
//
// A core or enterprise attribute neither in the mapping table of the package doc nor
// mapped here is ignored on write and absent on read; an attribute of an extension the
// handler does not declare is refused (400).
type Mapping map[string]string

// enterpriseUnmapped are the enterprise attributes without a LeadSquared field, which a
// Mapping may send to an mx_ field.
var enterpriseUnmapped = []string{"costCenter", "organization", "division"}

var (
	customName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,63}$`)
	mxField    = regexp.MustCompile(`^mx_[A-Za-z0-9_]{1,100}$`)
)

// ReadMapping reads a Mapping from JSON: an object of SCIM attribute name to mx_ field,
// e.g. {"externalId": "mx_External_Id"}. Unknown attribute names, fields that are not mx_
// fields, and two attributes sent to one field are errors.
func ReadMapping(r io.Reader) (Mapping, error) {
	dec := json.NewDecoder(io.LimitReader(r, 1<<20))
	var m Mapping
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("scim: mapping: not a JSON object of attribute name to mx_ field: %w", err)
	}
	if err := m.validate(); err != nil {
		return nil, err
	}
	return m, nil
}

func (m Mapping) validate() error {
	used := map[string]string{}
	for _, k := range m.keys() {
		v := m[k]
		switch {
		case k == "externalId":
		case strings.HasPrefix(k, EnterpriseSchema+":"):
			name := strings.TrimPrefix(k, EnterpriseSchema+":")
			if !contains(enterpriseUnmapped, name) {
				return fmt.Errorf("scim: mapping: %q: only %s of the enterprise extension can be mapped (the others have LeadSquared fields)", k, strings.Join(enterpriseUnmapped, ", "))
			}
		case strings.HasPrefix(k, CustomSchema+":"):
			if !customName.MatchString(strings.TrimPrefix(k, CustomSchema+":")) {
				return fmt.Errorf("scim: mapping: %q: a custom attribute name is a letter, then letters, digits or _", k)
			}
		default:
			return fmt.Errorf("scim: mapping: %q: not externalId, an enterprise attribute (%s) or %s:NAME", k, strings.Join(enterpriseUnmapped, ", "), CustomSchema)
		}
		if !mxField.MatchString(v) {
			return fmt.Errorf("scim: mapping: %q: %q is not a custom field name (mx_...)", k, v)
		}
		if prev, ok := used[strings.ToLower(v)]; ok {
			return fmt.Errorf("scim: mapping: %q and %q both map to %s", prev, k, v)
		}
		used[strings.ToLower(v)] = k
	}
	return nil
}

// keys returns the mapping's keys in order.
func (m Mapping) keys() []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// customNames are the names of the custom extension's attributes.
func (m Mapping) customNames() []string {
	var out []string
	for _, k := range m.keys() {
		if n, ok := strings.CutPrefix(k, CustomSchema+":"); ok {
			out = append(out, n)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// user is one LeadSquared user as the handler sees it: the fields a SCIM User maps to.
type user struct {
	ID             string
	Email          string
	GivenName      string
	FamilyName     string
	Active         bool
	Role           string
	Title          string // Designation
	Department     string
	PhoneWork      string // PhoneMain
	PhoneMobile    string
	EmployeeNumber string // EmployeeId (read-only: no LeadSquared call writes it)
	Manager        string // ManagerUserId
	MiddleName     string
	TimeZone       string
	Street         string // Address: the work address's streetAddress
	City           string // its locality
	Region         string // State
	PostalCode     string // ZipCode
	Country        string
	Created        string
	Custom         map[string]string // Mapping key → value
}

// searchColumns are the Advanced Search columns the handler reads, before the mapping's.
var searchColumns = []string{
	"UserId", "EmployeeId", "FirstName", "LastName", "EmailAddress", "Role", "StatusCode",
	"PhoneMobile", "PhoneMain", "Department", "Designation", "CreatedOn", "ManagerUserId",
}

// extraColumns are columns LeadSquared's docs do not show in an Advanced Search: an
// account that refuses them is read without them (users.noExtra).
var extraColumns = []string{"MiddleName", "TimeZone", "Address", "City", "State", "ZipCode", "Country"}

// columns are the Advanced Search columns for m, with extraColumns when extra.
func (m Mapping) columns(extra bool) string {
	cols := append([]string(nil), searchColumns...)
	if extra {
		cols = append(cols, extraColumns...)
	}
	for _, k := range m.keys() {
		cols = append(cols, m[k])
	}
	return strings.Join(cols, ",")
}

// fromRecord is the user of an Advanced Search record.
func (m Mapping) fromRecord(r *api.UserSearchRecord) user {
	u := user{
		ID: r.ID, Email: strings.TrimSpace(r.EmailAddress), GivenName: r.FirstName, FamilyName: r.LastName,
		Active: r.StatusCode == 0, Role: r.Role, Title: r.Designation, Department: r.Department,
		PhoneWork: r.PhoneMain, PhoneMobile: r.PhoneMobile, EmployeeNumber: r.EmployeeID, Manager: r.ManagerUserID,
	}
	if !r.CreatedOn.IsZero() {
		u.Created = r.CreatedOn.Format("2006-01-02T15:04:05Z")
	}
	for name, dst := range map[string]*string{"MiddleName": &u.MiddleName, "TimeZone": &u.TimeZone, "Address": &u.Street,
		"City": &u.City, "State": &u.Region, "ZipCode": &u.PostalCode, "Country": &u.Country} {
		*dst, _ = recordField(r, name)
	}
	for _, k := range m.keys() {
		if v, ok := recordField(r, m[k]); ok && v != "" {
			if u.Custom == nil {
				u.Custom = map[string]string{}
			}
			u.Custom[k] = v
		}
	}
	return u
}

// recordField is the value of a custom field in a record (names in any case).
func recordField(r *api.UserSearchRecord, name string) (string, bool) {
	for k, v := range r.CustomFields {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	for k, raw := range r.AdditionalProperties {
		if strings.EqualFold(k, name) {
			var s string
			if json.Unmarshal(raw, &s) == nil {
				return s, true
			}
			return strings.Trim(string(raw), `"`), true
		}
	}
	return "", false
}

// attributes is the SCIM User of u (without id, externalId and meta, which the server adds).
func (m Mapping) attributes(u user) map[string]any {
	a := map[string]any{
		"userName":    u.Email,
		"active":      u.Active,
		"displayName": strings.TrimSpace(u.GivenName + " " + u.FamilyName),
		"name": map[string]any{
			"givenName":  u.GivenName,
			"familyName": u.FamilyName,
			"formatted":  strings.TrimSpace(u.GivenName + " " + u.FamilyName),
		},
		"emails": []any{map[string]any{"value": u.Email, "type": "work", "primary": true}},
	}
	if u.MiddleName != "" {
		a["name"].(map[string]any)["middleName"] = u.MiddleName
	}
	if u.TimeZone != "" {
		a["timezone"] = u.TimeZone
	}
	addr := map[string]any{}
	for k, v := range map[string]string{"streetAddress": u.Street, "locality": u.City, "region": u.Region, "postalCode": u.PostalCode, "country": u.Country} {
		if v != "" {
			addr[k] = v
		}
	}
	if len(addr) > 0 {
		addr["type"] = "work"
		a["addresses"] = []any{addr}
	}
	var phones []any
	if u.PhoneWork != "" {
		phones = append(phones, map[string]any{"value": u.PhoneWork, "type": "work"})
	}
	if u.PhoneMobile != "" {
		phones = append(phones, map[string]any{"value": u.PhoneMobile, "type": "mobile"})
	}
	if phones != nil {
		a["phoneNumbers"] = phones
	}
	if u.Title != "" {
		a["title"] = u.Title
	}
	if u.Role != "" {
		a["roles"] = []any{map[string]any{"value": u.Role, "primary": true}}
	}
	ent := map[string]any{}
	if u.EmployeeNumber != "" {
		ent["employeeNumber"] = u.EmployeeNumber
	}
	if u.Department != "" {
		ent["department"] = u.Department
	}
	if u.Manager != "" {
		ent["manager"] = map[string]any{"value": u.Manager}
	}
	custom := map[string]any{}
	for k, v := range u.Custom {
		switch {
		case strings.HasPrefix(k, EnterpriseSchema+":"):
			ent[strings.TrimPrefix(k, EnterpriseSchema+":")] = v
		case strings.HasPrefix(k, CustomSchema+":"):
			custom[strings.TrimPrefix(k, CustomSchema+":")] = v
		}
	}
	if len(ent) > 0 {
		a[EnterpriseSchema] = ent
	}
	if len(custom) > 0 {
		a[CustomSchema] = custom
	}
	return a
}
