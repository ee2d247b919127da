package leadsquared

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
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
	// validateRequests and validateResponses are the validation middleware's settings
	// (validation, d.mw[0] when either is set).
	validateRequests, validateResponses bool
	drift                               *driftChecker // WithDriftReport
	// observe is drift.check: called through a func value, so that a program that never names
	// WithDriftReport does not link the walk.
	observe func(op api.OperationID, body []byte)
	// mw is the middleware around every attempt (middleware.go): the client's own
	// (validation, the drift check), then WithMiddleware's.
	mw      []Middleware
	header  http.Header   // WithHeader, never changed
	ua      []string      // the User-Agent header's value (WithUserAgent in New), never changed
	timeout time.Duration // WithRequestTimeout

	// Clock, sleep and jitter source; replaced by in-package tests.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
	// retryPolicy: WithMaxRetries, WithBackoff and the jitter source (rand).
	retryPolicy
}

func newDoer(cfg config, basePath, accessKey, secretKey string) *doer {
	d := &doer{
		headerAuth:        cfg.headerAuth,
		accessKey:         accessKey,
		secretKey:         secretKey,
		authQuery:         queryAccessKey + "=" + url.QueryEscape(accessKey) + "&" + querySecretKey + "=" + url.QueryEscape(secretKey),
		limiter:           cfg.limiter,
		logger:            cfg.logger,
		basePath:          basePath,
		route:             table.route,
		rd:                newRedactor(accessKey, secretKey),
		validator:         cfg.validator,
		validateRequests:  cfg.validateRequests,
		validateResponses: cfg.validateResponses,
		header:            cfg.header,
		ua:                userAgent(cfg.product),
		timeout:           cfg.timeout,
		now:               time.Now,
		sleep:             sleepCtx,
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
	if cfg.clock != nil {
		d.now, d.sleep = cfg.clock.Now, cfg.clock.Sleep
	}
	if cfg.drift != nil {
		cfg.drift(d, cfg)
	}
	d.mw = d.builtin(cfg)
	d.hc = keySafeClient(cfg.httpClient, d.ua)
	return d
}

// keySafeClient returns a shallow copy of the user's client whose redirects to another host
// never carry the keys there (Go forwards custom headers on redirects), and whose transport
// sends the User-Agent ua (userAgentTransport) around the user's.
func keySafeClient(user *http.Client, ua []string) *http.Client {
	hc := *user
	hc.Transport = &userAgentTransport{base: user.Transport, ua: ua}
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
// response's body is the already-read body. The settings of the call (callOptions) come with
// req's context; WithResponseInto and WithCallStats are filled in when it returns.
func (d *doer) Do(req *http.Request) (*http.Response, error) {
	cs := callSettingsOf(req.Context())
	if cs == nil || cs.rsp == nil && cs.stats == nil {
		return d.do(req, cs, nil)
	}
	var rec callRecord
	resp, err := d.do(req, cs, &rec)
	if cs.rsp != nil {
		*cs.rsp = rec.last
	}
	if cs.stats != nil {
		*cs.stats = rec.stats
	}
	return resp, err
}

// callRecord is what WithResponseInto and WithCallStats report of a call.
type callRecord struct {
	last  *http.Response // the last attempt's reply, Body http.NoBody
	stats CallStats
}

// attempt is the state of one attempt, shared by the loop of do and send, the end of the
// middleware chain: what send did tells a middleware's error from the transport's.
type attempt struct {
	n       int // 1 for the first attempt
	op      *Operation
	timeout time.Duration // WithRequestTimeout, 0 for none
	rec     *callRecord   // nil when the call reports nothing

	reached  bool          // send got past the limiter: the request went to the transport
	limitErr error         // the limiter's Wait failed (the context ended)
	sendErr  error         // the transport's error, or reading the body's; redacted
	sent     *atomic.Bool  // for a request not safe to repeat: set once it is written
	elapsed  time.Duration // of the send and the read
}

// do is Do, recording into rec when not nil.
func (d *doer) do(req *http.Request, cs *callSettings, rec *callRecord) (*http.Response, error) {
	ctx := req.Context()
	rewindable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	// The limiter sees which operation it paces (OperationFromContext), e.g. to keep a
	// separate budget for bulk operations; so do the middleware.
	op, waitCtx := d.requestOperation(req)
	if rec != nil {
		rec.stats.Operation = op.ID
	}
	pol, mw, timeout := d.retryPolicy, d.mw, d.timeout
	if cs != nil {
		pol.maxRetries, pol.minBackoff, pol.maxBackoff, timeout = cs.maxRetries, cs.minBackoff, cs.maxBackoff, cs.timeout
		if len(cs.middleware) > 0 {
			mw = append(mw[:len(mw):len(mw)], cs.middleware...)
		}
	}
	d.setHeaders(req, cs)
	var lastErr error
	for n := 1; ; n++ {
		areq, err := d.attemptRequest(req, waitCtx, n)
		if err != nil {
			return nil, joinLast(d.rd.Err(err), lastErr)
		}
		at := attempt{n: n, op: op, timeout: timeout, rec: rec}
		var resp *http.Response
		switch {
		case len(mw) == 0:
			resp, err = d.send(&at, areq)
		case len(mw) == 1 && (d.validateRequests || d.validateResponses):
			// The client's validation is the only middleware: called directly, with at and
			// the end of the chain on the stack.
			resp, err = d.validate(areq, op, func(r *http.Request) (*http.Response, error) { return d.send(&at, r) })
		default:
			heap := new(attempt) // captured by the chain; at stays on the stack
			*heap = at
			resp, err = d.chain(mw, heap)(areq) //nolint:bodyclose // the body is read below
			at = *heap
		}
		if rec != nil {
			rec.last = nil
		}
		// The response validation's verdict on the reply, which it returns with it.
		var verdict error
		if iv, ok := err.(*invalidReply); ok && resp != nil { //nolint:errorlint // the chain's own value
			verdict, err = iv.err, nil
		}
		var body []byte
		if err == nil {
			if resp == nil {
				err = errors.New("leadsquared: a middleware returned neither a response nor an error")
			} else if body, err = replyBody(resp); err != nil {
				at.sendErr = d.rd.Err(err)
				err = at.sendErr
			}
		}
		switch {
		case err == nil:
		case at.limitErr != nil:
			closeUnsent(areq)
			return nil, d.canceled(req, at.limitErr, lastErr)
		case !at.reached:
			// A middleware refused the request (request validation among them): nothing was
			// sent, and asking again would be refused again.
			closeUnsent(areq)
			return nil, joinLast(d.rd.Err(err), lastErr)
		case at.sendErr == nil:
			// A middleware failed the call after LeadSquared answered: not retried.
			return nil, joinLast(d.rd.Err(err), lastErr)
		}
		if rec != nil && resp != nil && err == nil {
			last := *resp
			last.Body, last.Request = http.NoBody, req
			last.Header = scrubHeader(d.rd, resp.Header)
			rec.last = &last
		}

		// This attempt failed: decide (retryPolicy.decide) whether to try again.
		o := attemptOutcome{Rewindable: rewindable}
		var failure error // the attempt's error
		rateLimited := false
		if err != nil { // transport error, or the connection broke while reading the body
			err = d.rd.Err(err)
			d.logAttempt(ctx, req, n, 0, at.elapsed, err)
			if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
				// The transport may report the broken connection instead.
				err = fmt.Errorf("%w (%w)", err, ctxErr)
			}
			failure = err
			o.Broken, o.Sent, o.CtxDone = true, at.sent != nil && at.sent.Load(), ctx.Err() != nil
		} else {
			var eb errorBody
			html := false
			if resp.StatusCode >= 200 && resp.StatusCode < 300 {
				var isErr bool
				if html = isHTML(body); html {
					// A maintenance or proxy page where JSON was due: a failure, not an
					// empty success.
					eb = errorBody{ExceptionMessage: "LeadSquared answered an HTML page where JSON was expected"}
				} else if eb, isErr = errorShape(body); !isErr {
					d.logAttempt(ctx, req, n, resp.StatusCode, at.elapsed, nil)
					if verdict != nil {
						return nil, &refusedReply{err: verdict, unsafe: !op.Idempotent}
					}
					// The buffer goes back to bodyPool when the caller closes the body (the
					// generated code copies it with io.ReadAll first); error paths keep theirs.
					resp.ContentLength = int64(len(body))
					resp.Request = req // the request without the keys
					return resp, nil
				}
			} else {
				eb = parseErrorBody(body)
			}
			apiErr := d.apiError(req, resp, body, eb)
			d.logAttempt(ctx, req, n, resp.StatusCode, at.elapsed, apiErr)
			failure = apiErr
			if rateLimited = isRateLimit(resp.StatusCode, eb); rateLimited {
				failure = d.rateLimitError(op, apiErr, eb.ExceptionMessage, resp.Header, n)
			}
			o.Status, o.Body, o.HTML = resp.StatusCode, eb, html
			o.RetryAfter, o.HasRetryAfter = parseRetryAfter(resp.Header, d.now())
		}
		if deadline, ok := ctx.Deadline(); ok {
			o.Remaining, o.HasDeadline = time.Until(deadline), true
		}
		dec := pol.decide(*op, n, o)
		switch {
		case dec.Deadline:
			// The context would end before the retry: fail now rather than wait for nothing.
			return nil, d.canceled(req, context.DeadlineExceeded, failure)
		case !dec.Retry:
			if dec.OutcomeUnknown {
				failure = &outcomeUnknownError{err: failure}
			}
			if verdict != nil && !rateLimited {
				return nil, errors.Join(failure, verdict)
			}
			return nil, failure
		}
		lastErr = failure
		if d.logger != nil {
			d.logger.LogAttrs(ctx, slog.LevelWarn, "leadsquared: retrying",
				slog.String("method", req.Method),
				slog.String("path", req.URL.Path),
				slog.Int("attempt", n),
				slog.String("reason", dec.Reason),
				slog.Duration("wait", dec.Wait))
		}
		if err := d.sleep(ctx, dec.Wait); err != nil {
			return nil, d.canceled(req, err, lastErr)
		}
		if rec != nil {
			rec.stats.RetryWait += dec.Wait
		}
	}
}

// closeUnsent closes the body of a request that was never given to the transport, as
// http.Client.Do would have.
func closeUnsent(req *http.Request) {
	if req.Body != nil && req.Body != http.NoBody {
		_ = req.Body.Close()
	}
}

// attemptRequest returns the request of attempt n, without the keys: req itself when it
// already carries the operation and its body need not be rewound, else a shallow copy with
// waitCtx and, on a retry, a fresh body.
func (d *doer) attemptRequest(req *http.Request, waitCtx context.Context, n int) (*http.Request, error) {
	rewind := n > 1 && req.GetBody != nil && req.Body != nil && req.Body != http.NoBody
	if !rewind && waitCtx == req.Context() {
		return req, nil
	}
	areq := req.WithContext(waitCtx)
	if rewind {
		body, err := req.GetBody()
		if err != nil {
			return nil, fmt.Errorf("leadsquared: rewinding the request body: %w", err)
		}
		areq.Body = body
	}
	return areq, nil
}

// send is the end of the middleware chain: it waits for the limiter, sends a copy of r that
// carries the keys (within the attempt's timeout) and reads the whole reply into a buffer of
// bodyPool. The response it returns has that buffer as its Body and r as its Request.
func (d *doer) send(at *attempt, r *http.Request) (*http.Response, error) {
	ctx := r.Context()
	var t0 time.Time
	if at.rec != nil {
		t0 = d.now()
	}
	if err := d.limiter.Wait(ctx); err != nil {
		at.limitErr = err
		return nil, err
	}
	at.reached = true
	if at.rec != nil {
		at.rec.stats.LimiterWait += d.now().Sub(t0)
		at.rec.stats.Attempts++
	}
	if at.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, at.timeout)
		defer cancel() // the body is read before send returns
	}
	if !at.op.Idempotent {
		sent := new(atomic.Bool) // set once a request that is not safe to repeat is written
		at.sent = sent
		ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
			WroteRequest: func(httptrace.WroteRequestInfo) { sent.Store(true) },
		})
	}
	start := d.now()
	resp, err := d.hc.Do(d.prepare(ctx, r))
	var buf *bytes.Buffer
	if err == nil {
		buf, err = readBody(resp)
	}
	at.elapsed = d.now().Sub(start)
	if err != nil {
		err = d.rd.Err(err) // before wrapping: it rebuilds a *url.Error without the keys
		if at.timeout > 0 && ctx.Err() != nil && r.Context().Err() == nil {
			err = fmt.Errorf("%w (the attempt ran out of its WithRequestTimeout of %s)", err, at.timeout)
		}
		at.sendErr = err
		return nil, err
	}
	resp.Body = &pooledBody{buf: buf}
	resp.ContentLength = int64(buf.Len())
	resp.Request = r // the request without the keys
	if _, ok := r.Header["User-Agent"]; !ok && r.Header != nil {
		// With header auth, the copy sent had a header of its own, which userAgentTransport
		// gave the User-Agent; with query auth, r's own header has it now.
		r.Header["User-Agent"] = d.ua
	}
	return resp, nil
}

