package leadsquared

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

// Each option a call may take changes that call only: the call after it, without options,
// runs with the client's setting again.

func TestCallMaxRetriesOverridesTheClientsForThatCallOnly(t *testing.T) {
	t.Parallel()
	s := serve(reply{status: 503, body: gatewayText503})
	env := setup(t, s, WithMaxRetries(2))
	if _, err := env.c.GetUsers(t.Context(), WithMaxRetries(0)); err == nil {
		t.Fatal("GetUsers: no error from a 503")
	}
	if s.Hits() != 1 {
		t.Errorf("WithMaxRetries(0) in the call: %d attempts, want 1", s.Hits())
	}
	if _, err := env.c.GetUsers(t.Context()); err == nil {
		t.Fatal("GetUsers: no error from a 503")
	}
	if got := s.Hits() - 1; got != 3 {
		t.Errorf("the next call, without options: %d attempts, want the client's 1+2", got)
	}
}

func TestCallBackoffOverridesTheClientsForThatCallOnly(t *testing.T) {
	t.Parallel()
	s := serve(reply{status: 503, body: gatewayText503})
	env := setup(t, s, WithBackoff(time.Second, 8*time.Second), WithMaxRetries(2))
	_, _ = env.c.GetUsers(t.Context(), WithBackoff(100*time.Millisecond, 150*time.Millisecond))
	_, _ = env.c.GetUsers(t.Context())
	want := []time.Duration{100 * time.Millisecond, 150 * time.Millisecond, time.Second, 2 * time.Second}
	if got := env.clock.Sleeps(); !slices.Equal(got, want) {
		t.Errorf("retry waits %v, want %v (the call's backoff, then the client's)", got, want)
	}
}

func TestCallHeaderAddsToTheClientsForThatCallOnly(t *testing.T) {
	t.Parallel()
	s := serve(reply{status: 200, body: usersJSON})
	env := setup(t, s, WithHeader("X-Team", "a"), WithHeader("X-Job", "sync"))
	if _, err := env.c.GetUsers(t.Context(), WithHeader("x-team", "b"), WithHeader("X-Trace", "t1")); err != nil {
		t.Fatal(err)
	}
	if _, err := env.c.GetUsers(t.Context()); err != nil {
		t.Fatal(err)
	}
	reqs := env.ct.Requests()
	if h := reqs[0].Header; h.Get("X-Team") != "b" || h.Get("X-Trace") != "t1" || h.Get("X-Job") != "sync" || len(h.Values("X-Team")) != 1 {
		t.Errorf("the call's request: X-Team %q, X-Trace %q, X-Job %q; want b, t1, sync", h.Values("X-Team"), h.Get("X-Trace"), h.Get("X-Job"))
	}
	if h := reqs[1].Header; h.Get("X-Team") != "a" || h.Get("X-Trace") != "" || h.Get("X-Job") != "sync" {
		t.Errorf("the next call: X-Team %q, X-Trace %q, X-Job %q; want the client's a, none, sync", h.Get("X-Team"), h.Get("X-Trace"), h.Get("X-Job"))
	}
}

