package scim

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/scim2/filter-parser/v2"
)

// edit applies SCIM attributes to a user. It records the attributes that have no
// LeadSquared field (ignored) so that the audit log names them.
type edit struct {
	m       Mapping
	u       *user
	ignored map[string]bool
	// activeSet is true once the request named active.
	activeSet bool
	// touched are the extraColumns (by LeadSquared name) the request set or cleared.
	touched map[string]bool
}

func newEdit(m Mapping, u *user) *edit {
	return &edit{m: m, u: u, ignored: map[string]bool{}, touched: map[string]bool{}}
}

// ignoredList is the sorted list of ignored attributes.
func (e *edit) ignoredList() []string {
	out := make([]string, 0, len(e.ignored))
	for k := range e.ignored {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func invalidValue(format string, args ...any) error {
	return scimerrors.ScimError{ScimType: scimerrors.ScimTypeInvalidValue, Detail: fmt.Sprintf(format, args...), Status: 400}
}

func mutability(format string, args ...any) error {
	return scimerrors.ScimError{ScimType: scimerrors.ScimTypeMutability, Detail: fmt.Sprintf(format, args...), Status: 400}
}

// setResource applies the attributes of a whole resource (POST or PUT). A PUT changes
// only the attributes it carries: RFC 7644 section 3.5.1 lets a server take omitted
// readWrite attributes as not asserted, and a value someone set in LeadSquared is never
// cleared by an IdP that does not manage it. To clear a value, send it empty or PATCH
// remove it.
func (e *edit) setResource(attrs map[string]any) error {
	for k, v := range attrs {
		if err := e.setTop(k, v); err != nil {
			return err
		}
	}
	return nil
}

// setTop applies one top-level attribute (or extension object) of a resource or of a
// path-less PATCH value. A name may be dotted (name.givenName) or carry a schema URN.
func (e *edit) setTop(name string, v any) error {
	for _, urn := range []string{EnterpriseSchema, CustomSchema, UserSchema} {
		if strings.EqualFold(name, urn) {
			obj, ok := v.(map[string]any)
			if !ok {
				return invalidValue("%s: want an object", urn)
			}
			for k, sv := range obj {
				if err := e.set(urn, k, "", "", sv); err != nil {
					return err
				}
			}
			return nil
		}
		if len(name) > len(urn)+1 && strings.EqualFold(name[:len(urn)+1], urn+":") {
			attr, sub, _ := strings.Cut(name[len(urn)+1:], ".")
			return e.set(urn, attr, "", sub, v)
		}
	}
	if m := filteredKey.FindStringSubmatch(name); m != nil {
		// emails[type eq "work"].value as a key of a path-less PATCH value.
		typ := strings.ToLower(m[3])
		if strings.EqualFold(m[2], "primary") {
			if b, _ := boolValue(m[3]); !b { // primary eq false (or not a boolean) names no value LeadSquared holds
				e.ignored[name] = true
				return nil
			}
			typ = "primary"
		}
		return e.set(UserSchema, m[1], typ, m[4], v)
	}
	attr, sub, _ := strings.Cut(name, ".")
	return e.set(UserSchema, attr, "", sub, v)
}

// filteredKey is a key attr[type eq "T"].sub (or [primary eq true]) of a path-less PATCH
// value.
var filteredKey = regexp.MustCompile(`(?i)^([a-z][a-z0-9_]*)\[\s*(type|primary)\s+eq\s+"?([^"\]]*?)"?\s*\](?:\.([a-z][a-z0-9_]*))?$`)

// patch applies one PATCH operation.
func (e *edit) patch(op string, path *filter.Path, value any) error {
	op = strings.ToLower(op)
	if path == nil {
		if op == "remove" {
			return scimerrors.ScimErrorNoTarget
		}
		obj, ok := value.(map[string]any)
		if !ok {
			return invalidValue("a PATCH operation without a path needs an object value")
		}
		for k, v := range obj {
			if err := e.setTop(k, v); err != nil {
				return err
			}
		}
		return nil
	}
	urn := UserSchema
	if u := path.AttributePath.URI(); u != "" {
		urn = u
	}
	sub := path.AttributePath.SubAttributeName()
	if path.SubAttribute != nil {
		sub = *path.SubAttribute
	}
	typ := ""
	if path.ValueExpression != nil {
		t, ok := typeFilter(path.ValueExpression)
		if !ok && primaryFilter(path.ValueExpression) {
			// roles[primary eq "True"].value: Entra ID's target for an app role.
			t, ok = "primary", true
		}
		if !ok {
			return scimerrors.ScimError{ScimType: scimerrors.ScimTypeInvalidPath, Detail: fmt.Sprintf("%s: only a [type eq \"...\"] or [primary eq true] filter is supported in a path", path.AttributePath.AttributeName), Status: 400}
		}
		typ = t
	}
	if op == "remove" {
		value = nil
	}
	return e.set(urn, path.AttributePath.AttributeName, typ, sub, value)
}

// typeFilter returns T of the value filter `type eq "T"`.
func typeFilter(x filter.Expression) (string, bool) {
	ae, ok := x.(*filter.AttributeExpression)
	if !ok || !strings.EqualFold(ae.AttributePath.AttributeName, "type") || !strings.EqualFold(string(ae.Operator), "eq") {
		return "", false
	}
	s, ok := ae.CompareValue.(string)
	return strings.ToLower(s), ok
}

// primaryFilter reports whether x is the value filter `primary eq true` (or the string
// "True", as Entra ID writes it).
func primaryFilter(x filter.Expression) bool {
	ae, ok := x.(*filter.AttributeExpression)
	if !ok || !strings.EqualFold(ae.AttributePath.AttributeName, "primary") || !strings.EqualFold(string(ae.Operator), "eq") {
		return false
	}
	b, err := boolValue(ae.CompareValue)
	return err == nil && b
}

// set applies value (nil: remove) to attribute attr of schema urn, narrowed to the items
// of type typ of a multi-valued attribute and to sub-attribute sub.
func (e *edit) set(urn, attr, typ, sub string, value any) error {
	u := e.u
	full := attr
	if sub != "" {
		full += "." + sub
	}
	switch {
	case strings.EqualFold(urn, UserSchema):
		switch strings.ToLower(attr) {
		case "id", "meta", "schemas", "groups":
			return nil // read-only or not served: RFC 7644 has servers ignore them
		case "username":
			return e.setEmail(value)
		case "emails":
			if typ == "primary" {
				typ = "work" // the one address LeadSquared holds is the primary one
			}
			if typ != "" && typ != "work" {
				e.ignored["emails["+typ+"]"] = true
				return nil
			}
			if sub == "" && typ == "" {
				v, ok := pickMulti(value, "work")
				if !ok {
					if value == nil {
						return mutability("the work email is the user's LeadSquared address: it cannot be removed")
					}
					e.ignored["emails (no work or primary address)"] = true
					return nil
				}
				return e.setEmail(v)
			}
			if sub == "" {
				value = subValue(value)
			} else if !strings.EqualFold(sub, "value") {
				return nil // type, primary, display: nothing to store
			}
			return e.setEmail(value)
		case "name":
			if sub == "" {
				obj, ok := value.(map[string]any)
				if value == nil {
					u.FamilyName = ""
					return e.requireGiven("")
				}
				if !ok {
					return invalidValue("name: want an object")
				}
				for k, v := range obj {
					if err := e.set(urn, "name", "", k, v); err != nil {
						return err
					}
				}
				return nil
			}
			switch strings.ToLower(sub) {
			case "givenname":
				return e.requireGiven(str(value))
			case "familyname":
				u.FamilyName = str(value)
			case "middlename":
				u.MiddleName, e.touched["MiddleName"] = str(value), true
			case "formatted":
				// Derived from the given and family names.
			default:
				e.ignored["name."+sub] = true
			}
			return nil
		case "active":
			b, err := boolValue(value)
			if err != nil {
				return err
			}
			u.Active, e.activeSet = b, true
			return nil
		case "title":
			u.Title = str(value)
			return nil
		case "timezone":
			u.TimeZone, e.touched["TimeZone"] = str(value), true
			return nil
		case "addresses":
			return e.setAddress(typ, sub, value)
		case "roles":
			v, ok := pickMulti(value, "")
			if typ != "" || sub != "" {
				v, ok = subValue(value), true
			}
			if !ok || str(v) == "" {
				return nil // a user keeps a role: an empty or removed list changes nothing
			}
			u.Role = str(v)
			return nil
		case "phonenumbers":
			return e.setPhones(typ, sub, value)
		case "externalid":
			return e.setCustom("externalId", value)
		default:
			e.ignored[full] = true
			return nil
		}
	case strings.EqualFold(urn, EnterpriseSchema):
		switch strings.ToLower(attr) {
		case "department":
			u.Department = str(value)
		case "employeenumber":
			if str(value) != u.EmployeeNumber {
				e.ignored[EnterpriseSchema+":employeeNumber (LeadSquared's EmployeeId cannot be written through its API)"] = true
			}
		case "manager":
			if sub == "" {
				value = subValue(value)
			}
			u.Manager = str(value)
		default:
			return e.setCustom(EnterpriseSchema+":"+attr, value)
		}
		return nil
	case strings.EqualFold(urn, CustomSchema):
		return e.setCustom(CustomSchema+":"+attr, value)
	}
	e.ignored[urn+":"+full] = true
	return nil
}

// setAddress applies the work address (type work, or the primary or only untyped one) of
// addresses: streetAddress, locality, region, postalCode, country to LeadSquared's
// Address, City, State, ZipCode, Country. Other types, and formatted (LeadSquared keeps the
// parts, not the whole), are ignored and audited.
func (e *edit) setAddress(typ, sub string, value any) error {
	if typ == "primary" {
		typ = "work"
	}
	if typ != "" && typ != "work" {
		e.ignored["addresses["+typ+"]"] = true
		return nil
	}
	if sub != "" {
		return e.setAddressPart(sub, value)
	}
	if typ == "" {
		// The whole list: the work item (or the primary, or the only untyped one).
		if value == nil {
			value = map[string]any{}
		} else if items, ok := value.([]any); ok {
			var work map[string]any
			for _, it := range items {
				m, _ := it.(map[string]any)
				t := strings.ToLower(str(m["type"]))
				primary, _ := boolValue(m["primary"])
				switch {
				case t == "work" || (work == nil && (primary || (t == "" && len(items) == 1))):
					work = m
				case t != "":
					e.ignored["addresses["+t+"]"] = true
				}
			}
			if work == nil {
				return nil
			}
			value = work
		}
	}
	if value == nil {
		value = map[string]any{}
	}
	obj, ok := value.(map[string]any)
	if !ok {
		return invalidValue("addresses: want an object or a list of objects")
	}
	if len(obj) == 0 {
		for _, part := range []string{"streetAddress", "locality", "region", "postalCode", "country"} {
			_ = e.setAddressPart(part, nil)
		}
	}
	for k, v := range obj {
		if err := e.setAddressPart(k, v); err != nil {
			return err
		}
	}
	return nil
}

func (e *edit) setAddressPart(sub string, value any) error {
	u := e.u
	switch strings.ToLower(sub) {
	case "streetaddress":
		u.Street, e.touched["Address"] = str(value), true
	case "locality":
		u.City, e.touched["City"] = str(value), true
	case "region":
		u.Region, e.touched["State"] = str(value), true
	case "postalcode":
		u.PostalCode, e.touched["ZipCode"] = str(value), true
	case "country":
		u.Country, e.touched["Country"] = str(value), true
	case "type", "primary", "display":
	default:
		e.ignored["addresses[work]."+sub] = true
	}
	return nil
}

// setCustom sets a mapped attribute; an attribute the mapping lacks is ignored.
func (e *edit) setCustom(key string, value any) error {
	for k := range e.m {
		if strings.EqualFold(k, key) {
			if e.u.Custom == nil {
				e.u.Custom = map[string]string{}
			}
			if s := str(value); s != "" {
				e.u.Custom[k] = s
			} else {
				delete(e.u.Custom, k)
			}
			return nil
		}
	}
	e.ignored[key] = true
	return nil
}

func (e *edit) requireGiven(v string) error {
	if strings.TrimSpace(v) == "" {
		return invalidValue("name.givenName: LeadSquared needs a first name")
	}
	e.u.GivenName = v
	return nil
}

func (e *edit) setEmail(value any) error {
	s := strings.TrimSpace(str(value))
	if s == "" {
		return mutability("the user's address (userName, the work email) cannot be removed")
	}
	if e.u.Email != "" && !strings.EqualFold(e.u.Email, s) && e.u.ID != "" {
		return mutability("LeadSquared cannot change a user's email address (%s): userName and the work email must stay the same", e.u.Email)
	}
	if e.u.ID == "" && e.u.Email != "" && !strings.EqualFold(e.u.Email, s) {
		return invalidValue("userName and the work email differ: LeadSquared has one address per user, map both to the same attribute")
	}
	if e.u.ID == "" || e.u.Email == "" {
		e.u.Email = s
	}
	return nil
}

func (e *edit) setPhones(typ, sub string, value any) error {
	u := e.u
	if typ == "" && sub == "" {
		// The whole list: each item by its type.
		if value == nil {
			u.PhoneWork = ""
			return nil
		}
		items, ok := value.([]any)
		if !ok {
			return invalidValue("phoneNumbers: want a list")
		}
		for _, it := range items {
			m, ok := it.(map[string]any)
			if !ok {
				return invalidValue("phoneNumbers: want a list of objects")
			}
			if err := e.setPhones(strings.ToLower(str(m["type"])), "value", m["value"]); err != nil {
				return err
			}
		}
		return nil
	}
	if sub == "" {
		value = subValue(value)
	} else if !strings.EqualFold(sub, "value") {
		return nil // type, primary, display: nothing to store
	}
	switch typ {
	case "work":
		u.PhoneWork = str(value)
	case "mobile":
		if str(value) != u.PhoneMobile {
			if u.ID != "" {
				e.ignored["phoneNumbers[mobile] (LeadSquared sets PhoneMobile only when it creates a user)"] = true
				return nil
			}
			u.PhoneMobile = str(value)
		}
	default:
		e.ignored["phoneNumbers["+typ+"]"] = true
	}
	return nil
}

// pickMulti returns the value of the item of a multi-valued attribute whose type is typ,
// else the primary one, else the only one when it has no other type.
func pickMulti(value any, typ string) (any, bool) {
	items, ok := value.([]any)
	if !ok || len(items) == 0 {
		return nil, false
	}
	var primary, typed any
	for _, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			continue
		}
		if typ != "" && strings.EqualFold(str(m["type"]), typ) && typed == nil {
			typed = m["value"]
		}
		if b, _ := boolValue(m["primary"]); b && primary == nil {
			primary = m["value"]
		}
	}
	switch {
	case typed != nil:
		return typed, true
	case primary != nil:
		return primary, true
	case len(items) == 1:
		// The only item, unless it says it is of another type (a home address is not
		// the work one).
		if m, ok := items[0].(map[string]any); ok && (typ == "" || str(m["type"]) == "") {
			return m["value"], true
		}
	}
	return nil, false
}

// subValue returns the "value" of an object (or the first of a list of them), or v itself.
func subValue(v any) any {
	if l, ok := v.([]any); ok && len(l) > 0 {
		v = l[0]
	}
	if m, ok := v.(map[string]any); ok {
		for k, x := range m {
			if strings.EqualFold(k, "value") {
				return x
			}
		}
		return nil
	}
	return v
}

func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case fmt.Stringer:
		return x.String()
	default:
		return fmt.Sprint(x)
	}
}

// boolValue reads a boolean, also as the strings "True" and "False" that Entra ID sends
// in some tenants.
func boolValue(v any) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	case nil:
		return false, mutability("active cannot be removed: set it to true or false")
	}
	return false, invalidValue("active: want true or false")
}
