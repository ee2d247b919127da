package leadsquared

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/redact"
)

// doer implements api.HttpRequestDoer. It runs every attempt of every request: it waits
// on the limiter, adds credentials to a copy of the request, sends it, reads the body,
// classifies the outcome and retries when the rules allow.
type doer struct {
	hc         *http.Client
	headerAuth bool
	accessKey  string
	secretKey  string
	authQuery  string // "accessKey=…&secretKey=…", escaped
	limiter    Limiter
	adapt      limitSetter // nil when the user chose the limit
	logger     *slog.Logger
	basePath   string
	// route finds the operation of a request that does not carry one (table.route;
	// replaced by in-package tests).
	route     func(method, path string) (*Operation, bool)
	rd        *redact.Redactor
	validator payloadValidator // WithRequestValidation / WithResponseValidation
	valReq    bool
	valResp   bool
	drift     *driftChecker // WithDriftReport
	// observe is drift.check: called through a func value, so that a program that never names
	// WithDriftReport does not link the walk.
	observe func(op api.OperationID, body []byte)

	// Clock, sleep and jitter source; replaced by in-package tests.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
	// retryPolicy: WithMaxRetries, WithBackoff and the jitter source (rand).
	retryPolicy
}

func newDoer(cfg config, basePath, accessKey, secretKey string) *doer {
	d := &doer{
		headerAuth: cfg.headerAuth,
		accessKey:  accessKey,
		secretKey:  secretKey,
		authQuery:  queryAccessKey + "=" + url.QueryEscape(accessKey) + "&" + querySecretKey + "=" + url.QueryEscape(secretKey),
		limiter:    cfg.limiter,
		logger:     cfg.logger,
		basePath:   basePath,
		route:      table.route,
		rd:         newRedactor(accessKey, secretKey),
		validator:  cfg.validator,
		valReq:     cfg.validateRequests,
		valResp:    cfg.validateResponses,
		now:        time.Now,
		sleep:      sleepCtx,
		retryPolicy: retryPolicy{
			maxRetries: cfg.maxRetries,
			minBackoff: cfg.minBackoff,
			maxBackoff: cfg.maxBackoff,
			rand:       rand.Float64,
		},
	}
	if ls, ok := cfg.limiter.(limitSetter); ok && !cfg.userLimit {
		d.adapt = ls
	}
	if cfg.drift != nil {
		cfg.drift(d, cfg)
	}
	d.hc = keySafeClient(cfg.httpClient)
	return d
}

