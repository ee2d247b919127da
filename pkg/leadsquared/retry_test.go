package leadsquared

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

func getUser(t *testing.T, c *Client) (*api.GetUserByIDResponse, error) {
	t.Helper()
	return c.API().GetUserByIDWithResponse(t.Context(), &api.GetUserByIDParams{UserID: "3b1041fb-8374-11e7-8758-0a106ee76b21"})
}

func createUser(t *testing.T, c *Client) (*api.CreateUserResponse, error) {
	t.Helper()
	return c.API().CreateUserWithResponse(t.Context(), api.CreateUserJSONRequestBody{
		FirstName: "Ada", EmailAddress: "ada@example.com", Role: api.RoleSalesUser,
	})
}

// Every form of rate-limit error is retried (for a POST too), waits as the server says,
// and the call then succeeds.
func TestRateLimitForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		first    reply
		wantWait time.Duration
	}{
		{"429 with body", reply{status: 429, body: rateLimitBody(25, 5)}, 5 * time.Second},
		{"429 no body no hint", reply{status: 429, body: ""}, 100 * time.Millisecond},
		{"403 with exception", reply{status: 403, body: rateLimitBody(10, 5)}, 5 * time.Second},
		{"200 with exception", reply{status: 200, body: rateLimitBody(20, 5)}, 5 * time.Second},
		{"200 with message only", reply{status: 200, body: `{"Status":"Error","ExceptionMessage":"API calls exceeded the limit of 2 in 10 second(s)"}`}, 10 * time.Second},
		{"403 exception no message", reply{status: 403, body: `{"Status":"Error","ExceptionType":"MXAPIRateLimitExceededException"}`}, 100 * time.Millisecond},
		{"429 Retry-After seconds", reply{status: 429, header: map[string]string{"Retry-After": "7"}, body: rateLimitBody(25, 5)}, 7 * time.Second},
		{"429 Retry-After zero", reply{status: 429, header: map[string]string{"Retry-After": "0"}, body: rateLimitBody(25, 5)}, 0},
		{"429 Retry-After date", reply{status: 429, header: map[string]string{"Retry-After": newFakeClock().Now().Add(12 * time.Second).Format(http.TimeFormat)}}, 12 * time.Second},
		{"429 Retry-After past date", reply{status: 429, header: map[string]string{"Retry-After": newFakeClock().Now().Add(-time.Hour).Format(http.TimeFormat)}}, 0},
		{"429 Retry-After garbage", reply{status: 429, header: map[string]string{"Retry-After": "soon"}, body: rateLimitBody(25, 3)}, 3 * time.Second},
	}
	for _, tt := range tests {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			t.Run(tt.name+"/"+method, func(t *testing.T) {
				t.Parallel()
				ok := reply{status: 200, body: usersJSON}
				if method == http.MethodPost {
					ok.body = createdJSON
				}
				s := serve(tt.first, ok)
				env := setup(t, s, WithBackoff(100*time.Millisecond, time.Second))
				var err error
				if method == http.MethodGet {
					var resp *api.GetUserByIDResponse
					resp, err = getUser(t, env.c)
					if err == nil && (resp.JSON200 == nil || len(*resp.JSON200) != 1) {
						t.Errorf("JSON200 = %v", resp.JSON200)
					}
				} else {
					var resp *api.CreateUserResponse
					resp, err = createUser(t, env.c)
					if err == nil && resp.JSON200 == nil {
						t.Errorf("JSON200 = nil, body %s", resp.Body)
					}
				}
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				if s.Hits() != 2 {
					t.Errorf("%d hits, want 2", s.Hits())
				}
				if got := env.clock.Sleeps(); !slices.Equal(got, []time.Duration{tt.wantWait}) {
					t.Errorf("waits %v, want [%s]", got, tt.wantWait)
				}
				if b := s.Bodies(); method == http.MethodPost && !bytes.Equal(b[0], b[1]) {
					t.Errorf("retried body differs:\n%s\n%s", b[0], b[1])
				}
			})
		}
	}
}

