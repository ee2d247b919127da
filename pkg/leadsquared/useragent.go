package leadsquared

import (
	"errors"
	"net/http"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
)

// modulePath is the module this package is part of, as the build info names it.
const modulePath = "github.com/leadsquared-go/leadsquared-go"

// baseUserAgent returns the User-Agent the client sends: leadsquared-go/VERSION (GOVERSION;
// OS/ARCH), e.g. "leadsquared-go/v0.4.0 (go1.26.8; linux/amd64)". VERSION is the module's
// version in the program's build info, "dev" when the program is built inside a clone of
// this repository (or with the module replaced by a directory).
var baseUserAgent = sync.OnceValue(func() string {
	return "leadsquared-go/" + moduleVersion() + " (" + runtime.Version() + "; " + runtime.GOOS + "/" + runtime.GOARCH + ")"
})

// moduleVersion is this module's version in the build info, "dev" when there is none.
func moduleVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok || bi.Main.Path == modulePath {
		return "dev" // a clone: the main module is this one
	}
	for _, m := range bi.Deps {
		if m.Path != modulePath {
			continue
		}
		if m.Replace != nil {
			m = m.Replace
		}
		if m.Version == "" || m.Version == "(devel)" {
			return "dev"
		}
		return m.Version
	}
	return "dev"
}

// WithUserAgent adds the caller's product to the User-Agent, before the client's own, as
// RFC 9110 orders products: WithUserAgent("myapp/1.2") sends
// "myapp/1.2 leadsquared-go/v0.4.0 (go1.26.8; linux/amd64)". product is one or more
// product tokens ("myapp/1.2", "myapp/1.2 (build 7)") of printable ASCII. Given to [New] it
// is every call's; given to a method, that call's (in place of the client's product).
func WithUserAgent(product string) Option {
	return func(c *config) error {
		c.callable = true
		p := strings.TrimSpace(product)
		if p == "" {
			return errors.New("leadsquared: WithUserAgent: empty product")
		}
		for i := 0; i < len(p); i++ {
			if p[i] < 0x20 || p[i] >= 0x7f {
				return errors.New("leadsquared: WithUserAgent: the product must be printable ASCII")
			}
		}
		c.product = p
		return nil
	}
}

// userAgent returns the value of the User-Agent header with product before the client's own.
func userAgent(product string) []string {
	if product == "" {
		return []string{baseUserAgent()}
	}
	return []string{product + " " + baseUserAgent()}
}

// setHeaders puts into req's header (which the client owns: the generated client made req,
// or Client.Do cloned it) the headers of WithHeader, the client's then the call's, and the
// User-Agent of a call given WithUserAgent. The values are shared with the client's
// settings, never changed. The client's own User-Agent is added later, by userAgentTransport.
func (d *doer) setHeaders(req *http.Request, cs *callSettings) {
	if req.Header == nil {
		req.Header = make(http.Header, 1+len(d.header))
	}
	for k, v := range d.header {
		req.Header[k] = v
	}
	if cs != nil {
		for k, v := range cs.header {
			req.Header[k] = v
		}
		if cs.product != "" {
			req.Header["User-Agent"] = userAgent(cs.product)
		}
	}
}

// userAgentTransport gives the client's User-Agent to every request that reaches the
// transport without one (a call's WithUserAgent is already in the header). It is added there,
// not to the request given to http.Client.Do, because Client.Do copies that request's header
// (for redirects) on every call: a GET, whose header is otherwise empty, would pay for a map
// entry twice (a map group in each map, and the copy's value slice).
type userAgentTransport struct {
	base http.RoundTripper // the user's transport; nil: http.DefaultTransport
	ua   []string          // shared, never changed
}

func (t *userAgentTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if _, ok := r.Header["User-Agent"]; !ok {
		if r.Response != nil || r.Header == nil {
			// A redirect's request, which http.Client made and keeps: a copy with a header of
			// its own carries it.
			c := *r
			c.Header = make(http.Header, len(r.Header)+1)
			for k, v := range r.Header {
				c.Header[k] = v
			}
			r = &c
		}
		// The doer's own request (prepare's copy of the attempt's request, whose header the
		// client owns).
		r.Header["User-Agent"] = t.ua
	}
	if t.base == nil {
		return http.DefaultTransport.RoundTrip(r)
	}
	return t.base.RoundTrip(r)
}