// keySafeClient returns a shallow copy of the user's client whose redirects to another host
// never carry the keys there (Go forwards custom headers on redirects).
func keySafeClient(user *http.Client) *http.Client {
	hc := *user
	userCheck := hc.CheckRedirect
	hc.CheckRedirect = func(r *http.Request, via []*http.Request) error {
		if len(via) > 0 && r.URL.Host != via[0].URL.Host {
			stripCredentials(r)
		}
		if userCheck != nil {
			return userCheck(r, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &hc
}

// stripCredentials removes the keys from a redirected request, including the Referer that
// net/http sets to the previous URL, query (and so query-auth keys) included.
func stripCredentials(r *http.Request) {
	r.Header.Del(headerAccessKey)
	r.Header.Del(headerSecretKey)
	r.Header.Del("Referer")
	if r.URL.RawQuery != "" {
		q := r.URL.Query()
		if q.Has(queryAccessKey) || q.Has(querySecretKey) {
			q.Del(queryAccessKey)
			q.Del(querySecretKey)
			r.URL.RawQuery = q.Encode()
		}
	}
}

// Do sends req, retrying as the package documentation describes. A LeadSquared error is
// returned as the error (*APIError or *RateLimitError) with a nil response; on success the
// response's body is the already-read body.
func (d *doer) Do(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	rewindable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	// The limiter sees which operation it paces (OperationFromContext), e.g. to keep a
	// separate budget for bulk operations.
	op, waitCtx := d.requestOperation(req)
	if d.valReq {
		if err := d.validateRequest(req, op); err != nil {
			if req.Body != nil {
				_ = req.Body.Close() // never sent: close as http.Client.Do would
			}
			return nil, err
		}
	}
	var lastErr error
	for attempt := 1; ; attempt++ {
		if err := d.limiter.Wait(waitCtx); err != nil {
			if attempt == 1 && req.Body != nil {
				_ = req.Body.Close() // never sent: close as http.Client.Do would
			}
			return nil, d.canceled(req, err, lastErr)
		}
		areq, err := d.prepare(ctx, req, attempt)
		if err != nil {
			return nil, joinLast(d.rd.Err(err), lastErr)
		}
		var sent *atomic.Bool // set once a request that is not safe to repeat is written
		if !op.Idempotent {
			sent = new(atomic.Bool)
			areq = areq.WithContext(httptrace.WithClientTrace(areq.Context(), &httptrace.ClientTrace{
				WroteRequest: func(httptrace.WroteRequestInfo) { sent.Store(true) },
			}))
		}

		start := d.now()
		resp, err := d.hc.Do(areq)
		var body []byte
		var buf *bytes.Buffer
		if err == nil {
			buf, err = readBody(resp)
			body = buf.Bytes()
		}
		elapsed := d.now().Sub(start)

		// This attempt failed: decide (retryPolicy.decide) whether to try again.
		o := attemptOutcome{Rewindable: rewindable}
		var failure error // the attempt's error
		rateLimited := false
		switch {
		case err != nil: // transport error, or the connection broke while reading the body
			err = d.rd.Err(err)
			d.logAttempt(ctx, req, attempt, 0, elapsed, err)
			if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
				// The transport may report the broken connection instead.
				err = fmt.Errorf("%w (%w)", err, ctxErr)
			}
			failure = err
			o.Broken, o.Sent, o.CtxDone = true, sent != nil && sent.Load(), ctx.Err() != nil

		default:
			var eb errorBody
			html := false
			if resp.StatusCode >= 200 && resp.StatusCode < 300 {
				var isErr bool
				if html = isHTML(body); html {
					// A maintenance or proxy page where JSON was due: a failure, not an
					// empty success.
					eb = errorBody{ExceptionMessage: "LeadSquared answered an HTML page where JSON was expected"}
				} else if eb, isErr = errorShape(body); !isErr {
					d.logAttempt(ctx, req, attempt, resp.StatusCode, elapsed, nil)
					if d.observe != nil && resp.StatusCode == http.StatusOK {
						d.observe(op.ID, body)
					}
					if d.valResp {
						if err := d.validateResponse(op, resp.StatusCode, body); err != nil {
							return nil, err
						}
					}
					// The buffer goes back to bodyPool when the caller closes the body (the
					// generated code copies it with io.ReadAll first); error paths keep theirs.
					resp.Body = &pooledBody{buf: buf}
					resp.ContentLength = int64(len(body))
					resp.Request = req // the request without the keys
					return resp, nil
				}
			} else {
				eb = parseErrorBody(body)
			}
			apiErr := d.apiError(req, resp, body, eb)
			d.logAttempt(ctx, req, attempt, resp.StatusCode, elapsed, apiErr)
			failure = apiErr
			if rateLimited = isRateLimit(resp.StatusCode, eb); rateLimited {
				failure = d.rateLimitError(op, apiErr, eb.ExceptionMessage, resp.Header, attempt)
			}
			o.Status, o.Body, o.HTML = resp.StatusCode, eb, html
			o.RetryAfter, o.HasRetryAfter = parseRetryAfter(resp.Header, d.now())
		}
		if deadline, ok := ctx.Deadline(); ok {
			o.Remaining, o.HasDeadline = time.Until(deadline), true
		}
		dec := d.decide(*op, attempt, o)
		switch {
		case dec.Deadline:
			// The context would end before the retry: fail now rather than wait for nothing.
			return nil, d.canceled(req, context.DeadlineExceeded, failure)
		case !dec.Retry:
			if dec.OutcomeUnknown {
				failure = &outcomeUnknownError{err: failure}
			}
			if d.valResp && !o.Broken && !rateLimited {
				if verr := d.validateResponse(op, resp.StatusCode, body); verr != nil {
					return nil, errors.Join(failure, verr)
				}
			}
			return nil, failure
		}
		lastErr = failure
		if d.logger != nil {
			d.logger.LogAttrs(ctx, slog.LevelWarn, "leadsquared: retrying",
				slog.String("method", req.Method),
				slog.String("path", req.URL.Path),
				slog.Int("attempt", attempt),
				slog.String("reason", dec.Reason),
				slog.Duration("wait", dec.Wait))
		}
		if err := d.sleep(ctx, dec.Wait); err != nil {
			return nil, d.canceled(req, err, lastErr)
		}
	}
}

// prepare returns the request of one attempt: a shallow copy of req with its own URL (and,
// in header mode, its own header) that carries the keys, and on a retry a fresh body. req
// itself never holds a key, so the *http.Response handed back (whose Request is req) holds
// none either.
func (d *doer) prepare(ctx context.Context, req *http.Request, attempt int) (*http.Request, error) {
	areq := req.WithContext(ctx)
	u := *req.URL
	areq.URL = &u
	if attempt > 1 && req.GetBody != nil && req.Body != nil && req.Body != http.NoBody {
		body, err := req.GetBody()
		if err != nil {
			return nil, fmt.Errorf("leadsquared: rewinding the request body: %w", err)
		}
		areq.Body = body
	}
	if d.headerAuth {
		areq.Header = req.Header.Clone()
		if areq.Header == nil {
			areq.Header = make(http.Header, 2)
		}
		areq.Header.Set(headerAccessKey, d.accessKey)
		areq.Header.Set(headerSecretKey, d.secretKey)
	} else if u.RawQuery == "" {
		u.RawQuery = d.authQuery
	} else {
		u.RawQuery += "&" + d.authQuery
	}
	return areq, nil
}

// maxPooledBody is the capacity above which a response buffer is not kept for reuse.
const maxPooledBody = 4 << 20

// bodyPool recycles the buffers response bodies are read into.
var bodyPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// isHTML reports whether a body is an HTML page (it starts with '<' after white space): no
// LeadSquared JSON reply does.
func isHTML(body []byte) bool {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	return len(trimmed) > 0 && trimmed[0] == '<'
}

// readBody reads and closes a response body, into a buffer from bodyPool.
func readBody(resp *http.Response) (*bytes.Buffer, error) {
	defer func() { _ = resp.Body.Close() }()
	buf := bodyPool.Get().(*bytes.Buffer)
	buf.Reset()
	if n := resp.ContentLength; n >= 0 && n <= maxPooledBody {
		buf.Grow(int(n) + bytes.MinRead) // ReadFrom wants MinRead free bytes before EOF
	}
	_, err := buf.ReadFrom(resp.Body)
	return buf, err
}

// pooledBody is the body of a successful response: the bytes read by readBody. Close
// returns the buffer to bodyPool; reads after Close fail.
type pooledBody struct {
	mu  sync.Mutex
	buf *bytes.Buffer
}

func (b *pooledBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf == nil {
		return 0, http.ErrBodyReadAfterClose
	}
	return b.buf.Read(p) // io.EOF once empty
}

// bytes returns the unread rest of the body, without copying it; valid until Close.
func (b *pooledBody) bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf == nil {
		return nil
	}
	return b.buf.Bytes()
}

func (b *pooledBody) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf != nil && b.buf.Cap() <= maxPooledBody {
		bodyPool.Put(b.buf)
	}
	b.buf = nil
	return nil
}

