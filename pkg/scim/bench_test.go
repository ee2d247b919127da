package scim_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest/lsqclient"
	"github.com/leadsquared-go/leadsquared-go/pkg/scim"
)

// BenchmarkBridge measures SCIM requests through the handler on the fake, over loopback,
// with no rate limit: req/s is what the bridge itself can do, and lsq-calls/req the
// LeadSquared calls each request makes (what a rate budget is spent on).
func BenchmarkBridge(b *testing.B) {
	for _, bc := range []struct {
		name   string
		req    func(br *bridge, i int, id string) (string, string, string)
		shared bool
	}{
		{"op=get", func(_ *bridge, _ int, id string) (string, string, string) { return "GET", "/Users/" + id, "" }, false},
		{"op=filter-userName", func(_ *bridge, _ int, _ string) (string, string, string) {
			return "GET", filterQuery(`userName eq "bench@example.com"`), ""
		}, false},
		{"op=patch-active", func(_ *bridge, i int, id string) (string, string, string) {
			return "PATCH", "/Users/" + id, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":%t}}]}`, i%2 == 1)
		}, false},
		{"op=create", func(_ *bridge, i int, _ string) (string, string, string) {
			return "POST", "/Users", newUser(fmt.Sprintf("new%07d@example.com", i))
		}, false},
		// Config.Shared: a create reads the whole account once more.
		{"op=create-shared", func(_ *bridge, i int, _ string) (string, string, string) {
			return "POST", "/Users", newUser(fmt.Sprintf("new%07d@example.com", i))
		}, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			br := setupWith(b, func(c *scim.Config) { c.Shared = bc.shared })
			u, err := br.fake.AddUser(lsqtest.User{FirstName: "Bench", EmailAddress: "bench@example.com", Role: "Sales_User"})
			if err != nil {
				b.Fatal(err)
			}
			br.do("PATCH", "/Users/"+u.ID, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":true}}]}`)
			br.fake.ResetLog()
			i := 0
			start := time.Now()
			for b.Loop() {
				m, p, body := bc.req(br, i, u.ID)
				if r := br.do(m, p, body); r.status >= 300 {
					b.Fatalf("%s %s: %d %s", m, p, r.status, r.raw)
				}
				i++
			}
			b.ReportMetric(float64(i)/time.Since(start).Seconds(), "req/s")
			b.ReportMetric(float64(len(br.fake.Requests()))/float64(i), "lsq-calls/req")
		})
	}
}

const (
	shareCalls   = 25
	sharePer     = time.Second
	shareWindows = 4
	shareWorkers = 80
)

// BenchmarkBridgeRateShare runs 80 IdP workers sending GET /Users/{id} (one LeadSquared
// call each) as fast as they can through a bridge whose client is paced at the account's
// limit (25 calls a second here, LeadSquared's 25 in 5 s scaled by 5) and wrapped in
// FailFast, for 4 windows of real time: %allowed is the LeadSquared calls that completed as
// a share of what the limit allows (goal: near 100), req/s the SCIM answers that were
// 200, scim-429/run the requests answered 429 after at most FailFast's 2 s instead of
// waiting their turn (80 workers queue 3.2 s of calls), and
// rejected/run the calls LeadSquared refused (goal 0). `make bench` runs it with
// -benchtime=1x.
func BenchmarkBridgeRateShare(b *testing.B) {
	var share, ok, limited, rejected float64
	runs := 0
	for b.Loop() {
		fake := lsqtest.MustNewServer(b, lsqtest.WithRateLimit(shareCalls, sharePer, lsqtest.Form429))
		lim, err := leadsquared.NewLimiter(shareCalls, sharePer)
		if err != nil {
			b.Fatal(err)
		}
		tr := &http.Transport{MaxIdleConnsPerHost: shareWorkers}
		c := lsqclient.New(b, fake, leadsquared.WithMaxRetries(0), leadsquared.WithLimiter(scim.FailFast(lim, 2*time.Second)),
			leadsquared.WithHTTPClient(&http.Client{Transport: tr}))
		h, err := scim.New(scim.Config{Client: c, Token: testToken, DefaultRole: "Sales_User"})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), shareWindows*sharePer)
		var n200, n429 atomic.Int64
		var wg sync.WaitGroup
		for range shareWorkers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					req, _ := http.NewRequestWithContext(ctx, "GET", "http://bridge/scim/v2/Users/"+fake.OwnerID, nil)
					req.Header.Set("Authorization", "Bearer "+testToken)
					rec := &statusRecorder{header: http.Header{}}
					h.ServeHTTP(rec, req)
					switch {
					case ctx.Err() != nil:
					case rec.status == 0 || rec.status == 200:
						n200.Add(1)
					case rec.status == 429:
						n429.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		cancel()
		tr.CloseIdleConnections()
		served := 0
		for _, r := range fake.Requests() {
			switch r.Status {
			case http.StatusOK:
				served++
			case http.StatusTooManyRequests:
				rejected++
			}
		}
		share += float64(served) / float64(shareCalls*shareWindows)
		ok += float64(n200.Load())
		limited += float64(n429.Load())
		runs++
	}
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(100*share/float64(runs), "%allowed")
	b.ReportMetric(ok/float64(runs)/(shareWindows*sharePer).Seconds(), "req/s")
	b.ReportMetric(limited/float64(runs), "scim-429/run")
	b.ReportMetric(rejected/float64(runs), "rejected/run")
}

// statusRecorder is a ResponseWriter that keeps the status and drops the body.
type statusRecorder struct {
	header http.Header
	status int
}

func (r *statusRecorder) Header() http.Header { return r.header }
func (r *statusRecorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = 200
	}
	return len(p), nil
}
func (r *statusRecorder) WriteHeader(s int) {
	if r.status == 0 {
		r.status = s
	}
}
