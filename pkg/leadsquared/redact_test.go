package leadsquared

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/redact"
)

// errorTexts returns the text of err and of every error reachable from it.
func errorTexts(err error) []string {
	var out []string
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		out = append(out, e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e))
		switch u := e.(type) { //nolint:errorlint // walking the chain by hand
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		}
	}
	walk(err)
	return out
}

func TestRedactor(t *testing.T) {
	t.Parallel()
	rd := newRedactor(testAccessKey, testSecretKey)
	for _, form := range secretForms() {
		in := "before " + form + " after"
		got := rd.Scrub(in)
		if got != "before REDACTED after" {
			t.Errorf("scrub(%q) = %q", in, got)
		}
		if string(rd.ScrubBytes([]byte(in))) != got {
			t.Errorf("ScrubBytes(%q) differs", in)
		}
	}
	if got := rd.Scrub("nothing secret"); got != "nothing secret" {
		t.Errorf("scrub changed clean text: %q", got)
	}
	u := "https://h/v2/x?userId=1&accessKey=" + url.QueryEscape(testAccessKey) + "&secretKey=" + url.QueryEscape(testSecretKey)
	got := rd.URL(u)
	assertNoSecret(t, "URL", got)
	if !strings.Contains(got, "accessKey=REDACTED") || !strings.Contains(got, "secretKey=REDACTED") || !strings.Contains(got, "userId=1") {
		t.Errorf("URL = %q", got)
	}
}

// A transport error (Go's *url.Error holds the full URL) to a closed port on 127.0.0.1.
func TestTransportErrorRedacted(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	for _, header := range []bool{false, true} {
		t.Run(fmt.Sprint("header=", header), func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			opts := []Option{WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))}
			if header {
				opts = append(opts, WithHeaderAuth())
			}
			c, err := New("http://"+addr+"/v2", testAccessKey, testSecretKey, opts...)
			if err != nil {
				t.Fatal(err)
			}
			fc := newFakeClock()
			useClock(c, fc)
			_, err = getUser(t, c)
			if err == nil {
				t.Fatal("no error from a closed port")
			}
			for _, s := range errorTexts(err) {
				assertNoSecret(t, "transport error", s)
			}
			var ue *url.Error
			if !errors.As(err, &ue) {
				t.Fatalf("err = %T, want *url.Error", err)
			}
			var opErr *net.OpError
			if !errors.As(err, &opErr) {
				t.Errorf("the cause is lost: %v", err)
			}
			if !header && !strings.Contains(err.Error(), "accessKey=REDACTED") {
				t.Errorf("error %q does not show the redacted parameter", err)
			}
			// A GET is retried after a broken connection: 3 retries, all logged, none leaking.
			if n := len(fc.Sleeps()); n != 3 {
				t.Errorf("%d retries, want 3", n)
			}
			assertNoSecret(t, "logs", logs.String())
			if c := strings.Count(logs.String(), "leadsquared: retrying"); c != 3 {
				t.Errorf("%d retry lines:\n%s", c, logs.String())
			}
		})
	}
}

// An API error whose message or body echoes a key is scrubbed.
func TestAPIErrorRedacted(t *testing.T) {
	t.Parallel()
	body := `{"Status":"Error","ExceptionType":"MXUnAuthorizedAccessException","ExceptionMessage":"Invalid key ` +
		testAccessKey + ` / ` + url.QueryEscape(testSecretKey) + `"}`
	env := setup(t, serve(reply{status: 401, body: body}))
	_, err := getUser(t, env.c)
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v", err)
	}
	for _, s := range errorTexts(err) {
		assertNoSecret(t, "API error", s)
	}
	assertNoSecret(t, "APIError.Body", string(apiErr.Body))
	assertNoSecret(t, "APIError.ExceptionMessage", apiErr.ExceptionMessage)
	if !strings.Contains(apiErr.ExceptionMessage, "Invalid key REDACTED") {
		t.Errorf("message %q", apiErr.ExceptionMessage)
	}
}

