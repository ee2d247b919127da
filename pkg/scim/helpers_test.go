package scim_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest/lsqclient"
	"github.com/leadsquared-go/leadsquared-go/pkg/scim"
)

const testToken = "scim-t0ken/with+odd%chars"

// syncBuffer is a bytes.Buffer safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// bridge is a SCIM handler in front of a fake LeadSquared account.
type bridge struct {
	t     testing.TB
	fake  *lsqtest.Server
	srv   *httptest.Server
	audit *syncBuffer
}

// setup starts the fake, the client (no retries, as `lsq scim serve` runs it) and the
// handler under /scim/v2 on a loopback server.
func setup(t testing.TB, mapping scim.Mapping, fakeOpts ...lsqtest.Option) *bridge {
	t.Helper()
	return setupWith(t, func(c *scim.Config) { c.Mapping = mapping }, fakeOpts...)
}

// setupWith is setup with the Config changed by cfg.
func setupWith(t testing.TB, cfg func(*scim.Config), fakeOpts ...lsqtest.Option) *bridge {
	t.Helper()
	fake := lsqtest.MustNewServer(t, fakeOpts...)
	c := lsqclient.New(t, fake, leadsquared.WithMaxRetries(0))
	audit := &syncBuffer{}
	conf := scim.Config{Client: c, Token: testToken, DefaultRole: "Sales_User", Audit: audit}
	cfg(&conf)
	h, err := scim.New(conf)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &bridge{t: t, fake: fake, srv: srv, audit: audit}
}

// reply is one SCIM answer.
type reply struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// do sends a SCIM request (body: a JSON string or "") with the token.
func (b *bridge) do(method, path, body string) reply {
	b.t.Helper()
	return b.doToken(method, path, body, testToken)
}

func (b *bridge) doToken(method, path, body, token string) reply {
	b.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, b.srv.URL+"/scim/v2"+path, rd)
	if err != nil {
		b.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	resp, err := b.srv.Client().Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	r := reply{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			b.t.Fatalf("%s %s: answer is not a JSON object: %v\n%s", method, path, err, raw)
		}
	}
	return r
}

// want fails the test unless r has status.
func (r reply) want(t testing.TB, status int) reply {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.raw)
	}
	if r.status != http.StatusNoContent && !strings.HasPrefix(r.header.Get("Content-Type"), "application/scim+json") {
		t.Errorf("Content-Type %q, want application/scim+json", r.header.Get("Content-Type"))
	}
	return r
}

func (r reply) str(key string) string {
	s, _ := r.body[key].(string)
	return s
}

// userByEmail is the fake's user with the address.
func (b *bridge) userByEmail(email string) (lsqtest.User, bool) {
	for _, u := range b.fake.Users() {
		if strings.EqualFold(u.EmailAddress, email) {
			return u, true
		}
	}
	return lsqtest.User{}, false
}