func TestRateLimitRetriesExhausted(t *testing.T) {
	t.Parallel()
	s := serve(reply{status: 403, body: rateLimitBody(20, 5)})
	env := setup(t, s, WithMaxRetries(2))
	_, err := createUser(t, env.c)
	var rl *RateLimitError
	if !errors.As(err, &rl) {
		t.Fatalf("err = %T %v, want *RateLimitError", err, err)
	}
	if rl.Limit != 20 || rl.Window != 5*time.Second || rl.RetryAfter != 5*time.Second || rl.Attempts != 3 {
		t.Errorf("limit %d per %s, retry after %s, attempts %d", rl.Limit, rl.Window, rl.RetryAfter, rl.Attempts)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatal("errors.As(*APIError) fails on a *RateLimitError")
	}
	if apiErr.StatusCode != 403 || apiErr.ExceptionType != ExceptionRateLimitExceeded ||
		!strings.Contains(apiErr.ExceptionMessage, "limit of 20 in 5") {
		t.Errorf("APIError = %+v", apiErr)
	}
	for _, want := range []string{"rate limited", "20", "403", string(ExceptionRateLimitExceeded), "/UserManagement.svc/User/Create"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if s.Hits() != 3 {
		t.Errorf("%d hits, want 3", s.Hits())
	}
	if got := env.clock.Sleeps(); !slices.Equal(got, []time.Duration{5 * time.Second, 5 * time.Second}) {
		t.Errorf("waits %v", got)
	}
}

func TestRetriesDisabled(t *testing.T) {
	t.Parallel()
	s := serve(reply{status: 429, header: map[string]string{"Retry-After": "3"}})
	env := setup(t, s, WithMaxRetries(0))
	_, err := getUser(t, env.c)
	var rl *RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter != 3*time.Second || rl.Attempts != 1 || rl.StatusCode != 429 {
		t.Fatalf("err = %v (%+v)", err, rl)
	}
	if s.Hits() != 1 || len(env.clock.Sleeps()) != 0 {
		t.Errorf("%d hits, waits %v", s.Hits(), env.clock.Sleeps())
	}
}

func TestBackoffWithoutHint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		jitter float64
		want   []time.Duration
	}{
		{"no jitter", 0, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 500 * time.Millisecond}},
		{"full jitter", 1, []time.Duration{100 * time.Millisecond, 150 * time.Millisecond, 300 * time.Millisecond, 375 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := serve(reply{status: 503, body: "unavailable"})
			env := setup(t, s, WithMaxRetries(4), WithBackoff(100*time.Millisecond, 500*time.Millisecond))
			env.c.doer.rand = func() float64 { return tt.jitter }
			_, err := getUser(t, env.c)
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 || string(apiErr.Body) != "unavailable" {
				t.Fatalf("err = %v", err)
			}
			var rl *RateLimitError
			if errors.As(err, &rl) {
				t.Error("a 503 became a *RateLimitError")
			}
			if got := env.clock.Sleeps(); !slices.Equal(got, tt.want) {
				t.Errorf("waits %v, want %v", got, tt.want)
			}
			if s.Hits() != 5 {
				t.Errorf("%d hits, want 5", s.Hits())
			}
		})
	}
}

func TestGETRetriedAfter5xx(t *testing.T) {
	t.Parallel()
	s := serve(
		reply{status: 500, body: gatewayJSON500},
		reply{status: 502, body: gatewayPage502},
		reply{status: 200, body: usersJSON},
	)
	env := setup(t, s)
	resp, err := getUser(t, env.c)
	if err != nil {
		t.Fatal(err)
	}
	if resp.JSON200 == nil || len(*resp.JSON200) != 1 {
		t.Errorf("JSON200 = %v", resp.JSON200)
	}
	if s.Hits() != 3 {
		t.Errorf("%d hits, want 3", s.Hits())
	}
	if got := env.clock.Sleeps(); !slices.Equal(got, []time.Duration{500 * time.Millisecond, time.Second}) {
		t.Errorf("waits %v", got)
	}
	// Every response body was read to the end and closed, the discarded ones included.
	if n, c, d := env.ct.responses.Load(), env.ct.closed.Load(), env.ct.drained.Load(); n != 3 || c != 3 || d != 3 {
		t.Errorf("responses %d, closed %d, drained %d", n, c, d)
	}
}

