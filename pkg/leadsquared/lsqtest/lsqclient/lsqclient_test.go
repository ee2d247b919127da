package lsqclient_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest/lsqclient"
)

// A client from New talks to the fake with its keys and rides out ten 503s in a row with
// backoff waits of MinBackoff to MaxBackoff (the client's default would wait seconds), on
// the server's clock.
func TestNewRetriesFast(t *testing.T) {
	t.Parallel()
	srv := lsqtest.MustNewServer(t)
	c := lsqclient.New(t, srv, leadsquared.WithMaxRetries(10))
	if err := srv.FailNext(api.OpGetUsers, 10, lsqtest.Fault{Status: 503, Body: "Service Unavailable"}); err != nil {
		t.Fatal(err)
	}
	users, err := c.GetUsers(t.Context())
	if err != nil || len(users) != 1 || srv.Count(api.OpGetUsers) != 11 {
		t.Fatalf("GetUsers: %d users, %v, %d calls", len(users), err, srv.Count(api.OpGetUsers))
	}
	waits := srv.Clock().Waits()
	if len(waits) != 10 {
		t.Fatalf("waits %v, want 10", waits)
	}
	for _, w := range waits {
		if w < lsqclient.MinBackoff || w > lsqclient.MaxBackoff {
			t.Errorf("backoff wait %s outside [%s, %s]", w, lsqclient.MinBackoff, lsqclient.MaxBackoff)
		}
	}
}

