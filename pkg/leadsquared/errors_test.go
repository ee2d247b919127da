package leadsquared

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

// errorBodyShapes are the error bodies LeadSquared sends, each with the message an
// *APIError must carry. Validation failures come as HTTP 500 with the documented shape;
// some bodies carry only ExceptionMessage, or a WCF fault's Message.
var errorBodyShapes = []struct {
	name, body string
	exType     ExceptionType
	msg        string
}{
	{"documented shape", `{"Status":"Error","ExceptionType":"MXInvalidInputException","ExceptionMessage":"PageSize can't be greater than 1000"}`,
		"MXInvalidInputException", "PageSize can't be greater than 1000"},
	{"with IsMXException", `{"Status":"Error","ExceptionType":"MXException","ExceptionMessage":"User search has some invalid Attributes","IsMXException":true}`,
		"MXException", "User search has some invalid Attributes"},
	{"only ExceptionMessage", `{"ExceptionMessage":"User search has some invalid Attributes"}`, "", "User search has some invalid Attributes"},
	{"only Message", `{"Message":"An error has occurred."}`, "", "An error has occurred."},
	{"WCF fault: ExceptionType and Message", `{"ExceptionDetail":null,"ExceptionType":"System.ArgumentException","Message":"Value does not fall within the expected range.","StackTrace":null}`,
		"System.ArgumentException", "Value does not fall within the expected range."},
	{"ExceptionMessage wins over Message", `{"Status":"Error","ExceptionMessage":"the real one","Message":"other"}`, "", "the real one"},
	{"only Status", `{"Status":"Error"}`, "", ""},
}

func TestParseErrorBodyShapes(t *testing.T) {
	t.Parallel()
	for _, tt := range errorBodyShapes {
		eb := parseErrorBody([]byte("\n " + tt.body))
		if !eb.lsq || eb.ExceptionType != tt.exType || eb.ExceptionMessage != tt.msg {
			t.Errorf("%s: %+v, want LeadSquared's body with %q %q", tt.name, eb, tt.exType, tt.msg)
		}
	}
	// Not LeadSquared's body: a gateway's or proxy's answer, or nothing.
	for _, body := range []string{
		``, `   `, gatewayPage502, gatewayText503, gatewayJSON500,
		`{"message":"Endpoint request timed out"}`, // keys match as LeadSquared spells them
		`{"status":"error"}`, `{"Status":"Success"}`, `{"Message":{"Id":"x"}}`, `{"ExceptionMessage":""}`,
		`{"Message":5}`, `[{"Status":"Error"}]`, `{"Status":"Error"`, `null`,
	} {
		if eb := parseErrorBody([]byte(body)); eb.lsq {
			t.Errorf("%q read as LeadSquared's error body: %+v", body, eb)
		}
	}
}

// A 2xx success carries Message too: it is not an error. An error shape with 200 keeps
// working, and reads Message when it has no ExceptionMessage.
func TestErrorShapeOn2xx(t *testing.T) {
	t.Parallel()
	for _, body := range []string{createdJSON, `{"Status":"Success","Message":"done"}`, `{"Message":"done"}`, `{"ExceptionMessage":""}`} {
		if eb, ok := errorShape([]byte(body)); ok {
			t.Errorf("%s read as an error: %+v", body, eb)
		}
	}
	eb, ok := errorShape([]byte(`{"Status":"Error","Message":"boom"}`))
	if !ok || eb.ExceptionMessage != "boom" {
		t.Errorf("Status Error with Message: %+v %v", eb, ok)
	}
}

