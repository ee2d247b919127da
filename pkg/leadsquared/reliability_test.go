package leadsquared

// Reliability tests: fault injection through the fake server (lsqtest), concurrency, and bad
// input at every boundary. They live in package leadsquared (not leadsquared_test) to run
// the client's retry waits and limiter on the injected fake clock of helpers_test.go: a
// rate-limit storm then takes no real time. `go test -long` runs them longer.

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"go.uber.org/goleak"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
	"github.com/leadsquared-go/leadsquared-go/pkg/validate"
)

var longRun = flag.Bool("long", false, "run the reliability tests longer (more calls, a 50 MB reply)")

// scale returns short, or long under -long.
func scale(short, long int) int {
	if *longRun {
		return long
	}
	return short
}

// checkLeaks fails the test if goroutines started during it are still running after its
// cleanups (servers closed, idle connections closed). Call it first: cleanups run last-in
// first-out, so the check runs after every other cleanup. Tests that use it must not be
// parallel, or they would see each other's goroutines.
func checkLeaks(t *testing.T) {
	t.Helper()
	opt := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, opt) })
}

// checkBodies fails the test if a response body the transport handed out was not closed.
func checkBodies(t *testing.T, ct *countingTransport) {
	t.Helper()
	t.Cleanup(func() {
		if got, closed := ct.responses.Load(), ct.closed.Load(); got != closed {
			t.Errorf("response bodies: %d handed out, %d closed", got, closed)
		}
	})
}

// relEnv is a client on a counting transport, talking to a fake LeadSquared that reads the
// same fake clock as the client's retries and limiter.
type relEnv struct {
	srv   *lsqtest.Server
	c     *Client
	ct    *countingTransport
	clock *fakeClock
}