// TestErrorHeaderRedacted: a reply whose headers echo the keys (a debugging proxy's
// X-Echo-Query) hands them on redacted, in APIError.Header and WithResponseInto's response,
// whichever way the keys went; the other headers are kept.
func TestErrorHeaderRedacted(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts []Option
	}{{"query", nil}, {"header", []Option{WithHeaderAuth()}}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := map[string]string{"X-Echo-Query": "accessKey=" + url.QueryEscape(testAccessKey), "X-Echo-Key": testSecretKey, "X-Other": "kept"}
			env := setup(t, serve(reply{status: 500, header: h, body: `{"Status":"Error","ExceptionType":"MXInvalidInputException","ExceptionMessage":"no"}`}), tc.opts...)
			var rsp *http.Response
			_, err := env.c.GetUsers(t.Context(), WithResponseInto(&rsp))
			var apiErr *APIError
			if !errors.As(err, &apiErr) || rsp == nil {
				t.Fatalf("err = %v, response %v: want an *APIError and the response", err, rsp)
			}
			for where, hd := range map[string]http.Header{"APIError.Header": apiErr.Header, "WithResponseInto's Header": rsp.Header} {
				assertNoSecret(t, where, fmt.Sprint(hd))
				if hd.Get("X-Other") != "kept" || hd.Get("X-Echo-Key") != redact.Redacted {
					t.Errorf("%s = %v, want X-Other kept and X-Echo-Key %s", where, maskSecrets(fmt.Sprint(hd)), redact.Redacted)
				}
			}
			assertNoSecret(t, "%#v of the error", fmt.Sprintf("%#v", apiErr))
		})
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent log writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestLogging(t *testing.T) {
	t.Parallel()
	for _, header := range []bool{false, true} {
		t.Run(fmt.Sprint("header=", header), func(t *testing.T) {
			t.Parallel()
			var logs syncBuffer
			opts := []Option{WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))}
			if header {
				opts = append(opts, WithHeaderAuth())
			}
			s := serve(
				reply{status: 429, body: rateLimitBody(20, 5)},
				reply{status: 500, body: "oops"},
				reply{status: 200, body: usersJSON},
			)
			env := setup(t, s, opts...)
			if _, err := getUser(t, env.c); err != nil {
				t.Fatal(err)
			}
			out := logs.String()
			assertNoSecret(t, "logs", out)
			lines := strings.Split(strings.TrimSpace(out), "\n")
			var attempts, retries []string
			for _, l := range lines {
				switch {
				case strings.Contains(l, `msg="leadsquared: attempt"`):
					attempts = append(attempts, l)
				case strings.Contains(l, `msg="leadsquared: retrying"`):
					retries = append(retries, l)
				}
			}
			if len(attempts) != 3 || len(retries) != 2 {
				t.Fatalf("%d attempt lines, %d retry lines:\n%s", len(attempts), len(retries), out)
			}
			for i, want := range []string{"status=429", "status=500", "status=200"} {
				for _, w := range []string{"level=DEBUG", "method=GET", "path=/v2/UserManagement.svc/User/Retrieve/ByUserId",
					fmt.Sprintf("attempt=%d", i+1), want, "duration="} {
					if !strings.Contains(attempts[i], w) {
						t.Errorf("attempt line %q lacks %q", attempts[i], w)
					}
				}
				if strings.Contains(attempts[i], "userId") {
					t.Errorf("attempt line holds the query: %q", attempts[i])
				}
			}
			for i, want := range []string{`reason="rate limited" wait=5s`, `reason="server error 500" wait=1s`} {
				if !strings.Contains(retries[i], "level=WARN") || !strings.Contains(retries[i], want) {
					t.Errorf("retry line %q lacks %q", retries[i], want)
				}
			}
			if !strings.Contains(out, "adopting the account's rate limit") {
				t.Error("limit adoption not logged")
			}
		})
	}
}

// Nothing is logged without WithLogger, and a logger above Debug gets only the warnings.
func TestLoggingLevels(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	s := serve(reply{status: 503}, reply{status: 200, body: usersJSON})
	env := setup(t, s, WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	if _, err := getUser(t, env.c); err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	if strings.Contains(out, "leadsquared: attempt") || strings.Count(out, "leadsquared: retrying") != 1 {
		t.Errorf("logs at Warn:\n%s", out)
	}
}

// The *http.Response a call hands back, and its Request, hold no key, in query and in header
// mode, while the request that went out carried them.
func TestResponseHoldsNoKey(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts []Option
	}{{"query", nil}, {"header", []Option{WithHeaderAuth()}}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := setup(t, serve(reply{status: 200, body: `[{"UserId":"u1","FirstName":"Ada"}]`}), tc.opts...)
			res, err := env.c.API().GetUserByIDWithResponse(t.Context(), &api.GetUserByIDParams{UserID: "u1"})
			if err != nil {
				t.Fatal(err)
			}
			sent := env.ct.Requests()
			if len(sent) != 1 {
				t.Fatalf("%d requests sent", len(sent))
			}
			if got := sent[0].URL.Query().Get(queryAccessKey) + sent[0].Header.Get(headerAccessKey); got != testAccessKey {
				t.Errorf("the request that went out carried no access key")
			}
			r := res.HTTPResponse.Request
			if r == nil {
				t.Fatal("no Request in the response")
			}
			assertNoSecret(t, "response Request URL", r.URL.String())
			assertNoSecret(t, "response Request RawQuery", r.URL.RawQuery)
			assertNoSecret(t, "response Request header", fmt.Sprint(r.Header))
			if r.URL.Query().Get("userId") != "u1" || r.URL.Path != "/v2/UserManagement.svc/User/Retrieve/ByUserId" {
				t.Errorf("response Request %s %s is not the call's", r.Method, maskSecrets(r.URL.String()))
			}
		})
	}
}