func TestGETRetriedAfterConnectionDrop(t *testing.T) {
	t.Parallel()
	s := serve(reply{drop: true}, reply{drop: true}, reply{status: 200, body: usersJSON})
	env := setup(t, s)
	resp, err := getUser(t, env.c)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode() != 200 || s.Hits() < 3 {
		t.Errorf("status %d, %d hits", resp.StatusCode(), s.Hits())
	}
	if got := len(env.ct.Requests()); got != 3 {
		t.Errorf("%d attempts, want 3", got)
	}
}

func TestPOSTNotRepeatedAfter5xx(t *testing.T) {
	t.Parallel()
	for _, status := range []int{500, 502, 503} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			t.Parallel()
			s := serve(reply{status: status, body: `{"Status":"Error","ExceptionType":"MXDuplicateEntryException","ExceptionMessage":"A user with the same email address already exists."}`})
			env := setup(t, s)
			resp, err := createUser(t, env.c)
			if resp != nil {
				t.Errorf("response %+v with an error", resp)
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %T %v", err, err)
			}
			if apiErr.StatusCode != status || apiErr.ExceptionType != "MXDuplicateEntryException" ||
				apiErr.Method != http.MethodPost || apiErr.Path != "/v2/UserManagement.svc/User/Create" {
				t.Errorf("APIError = %+v", apiErr)
			}
			if !strings.Contains(err.Error(), "already exists") || !strings.Contains(err.Error(), "MXDuplicateEntryException") {
				t.Errorf("error text %q", err)
			}
			if s.Hits() != 1 || len(env.clock.Sleeps()) != 0 {
				t.Errorf("%d hits, waits %v: a write was repeated", s.Hits(), env.clock.Sleeps())
			}
			if env.ct.closed.Load() != 1 || env.ct.drained.Load() != 1 {
				t.Errorf("closed %d, drained %d", env.ct.closed.Load(), env.ct.drained.Load())
			}
		})
	}
}

func TestPOSTNotRepeatedAfterConnectionDrop(t *testing.T) {
	t.Parallel()
	s := serve(reply{drop: true}, reply{status: 200, body: createdJSON})
	env := setup(t, s)
	_, err := createUser(t, env.c)
	if err == nil {
		t.Fatal("no error after a dropped connection")
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		t.Errorf("a transport error became an *APIError: %v", err)
	}
	var ue *url.Error
	if !errors.As(err, &ue) {
		t.Errorf("err = %T %v, want a *url.Error", err, err)
	}
	assertNoSecret(t, "transport error", err.Error())
	if s.Hits() != 1 || len(env.ct.Requests()) != 1 {
		t.Errorf("%d hits, %d attempts: a write was repeated", s.Hits(), len(env.ct.Requests()))
	}
}

// A POST the spec marks x-idempotent: true (a search) is retried after a 5xx with the same body.
func TestIdempotentPOSTRetriedWithSameBody(t *testing.T) {
	t.Parallel()
	var search string
	var paths []string
	for _, id := range api.OperationIDs {
		if op, _ := api.LookupOperation(id); op.Method == http.MethodPost && op.Idempotent {
			paths = append(paths, op.Path)
		}
	}
	sort.Strings(paths)
	s := serve(reply{status: 500, body: "oops"}, reply{status: 502}, reply{status: 200, body: `[]`})
	env := setup(t, s)
	if len(paths) > 0 {
		search = paths[0]
	} else { // bootstrap spec without such a POST: mark one in a copy of the map
		search = "/UserManagement.svc/User/AdvancedSearch"
		env.c.doer.route = routeTable(map[[2]string]Operation{{http.MethodPost, search}: {ID: "AdvancedSearchUsers", Idempotent: true}})
	}
	body := []byte(`{"Parameters":{"LookupName":"EmailAddress","LookupValue":"ada@example.com"}}`)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, env.c.BaseURL()+search, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := env.c.doer.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", search, err)
	}
	got, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if string(got) != "[]" {
		t.Errorf("body %q", got)
	}
	bodies := s.Bodies()
	if len(bodies) != 3 {
		t.Fatalf("%d hits, want 3", len(bodies))
	}
	for i, b := range bodies {
		if !bytes.Equal(b, body) {
			t.Errorf("attempt %d sent %q, want %q", i+1, b, body)
		}
	}
}

