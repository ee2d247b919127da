package usersync

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

// updateFields turns changes (attribute name, new value as text) into the typed update:
// each attribute is the field of api.UserUpdateFields with that JSON name (in any case),
// converted to the field's type, or a custom field (mx_*). Anything else is an error naming
// the attribute, never dropped.
func updateFields(changes []Change) (api.UserUpdateFields, error) {
	var f api.UserUpdateFields
	v := reflect.ValueOf(&f).Elem()
	for _, ch := range changes {
		if strings.HasPrefix(strings.ToLower(ch.Attr), "mx_") {
			if f.CustomFields == nil {
				f.CustomFields = api.CustomFields{}
			}
			f.CustomFields[ch.Attr] = ch.New
			continue
		}
		i, ok := updateField(ch.Attr)
		if !ok {
			return f, fmt.Errorf("usersync: %s: not an attribute Update a User takes", Printable(ch.Attr))
		}
		field := v.Field(i)
		val := reflect.New(field.Type().Elem())
		switch val.Elem().Kind() {
		case reflect.String:
			val.Elem().SetString(ch.New)
		case reflect.Bool:
			b, err := strconv.ParseBool(strings.TrimSpace(ch.New))
			if err != nil {
				return f, fmt.Errorf("usersync: %s: %q is not true or false", Printable(ch.Attr), ch.New)
			}
			val.Elem().SetBool(b)
		case reflect.Int, reflect.Int32, reflect.Int64:
			n, err := strconv.ParseInt(strings.TrimSpace(ch.New), 10, 64)
			if err != nil {
				return f, fmt.Errorf("usersync: %s: %q is not a whole number", Printable(ch.Attr), ch.New)
			}
			val.Elem().SetInt(n)
		default:
			return f, fmt.Errorf("usersync: %s: values of type %s are not supported", ch.Attr, field.Type().Elem())
		}
		field.Set(val)
	}
	return f, nil
}

// updateField finds the pointer field of api.UserUpdateFields whose JSON name is attr, in
// any case.
func updateField(attr string) (int, bool) {
	t := reflect.TypeFor[api.UserUpdateFields]()
	for i := range t.NumField() {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name != "" && name != "-" && sf.Type.Kind() == reflect.Pointer && strings.EqualFold(name, attr) {
			return i, true
		}
	}
	return 0, false
}