// A 5xx carrying LeadSquared's error body, in any shape, is the service's answer: it is
// returned at once, for reads, idempotent POSTs and writes alike, with its message.
func TestFiveXXWithErrorBodyReturnedAtOnce(t *testing.T) {
	t.Parallel()
	calls := []struct {
		name string
		call func(c *Client, ctx context.Context) error
	}{
		{"GET", func(c *Client, ctx context.Context) error {
			_, err := c.API().GetUserByIDWithResponse(ctx, &api.GetUserByIDParams{UserID: "u"})
			return err
		}},
		{"idempotent POST", func(c *Client, ctx context.Context) error {
			_, err := c.API().AdvancedSearchUsersWithResponse(ctx, api.UserSearchRequest{})
			return err
		}},
		{"POST", func(c *Client, ctx context.Context) error {
			_, err := c.API().CreateUserWithResponse(ctx, api.CreateUserJSONRequestBody{FirstName: "Ada", EmailAddress: "ada@example.com", Role: api.RoleSalesUser})
			return err
		}},
	}
	for _, shape := range errorBodyShapes {
		for _, status := range []int{500, 502, 503} {
			for _, call := range calls {
				t.Run(fmt.Sprintf("%s/%d/%s", shape.name, status, call.name), func(t *testing.T) {
					t.Parallel()
					s := serve(reply{status: status, body: shape.body}, reply{status: 200, body: usersJSON})
					env := setup(t, s)
					err := call.call(env.c, t.Context())
					var apiErr *APIError
					if !errors.As(err, &apiErr) {
						t.Fatalf("err = %T %v, want *APIError", err, err)
					}
					var rl *RateLimitError
					if errors.As(err, &rl) {
						t.Errorf("became a *RateLimitError: %v", err)
					}
					if apiErr.StatusCode != status || apiErr.ExceptionType != shape.exType || apiErr.ExceptionMessage != shape.msg {
						t.Errorf("APIError %d %q %q, want %d %q %q", apiErr.StatusCode, apiErr.ExceptionType, apiErr.ExceptionMessage, status, shape.exType, shape.msg)
					}
					if shape.msg != "" && !strings.Contains(err.Error(), shape.msg) {
						t.Errorf("error text %q lacks %q", err, shape.msg)
					}
					if s.Hits() != 1 || len(env.clock.Sleeps()) != 0 {
						t.Errorf("%d hits, waits %v: want 1 hit and no wait", s.Hits(), env.clock.Sleeps())
					}
				})
			}
		}
	}
}

// A 5xx without LeadSquared's body (a gateway's page, an empty reply, plain text, another
// JSON) is a fault on the way: retried for an idempotent call, never for a write.
func TestFiveXXWithoutErrorBody(t *testing.T) {
	t.Parallel()
	bodies := []struct {
		name, body, contentType string
	}{
		{"gateway HTML page", gatewayPage502, "text/html"},
		{"empty reply", "", ""},
		{"plain text", gatewayText503, "text/plain"},
		{"API gateway JSON", gatewayJSON500, ""},
		{"JSON array", `[]`, ""},
	}
	for _, b := range bodies {
		for _, status := range []int{500, 502, 503, 504} {
			t.Run(fmt.Sprintf("%s/%d", b.name, status), func(t *testing.T) {
				t.Parallel()
				var h map[string]string
				if b.contentType != "" {
					h = map[string]string{"Content-Type": b.contentType}
				}
				s := serve(reply{status: status, header: h, body: b.body}, reply{status: 200, body: usersJSON})
				env := setup(t, s)
				if _, err := getUser(t, env.c); err != nil {
					t.Fatalf("GET: %v, want success on the retry", err)
				}
				if s.Hits() != 2 || len(env.clock.Sleeps()) != 1 {
					t.Errorf("GET: %d hits, waits %v: want 2 hits, 1 wait", s.Hits(), env.clock.Sleeps())
				}

				s = serve(reply{status: status, header: h, body: b.body}, reply{status: 200, body: createdJSON})
				env = setup(t, s)
				_, err := createUser(t, env.c)
				var apiErr *APIError
				if !errors.As(err, &apiErr) || apiErr.StatusCode != status {
					t.Errorf("POST: err = %v, want the %d", err, status)
				}
				if s.Hits() != 1 {
					t.Errorf("POST: %d hits, want 1 (never resent after a 5xx)", s.Hits())
				}
			})
		}
	}
}