// newRelEnv starts a fake with the test keys (they need escaping) and returns a client for
// it. It registers the leak and open-body checks, so call it before anything else.
func newRelEnv(t *testing.T, srvOpts []lsqtest.Option, opts ...Option) *relEnv {
	t.Helper()
	checkLeaks(t)
	fc := newFakeClock()
	srv, err := lsqtest.NewServer(append([]lsqtest.Option{lsqtest.WithKeys(testAccessKey, testSecretKey), lsqtest.WithClock(fc.Now)}, srvOpts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	tr := &http.Transport{MaxIdleConnsPerHost: 100}
	t.Cleanup(tr.CloseIdleConnections)
	ct := &countingTransport{base: tr}
	checkBodies(t, ct)
	all := append([]Option{WithHTTPClient(&http.Client{Transport: ct, Timeout: time.Minute})}, opts...)
	c, err := New(srv.URL, testAccessKey, testSecretKey, all...)
	if err != nil {
		t.Fatal(err)
	}
	useClock(c, fc)
	c.doer.rand = func() float64 { return 0 }
	return &relEnv{srv: srv, c: c, ct: ct, clock: fc}
}

// errKind names the typed error err is: "ratelimit" (*RateLimitError), "api" (*APIError),
// "transport" (*url.Error), "deadline" (the context's deadline), or "" for anything else.
func errKind(err error) string {
	var rl *RateLimitError
	var ae *APIError
	var ue *url.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "deadline"
	case errors.As(err, &rl):
		return "ratelimit"
	case errors.As(err, &ae):
		return "api"
	case errors.As(err, &ue):
		return "transport"
	}
	return ""
}

// callCtx bounds one call in real time: a hang fails the test instead of stalling it.
func callCtx(t *testing.T) (context.Context, context.CancelFunc) {
	return context.WithTimeout(t.Context(), 30*time.Second)
}

// faultKind is a fault the fake can inject, and the error it leaves when it is the last.
type faultKind struct {
	name  string
	fault lsqtest.Fault
	kind  string // errKind of the call's error when this fault is its last attempt
}

// readFaults are the faults of a bad day, for idempotent calls (retried). The 5xx come from
// a gateway, without LeadSquared's error body: a 5xx with it is an answer, not retried.
var readFaults = []faultKind{
	{"500", lsqtest.Fault{Status: 500, Body: gatewayJSON500}, "api"},
	{"502", lsqtest.Fault{Status: 502, Body: gatewayPage502}, "api"},
	{"503", lsqtest.Fault{Status: 503, Body: gatewayText503}, "api"},
	{"503 after work", lsqtest.Fault{Status: 503, Body: gatewayText503, AfterWork: true}, "api"},
	{"drop", lsqtest.Fault{Drop: true}, "transport"},
	{"drop after work", lsqtest.Fault{Drop: true, AfterWork: true}, "transport"},
	{"429", lsqtest.Fault{Status: 429}, "ratelimit"},
	{"403 rate limit", lsqtest.Fault{Status: 403, Body: rateLimitBody(25, 5)}, "ratelimit"},
	{"200 rate limit", lsqtest.Fault{Status: 200, Body: rateLimitBody(25, 5)}, "ratelimit"},
}

// Every idempotent call (a GET, and a POST the spec marks x-idempotent) rides out bursts of
// 5xx, dropped connections and rate-limit errors: with at most DefaultMaxRetries faults in a
// row it succeeds; with more, it returns a typed error after exactly DefaultMaxRetries+1
// attempts. No error holds a key; every response body is closed; no goroutine is left.
func TestReliabilityIdempotentCallsRideOutFaults(t *testing.T) {
	e := newRelEnv(t, nil)
	rng := rand.New(rand.NewPCG(7, uint64(scale(1, 2))))
	calls := scale(60, 600)
	var succeeded, failed int
	for i := range calls {
		post := i%2 == 1 // AdvancedSearchUsers: the transport never replays a POST itself
		op := api.OpGetUserByID
		if post {
			op = api.OpAdvancedSearchUsers
		}
		k := rng.IntN(DefaultMaxRetries + 3) // 0..5 faults in a row
		faults := make([]faultKind, k)
		for j := range faults {
			faults[j] = readFaults[rng.IntN(len(readFaults))]
			if err := e.srv.FailNext(op, 1, faults[j].fault); err != nil {
				t.Fatal(err)
			}
		}
		before := len(e.ct.Requests())
		ctx, cancel := callCtx(t)
		var err error
		if post {
			var res *api.AdvancedSearchUsersResponse
			if res, err = e.c.API().AdvancedSearchUsersWithResponse(ctx, api.UserSearchRequest{}); err == nil && res.JSON200 == nil {
				err = fmt.Errorf("no JSON200 (status %d)", res.StatusCode())
			}
		} else {
			var res *api.GetUserByIDResponse
			if res, err = e.c.API().GetUserByIDWithResponse(ctx, &api.GetUserByIDParams{UserID: e.srv.OwnerID}); err == nil && (res.JSON200 == nil || len(*res.JSON200) != 1) {
				err = fmt.Errorf("want the owner (status %d)", res.StatusCode())
			}
		}
		cancel()
		e.srv.ClearFaults()
		attempts := len(e.ct.Requests()) - before
		names := make([]string, k)
		for j, f := range faults {
			names[j] = f.name
		}
		what := fmt.Sprintf("call %d %s after faults %q", i, op, names)
		if err != nil {
			assertNoSecret(t, what+": error", err.Error())
		}
		switch {
		case k <= DefaultMaxRetries && err != nil:
			t.Errorf("%s: %v (%d attempts), want success", what, err, attempts)
		case err == nil:
			succeeded++
			if post && attempts != k+1 {
				t.Errorf("%s: %d attempts, want %d", what, attempts, k+1)
			}
		default:
			failed++
			kind := errKind(err)
			if kind == "" || kind == "deadline" {
				t.Errorf("%s: untyped error %T: %v", what, err, err)
			}
			// A GET may be replayed by net/http itself on a reused connection, which uses up
			// a fault without an attempt of the client's; a POST never is.
			if post && kind != faults[DefaultMaxRetries].kind {
				t.Errorf("%s: error %q is %s, want %s", what, err, kind, faults[DefaultMaxRetries].kind)
			}
			if attempts != DefaultMaxRetries+1 {
				t.Errorf("%s: %d attempts, want %d", what, attempts, DefaultMaxRetries+1)
			}
		}
	}
	if succeeded == 0 || failed == 0 {
		t.Errorf("the fault mix is too tame: %d succeeded, %d failed", succeeded, failed)
	}
	t.Logf("%d calls: %d succeeded, %d returned a typed error; %d retry waits (fake clock)", calls, succeeded, failed, len(e.clock.Sleeps()))
}

// createScenario is one CreateUser call of a batch: the faults queued for it and what the
// fake's state and the caller must show afterwards.
type createScenario struct {
	name     string
	faults   []lsqtest.Fault
	created  bool   // the fake holds the user afterwards
	kind     string // errKind of the error; "" for success
	attempts int    // attempts the fake sees
	deadline time.Duration
}

var createScenarios = []createScenario{
	{name: "clean", created: true, attempts: 1},
	{name: "500 after the work", faults: []lsqtest.Fault{{Status: 500, AfterWork: true}}, created: true, kind: "api", attempts: 1},
	{name: "502 after the work", faults: []lsqtest.Fault{{Status: 502, AfterWork: true}}, created: true, kind: "api", attempts: 1},
	{name: "dropped after the work", faults: []lsqtest.Fault{{Drop: true, AfterWork: true}}, created: true, kind: "transport", attempts: 1},
	{name: "503 before the work", faults: []lsqtest.Fault{{Status: 503}}, kind: "api", attempts: 1},
	{name: "dropped before the work", faults: []lsqtest.Fault{{Drop: true}}, kind: "transport", attempts: 1},
	{name: "rate limited once", faults: []lsqtest.Fault{{Status: 429}}, created: true, attempts: 2},
	{name: "rate limited in every form", faults: []lsqtest.Fault{{Status: 403, Body: rateLimitBody(25, 5)}, {Status: 200, Body: rateLimitBody(25, 5)}, {Status: 429}}, created: true, attempts: 4},
	{name: "rate-limit storm", faults: []lsqtest.Fault{{Status: 429}, {Status: 429}, {Status: 429}, {Status: 429}}, kind: "ratelimit", attempts: 4},
}

// slowCreate answers after the caller's deadline, the user created: the caller gets a
// deadline error and must not retry.
var slowCreate = createScenario{name: "slow answer past the deadline", faults: []lsqtest.Fault{{Delay: time.Minute, AfterWork: true}},
	created: true, kind: "deadline", attempts: 1, deadline: 100 * time.Millisecond}

// A batch of non-idempotent CreateUser calls under 5xx, dropped connections (before and after
// the work), rate-limit storms and slow answers never creates a user twice: the fake holds
// exactly the users whose create reached it, and saw exactly the attempts expected (a
// create is retried only after a rate-limit error, when the server did no work).
func TestReliabilityCreatesNeverDuplicate(t *testing.T) {
	e := newRelEnv(t, nil)
	rng := rand.New(rand.NewPCG(11, uint64(scale(1, 2))))
	n := scale(40, 400)
	plan := make([]createScenario, n)
	for i := range plan {
		plan[i] = createScenarios[rng.IntN(len(createScenarios))]
	}
	plan[0], plan[n/2] = slowCreate, slowCreate
	wantAttempts, wantCreated := 0, 0
	for i, sc := range plan {
		for _, f := range sc.faults {
			if err := e.srv.FailNext("CreateUser", 1, f); err != nil {
				t.Fatal(err)
			}
		}
		ctx, cancel := callCtx(t)
		if sc.deadline > 0 {
			cancel()
			ctx, cancel = context.WithTimeout(t.Context(), sc.deadline)
		}
		res, err := e.c.API().CreateUserWithResponse(ctx, api.CreateUserJSONRequestBody{
			FirstName: "Batch", EmailAddress: fmt.Sprintf("batch%d@example.com", i), Role: api.RoleSalesUser})
		cancel()
		e.srv.ClearFaults()
		what := fmt.Sprintf("create %d (%s)", i, sc.name)
		switch {
		case sc.kind == "" && err != nil:
			t.Errorf("%s: %v, want success", what, err)
		case sc.kind == "" && (res.JSON200 == nil || res.JSON200.Message.ID == ""):
			t.Errorf("%s: no id in the answer (status %d)", what, res.StatusCode())
		case sc.kind != "" && errKind(err) != sc.kind:
			t.Errorf("%s: error %v (%s), want a %s error", what, err, errKind(err), sc.kind)
		}
		if err != nil {
			assertNoSecret(t, what+": error", err.Error())
		}
		wantAttempts += sc.attempts
		if sc.created {
			wantCreated++
		}
	}
	e.srv.Close() // waits for the answers cut short by the callers' deadlines

	byEmail := map[string]int{}
	for _, u := range e.srv.Users() {
		byEmail[u.EmailAddress]++
	}
	for i, sc := range plan {
		email := fmt.Sprintf("batch%d@example.com", i)
		want := 0
		if sc.created {
			want = 1
		}
		if byEmail[email] != want {
			t.Errorf("create %d (%s): the fake holds %d users with %s, want %d", i, sc.name, byEmail[email], email, want)
		}
	}
	if got := e.srv.Count("CreateUser"); got != wantAttempts {
		t.Errorf("the fake saw %d CreateUser attempts, want %d", got, wantAttempts)
	}
	if got := e.srv.UserCount(); got != 1+wantCreated {
		t.Errorf("UserCount %d, want 1 (the owner) + %d", got, wantCreated)
	}
	for _, r := range e.srv.Requests() {
		if !r.Fault && r.Status != http.StatusOK {
			t.Errorf("an unscripted %d answer to %s: a duplicate or invalid create (%s)", r.Status, r.OperationID, r.Body)
		}
	}
}

// A slow answer past the caller's deadline ends the call at the deadline with an error that
// says so; a rate-limit wait that would outlast the deadline is not started.
func TestReliabilitySlowResponsesPastDeadline(t *testing.T) {
	e := newRelEnv(t, nil)
	if err := e.srv.FailNext("GetUserById", 1, lsqtest.Fault{Delay: time.Minute}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	start := time.Now()
	_, err := e.c.API().GetUserByIDWithResponse(ctx, &api.GetUserByIDParams{UserID: e.srv.OwnerID})
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("slow answer: %v, want the deadline", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("slow answer: the call took %s, want about the 100 ms deadline", d)
	}
	assertNoSecret(t, "deadline error", err.Error())

	// The server asks for a 5 s wait (fake clock), the caller has 2 s (real): fail at once.
	if err := e.srv.FailNext("GetUserById", 1, lsqtest.Fault{Status: 429}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel = context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	before := len(e.clock.Sleeps())
	_, err = e.c.API().GetUserByIDWithResponse(ctx, &api.GetUserByIDParams{UserID: e.srv.OwnerID})
	var rl *RateLimitError
	if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &rl) {
		t.Fatalf("rate limited near the deadline: %v, want the deadline and the *RateLimitError", err)
	}
	if n := len(e.clock.Sleeps()) - before; n != 0 {
		t.Errorf("waited %d times before giving up, want 0", n)
	}
}

// 100 goroutines share one client and one limiter (WithRateLimit) against a fake that
// enforces the same limit (403 form) and fails some reads with 503: every call succeeds or
// returns a typed error, the limiter never lets more than its limit start in any window,
// every create is applied once, and -race sees no race.
func TestReliabilityConcurrentSharedClient(t *testing.T) {
	const calls, per = 10, time.Second
	e := newRelEnv(t, []lsqtest.Option{lsqtest.WithRateLimit(calls, per, lsqtest.Form403)}, WithRateLimit(calls, per), WithMaxRetries(6))
	l := e.c.doer.limiter.(*SlidingWindowLimiter)
	var grants []time.Time
	l.mu.Lock()
	l.grant = func(t time.Time) { grants = append(grants, t) } // under l.mu
	l.mu.Unlock()
	if err := e.srv.FailNext("GetUserById", 20, lsqtest.Fault{Status: 503, Body: gatewayText503}); err != nil {
		t.Fatal(err)
	}

	const workers = 100
	each := scale(3, 15)
	var created, ok atomic.Int64
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				ctx, cancel := callCtx(t)
				var err error
				switch i % 3 {
				case 0:
					_, err = e.c.API().GetUserByIDWithResponse(ctx, &api.GetUserByIDParams{UserID: e.srv.OwnerID})
				case 1:
					_, err = e.c.API().AdvancedSearchUsersWithResponse(ctx, api.UserSearchRequest{})
				case 2:
					var res *api.CreateUserResponse
					res, err = e.c.API().CreateUserWithResponse(ctx, api.CreateUserJSONRequestBody{
						FirstName: "Worker", EmailAddress: fmt.Sprintf("w%d-%d@example.com", w, i), Role: api.RoleSalesUser})
					if err == nil && res.JSON200 != nil {
						created.Add(1)
					}
				}
				cancel()
				if err == nil {
					ok.Add(1)
					continue
				}
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if k := errKind(err); k != "ratelimit" && k != "api" {
			t.Errorf("untyped or unexpected error %T: %v", err, err)
		}
		assertNoSecret(t, "error", err.Error())
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := calls; i < len(grants); i++ {
		if d := grants[i].Sub(grants[i-calls]); d < per {
			t.Fatalf("the limiter started %d attempts within %s (attempts %d..%d)", calls+1, d, i-calls, i)
		}
	}
	if got, want := e.srv.UserCount(), 1+int(created.Load()); got != want {
		t.Errorf("UserCount %d, want 1 + %d created", got, created.Load())
	}
	t.Logf("%d calls: %d succeeded, %d typed errors; %d attempts started", workers*each, ok.Load(), len(errs), len(grants))
}

// hugeReply streams a 200 GetUserByID answer of about size bytes: one user whose FirstName
// is size bytes long, written in chunks, so the server never holds it whole.
func hugeReply(size int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `[{"UserId":"3b1041fb-8374-11e7-8758-0a106ee76b21","FirstName":"`)
		chunk := []byte(strings.Repeat("a", 64<<10))
		for left := size; left > 0; left -= len(chunk) {
			if _, err := w.Write(chunk[:min(len(chunk), left)]); err != nil {
				return
			}
		}
		_, _ = io.WriteString(w, `"}]`)
	}
}

