package leadsquared

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

func TestNewValidation(t *testing.T) {
	t.Parallel()
	const host = "api-in21.leadsquared.com"
	tests := []struct {
		name     string
		base     string
		ak, sk   string
		opts     []Option
		wantErr  string
		wantBase string
	}{
		{name: "bare host", base: host, wantBase: "https://api-in21.leadsquared.com/v2"},
		{name: "host constant", base: HostUS, wantBase: "https://api-us11.leadsquared.com/v2"},
		{name: "full URL", base: "https://api-in21.leadsquared.com/v2", wantBase: "https://api-in21.leadsquared.com/v2"},
		{name: "trailing slash", base: "https://api-in21.leadsquared.com/v2/", wantBase: "https://api-in21.leadsquared.com/v2"},
		{name: "URL without path gets /v2", base: "https://api-in21.leadsquared.com", wantBase: "https://api-in21.leadsquared.com/v2"},
		{name: "http loopback", base: "http://127.0.0.1:8080/v2", wantBase: "http://127.0.0.1:8080/v2"},
		{name: "all options", base: host, opts: []Option{
			WithHTTPClient(&http.Client{}), WithHeaderAuth(), WithMaxRetries(0), WithBackoff(time.Millisecond, time.Millisecond),
			WithRateLimit(25, 5*time.Second), WithLogger(slog.New(slog.DiscardHandler)),
		}, wantBase: "https://api-in21.leadsquared.com/v2"},

		{name: "empty access key", base: host, ak: " ", wantErr: "empty access key"},
		{name: "empty secret key", base: host, sk: "", wantErr: "empty secret key"},
		{name: "empty URL", base: "", wantErr: "empty base URL"},
		{name: "bad scheme", base: "ftp://api.leadsquared.com/v2", wantErr: "scheme"},
		{name: "no host", base: "https:///v2", wantErr: "no host"},
		{name: "unparsable", base: "http://[::1/v2", wantErr: "invalid base URL"},
		{name: "space in host", base: "api leadsquared.com", wantErr: "invalid base URL"},
		{name: "query", base: "https://api.leadsquared.com/v2?x=1", wantErr: "query"},
		{name: "user info", base: "https://u:p@api.leadsquared.com/v2", wantErr: "user info"},
		{name: "nil HTTP client", base: host, opts: []Option{WithHTTPClient(nil)}, wantErr: "nil *http.Client"},
		{name: "negative retries", base: host, opts: []Option{WithMaxRetries(-1)}, wantErr: "negative retries"},
		{name: "zero min backoff", base: host, opts: []Option{WithBackoff(0, time.Second)}, wantErr: "WithBackoff"},
		{name: "max below min", base: host, opts: []Option{WithBackoff(2*time.Second, time.Second)}, wantErr: "WithBackoff"},
		{name: "zero calls", base: host, opts: []Option{WithRateLimit(0, time.Second)}, wantErr: "calls must be from 1 to 100000"},
		{name: "negative window", base: host, opts: []Option{WithRateLimit(5, -time.Second)}, wantErr: "window must be positive"},
		{name: "nil clock", base: host, opts: []Option{WithClock(nil)}, wantErr: "nil Clock"},
		{name: "nil logger", base: host, opts: []Option{WithLogger(nil)}, wantErr: "nil *slog.Logger"},
		{name: "nil option", base: host, opts: []Option{nil}, wantErr: "nil Option"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ak, sk := testAccessKey, testSecretKey
			if tt.ak != "" || strings.Contains(tt.name, "access") {
				ak = tt.ak
			}
			if strings.Contains(tt.name, "secret") {
				sk = tt.sk
			}
			c, err := New(tt.base, ak, sk, tt.opts...)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("New: no error, want %q", tt.wantErr)
				}
				if c != nil {
					t.Errorf("New returned a client with an error")
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %q does not mention %q", err, tt.wantErr)
				}
				assertNoSecret(t, "New error", err.Error())
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if got := c.BaseURL(); got != tt.wantBase {
				t.Errorf("BaseURL = %q, want %q", got, tt.wantBase)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	c, err := New(HostSingapore, testAccessKey, testSecretKey)
	if err != nil {
		t.Fatal(err)
	}
	d := c.doer
	if d.maxRetries != 3 || d.minBackoff != 500*time.Millisecond || d.maxBackoff != 8*time.Second {
		t.Errorf("defaults: retries %d, backoff %s..%s", d.maxRetries, d.minBackoff, d.maxBackoff)
	}
	if d.headerAuth {
		t.Error("header auth on by default")
	}
	l, ok := d.limiter.(*SlidingWindowLimiter)
	if !ok || d.adapt == nil {
		t.Fatalf("default limiter %T is not adaptive", d.limiter)
	}
	if calls, _ := l.Limit(); calls != 0 {
		t.Errorf("default limit %d calls, want none", calls)
	}
	if d.hc.Timeout != DefaultTimeout {
		t.Errorf("default timeout %s", d.hc.Timeout)
	}
}

func TestHostsMatchSpec(t *testing.T) {
	t.Parallel()
	doc := specDoc(t)
	if len(doc.Servers) == 0 || doc.Servers[0].Variables["host"] == nil {
		t.Fatal("spec has no servers[0].variables.host")
	}
	want := doc.Servers[0].Variables["host"].Enum
	got := []string{HostSingapore, HostUS, HostIndiaMumbai, HostIndiaHyderabad, HostIreland, HostCanada, HostMiddleEast}
	if !slices.Equal(got, want) {
		t.Errorf("host constants %v\nspec enum      %v", got, want)
	}
	if u := doc.Servers[0].URL; !strings.HasSuffix(u, DefaultBasePath) {
		t.Errorf("server URL %q does not end in %q", u, DefaultBasePath)
	}
}

func TestQueryAuth(t *testing.T) {
	t.Parallel()
	var sawByEditor *http.Request
	env := setup(t, serve(reply{status: 200, body: usersJSON}))
	resp, err := env.c.API().GetUserByIDWithResponse(t.Context(), &api.GetUserByIDParams{UserID: "u-1"},
		func(_ context.Context, r *http.Request) error { sawByEditor = r.Clone(r.Context()); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if resp.JSON200 == nil || len(*resp.JSON200) != 1 {
		t.Fatalf("JSON200 = %v, body %s", resp.JSON200, resp.Body)
	}
	reqs := env.ct.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	q := reqs[0].URL.Query()
	if q.Get("accessKey") != testAccessKey || q.Get("secretKey") != testSecretKey || q.Get("userId") != "u-1" {
		t.Errorf("query %q does not carry the keys and userId", reqs[0].URL.RawQuery)
	}
	if reqs[0].Header.Get(headerAccessKey) != "" || reqs[0].Header.Get(headerSecretKey) != "" {
		t.Error("query auth also sent key headers")
	}
	if reqs[0].URL.Path != "/v2/UserManagement.svc/User/Retrieve/ByUserId" {
		t.Errorf("path %q", reqs[0].URL.Path)
	}
	// The request the generated code built (and request editors see) holds no key.
	assertNoSecret(t, "request seen by an editor", sawByEditor.URL.String())
	if sawByEditor.URL.Query().Has("accessKey") {
		t.Error("editor saw the accessKey parameter")
	}
}

func TestHeaderAuth(t *testing.T) {
	t.Parallel()
	env := setup(t, serve(reply{status: 200, body: createdJSON}), WithHeaderAuth())
	resp, err := env.c.API().CreateUserWithResponse(t.Context(), api.CreateUserJSONRequestBody{
		FirstName: "Ada", EmailAddress: "ada@example.com", Role: api.RoleSalesUser,
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.JSON200 == nil || resp.JSON200.Message.ID == "" {
		t.Fatalf("JSON200 = %+v", resp.JSON200)
	}
	reqs := env.ct.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	r := reqs[0]
	if r.Header.Get("x-LSQ-AccessKey") != testAccessKey || r.Header.Get("x-LSQ-SecretKey") != testSecretKey {
		t.Errorf("headers %v do not carry the keys", r.Header)
	}
	if r.URL.RawQuery != "" {
		t.Errorf("header auth sent a query %q", r.URL.RawQuery)
	}
	var body api.CreateUserJSONRequestBody
	if err := json.Unmarshal(r.Body, &body); err != nil || body.EmailAddress != "ada@example.com" {
		t.Errorf("body %s (%v)", r.Body, err)
	}
}

// A redirect to another host must not carry the keys there.
func TestRedirectDropsCredentials(t *testing.T) {
	t.Parallel()
	for _, header := range []bool{false, true} {
		t.Run(map[bool]string{false: "query", true: "header"}[header], func(t *testing.T) {
			t.Parallel()
			var leaked []string
			other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Query().Has("accessKey") || r.URL.Query().Has("secretKey") ||
					r.Header.Get(headerAccessKey) != "" || r.Header.Get(headerSecretKey) != "" {
					leaked = append(leaked, maskSecrets(r.URL.String()))
				}
				// net/http sets Referer to the previous URL, query included.
				for _, f := range secretForms() {
					if strings.Contains(fmt.Sprint(r.Header), f) {
						leaked = append(leaked, "a header: "+maskSecrets(fmt.Sprint(r.Header)))
						break
					}
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(usersJSON))
			}))
			t.Cleanup(other.Close)
			opts := []Option{}
			if header {
				opts = append(opts, WithHeaderAuth())
			}
			env := setup(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, other.URL+"/v2/x?"+r.URL.RawQuery, http.StatusFound)
			}), opts...)
			if _, err := env.c.API().GetUserByIDWithResponse(t.Context(), &api.GetUserByIDParams{UserID: "u"}); err != nil {
				t.Fatal(err)
			}
			if len(leaked) > 0 {
				t.Errorf("keys reached another host: %v", leaked)
			}
		})
	}
}