func TestCallUserAgentOverridesTheClientsForThatCallOnly(t *testing.T) {
	t.Parallel()
	s := serve(reply{status: 200, body: usersJSON})
	plain := setup(t, s)
	env := setup(t, s, WithUserAgent("myapp/1.2"))
	for _, call := range []func() error{
		func() error { _, err := plain.c.GetUsers(t.Context()); return err },
		func() error {
			_, err := env.c.GetUsers(t.Context(), WithUserAgent("nightly-job/3 (batch)"))
			return err
		},
		func() error { _, err := env.c.GetUsers(t.Context()); return err },
	} {
		if err := call(); err != nil {
			t.Fatal(err)
		}
	}
	// Built inside this repository: the version is dev.
	own := regexp.QuoteMeta("leadsquared-go/dev (" + runtime.Version() + "; " + runtime.GOOS + "/" + runtime.GOARCH + ")")
	for i, want := range []string{"^" + own + "$", "^nightly-job/3 \\(batch\\) " + own + "$", "^myapp/1.2 " + own + "$"} {
		reqs := plain.ct.Requests()
		if i > 0 {
			reqs = env.ct.Requests()[i-1:]
		}
		if got := reqs[0].Header.Get("User-Agent"); !regexp.MustCompile(want).MatchString(got) {
			t.Errorf("call %d: User-Agent %q, want %s", i, got, want)
		}
	}
	for _, bad := range []string{"", "  ", "app/1\r\nX-Evil: 1", "app/é"} {
		if _, err := New(HostUS, "a", "b", WithUserAgent(bad)); err == nil {
			t.Errorf("WithUserAgent(%q): no error", bad)
		}
	}
}

// The User-Agent reaches LeadSquared on every hop of a redirect, with either kind of
// authentication, and the reply's Request carries it, although the client adds its own as
// the request reaches the transport (userAgentTransport).
func TestUserAgentOnEveryHopAndInTheReply(t *testing.T) {
	t.Parallel()
	own := "leadsquared-go/dev (" + runtime.Version() + "; " + runtime.GOOS + "/" + runtime.GOARCH + ")"
	for _, header := range []bool{false, true} {
		t.Run(map[bool]string{false: "query", true: "header"}[header], func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var got []string
			opts := []Option{}
			if header {
				opts = append(opts, WithHeaderAuth())
			}
			env := setup(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				got = append(got, r.Header.Get("User-Agent"))
				mu.Unlock()
				if r.URL.Query().Get("hop") == "" {
					http.Redirect(w, r, r.URL.Path+"?hop=2&"+r.URL.RawQuery, http.StatusFound)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(usersJSON))
			}), opts...)
			for _, tc := range []struct {
				opts []Option
				want string
			}{
				{nil, own},
				{[]Option{WithUserAgent("job/1")}, "job/1 " + own},
			} {
				mu.Lock()
				got = nil
				mu.Unlock()
				var rsp *http.Response
				if _, err := env.c.GetUsers(t.Context(), append(tc.opts, WithResponseInto(&rsp))...); err != nil {
					t.Fatal(err)
				}
				mu.Lock()
				if len(got) != 2 || got[0] != tc.want || got[1] != tc.want {
					t.Errorf("User-Agent on the two hops: %q, want %q on both", got, tc.want)
				}
				mu.Unlock()
				if rsp == nil || rsp.Request.Header.Get("User-Agent") != tc.want {
					t.Errorf("the reply's Request: User-Agent %q, want %q", rsp.Request.Header.Get("User-Agent"), tc.want)
				}
			}
		})
	}
}

func TestCallRequestTimeoutOverridesTheClientsForThatCallOnly(t *testing.T) {
	t.Parallel()
	s := serve(reply{status: 200, body: usersJSON})
	// The client's timeout runs out before any attempt is sent.
	env := setup(t, s, WithRequestTimeout(time.Nanosecond), WithMaxRetries(0))
	if _, err := env.c.GetUsers(t.Context(), WithRequestTimeout(time.Minute)); err != nil {
		t.Fatalf("with the call's timeout of a minute: %v", err)
	}
	_, err := env.c.GetUsers(t.Context())
	var ue *url.Error
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "WithRequestTimeout of 1ns") || !errors.As(err, &ue) {
		t.Errorf("the next call, with the client's 1ns: err = %v, want the attempt's deadline in a *url.Error", err)
	} else {
		assertNoSecret(t, "the timeout's error", err.Error())
	}
	if s.Hits() != 1 {
		t.Errorf("hits = %d, want 1", s.Hits())
	}
}

