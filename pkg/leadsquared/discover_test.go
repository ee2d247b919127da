package leadsquared

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
)

// authReply is Authenticate a User's answer, trimmed, with the account's hosts.
func authReply(api string) string {
	return `{"Id":"1a50c565-8525-11ea-a93b-0aa4c559f4ca","Name":"Yogesh","Role":"Administrator","OrgShortCode":"22824",` +
		`"MobileServiceURLs":{"ReportsURL":"https://reports.leadsquared.com/CommonServices"},` +
		`"LSQCommonServiceURLs":{"api":` + api + `,"app":"in21.leadsquared.com"}}`
}

// recorder serves one reply and keeps what each request carried.
type recorder struct {
	mu     sync.Mutex
	status int
	body   string
	reqs   []*http.Request
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc.mu.Lock()
	rc.reqs = append(rc.reqs, r.Clone(r.Context()))
	rc.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rc.status)
	_, _ = w.Write([]byte(rc.body))
}

func (rc *recorder) requests() []*http.Request {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]*http.Request(nil), rc.reqs...)
}

func TestDiscoverHost(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, api, want string
		header          bool
	}{
		{name: "bare host, keys in the query", api: `"api-in21.leadsquared.com"`, want: HostIndiaMumbai},
		{name: "bare host, keys in headers", api: `"api-in21.leadsquared.com"`, want: HostIndiaMumbai, header: true},
		{name: "URL form", api: `"https://api-us11.leadsquared.com/"`, want: HostUS},
		{name: "URL with the base path, upper case", api: `"HTTPS://API-IR31.LEADSQUARED.COM/v2"`, want: HostIreland},
		{name: "a host the client does not list", api: `"api-id51.leadsquared.com"`, want: "api-id51.leadsquared.com"},
		// Not LeadSquared's: a base URL New reaches it at, with the reply's scheme, else the
		// scheme of the call (this test server's http).
		{name: "another host, bare", api: `"127.0.0.1:9"`, want: "http://127.0.0.1:9"},
		{name: "another host, URL form", api: `"HTTPS://Proxy.Example:8443/v2"`, want: "https://proxy.example:8443"},
		{name: "a look-alike host", api: `"api.leadsquared.com.example.org"`, want: "http://api.leadsquared.com.example.org"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rc := &recorder{status: 200, body: authReply(tt.api)}
			srv := httptest.NewServer(rc)
			t.Cleanup(srv.Close)
			var opts []Option
			if tt.header {
				opts = append(opts, WithHeaderAuth())
			}
			host, err := DiscoverHost(t.Context(), srv.URL, testAccessKey, testSecretKey, opts...)
			if err != nil {
				t.Fatalf("DiscoverHost: %v", err)
			}
			if host != tt.want {
				t.Errorf("host %q, want %q", host, tt.want)
			}
			reqs := rc.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			r := reqs[0]
			if r.Method != http.MethodGet || r.URL.Path != "/v2/Authentication.svc/UserByAccessKey.Get" {
				t.Errorf("request %s %s", r.Method, r.URL.Path)
			}
			q := r.URL.Query()
			gotKeys := [2]string{q.Get(queryAccessKey), q.Get(querySecretKey)}
			otherKeys := [2]string{r.Header.Get(headerAccessKey), r.Header.Get(headerSecretKey)}
			if tt.header {
				gotKeys, otherKeys = otherKeys, gotKeys
			}
			if gotKeys != [2]string{testAccessKey, testSecretKey} {
				t.Errorf("keys not sent as the client sends them (header auth %v): %s", tt.header, maskSecrets(fmt.Sprint(gotKeys)))
			}
			if otherKeys != [2]string{} {
				t.Errorf("keys sent both ways: %s", maskSecrets(fmt.Sprint(otherKeys)))
			}
		})
	}
}

// Against the fake, whose Authenticate a User names the host it was called on.
func TestDiscoverHostOnFake(t *testing.T) {
	t.Parallel()
	srv, err := lsqtest.NewServer(lsqtest.WithKeys(testAccessKey, testSecretKey))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	for _, opts := range [][]Option{nil, {WithHeaderAuth()}} {
		host, err := DiscoverHost(t.Context(), srv.URL, testAccessKey, testSecretKey, opts...)
		if want := "http://" + u.Host; err != nil || host != want {
			t.Errorf("DiscoverHost = %q, %v; want %q", host, err, want)
		}
		// What it returns is what New takes, and reaches the same server.
		c, err := New(host, testAccessKey, testSecretKey, opts...)
		if err != nil {
			t.Fatal(err)
		}
		if who, err := c.AuthenticateUser(t.Context()); err != nil || who.ID != srv.OwnerID {
			t.Errorf("New(%q).AuthenticateUser: %+v, %v", host, who.ID, err)
		}
	}
	_, err = DiscoverHost(t.Context(), srv.URL, testAccessKey, "wrong"+testSecretKey)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong keys: %v, want a 401 *APIError", err)
	}
}

