package leadsquared

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"runtime"
	"strings"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

// Options of one call: what a method's `opts ...Option` may set, how they are applied
// (callOptions) and how the doer finds them (the context, under callKey).

// callSettings are the settings an Option may give one call as well as the whole client: in
// config (New), the client's; in a call, that call's (callOptions starts them from the
// client's retry policy, with no header, middleware or product of its own).
type callSettings struct {
	maxRetries int
	minBackoff time.Duration
	maxBackoff time.Duration
	header     http.Header   // WithHeader
	timeout    time.Duration // WithRequestTimeout: of each attempt; 0 is none
	middleware []Middleware  // WithMiddleware
	product    string        // WithUserAgent

	// Only a call's.
	rsp   **http.Response // WithResponseInto
	stats *CallStats      // WithCallStats
}

// CallStats is what one call took, filled in by [WithCallStats] when the call returns, with
// or without an error. For a helper that makes several calls (SearchUsers, UpdateUserManagers,
// ...), it describes the last of them.
type CallStats struct {
	// Operation is the operation called ("" for a route the spec does not have).
	Operation api.OperationID
	// Attempts is how many attempts were made: 1 when the first succeeded or was not
	// retried, 0 when none started (the context ended while waiting for the limiter, or a
	// middleware refused the call).
	Attempts int
	// LimiterWait is the time spent waiting for the rate limiter, over every attempt.
	LimiterWait time.Duration
	// RetryWait is the time spent waiting between attempts (backoff, Retry-After).
	RetryWait time.Duration
}

// WithHeader sends the header name: value with every request: of the client when given to
// [New], of one call when given to a method (it is added to the client's headers, replacing
// a header of the same name). The credential headers (x-LSQ-AccessKey, x-LSQ-SecretKey) are
// refused (the client adds the keys: [WithHeaderAuth]), and so is User-Agent
// ([WithUserAgent]), a header net/http sets itself (Host, Content-Length, Transfer-Encoding:
// it would ignore the option), an invalid name, or a value with a control character. A value that holds
// one of the client's keys is an error from the call or New, which does not quote it.
func WithHeader(name, value string) Option {
	return func(c *config) error {
		c.callable = true
		switch {
		case !validHeaderName(name):
			return errors.New("leadsquared: WithHeader: invalid header name")
		case strings.EqualFold(name, headerAccessKey) || strings.EqualFold(name, headerSecretKey):
			return fmt.Errorf("leadsquared: WithHeader: %s is a credential header: the client sends the keys (WithHeaderAuth)", http.CanonicalHeaderKey(name))
		case strings.EqualFold(name, "User-Agent"):
			return errors.New("leadsquared: WithHeader: User-Agent is the client's: use WithUserAgent to add your product")
		case strings.EqualFold(name, "Host") || strings.EqualFold(name, "Content-Length") || strings.EqualFold(name, "Transfer-Encoding"):
			return fmt.Errorf("leadsquared: WithHeader: %s is set by net/http", http.CanonicalHeaderKey(name))
		case hasControl(strings.ReplaceAll(value, "\t", " ")):
			return fmt.Errorf("leadsquared: WithHeader: the value of %s contains a control character", http.CanonicalHeaderKey(name))
		}
		if c.header == nil {
			c.header = make(http.Header, 1)
		}
		c.header.Set(name, value)
		return nil
	}
}

// validHeaderName reports whether name is an HTTP token (RFC 9110, section 5.1).
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		ch := name[i]
		if ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", ch) >= 0 {
			continue
		}
		return false
	}
	return true
}

// WithRequestTimeout bounds each attempt of a request (sending it and reading the whole
// reply; not the wait for the rate limiter, nor the wait between attempts) to d: an attempt
// that runs out fails as a broken connection does, and is retried when the operation is safe
// to repeat. The call as a whole is bounded by its context. Given to [New] it is every
// call's; given to a method, that call's. d must be positive.
func WithRequestTimeout(d time.Duration) Option {
	return func(c *config) error {
		c.callable = true
		if d <= 0 {
			return fmt.Errorf("leadsquared: WithRequestTimeout: the timeout must be positive, got %s", d)
		}
		c.timeout = d
		return nil
	}
}