// WithRequestTimeout bounds each attempt, not the call: an attempt that runs out is retried
// when the operation is safe to repeat, and the next attempt has the whole timeout again.
func TestRequestTimeoutIsPerAttempt(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	hits := 0
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		n := hits
		mu.Unlock()
		if n == 1 {
			<-r.Context().Done() // never answers: the attempt's timeout ends it
			return
		}
		_, _ = io.WriteString(w, usersJSON)
	})
	env := setup(t, h)
	var stats CallStats
	users, err := env.c.GetUsers(t.Context(), WithRequestTimeout(250*time.Millisecond), WithCallStats(&stats))
	if err != nil || len(users) != 1 {
		t.Fatalf("GetUsers = %v, %v; want the second attempt's user", users, err)
	}
	if stats.Attempts != 2 {
		t.Errorf("attempts = %d, want 2", stats.Attempts)
	}
}

func TestCallMiddlewareRunsInsideTheClientsForThatCallOnly(t *testing.T) {
	t.Parallel()
	s := serve(reply{status: 503, body: gatewayText503}, reply{status: 200, body: usersJSON})
	var mu sync.Mutex
	var trace []string
	mw := func(name string) Middleware {
		return func(req *http.Request, next MiddlewareNext) (*http.Response, error) {
			op, _ := OperationFromContext(req.Context())
			mu.Lock()
			trace = append(trace, name+">"+string(op.ID))
			mu.Unlock()
			resp, err := next(req)
			mu.Lock()
			if resp != nil {
				trace = append(trace, name+"<"+itoa(resp.StatusCode))
			}
			mu.Unlock()
			return resp, err
		}
	}
	env := setup(t, s, WithMiddleware(mw("client")))
	if _, err := env.c.GetUsers(t.Context(), WithMiddleware(mw("call1"), mw("call2"))); err != nil {
		t.Fatal(err)
	}
	if _, err := env.c.GetUserByID(t.Context(), api.GetUserByIDParams{UserID: "u"}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		// GetUsers, two attempts: the client's outermost, then the call's in order.
		"client>GetUsers", "call1>GetUsers", "call2>GetUsers", "call2<503", "call1<503", "client<503",
		"client>GetUsers", "call1>GetUsers", "call2>GetUsers", "call2<200", "call1<200", "client<200",
		// The next call: the client's only.
		"client>GetUserByID", "client<200",
	}
	if !slices.Equal(trace, want) {
		t.Errorf("middleware ran as\n%q\nwant\n%q", trace, want)
	}
}

func TestResponseIntoAndCallStats(t *testing.T) {
	t.Parallel()
	for _, headerAuth := range []bool{false, true} {
		s := serve(
			reply{status: 429, header: map[string]string{"Retry-After": "2"}, body: rateLimitBody(25, 5)},
			reply{status: 200, header: map[string]string{"X-Request-Id": "r2"}, body: usersJSON},
		)
		opts := []Option{WithLimiter(&clockLimiter{wait: 3 * time.Second})}
		if headerAuth {
			opts = append(opts, WithHeaderAuth())
		}
		env := setup(t, s, opts...)
		env.c.doer.limiter.(*clockLimiter).clock = env.clock
		var rsp *http.Response
		var stats CallStats
		if _, err := env.c.GetUserByID(t.Context(), api.GetUserByIDParams{UserID: "u1"}, WithResponseInto(&rsp), WithCallStats(&stats)); err != nil {
			t.Fatal(err)
		}
		if rsp == nil || rsp.StatusCode != 200 || rsp.Header.Get("X-Request-Id") != "r2" || rsp.Body != http.NoBody {
			t.Fatalf("response = %+v, want the last attempt's 200 with its header and no body", rsp)
		}
		if rsp.Request == nil || rsp.Request.URL.Query().Get("userId") != "u1" {
			t.Fatalf("response's request = %+v, want the call's", rsp.Request)
		}
		assertNoSecret(t, "the response's request URL", rsp.Request.URL.String())
		for k, vs := range rsp.Request.Header {
			assertNoSecret(t, "the response's request header "+k, strings.Join(vs, ","))
			if strings.EqualFold(k, headerAccessKey) || strings.EqualFold(k, headerSecretKey) {
				t.Errorf("the response's request carries %s", k)
			}
		}
		want := CallStats{Operation: api.OpGetUserByID, Attempts: 2, LimiterWait: 6 * time.Second, RetryWait: 2 * time.Second}
		if stats != want {
			t.Errorf("stats = %+v, want %+v", stats, want)
		}

		// An error reply: the error, and the reply's metadata.
		s2 := serve(reply{status: 400, body: `{"Status":"Error","ExceptionType":"MXInvalidInputException","ExceptionMessage":"bad"}`})
		env2 := setup(t, s2, opts[1:]...)
		stats = CallStats{Attempts: 99}
		_, err := env2.c.GetUserByID(t.Context(), api.GetUserByIDParams{UserID: "u1"}, WithResponseInto(&rsp), WithCallStats(&stats))
		var apiErr *APIError
		if !errors.As(err, &apiErr) || rsp == nil || rsp.StatusCode != 400 {
			t.Errorf("error reply: err = %v, response %v; want the *APIError and the 400", err, rsp)
		}
		if stats.Attempts != 1 || stats.RetryWait != 0 {
			t.Errorf("error reply: stats = %+v, want 1 attempt and no retry wait", stats)
		}
	}
}