// An injected 429 carries LeadSquared's body, which names a 5-second window: the client
// waits exactly that, on the server's clock, so the test does not (go test -v shows
// milliseconds; it took 10 s before the clock).
func TestInjected429WaitsTheNamedWindowOnTheClock(t *testing.T) {
	t.Parallel()
	srv := lsqtest.MustNewServer(t)
	c := lsqclient.New(t, srv)
	if err := srv.FailNext(api.OpGetUsers, 2, lsqtest.Fault{Status: 429}); err != nil {
		t.Fatal(err)
	}
	before := srv.Clock().Now()
	if _, err := c.GetUsers(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got, want := srv.Clock().Waits(), []time.Duration{5 * time.Second, 5 * time.Second}; !slices.Equal(got, want) {
		t.Errorf("waits %v, want %v", got, want)
	}
	if n := srv.Count(api.OpGetUsers); n != 3 {
		t.Errorf("%d attempts, want 3", n)
	}
	// The server saw the 10 s pass: its log's times are on the same clock.
	reqs := srv.Requests()
	if d := reqs[len(reqs)-1].Time.Sub(before); d < 10*time.Second {
		t.Errorf("the server's clock moved %s, want at least 10s", d)
	}
}

// When the retries run out, the error is the *RateLimitError a real client returns, after
// the waits a real client makes (three of 5 s; 15 s before the clock).
func TestInjected429RetriesExhausted(t *testing.T) {
	t.Parallel()
	srv := lsqtest.MustNewServer(t)
	c := lsqclient.New(t, srv)
	if err := srv.FailNext(api.OpGetUsers, 4, lsqtest.Fault{Status: 429}); err != nil {
		t.Fatal(err)
	}
	_, err := c.GetUsers(t.Context())
	var rl *leadsquared.RateLimitError
	if !errors.As(err, &rl) || rl.Limit != 25 || rl.Window != 5*time.Second {
		t.Fatalf("err = %v, want a *RateLimitError naming 25 in 5s", err)
	}
	if got := srv.Clock().Slept(); got != 15*time.Second {
		t.Errorf("slept %s (%v), want 15s", got, srv.Clock().Waits())
	}
}

// Against the fake's rate limit (LeadSquared's 25 calls in 5 s), a client on the server's
// clock adopts the limit from the first rejection and paces the rest on the clock: every
// call succeeds, the server's window is never exceeded, and the waits add up to the windows
// a real client would wait.
func TestRateLimitPacedOnTheClock(t *testing.T) {
	t.Parallel()
	// Time stands still but for the client's waits: the outcome does not depend on the
	// machine's speed.
	t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	srv := lsqtest.MustNewServer(t, lsqtest.WithRateLimit(25, 5*time.Second, lsqtest.Form429),
		lsqtest.WithClock(func() time.Time { return t0 }))
	c := lsqclient.New(t, srv)
	for i := range 80 {
		if _, err := c.GetUsers(t.Context()); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	var accepted []time.Time
	rejected := 0
	for _, r := range srv.Requests() {
		if r.Status == 429 {
			rejected++
			continue
		}
		accepted = append(accepted, r.Time)
	}
	if len(accepted) != 80 || rejected != 1 {
		t.Errorf("%d accepted, %d rejected; want 80 and the one that taught the client the limit", len(accepted), rejected)
	}
	for i := 25; i < len(accepted); i++ {
		if d := accepted[i].Sub(accepted[i-25]); d < 5*time.Second { // the fake's window is (now-5s, now]
			t.Errorf("calls %d and %d accepted %s apart: 26 in one 5s window", i-25, i, d)
		}
	}
	if s := srv.Clock().Slept(); s < 15*time.Second {
		t.Errorf("slept %s on the clock, want at least the three windows 80 calls need", s)
	}
}

// The fake takes a sub-second window, and names it in seconds with decimals; a client on
// the real clock reads it, adopts it and waits it for real: 3 calls in 200 ms.
func TestSubSecondRateLimitOnTheRealClock(t *testing.T) {
	t.Parallel()
	srv := lsqtest.MustNewServer(t, lsqtest.WithRateLimit(3, 200*time.Millisecond, lsqtest.Form429))
	c, err := leadsquared.New(srv.URL, srv.AccessKey, srv.SecretKey)
	if err != nil {
		t.Fatal(err)
	}
	var rl *leadsquared.RateLimitError
	for i := range 7 {
		_, err := c.GetUsers(t.Context())
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if err := srv.FailNext(api.OpGetUsers, 1, lsqtest.Fault{Status: 429}); err != nil {
		t.Fatal(err)
	}
	c0, err := leadsquared.New(srv.URL, srv.AccessKey, srv.SecretKey, leadsquared.WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c0.GetUsers(t.Context()); !errors.As(err, &rl) || rl.Limit != 3 || rl.Window != 200*time.Millisecond {
		t.Fatalf("err = %v, want a *RateLimitError naming 3 in 200ms", err)
	}
	if srv.Clock().Slept() != 0 {
		t.Errorf("a client on the real clock slept on the server's: %v", srv.Clock().Waits())
	}
}

// The client's own limiter of WithRateLimit waits on the clock too: 5 calls at 2 a second
// wait two windows there, none in real time. A limiter of WithLimiter keeps its own clock.
func TestWithRateLimitWaitsOnTheClock(t *testing.T) {
	t.Parallel()
	srv := lsqtest.MustNewServer(t)
	c := lsqclient.New(t, srv, leadsquared.WithRateLimit(2, time.Second))
	for i := range 5 {
		if _, err := c.GetUsers(t.Context()); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if s := srv.Clock().Slept(); s < 2*time.Second || s > 3*time.Second {
		t.Errorf("slept %s on the clock (%v), want two windows of 1s and their slack", s, srv.Clock().Waits())
	}

	own, err := leadsquared.NewLimiter(1000, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	srv2 := lsqtest.MustNewServer(t)
	c2 := lsqclient.New(t, srv2, leadsquared.WithLimiter(own))
	if _, err := c2.GetUsers(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := srv2.Clock().Waits(); len(n) != 0 {
		t.Errorf("waits %v on the clock without a wait due", n)
	}
}

// fatalTB records Fatalf, as a test helper's caller sees it, without ending the test.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper() {}
func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
}

// TestNewNamesAServerWithoutURL: a server New cannot call (nil, zero, or lsqtest.New's without
// a listener) fails the test with what to do, rather than panic or blame an option.
func TestNewNamesAServerWithoutURL(t *testing.T) {
	t.Parallel()
	unstarted, err := lsqtest.New()
	if err != nil {
		t.Fatal(err)
	}
	for name, srv := range map[string]*lsqtest.Server{"nil": nil, "zero": {}, "lsqtest.New": unstarted} {
		tb := &fatalTB{TB: t}
		if c := lsqclient.New(tb, srv); c != nil || !strings.Contains(tb.msg, "MustNewServer") {
			t.Errorf("%s server: client %v, Fatalf %q: want nil and a message naming MustNewServer", name, c, tb.msg)
		}
	}
}
