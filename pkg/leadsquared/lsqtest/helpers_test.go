package lsqtest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
	"github.com/leadsquared-go/leadsquared-go/pkg/validate"
)

// validatingTransport checks every response the fake sends against the spec
// (validate.ValidateResponse), so every test also proves the fake's answers are valid.
type validatingTransport struct {
	t       testing.TB
	v       *validate.Validator
	base    http.RoundTripper
	checked atomic.Int64
	capture *replyCapture // when not nil: keeps the first 200 reply of each operation
}

// replyCapture holds the first 200 reply of each operation a validatingTransport saw.
type replyCapture struct {
	mu      sync.Mutex
	replies map[api.OperationID][]byte
}

func (rc *replyCapture) add(op api.OperationID, body []byte) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.replies == nil {
		rc.replies = map[api.OperationID][]byte{}
	}
	if _, ok := rc.replies[op]; !ok {
		rc.replies[op] = body
	}
}

func newValidatingClient(t testing.TB) (*http.Client, *validatingTransport) {
	t.Helper()
	v, err := validate.Default()
	if err != nil {
		t.Fatal(err)
	}
	vt := &validatingTransport{t: t, v: v, base: http.DefaultTransport.(*http.Transport).Clone()}
	return &http.Client{Transport: vt, Timeout: 30 * time.Second}, vt
}

func (vt *validatingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := vt.base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	opID := api.OpGetUsers // an unknown route: its 404 must still be the Error body
	if op, ok := vt.v.Lookup(r.Method, r.URL.Path); ok {
		opID = op.ID
		if vt.capture != nil && resp.StatusCode == http.StatusOK && !bytes.Contains(body, []byte(`"Status":"Error"`)) {
			vt.capture.add(opID, body)
		}
	}
	if err := vt.v.ValidateResponse(opID, resp.StatusCode, body); err != nil {
		msg, b := err.Error(), string(body)
		if len(msg) > 600 {
			msg = msg[:600] + "..."
		}
		if len(b) > 600 {
			b = b[:600] + "..."
		}
		vt.t.Errorf("response of %s %s does not match the spec: %s\nbody: %s", r.Method, r.URL.Path, msg, b)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		vt.t.Errorf("response of %s %s has Content-Type %q", r.Method, r.URL.Path, ct)
	}
	vt.checked.Add(1)
	return resp, nil
}

// fakeClock is a manual clock for WithClock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2024, 3, 4, 9, 30, 0, 0, time.UTC)} // a Monday
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a fake server and a validating HTTP client that talks to it directly.
type env struct {
	t   *testing.T
	srv *lsqtest.Server
	hc  *http.Client
	vt  *validatingTransport
}

func newEnv(t *testing.T, opts ...lsqtest.Option) *env {
	t.Helper()
	srv := lsqtest.MustNewServer(t, opts...)
	hc, vt := newValidatingClient(t)
	return &env{t: t, srv: srv, hc: hc, vt: vt}
}

type reply struct {
	status int
	body   []byte
}

func (r reply) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// errorBody decodes LeadSquared's error body.
func (r reply) errorBody(t *testing.T) (typ, msg string) {
	t.Helper()
	var eb struct{ Status, ExceptionType, ExceptionMessage string }
	r.json(t, &eb)
	if eb.Status != "Error" {
		t.Fatalf("not an error body: %s", r.body)
	}
	return eb.ExceptionType, eb.ExceptionMessage
}

// call sends a request with the keys in the query. path is relative to /v2; body "" sends
// none; a JSON body is sent as application/json.
func (e *env) call(method, path string, q url.Values, body string) reply {
	e.t.Helper()
	if q == nil {
		q = url.Values{}
	}
	q.Set("accessKey", e.srv.AccessKey)
	q.Set("secretKey", e.srv.SecretKey)
	return e.raw(method, path, q, nil, body)
}

// raw sends a request as given.
func (e *env) raw(method, path string, q url.Values, h http.Header, body string) reply {
	e.t.Helper()
	u := e.srv.URL + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	resp, err := e.hc.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	return reply{resp.StatusCode, b}
}

func (e *env) mustOK(r reply) reply {
	e.t.Helper()
	if r.status != http.StatusOK {
		e.t.Fatalf("status %d, want 200: %s", r.status, r.body)
	}
	if bytes.Contains(r.body, []byte(`"Status":"Error"`)) {
		e.t.Fatalf("error body with 200: %s", r.body)
	}
	return r
}

// createUser creates a user through the API and returns its Id.
func (e *env) createUser(first, email, role string, extra ...string) string {
	e.t.Helper()
	body := `{"FirstName":"` + first + `","EmailAddress":"` + email + `","Role":"` + role + `"` + strings.Join(extra, "") + `}`
	r := e.mustOK(e.call("POST", "/UserManagement.svc/User/Create", nil, body))
	var out struct{ Message struct{ ID string } }
	r.json(e.t, &out)
	if out.Message.ID == "" {
		e.t.Fatalf("no Id: %s", r.body)
	}
	return out.Message.ID
}

func q(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}
