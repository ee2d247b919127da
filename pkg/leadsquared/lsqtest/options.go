package lsqtest

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Default keys of a fake server made without [WithKeys].
const (
	DefaultAccessKey = "lsq-test-access-key"
	DefaultSecretKey = "lsq-test-secret-key"
)

// DefaultMaxTemplates is how many permission templates an account can hold, as on
// LeadSquared; change it with [WithMaxTemplates].
const DefaultMaxTemplates = 50

// Form is how a rate-limited call is answered: the HTTP status that carries LeadSquared's
// rate-limit body. LeadSquared has been seen answering with each of the three.
type Form int

// The three forms of a rate-limit answer. The body is always
// {"Status":"Error","ExceptionType":"MXAPIRateLimitExceededException","ExceptionMessage":"API calls exceeded the limit of N in M second(s)"}.
const (
	Form429 Form = 429 // HTTP 429 Too Many Requests (what the docs say)
	Form403 Form = 403 // HTTP 403 Forbidden
	Form200 Form = 200 // HTTP 200 OK with the error body
)

// String returns the status code as text, e.g. "429".
func (f Form) String() string { return fmt.Sprint(int(f)) }

// ParseForm parses "429", "403" or "200".
func ParseForm(s string) (Form, error) {
	switch strings.TrimSpace(s) {
	case "429":
		return Form429, nil
	case "403":
		return Form403, nil
	case "200":
		return Form200, nil
	}
	return 0, fmt.Errorf("lsqtest: rate-limit form %q: want 429, 403 or 200", s)
}

func (f Form) valid() bool { return f == Form429 || f == Form403 || f == Form200 }

// Option configures a fake server in [New] and [NewServer]. A bad option makes the
// constructor return an error.
type Option func(*config) error

type limit struct {
	calls int
	per   time.Duration
}

type config struct {
	accessKey, secretKey string
	limit, bulkLimit     *limit
	form                 Form
	now                  func() time.Time
	maxTemplates         int
	drift                *Drift
}

// WithKeys sets the access key and secret key the server accepts (default
// [DefaultAccessKey] and [DefaultSecretKey]). Empty keys are an error.
func WithKeys(accessKey, secretKey string) Option {
	return func(c *config) error {
		if strings.TrimSpace(accessKey) == "" || strings.TrimSpace(secretKey) == "" {
			return errors.New("lsqtest: WithKeys: empty key")
		}
		c.accessKey, c.secretKey = accessKey, secretKey
		return nil
	}
}

// WithRateLimit limits the account to calls requests in any sliding window of length per,
// and answers the calls over the limit in the given form. per is a whole number of
// milliseconds from 1ms to 24h: LeadSquared's windows are whole seconds, but a test of rate
// limiting can use a window of 200*time.Millisecond and take a fraction of a second. The
// answer's message names the window in seconds as LeadSquared's does, with decimals for a
// sub-second one ("API calls exceeded the limit of 3 in 0.2 second(s)"), and the client
// reads and adopts it. Without WithRateLimit the server does not limit.
//
// The limit counts authenticated calls the server accepted (invalid ones included); calls
// rejected for the limit, 401s, 404s and scripted faults are not counted. The bulk
// operations (BulkUpdateUsers, BulkUpdateUserManagers) count against [WithBulkRateLimit]
// instead when it is given.
func WithRateLimit(calls int, per time.Duration, form Form) Option {
	return func(c *config) error {
		if err := validLimit(calls, per); err != nil {
			return fmt.Errorf("lsqtest: WithRateLimit: %w", err)
		}
		if !form.valid() {
			return fmt.Errorf("lsqtest: WithRateLimit: form %d: want Form429, Form403 or Form200", int(form))
		}
		c.limit, c.form = &limit{calls, per}, form
		return nil
	}
}

// WithBulkRateLimit gives the bulk operations (those the spec marks x-lsq-bulk:
// BulkUpdateUsers, BulkUpdateUserManagers) their own limit of calls in any window of length
// per (a whole number of milliseconds, as in WithRateLimit), as
// LeadSquared's plans do. Bulk calls then no longer count against [WithRateLimit]. They are
// answered in the form of WithRateLimit, or Form429 without it.
func WithBulkRateLimit(calls int, per time.Duration) Option {
	return func(c *config) error {
		if err := validLimit(calls, per); err != nil {
			return fmt.Errorf("lsqtest: WithBulkRateLimit: %w", err)
		}
		c.bulkLimit = &limit{calls, per}
		return nil
	}
}

// The bounds of a limit, those of leadsquared.MaxLimitCalls and leadsquared.MaxLimitWindow
// (this package cannot import leadsquared: its internal tests import this package).
const (
	maxLimitCalls  = 100_000
	maxLimitWindow = 24 * time.Hour
)

func validLimit(calls int, per time.Duration) error {
	switch {
	case calls <= 0:
		return fmt.Errorf("calls must be positive, got %d", calls)
	case calls > maxLimitCalls:
		return fmt.Errorf("calls must be at most %d, got %d", maxLimitCalls, calls)
	case per < time.Millisecond || per%time.Millisecond != 0 || per > maxLimitWindow:
		return fmt.Errorf("window must be a whole number of milliseconds from 1ms to %s, got %s", maxLimitWindow, per)
	}
	return nil
}

// WithClock sets the clock the server reads: for dates it returns (CreatedOn, check-ins),
// for its rate-limit windows and for the request log. Tests use it to move time without
// sleeping. It must be safe for concurrent use; nil is an error. Scripted delays
// ([Fault.Delay]) still take real time.
func WithClock(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return errors.New("lsqtest: WithClock: nil clock")
		}
		c.now = now
		return nil
	}
}

// WithMaxTemplates sets how many permission templates the account can hold (default
// [DefaultMaxTemplates]); creating one more answers 500 MXInvalidInputException. n must be
// positive.
func WithMaxTemplates(n int) Option {
	return func(c *config) error {
		if n <= 0 {
			return fmt.Errorf("lsqtest: WithMaxTemplates: need a positive number, got %d", n)
		}
		c.maxTemplates = n
		return nil
	}
}