// Every failure is an error that names no key.
func TestDiscoverHostErrors(t *testing.T) {
	t.Parallel()
	secretEchoBody := `{"Status":"Error","ExceptionType":"MXUnAuthorizedAccessException","ExceptionMessage":"Invalid keys ` + testAccessKey + ` / ` + url.QueryEscape(testSecretKey) + `"}`
	for _, tt := range []struct {
		name, body, want string
		status           int
		apiStatus        int // the *APIError status expected; 0: another error
	}{
		{name: "unknown keys", status: 401, body: secretEchoBody, apiStatus: 401},
		{name: "error body with 200", status: 200, body: `{"Status":"Error","ExceptionType":"MXUnAuthorizedAccessException","ExceptionMessage":"User is inactive"}`, apiStatus: 200},
		{name: "gateway page", status: 502, body: gatewayPage502, apiStatus: 502},
		{name: "HTML with 200", status: 200, body: `<html>maintenance</html>`, apiStatus: 200},
		{name: "no LSQCommonServiceURLs", status: 200, body: `{"Id":"x"}`, want: "names no API host"},
		{name: "empty api", status: 200, body: authReply(`""`), want: "names no API host"},
		{name: "api not a string", status: 200, body: authReply(`5`), want: "not the expected JSON"},
		{name: "api with user info", status: 200, body: authReply(`"https://u:p@api.leadsquared.com"`), want: "not a host name"},
		{name: "api with a space", status: 200, body: authReply(`"api leadsquared.com"`), want: "not a host name"},
		{name: "api with a path", status: 200, body: authReply(`"api.leadsquared.com/evil"`), want: "not a host name"},
		{name: "api echoing a key", status: 200, body: authReply(`"` + url.QueryEscape(testAccessKey) + `"`), want: "not a host name"},
		{name: "not JSON", status: 200, body: `[1,2`, want: "not the expected JSON"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(&recorder{status: tt.status, body: tt.body})
			t.Cleanup(srv.Close)
			host, err := DiscoverHost(t.Context(), srv.URL, testAccessKey, testSecretKey)
			if err == nil {
				t.Fatalf("host %q, want an error", host)
			}
			assertNoSecret(t, "error", err.Error())
			var apiErr *APIError
			if tt.apiStatus != 0 {
				if !errors.As(err, &apiErr) || apiErr.StatusCode != tt.apiStatus {
					t.Fatalf("err = %v, want a %d *APIError", maskSecrets(err.Error()), tt.apiStatus)
				}
				assertNoSecret(t, "APIError.Body", string(apiErr.Body))
				if apiErr.Path != "/v2/Authentication.svc/UserByAccessKey.Get" {
					t.Errorf("APIError.Path %q", apiErr.Path)
				}
				return
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", maskSecrets(err.Error()), tt.want)
			}
		})
	}
}

func TestDiscoverHostBadArguments(t *testing.T) {
	t.Parallel()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close() // nothing listens: a transport error whose URL held the keys
	for _, tt := range []struct {
		name, base, access, secret string
		opts                       []Option
	}{
		{name: "empty access key", base: closed.URL, secret: testSecretKey},
		{name: "secret key with a newline", base: closed.URL, access: testAccessKey, secret: "a\nb"},
		{name: "bad base URL", base: "ftp://x", access: testAccessKey, secret: testSecretKey},
		{name: "nil option", base: closed.URL, access: testAccessKey, secret: testSecretKey, opts: []Option{nil}},
		{name: "nil HTTP client", base: closed.URL, access: testAccessKey, secret: testSecretKey, opts: []Option{WithHTTPClient(nil)}},
		{name: "nothing listens", base: closed.URL, access: testAccessKey, secret: testSecretKey},
	} {
		host, err := DiscoverHost(t.Context(), tt.base, tt.access, tt.secret, tt.opts...)
		if err == nil {
			t.Errorf("%s: host %q, want an error", tt.name, host)
			continue
		}
		assertNoSecret(t, tt.name, err.Error())
	}
}

// A redirect to another host never carries the keys there.
func TestDiscoverHostRedirectDropsKeys(t *testing.T) {
	t.Parallel()
	other := &recorder{status: 200, body: authReply(`"api-in21.leadsquared.com"`)}
	otherSrv := httptest.NewServer(other)
	t.Cleanup(otherSrv.Close)
	first := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, otherSrv.URL+r.URL.Path+"?"+r.URL.RawQuery, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(first.Close)
	for _, opts := range [][]Option{nil, {WithHeaderAuth()}} {
		if _, err := DiscoverHost(t.Context(), first.URL, testAccessKey, testSecretKey, opts...); err != nil {
			t.Fatalf("DiscoverHost: %v", err)
		}
	}
	reqs := other.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests reached the other host, want 2", len(reqs))
	}
	for _, r := range reqs {
		assertNoSecret(t, "redirected query", r.URL.RawQuery)
		assertNoSecret(t, "redirected headers", fmt.Sprint(r.Header))
	}
}

