package leadsquared

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// RateLimitExceptionType is the ExceptionType LeadSquared sends when a call exceeds the
// account's rate limit, with HTTP 429, 403 or even 200.
const RateLimitExceptionType = "MXAPIRateLimitExceededException"

// APIError is a LeadSquared error: any non-2xx reply, or a 2xx reply whose body is
// LeadSquared's error shape ({"Status":"Error","ExceptionType":...,"ExceptionMessage":...}).
//
// Get it with errors.As; a [*RateLimitError] unwraps to an *APIError too. Any access key
// or secret key the server echoed is replaced by REDACTED in ExceptionMessage and Body.
//
// LeadSquared API docs: https://apidocs.leadsquared.com/error-handling/
type APIError struct {
	// StatusCode is the HTTP status code (200 for an error body sent with 200).
	StatusCode int
	// ExceptionType is LeadSquared's exception class, e.g. MXDuplicateEntryException.
	ExceptionType string
	// ExceptionMessage is LeadSquared's human-readable message.
	ExceptionMessage string
	// Body is the raw response body.
	Body []byte
	// Header holds the response headers.
	Header http.Header
	// Method and Path name the request (the URL path only: never the query).
	Method, Path string
}

// Error names the request, the status, the exception type and the message.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("leadsquared: ")
	if e.Method != "" {
		b.WriteString(e.Method)
		b.WriteByte(' ')
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(strconv.Itoa(e.StatusCode))
	if t := http.StatusText(e.StatusCode); t != "" {
		b.WriteByte(' ')
		b.WriteString(t)
	}
	if e.ExceptionType != "" {
		b.WriteString(": ")
		b.WriteString(e.ExceptionType)
	}
	if e.ExceptionMessage != "" {
		b.WriteString(": ")
		b.WriteString(e.ExceptionMessage)
	}
	return b.String()
}

// RateLimitError is returned once retries are exhausted (or disabled) on a rate-limit
// error, whatever HTTP status carried it (429, 403 or 200). errors.As to [*APIError]
// works on it too.
type RateLimitError struct {
	APIError
	// Limit and Window are the account's limit as named in the message
	// ("exceeded the limit of 20 in 5 second(s)" gives 20 and 5s); zero when absent.
	Limit  int
	Window time.Duration
	// RetryAfter is the wait the server asked for: the Retry-After header when present,
	// else Window; zero when the server gave no hint.
	RetryAfter time.Duration
	// Attempts is the number of attempts made.
	Attempts int
}

// Error describes the rate-limit error, with the limit when known.
func (e *RateLimitError) Error() string {
	s := "leadsquared: rate limited"
	if e.Limit > 0 {
		s += fmt.Sprintf(" (limit %d per %s)", e.Limit, e.Window)
	}
	if e.Attempts > 0 {
		s += fmt.Sprintf(" after %d attempt(s)", e.Attempts)
	}
	return s + ": " + strings.TrimPrefix(e.APIError.Error(), "leadsquared: ")
}

// Unwrap returns the embedded *APIError, so errors.As(err, &apiErr) works.
func (e *RateLimitError) Unwrap() error { return &e.APIError }

// errorBody is LeadSquared's error shape; only the top-level fields matter.
type errorBody struct {
	Status           string `json:"Status"`
	ExceptionType    string `json:"ExceptionType"`
	ExceptionMessage string `json:"ExceptionMessage"`
}

var (
	quotedError         = []byte(`"Error"`)
	quotedExceptionType = []byte(`"ExceptionType"`)
)

// errorShape reports whether a 2xx body is LeadSquared's error shape, and decodes it: a
// JSON object whose top-level "Status" is "Error", or that has a top-level "ExceptionType"
// (keys as LeadSquared spells them). It is cheap on ordinary successes: it decodes only a
// JSON object that contains the string "Error" or the key "ExceptionType" (escaped forms
// such as "Err\u006fr" are not recognised; LeadSquared does not send them).
func errorShape(body []byte) (errorBody, bool) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return errorBody{}, false
	}
	if !bytes.Contains(trimmed, quotedError) && !bytes.Contains(trimmed, quotedExceptionType) {
		return errorBody{}, false
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &top); err != nil {
		return errorBody{}, false
	}
	var eb errorBody
	_ = json.Unmarshal(top["Status"], &eb.Status)
	_ = json.Unmarshal(top["ExceptionType"], &eb.ExceptionType)
	_ = json.Unmarshal(top["ExceptionMessage"], &eb.ExceptionMessage)
	return eb, eb.Status == "Error" || eb.ExceptionType != ""
}

// parseErrorBody decodes an error body of a non-2xx reply, ignoring anything else.
func parseErrorBody(body []byte) errorBody {
	var eb errorBody
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		_ = json.Unmarshal(trimmed, &eb) // not LeadSquared's shape: keep the raw body only
	}
	return eb
}

var limitMessage = regexp.MustCompile(`(?i)exceeded the limit of\s*(\d+)\s*in\s*(\d+)\s*second`)

// parseLimit reads "exceeded the limit of N in M second(s)" from a message.
func parseLimit(msg string) (calls int, window time.Duration, ok bool) {
	m := limitMessage.FindStringSubmatch(msg)
	if m == nil {
		return 0, 0, false
	}
	n, err1 := strconv.Atoi(m[1])
	s, err2 := strconv.Atoi(m[2])
	if err1 != nil || err2 != nil || n <= 0 || s <= 0 || s > 86400 {
		return 0, 0, false
	}
	return n, time.Duration(s) * time.Second, true
}

// isRateLimit reports whether a reply is a rate-limit error in any form LeadSquared uses.
func isRateLimit(status int, eb errorBody) bool {
	if status == http.StatusTooManyRequests || eb.ExceptionType == RateLimitExceptionType {
		return true
	}
	_, _, ok := parseLimit(eb.ExceptionMessage)
	return ok
}
