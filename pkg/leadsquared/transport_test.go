package leadsquared

import (
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
)

// conns counts the connections clients open to a server, and those closed.
type conns struct{ opened, closed atomic.Int64 }

// connCounter is an httptest server that counts the connections clients open to it and
// close.
func connCounter(t *testing.T, tls2 bool, h http.Handler) (*httptest.Server, *conns) {
	t.Helper()
	var cs conns
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			cs.opened.Add(1)
		case http.StateClosed, http.StateHijacked:
			cs.closed.Add(1)
		}
	}
	if tls2 {
		srv.EnableHTTP2 = true
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv, &cs
}

func usersHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(usersJSON))
	})
}

// The default client keeps enough idle connections for goroutines sharing it: 32 of them
// making 8 calls each never have a connection closed for want of room in the idle pool
// (it holds DefaultIdleConnsPerHost), where http.DefaultTransport, which keeps 2 idle per
// host, closes most of those it opens and opens one for most calls. How many it opens
// depends on how the goroutines are scheduled (a connection not back in the pool yet makes
// another caller dial), so that is logged, not asserted; what the pool guarantees is that
// the client closes at most the connections beyond its capacity.
func TestDefaultTransportReusesConnections(t *testing.T) {
	t.Parallel()
	srv, cs := connCounter(t, false, usersHandler())
	c, err := New(srv.URL, testAccessKey, testSecretKey)
	if err != nil {
		t.Fatal(err)
	}
	defer userTransport(c).(*http.Transport).CloseIdleConnections()
	const goroutines, calls = 32, 8
	var wg sync.WaitGroup
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range calls {
				if _, err := c.API().GetUserByIDWithResponse(t.Context(), &api.GetUserByIDParams{UserID: "u"}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	opened, closed := cs.opened.Load(), cs.closed.Load()
	if closed > max(0, opened-DefaultIdleConnsPerHost) {
		t.Errorf("%d of the %d connections opened for %d calls by %d goroutines were closed during the run, want at most %d (beyond the idle pool's %d)",
			closed, opened, goroutines*calls, goroutines, max(0, opened-DefaultIdleConnsPerHost), DefaultIdleConnsPerHost)
	}
	t.Logf("%d connections opened for %d calls by %d goroutines, %d closed", opened, goroutines*calls, goroutines, closed)
}

func TestDefaultTransportSettings(t *testing.T) {
	t.Parallel()
	c, err := New("api.example.com", "a", "s")
	if err != nil {
		t.Fatal(err)
	}
	tr, ok := userTransport(c).(*http.Transport)
	if !ok {
		t.Fatalf("default transport is %T, want *http.Transport", userTransport(c))
	}
	if tr.MaxIdleConnsPerHost != DefaultIdleConnsPerHost || tr.MaxIdleConns < DefaultIdleConnsPerHost {
		t.Errorf("idle pool %d per host, %d in all; want %d", tr.MaxIdleConnsPerHost, tr.MaxIdleConns, DefaultIdleConnsPerHost)
	}
	if !tr.ForceAttemptHTTP2 || tr.TLSHandshakeTimeout <= 0 || tr.IdleConnTimeout != DefaultIdleConnTimeout || tr.DialContext == nil || tr.Proxy == nil {
		t.Errorf("transport not tuned: http2 %v, handshake %s, idle %s", tr.ForceAttemptHTTP2, tr.TLSHandshakeTimeout, tr.IdleConnTimeout)
	}
	if c.doer.hc.Timeout != DefaultTimeout {
		t.Errorf("timeout %s, want %s", c.doer.hc.Timeout, DefaultTimeout)
	}
	// A limit above the default pool sizes it.
	c2, err := New("api.example.com", "a", "s", WithRateLimit(200, time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if n := userTransport(c2).(*http.Transport).MaxIdleConnsPerHost; n != 200 {
		t.Errorf("WithRateLimit(200, 1s): %d idle connections per host, want 200", n)
	}
	// A caller's client keeps its own transport.
	mine := &http.Transport{}
	c3, err := New("api.example.com", "a", "s", WithHTTPClient(&http.Client{Transport: mine}))
	if err != nil {
		t.Fatal(err)
	}
	if userTransport(c3) != mine || mine.MaxIdleConnsPerHost != 0 {
		t.Error("WithHTTPClient's transport was replaced or changed")
	}
}

// The default transport speaks HTTP/2 to a server that offers it (ALPN over TLS).
func TestDefaultTransportHTTP2(t *testing.T) {
	t.Parallel()
	var proto atomic.Int64
	srv, _ := connCounter(t, true, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proto.Store(int64(r.ProtoMajor))
		usersHandler().ServeHTTP(w, r)
	}))
	c, err := New(srv.URL, testAccessKey, testSecretKey)
	if err != nil {
		t.Fatal(err)
	}
	tr := userTransport(c).(*http.Transport)
	defer tr.CloseIdleConnections()
	tr.TLSClientConfig = srv.Client().Transport.(*http.Transport).TLSClientConfig.Clone() // trust the test certificate
	if _, err := c.API().GetUserByIDWithResponse(t.Context(), &api.GetUserByIDParams{UserID: "u"}); err != nil {
		t.Fatal(err)
	}
	if p := proto.Load(); p != 2 {
		t.Errorf("the request went over HTTP/%d, want HTTP/2", p)
	}
}

// userTransport is the transport of the client's *http.Client beneath the one that adds the
// User-Agent: the user's (WithHTTPClient) or NewTransport's.
func userTransport(c *Client) http.RoundTripper {
	return c.doer.hc.Transport.(*userAgentTransport).base
}
