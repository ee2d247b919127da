package lsqclient_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
)

// What lsqclient.New(t, srv) makes, outside a test: a client on the fake's clock. Two
// injected 429s with LeadSquared's body (a 5-second window) are ridden out at once, and the
// waits a real client makes are there to assert.
func Example() {
	srv, err := lsqtest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := leadsquared.New(srv.URL, srv.AccessKey, srv.SecretKey, leadsquared.WithClock(srv.Clock()))
	if err != nil {
		log.Fatal(err)
	}

	_ = srv.FailNext(api.OpGetUsers, 2, lsqtest.Fault{Status: 429})
	start := time.Now()
	users, err := c.GetUsers(context.Background())
	fmt.Println(len(users), err, srv.Count(api.OpGetUsers))
	fmt.Println(srv.Clock().Waits(), time.Since(start) < 5*time.Second)
	// Output:
	// 1 <nil> 3
	// [5s 5s] true
}

// The fake's rate limit takes a sub-second window, and a client adopts it from the first
// rejection: 10 calls at 3 in 200 ms. The fake's time stands still but for the client's
// waits (WithClock), so the output does not depend on the machine's speed.
func Example_subSecondRateLimit() {
	t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	srv, err := lsqtest.NewServer(lsqtest.WithRateLimit(3, 200*time.Millisecond, lsqtest.Form429),
		lsqtest.WithClock(func() time.Time { return t0 }))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := leadsquared.New(srv.URL, srv.AccessKey, srv.SecretKey, leadsquared.WithClock(srv.Clock()))
	if err != nil {
		log.Fatal(err)
	}
	for range 10 {
		if _, err := c.GetUsers(context.Background()); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println(srv.Clock().Waits()[0], srv.Clock().Now().Sub(t0) >= 3*200*time.Millisecond)
	// Output: 200ms true
}
