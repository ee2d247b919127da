package leadsquared

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
)

var newUser = api.UserCreateRequest{FirstName: "Ada", EmailAddress: "ada@example.com", Role: "Sales_User"}

// A call that is not safe to repeat and may have been acted on matches ErrOutcomeUnknown;
// one LeadSquared refused, or one never sent, does not. Idempotent calls never match.
func TestErrOutcomeUnknown(t *testing.T) {
	t.Parallel()
	internal := `{"Status":"Error","ExceptionType":"MXInternalServerErrorException","ExceptionMessage":"An internal error occurred."}`
	invalid := `{"Status":"Error","ExceptionType":"MXInvalidInputException","ExceptionMessage":"Invalid Input! Parameter Name: Role"}`
	dup := `{"Status":"Error","ExceptionType":"MXDuplicateEntryException","ExceptionMessage":"A user with the same email address already exists"}`
	for _, tc := range []struct {
		name    string
		rep     reply
		unknown bool
	}{
		{"connection dropped after the request", reply{drop: true}, true},
		{"502 gateway page", reply{status: 502, body: gatewayPage502}, true},
		{"503 text", reply{status: 503, body: gatewayText503}, true},
		{"500 with LeadSquared's internal error", reply{status: 500, body: internal}, true},
		{"200 with an HTML page", reply{status: 200, body: "<html>maintenance</html>"}, true},
		{"200 that cannot be read", reply{status: 200, body: `{"Status":"Success","Message":[1,2]}`}, true},
		{"500 invalid input", reply{status: 500, body: invalid}, false},
		{"500 duplicate", reply{status: 500, body: dup}, false},
		{"429", reply{status: 429, body: rateLimitBody(25, 5)}, false},
		{"401", reply{status: 401, body: `{"Status":"Error","ExceptionType":"MXUnAuthorizedAccessException","ExceptionMessage":"Invalid keys"}`}, false},
		{"200 success", reply{status: 200, body: createdJSON}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := setup(t, serve(tc.rep), WithMaxRetries(0))
			_, err := env.c.CreateUser(t.Context(), newUser)
			if got := errors.Is(err, ErrOutcomeUnknown); got != tc.unknown {
				t.Fatalf("CreateUser: errors.Is(%v, ErrOutcomeUnknown) = %v, want %v", err, got, tc.unknown)
			}
			if tc.unknown && !strings.Contains(err.Error(), "may have acted") && !errors.As(err, new(*ReplyError)) {
				t.Errorf("the message does not say the outcome is unknown: %v", err)
			}
			assertNoSecret(t, "error", errString(err))
			// The same answers to a call that is safe to repeat: never ErrOutcomeUnknown.
			env2 := setup(t, serve(tc.rep), WithMaxRetries(0))
			if _, err := env2.c.GetUserByID(t.Context(), api.GetUserByIDParams{UserID: "u"}); errors.Is(err, ErrOutcomeUnknown) {
				t.Errorf("GetUserByID: %v matches ErrOutcomeUnknown", err)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// A write never sent (nothing listens) did not happen: not ErrOutcomeUnknown.
func TestErrOutcomeUnknownNotForUnsentRequests(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close() // connections to addr are now refused
	c, err := New("http://"+addr+"/v2", testAccessKey, testSecretKey, WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateUser(t.Context(), newUser)
	if err == nil || errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("CreateUser to a closed port: %v; want an error that is not ErrOutcomeUnknown", err)
	}
	if n := strings.Count(err.Error(), "leadsquared: "); n != 1 || !strings.HasPrefix(err.Error(), "leadsquared: CreateUser: ") {
		t.Errorf("error %q: want one leading \"leadsquared: CreateUser: \"", err)
	}
	assertNoSecret(t, "error", err.Error())
}

// A write whose context ends while LeadSquared works on it may have been acted on; the error
// matches both the context's error and ErrOutcomeUnknown.
func TestErrOutcomeUnknownWhenTheContextEndsInFlight(t *testing.T) {
	t.Parallel()
	arrived := make(chan struct{})
	s := serve(reply{status: 200, body: createdJSON})
	s.onHit = func(_ int, r *http.Request) {
		close(arrived)
		<-r.Context().Done() // LeadSquared works on it until the client goes away
	}
	env := setup(t, s, WithMaxRetries(0))
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		<-arrived
		cancel()
	}()
	_, err := env.c.CreateUser(ctx, newUser)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("err = %v; want context.Canceled and ErrOutcomeUnknown", err)
	}
	assertNoSecret(t, "error", err.Error())
	// A read cut short the same way is just canceled.
	arrived = make(chan struct{})
	ctx, cancel = context.WithCancel(t.Context())
	go func() {
		<-arrived
		cancel()
	}()
	_, err = env.c.GetUserByID(ctx, api.GetUserByIDParams{UserID: "u"})
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("GetUserByID: err = %v; want context.Canceled, not ErrOutcomeUnknown", err)
	}
}

// ErrNotFound also covers writes that name a user or template that does not exist, as the
// fake answers them; a wrong route does not match.
func TestErrNotFoundForWrites(t *testing.T) {
	env := newRelEnv(t, nil) // not parallel: newRelEnv checks for leaked goroutines
	ctx := t.Context()
	const missing = "00000000-0000-0000-0000-000000000000"
	calls := map[string]func() error{
		"UpdateUser": func() error {
			_, err := env.c.UpdateUser(ctx, api.UpdateUserParams{UserID: missing}, api.UserUpdateRequest{User: api.UserUpdateFields{FirstName: Ptr("X")}})
			return err
		},
		"ActivateUser": func() error {
			_, err := env.c.ActivateUser(ctx, api.ActivateUserParams{UserID: missing})
			return err
		},
		"DeactivateUser": func() error {
			_, err := env.c.DeactivateUser(ctx, api.DeactivateUserParams{UserID: missing})
			return err
		},
		"MarkUserObsolete": func() error {
			_, err := env.c.MarkUserObsolete(ctx, api.MarkUserObsoleteParams{UserID: missing})
			return err
		},
		"UpdatePermissionTemplate": func() error {
			_, err := env.c.UpdatePermissionTemplate(ctx, api.UpdatePermissionTemplateParams{ID: missing}, api.PermissionTemplateInput{Name: "T"})
			return err
		},
		"DeletePermissionTemplate": func() error {
			_, err := env.c.DeletePermissionTemplate(ctx, api.DeletePermissionTemplateParams{ID: missing})
			return err
		},
		"RemovePermissionTemplate": func() error {
			_, err := env.c.RemovePermissionTemplate(ctx, missing)
			return err
		},
	}
	for name, call := range calls {
		err := call()
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s of a missing id: %v; want ErrNotFound", name, err)
		}
		if errors.Is(err, ErrOutcomeUnknown) {
			t.Errorf("%s: LeadSquared refused it, but %v matches ErrOutcomeUnknown", name, err)
		}
	}
	// A route that does not exist is a wrong URL, not a missing record.
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, env.c.BaseURL()+"/UserManagement.svc/Nope", nil)
	rsp, err := env.c.Do(req)
	if err == nil {
		_ = rsp.Body.Close()
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 404 || errors.Is(err, ErrNotFound) {
		t.Errorf("unknown route: %v; want a 404 *APIError that is not ErrNotFound", err)
	}
}

