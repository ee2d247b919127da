package leadsquared

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

// Defaults of a new Client.
const (
	DefaultMaxRetries = 3
	DefaultMinBackoff = 500 * time.Millisecond
	DefaultMaxBackoff = 8 * time.Second
	// DefaultTimeout is the Timeout of the *http.Client used when WithHTTPClient is not given;
	// its Transport is [NewTransport]'s.
	DefaultTimeout = 60 * time.Second
)

// Client is the LeadSquared API client. It has one method per operation of the spec, named as
// its operationId (c.GetUserByID, c.CreateUser, c.AdvancedSearchUsers, ...: client.gen.go),
// each returning the operation's answer as a value, and the helpers that span several calls
// (iterators, chunked updates). Every request goes through one transport that adds the
// credentials, paces, retries and turns LeadSquared errors into [*APIError] /
// [*RateLimitError]; [Client.API] is the generated client on that same transport, for the
// raw *http.Response. A Client is safe for concurrent use. Make one with [New]: the methods of
// a zero Client (or a nil *Client) send nothing and return an error matching
// [ErrInvalidRequest].
type Client struct {
	api     *api.ClientWithResponses
	baseURL *url.URL
	doer    *doer
}

// API returns the generated client of package api on this client's transport (credentials,
// rate limiter, retries, redaction, typed errors): its XWithResponse methods return the raw
// *http.Response and body beside the decoded model.
//
//	res, err := c.API().GetUserByIDWithResponse(ctx, &api.GetUserByIDParams{UserID: id})
//	// res.HTTPResponse.Header, res.Body, *res.JSON200
//
// It is nil for a Client New did not make.
func (c *Client) API() *api.ClientWithResponses {
	if !c.made() {
		return nil
	}
	return c.api
}

// Do sends req, a request to the API built by hand (its URL under [Client.BaseURL]), through
// the client's transport, as every method does: credentials added to a copy, the limiter,
// retries by the spec's idempotency marks, and LeadSquared errors returned as [*APIError] /
// [*RateLimitError] with a nil response. On success the response's body holds the reply and
// its Request is a copy of req, without the keys, with the headers the client added
// (User-Agent, [WithHeader]); req itself is not changed. opts are the call's options, as for
// any method. It is for raw calls (`lsq call` uses it); the generated methods and
// [Client.API] cover every operation of the spec.
func (c *Client) Do(req *http.Request, opts ...Option) (*http.Response, error) {
	if !c.made() {
		if req != nil {
			closeUnsent(req)
		}
		return nil, errNoClient("Do")
	}
	if req == nil || req.URL == nil {
		return nil, errors.New("leadsquared: Do: nil request")
	}
	if req.URL.Scheme != c.baseURL.Scheme || req.URL.Host != c.baseURL.Host {
		// Never send the keys to another host than the client's.
		return nil, errors.New("leadsquared: Do: the request's URL is not under the client's base URL")
	}
	ctx, err := c.callOptions(req.Context(), "Do", opts)
	if err != nil {
		closeUnsent(req)
		return nil, err
	}
	return c.doer.Do(req.Clone(ctx)) // the client sets headers on its own copy
}

// Option configures a Client in [New], or one call when given last to a method of the Client
// (one type for both, so that WithMaxRetries(0) reads the same in New and in a call). Options
// validate their arguments: an invalid one makes New, or the call, return an error rather than
// panic. Some options are for the client only (WithHTTPClient, WithRateLimit, WithLimiter,
// WithLogger, ...): given to a call, the call returns an error and sends nothing. Others are
// for a call only ([WithResponseInto], [WithCallStats]): given to New, New returns an error.
// The options a call may take say so in their documentation; for that call they replace the
// client's (WithHeader and WithMiddleware add to the client's).
type Option func(*config) error

type config struct {
	// callSettings are the settings an Option may give a call as well as the client.
	callSettings
	// forCall: the options are being applied to one call (callOptions), not to New.
	forCall bool
	// callable is set by every option a call may take: one that leaves it false is an
	// option of the client only.
	callable bool

	httpClient *http.Client
	headerAuth bool
	limiter    Limiter
	userLimit  bool // the user chose the limit: never adopt the server's
	ownLimiter bool // limiter is the client's own (WithRateLimit), not WithLimiter's
	clock      Clock
	logger     *slog.Logger

	validator         payloadValidator
	validateRequests  bool
	validateResponses bool

	// drift is newDriftChecker when WithDriftReport is given: through this field, a program
	// that never names WithDriftReport does not link the checker's table.
	drift         func(d *doer, cfg config)
	driftFn       func(DriftReport)
	driftInterval time.Duration
}

