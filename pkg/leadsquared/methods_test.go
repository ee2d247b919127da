package leadsquared

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/validate"
)

// Every operation of the spec is a method of *Client named as its operationId, taking the
// context, then its parameters and body as values, then the call's options (...Option), and
// returning (T, error) with T a value.
func TestEveryOperationIsAMethod(t *testing.T) {
	t.Parallel()
	ct := reflect.TypeFor[*Client]()
	ctxType, errType := reflect.TypeFor[context.Context](), reflect.TypeFor[error]()
	optsType := reflect.TypeFor[[]Option]()
	for _, id := range api.OperationIDs {
		if op, ok := api.LookupOperation(id); !ok || op.ID != id {
			t.Errorf("%s: not in the operation table", id)
		}
		m, ok := ct.MethodByName(string(id))
		if !ok {
			t.Errorf("no method %s", id)
			continue
		}
		mt := m.Type // the receiver is In(0)
		if mt.NumIn() < 3 || mt.In(1) != ctxType || !mt.IsVariadic() || mt.In(mt.NumIn()-1) != optsType {
			t.Errorf("%s: %s, want ctx first and opts ...Option last", id, mt)
			continue
		}
		for i := 2; i < mt.NumIn()-1; i++ {
			if k := mt.In(i).Kind(); k == reflect.Pointer {
				t.Errorf("%s: argument %d is a pointer (%s), want a value", id, i-1, mt.In(i))
			}
		}
		if mt.NumOut() != 2 || mt.Out(1) != errType || mt.Out(0).Kind() == reflect.Pointer {
			t.Errorf("%s: %s, want (T, error) with T a value", id, mt)
		}
	}
	if _, ok := ct.MethodByName("RemovePermissionTemplate"); !ok {
		t.Error("no RemovePermissionTemplate")
	}
}