// apiError builds the *APIError of a reply, with any echoed key scrubbed from the text a key
// could travel in (the message and the body), and on a 401 the account's host when the body
// names a known regional host other than the one called. What the sentinels rest on is
// decided from the raw reply (eb, body): redaction with a short key ("x", "test") would
// otherwise rewrite MXDuplicateEntryException or a message's words.
func (d *doer) apiError(req *http.Request, resp *http.Response, body []byte, eb errorBody) *APIError {
	rd := d.rd
	e := &APIError{
		StatusCode:       resp.StatusCode,
		ExceptionType:    eb.ExceptionType,
		ExceptionMessage: rd.Scrub(eb.ExceptionMessage),
		Body:             rd.ScrubBytes(body),
		Header:           resp.Header,
		Method:           req.Method,
		Path:             req.URL.Path,
		notFound:         namesMissingRecord(eb),
	}
	if !exceptionName.MatchString(eb.ExceptionType) {
		e.ExceptionType = rd.Scrub(eb.ExceptionType) // not a class name: text a key could be in
	}
	if resp.StatusCode == http.StatusUnauthorized {
		// One of the known hosts, never text from the body.
		e.AccountHost = accountHostIn(string(body), req.URL.Hostname())
	}
	return e
}

// exceptionName is the shape of LeadSquared's exception class names (MXDuplicateEntryException).
var exceptionName = regexp.MustCompile(`^MX[A-Za-z]{1,80}Exception$`)

