// Package lsqclient gives tests a [leadsquared.Client] wired to a fake LeadSquared
// ([lsqtest.Server]) that never waits in real time: its retry waits and its rate limiter's
// waits go through the server's [lsqtest.Clock], which skips them, so a test injecting faults
// (lsqtest's FailNext) or rate limits stays fast. The waits are still computed as a real
// client's and kept: srv.Clock().Waits() lists them, for the test to assert.
//
// A rate-limit answer with LeadSquared's body names a 5-second window; the client waits it,
// on the clock, in microseconds:
//
//	srv := lsqtest.MustNewServer(t)
//	c := lsqclient.New(t, srv)
//	_ = srv.FailNext(api.OpGetUsers, 2, lsqtest.Fault{Status: 429})
//	users, err := c.GetUsers(t.Context()) // the third attempt succeeds, at once
//	// srv.Clock().Waits() is [5s 5s]: the waits a client on the real clock would make
//
// The fake's own rate limit takes sub-second windows, for a test of rate limiting that
// runs in real time (a client without the fake's clock, lsq against `lsq fake`):
//
//	srv := lsqtest.MustNewServer(t, lsqtest.WithRateLimit(3, 200*time.Millisecond, lsqtest.Form429))
//
// A client on the server's clock adopts the window the answer names and paces its calls
// on the clock too, so the same test through New takes no real time at all.
//
// It is a package of its own because package lsqtest cannot import package leadsquared:
// leadsquared's own tests use lsqtest.
package lsqclient

import (
	"testing"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
)

// Backoff bounds are the retry waits of the clients New makes (see [leadsquared.WithBackoff]),
// when the server names no wait. They are waited on the server's clock, like every wait.
const (
	MinBackoff = time.Millisecond
	MaxBackoff = 5 * time.Millisecond
)

// New returns a client for srv, with srv's keys, srv's clock ([leadsquared.WithClock] with
// [lsqtest.Server.Clock]: no wait takes real time) and retry waits of [MinBackoff] to
// [MaxBackoff]; opts come after those, so they can override them (a WithClock of your
// own, say). It fails the test when the options are invalid, or when srv has no URL (nil,
// or made by lsqtest.New, which starts no listener).
func New(t testing.TB, srv *lsqtest.Server, opts ...leadsquared.Option) *leadsquared.Client {
	t.Helper()
	if srv == nil || srv.URL == "" {
		// A nil server, a zero one, or lsqtest.New's, which has no listener to call.
		t.Fatalf("lsqclient: the server has no URL: start it with lsqtest.MustNewServer or lsqtest.NewServer")
		return nil
	}
	all := append([]leadsquared.Option{
		leadsquared.WithBackoff(MinBackoff, MaxBackoff),
		leadsquared.WithClock(srv.Clock()),
	}, opts...)
	c, err := leadsquared.New(srv.URL, srv.AccessKey, srv.SecretKey, all...)
	if err != nil {
		t.Fatalf("lsqclient: %v", err)
	}
	return c
}
