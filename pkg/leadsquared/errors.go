package leadsquared

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

// ExceptionType is the class of a LeadSquared error ([APIError.ExceptionType]): one of the
// Exception constants, or another value LeadSquared sends.
type ExceptionType = api.ExceptionType

// The ExceptionType values of LeadSquared's error bodies that its docs, public code calling the
// API and the fake server (lsqtest) show: those of package api, which the spec lists with
// where each was seen. LeadSquared publishes no list: expect others, and compare
// APIError.ExceptionType with these rather than with literals.
const (
	// ExceptionMandatoryAttributeMissing: a mandatory field or parameter is missing (the
	// docs' example).
	ExceptionMandatoryAttributeMissing = api.ExceptionMandatoryAttributeMissing
	// ExceptionInvalidInput: a field or parameter has a value LeadSquared refuses.
	ExceptionInvalidInput = api.ExceptionInvalidInput
	// ExceptionUnknownAttribute: the request names a field the account does not have.
	ExceptionUnknownAttribute = api.ExceptionUnknownAttribute
	// ExceptionDuplicateEntry: the record exists already (a user with the same email address).
	ExceptionDuplicateEntry = api.ExceptionDuplicateEntry
	// ExceptionUnAuthorizedAccess: wrong, missing or deactivated keys, a host outside the
	// account's region, or a call the key owner has no right to make (with HTTP 401).
	ExceptionUnAuthorizedAccess = api.ExceptionUnAuthorizedAccess
	// ExceptionNotFound: the API (route) does not exist (with HTTP 404); a missing user is
	// answered with [] instead, which the client reports as [ErrNotFound].
	ExceptionNotFound = api.ExceptionNotFound
	// ExceptionRateLimitExceeded: the account's rate limit is exceeded.
	ExceptionRateLimitExceeded = api.ExceptionRateLimitExceeded
	// ExceptionInternalServerError: LeadSquared failed.
	ExceptionInternalServerError = api.ExceptionInternalServerError
	// ExceptionMailDelivery: an email could not be sent (Notify Users).
	ExceptionMailDelivery = api.ExceptionMailDelivery
)

// Sentinel errors to branch on with errors.Is; errors.As to [*APIError] gives the details.
var (
	// ErrNotFound: the user or permission template a call names does not exist. It matches
	// LeadSquared's [] to a read of one record (GetUserByID, GetUserByEmail: the user is
	// missing or inactive), and an [*APIError] whose message says the user or template named
	// does not exist, as an update, an activation, a deactivation or a template change of an
	// unknown id is answered (an MXInvalidInputException such as "Invalid Input! Parameter
	// Name: UserId (no such user)"; LeadSquared's docs show no such answer, so the wording is
	// the fake's, lsqtest, and the phrases "does not exist" and "not found" are matched too).
	// Such an APIError matches [ErrInvalidRequest] as well. A route that does not exist
	// (MXNotFoundException, HTTP 404) is not ErrNotFound: it is a wrong URL.
	ErrNotFound = errors.New("leadsquared: not found")
	// ErrDuplicateEntry matches an [*APIError] with ExceptionType [ExceptionDuplicateEntry]
	// (creating a user whose email address is taken).
	ErrDuplicateEntry = errors.New("leadsquared: duplicate entry")
	// ErrUnauthorized matches an [*APIError] with HTTP 401 or ExceptionType
	// [ExceptionUnAuthorizedAccess]: wrong or deactivated keys, or the wrong regional host
	// (see [ErrWrongHost]).
	ErrUnauthorized = errors.New("leadsquared: unauthorized")
	// ErrRateLimited matches a [*RateLimitError]: the account's rate limit was still exceeded
	// after the retries.
	ErrRateLimited = errors.New("leadsquared: rate limited")
	// ErrInvalidRequest matches a request refused before it was sent (WithRequestValidation, a
	// Client New did not make, a nil context, a missing required parameter, an invalid option
	// of the call or one of the client's only) and an [*APIError] that says the request was
	// wrong: HTTP 400, or ExceptionType [ExceptionInvalidInput],
	// [ExceptionMandatoryAttributeMissing] or [ExceptionUnknownAttribute] (which LeadSquared
	// sends with HTTP 500).
	ErrInvalidRequest = errors.New("leadsquared: invalid request")
	// ErrOutcomeUnknown matches the error of a call that is not safe to repeat (a write, or
	// a GET with a side effect such as MarkUserObsolete: x-idempotent false in the spec) that
	// LeadSquared may have acted on: the connection broke or the context ended after the
	// request was sent, the answer was a 5xx without LeadSquared's error body (a gateway's
	// page, an empty reply) or with one saying only that LeadSquared failed
	// ([ExceptionInternalServerError]), an HTML page came where JSON was due, or a 2xx
	// answer could not be read ([*ReplyError]) or was refused by [WithResponseValidation]
	// (LeadSquared acted, but its answer is not returned). The client never repeats such a
	// call on its own: check the account (GetUserByEmail after a CreateUser, say) before
	// sending it again. An answer in which LeadSquared refused the call (a rate limit, which
	// it sends before doing any work, or an error body such as [ExceptionInvalidInput] or
	// [ExceptionDuplicateEntry]) and a request never sent (a refused connection) do not
	// match: the call did not happen.
	ErrOutcomeUnknown = errors.New("leadsquared: outcome unknown")
)