// rateLimitError builds the *RateLimitError of a rate-limited reply, and makes an adaptive
// limiter adopt the limit the message names, unless the call was a bulk operation: the bulk
// budget is separate and lower, and must not slow every other call down.
func (d *doer) rateLimitError(op *Operation, apiErr *APIError, rawMessage string, h http.Header, attempt int) *RateLimitError {
	rl := &RateLimitError{APIError: *apiErr, Attempts: attempt}
	rl.Limit, rl.Window, _ = parseLimit(rawMessage) // before redaction: a key "5" must not hide the limit
	if ra, ok := parseRetryAfter(h, d.now()); ok {
		rl.RetryAfter = ra
	} else {
		rl.RetryAfter = rl.Window
	}
	bulk := op.Bulk
	if w, ok := d.limiter.(slackWidener); ok && !bulk && w.widenSlack() && d.logger != nil {
		// The limiter was pacing and the server still said no: its slack is too small
		// for this network's jitter.
		d.logger.LogAttrs(context.Background(), slog.LevelInfo, "leadsquared: widening the rate limiter's slack")
	}
	if d.adapt != nil && rl.Limit > 0 && !bulk {
		if calls, per := d.adapt.Limit(); calls != rl.Limit || per != rl.Window {
			if err := d.adapt.SetLimit(rl.Limit, rl.Window); err == nil && d.logger != nil {
				d.logger.LogAttrs(context.Background(), slog.LevelInfo, "leadsquared: adopting the account's rate limit",
					slog.Int("calls", rl.Limit), slog.Duration("per", rl.Window))
			}
		}
	}
	return rl
}

// slackWidener is a limiter whose window can grow after the server rejects a call the
// limiter let through (SlidingWindowLimiter).
type slackWidener interface{ widenSlack() bool }

// canceled reports a wait cut short (ctx done), keeping the last attempt's error reachable.
func (d *doer) canceled(req *http.Request, err, lastErr error) error {
	err = d.rd.Err(err)
	if lastErr == nil {
		return err
	}
	return errorf("leadsquared: %s %s: gave up waiting to retry: %w; last error: %w", req.Method, req.URL.Path, err, lastErr)
}

func joinLast(err, lastErr error) error {
	if lastErr == nil {
		return err
	}
	return errorf("%w; last error: %w", err, lastErr)
}

// logAttempt writes the Debug line of one attempt. It names the URL path, never the query.
func (d *doer) logAttempt(ctx context.Context, req *http.Request, attempt, status int, elapsed time.Duration, err error) {
	if d.logger == nil || !d.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", req.Method),
		slog.String("path", req.URL.Path),
		slog.Int("attempt", attempt),
		slog.Int("status", status),
		slog.Duration("duration", elapsed),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", d.rd.Scrub(err.Error())))
	}
	d.logger.LogAttrs(ctx, slog.LevelDebug, "leadsquared: attempt", attrs...)
}
