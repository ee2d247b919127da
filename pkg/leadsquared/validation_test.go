package leadsquared

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/validate"
)

func TestRequestValidationSendsNothing(t *testing.T) {
	t.Parallel()
	s := serve(reply{status: 200, body: createdJSON})
	lim := &countingLimiter{}
	env := setup(t, s, WithRequestValidation(), WithLimiter(lim))
	_, err := env.c.API().CreateUserWithResponse(t.Context(), api.CreateUserJSONRequestBody{FirstName: "Ada", Role: "Boss"})
	var verr *validate.Error
	if !errors.As(err, &verr) {
		t.Fatalf("err = %v, want *validate.Error", err)
	}
	if verr.Operation != "CreateUser" || len(verr.Failures) != 2 {
		t.Errorf("failures = %v, want /EmailAddress required and /Role enum", verr.Failures)
	}
	if s.Hits() != 0 || len(env.ct.Requests()) != 0 || lim.n.Load() != 0 {
		t.Errorf("an invalid request reached the wire (%d hits) or the limiter (%d waits)", s.Hits(), lim.n.Load())
	}
	// A valid one goes through, with its body intact.
	res, err := env.c.API().CreateUserWithResponse(t.Context(), api.CreateUserJSONRequestBody{FirstName: "Ada", EmailAddress: "ada@example.com", Role: api.RoleSalesUser})
	if err != nil || res.JSON200 == nil {
		t.Fatalf("valid request: %v", err)
	}
	if b := s.Bodies(); len(b) != 1 || len(b[0]) == 0 {
		t.Errorf("valid request body not sent: %q", b)
	}
	// A query parameter is checked too: the work day is yyyy-MM-dd.
	_, err = env.c.API().GetUserWorkDayDetailsWithResponse(t.Context(), &api.GetUserWorkDayDetailsParams{UserID: "x", Date: "01/02/2025"})
	if !errors.As(err, &verr) || len(verr.Failures) != 1 || verr.Failures[0].In != validate.InQuery || verr.Failures[0].Pointer != "/date" {
		t.Errorf("bad date: err = %v, want one query failure at /date", err)
	}
	if s.Hits() != 1 {
		t.Errorf("hits = %d, want 1", s.Hits())
	}
}

func TestResponseValidationReportsDrift(t *testing.T) {
	t.Parallel()
	// UserId as a number: the API drifted from the spec.
	s := serve(reply{status: 200, body: `[{"UserId":42}]`}, reply{status: 200, body: usersJSON})
	env := setup(t, s, WithResponseValidation())
	_, err := env.c.API().GetUserByIDWithResponse(t.Context(), &api.GetUserByIDParams{UserID: "x"})
	var verr *validate.Error
	if !errors.As(err, &verr) || verr.Direction != validate.DirectionResponse || verr.Failures[0].Pointer != "/0/UserId" {
		t.Fatalf("err = %v, want a response *validate.Error at /0/UserId", err)
	}
	if _, err := env.c.API().GetUserByIDWithResponse(t.Context(), &api.GetUserByIDParams{UserID: "x"}); err != nil {
		t.Errorf("valid reply: %v", err)
	}
}

// TestResponseValidationOfAWriteSaysItHappened: a write LeadSquared carried out (200 Success)
// whose reply the response validation refuses is not returned, so its error matches
// ErrOutcomeUnknown, as a 2xx reply the client cannot read does ([*ReplyError]): a program
// that repeats a call only when its error does not say it may have happened must not send
// the CreateUser again. A read's refused reply does not match: it is safe to repeat.
func TestResponseValidationOfAWriteSaysItHappened(t *testing.T) {
	t.Parallel()
	env := setup(t, serve(
		reply{status: 200, body: `{"Status":"Success","Message":{"Id":"u1"},"Surprise":true}`},
		reply{status: 200, body: `[{"UserId":42}]`},
	), WithResponseValidation())
	_, err := env.c.CreateUser(t.Context(), api.UserCreateRequest{FirstName: "Ada", EmailAddress: "ada@example.com", Role: "Sales_User"})
	var verr *validate.Error
	if !errors.Is(err, ErrOutcomeUnknown) || !errors.As(err, &verr) || verr.Failures[0].Pointer != "/Surprise" {
		t.Fatalf("CreateUser with an invalid 200 reply: err = %v, want ErrOutcomeUnknown and a *validate.Error at /Surprise", err)
	}
	if errors.Is(err, ErrInvalidRequest) {
		t.Errorf("CreateUser: err = %v matches ErrInvalidRequest, but the request was valid and sent", err)
	}
	_, err = env.c.GetUserByID(t.Context(), api.GetUserByIDParams{UserID: "x"})
	if !errors.As(err, &verr) || errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("GetUserByID with an invalid 200 reply: err = %v, want a *validate.Error, not ErrOutcomeUnknown", err)
	}
}