// missingRecord is how an error message says that the user or permission template a call
// names does not exist: the fake's "(no such user)", "(no such active user)", "(no such
// permission template)", and the usual "... does not exist" / "user not found".
var missingRecord = regexp.MustCompile(`(?i)\bno such (?:active )?(?:user|permission template|template)\b|\b(?:user|template)\b[^.]{0,80}\b(?:does not exist|doesn't exist|not found)\b|\bnot a user of the account\b`)

// namesMissingRecord reports whether LeadSquared's error body says that the user or
// template the call names does not exist. A missing route (MXNotFoundException: "The API
// could not be found") is not a missing record.
func namesMissingRecord(eb errorBody) bool {
	return eb.ExceptionType != ExceptionNotFound && missingRecord.MatchString(eb.ExceptionMessage)
}

// outcomeUnknownError is the error of a call that is not safe to repeat and that
// LeadSquared may have acted on; it matches [ErrOutcomeUnknown] and unwraps to the cause.
type outcomeUnknownError struct{ err error }

func (e *outcomeUnknownError) Error() string {
	return e.err.Error() + " (the request was sent and LeadSquared may have acted on it: check before repeating it)"
}
func (e *outcomeUnknownError) Unwrap() error        { return e.err }
func (e *outcomeUnknownError) Is(target error) bool { return target == ErrOutcomeUnknown }

// mayHaveActed reports whether a failed answer to a request that is not safe to repeat
// leaves its outcome unknown (see [ErrOutcomeUnknown]); eb is the raw, unredacted body.
func mayHaveActed(status int, eb errorBody, html bool) bool {
	switch {
	case isRateLimit(status, eb):
		return false // refused before any work
	case html:
		return true
	case status >= 500 && !eb.lsq:
		return true
	}
	return eb.ExceptionType == ExceptionInternalServerError
}

// errorf is fmt.Errorf for the package's messages, which start with "leadsquared: ": the
// prefix appears once, however many of the wrapped errors carry it. The result unwraps as
// fmt.Errorf's does.
func errorf(format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	msg := err.Error()
	rest := strings.TrimPrefix(msg, prefix)
	if rest == msg || !strings.Contains(rest, prefix) {
		return err
	}
	return &prefixedError{msg: prefix + strings.ReplaceAll(rest, prefix, ""), err: err}
}

// prefix starts every error message of the package.
const prefix = "leadsquared: "

// prefixedError is an error whose message lost its repeated prefixes; it unwraps to what
// the original wrapped.
type prefixedError struct {
	msg string
	err error
}

func (e *prefixedError) Error() string { return e.msg }

func (e *prefixedError) Unwrap() []error {
	switch u := e.err.(type) { //nolint:errorlint // the direct wraps of a fmt.Errorf error
	case interface{ Unwrap() []error }:
		return u.Unwrap()
	case interface{ Unwrap() error }:
		return []error{u.Unwrap()}
	}
	return nil
}