// WithHTTPClient sets the *http.Client that sends the requests (default: a client with a
// [DefaultTimeout] timeout and the transport of [NewTransport], which keeps enough idle
// connections for the limiter's calls per window). New uses a shallow copy of it whose
// CheckRedirect also drops the keys on a redirect to another host; its Transport is used as
// given, so size its idle pool yourself (http.DefaultTransport keeps 2 idle connections
// per host: goroutines sharing the client then dial anew for most calls). nil is an error.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return errors.New("leadsquared: WithHTTPClient: nil *http.Client")
		}
		c.httpClient = hc
		return nil
	}
}

// WithHeaderAuth sends the keys in the x-LSQ-AccessKey and x-LSQ-SecretKey headers
// instead of the accessKey and secretKey query parameters (LeadSquared recommends it).
//
// LeadSquared API docs: https://apidocs.leadsquared.com/authentication/
func WithHeaderAuth() Option {
	return func(c *config) error {
		c.headerAuth = true
		return nil
	}
}

// WithMaxRetries sets how many times a request may be retried after the first attempt
// (default [DefaultMaxRetries]); 0 disables retries; a negative n is an error. A call may take
// it: leadsquared.WithMaxRetries(0) given to one CreateUser makes that call alone not retry.
func WithMaxRetries(n int) Option {
	return func(c *config) error {
		c.callable = true
		if n < 0 {
			return fmt.Errorf("leadsquared: WithMaxRetries: negative retries %d", n)
		}
		c.maxRetries = n
		return nil
	}
}

// WithBackoff sets the bounds of the exponential backoff used when the server gives no
// hint of how long to wait (defaults [DefaultMinBackoff] and [DefaultMaxBackoff]).
// It needs 0 < minWait <= maxWait. A call may take it.
func WithBackoff(minWait, maxWait time.Duration) Option {
	return func(c *config) error {
		c.callable = true
		if minWait <= 0 || maxWait < minWait {
			return fmt.Errorf("leadsquared: WithBackoff: need 0 < min <= max, got min %s, max %s", minWait, maxWait)
		}
		c.minBackoff, c.maxBackoff = minWait, maxWait
		return nil
	}
}

// WithRateLimit sets a client-side limiter that allows at most calls request starts
// (retries included) in any window of length per. The client then keeps this limit even
// when a rate-limit error names another one. Without it, the client sends freely until
// its first rate-limit error that names the account's limit, and adopts that limit.
//
// LeadSquared API docs: https://apidocs.leadsquared.com/rate-limits/
func WithRateLimit(calls int, per time.Duration) Option {
	return func(c *config) error {
		l, err := NewLimiter(calls, per)
		if err != nil {
			return errorf("leadsquared: WithRateLimit: %w", err)
		}
		c.limiter, c.userLimit, c.ownLimiter = l, true, true
		return nil
	}
}

// Clock is the time a [Client] reads and waits by (see [WithClock]). Sleep waits d, or
// returns ctx's error as soon as ctx is done.
type Clock interface {
	Now() time.Time
	Sleep(ctx context.Context, d time.Duration) error
}

// WithClock makes the client read the time from clk and wait through clk.Sleep: its retry
// waits (backoff, Retry-After, the window a rate-limit message names) and the waits of its
// own rate limiter ([WithRateLimit], or the limit it adopts from a rate-limit error; a
// limiter of [WithLimiter] keeps its own clock). The waits are computed as without it.
//
// It is for tests: the Clock of a fake server (lsqtest's Server.Clock, which package
// lsqclient gives its clients) skips every wait while recording it, so a rate-limit answer
// naming a 5-second window costs a test microseconds, and the test can still assert the
// 5 s. nil is an error.
func WithClock(clk Clock) Option {
	return func(c *config) error {
		if clk == nil {
			return errors.New("leadsquared: WithClock: nil Clock")
		}
		c.clock = clk
		return nil
	}
}

// WithLogger logs one Debug line per attempt (method, path, attempt, status, duration)
// and one Warn line per retry (reason, wait). Log lines never hold a key: they name the
// URL path, never the query. nil is an error.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("leadsquared: WithLogger: nil *slog.Logger")
		}
		c.logger = l
		return nil
	}
}