func TestRemovePermissionTemplate(t *testing.T) {
	t.Parallel()
	s := serve(reply{status: 200, body: `{"Status":"Success","Message":{"IsSuccessful":true}}`})
	env := setup(t, s)
	resp, err := env.c.RemovePermissionTemplate(t.Context(), "tmpl-1")
	if err != nil {
		t.Fatal(err)
	}
	if !resp.Message.IsSuccessful {
		t.Fatalf("RemovePermissionTemplate = %+v", resp)
	}
	r := env.ct.Requests()[0]
	if r.Method != http.MethodPost || r.URL.Path != "/v2/PermissionTemplate.svc/Apply" {
		t.Errorf("%s %s", r.Method, r.URL.Path)
	}
	if got := r.URL.Query().Get("overWriteAll"); got != "true" {
		t.Errorf("overWriteAll = %q", got)
	}
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatal(err)
	}
	if len(body) != 1 || body["Id"] != "tmpl-1" {
		t.Errorf("body %s, want only the Id", r.Body)
	}
}

func TestRemovePermissionTemplateNotRetriedAfter5xx(t *testing.T) {
	t.Parallel()
	s := serve(reply{status: 500, body: `{"Status":"Error","ExceptionType":"MXException","ExceptionMessage":"boom"}`})
	env := setup(t, s)
	_, err := env.c.RemovePermissionTemplate(t.Context(), "tmpl-1")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 500 {
		t.Fatalf("err = %v", err)
	}
	if s.Hits() != 1 {
		t.Errorf("%d hits, want 1", s.Hits())
	}
}

