package leadsquared_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
)

// fakeLeadSquared stands in for the API in the examples: it answers every request with
// the given status and body.
func fakeLeadSquared(status int, body string) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
}

func ExampleNew() {
	c, err := leadsquared.New(leadsquared.HostIndiaMumbai, "your-access-key", "your-secret-key",
		leadsquared.WithHeaderAuth(),
		leadsquared.WithRateLimit(25, 5*time.Second), // the Enterprise plan's limit
		leadsquared.WithMaxRetries(5),
		leadsquared.WithBackoff(time.Second, 10*time.Second),
		leadsquared.WithLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))),
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.BaseURL())
	// Output: https://api-in21.leadsquared.com/v2
}

func ExampleAPIError() {
	srv := fakeLeadSquared(http.StatusInternalServerError,
		`{"Status":"Error","ExceptionType":"MXDuplicateEntryException","ExceptionMessage":"A user with the same email address already exists."}`)
	defer srv.Close()
	c, err := leadsquared.New(srv.URL+"/v2", "access-key", "secret-key")
	if err != nil {
		log.Fatal(err)
	}

	_, err = c.CreateUser(context.Background(), api.UserCreateRequest{
		FirstName: "Ada", EmailAddress: "ada@example.com", Role: api.RoleSalesUser,
	})
	fmt.Println(errors.Is(err, leadsquared.ErrDuplicateEntry))
	var apiErr *leadsquared.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.ExceptionType)
		fmt.Println(apiErr.ExceptionMessage)
	}
	// Output:
	// true
	// 500 MXDuplicateEntryException
	// A user with the same email address already exists.
}

func ExampleRateLimitError() {
	srv := fakeLeadSquared(http.StatusOK, // LeadSquared sometimes sends its rate-limit error with 200
		`{"Status":"Error","ExceptionType":"MXAPIRateLimitExceededException","ExceptionMessage":"API calls exceeded the limit of 20 in 5 second(s)"}`)
	defer srv.Close()
	c, err := leadsquared.New(srv.URL+"/v2", "access-key", "secret-key", leadsquared.WithMaxRetries(0))
	if err != nil {
		log.Fatal(err)
	}

	_, err = c.GetUserByID(context.Background(), api.GetUserByIDParams{UserID: "3b1041fb-8374-11e7-8758-0a106ee76b21"})
	var rl *leadsquared.RateLimitError
	if errors.As(err, &rl) {
		fmt.Printf("limit %d per %s; wait %s\n", rl.Limit, rl.Window, rl.RetryAfter)
	}
	var apiErr *leadsquared.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.ExceptionType)
	}
	// Output:
	// limit 20 per 5s; wait 5s
	// 200 MXAPIRateLimitExceededException
}

func ExampleClient_RemovePermissionTemplate() {
	srv := fakeLeadSquared(http.StatusOK, `{"Status":"Success","Message":{"IsSuccessful":true}}`)
	defer srv.Close()
	c, err := leadsquared.New(srv.URL+"/v2", "access-key", "secret-key")
	if err != nil {
		log.Fatal(err)
	}

	resp, err := c.RemovePermissionTemplate(context.Background(), "4fb25c1c-dbfe-11e7-9f0f-0236dfe9c25a")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.Message.IsSuccessful)
	// Output: true
}

func ExampleNewLimiter() {
	// At most 10 request starts in any 5-second window, shared by every goroutine using l.
	l, err := leadsquared.NewLimiter(10, 5*time.Second)
	if err != nil {
		log.Fatal(err)
	}
	if err := l.Wait(context.Background()); err != nil {
		log.Fatal(err)
	}
	calls, per := l.Limit()
	fmt.Println(calls, per)
	// Output: 10 5s
}