// endlessReply streams a body that never ends, until the client leaves.
func endlessReply(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `[`)
	chunk := []byte(strings.Repeat(" ", 64<<10))
	for r.Context().Err() == nil {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

// Bad replies at the client's boundary: malformed JSON, the wrong JSON type, empty bodies,
// HTML where JSON was due, invalid UTF-8, keys echoed in error bodies, a huge body, an
// endless body. Each gives a clear error or a correct result: never a panic, never a key in
// an error.
func TestReliabilityBadReplies(t *testing.T) {
	secretEcho := `{"Status":"Error","ExceptionType":"MXUnAuthorizedAccessException","ExceptionMessage":"bad keys ` +
		testAccessKey + ` / ` + url.QueryEscape(testSecretKey) + `"}`
	tests := []struct {
		name    string
		reply   reply
		opts    []Option
		wantErr string // errKind, or "json" for a decoding error, "validate" for a *validate.Error, "" for none
		check   func(t *testing.T, res *api.GetUserByIDResponse, err error)
	}{
		{name: "malformed JSON", reply: reply{status: 200, body: `[{"UserId":`}, wantErr: "json"},
		{name: "wrong JSON type", reply: reply{status: 200, body: `{"UserId":5}`}, wantErr: "json"},
		{name: "empty 200 body", reply: reply{status: 200, body: ``}, wantErr: "json"},
		{name: "malformed JSON error body", reply: reply{status: 400, body: `{"Status":"Err`}, wantErr: "api",
			check: func(t *testing.T, _ *api.GetUserByIDResponse, err error) {
				var ae *APIError
				if errors.As(err, &ae) && (ae.StatusCode != 400 || string(ae.Body) != `{"Status":"Err`) {
					t.Errorf("APIError %d %q, want 400 and the raw body", ae.StatusCode, ae.Body)
				}
			}},
		{name: "HTML error page", reply: reply{status: 502, header: map[string]string{"Content-Type": "text/html"}, body: `<html><body>Bad Gateway</body></html>`}, wantErr: "api"},
		{name: "HTML with 200", reply: reply{status: 200, header: map[string]string{"Content-Type": "text/html"}, body: `<html>maintenance</html>`},
			wantErr: "api",
			check: func(t *testing.T, _ *api.GetUserByIDResponse, err error) {
				// A maintenance page is a failure, retried like a 5xx for a read.
				var ae *APIError
				if !errors.As(err, &ae) || ae.StatusCode != 200 || !strings.Contains(ae.ExceptionMessage, "HTML") || string(ae.Body) != `<html>maintenance</html>` {
					t.Errorf("got %v; want an *APIError 200 saying HTML, with the raw body", err)
				}
			}},
		{name: "HTML with 200, responses validated", reply: reply{status: 200, header: map[string]string{"Content-Type": "text/html"}, body: `<html>maintenance</html>`},
			opts: []Option{WithResponseValidation()}, wantErr: "api"},
		{name: "JSON error body with a text content type", reply: reply{status: 200, header: map[string]string{"Content-Type": "text/plain"},
			body: `{"Status":"Error","ExceptionType":"MXInvalidInputException","ExceptionMessage":"Invalid Input!"}`}, wantErr: "api"},
		{name: "invalid UTF-8 in a success", reply: reply{status: 200, body: "[{\"FirstName\":\"Ad\xff\xfea\"}]"},
			check: func(t *testing.T, res *api.GetUserByIDResponse, err error) {
				if err != nil || res.JSON200 == nil || len(*res.JSON200) != 1 || (*res.JSON200)[0].FirstName != "Ad\uFFFD\uFFFDa" {
					t.Errorf("got %v; want the user, invalid bytes replaced", err)
				}
			}},
		{name: "invalid UTF-8 in an error", reply: reply{status: 500, body: "{\"Status\":\"Error\",\"ExceptionType\":\"MXException\",\"ExceptionMessage\":\"bro\xffken\"}"}, wantErr: "api"},
		{name: "keys echoed in an error body", reply: reply{status: 401, body: secretEcho}, wantErr: "api",
			check: func(t *testing.T, _ *api.GetUserByIDResponse, err error) {
				var ae *APIError
				if errors.As(err, &ae) {
					assertNoSecret(t, "APIError.Body", string(ae.Body))
					assertNoSecret(t, "APIError.ExceptionMessage", ae.ExceptionMessage)
				}
			}},
		{name: "keys echoed in a 200 error body", reply: reply{status: 200, body: secretEcho}, wantErr: "api"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkLeaks(t)
			e := setup(t, serve(tc.reply), tc.opts...)
			checkBodies(t, e.ct)
			res, err := getUser(t, e.c)
			if err != nil {
				assertNoSecret(t, "error", err.Error())
				if !utf8.ValidString(err.Error()) {
					t.Errorf("error text is not valid UTF-8: %q", err.Error())
				}
			}
			switch tc.wantErr {
			case "":
				if tc.check == nil && err != nil {
					t.Errorf("error %v, want none", err)
				}
			case "json":
				var se *json.SyntaxError
				var te *json.UnmarshalTypeError
				if !errors.As(err, &se) && !errors.As(err, &te) {
					t.Errorf("error %T %v, want a JSON decoding error", err, err)
				}
			case "validate":
				var ve *validate.Error
				if !errors.As(err, &ve) {
					t.Errorf("error %T %v, want a *validate.Error", err, err)
				}
			default:
				if k := errKind(err); k != tc.wantErr {
					t.Errorf("error %T %v (%s), want %s", err, err, k, tc.wantErr)
				}
			}
			if tc.check != nil {
				tc.check(t, res, err)
			}
		})
	}
}

