package leadsquared

import (
	"context"
	"errors"
	"net/url"
	"strings"
)

// DiscoverHost returns the API host of the account that owns the keys (for example
// "api-in21.leadsquared.com"), in one call to Authenticate a User
// (GET Authentication.svc/UserByAccessKey.Get). That call answers on every regional host,
// with the account's API host in LSQCommonServiceURLs.api; pass the host to [New].
//
// baseURL, the keys and opts are [New]'s ([HostSingapore] will do as the base URL): the call
// is [Client.AuthenticateUser] on such a client, with the keys sent as it sends them (in the
// query, or in headers with [WithHeaderAuth]), and it is not retried. The keys go to baseURL
// only, never to the host found; no error holds them. A LeadSquared error is an [*APIError]
// (401 for unknown or inactive keys).
//
// LeadSquared API docs: https://apidocs.leadsquared.com/user-authentication/
func DiscoverHost(ctx context.Context, baseURL, accessKey, secretKey string, opts ...Option) (string, error) {
	c, err := New(baseURL, accessKey, secretKey, append(opts[:len(opts):len(opts)], WithMaxRetries(0))...)
	if err != nil {
		return "", err
	}
	who, err := c.AuthenticateUser(ctx)
	var re *ReplyError
	switch {
	case errors.As(err, &re):
		return "", errors.New("leadsquared: DiscoverHost: the reply of Authenticate a User is not the expected JSON object")
	case err != nil:
		return "", err
	}
	api := who.LSQCommonServiceURLs.API
	if strings.TrimSpace(api) == "" {
		return "", errors.New("leadsquared: DiscoverHost: the reply of Authenticate a User names no API host (LSQCommonServiceURLs.api)")
	}
	host, ok := hostOf(api)
	if !ok || c.doer.rd.Contains(api) {
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