// WithResponseInto stores in *dst, when the call returns (with or without an error), the
// *http.Response of its last attempt: status, headers, and Request, the request without the
// keys (its URL and header hold neither). Its body has already been read (the method decoded
// it): Body is http.NoBody. *dst is nil when no reply was read (a broken connection, a call
// refused before sending). For a call only: given to [New] it is an error, and so is a nil
// dst.
func WithResponseInto(dst **http.Response) Option {
	return func(c *config) error {
		c.callable = true
		switch {
		case !c.forCall:
			return errors.New("leadsquared: WithResponseInto is an option of a call, not of New")
		case dst == nil:
			return errors.New("leadsquared: WithResponseInto: nil destination")
		}
		c.rsp = dst
		return nil
	}
}

// WithCallStats stores in *dst, when the call returns (with or without an error), what it
// took: the attempts made and the time waited for the rate limiter and between attempts
// ([CallStats]), for a caller's logs or metrics. For a call only: given to [New] it is an
// error, and so is a nil dst.
func WithCallStats(dst *CallStats) Option {
	return func(c *config) error {
		c.callable = true
		switch {
		case !c.forCall:
			return errors.New("leadsquared: WithCallStats is an option of a call, not of New")
		case dst == nil:
			return errors.New("leadsquared: WithCallStats: nil destination")
		}
		c.stats = dst
		return nil
	}
}

// callKey is the context key of a call's *callSettings.
type callKey struct{}

// callOptions returns ctx carrying the settings of a call made with opts, starting from the
// client's retry policy and timeout. No option leaves ctx as it is (and allocates nothing). An
// invalid option, a nil one, or one of the client's only ([WithHTTPClient], ...) is an error
// that names op and the option; the call then sends nothing.
func (c *Client) callOptions(ctx context.Context, op api.OperationID, opts []Option) (context.Context, error) {
	if len(opts) == 0 {
		return ctx, nil
	}
	d := c.doer
	cfg := config{forCall: true, callSettings: callSettings{
		maxRetries: d.maxRetries,
		minBackoff: d.minBackoff,
		maxBackoff: d.maxBackoff,
		timeout:    d.timeout,
	}}
	for _, opt := range opts {
		if opt == nil {
			return ctx, &invalidRequestError{op: op, msg: "nil Option"}
		}
		cfg.callable = false
		err := opt(&cfg)
		if !cfg.callable {
			return ctx, &invalidRequestError{op: op, msg: optionName(opt) + " is an option of New, not of a call"}
		}
		if err != nil {
			return ctx, &invalidRequestError{op: op, msg: strings.TrimPrefix(err.Error(), prefix)}
		}
	}
	for _, vs := range cfg.header {
		for _, v := range vs {
			if d.rd.Contains(v) {
				return ctx, &invalidRequestError{op: op, msg: "WithHeader: a header value holds one of the client's keys"}
			}
		}
	}
	cs := new(callSettings)
	*cs = cfg.callSettings
	// Nothing of an earlier call stays there, should this one end before the doer fills them.
	if cs.rsp != nil {
		*cs.rsp = nil
	}
	if cs.stats != nil {
		*cs.stats = CallStats{}
	}
	return context.WithValue(ctx, callKey{}, cs), nil
}

// callSettingsOf returns the settings of the call ctx belongs to, nil for a call without
// options.
func callSettingsOf(ctx context.Context) *callSettings {
	cs, _ := ctx.Value(callKey{}).(*callSettings)
	return cs
}

// optionName returns the name of the function that made opt ("WithHTTPClient"), for the
// error of a client's option given to a call; "an option" when it cannot tell. The closure's
// symbol is pkg.WithHTTPClient.func1, or pkg.Caller.WithHTTPClient.func3 once inlined into a
// caller, or pkg.WithRequestValidation[...].func1: the last segment that starts with With.
func optionName(opt Option) string {
	fn := runtime.FuncForPC(reflect.ValueOf(opt).Pointer())
	if fn == nil {
		return "an option"
	}
	name := fn.Name()
	for {
		i := strings.IndexByte(name, '[')
		j := strings.IndexByte(name, ']')
		if i < 0 || j < i {
			break
		}
		name = name[:i] + name[j+1:]
	}
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	segs := strings.Split(name, ".")
	for i := len(segs) - 1; i > 0; i-- {
		if s := segs[i]; len(s) > 4 && strings.HasPrefix(s, "With") && s[4] >= 'A' && s[4] <= 'Z' {
			return s
		}
	}
	return "an option"
}