// prepare returns the request that goes to the transport: a shallow copy of r with ctx and its
// own URL (and, in header mode, its own header) that carries the keys. r itself never holds a
// key, so the *http.Response handed back (whose Request is r) holds none either.
func (d *doer) prepare(ctx context.Context, r *http.Request) *http.Request {
	k := new(keyedRequest) // the copy and its URL in one allocation
	if ctx == r.Context() {
		k.req = *r
	} else {
		k.req = *r.WithContext(ctx)
	}
	areq, u := &k.req, &k.url
	*u = *r.URL
	areq.URL = u
	if d.headerAuth {
		areq.Header = r.Header.Clone()
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
	return areq
}

// keyedRequest is the request prepare gives the transport, with its own URL.
type keyedRequest struct {
	req http.Request
	url url.URL
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

// pooledBody is the body of a response read by send: the bytes read by readBody. Reading it
// does not consume them for the client (bytes returns them all, so a middleware may read the
// body). Close returns the buffer to bodyPool; reads after Close fail.
type pooledBody struct {
	mu  sync.Mutex
	buf *bytes.Buffer
	off int // how much Read has returned
}

func (b *pooledBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf == nil {
		return 0, http.ErrBodyReadAfterClose
	}
	rest := b.buf.Bytes()[b.off:]
	if len(rest) == 0 {
		if len(p) == 0 {
			return 0, nil
		}
		return 0, io.EOF
	}
	n := copy(p, rest)
	b.off += n
	return n, nil
}

// bytes returns the whole body, read or not, without copying it; valid until Close.
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

// replyBody returns the whole body of resp: the buffer send read it into, or, when a
// middleware gave the response another Body, that body read (and resp.Body replaced by a
// pooledBody of it).
func replyBody(resp *http.Response) ([]byte, error) {
	if pb, ok := resp.Body.(*pooledBody); ok {
		return pb.bytes(), nil
	}
	if resp.Body == nil || resp.Body == http.NoBody {
		resp.Body = &pooledBody{buf: new(bytes.Buffer)}
		return nil, nil
	}
	buf, err := readBody(resp)
	resp.Body = &pooledBody{buf: buf}
	return buf.Bytes(), err
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
		Header:           scrubHeader(rd, resp.Header),
		Method:           req.Method,
		Path:             req.URL.Path,
		notFound:         namesMissingRecord(eb),
	}
	if !exceptionName.MatchString(string(eb.ExceptionType)) {
		e.ExceptionType = ExceptionType(rd.Scrub(string(eb.ExceptionType))) // not a class name: text a key could be in
	}
	if resp.StatusCode == http.StatusUnauthorized {
		// One of the known hosts, never text from the body.
		e.AccountHost = accountHostIn(string(body), req.URL.Hostname())
	}
	return e
}

// scrubHeader returns h when none of its values holds one of the keys, else a copy of h with
// every key in its values redacted: a reply's headers as an [*APIError] or [WithResponseInto]
// hands them on, should a server or a proxy echo the request's keys in one (X-Debug-Query).
func scrubHeader(rd *redact.Redactor, h http.Header) http.Header {
	for _, vs := range h {
		for _, v := range vs {
			if rd.Contains(v) {
				out := make(http.Header, len(h))
				for k, vs := range h {
					out[k] = make([]string, len(vs))
					for i, v := range vs {
						out[k][i] = rd.Scrub(v)
					}
				}
				return out
			}
		}
	}
	return h
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