// A GET the spec marks x-idempotent: false is not repeated after a 5xx.
func TestNonIdempotentGETNotRepeated(t *testing.T) {
	t.Parallel()
	s := serve(reply{status: 500, body: "oops"})
	env := setup(t, s)
	const activate = "/UserManagement.svc/User/Activate"
	env.c.doer.route = routeTable(map[[2]string]Operation{{http.MethodGet, activate}: {ID: "ActivateUser", Idempotent: false}})
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, env.c.BaseURL()+activate+"?userId=u", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = env.c.doer.Do(req)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 500 {
		t.Fatalf("err = %v", err)
	}
	if s.Hits() != 1 {
		t.Errorf("%d hits, want 1", s.Hits())
	}
}

// A body that cannot be rewound is not retried.
func TestUnrewindableBodyNotRetried(t *testing.T) {
	t.Parallel()
	s := serve(reply{status: 429, body: rateLimitBody(5, 5)}, reply{status: 200, body: createdJSON})
	env := setup(t, s)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, env.c.BaseURL()+"/UserManagement.svc/User/Create",
		io.NopCloser(strings.NewReader(`{"FirstName":"Ada"}`)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = env.c.doer.Do(req)
	var rl *RateLimitError
	if !errors.As(err, &rl) || s.Hits() != 1 {
		t.Fatalf("err = %v, %d hits", err, s.Hits())
	}
}

func TestErrorBodyWith2xx(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		wantErr    bool
	}{
		{"error shape", `{"Status":"Error","ExceptionType":"MXDuplicateEntryException","ExceptionMessage":"dup"}`, true},
		{"error shape with spaces", " \n{ \"Status\" : \"Error\", \"ExceptionMessage\": \"x\" }", true},
		{"exception type only", `{"ExceptionType":"MXInvalidInputException","ExceptionMessage":"Invalid Input!"}`, true},
		{"success", `{"Status":"Success","Message":{"Id":"1"}}`, false},
		{"success mentioning Error", `{"Status":"Success","Message":{"Id":"Error"}}`, false},
		{"nested error status", `{"Status":"Success","Message":{"Status":"Error"}}`, false},
		{"array", `[{"Status":"Error","ExceptionType":"X"}]`, false},
		{"not JSON", `"Error" "ExceptionType"`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := serve(reply{status: 200, body: tt.body})
			env := setup(t, s)
			resp, err := env.c.API().GetUserByID(t.Context(), &api.GetUserByIDParams{UserID: "u"})
			if s.Hits() != 1 {
				t.Errorf("%d hits, want 1", s.Hits())
			}
			if !tt.wantErr {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				got, _ := io.ReadAll(resp.Body)
				_ = resp.Body.Close()
				if string(got) != tt.body {
					t.Errorf("body %q, want %q", got, tt.body)
				}
				return
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != 200 || string(apiErr.Body) != tt.body {
				t.Fatalf("err = %v, want *APIError with status 200", err)
			}
			if resp != nil {
				t.Error("response returned with an error")
			}
		})
	}
}

func TestErrorShapeUnit(t *testing.T) {
	t.Parallel()
	eb, ok := errorShape([]byte(rateLimitBody(20, 5)))
	if !ok || eb.ExceptionType != ExceptionRateLimitExceeded || !isRateLimit(200, eb) {
		t.Errorf("rate-limit body: %+v %v", eb, ok)
	}
	if _, ok := errorShape([]byte(usersJSON)); ok {
		t.Error("users array read as an error")
	}
	for _, tt := range []struct {
		msg   string
		calls int
		secs  int
	}{
		{"API calls exceeded the limit of 20 in 5 second(s)", 20, 5},
		{"api calls Exceeded the limit of 1 in 60 seconds", 1, 60},
		{"exceeded the limit of 0 in 5 second(s)", 0, 0},
		{"something else", 0, 0},
	} {
		n, w, _ := parseLimit(tt.msg)
		if n != tt.calls || w != time.Duration(tt.secs)*time.Second {
			t.Errorf("parseLimit(%q) = %d, %s", tt.msg, n, w)
		}
	}
	if !isRateLimit(429, errorBody{}) || isRateLimit(403, errorBody{ExceptionType: "MXUnAuthorizedAccessException"}) {
		t.Error("isRateLimit misclassifies")
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := newFakeClock().Now()
	tests := []struct {
		v    string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"3", 3 * time.Second, true},
		{"1.5", 1500 * time.Millisecond, true},
		{"-1", 0, false},
		{"NaN", 0, false},
		{"99999999999", maxRetryAfter, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-90 * time.Second).Format(http.TimeFormat), 0, true},
		{"tomorrow", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(http.Header{"Retry-After": {tt.v}}, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseRetryAfter(%q) = %s, %v; want %s, %v", tt.v, got, ok, tt.want, tt.ok)
		}
	}
}

