package leadsquared

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

// A middleware sees each attempt's request without the keys, in either auth mode, and the
// whole reply, which it may read without taking it from the client.
func TestMiddlewareSeesNoKeysAndReadsTheReply(t *testing.T) {
	t.Parallel()
	for _, headerAuth := range []bool{false, true} {
		s := serve(reply{status: 200, body: usersJSON})
		var seen []string
		mw := func(req *http.Request, next MiddlewareNext) (*http.Response, error) {
			var b strings.Builder
			_ = req.Header.Write(&b)
			seen = append(seen, req.URL.String(), b.String())
			resp, err := next(req)
			if err != nil {
				return nil, err
			}
			body, err := io.ReadAll(resp.Body)
			if err != nil || string(body) != usersJSON {
				t.Errorf("the middleware read %q, %v; want the reply", body, err)
			}
			return resp, nil
		}
		opts := []Option{WithMiddleware(mw)}
		if headerAuth {
			opts = append(opts, WithHeaderAuth())
		}
		env := setup(t, s, opts...)
		u, err := env.c.GetUserByID(t.Context(), api.GetUserByIDParams{UserID: "u1"})
		if err != nil || u.ID == "" {
			t.Fatalf("GetUserByID = %+v, %v: the client lost the reply the middleware read", u, err)
		}
		if len(seen) != 2 || !strings.Contains(seen[0], "userId=u1") {
			t.Fatalf("the middleware saw %q", seen)
		}
		for _, s := range seen {
			assertNoSecret(t, "what the middleware saw", s)
		}
		// The keys did go out.
		r := env.ct.Requests()[0]
		if headerAuth && r.Header.Get(headerSecretKey) != testSecretKey || !headerAuth && r.URL.Query().Get(querySecretKey) != testSecretKey {
			t.Error("the request on the wire lacks the keys")
		}
	}
}

// A middleware that refuses a call ends it: nothing is sent, the limiter is not asked, no
// retry. One that fails a call after LeadSquared answered ends it too.
func TestMiddlewareErrorsEndTheCall(t *testing.T) {
	t.Parallel()
	errNo := errors.New("audit: refused")
	s := serve(reply{status: 200, body: usersJSON})
	lim := &clockLimiter{}
	var calls atomic.Int64
	refuse := func(req *http.Request, next MiddlewareNext) (*http.Response, error) {
		calls.Add(1)
		return nil, errNo
	}
	env := setup(t, s, WithLimiter(lim))
	if _, err := env.c.GetUsers(t.Context(), WithMiddleware(refuse)); !errors.Is(err, errNo) {
		t.Errorf("err = %v, want the middleware's", err)
	}
	if s.Hits() != 0 || calls.Load() != 1 {
		t.Errorf("%d hits, %d middleware calls; want 0 and 1", s.Hits(), calls.Load())
	}
	after := func(req *http.Request, next MiddlewareNext) (*http.Response, error) {
		calls.Add(1)
		if _, err := next(req); err != nil {
			return nil, err
		}
		return nil, errNo
	}
	calls.Store(0)
	if _, err := env.c.GetUsers(t.Context(), WithMiddleware(after)); !errors.Is(err, errNo) {
		t.Errorf("err = %v, want the middleware's", err)
	}
	if s.Hits() != 1 || calls.Load() != 1 {
		t.Errorf("%d hits, %d middleware calls; want 1 and 1 (not retried)", s.Hits(), calls.Load())
	}
	nothing := func(*http.Request, MiddlewareNext) (*http.Response, error) { return nil, nil }
	if _, err := env.c.GetUsers(t.Context(), WithMiddleware(nothing)); err == nil || !strings.Contains(err.Error(), "neither a response nor an error") {
		t.Errorf("a middleware that returns nothing: err = %v", err)
	}
}

// An error reply reaches the middleware as a response; a broken connection as next's error,
// which, returned as it is, is retried like any other.
func TestMiddlewareSeesErrorRepliesAndRetries(t *testing.T) {
	t.Parallel()
	s := serve(reply{drop: true}, reply{status: 400, body: `{"Status":"Error","ExceptionType":"MXInvalidInputException","ExceptionMessage":"bad"}`})
	var got []string
	mw := func(req *http.Request, next MiddlewareNext) (*http.Response, error) {
		resp, err := next(req)
		switch {
		case err != nil:
			got = append(got, "error")
		default:
			got = append(got, itoa(resp.StatusCode))
		}
		return resp, err
	}
	env := setup(t, s, WithMiddleware(mw))
	_, err := env.c.GetUsers(t.Context())
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 {
		t.Errorf("err = %v, want the 400's *APIError", err)
	}
	if strings.Join(got, ",") != "error,400" {
		t.Errorf("the middleware saw %q, want a broken attempt then the 400", got)
	}
}

// A middleware may hand back a reply of its own (a cache, a test double): the client reads it.
func TestMiddlewareMayReplaceTheReply(t *testing.T) {
	t.Parallel()
	s := serve(reply{status: 200, body: `[]`})
	mw := func(req *http.Request, next MiddlewareNext) (*http.Response, error) {
		resp, err := next(req)
		if err != nil {
			return nil, err
		}
		_ = resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader([]byte(usersJSON)))
		return resp, nil
	}
	env := setup(t, s)
	u, err := env.c.GetUserByID(t.Context(), api.GetUserByIDParams{UserID: "u1"}, WithMiddleware(mw))
	if err != nil || u.ID != "3b1041fb-8374-11e7-8758-0a106ee76b21" {
		t.Errorf("GetUserByID = %+v, %v; want the middleware's reply", u, err)
	}
}