// clockLimiter lets every call through after advancing the fake clock by wait.
type clockLimiter struct {
	wait  time.Duration
	clock *fakeClock
}

func (l *clockLimiter) Wait(ctx context.Context) error {
	if l.clock != nil {
		l.clock.mu.Lock()
		l.clock.t = l.clock.t.Add(l.wait)
		l.clock.mu.Unlock()
	}
	return ctx.Err()
}

// An option of the client given to a call is an error from that call, which sends nothing;
// an option of a call given to New is an error from New.
func TestOptionInTheWrongPlaceIsAnError(t *testing.T) {
	t.Parallel()
	s := serve(reply{status: 200, body: usersJSON})
	env := setup(t, s)
	lim, _ := NewLimiter(1, time.Second)
	for name, opt := range map[string]Option{
		"WithHTTPClient":      WithHTTPClient(http.DefaultClient),
		"WithHeaderAuth":      WithHeaderAuth(),
		"WithRateLimit":       WithRateLimit(1, time.Second),
		"WithLimiter":         WithLimiter(lim),
		"WithLogger":          WithLogger(slog.New(slog.DiscardHandler)),
		"WithDriftReport":     WithDriftReport(func(DriftReport) {}),
		"WithDriftInterval":   WithDriftInterval(time.Minute),
		"WithHTTPClient(nil)": WithHTTPClient(nil), // its own error would hide that it is misplaced
	} {
		want := strings.TrimSuffix(name, "(nil)") + " is an option of New, not of a call"
		_, err := env.c.GetUsers(t.Context(), WithMaxRetries(1), opt)
		if !errors.Is(err, ErrInvalidRequest) || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "leadsquared: GetUsers: ") {
			t.Errorf("%s in a call: err = %v, want ErrInvalidRequest saying %q", name, err, want)
		}
	}
	for _, bad := range []Option{nil, WithMaxRetries(-1), WithBackoff(0, 0), WithRequestTimeout(0), WithResponseInto(nil), WithCallStats(nil), WithMiddleware(nil), WithHeader("X-LSQ-AccessKey", "k")} {
		if _, err := env.c.GetUsers(t.Context(), bad); !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("invalid call option: err = %v, want ErrInvalidRequest", err)
		}
	}
	if s.Hits() != 0 {
		t.Errorf("%d requests sent by calls with invalid options", s.Hits())
	}
	var rsp *http.Response
	var stats CallStats
	for name, opt := range map[string]Option{"WithResponseInto": WithResponseInto(&rsp), "WithCallStats": WithCallStats(&stats)} {
		if _, err := New(HostUS, "a", "b", opt); err == nil || !strings.Contains(err.Error(), name+" is an option of a call, not of New") {
			t.Errorf("%s in New: err = %v", name, err)
		}
	}
}