// Cancelling the context while waiting to retry returns at once, with the context's
// error and the last rate-limit error both reachable. This one uses the real sleep.
func TestCancelDuringRetryWait(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	s := serve(reply{status: 429, header: map[string]string{"Retry-After": "3600"}, body: rateLimitBody(25, 5)})
	env := setup(t, s)
	waiting := make(chan struct{})
	env.c.doer.sleep = func(ctx context.Context, d time.Duration) error {
		if d != time.Hour {
			t.Errorf("wait %s, want 1h", d)
		}
		close(waiting)
		return sleepCtx(ctx, d)
	}
	go func() {
		<-waiting
		cancel()
	}()
	start := time.Now()
	_, err := env.c.API().GetUserByIDWithResponse(ctx, &api.GetUserByIDParams{UserID: "u"})
	if time.Since(start) > 10*time.Second {
		t.Errorf("cancellation took %s", time.Since(start))
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	var rl *RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter != time.Hour {
		t.Errorf("last rate-limit error not reachable: %v", err)
	}
	if s.Hits() != 1 {
		t.Errorf("%d hits", s.Hits())
	}
}

// A request whose context ends while in flight is not retried, even when idempotent.
func TestCancelledInFlightNotRetried(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	s := serve(reply{drop: true})
	s.onHit = func(int, *http.Request) { cancel() }
	env := setup(t, s)
	_, err := env.c.API().GetUserByIDWithResponse(ctx, &api.GetUserByIDParams{UserID: "u"})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	assertNoSecret(t, "error", err.Error())
	if n := len(env.clock.Sleeps()); n != 0 || s.Hits() != 1 {
		t.Errorf("%d retry waits, %d hits after cancellation", n, s.Hits())
	}
}

// A wait that would outlast the context's deadline is not started.
func TestWaitBeyondDeadlineFailsFast(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	s := serve(reply{status: 429, header: map[string]string{"Retry-After": "3600"}, body: rateLimitBody(25, 5)})
	env := setup(t, s)
	_, err := env.c.API().GetUserByIDWithResponse(ctx, &api.GetUserByIDParams{UserID: "u"})
	var rl *RateLimitError
	if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &rl) {
		t.Fatalf("err = %v", err)
	}
	if n := len(env.clock.Sleeps()); n != 0 || s.Hits() != 1 {
		t.Errorf("%d waits, %d hits", n, s.Hits())
	}
}

func TestSleepCtx(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	start := time.Now()
	if err := sleepCtx(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
	if err := sleepCtx(t.Context(), time.Millisecond); err != nil {
		t.Errorf("err = %v", err)
	}
	if err := sleepCtx(t.Context(), 0); err != nil {
		t.Errorf("err = %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Error("sleepCtx ignored the context")
	}
}

// Non-retryable client errors come back once, as *APIError.
func TestClientErrorsNotRetried(t *testing.T) {
	t.Parallel()
	for _, status := range []int{400, 401, 403, 404} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			t.Parallel()
			s := serve(reply{status: status, body: `{"Status":"Error","ExceptionType":"MXUnAuthorizedAccessException","ExceptionMessage":"Invalid keys"}`})
			env := setup(t, s)
			resp, err := getUser(t, env.c)
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != status || resp != nil {
				t.Fatalf("err = %v", err)
			}
			var rl *RateLimitError
			if errors.As(err, &rl) {
				t.Error("became a rate-limit error")
			}
			if s.Hits() != 1 {
				t.Errorf("%d hits", s.Hits())
			}
		})
	}
}
