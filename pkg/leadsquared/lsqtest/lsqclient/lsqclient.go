// Package lsqclient gives tests a [leadsquared.Client] wired to a fake LeadSquared
// ([lsqtest.Server]), with retries that wait milliseconds instead of the client's default
// half a second and more, so that a test injecting faults (lsqtest's FailNext) stays fast.
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

// Backoff bounds are the retry waits of the clients New makes (see [leadsquared.WithBackoff]).
const (
	MinBackoff = time.Millisecond
	MaxBackoff = 5 * time.Millisecond
)

// New returns a client for srv, with srv's keys and retry waits of [MinBackoff] to
// [MaxBackoff]; opts come after those, so they can override them. It fails the test when
// the options are invalid, and closes the client's idle connections when the test ends.
func New(t testing.TB, srv *lsqtest.Server, opts ...leadsquared.Option) *leadsquared.Client {
	t.Helper()
	all := append([]leadsquared.Option{leadsquared.WithBackoff(MinBackoff, MaxBackoff)}, opts...)
	c, err := leadsquared.New(srv.URL, srv.AccessKey, srv.SecretKey, all...)
	if err != nil {
		t.Fatalf("lsqclient: %v", err)
	}
	return c
}