// APIError is a LeadSquared error: any non-2xx reply, or a 2xx reply whose body is
// LeadSquared's error shape ({"Status":"Error","ExceptionType":...,"ExceptionMessage":...}).
//
// Get it with errors.As; a [*RateLimitError] unwraps to an *APIError too. Any access key
// or secret key the server echoed is replaced by REDACTED in ExceptionMessage and Body;
// ExceptionType is kept as sent when it has the shape of LeadSquared's exception names
// (MX...Exception), so that it and the sentinels hold even with short keys.
//
// LeadSquared API docs: https://apidocs.leadsquared.com/error-handling/
type APIError struct {
	// StatusCode is the HTTP status code (200 for an error body sent with 200).
	StatusCode int
	// ExceptionType is LeadSquared's exception class, e.g. [ExceptionDuplicateEntry]
	// (MXDuplicateEntryException).
	ExceptionType ExceptionType
	// ExceptionMessage is LeadSquared's human-readable message.
	ExceptionMessage string
	// Body is the raw response body.
	Body []byte
	// Header holds the response headers.
	Header http.Header
	// Method and Path name the request (the URL path only: never the query).
	Method, Path string
	// AccountHost is set on a 401 whose body names one of the known regional hosts
	// (api-in21.leadsquared.com, ...) other than the one called: LeadSquared's answer to a
	// call on the wrong region's host. The client never resends the keys there on its own;
	// create a client for that host. errors.Is(err, ErrWrongHost) reports it.
	AccountHost string

	// notFound is set when the raw body says the user or template named does not exist
	// (its ExceptionMessage may have lost the words to redaction).
	notFound bool
}

// ErrWrongHost matches (with errors.Is) an [*APIError] whose AccountHost is set: the keys
// belong to an account on another regional host. [DiscoverHost] finds that host too.
var ErrWrongHost = errors.New("leadsquared: the account lives on another regional host")

// Is makes errors.Is match the sentinel errors this error is a case of: [ErrWrongHost],
// [ErrUnauthorized], [ErrDuplicateEntry], [ErrInvalidRequest], [ErrRateLimited],
// [ErrNotFound]. The client decides them from the raw reply, before any echoed key is
// redacted, so they hold whatever the keys are.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.notFound || namesMissingRecord(errorBody{ExceptionType: e.ExceptionType, ExceptionMessage: e.ExceptionMessage})
	case ErrWrongHost:
		return e.AccountHost != ""
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized || e.ExceptionType == ExceptionUnAuthorizedAccess
	case ErrDuplicateEntry:
		return e.ExceptionType == ExceptionDuplicateEntry
	case ErrInvalidRequest:
		switch e.ExceptionType {
		case ExceptionInvalidInput, ExceptionMandatoryAttributeMissing, ExceptionUnknownAttribute:
			return true
		}
		return e.StatusCode == http.StatusBadRequest
	case ErrRateLimited:
		return e.ExceptionType == ExceptionRateLimitExceeded
	}
	return false
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
		b.WriteString(string(e.ExceptionType))
	}
	if e.ExceptionMessage != "" {
		b.WriteString(": ")
		b.WriteString(e.ExceptionMessage)
	}
	if e.AccountHost != "" {
		b.WriteString(": this account lives on ")
		b.WriteString(e.AccountHost)
		b.WriteString(" (use that host)")
	}
	return b.String()
}

// RateLimitError is returned once retries are exhausted (or disabled) on a rate-limit
// error, whatever HTTP status carried it (429, 403 or 200). errors.As to [*APIError]
// works on it too.
type RateLimitError struct {
	APIError
	// Limit and Window are the account's limit as named in the message, in any wording
	// that names "N in M second(s)" ("exceeded the limit of 20 in 5 second(s)" gives 20
	// and 5s); zero when absent.
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

// Is makes errors.Is(err, [ErrRateLimited]) true for every rate-limit error, whatever
// ExceptionType carried it.
func (e *RateLimitError) Is(target error) bool { return target == ErrRateLimited }

// errorBody is LeadSquared's error body; only the top-level fields matter. LeadSquared sends
// it in several shapes: {"Status":"Error","ExceptionType":...,"ExceptionMessage":...} (the
// documented one), only "ExceptionMessage", or a WCF fault's "Message" (with or without
// "ExceptionType"). Keys match as LeadSquared spells them: a gateway's {"message":...} is
// not LeadSquared's body.
type errorBody struct {
	Status           string
	ExceptionType    ExceptionType
	ExceptionMessage string // "Message" when the body has no ExceptionMessage
	// lsq is true when the body is LeadSquared's error body in one of its shapes: an answer
	// from the service itself, not a gateway's page or an empty reply.
	lsq bool
}

var (
	quotedError     = []byte(`"Error"`)
	quotedException = []byte(`"Exception`)
)

// errorShape reports whether a 2xx body is LeadSquared's error shape, and decodes it: a
// JSON object whose top-level "Status" is "Error", or that has a top-level "ExceptionType"
// (keys as LeadSquared spells them). It is cheap on ordinary successes: it decodes only a
// JSON object that contains the string "Error" or a key starting "Exception" (escaped forms
// such as "Err\u006fr" are not recognised; LeadSquared does not send them). A 2xx body with
// only a "Message" is not an error: successes carry one too ({"Status":"Success","Message":{"Id":...}}).
func errorShape(body []byte) (errorBody, bool) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return errorBody{}, false
	}
	if !bytes.Contains(trimmed, quotedError) && !bytes.Contains(trimmed, quotedException) {
		return errorBody{}, false
	}
	eb := decodeErrorBody(trimmed)
	return eb, eb.Status == "Error" || eb.ExceptionType != ""
}