func TestResponseValidationKeepsAPIError(t *testing.T) {
	t.Parallel()
	// A 401 whose body is HTML: still an *APIError, and the drift is reported with it.
	env := setup(t, serve(reply{status: 401, body: `<html>nope</html>`}), WithResponseValidation())
	_, err := env.c.API().GetUserByIDWithResponse(t.Context(), &api.GetUserByIDParams{UserID: "x"})
	var apiErr *APIError
	var verr *validate.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 401 || !errors.As(err, &verr) {
		t.Fatalf("err = %v, want *APIError 401 joined with *validate.Error", err)
	}
}

type countingLimiter struct{ n atomic.Int64 }

func (l *countingLimiter) Wait(ctx context.Context) error {
	l.n.Add(1)
	return ctx.Err()
}

func TestWithLimiter(t *testing.T) {
	t.Parallel()
	if _, err := New(HostUS, "a", "b", WithLimiter(nil)); err == nil {
		t.Error("WithLimiter(nil) must be an error")
	}
	lim := &countingLimiter{}
	s := serve(reply{status: 429, body: rateLimitBody(5, 5)}, reply{status: 200, body: usersJSON})
	env := setup(t, s, WithLimiter(lim))
	if _, err := env.c.API().GetUserByIDWithResponse(t.Context(), &api.GetUserByIDParams{UserID: "x"}); err != nil {
		t.Fatal(err)
	}
	if got := lim.n.Load(); got != 2 {
		t.Errorf("limiter waited %d times, want 2 (one per attempt)", got)
	}
	if env.c.doer.adapt != nil {
		t.Error("a user-supplied limiter must not be adapted")
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := env.c.API().GetUserByIDWithResponse(ctx, &api.GetUserByIDParams{UserID: "x"}); !errors.Is(err, context.Canceled) {
		t.Errorf("limiter error not returned: %v", err)
	}
}

// A typo in an attribute (here a custom field's schema name without its mx_) is refused
// before anything is sent, and the failure is data: pointer, rule, expectation, message.
func TestRequestValidationNamesTypos(t *testing.T) {
	t.Parallel()
	s := serve(reply{status: 200, body: `{"Status":"Success","Message":{"IsSuccessful":true}}`})
	env := setup(t, s, WithRequestValidation())
	fields := api.UserUpdateFields{AdditionalProperties: map[string]json.RawMessage{"LastNmae": json.RawMessage(`"Kant"`)}}
	_, err := env.c.API().UpdateUserWithResponse(t.Context(), &api.UpdateUserParams{UserID: "x"}, api.UpdateUserJSONRequestBody{User: fields})
	var verr *validate.Error
	if !errors.As(err, &verr) || !errors.Is(err, ErrInvalidRequest) {
		t.Fatalf("err = %v, want *validate.Error and ErrInvalidRequest", err)
	}
	want := validate.Failure{In: validate.InBody, Pointer: "/user/LastNmae", Rule: validate.RuleUnknown,
		Expected: "an attribute of the spec or a custom field (mx_*)",
		Message:  "unknown attribute: neither an attribute of the spec nor a custom field (mx_*) (did you mean LastName?)"}
	if len(verr.Failures) != 1 || fmt.Sprint(verr.Failures[0]) != fmt.Sprint(want) {
		t.Errorf("failures = %+v, want %+v", verr.Failures, want)
	}
	if s.Hits() != 0 {
		t.Errorf("%d requests sent", s.Hits())
	}
}

// Validation sees the attempt's request, whose query carries the keys: no failure names them,
// whatever the query holds (a parameter spelled like a key, a key's value as a parameter's).
func TestRequestValidationErrorsHoldNoKey(t *testing.T) {
	t.Parallel()
	s := serve(reply{status: 200, body: `{"Status":"Success"}`})
	env := setup(t, s, WithRequestValidation(), WithResponseValidation())
	_, err := env.c.API().GetUserWorkDayDetailsWithResponse(t.Context(), &api.GetUserWorkDayDetailsParams{UserID: testSecretKey, Date: testAccessKey})
	var verr *validate.Error
	if !errors.As(err, &verr) {
		t.Fatalf("err = %v, want a *validate.Error", err)
	}
	assertNoSecret(t, "validation error", err.Error())
	assertNoSecret(t, "validation failures", fmt.Sprintf("%+v", verr.Failures))
	if s.Hits() != 0 {
		t.Errorf("%d requests sent", s.Hits())
	}
}

// Request validation reads every kind of body without changing what is sent: the
// *bytes.Reader of the generated client (copied in place, unread), a body with GetBody, and
// one without (read and put back); a body half read before the call is checked from where
// it will be sent.
func TestRequestValidationReadsEveryKindOfBody(t *testing.T) {
	t.Parallel()
	const valid = `{"FirstName":"Ada","EmailAddress":"ada@example.com","Role":"Sales_User"}`
	const invalid = `{"FirstName":"Ada","Role":"Boss"}`
	kinds := map[string]func(string) io.Reader{
		"bytes.Reader":   func(s string) io.Reader { return bytes.NewReader([]byte(s)) },
		"strings.Reader": func(s string) io.Reader { return strings.NewReader(s) },
		"plain reader":   func(s string) io.Reader { return struct{ io.Reader }{strings.NewReader(s)} },
	}
	for name, kind := range kinds {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := serve(reply{status: 200, body: createdJSON})
			env := setup(t, s, WithRequestValidation())
			send := func(body string) error {
				req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, env.c.BaseURL()+"/UserManagement.svc/User/Create", kind(body))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Content-Type", "application/json")
				resp, err := env.c.Do(req)
				if err == nil {
					_ = resp.Body.Close()
				}
				return err
			}
			if err := send(invalid); !errors.Is(err, ErrInvalidRequest) {
				t.Errorf("invalid body: err = %v, want ErrInvalidRequest", err)
			}
			if err := send(valid); err != nil {
				t.Fatalf("valid body: %v", err)
			}
			if b := s.Bodies(); len(b) != 1 || string(b[0]) != valid {
				t.Errorf("sent %q, want only the valid body as it was", b)
			}
		})
	}
	// A *bytes.Reader already partly read: what is left is what is checked and sent.
	s := serve(reply{status: 200, body: createdJSON})
	env := setup(t, s, WithRequestValidation())
	br := bytes.NewReader([]byte("xx" + valid))
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, env.c.BaseURL()+"/UserManagement.svc/User/Create", br)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := br.Seek(2, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(len(valid))
	resp, err := env.c.Do(req)
	if err != nil {
		t.Fatalf("partly read body: %v", err)
	}
	_ = resp.Body.Close()
	if b := s.Bodies(); len(b) != 1 || string(b[0]) != valid {
		t.Errorf("sent %q, want %q", b, valid)
	}
}