func TestWithHeaderRefusesCredentialsAndKeys(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"x-LSQ-AccessKey", "X-Lsq-Secretkey", "USER-AGENT", "Host", "Content-Length", "transfer-encoding", "", "X Bad", "X:Bad"} {
		if _, err := New(HostUS, "a", "b", WithHeader(name, "v")); err == nil {
			t.Errorf("WithHeader(%q): no error from New", name)
		}
	}
	for _, value := range []string{"a\r\nX-Evil: 1", "a\x00"} {
		if _, err := New(HostUS, "a", "b", WithHeader("X-Ok", value)); err == nil {
			t.Errorf("WithHeader value %q: no error", value)
		}
	}
	if _, err := New(HostUS, "key1", "key2", WithHeader("X-Tab", "a\tb")); err != nil {
		t.Errorf("a tab in a value: %v", err)
	}
	// A key in a header value: an error that does not quote it, from New and from a call.
	_, err := New(HostUS, testAccessKey, testSecretKey, WithHeader("X-Debug", "secret="+testSecretKey))
	if err == nil {
		t.Error("a key in a client header: no error")
	} else {
		assertNoSecret(t, "New's error", err.Error())
	}
	s := serve(reply{status: 200, body: usersJSON})
	env := setup(t, s)
	_, err = env.c.GetUsers(t.Context(), WithHeader("X-Debug", testAccessKey))
	if !errors.Is(err, ErrInvalidRequest) || s.Hits() != 0 {
		t.Errorf("a key in a call header: err = %v, %d hits", err, s.Hits())
	} else {
		assertNoSecret(t, "the call's error", err.Error())
	}
}

// The helpers pass their options to every call they make.
func TestHelpersTakeCallOptions(t *testing.T) {
	t.Parallel()
	s := serve(reply{status: 200, body: `{"Status":"Success","WFAId":"w1"}`})
	env := setup(t, s)
	updates := make([]api.UserManagerUpdate, MaxManagerUpdatesPerCall+1)
	for i := range updates {
		updates[i] = api.UserManagerUpdate{UserID: "u" + itoa(i), ManagerID: "m"}
	}
	var stats CallStats
	if _, err := env.c.UpdateUserManagers(t.Context(), updates, WithHeader("X-Job", "managers"), WithCallStats(&stats)); err != nil {
		t.Fatal(err)
	}
	reqs := env.ct.Requests()
	if len(reqs) != 2 || reqs[0].Header.Get("X-Job") != "managers" || reqs[1].Header.Get("X-Job") != "managers" {
		t.Errorf("UpdateUserManagers: %d calls, want 2 each with the call's header", len(reqs))
	}
	if stats.Operation != api.OpBulkUpdateUserManagers || stats.Attempts != 1 {
		t.Errorf("stats = %+v, want the last call's", stats)
	}

	s2 := serve(reply{status: 200, body: `{"Users":[{"UserId":"u1"}]}`})
	env2 := setup(t, s2)
	for _, err := range env2.c.SearchUsers(t.Context(), api.UserSearchRequest{}, WithHeader("X-Job", "search")) {
		if err != nil {
			t.Fatal(err)
		}
	}
	if r := env2.ct.Requests(); len(r) != 1 || r[0].Header.Get("X-Job") != "search" {
		t.Errorf("SearchUsers: the page's request lacks the call's header")
	}
	for _, err := range env2.c.SearchUsers(t.Context(), api.UserSearchRequest{}, WithLogger(slog.New(slog.DiscardHandler))) {
		if !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("SearchUsers with a client's option: err = %v", err)
		}
	}
	// FindUserByEmail and DirectReports: one search each, with the call's header.
	s3 := serve(reply{status: 200, body: `{"Users":[{"UserId":"u1","EmailAddress":"a@x.com","ManagerUserId":"m1"}]}`})
	env3 := setup(t, s3)
	if _, err := env3.c.FindUserByEmail(t.Context(), "a@x.com", WithHeader("X-Job", "find")); err != nil {
		t.Fatal(err)
	}
	if _, err := env3.c.DirectReports(t.Context(), "m1", WithHeader("X-Job", "reports")); err != nil {
		t.Fatal(err)
	}
	if r := env3.ct.Requests(); len(r) != 2 || r[0].Header.Get("X-Job") != "find" || r[1].Header.Get("X-Job") != "reports" {
		t.Errorf("FindUserByEmail/DirectReports: the requests lack the call's header")
	}
	if _, err := env3.c.FindUserByEmail(t.Context(), "a@x.com", WithLogger(slog.New(slog.DiscardHandler))); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("FindUserByEmail with a client's option: err = %v", err)
	}
}

