package usersync

import (
	"reflect"
	"strings"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

// ColumnKind says what a column of a users file holds, and what the engine does with it.
type ColumnKind string

// Kinds of [Column].
const (
	ColumnCreate   ColumnKind = "create"   // a field of Create a User (Type: its JSON kind)
	ColumnUpdate   ColumnKind = "update"   // set by Update a User (after the create, for a new user)
	ColumnCustom   ColumnKind = "custom"   // a custom field: mx_*, or CustomFields.<name>
	ColumnManager  ColumnKind = "manager"  // ManagerEmail: the manager by address
	ColumnStatus   ColumnKind = "status"   // Active or Inactive; empty leaves the status alone
	ColumnReadOnly ColumnKind = "readonly" // an export's column no call sets: read and ignored
	ColumnNoCreate ColumnKind = "nocreate" // read from the account, set by no call for a new user (EmployeeId)
	ColumnIgnored  ColumnKind = "ignored"  // lsq_error, the reason column of a rows-to-fix file
)

// Column is one column of a users file: what lsq users export writes, and import and sync
// (and [ReadUsers]) read.
type Column struct {
	// Name is the attribute's spelling (FirstName, TeamId, mx_Custom_1, ...).
	Name string
	Kind ColumnKind
	// Type is the JSON kind of a ColumnCreate field's cells: "string", "bool" or "int".
	Type string
}

// Column names of a users file beyond the fields of Create a User.
const (
	ColManagerEmail = "ManagerEmail"
	ColStatus       = "Status"
	ColError        = "lsq_error"
)

// createFields are the fields of Create a User one cell can hold, by JSON name, with their
// JSON kind: read from api.UserCreateRequest (generated from the spec). CustomFields is
// written as mx_* columns; AssociatedGroups, a list of objects, has no column.
var createFields = cellFields(reflect.TypeFor[api.UserCreateRequest]())

// cellFields maps the JSON name of each field of struct t that one cell can hold (a string,
// a boolean or an int) to its kind.
func cellFields(t reflect.Type) map[string]string {
	kinds := map[reflect.Kind]string{reflect.String: "string", reflect.Bool: "bool", reflect.Int: "int"}
	out := map[string]string{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if kind := kinds[f.Type.Kind()]; kind != "" && f.IsExported() && name != "" && name != "-" {
			out[name] = kind
		}
	}
	return out
}

// otherColumns are the columns of a users file that are not fields of Create a User, by
// their name in lower case: an export's, and ManagerEmail, Status and lsq_error.
var otherColumns = map[string]Column{}

func init() {
	for _, c := range []Column{
		{Name: ColManagerEmail, Kind: ColumnManager}, {Name: ColStatus, Kind: ColumnStatus}, {Name: ColError, Kind: ColumnIgnored},
		{Name: "Department", Kind: ColumnUpdate}, {Name: "Designation", Kind: ColumnUpdate}, {Name: "PhoneMain", Kind: ColumnUpdate},
		{Name: "EmployeeId", Kind: ColumnNoCreate},
		{Name: "UserId", Kind: ColumnReadOnly}, {Name: "StatusCode", Kind: ColumnReadOnly}, {Name: "IsAdministrator", Kind: ColumnReadOnly},
		{Name: "AvailabilityStatus", Kind: ColumnReadOnly}, {Name: "Groups", Kind: ColumnReadOnly}, {Name: "CreatedOn", Kind: ColumnReadOnly},
		{Name: "TeamName", Kind: ColumnReadOnly}, {Name: "ManagerName", Kind: ColumnReadOnly}, {Name: "ModifiedOn", Kind: ColumnReadOnly},
	} {
		otherColumns[strings.ToLower(c.Name)] = c
	}
}

// LookupColumn returns the column a header cell names, in any letter case (a byte-order
// mark and spaces around it ignored), or false for a name no users file has.
func LookupColumn(header string) (Column, bool) {
	name := strings.TrimSpace(strings.TrimPrefix(header, "\ufeff"))
	low := strings.ToLower(name)
	switch {
	case strings.HasPrefix(low, "customfields.") && len(name) > len("CustomFields."):
		return Column{Name: name[len("CustomFields."):], Kind: ColumnCustom}, true
	case strings.HasPrefix(low, "mx_"):
		return Column{Name: name, Kind: ColumnCustom}, true
	}
	if c, ok := otherColumns[low]; ok {
		return c, true
	}
	for f, kind := range createFields {
		if strings.EqualFold(f, name) {
			return Column{Name: f, Kind: ColumnCreate, Type: kind}, true
		}
	}
	return Column{}, false
}

// ExportColumns are the columns lsq users export writes by default (then the custom fields).
var ExportColumns = []string{
	"UserId", "FirstName", "LastName", "EmailAddress", "Role", "Status", "IsAdministrator", "PhoneMobile",
	"PhoneMain", "AssociatedPhoneNumbers", "Department", "Designation", "TeamId", "ManagerUserId",
	"EmployeeId", "AvailabilityStatus", "Groups", "CreatedOn",
}