// parseErrorBody decodes the body of a non-2xx reply. Anything that is not LeadSquared's
// error body (an HTML page, an empty reply, other JSON) gives an errorBody with lsq false.
func parseErrorBody(body []byte) errorBody {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return errorBody{}
	}
	return decodeErrorBody(trimmed)
}

// decodeErrorBody reads the top-level string fields of a JSON object; fields of another
// type, and bodies that are not a JSON object, are ignored.
func decodeErrorBody(obj []byte) errorBody {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(obj, &top); err != nil {
		return errorBody{}
	}
	str := func(key string) string {
		var s string
		_ = json.Unmarshal(top[key], &s) // absent, null or not a string: ""
		return s
	}
	eb := errorBody{Status: str("Status"), ExceptionType: ExceptionType(str("ExceptionType")), ExceptionMessage: str("ExceptionMessage")}
	msg := str("Message")
	if eb.ExceptionMessage == "" {
		eb.ExceptionMessage = msg
	}
	eb.lsq = eb.Status == "Error" || eb.ExceptionType != "" || eb.ExceptionMessage != ""
	return eb
}

// limitMessage finds "N in M second(s)" in a rate-limit message, whatever the words around
// it: "exceeded the limit of 20 in 5 second(s)", "limit: 20 requests per 5 seconds",
// "10 API calls in 5 secs", "25 in 5s", "100 calls within 1 minute". Up to three words may
// stand between N and "in"/"per"/"within". M may have up to three decimals ("3 in 0.2
// second(s)", the sub-second window of a test's fake server).
var limitMessage = regexp.MustCompile(`(?i)\b(\d+)\s*(?:[a-z]+\s+){0,3}?(?:in|per|within)\s*(\d+(?:\.\d{1,3})?)\s*(second\(s\)|seconds?\b|secs?\b|s\b|minute\(s\)|minutes?\b|mins?\b)`)

// rateLimitWords are the words a message must hold, besides "N in M second(s)", to be taken
// for a rate-limit error on its own (without 429 or MXAPIRateLimitExceededException): a
// validation message that happens to name a count and a time must not make a write retried.
var rateLimitWords = regexp.MustCompile(`(?i)limit|exceed|too many|throttl`)

// parseLimit reads the limit "N in M second(s)" (or minute(s)) from a message; see
// limitMessage for the wordings it reads.
func parseLimit(msg string) (calls int, window time.Duration, ok bool) {
	m := limitMessage.FindStringSubmatch(msg)
	if m == nil {
		return 0, 0, false
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n <= 0 || len(m[2]) > 9 {
		return 0, 0, false
	}
	unit := "s"
	if u := m[3][0]; u == 'm' || u == 'M' {
		unit = "m"
	}
	// Exact for decimals: "0.2s" is 200ms.
	w, err := time.ParseDuration(m[2] + unit)
	if err != nil || w < time.Millisecond || w > 24*time.Hour {
		return 0, 0, false
	}
	return n, w, true
}

// isRateLimit reports whether a reply is a rate-limit error in any form LeadSquared uses.
func isRateLimit(status int, eb errorBody) bool {
	if status == http.StatusTooManyRequests || eb.ExceptionType == ExceptionRateLimitExceeded {
		return true
	}
	_, _, ok := parseLimit(eb.ExceptionMessage)
	return ok && rateLimitWords.MatchString(eb.ExceptionMessage)
}