// Sentinels and ExceptionType come from the raw reply: short keys, which redaction replaces
// wherever they appear, do not break them; an echoed key still never reaches the error.
func TestSentinelsWithShortKeys(t *testing.T) {
	t.Parallel()
	for _, keys := range [][2]string{{"test", "x"}, {"ak", "sk"}, {"M", "E"}, {"5", "in"}} {
		srv, err := lsqtest.NewServer(lsqtest.WithKeys(keys[0], keys[1]))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(srv.Close)
		c, err := New(srv.URL, keys[0], keys[1], WithMaxRetries(0))
		if err != nil {
			t.Fatal(err)
		}
		ctx := t.Context()
		if _, err := c.CreateUser(ctx, newUser); err != nil {
			t.Fatal(err)
		}
		_, err = c.CreateUser(ctx, newUser)
		var apiErr *APIError
		if !errors.Is(err, ErrDuplicateEntry) || !errors.As(err, &apiErr) || apiErr.ExceptionType != ExceptionDuplicateEntry {
			t.Errorf("keys %q: duplicate create: %v (ExceptionType %q); want ErrDuplicateEntry", keys, err, exType(apiErr))
		}
		_, err = c.DeactivateUser(ctx, api.DeactivateUserParams{UserID: "00000000-0000-0000-0000-000000000000"})
		if !errors.Is(err, ErrNotFound) || !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("keys %q: deactivate a missing user: %v; want ErrNotFound and ErrInvalidRequest", keys, err)
		}
	}
	// The server echoes the keys in the message and the body: both are redacted, the
	// sentinel holds.
	body := `{"Status":"Error","ExceptionType":"MXDuplicateEntryException","ExceptionMessage":"exists: ` + testAccessKey + ` ` + testSecretKey + `"}`
	env := setup(t, serve(reply{status: 500, body: body}), WithMaxRetries(0))
	_, err := env.c.CreateUser(t.Context(), newUser)
	var apiErr *APIError
	if !errors.Is(err, ErrDuplicateEntry) || !errors.As(err, &apiErr) || !strings.Contains(apiErr.ExceptionMessage, redacted) {
		t.Fatalf("echoed keys: %v; want ErrDuplicateEntry with the keys redacted", err)
	}
	assertNoSecret(t, "error", err.Error())
	assertNoSecret(t, "body", string(apiErr.Body))
	// A rate limit whose message lost its digits to a key "5" still names the limit.
	env = setup(t, serve(reply{status: 429, body: rateLimitBody(25, 5)}), WithMaxRetries(0))
	env.c.doer.rd = newRedactor("5", "in")
	_, err = env.c.GetUsers(t.Context())
	var rl *RateLimitError
	if !errors.As(err, &rl) || rl.Limit != 25 || rl.Window != 5*time.Second || strings.Contains(rl.ExceptionMessage, "25") {
		t.Errorf("rate limit with key \"5\": %v (limit %d per %s)", err, rlLimit(rl), rlWindow(rl))
	}
}