// The limit is read from any wording that names "N in M second(s)", so a reworded message
// still paces the client.
func TestParseLimitWordings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		msg    string
		calls  int
		window time.Duration // 0: no limit read
	}{
		{"API calls exceeded the limit of 20 in 5 second(s)", 20, 5 * time.Second},
		{"API calls exceeded the limit of 10 in 5 second(s)", 10, 5 * time.Second},
		{"api calls Exceeded the limit of 1 in 60 seconds", 1, time.Minute},
		{"EXCEEDED THE LIMIT OF 3IN1SECOND", 3, time.Second},
		{"Rate limit exceeded: 25 in 5 second(s)", 25, 5 * time.Second},
		{"Rate limit of 25 calls in 5 seconds exceeded", 25, 5 * time.Second},
		{"You have exceeded 10 API calls in 5 seconds.", 10, 5 * time.Second},
		{"Too many requests: limit is 15 requests per 5 seconds", 15, 5 * time.Second},
		{"Limit: 25 in 5s", 25, 5 * time.Second},
		{"Allowed 25 in 5 secs; try again later", 25, 5 * time.Second},
		{"Only 100 calls are allowed within 1 minute", 100, time.Minute},
		{"Quota: 2 in 1 minute(s)", 2, time.Minute},
		{"Request limit reached (20 in 5 Second(s))", 20, 5 * time.Second},
		{"At 10 am: 25 calls in 5 seconds exceeded", 25, 5 * time.Second},
		// Decimals: a test's fake with a sub-second window (lsqtest.WithRateLimit).
		{"API calls exceeded the limit of 3 in 0.2 second(s)", 3, 200 * time.Millisecond},
		{"API calls exceeded the limit of 3 in 0.025 second(s)", 3, 25 * time.Millisecond},
		{"limit of 5 in 1.5 minutes", 5, 90 * time.Second},
		{"exceeded the limit of 5 in 0.0 second(s)", 0, 0},
		{"exceeded the limit of 5 in 86400.5 second(s)", 0, 0},
		// No limit to read.
		{"exceeded the limit of 0 in 5 second(s)", 0, 0},
		{"exceeded the limit of 5 in 0 second(s)", 0, 0},
		{"exceeded the limit of 5 in 100000 second(s)", 0, 0},
		{"exceeded the limit of 99999999999999999999 in 5 second(s)", 0, 0},
		{"API calls exceeded the limit", 0, 0},
		{"25 in 5 sets", 0, 0},
		{"20 requests per minute", 0, 0},
		{"PageSize can't be greater than 1000", 0, 0},
		{"", 0, 0},
	}
	for _, tt := range tests {
		calls, window, ok := parseLimit(tt.msg)
		if calls != tt.calls || window != tt.window || ok != (tt.window > 0) {
			t.Errorf("parseLimit(%q) = %d, %s, %v; want %d, %s", tt.msg, calls, window, ok, tt.calls, tt.window)
		}
	}
}

// A reworded rate-limit message with an unknown type and status is still a rate limit; a
// message that names a count and a time without speaking of a limit is not (a write must
// not be retried on it).
func TestIsRateLimitByMessage(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		msg  string
		want bool
	}{
		{"Rate limit exceeded: 25 in 5 second(s)", true},
		{"Too many requests: 15 requests per 5 seconds", true},
		{"Calls are throttled to 5 in 1 second", true},
		{"Created 3 users in 2 seconds", false},
		{"Checked in 2 in 5 seconds", false},
	} {
		if got := isRateLimit(http.StatusInternalServerError, errorBody{ExceptionType: "MXSomethingException", ExceptionMessage: tt.msg}); got != tt.want {
			t.Errorf("isRateLimit(500, %q) = %v, want %v", tt.msg, got, tt.want)
		}
	}
}

// A reworded rate-limit message, sent with 403 and no known exception type, still makes an
// adaptive limiter adopt the account's limit.
func TestRewordedRateLimitAdopted(t *testing.T) {
	t.Parallel()
	s := serve(reply{status: 403, body: `{"Status":"Error","ExceptionType":"MXThrottledException","ExceptionMessage":"Too many requests: limit is 7 requests per 3 seconds"}`},
		reply{status: 200, body: usersJSON})
	env := setup(t, s)
	if _, err := getUser(t, env.c); err != nil {
		t.Fatal(err)
	}
	ls, ok := env.c.doer.limiter.(limitSetter)
	if !ok {
		t.Fatalf("default limiter %T is not adaptive", env.c.doer.limiter)
	}
	if calls, per := ls.Limit(); calls != 7 || per != 3*time.Second {
		t.Errorf("limiter at %d per %s, want 7 per 3s", calls, per)
	}
	if got := env.clock.Sleeps(); len(got) != 1 || got[0] != 3*time.Second {
		t.Errorf("waits %v, want [3s]", got)
	}
}
