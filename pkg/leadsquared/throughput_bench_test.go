package leadsquared_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
)

// The plan limit of the throughput benchmark: Enterprise's 25 calls per 5 s, with the
// window scaled down to 1 s (the fake, like LeadSquared, names its window in whole seconds,
// so that is the shortest window the adaptive limiter can learn).
const (
	tputCalls   = 25
	tputPer     = time.Second
	tputWindows = 4  // windows measured per run
	tputWorkers = 50 // goroutines sharing the client
)

// throughput is the outcome of one run of runThroughput.
type throughput struct {
	completed    int // successful calls that completed within the measured windows
	rateLimitErr int // calls that returned a *RateLimitError to their caller
	otherErr     int // calls that failed otherwise (before the end of the run)
	rejected     int // attempts the server answered with its rate-limit error
}

// share is the completed calls as a share of what the plan allows in the measured windows.
func (t throughput) share() float64 {
	return float64(t.completed) / float64(tputCalls*tputWindows)
}

// runThroughput runs tputWorkers goroutines calling GetUserByID as fast as they can,
// through one client, against a fake limited to tputCalls per tputPer, for tputWindows
// windows of real time (the point is the real rate). per > 0 sets the client's limiter to
// tputCalls per per (WithRateLimit); per == 0 lets the client learn the limit from the
// server's first rate-limit error.
func runThroughput(tb testing.TB, per time.Duration) throughput {
	tb.Helper()
	srv, err := lsqtest.NewServer(lsqtest.WithRateLimit(tputCalls, tputPer, lsqtest.Form429))
	if err != nil {
		tb.Fatal(err)
	}
	defer srv.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: tputWorkers}
	defer tr.CloseIdleConnections()
	opts := []leadsquared.Option{leadsquared.WithHTTPClient(&http.Client{Transport: tr, Timeout: 30 * time.Second})}
	if per > 0 {
		opts = append(opts, leadsquared.WithRateLimit(tputCalls, per))
	}
	c, err := leadsquared.New(srv.URL, srv.AccessKey, srv.SecretKey, opts...)
	if err != nil {
		tb.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := time.Now()
	end := start.Add(tputWindows * tputPer)
	stop := time.AfterFunc(tputWindows*tputPer, cancel)
	defer stop.Stop()

	var completed, rlErr, otherErr atomic.Int64
	var wg sync.WaitGroup
	for range tputWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				res, err := c.API().GetUserByIDWithResponse(ctx, &api.GetUserByIDParams{UserID: srv.OwnerID})
				var rl *leadsquared.RateLimitError
				switch {
				case err == nil && res.JSON200 != nil && len(*res.JSON200) == 1:
					if time.Now().Before(end) {
						completed.Add(1)
					}
				case ctx.Err() != nil: // cut off by the end of the run: not the caller's error
				case errors.As(err, &rl):
					rlErr.Add(1)
				default:
					otherErr.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	t := throughput{completed: int(completed.Load()), rateLimitErr: int(rlErr.Load()), otherErr: int(otherErr.Load())}
	for _, r := range srv.Requests() {
		if r.Status == http.StatusTooManyRequests {
			t.rejected++
		}
	}
	return t
}

// BenchmarkRateLimitThroughput measures what a client shared by 50 goroutines gets out of
// a rate limit: the calls completed per window as a share of the plan's rate (%allowed,
// goal ≥ 95), the rate-limit errors its callers saw (ratelimit-errs, goal 0) and the
// attempts the server rejected (rejected/run), with the limiter set to the plan
// (limiter=explicit), set to the plan with a 2 % longer window (limiter=explicit-margin: the
// server counts a call when it arrives, the client when it starts, and the difference
// varies), and learned from the server's first rate-limit error (limiter=adaptive).
// One run takes tputWindows seconds; `make bench` runs it with -benchtime=1x.
func BenchmarkRateLimitThroughput(b *testing.B) {
	for _, mode := range []struct {
		name string
		per  time.Duration
	}{
		{"explicit", tputPer},
		{"explicit-margin", tputPer + tputPer/50},
		{"adaptive", 0},
	} {
		b.Run("limiter="+mode.name, func(b *testing.B) {
			var sum throughput
			var share float64
			runs := 0
			for b.Loop() {
				t := runThroughput(b, mode.per)
				if t.otherErr > 0 {
					b.Errorf("%d calls failed with errors other than rate limits", t.otherErr)
				}
				share += t.share()
				sum.rateLimitErr += t.rateLimitErr
				sum.rejected += t.rejected
				runs++
			}
			b.ReportMetric(0, "ns/op") // the run's length is fixed: ns/op says nothing
			b.ReportMetric(100*share/float64(runs), "%allowed")
			b.ReportMetric(float64(sum.rateLimitErr)/float64(runs), "ratelimit-errs")
			b.ReportMetric(float64(sum.rejected)/float64(runs), "rejected/run")
		})
	}
}