// A huge reply (8 MB; 50 MB with -long) is read and decoded, within bounded time; an endless
// reply ends at the caller's deadline with an error that says so. Neither hangs or panics.
func TestReliabilityHugeAndEndlessReplies(t *testing.T) {
	t.Run("huge", func(t *testing.T) {
		checkLeaks(t)
		size := scale(8<<20, 50<<20)
		e := setup(t, hugeReply(size))
		checkBodies(t, e.ct)
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		res, err := e.c.API().GetUserByIDWithResponse(ctx, &api.GetUserByIDParams{UserID: "u"})
		if err != nil {
			t.Fatalf("huge reply: %v", err)
		}
		if res.JSON200 == nil || len(*res.JSON200) != 1 || len((*res.JSON200)[0].FirstName) != size {
			t.Fatalf("huge reply: not decoded whole")
		}
	})
	t.Run("endless", func(t *testing.T) {
		checkLeaks(t)
		e := setup(t, http.HandlerFunc(endlessReply))
		checkBodies(t, e.ct)
		ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := e.c.API().GetUserByIDWithResponse(ctx, &api.GetUserByIDParams{UserID: "u"})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("endless reply: %v, want the deadline", err)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("endless reply: returned after %s", d)
		}
		assertNoSecret(t, "error", err.Error())
		if n := len(e.ct.Requests()); n != 1 {
			t.Errorf("%d attempts, want 1 (no retry past the deadline)", n)
		}
	})
}