func TestGetUserByIDReturnsTheUserOrErrNotFound(t *testing.T) {
	t.Parallel()
	s := serve(reply{status: 200, body: `[{"UserId":"u1","FirstName":"Ada","IsPhoneCallAgent":"true","LastCheckedOn":"2020-03-31 13:31:17"}]`},
		reply{status: 200, body: `[]`})
	env := setup(t, s)
	u, err := env.c.GetUserByID(t.Context(), api.GetUserByIDParams{UserID: "u1"})
	if err != nil || u.ID != "u1" || u.FirstName != "Ada" || !bool(u.IsPhoneCallAgent) || u.LastCheckedOn.Hour() != 13 {
		t.Fatalf("GetUserByID = %+v, %v", u, err)
	}
	if q := env.ct.Requests()[0].URL.Query(); q.Get("userId") != "u1" || env.ct.Requests()[0].URL.Path != "/v2/UserManagement.svc/User/Retrieve/ByUserId" {
		t.Errorf("sent %s", env.ct.Requests()[0].URL.Path)
	}
	u, err = env.c.GetUserByID(t.Context(), api.GetUserByIDParams{UserID: "gone"})
	if !errors.Is(err, ErrNotFound) || u.ID != "" || !strings.Contains(err.Error(), "GetUserByID") {
		t.Errorf("missing user: %+v, %v; want ErrNotFound naming the operation", u, err)
	}
	if _, err := env.c.GetUserByEmail(t.Context(), api.GetUserByEmailParams{EmailAddress: "gone@example.com"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetUserByEmail of a missing user: %v, want ErrNotFound", err)
	}
}

// A 2xx reply a method cannot read is an error naming the operation and the status, never a
// zero value with a nil error.
func TestUnreadableReplyIsAnError(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		rep  reply
	}{
		{"empty body", reply{status: 200}},
		{"empty body, 204", reply{status: 204}},
		{"not JSON", reply{status: 200, header: map[string]string{"Content-Type": "text/plain"}, body: "maintenance"}},
		{"object where an array belongs", reply{status: 200, body: `{"UserId":"u1"}`}},
		{"an unreadable scalar", reply{status: 200, body: `[{"UserId":"u1","IsPhoneCallAgent":"maybe"}]`}},
		{"truncated", reply{status: 200, body: `[{"UserId":"u1"`}},
		{"null", reply{status: 200, body: ` null `}},
		{"a string", reply{status: 200, body: `"ok"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := setup(t, serve(tc.rep))
			u, err := env.c.GetUserByID(t.Context(), api.GetUserByIDParams{UserID: "u1"})
			var re *ReplyError
			if !errors.As(err, &re) || re.Operation != api.OpGetUserByID || re.StatusCode != tc.rep.status {
				t.Fatalf("GetUserByID = %+v, %v; want a *ReplyError for GetUserByID, HTTP %d", u, err, tc.rep.status)
			}
			if !strings.Contains(err.Error(), "GetUserByID") || !strings.Contains(err.Error(), "HTTP ") {
				t.Errorf("error %q does not name the operation and status", err)
			}
		})
	}
	// A body that is the right JSON with another content type is read anyway.
	env := setup(t, serve(reply{status: 200, header: map[string]string{"Content-Type": "text/plain"}, body: `[{"UserId":"u1"}]`}))
	if u, err := env.c.GetUserByID(t.Context(), api.GetUserByIDParams{UserID: "u1"}); err != nil || u.ID != "u1" {
		t.Errorf("JSON sent as text/plain: %+v, %v", u, err)
	}
}

// Bad input is an error before anything is sent, never a panic.
func TestBadInputIsRefusedBeforeSending(t *testing.T) {
	t.Parallel()
	s := serve(reply{status: 200, body: `[]`})
	env := setup(t, s)
	//nolint:staticcheck // a nil context on purpose
	if _, err := env.c.GetUserByID(nil, api.GetUserByIDParams{UserID: "u1"}); !errors.Is(err, ErrInvalidRequest) || !strings.Contains(err.Error(), "nil context") {
		t.Errorf("nil context: %v", err)
	}
	if _, err := env.c.GetUserByID(t.Context(), api.GetUserByIDParams{}); !errors.Is(err, ErrInvalidRequest) || !strings.Contains(err.Error(), "userId") {
		t.Errorf("missing userId: %v", err)
	}
	if _, err := env.c.GetUserWorkDayDetails(t.Context(), api.GetUserWorkDayDetailsParams{UserID: "u1"}); !errors.Is(err, ErrInvalidRequest) || !strings.Contains(err.Error(), "date") {
		t.Errorf("missing date: %v", err)
	}
	if _, err := env.c.MarkUserObsolete(t.Context(), api.MarkUserObsoleteParams{}); !errors.Is(err, ErrInvalidRequest) || !strings.Contains(err.Error(), "userid") {
		t.Errorf("missing userid: %v", err)
	}
	if _, err := env.c.RemovePermissionTemplate(t.Context(), ""); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("empty template id: %v", err)
	}
	//nolint:staticcheck // a nil context on purpose
	if _, err := env.c.CreateUser(nil, api.UserCreateRequest{}); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("nil context on a POST: %v", err)
	}
	if s.Hits() != 0 {
		t.Errorf("%d requests sent", s.Hits())
	}
	// Optional parameters may be left out: GetCheckInStatus answers for the key owner.
	s2 := serve(reply{status: 200, body: `{"IsCheckedIn":"True","LastCheckedOn":""}`})
	env2 := setup(t, s2)
	st, err := env2.c.GetCheckInStatus(t.Context(), api.GetCheckInStatusParams{})
	if err != nil || !bool(st.IsCheckedIn) || !st.LastCheckedOn.IsZero() || env2.ct.Requests()[0].URL.Query().Has("userId") {
		t.Errorf("GetCheckInStatus = %+v, %v; query %q", st, err, env2.ct.Requests()[0].URL.Query().Get("userId"))
	}
}

// The sentinel errors match the failures they name, through errors.Is.
func TestSentinelErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		rep  reply
		want []error
		not  []error
	}{
		{"duplicate", reply{status: 500, body: `{"Status":"Error","ExceptionType":"MXDuplicateEntryException","ExceptionMessage":"exists"}`},
			[]error{ErrDuplicateEntry}, []error{ErrUnauthorized, ErrInvalidRequest, ErrRateLimited, ErrNotFound}},
		{"unauthorized 401", reply{status: 401, body: `{"Status":"Error","ExceptionType":"MXUnAuthorizedAccessException","ExceptionMessage":"no"}`},
			[]error{ErrUnauthorized}, []error{ErrDuplicateEntry, ErrInvalidRequest, ErrWrongHost}},
		{"unauthorized in a 200", reply{status: 200, body: `{"Status":"Error","ExceptionType":"MXUnAuthorizedAccessException","ExceptionMessage":"no"}`},
			[]error{ErrUnauthorized}, nil},
		{"400", reply{status: 400, body: `{"Status":"Error","ExceptionType":"MXSomethingException","ExceptionMessage":"bad"}`},
			[]error{ErrInvalidRequest}, []error{ErrUnauthorized}},
		{"invalid input as 500", reply{status: 500, body: `{"Status":"Error","ExceptionType":"MXInvalidInputException","ExceptionMessage":"Invalid Input! Parameter Name: EmailAddress"}`},
			[]error{ErrInvalidRequest}, []error{ErrDuplicateEntry}},
		{"mandatory missing", reply{status: 500, body: `{"Status":"Error","ExceptionType":"MXMandatoryAttributeMissingException","ExceptionMessage":"x"}`},
			[]error{ErrInvalidRequest}, nil},
		{"rate limited", reply{status: 429, body: rateLimitBody(25, 5)},
			[]error{ErrRateLimited}, []error{ErrInvalidRequest, ErrUnauthorized}},
		{"rate limited as 403", reply{status: 403, body: rateLimitBody(25, 5)},
			[]error{ErrRateLimited}, []error{ErrUnauthorized}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := setup(t, serve(tc.rep), WithMaxRetries(0))
			_, err := env.c.CreateUser(t.Context(), api.UserCreateRequest{FirstName: "A", EmailAddress: "a@example.com", Role: api.RoleSalesUser})
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !errors.Is(err, w) {
					t.Errorf("errors.Is(%v, %v) = false", err, w)
				}
			}
			for _, w := range tc.not {
				if errors.Is(err, w) {
					t.Errorf("errors.Is(%v, %v) = true", err, w)
				}
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != tc.rep.status {
				t.Errorf("errors.As *APIError: %v", err)
			}
		})
	}
}

// A request WithRequestValidation refuses matches ErrInvalidRequest and is still a
// *validate.Error.
func TestValidationRefusalIsErrInvalidRequest(t *testing.T) {
	t.Parallel()
	s := serve(reply{status: 200, body: createdJSON})
	env := setup(t, s, WithRequestValidation())
	_, err := env.c.CreateUser(t.Context(), api.UserCreateRequest{FirstName: "A", EmailAddress: "a@example.com", Role: "Boss"})
	var verr *validate.Error
	if !errors.Is(err, ErrInvalidRequest) || !errors.As(err, &verr) || verr.Operation != api.OpCreateUser {
		t.Fatalf("err = %v; want ErrInvalidRequest and a *validate.Error", err)
	}
	if s.Hits() != 0 {
		t.Errorf("%d requests sent", s.Hits())
	}
}

// c.API() is the generated client on the same transport: keys, limiter, typed errors.
func TestAPIUsesTheSameTransport(t *testing.T) {
	t.Parallel()
	lim := &opLimiter{}
	s := serve(reply{status: 200, body: `[{"UserId":"u1"}]`}, reply{status: 401, body: `{"Status":"Error","ExceptionType":"MXUnAuthorizedAccessException","ExceptionMessage":"no"}`})
	env := setup(t, s, WithLimiter(lim), WithHeaderAuth())
	res, err := env.c.API().GetUserByIDWithResponse(t.Context(), &api.GetUserByIDParams{UserID: "u1"})
	if err != nil || res.StatusCode() != http.StatusOK || len(*res.JSON200) != 1 {
		t.Fatalf("API().GetUserByIDWithResponse = %v", err)
	}
	if got := env.ct.Requests()[0].Header.Get(headerAccessKey); got != testAccessKey {
		t.Error("the raw client's request carried no key")
	}
	if len(lim.ops) != 1 || lim.ops[0].ID != api.OpGetUserByID {
		t.Errorf("limiter saw %v", lim.ops)
	}
	_, err = env.c.API().GetUserByIDWithResponse(t.Context(), &api.GetUserByIDParams{UserID: "u1"})
	if !errors.Is(err, ErrUnauthorized) {
		t.Errorf("raw client's 401: %v, want ErrUnauthorized", err)
	}
}

// Do sends a hand-built request through the same transport (keys, typed errors), and never to
// another host.
func TestDoSendsThroughTheTransport(t *testing.T) {
	t.Parallel()
	s := serve(reply{status: 200, body: `[{"UserId":"u1"}]`}, reply{status: 500, body: `{"Status":"Error","ExceptionType":"MXDuplicateEntryException","ExceptionMessage":"exists"}`})
	env := setup(t, s)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, env.c.BaseURL()+"/UserManagement.svc/User/Retrieve/ByUserId?userId=u1", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := env.c.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("Do = %v", err)
	}
	_ = resp.Body.Close()
	if got := env.ct.Requests()[0].URL.Query().Get(queryAccessKey); got != testAccessKey {
		t.Error("Do sent no key")
	}
	assertNoSecret(t, "Do's response Request", resp.Request.URL.String())
	req2, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, env.c.BaseURL()+"/UserManagement.svc/User/Create", strings.NewReader(`{}`))
	if _, err := env.c.Do(req2); !errors.Is(err, ErrDuplicateEntry) {
		t.Errorf("Do of a refused create: %v, want ErrDuplicateEntry", err)
	}
	other, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, "https://example.com/v2/Users.Get", nil)
	if _, err := env.c.Do(other); err == nil {
		t.Error("Do sent the keys to another host")
	}
	if s.Hits() != 2 {
		t.Errorf("%d requests reached the server, want 2", s.Hits())
	}
}

// A reply that cannot be read quotes the value it stumbled on; a key echoed there never
// reaches the error.
func TestReplyErrorHoldsNoKey(t *testing.T) {
	t.Parallel()
	env := setup(t, serve(reply{status: 200, body: `[{"UserId":"u1","IsPhoneCallAgent":"` + testSecretKey + `"}]`}))
	_, err := env.c.GetUserByID(t.Context(), api.GetUserByIDParams{UserID: "u1"})
	var re *ReplyError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want a *ReplyError", maskSecrets(fmt.Sprint(err)))
	}
	assertNoSecret(t, "ReplyError", err.Error())
}
