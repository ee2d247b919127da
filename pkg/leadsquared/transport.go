package leadsquared

import (
	"net"
	"net/http"
	"time"
)

// Settings of the transport of the default *http.Client ([NewTransport]).
const (
	// DefaultIdleConnsPerHost is the idle connections per host the default transport keeps
	// when the limiter allows fewer concurrent starts (or its limit is not known yet): more
	// than any LeadSquared plan's calls per window.
	DefaultIdleConnsPerHost = 64
	// DefaultIdleConnTimeout closes an idle connection before the usual 60-second idle
	// timeout of the load balancers in front of an API host, so a request is not sent on a
	// connection the other end is closing.
	DefaultIdleConnTimeout = 50 * time.Second
)

// NewTransport returns the transport of the client [New] builds when [WithHTTPClient] is
// not given: a clone of [http.DefaultTransport] (proxy from the environment, HTTP/2 when
// the server offers it) tuned for one API host. It keeps up to idlePerHost idle
// connections per host (at least [DefaultIdleConnsPerHost]), so goroutines sharing a
// client reuse connections instead of dialing, and paying a TLS handshake, for nearly
// every call; it dials within 10 s, shakes hands within 10 s and drops idle connections
// after [DefaultIdleConnTimeout].
//
// Use it to build an *http.Client of your own, for example with another Timeout, and pass
// that with WithHTTPClient: a client given there is used as it is.
func NewTransport(idlePerHost int) *http.Transport {
	idle := max(idlePerHost, DefaultIdleConnsPerHost)
	var t *http.Transport
	if dt, ok := http.DefaultTransport.(*http.Transport); ok {
		t = dt.Clone()
	} else {
		t = &http.Transport{Proxy: http.ProxyFromEnvironment}
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	t.DialContext = dialer.DialContext
	t.ForceAttemptHTTP2 = true
	t.TLSHandshakeTimeout = 10 * time.Second
	t.ExpectContinueTimeout = time.Second
	t.IdleConnTimeout = DefaultIdleConnTimeout
	t.MaxIdleConnsPerHost = idle
	t.MaxIdleConns = max(t.MaxIdleConns, idle)
	return t
}

// limiterCalls returns the calls per window of a limiter whose limit is known (0 otherwise).
func limiterCalls(l Limiter) int {
	if ls, ok := l.(limitSetter); ok {
		calls, _ := ls.Limit()
		return calls
	}
	return 0
}
