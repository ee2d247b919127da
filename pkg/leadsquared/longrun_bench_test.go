package leadsquared_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
)

var mixedFor = flag.Duration("lsq.mixedfor", 3*time.Minute, "how long BenchmarkMixedJob runs")

// exactServer answers GetUserByID and enforces calls per per exactly, counting accepted
// calls when they arrive (as LeadSquared does); it also refuses the accepted calls whose
// numbers are in refuse, as network jitter makes a real link do now and then. It counts
// the TCP connections clients open.
type exactServer struct {
	calls  int
	per    time.Duration
	refuse map[int]bool

	mu       sync.Mutex
	accepted []time.Time
	rejected int
	opened   atomic.Int64
}

func (s *exactServer) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	now := time.Now()
	s.mu.Lock()
	n := len(s.accepted)
	over := n >= s.calls && s.accepted[n-s.calls].After(now.Add(-s.per))
	if !over && s.refuse[n] {
		delete(s.refuse, n)
		over = true
	}
	if over {
		s.rejected++
	} else {
		s.accepted = append(s.accepted, now)
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if over {
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = fmt.Fprintf(w, `{"Status":"Error","ExceptionType":"MXAPIRateLimitExceededException","ExceptionMessage":"API calls exceeded the limit of %d in 1 second(s)"}`, s.calls)
		return
	}
	_, _ = w.Write([]byte(`[{"ID":"u1","FirstName":"Chris","EmailAddress":"chris@example.com"}]`))
}

// waitStats reports the mean, 99th percentile and maximum of call latencies, in ms.
func waitStats(b *testing.B, waits []time.Duration) {
	if len(waits) == 0 {
		return
	}
	slices.Sort(waits)
	var sum time.Duration
	for _, w := range waits {
		sum += w
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(sum)/float64(len(waits)), "wait-mean-ms")
	b.ReportMetric(ms(waits[(len(waits)*99+99)/100-1]), "wait-p99-ms")
	b.ReportMetric(ms(waits[len(waits)-1]), "wait-max-ms")
}

// BenchmarkSaturatedRefusals: 200 goroutines make 2,000 GetUserByID calls through one
// default client (its own transport) with WithRateLimit(50, 250ms), against a server that
// enforces 50 per 250ms exactly and refuses three early calls besides. It reports the rate
// reached as a share of the allowed one (%allowed: accepted calls over the span of their
// arrivals plus one window), the TCP connections opened (conns), the calls' latency
// (wait-*-ms: nearly all of it the limiter's wait) and the calls the server refused
// (rejected/run, the three included). One run takes about 10 s.
func BenchmarkSaturatedRefusals(b *testing.B) {
	const (
		goroutines = 200
		total      = 2000
		calls      = 50
		per        = 250 * time.Millisecond
	)
	var share, conns, rejected, errs float64
	var waits []time.Duration
	runs := 0
	for b.Loop() {
		s := &exactServer{calls: calls, per: per, refuse: map[int]bool{100: true, 101: true, 102: true}}
		srv := httptest.NewUnstartedServer(s)
		srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
			if st == http.StateNew {
				s.opened.Add(1)
			}
		}
		srv.Start()
		c, err := leadsquared.New(srv.URL, "access", "secret", leadsquared.WithRateLimit(calls, per))
		if err != nil {
			b.Fatal(err)
		}
		var next atomic.Int64
		var mu sync.Mutex
		var failed atomic.Int64
		var wg sync.WaitGroup
		for range goroutines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for next.Add(1) <= total {
					start := time.Now()
					_, err := c.API().GetUserByIDWithResponse(context.Background(), &api.GetUserByIDParams{UserID: "u1"})
					d := time.Since(start)
					if err != nil {
						failed.Add(1)
						continue
					}
					mu.Lock()
					waits = append(waits, d)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		srv.CloseClientConnections()
		srv.Close()
		s.mu.Lock()
		first, last := s.accepted[0], s.accepted[len(s.accepted)-1]
		allowed := float64(calls) / per.Seconds()
		share += float64(len(s.accepted)) / (last.Sub(first) + per).Seconds() / allowed
		rejected += float64(s.rejected)
		s.mu.Unlock()
		conns += float64(s.opened.Load())
		errs += float64(failed.Load())
		runs++
	}
	r := float64(runs)
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(100*share/r, "%allowed")
	b.ReportMetric(conns/r, "conns")
	b.ReportMetric(rejected/r, "rejected/run")
	b.ReportMetric(errs/r, "errs")
	waitStats(b, waits)
}

// BenchmarkMixedJob: a job over a 1,000-user account on lsqtest limited to 25 calls per
// second: 50 goroutines share a default client with WithRateLimit(25, 1s) and make mixed
// calls (GetUserByID 60 %, GetUserByEmail 30 %, GetUsers, the 1,000 users, 10 %) for
// -lsq.mixedfor (3 minutes). It reports the calls completed as a share of what the limit
// allows in that time (%allowed), the calls that failed for their caller (errs), the
// attempts the server refused (rejected/run) and the calls' latency.
func BenchmarkMixedJob(b *testing.B) {
	const goroutines, users = 50, 1000
	const calls, per = 25, time.Second
	var share, rejected, errs float64
	var waits []time.Duration
	runs := 0
	for b.Loop() {
		srv, err := lsqtest.NewServer(lsqtest.WithRateLimit(calls, per, lsqtest.Form429))
		if err != nil {
			b.Fatal(err)
		}
		ids := make([]string, users)
		emails := make([]string, users)
		for i := range users {
			u, err := srv.AddUser(lsqtest.User{FirstName: fmt.Sprintf("User%04d", i), EmailAddress: fmt.Sprintf("u%04d@example.com", i), Role: "Sales_User"})
			if err != nil {
				b.Fatal(err)
			}
			ids[i], emails[i] = u.ID, u.EmailAddress
		}
		c, err := leadsquared.New(srv.URL, srv.AccessKey, srv.SecretKey, leadsquared.WithRateLimit(calls, per))
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), *mixedFor)
		end := time.Now().Add(*mixedFor)
		var completed, failed atomic.Int64
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range goroutines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					i := rand.IntN(users)
					start := time.Now()
					var err error
					switch p := rand.IntN(10); {
					case p < 6:
						_, err = c.API().GetUserByIDWithResponse(ctx, &api.GetUserByIDParams{UserID: ids[i]})
					case p < 9:
						_, err = c.API().GetUserByEmailWithResponse(ctx, &api.GetUserByEmailParams{EmailAddress: emails[i]})
					default:
						_, err = c.API().GetUsersWithResponse(ctx)
					}
					d := time.Since(start)
					switch {
					case err == nil:
						if time.Now().Before(end) {
							completed.Add(1)
						}
						mu.Lock()
						waits = append(waits, d)
						mu.Unlock()
					case ctx.Err() != nil: // cut off by the end of the run
					default:
						var rl *leadsquared.RateLimitError
						if !errors.As(err, &rl) {
							b.Errorf("call failed: %v", err)
						}
						failed.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		cancel()
		srv.Close()
		for _, r := range srv.Requests() {
			if r.Status == http.StatusTooManyRequests {
				rejected++
			}
		}
		share += float64(completed.Load()) / (float64(calls) * mixedFor.Seconds() / per.Seconds())
		errs += float64(failed.Load())
		runs++
	}
	r := float64(runs)
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(100*share/r, "%allowed")
	b.ReportMetric(rejected/r, "rejected/run")
	b.ReportMetric(errs/r, "errs")
	waitStats(b, waits)
}
