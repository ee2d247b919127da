package lsqclient_test

import (
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest/lsqclient"
)

// A client from New talks to the fake with its keys and retries injected faults after
// millisecond waits: ten 503s in a row are ridden out, each retry waiting at most MaxBackoff
// (the client's default would wait seconds).
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
	reqs := srv.Requests()
	first, last := reqs[0].Time, reqs[len(reqs)-1].Time
	if d := last.Sub(first); d > 10*lsqclient.MaxBackoff+2e9 { // generous for a busy machine; the default backoff would take over 30 s
		t.Errorf("10 retries took %s", d)
	}
}