// Keys with special characters authenticate in either form (query or headers), and bad
// keys at the client's boundary give a clear error without the key: wrong keys (401), a
// key a header cannot carry.
func TestReliabilitySpecialKeys(t *testing.T) {
	for _, opts := range [][]Option{nil, {WithHeaderAuth()}} {
		t.Run(fmt.Sprintf("header=%v", opts != nil), func(t *testing.T) {
			e := newRelEnv(t, nil, opts...)
			res, err := e.c.API().GetUserByIDWithResponse(t.Context(), &api.GetUserByIDParams{UserID: e.srv.OwnerID})
			if err != nil || res.JSON200 == nil || len(*res.JSON200) != 1 {
				t.Fatalf("keys with special characters: %s", maskSecrets(fmt.Sprint(err)))
			}
			wrong, err := New(e.srv.URL, testAccessKey, testSecretKey+"x", append(opts, WithHTTPClient(&http.Client{Transport: e.ct}))...)
			if err != nil {
				t.Fatal(err)
			}
			_, err = wrong.API().GetUserByIDWithResponse(t.Context(), &api.GetUserByIDParams{UserID: e.srv.OwnerID})
			var ae *APIError
			if !errors.As(err, &ae) || ae.StatusCode != http.StatusUnauthorized {
				t.Fatalf("wrong key: %v, want a 401 *APIError", err)
			}
			assertNoSecret(t, "401 error", err.Error())
			if strings.Contains(err.Error(), testSecretKey+"x") {
				t.Errorf("401 error holds the wrong key: %v", err)
			}
		})
	}
	t.Run("unsendable key", func(t *testing.T) {
		const bad = "acc\nKEY-line-2"
		for _, opts := range [][]Option{nil, {WithHeaderAuth()}} {
			_, err := New("https://api.leadsquared.com/v2", bad, testSecretKey, opts...)
			if err == nil {
				t.Fatal("New accepted a key with a newline")
			}
			for i, s := range []string{bad, "KEY-line-2", testSecretKey, url.QueryEscape(testSecretKey)} {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error holds key form %d: %s", i, maskSecrets(strings.ReplaceAll(err.Error(), "KEY-line-2", "<KEY>")))
				}
			}
		}
		if _, err := New("https://api.leadsquared.com/v2", testAccessKey, "s\x00", WithHeaderAuth()); err == nil {
			t.Error("New accepted a secret key with a NUL")
		}
	})
}