func exType(e *APIError) string {
	if e == nil {
		return ""
	}
	return string(e.ExceptionType)
}

func rlLimit(rl *RateLimitError) int {
	if rl == nil {
		return 0
	}
	return rl.Limit
}

func rlWindow(rl *RateLimitError) time.Duration {
	if rl == nil {
		return 0
	}
	return rl.Window
}

// No exported method panics on a nil context: each returns an error.
func TestNilContextNeverPanics(t *testing.T) {
	t.Parallel()
	env := setup(t, serve(reply{status: 200, body: createdJSON}))
	var nilCtx context.Context //nolint:staticcheck // the point of the test
	results, err := env.c.UpdateUserManagers(nilCtx, []api.UserManagerUpdate{{UserID: "u", ManagerID: "m"}})
	if !errors.Is(err, ErrInvalidRequest) || len(results) != 1 || !errors.Is(results[0].Err, ErrInvalidRequest) || results[0].Call != -1 {
		t.Errorf("UpdateUserManagers(nil): %v, %+v", err, results)
	}
	if _, err := env.c.RemovePermissionTemplate(nilCtx, "t"); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("RemovePermissionTemplate(nil): %v", err)
	}
	if _, err := env.c.GetUserByID(nilCtx, api.GetUserByIDParams{UserID: "u"}); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("GetUserByID(nil): %v", err)
	}
	for _, err := range env.c.SearchUsers(nilCtx, api.UserSearchRequest{}) {
		if !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("SearchUsers(nil): %v", err)
		}
	}
	for _, err := range env.c.CheckInHistory(nilCtx, api.CheckInHistoryRequest{}) {
		if !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("CheckInHistory(nil): %v", err)
		}
	}
	for _, err := range env.c.PermissionTemplates(nilCtx, api.PermissionTemplateSearchRequest{}) {
		if !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("PermissionTemplates(nil): %v", err)
		}
	}
	if _, err := DiscoverHost(nilCtx, env.srv.URL+"/v2", "a", "s"); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("DiscoverHost(nil): %v", err)
	}
	l, err := NewLimiter(1, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Wait(nilCtx); err == nil {
		t.Error("SlidingWindowLimiter.Wait(nil) = nil")
	}
	if _, ok := OperationFromContext(ContextWithOperation(nilCtx, Operation{ID: api.OpGetUsers})); !ok {
		t.Error("ContextWithOperation(nil) lost the operation")
	}
	if n := env.srv.Config.Handler.(*script).Hits(); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// Every error a method returns says "leadsquared: " once, at the start.
func TestErrorsSayLeadsquaredOnce(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	cases := map[string]func() error{}
	add := func(name string, rep reply, call func(c *Client) error, opts ...Option) {
		cases[name] = func() error {
			env := setup(t, serve(rep), append([]Option{WithMaxRetries(0)}, opts...)...)
			return call(env.c)
		}
	}
	getByID := func(c *Client) error {
		_, err := c.GetUserByID(ctx, api.GetUserByIDParams{UserID: "u"})
		return err
	}
	create := func(c *Client) error {
		_, err := c.CreateUser(ctx, newUser)
		return err
	}
	add("not found", reply{status: 200, body: `[]`}, getByID)
	add("api error", reply{status: 500, body: `{"Status":"Error","ExceptionType":"MXInvalidInputException","ExceptionMessage":"bad"}`}, create)
	add("rate limited", reply{status: 429, body: rateLimitBody(25, 5)}, getByID)
	add("unreadable", reply{status: 200, body: `{}`}, getByID)
	add("dropped write", reply{drop: true}, create)
	add("dropped read", reply{drop: true}, getByID)
	add("502 write", reply{status: 502, body: gatewayPage502}, create)
	add("manager updates", reply{status: 500, body: `{"Status":"Error","ExceptionType":"MXInvalidInputException","ExceptionMessage":"bad"}`}, func(c *Client) error {
		_, err := c.UpdateUserManagers(ctx, []api.UserManagerUpdate{{UserID: "u", ManagerID: "m"}, {UserID: "", ManagerID: "m"}})
		return err
	})
	add("gave up waiting", reply{status: 429, body: rateLimitBody(25, 5)}, func(c *Client) error {
		ctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		_, err := c.GetUserByID(ctx, api.GetUserByIDParams{UserID: "u"})
		return err
	}, WithMaxRetries(3))
	cases["nil context"] = func() error {
		env := setup(t, serve(reply{status: 200, body: `[]`}))
		_, err := env.c.GetUserByID(nil, api.GetUserByIDParams{UserID: "u"}) //nolint:staticcheck // the point
		return err
	}
	cases["bad option"] = func() error {
		_, err := New("https://api.leadsquared.com/v2", "a", "s", WithRateLimit(0, time.Second))
		return err
	}
	for name, call := range cases {
		err := call()
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if msg := err.Error(); strings.Count(msg, "leadsquared: ") != 1 || !strings.HasPrefix(msg, "leadsquared: ") {
			t.Errorf("%s: %q: want \"leadsquared: \" once, at the start", name, msg)
		}
		assertNoSecret(t, name, err.Error())
	}
}
