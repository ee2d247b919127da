package leadsquared

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// authenticatePath is Authenticate a User, relative to the base URL.
const authenticatePath = "/Authentication.svc/UserByAccessKey.Get"

// maxDiscoverBody bounds the reply DiscoverHost reads.
const maxDiscoverBody = 1 << 20

// DiscoverHost returns the API host of the account that owns the keys (for example
// "api-in21.leadsquared.com"), in one call to Authenticate a User
// (GET Authentication.svc/UserByAccessKey.Get). That call answers on every regional host,
// with the account's API host in LSQCommonServiceURLs.api; pass the host to [New].
//
// baseURL is a regional host or base URL as [New] takes it ([HostSingapore] will do). The
// keys are sent as New sends them: in the query, or in headers with [WithHeaderAuth]; of
// opts, only [WithHTTPClient] and WithHeaderAuth apply, and the call is not retried. The keys
// go to baseURL only, never to the host found; no error holds them. A LeadSquared error is an
// [*APIError] (401 for unknown or inactive keys).
//
// LeadSquared API docs: https://apidocs.leadsquared.com/user-authentication/
func DiscoverHost(ctx context.Context, baseURL, accessKey, secretKey string, opts ...Option) (string, error) {
	if err := checkKeys(accessKey, secretKey); err != nil {
		return "", err
	}
	base, err := parseBaseURL(baseURL)
	if err != nil {
		return "", err
	}
	var cfg config
	for _, opt := range opts {
		if opt == nil {
			return "", errors.New("leadsquared: nil Option")
		}
		if err := opt(&cfg); err != nil {
			return "", err
		}
	}
	if cfg.httpClient == nil {
		cfg.httpClient = &http.Client{Timeout: DefaultTimeout}
	}
	rd := newRedactor(accessKey, secretKey)

	u := *base
	u.Path = strings.TrimRight(base.Path, "/") + authenticatePath
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", rd.redactErr(fmt.Errorf("leadsquared: DiscoverHost: %w", err))
	}
	req.Header.Set("Accept", "application/json")
	send := req.Clone(ctx) // req stays without keys: it names the call in errors
	if cfg.headerAuth {
		send.Header.Set(headerAccessKey, accessKey)
		send.Header.Set(headerSecretKey, secretKey)
	} else {
		send.URL.RawQuery = queryAccessKey + "=" + url.QueryEscape(accessKey) + "&" + querySecretKey + "=" + url.QueryEscape(secretKey)
	}

	resp, err := keySafeClient(cfg.httpClient).Do(send)
	if err != nil {
		return "", rd.redactErr(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDiscoverBody+1))
	if err != nil {
		return "", rd.redactErr(fmt.Errorf("leadsquared: DiscoverHost: reading the reply: %w", err))
	}
	if len(body) > maxDiscoverBody {
		return "", fmt.Errorf("leadsquared: DiscoverHost: the reply is larger than %d bytes", maxDiscoverBody)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return "", newAPIError(rd, req, resp, body, parseErrorBody(body))
	}
	if isHTML(body) {
		return "", newAPIError(rd, req, resp, body, errorBody{ExceptionMessage: "LeadSquared answered an HTML page where JSON was expected"})
	}
	if eb, isErr := errorShape(body); isErr {
		return "", newAPIError(rd, req, resp, body, eb)
	}
	var who struct {
		LSQCommonServiceURLs *struct {
			API *string `json:"api"`
		} `json:"LSQCommonServiceURLs"`
	}
	if err := json.Unmarshal(bytes.TrimSpace(body), &who); err != nil {
		return "", errors.New("leadsquared: DiscoverHost: the reply of Authenticate a User is not the expected JSON object")
	}
	if who.LSQCommonServiceURLs == nil || who.LSQCommonServiceURLs.API == nil || strings.TrimSpace(*who.LSQCommonServiceURLs.API) == "" {
		return "", errors.New("leadsquared: DiscoverHost: the reply of Authenticate a User names no API host (LSQCommonServiceURLs.api)")
	}
	host, ok := hostOf(*who.LSQCommonServiceURLs.API)
	if !ok || rd.contains(*who.LSQCommonServiceURLs.API) {
		return "", errors.New("leadsquared: DiscoverHost: LSQCommonServiceURLs.api in the reply is not a host name")
	}
	return host, nil
}

// hostOf reads a host (with its port, if any) from a bare host name ("api-in21.leadsquared.com")
// or a URL ("https://api-in21.leadsquared.com/v2/"), lower-cased. It refuses anything else:
// user info, spaces, a query.
func hostOf(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Hostname() == "" ||
		(u.Scheme != "https" && u.Scheme != "http") || strings.ContainsAny(u.Host, " \t%") {
		return "", false
	}
	if p := strings.Trim(u.Path, "/"); p != "" && p != strings.Trim(DefaultBasePath, "/") {
		return "", false
	}
	return strings.ToLower(u.Host), true
}