// The client reads each reply into a pooled buffer and hands it to the caller: a reply the
// caller keeps is never overwritten by a later call, a body read after Close fails, and
// Close is idempotent.
func TestReliabilityPooledBodies(t *testing.T) {
	checkLeaks(t)
	first := `[{"UserId":"11111111-8374-11e7-8758-0a106ee76b21","FirstName":"First"}]`
	second := `[{"UserId":"22222222-8374-11e7-8758-0a106ee76b21","FirstName":"Second, a longer name"}]`
	e := setup(t, serve(reply{status: 200, body: first}, reply{status: 200, body: second}, reply{status: 200, body: first}))
	checkBodies(t, e.ct)
	res1, err := getUser(t, e.c)
	if err != nil {
		t.Fatal(err)
	}
	res2, err := getUser(t, e.c)
	if err != nil {
		t.Fatal(err)
	}
	if string(res1.Body) != first || string(res2.Body) != second || (*res1.JSON200)[0].FirstName != "First" {
		t.Fatalf("replies mixed up: %q, %q", res1.Body, res2.Body)
	}

	resp, err := e.c.API().GetUserByID(t.Context(), &api.GetUserByIDParams{UserID: "u"}) // the raw *http.Response
	if err != nil {
		t.Fatal(err)
	}
	if resp.ContentLength != int64(len(first)) {
		t.Errorf("ContentLength %d, want %d", resp.ContentLength, len(first))
	}
	head := make([]byte, 5)
	if _, err := io.ReadFull(resp.Body, head); err != nil || string(head) != first[:5] {
		t.Fatalf("read %q, %v", head, err)
	}
	if err := resp.Body.Close(); err != nil {
		t.Fatal(err)
	}
	if err := resp.Body.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if n, err := resp.Body.Read(head); n != 0 || !errors.Is(err, http.ErrBodyReadAfterClose) {
		t.Errorf("read after Close: %d, %v; want http.ErrBodyReadAfterClose", n, err)
	}
	if string(res1.Body) != first {
		t.Errorf("a kept reply changed: %q", res1.Body)
	}
}