// bytesReaderOf finds the *bytes.Reader of a body http.NewRequest made, and no other;
// unreadBytes gives what it has left to send, in place.
func TestBytesReaderOf(t *testing.T) {
	t.Parallel()
	br := bytes.NewReader([]byte("{}"))
	req, err := http.NewRequest(http.MethodPost, "http://x.invalid/", br)
	if err != nil {
		t.Fatal(err)
	}
	if got := bytesReaderOf(req.Body); got != br {
		t.Errorf("bytesReaderOf(NewRequest's body) = %p, want the *bytes.Reader %p", got, br)
	}
	// What is left, in place: not read, not copied.
	data := []byte("ab{}")
	br = bytes.NewReader(data)
	if _, err := br.Seek(2, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	if got := unreadBytes(br); string(got) != "{}" || &got[0] != &data[2] || br.Len() != 2 {
		t.Errorf("unreadBytes = %q (at %p, data at %p), %d left; want {} in place, 2 left", got, &got[0], &data[2], br.Len())
	}
	if _, err := br.Seek(0, io.SeekEnd); err != nil {
		t.Fatal(err)
	}
	if got := unreadBytes(br); got != nil {
		t.Errorf("unreadBytes of a reader read to its end = %q, want nil", got)
	}
	for _, body := range []io.ReadCloser{io.NopCloser(strings.NewReader("{}")), io.NopCloser(struct{ io.Reader }{br}), http.NoBody} {
		if got := bytesReaderOf(body); got != nil {
			t.Errorf("bytesReaderOf(%T) = %p, want nil", body, got)
		}
	}
}
