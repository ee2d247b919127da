package leadsquared_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sync/atomic"

	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
)

// A call's options: this GetUsers is not retried and carries a header of its own; its reply's
// metadata and what it took come back through WithResponseInto and WithCallStats.
func ExampleWithResponseInto() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "req-"+r.Header.Get("X-Job-Id"))
		_, _ = io.WriteString(w, `[{"UserId":"3b1041fb-8374-11e7-8758-0a106ee76b21","FirstName":"Ada"}]`)
	}))
	defer srv.Close()
	c, err := leadsquared.New(srv.URL+"/v2", "access-key", "secret-key")
	if err != nil {
		log.Fatal(err)
	}

	var rsp *http.Response
	var stats leadsquared.CallStats
	users, err := c.GetUsers(context.Background(),
		leadsquared.WithMaxRetries(0), leadsquared.WithHeader("X-Job-Id", "42"),
		leadsquared.WithResponseInto(&rsp), leadsquared.WithCallStats(&stats))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(users), rsp.StatusCode, rsp.Header.Get("X-Request-Id"))
	fmt.Println(stats.Operation, stats.Attempts, rsp.Request.URL.Query().Has("accessKey"))
	// Output:
	// 1 200 req-42
	// GetUsers 1 false
}

// A middleware around every attempt: it sees the operation and LeadSquared's reply, here a
// 503 from a gateway that the client retries.
func ExampleWithMiddleware() {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `[]`)
	}))
	defer srv.Close()
	logAttempt := func(req *http.Request, next leadsquared.MiddlewareNext) (*http.Response, error) {
		op, _ := leadsquared.OperationFromContext(req.Context())
		resp, err := next(req)
		if err == nil {
			fmt.Println(op.ID, resp.StatusCode)
		}
		return resp, err
	}
	c, err := leadsquared.New(srv.URL+"/v2", "access-key", "secret-key",
		leadsquared.WithMiddleware(logAttempt), leadsquared.WithBackoff(1, 1))
	if err != nil {
		log.Fatal(err)
	}
	if _, err := c.GetUsers(context.Background()); err != nil {
		log.Fatal(err)
	}
	// Output:
	// GetUsers 503
	// GetUsers 200
}
