package leadsquared_test

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
)

// TestZeroClientErrs: a Client that New did not make (its zero value, or a nil *Client) answers
// every method with an error matching ErrInvalidRequest, and sends nothing, rather than panic.
func TestZeroClientErrs(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]*leadsquared.Client{"zero": {}, "nil": nil} {
		v := reflect.ValueOf(c)
		typ := v.Type()
		for i := range typ.NumMethod() {
			m := typ.Method(i)
			t.Run(name+"/"+m.Name, func(t *testing.T) {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("%s on a %s Client panicked: %v", m.Name, name, r)
					}
				}()
				ft := m.Type // receiver first
				var args []reflect.Value
				for j := 1; j < ft.NumIn(); j++ {
					in := ft.In(j)
					switch {
					case ft.IsVariadic() && j == ft.NumIn()-1:
					case in == reflect.TypeFor[context.Context]():
						args = append(args, reflect.ValueOf(context.Background()))
					case in == reflect.TypeFor[*http.Request]():
						req, err := http.NewRequest(http.MethodGet, "https://api-in21.leadsquared.com/v2/UserManagement.svc/Users.Get", nil)
						if err != nil {
							t.Fatal(err)
						}
						args = append(args, reflect.ValueOf(req))
					case in == reflect.TypeFor[[]api.UserManagerUpdate]():
						args = append(args, reflect.ValueOf([]api.UserManagerUpdate{{UserID: "u", ManagerID: "m"}}))
					case in.Kind() == reflect.String:
						args = append(args, reflect.ValueOf("x").Convert(in))
					default:
						args = append(args, reflect.Zero(in))
					}
				}
				out := v.Method(i).Call(args)
				var err error
				switch {
				case len(out) == 0:
					return // FlushDriftReports: nothing to report
				case out[0].Kind() == reflect.Func: // an iterator: its first yield is the error
					out[0].Call([]reflect.Value{reflect.MakeFunc(out[0].Type().In(0), func(a []reflect.Value) []reflect.Value {
						if !a[1].IsNil() {
							err = a[1].Interface().(error)
						}
						return []reflect.Value{reflect.ValueOf(false)}
					})})
				case m.Name == "API" || m.Name == "BaseURL":
					if !out[0].IsZero() {
						t.Errorf("%s on a %s Client = %v, want the zero value", m.Name, name, out[0])
					}
					return
				default:
					if e := out[len(out)-1]; !e.IsNil() {
						err = e.Interface().(error)
					}
				}
				if !errors.Is(err, leadsquared.ErrInvalidRequest) {
					t.Errorf("%s on a %s Client: err = %v, want one matching ErrInvalidRequest", m.Name, name, err)
				}
			})
		}
	}
}