func TestSpecIdempotency(t *testing.T) {
	t.Parallel()
	for r, want := range map[[2]string]bool{
		{http.MethodPost, "/UserManagement.svc/User/Create"}:           false,
		{http.MethodGet, "/UserManagement.svc/User/Retrieve/ByUserId"}: true,
		{http.MethodPost, "/PermissionTemplate.svc/Apply"}:             false,
	} {
		op, ok := api.LookupRoute(r[0], r[1])
		if !ok || op.Idempotent != want {
			t.Errorf("%v: %+v (known %v), want idempotent %v", r, op, ok, want)
		}
	}
}

// routeTable is a doer's route lookup over ops, keyed by method and path.
func routeTable(ops map[[2]string]Operation) func(method, path string) (*Operation, bool) {
	return func(method, path string) (*Operation, bool) {
		op, ok := ops[[2]string{method, path}]
		return &op, ok
	}
}

// The doer reads idempotency from its table, and falls back to the method for a route the
// table does not have. (gen's tests check how the table is made from x-idempotent.)
func TestIdempotencyOf(t *testing.T) {
	t.Parallel()
	d := &doer{basePath: "/v2", route: routeTable(map[[2]string]Operation{
		{"POST", "/Search"}:  {ID: "Search", Idempotent: true},
		{"POST", "/Create"}:  {ID: "Create"},
		{"POST", "/Write"}:   {ID: "Write"},
		{"GET", "/Get"}:      {ID: "Get", Idempotent: true},
		{"GET", "/Activate"}: {ID: "Activate"},
	})}
	tests := []struct {
		method, path string
		want         bool
	}{
		{"POST", "/v2/Search", true},
		{"POST", "/v2/Create", false},
		{"POST", "/v2/Write", false},
		{"GET", "/v2/Get", true},
		{"GET", "/v2/Activate", false},
		{"GET", "/v2/Unknown", true},
		{"POST", "/v2/Unknown", false},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(tt.method, "https://example.com"+tt.path, nil)
		if op, _ := d.requestOperation(req); op.Idempotent != tt.want {
			t.Errorf("idempotent(%s %s) = %v, want %v", tt.method, tt.path, op.Idempotent, tt.want)
		}
	}
}

// New takes the region names lsq's LSQ_HOST takes.
func TestNewTakesRegionNames(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{
		"mumbai": "https://" + HostIndiaMumbai + "/v2", "Singapore": "https://" + HostSingapore + "/v2",
		" us ": "https://" + HostUS + "/v2", "in22": "https://" + HostIndiaHyderabad + "/v2",
		"localhost": "https://localhost/v2", // not a region: a host
	} {
		c, err := New(name, "ak", "sk")
		if err != nil || c.BaseURL() != want {
			t.Errorf("New(%q): %v, %v; want %s", name, baseURLOf(c), err, want)
		}
	}
}

func baseURLOf(c *Client) string {
	if c == nil {
		return ""
	}
	return c.BaseURL()
}