// New returns a Client for the API at baseURL, authenticated with the access key and
// secret key of a LeadSquared user (Settings > API and Webhooks).
//
// baseURL is a full base URL ("https://api-in21.leadsquared.com/v2"), a bare host
// ([HostIndiaMumbai], "api-in21.leadsquared.com"), which means https://HOST/v2, or a region
// name as [RegionHost] knows it ("mumbai", "singapore"), which means its host. A full URL
// with no path gets /v2. An invalid URL or an empty key is an error.
//
// LeadSquared API docs: https://apidocs.leadsquared.com/authentication/
func New(baseURL, accessKey, secretKey string, opts ...Option) (*Client, error) {
	if err := checkKeys(accessKey, secretKey); err != nil {
		return nil, err
	}
	base, err := parseBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	cfg := config{callSettings: callSettings{
		maxRetries: DefaultMaxRetries,
		minBackoff: DefaultMinBackoff,
		maxBackoff: DefaultMaxBackoff,
	}}
	for _, opt := range opts {
		if opt == nil {
			return nil, errors.New("leadsquared: nil Option")
		}
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.drift != nil && cfg.driftFn == nil && cfg.logger == nil {
		return nil, errors.New("leadsquared: WithDriftReport: a nil function and no WithLogger: nothing would see the reports")
	}
	if cfg.httpClient == nil {
		cfg.httpClient = &http.Client{Timeout: DefaultTimeout, Transport: NewTransport(limiterCalls(cfg.limiter))}
	}
	if cfg.limiter == nil {
		cfg.limiter, cfg.ownLimiter = newUnlimited(), true
	}
	if l, ok := cfg.limiter.(*SlidingWindowLimiter); ok && cfg.ownLimiter && cfg.clock != nil {
		l.useClock(cfg.clock)
	}
	d := newDoer(cfg, base.Path, accessKey, secretKey)
	for _, vs := range cfg.header {
		for _, v := range vs {
			if d.rd.Contains(v) {
				return nil, errors.New("leadsquared: WithHeader: a header value holds one of the keys")
			}
		}
	}
	gen, err := api.NewClientWithResponses(base.String(), api.WithHTTPClient(d))
	if err != nil {
		return nil, errorf("leadsquared: %w", err)
	}
	return &Client{api: gen, baseURL: base, doer: d}, nil
}

// BaseURL returns the base URL the client sends to, e.g. https://api-in21.leadsquared.com/v2;
// "" for a Client New did not make.
func (c *Client) BaseURL() string {
	if !c.made() {
		return ""
	}
	return c.baseURL.String()
}

// checkKeys rejects empty keys and keys with a control character: neither a header nor
// LeadSquared can carry one, so fail early rather than retry a request that can never be
// sent. The key is not repeated.
func checkKeys(accessKey, secretKey string) error {
	switch {
	case strings.TrimSpace(accessKey) == "":
		return errors.New("leadsquared: empty access key")
	case strings.TrimSpace(secretKey) == "":
		return errors.New("leadsquared: empty secret key")
	case hasControl(accessKey):
		return errors.New("leadsquared: the access key contains a control character (a newline?)")
	case hasControl(secretKey):
		return errors.New("leadsquared: the secret key contains a control character (a newline?)")
	}
	return nil
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// parseBaseURL accepts a full base URL or a bare host. Its errors never repeat the input,
// which could hold keys by mistake.
func parseBaseURL(raw string) (*url.URL, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return nil, errors.New("leadsquared: empty base URL")
	}
	if host, ok := RegionHost(s); ok {
		s = host // "mumbai", "singapore", ...
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		// Not wrapped: url.Parse's errors quote parts of the input.
		return nil, errors.New("leadsquared: invalid base URL: cannot be parsed (bad host, port or escape)")
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, errors.New("leadsquared: invalid base URL: scheme must be https or http")
	case u.Host == "" || u.Hostname() == "" || strings.ContainsAny(u.Host, " \t"):
		return nil, errors.New("leadsquared: invalid base URL: no host")
	case u.User != nil:
		return nil, fmt.Errorf("leadsquared: invalid base URL: user info is not allowed")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		// Not quoted: a query could hold keys.
		return nil, errors.New("leadsquared: invalid base URL: query and fragment are not allowed")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	if u.Path == "" {
		u.Path = DefaultBasePath
	}
	return u, nil
}
