package leadsquared

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Keys with characters that URL-escape differently in query and path form.
const (
	testAccessKey = "u$r/a+b%c&d=e"
	testSecretKey = "a$b/c+d%e f#g"
)

// secretForms returns every form in which a test key could leak.
func secretForms() []string {
	var forms []string
	for _, k := range []string{testAccessKey, testSecretKey} {
		forms = append(forms, k, url.QueryEscape(k), url.PathEscape(k))
	}
	return forms
}

// assertNoSecret fails when s holds a test key in any form. The failure message masks the
// keys too: secrets stay out of test output.
func assertNoSecret(t *testing.T, what, s string) {
	t.Helper()
	for i, f := range secretForms() {
		if strings.Contains(s, f) {
			t.Errorf("%s leaks a key (form %d of secretForms): %s", what, i, maskSecrets(s))
		}
	}
}

// maskSecrets replaces every form of the test keys in s with <KEY>.
func maskSecrets(s string) string {
	for _, f := range secretForms() {
		s = strings.ReplaceAll(s, f, "<KEY>")
	}
	return s
}

// fakeClock is the injected clock: Sleep and the limiter's timers advance it at once.
type fakeClock struct {
	mu          sync.Mutex
	t           time.Time
	sleeps      []time.Duration // retry waits
	limiterWait []time.Duration // limiter waits
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

// Sleep records every wait asked for, then fails if ctx is done, else advances the clock.
func (f *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sleeps = append(f.sleeps, d)
	if err := ctx.Err(); err != nil {
		return err
	}
	f.t = f.t.Add(d)
	return nil
}

func (f *fakeClock) After(d time.Duration) (<-chan time.Time, func() bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limiterWait = append(f.limiterWait, d)
	f.t = f.t.Add(d)
	ch := make(chan time.Time, 1)
	ch <- f.t
	return ch, func() bool { return false }
}

func (f *fakeClock) Sleeps() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.sleeps...)
}

func (f *fakeClock) LimiterWaits() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.limiterWait...)
}

// useClock makes c use fc for its retries and its limiter.
func useClock(c *Client, fc *fakeClock) {
	c.doer.now = fc.Now
	c.doer.sleep = fc.Sleep
	if l, ok := c.doer.limiter.(*SlidingWindowLimiter); ok {
		l.mu.Lock()
		l.now, l.after = fc.Now, fc.After
		l.mu.Unlock()
	}
}

// recordedRequest is a request as the transport saw it, credentials included.
type recordedRequest struct {
	Method string
	URL    *url.URL
	Header http.Header
	Body   []byte
}

// countingTransport records every round trip and counts closes and drains of the
// response bodies it hands out.
type countingTransport struct {
	base http.RoundTripper

	mu        sync.Mutex
	requests  []recordedRequest
	responses atomic.Int64
	closed    atomic.Int64
	drained   atomic.Int64
}

func (ct *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		var err error
		if body, err = io.ReadAll(r.Body); err != nil {
			return nil, err
		}
		_ = r.Body.Close()
	}
	ct.mu.Lock()
	ct.requests = append(ct.requests, recordedRequest{Method: r.Method, URL: r.URL, Header: r.Header.Clone(), Body: body})
	ct.mu.Unlock()

	r2 := r.Clone(r.Context())
	r2.Body = io.NopCloser(bytes.NewReader(body))
	resp, err := ct.base.RoundTrip(r2)
	if err != nil {
		return nil, err
	}
	ct.responses.Add(1)
	resp.Body = &countingBody{ReadCloser: resp.Body, ct: ct}
	return resp, nil
}

func (ct *countingTransport) Requests() []recordedRequest {
	ct.mu.Lock()
	defer ct.mu.Unlock()
	return append([]recordedRequest(nil), ct.requests...)
}

type countingBody struct {
	io.ReadCloser
	ct       *countingTransport
	eof      bool
	isClosed bool
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF && !b.eof {
		b.eof = true
		b.ct.drained.Add(1)
	}
	return n, err
}

func (b *countingBody) Close() error {
	if !b.isClosed {
		b.isClosed = true
		b.ct.closed.Add(1)
	}
	return b.ReadCloser.Close()
}

// reply is one scripted server answer.
type reply struct {
	status int
	header map[string]string
	body   string
	drop   bool // hijack the connection and close it without answering
}

// rateLimitBody is LeadSquared's rate-limit error body.
func rateLimitBody(calls, secs int) string {
	return `{"Status":"Error","ExceptionType":"MXAPIRateLimitExceededException","ExceptionMessage":"API calls exceeded the limit of ` +
		itoa(calls) + ` in ` + itoa(secs) + ` second(s)"}`
}

// Bodies of 5xx replies that did not come from LeadSquared's service: a gateway's or load
// balancer's answer on the way. The client retries those for idempotent operations; a 5xx
// with LeadSquared's error body is the service's answer and is returned at once.
const (
	gatewayPage502 = `<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>`
	gatewayText503 = `Service Unavailable`
	gatewayJSON500 = `{"message":"Internal server error"}` // lower-case key: an API gateway's, not LeadSquared's
)

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

const (
	usersJSON   = `[{"UserId":"3b1041fb-8374-11e7-8758-0a106ee76b21","PhoneMobile":"+91-9999999999"}]`
	createdJSON = `{"Status":"Success","Message":{"Id":"3b1041fb-8374-11e7-8758-0a106ee76b21"}}`
)

// script serves the replies in order, repeating the last one, and counts hits.
type script struct {
	mu      sync.Mutex
	replies []reply
	hits    int
	bodies  [][]byte
	onHit   func(n int, r *http.Request)
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.hits++
	n := s.hits
	s.bodies = append(s.bodies, body)
	rep := s.replies[min(n, len(s.replies))-1]
	hook := s.onHit
	s.mu.Unlock()
	if hook != nil {
		hook(n, r)
	}
	if rep.drop {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close()
		}
		return
	}
	for k, v := range rep.header {
		w.Header().Set(k, v)
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(rep.status)
	_, _ = io.WriteString(w, rep.body)
}

func (s *script) Hits() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits
}

func (s *script) Bodies() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.bodies...)
}

// testEnv is a client wired to a loopback server, a counting transport and a fake clock.
type testEnv struct {
	c     *Client
	srv   *httptest.Server
	ct    *countingTransport
	clock *fakeClock
}

// setup starts a loopback server with handler h and returns a client for it (base URL
// SERVER/v2) whose retries and limiter run on a fake clock with mid-range jitter.
func setup(t *testing.T, h http.Handler, opts ...Option) *testEnv {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	ct := &countingTransport{base: srv.Client().Transport}
	all := append([]Option{WithHTTPClient(&http.Client{Transport: ct})}, opts...)
	c, err := New(srv.URL+"/v2", testAccessKey, testSecretKey, all...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	fc := newFakeClock()
	useClock(c, fc)
	c.doer.rand = func() float64 { return 0 }
	return &testEnv{c: c, srv: srv, ct: ct, clock: fc}
}

func serve(replies ...reply) *script { return &script{replies: replies} }