// Client.Do takes the call's options and sets its headers on a copy of the request.
func TestDoTakesCallOptions(t *testing.T) {
	t.Parallel()
	s := serve(reply{status: 200, body: usersJSON})
	env := setup(t, s)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, env.c.BaseURL()+"/UserManagement.svc/Users.Get", nil)
	if err != nil {
		t.Fatal(err)
	}
	var stats CallStats
	resp, err := env.c.Do(req, WithHeader("X-Job", "raw"), WithCallStats(&stats))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if got := env.ct.Requests()[0].Header.Get("X-Job"); got != "raw" {
		t.Errorf("X-Job = %q, want raw", got)
	}
	if len(req.Header) != 0 {
		t.Errorf("Do changed the caller's request: %v", req.Header)
	}
	if stats.Operation != api.OpGetUsers || stats.Attempts != 1 {
		t.Errorf("stats = %+v", stats)
	}
	if _, err := env.c.Do(req, WithLimiter(nil)); err == nil || !strings.Contains(err.Error(), "WithLimiter is an option of New") {
		t.Errorf("Do with a client's option: %v", err)
	}
}

// Calls with options of their own share a client safely: each request carries its call's
// header and each call's stats are its own (run under -race).
func TestConcurrentCallsKeepTheirOwnOptions(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	seen := map[string]int{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.Header.Get("X-Worker")+"/"+r.Header.Get("X-Team")]++
		mu.Unlock()
		_, _ = io.WriteString(w, usersJSON)
	})
	var attempts sync.Map
	count := func(req *http.Request, next MiddlewareNext) (*http.Response, error) {
		n, _ := attempts.LoadOrStore(req.Header.Get("X-Worker"), new(int64))
		mu.Lock()
		*n.(*int64)++
		mu.Unlock()
		return next(req)
	}
	env := setup(t, h, WithHeader("X-Team", "all"), WithMiddleware(count))
	const workers, calls = 8, 5
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := itoa(w)
			for range calls {
				var stats CallStats
				if _, err := env.c.GetUsers(t.Context(), WithHeader("X-Worker", id), WithCallStats(&stats)); err != nil {
					t.Error(err)
					return
				}
				if stats.Attempts != 1 || stats.Operation != api.OpGetUsers {
					t.Errorf("worker %s: stats %+v", id, stats)
				}
			}
		}()
	}
	wg.Wait()
	for w := range workers {
		if got := seen[itoa(w)+"/all"]; got != calls {
			t.Errorf("worker %d: %d requests with its header and the client's, want %d (all: %v)", w, got, calls, seen)
		}
		n, ok := attempts.Load(itoa(w))
		if !ok || *n.(*int64) != calls {
			t.Errorf("worker %d: the client's middleware saw %v of its attempts, want %d", w, n, calls)
		}
	}
}