// A 401 from the wrong regional host whose body names the account's host says so plainly,
// and the client sends nothing there on its own.
func TestWrongHostNamedIn401(t *testing.T) {
	t.Parallel()
	bodies := []string{
		`{"Status":"Error","ExceptionType":"MXUnAuthorizedAccessException","ExceptionMessage":"Invalid access key or secret key. Please use api-in21.leadsquared.com for your account."}`,
		`{"ExceptionMessage":"This account belongs to https://API-IN21.leadsquared.com/v2/"}`,
		`{"Message":"Wrong region: api-in21.leadsquared.com."}`,
		`Unauthorized. Your API host is api-in21.leadsquared.com`,
	}
	for i, body := range bodies {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			s := serve(reply{status: 401, body: body}, reply{status: 200, body: usersJSON})
			env := setup(t, s)
			_, err := getUser(t, env.c)
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != 401 {
				t.Fatalf("err = %v, want a 401 *APIError", err)
			}
			if apiErr.AccountHost != HostIndiaMumbai || !errors.Is(err, ErrWrongHost) {
				t.Errorf("AccountHost %q, Is(ErrWrongHost) %v", apiErr.AccountHost, errors.Is(err, ErrWrongHost))
			}
			if !strings.Contains(err.Error(), "this account lives on api-in21.leadsquared.com") {
				t.Errorf("error text %q does not say where the account lives", err)
			}
			assertNoSecret(t, "error", err.Error())
			// Nothing is resent: one request, to the server called.
			srvURL, _ := url.Parse(env.srv.URL)
			if s.Hits() != 1 {
				t.Errorf("%d hits, want 1", s.Hits())
			}
			for _, r := range env.ct.Requests() {
				if r.URL.Host != srvURL.Host {
					t.Errorf("a request went to %s", r.URL.Host)
				}
			}
		})
	}
}

func TestAccountHostIn(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		text, called, want string
	}{
		{"use api-in21.leadsquared.com", "api.leadsquared.com", HostIndiaMumbai},
		{"use https://api-us11.leadsquared.com/v2/ instead", "api.leadsquared.com", HostUS},
		{"USE API-CA12.LEADSQUARED.COM.", "api.leadsquared.com", HostCanada},
		{`"api-me61.leadsquared.com"`, "api.leadsquared.com", HostMiddleEast},
		{"you called api.leadsquared.com; the account is on api-ir31.leadsquared.com", "api.leadsquared.com", HostIreland},
		{"the account is on api.leadsquared.com", "api-in21.leadsquared.com", HostSingapore},
		{"first api-in22.leadsquared.com then api-us11.leadsquared.com", "api.leadsquared.com", HostIndiaHyderabad},
		// Not a known host as a whole host name.
		{"Invalid access key or secret key.", "api.leadsquared.com", ""},
		{"the account is on api.leadsquared.com", "api.leadsquared.com", ""}, // the host called
		{"the account is on API.leadsquared.com", "API.LEADSQUARED.COM", ""},
		{"use portalapi-in21.leadsquared.com", "api.leadsquared.com", ""},
		{"use asyncapi.leadsquared.com", "api-in21.leadsquared.com", ""},
		{"use x.api-in21.leadsquared.com", "api.leadsquared.com", ""},
		{"use api-in21.leadsquared.com.example.org", "api.leadsquared.com", ""},
		{"use api-in21.leadsquared.community", "api.leadsquared.com", ""},
		{"use api-in21-leadsquared.com", "api.leadsquared.com", ""},
		{"use api-id51.leadsquared.com", "api.leadsquared.com", ""}, // not a known host
		{"use evil.example", "api.leadsquared.com", ""},
	} {
		if got := accountHostIn(tt.text, tt.called); got != tt.want {
			t.Errorf("accountHostIn(%q, %q) = %q, want %q", tt.text, tt.called, got, tt.want)
		}
	}
}

// Only a 401 names the account's host: other statuses that mention a host do not.
func TestAccountHostOnlyOn401(t *testing.T) {
	t.Parallel()
	for _, status := range []int{200, 400, 403, 404, 500} {
		body := `{"Status":"Error","ExceptionType":"MXException","ExceptionMessage":"see api-in21.leadsquared.com"}`
		env := setup(t, serve(reply{status: status, body: body}))
		_, err := getUser(t, env.c)
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.AccountHost != "" || errors.Is(err, ErrWrongHost) || strings.Contains(err.Error(), "lives on") {
			t.Errorf("%d: err %v, AccountHost set", status, err)
		}
	}
}
