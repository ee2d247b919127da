package leadsquared

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strings"
)

// DiscoverHost returns the API host of the account that owns the keys (for example
// "api-in21.leadsquared.com"), in one call to Authenticate a User
// (GET Authentication.svc/UserByAccessKey.Get). That call answers on every regional host,
// with the account's API host in LSQCommonServiceURLs.api; pass what it returns to [New].
//
// A host that is not LeadSquared's (not under leadsquared.com: a fake server such as
// lsqtest's or `lsq fake`, a proxy) is returned as a base URL with its scheme, the reply's
// or else the one baseURL was called with ("http://127.0.0.1:18080"), so that New reaches
// the same server: New takes a bare host for https.
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
	host, scheme, ok := hostOf(api)
	if !ok || c.doer.rd.Contains(api) {
		return "", errors.New("leadsquared: DiscoverHost: LSQCommonServiceURLs.api in the reply is not a host name")
	}
	if isLeadSquaredHost(host) {
		return host, nil
	}
	if scheme == "" {
		scheme = c.baseURL.Scheme
	}
	return scheme + "://" + host, nil
}

// isLeadSquaredHost reports whether host (with or without a port) is under leadsquared.com.
func isLeadSquaredHost(host string) bool {
	name := strings.ToLower(host)
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = strings.ToLower(h)
	}
	return strings.HasSuffix(name, ".leadsquared.com")
}

// hostOf reads a host (with its port, if any) from a bare host name ("api-in21.leadsquared.com")
// or a URL ("https://api-in21.leadsquared.com/v2/"), lower-cased, and the URL's scheme (""
// for a bare host). It refuses anything else: user info, spaces, a query.
func hostOf(s string) (host, scheme string, ok bool) {
	s = strings.TrimSpace(s)
	bare := !strings.Contains(s, "://")
	if bare {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Hostname() == "" ||
		(u.Scheme != "https" && u.Scheme != "http") || strings.ContainsAny(u.Host, " \t%") {
		return "", "", false
	}
	if p := strings.Trim(u.Path, "/"); p != "" && p != strings.Trim(DefaultBasePath, "/") {
		return "", "", false
	}
	if !bare {
		scheme = strings.ToLower(u.Scheme)
	}
	return strings.ToLower(u.Host), scheme, true
}
