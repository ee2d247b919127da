package redislimit_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/redislimit"
)

// The guarantee across real OS processes: TestSharedLimitAcrossProcesses re-executes this
// test binary as N workers (workerEnv set), which share one redis-server and send to one
// counting server in the test process.
//
// The default run is short. Measure longer runs with, for example:
//
//	go test -race -run TestSharedLimitAcrossProcesses -v ./pkg/leadsquared/redislimit/ -args -redislimit.run=10s
var (
	runFor    = flag.Duration("redislimit.run", 1500*time.Millisecond, "how long each group of worker processes sends")
	procsFlag = flag.String("redislimit.procs", "1,2,4,8", "the numbers of worker processes to run, comma-separated")
	slackFlag = flag.Duration("redislimit.slack", 30*time.Millisecond, "the Slack of the workers' limiters")
)

const workerEnv = "LSQ_REDISLIMIT_WORKER"

func TestMain(m *testing.M) {
	if cfg := os.Getenv(workerEnv); cfg != "" {
		os.Exit(workerMain(cfg))
	}
	os.Exit(m.Run())
}

// workerConfig is what the test tells a worker process.
type workerConfig struct {
	Redis, URL, AccessKey, Prefix string
	Std, Bulk                     redislimit.Limit
	Slack                         time.Duration
	RunFor                        time.Duration // how long to send once started
	Goroutines, BulkGoroutines    int
	Calls                         int // when > 0, the GetUserByID calls of each goroutine (RunFor is then a time-out)
}

// workerReport is what a worker prints on stdout.
type workerReport struct {
	Grants      []int64 // Redis time of each grant, µs since the epoch
	BulkGrants  []int64
	OK          int
	RateLimited int
	Errors      []string // the first few other errors
	Waits       []int64  // how long each Wait of a standard call took, µs
	Finished    int64    // when the last call returned, µs since the epoch
}

// timedLimiter records how long each Wait takes.
type timedLimiter struct {
	leadsquared.Limiter
	record func(time.Duration)
}

func (l timedLimiter) Wait(ctx context.Context) error {
	start := time.Now()
	err := l.Limiter.Wait(ctx)
	if op, ok := leadsquared.OperationFromContext(ctx); err == nil && (!ok || !op.Bulk) {
		l.record(time.Since(start))
	}
	return err
}

// workerMain runs in a worker process: goroutines, each with a leadsquared.Client and a
// redislimit.Limiter, send GetUserByID (standard budget) and BulkUpdateUserManagers (bulk budget) calls
// from several goroutines until cfg.Stop.
func workerMain(raw string) int {
	var cfg workerConfig
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		fmt.Fprintln(os.Stderr, "worker config:", err)
		return 2
	}
	rdb := redis.NewClient(&redis.Options{Addr: cfg.Redis, PoolSize: cfg.Goroutines + cfg.BulkGoroutines})
	defer func() { _ = rdb.Close() }()
	var mu sync.Mutex
	var rep workerReport
	transport := &http.Transport{MaxIdleConnsPerHost: cfg.Goroutines + cfg.BulkGoroutines}
	// Each goroutine has its own Limiter (sharing the process's Redis connection pool and
	// the budget, as the processes do) and its own Client, so the grant that OnGrant reports
	// is the grant of that goroutine's next request, which carries it to the server in
	// grantHeader. The server can then measure every request's grant-to-arrival delay.
	newClient := func() (*leadsquared.Client, error) {
		var grant atomic.Int64
		lim, err := redislimit.New(rdb, cfg.AccessKey, redislimit.Options{
			Standard: cfg.Std, Bulk: cfg.Bulk, KeyPrefix: cfg.Prefix, Slack: cfg.Slack,
			OnGrant: func(at time.Time, bulk bool) {
				grant.Store(at.UnixMicro())
				mu.Lock()
				defer mu.Unlock()
				if bulk {
					rep.BulkGrants = append(rep.BulkGrants, at.UnixMicro())
				} else {
					rep.Grants = append(rep.Grants, at.UnixMicro())
				}
			},
		})
		if err != nil {
			return nil, err
		}
		timed := timedLimiter{Limiter: lim, record: func(d time.Duration) {
			mu.Lock()
			defer mu.Unlock()
			rep.Waits = append(rep.Waits, d.Microseconds())
		}}
		hc := &http.Client{Transport: stampGrant{base: transport, grant: &grant}}
		return leadsquared.New(cfg.URL, cfg.AccessKey, "secret", leadsquared.WithLimiter(timed),
			leadsquared.WithMaxRetries(0), leadsquared.WithHTTPClient(hc))
	}
	clients := make([]*leadsquared.Client, cfg.Goroutines+cfg.BulkGoroutines)
	for i := range clients {
		c, err := newClient()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		clients[i] = c
	}
	// Tell the test this process is ready, and start when it says so.
	fmt.Println("ready")
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		fmt.Fprintln(os.Stderr, "waiting for the start:", err)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.RunFor)
	defer cancel()
	record := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		var rl *leadsquared.RateLimitError
		switch {
		case err == nil:
			rep.OK++
		case ctx.Err() != nil: // the run ended during the wait or the call
		case errors.As(err, &rl):
			rep.RateLimited++
		case len(rep.Errors) < 5:
			rep.Errors = append(rep.Errors, err.Error())
		}
	}
	var wg sync.WaitGroup
	for g := range cfg.Goroutines {
		c := clients[g]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil && (cfg.Calls == 0 || i < cfg.Calls); i++ {
				_, err := c.API().GetUserByIDWithResponse(ctx, &api.GetUserByIDParams{UserID: "x"})
				record(err)
			}
		}()
	}
	for g := range cfg.BulkGoroutines {
		c := clients[cfg.Goroutines+g]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				_, err := c.API().BulkUpdateUserManagersWithResponse(ctx, api.UserManagerUpdateList{{UserID: "u", ManagerID: "m"}})
				record(err)
			}
		}()
	}
	wg.Wait()
	rep.Finished = time.Now().UnixMicro()
	if err := json.NewEncoder(os.Stdout).Encode(&rep); err != nil {
		return 2
	}
	return 0
}

// grantHeader carries a request's grant (µs since the epoch, on the Redis clock) from the
// worker to the counting server.
const grantHeader = "X-Test-Grant"

// stampGrant sends each request with the grant its goroutine's limiter just made.
type stampGrant struct {
	base  http.RoundTripper
	grant *atomic.Int64
}

func (s stampGrant) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(grantHeader, strconv.FormatInt(s.grant.Load(), 10))
	return s.base.RoundTrip(r)
}

// arrival is a request as the counting server saw it.
type arrival struct {
	at, grant time.Time // when it arrived; when the limiter granted it (Redis clock)
}

// delay is how long the request took from its grant to the server.
func (a arrival) delay() time.Duration { return a.at.Sub(a.grant) }

// countingServer answers GetUserByID and BulkUpdateUserManagers, records when each
// request arrived and when it was granted, and rejects (like LeadSquared) any request over
// the limit of its budget in the sliding window ending at its arrival.
type countingServer struct {
	std, bulk redislimit.Limit

	mu           sync.Mutex
	arrivals     []arrival
	bulkArrivals []arrival
	excess       int // requests over the limit when they arrived
	bulkExcess   int
}

func (s *countingServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	bulk := strings.Contains(r.URL.Path, "UpdateReportingManagerInBulk")
	us, _ := strconv.ParseInt(r.Header.Get(grantHeader), 10, 64)
	a := arrival{at: now, grant: time.UnixMicro(us)}
	s.mu.Lock()
	var over bool
	if bulk {
		s.bulkArrivals = append(s.bulkArrivals, a)
		over = countSince(s.bulkArrivals, now.Add(-s.bulk.Per)) > s.bulk.Calls
		if over {
			s.bulkExcess++
		}
	} else {
		s.arrivals = append(s.arrivals, a)
		over = countSince(s.arrivals, now.Add(-s.std.Per)) > s.std.Calls
		if over {
			s.excess++
		}
	}
	s.mu.Unlock()
	_, _ = io.Copy(io.Discard, r.Body)
	w.Header().Set("Content-Type", "application/json")
	switch {
	case over:
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"Status":"Error","ExceptionType":"MXAPIRateLimitExceededException","ExceptionMessage":"API calls exceeded the limit of 10 in 1 second(s)"}`)
	case bulk:
		_, _ = io.WriteString(w, `{"Status":"Success","WFAId":"1","ErrorMessage":null}`)
	default:
		_, _ = io.WriteString(w, `[]`)
	}
}

// countSince counts the arrivals after cutoff (arrivals are in arrival order, nearly sorted).
func countSince(as []arrival, cutoff time.Time) int {
	n := 0
	for i := len(as) - 1; i >= 0 && i >= len(as)-64; i-- {
		if as[i].at.After(cutoff) {
			n++
		}
	}
	return n
}

// lateness is what the arrivals of a run say about the Slack: the largest grant-to-arrival
// delay, how many requests took longer than slack, and the windows of length per at the
// server that held more than calls arrivals with none of those late requests in them.
//
// The limiter guarantees that no window of per+slack holds more than calls grants. A
// request granted at g that arrives at a = g+d with d <= slack lies, for the server, in
// windows whose grants span at most per+slack; so a window at the server over the limit is
// possible only when one of its requests took longer than slack to arrive (the worker
// process was descheduled between the grant and the send). Such windows are explained;
// any other is a broken limiter.
func lateness(as []arrival, per, slack time.Duration, calls int) (maxDelay time.Duration, late, unexplained int) {
	as = slices.Clone(as)
	slices.SortFunc(as, func(x, y arrival) int { return x.at.Compare(y.at) })
	for _, a := range as {
		maxDelay = max(maxDelay, a.delay())
		if a.delay() > slack {
			late++
		}
	}
	i := 0
	for j := range as {
		for as[j].at.Sub(as[i].at) >= per {
			i++
		}
		if j-i+1 <= calls {
			continue
		}
		if !slices.ContainsFunc(as[i:j+1], func(a arrival) bool { return a.delay() > slack }) {
			unexplained++
		}
	}
	return maxDelay, late, unexplained
}

func arrivalTimes(as []arrival) []time.Time {
	ts := make([]time.Time, len(as))
	for i, a := range as {
		ts[i] = a.at
	}
	return ts
}

type runResult struct {
	waits                  []time.Duration
	finished               []time.Time // when each process's last call returned
	grants, bulkGrants     []time.Time
	arrivals, bulkArrivals []arrival
	excess, bulkExcess     int
	ok, rateLimited        int
	errors                 []string
}

// runWorkers runs procs worker processes against rs and a fresh counting server.
func runWorkers(t testing.TB, rs *redisServer, procs int, cfg workerConfig) runResult {
	t.Helper()
	cs := &countingServer{std: cfg.Std, bulk: cfg.Bulk}
	srv := httptest.NewServer(cs)
	defer srv.Close()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Redis, cfg.URL = rs.Addr, srv.URL
	cfg.Prefix = fmt.Sprintf("procs:%d:%d:", procs, time.Now().UnixNano())
	if cfg.RunFor == 0 {
		cfg.RunFor = *runFor
	}
	raw, _ := json.Marshal(cfg)

	// Start the workers, wait until each is ready (its client built), then start them all.
	type proc struct {
		cmd    *exec.Cmd
		stdin  io.WriteCloser
		stdout *bufio.Reader
		stderr bytes.Buffer
	}
	ps := make([]*proc, procs)
	for i := range ps {
		p := &proc{cmd: exec.Command(exe, "-test.run=^$")}
		// A race-enabled worker still reports races (exit status 66), without the 1s
		// sleep before exiting.
		p.cmd.Env = append(os.Environ(), workerEnv+"="+string(raw), "GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
		p.cmd.Stderr = &p.stderr
		if p.stdin, err = p.cmd.StdinPipe(); err != nil {
			t.Fatal(err)
		}
		out, err := p.cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		p.stdout = bufio.NewReader(out)
		if err := p.cmd.Start(); err != nil {
			t.Fatalf("starting worker %d: %v", i, err)
		}
		t.Cleanup(func() { _ = p.cmd.Process.Kill() }) // no-op once it has exited
		ps[i] = p
	}
	for i, p := range ps {
		if line, err := p.stdout.ReadString('\n'); err != nil || line != "ready\n" {
			t.Fatalf("worker %d: %q, %v; stderr: %s", i, line, err, p.stderr.String())
		}
	}
	for _, p := range ps {
		_, _ = io.WriteString(p.stdin, "go\n")
	}
	var res runResult
	for i, p := range ps {
		var rep workerReport
		if err := json.NewDecoder(p.stdout).Decode(&rep); err != nil {
			t.Fatalf("worker %d report: %v; stderr: %s", i, err, p.stderr.String())
		}
		if err := waitTimeout(p.cmd, cfg.RunFor+10*time.Second); err != nil {
			t.Fatalf("worker %d: %v; stderr: %s", i, err, p.stderr.String())
		}
		for _, us := range rep.Grants {
			res.grants = append(res.grants, time.UnixMicro(us))
		}
		for _, us := range rep.BulkGrants {
			res.bulkGrants = append(res.bulkGrants, time.UnixMicro(us))
		}
		for _, us := range rep.Waits {
			res.waits = append(res.waits, time.Duration(us)*time.Microsecond)
		}
		res.finished = append(res.finished, time.UnixMicro(rep.Finished))
		res.ok += rep.OK
		res.rateLimited += rep.RateLimited
		res.errors = append(res.errors, rep.Errors...)
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	res.arrivals, res.bulkArrivals = cs.arrivals, cs.bulkArrivals
	res.excess, res.bulkExcess = cs.excess, cs.bulkExcess
	return res
}

// waitTimeout waits for cmd, killing it after d.
func waitTimeout(cmd *exec.Cmd, d time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		_ = cmd.Process.Kill()
		<-done
		return fmt.Errorf("killed after %s", d)
	}
}

// rate is the achieved rate of a saturated run: n starts over their span plus one window
// (a saturated sliding window sends Calls at the start of every window).
func rate(times []time.Time, per time.Duration) float64 {
	if len(times) == 0 {
		return 0
	}
	first, last := times[0], times[0]
	for _, t := range times {
		if t.Before(first) {
			first = t
		}
		if t.After(last) {
			last = t
		}
	}
	return float64(len(times)) / (last.Sub(first) + per).Seconds()
}

// TestSharedLimitAcrossProcesses is the guarantee: N worker processes that share one
// Redis never put more than Calls request starts in any window of length Per+Slack on the
// Redis clock, and every window of length Per at the server's arrivals that holds more is
// explained by a request that took longer than Slack from its grant to the server (a
// process descheduled between the two, which a busy machine does; see lateness). It logs
// the largest grant-to-arrival delay and the rates reached; the rate is a figure of
// BenchmarkSharedLimitFairness, not asserted here, since it depends on how promptly the
// machine runs the workers.
func TestSharedLimitAcrossProcesses(t *testing.T) {
	rs := startRedis(t)
	var procs []int
	for _, f := range strings.Split(*procsFlag, ",") {
		var n int
		if _, err := fmt.Sscan(strings.TrimSpace(f), &n); err != nil || n < 1 {
			t.Fatalf("-redislimit.procs: bad number %q", f)
		}
		procs = append(procs, n)
	}
	cfg := workerConfig{
		AccessKey:      "shared-account-access-key",
		Std:            redislimit.Limit{Calls: 10, Per: 500 * time.Millisecond},
		Bulk:           redislimit.Limit{Calls: 3, Per: 500 * time.Millisecond},
		Slack:          *slackFlag,
		Goroutines:     3,
		BulkGoroutines: 1,
	}
	var table []string
	for _, n := range procs {
		res := runWorkers(t, rs, n, cfg)
		if len(res.errors) > 0 {
			t.Errorf("%d processes: errors: %q", n, res.errors)
		}
		// A stall guard; how the calls spread over the workers depends on when each was
		// scheduled (8 processes of 3 goroutines share about 30 starts in a run).
		if res.ok == 0 {
			t.Errorf("%d processes: no successful call", n)
		}
		// Grants, on the Redis clock: exact.
		if got := maxInWindow(res.grants, cfg.Std.Per+cfg.Slack); got > cfg.Std.Calls {
			t.Errorf("%d processes: %d standard grants in one window of %s, limit %d", n, got, cfg.Std.Per+cfg.Slack, cfg.Std.Calls)
		}
		if got := maxInWindow(res.bulkGrants, cfg.Bulk.Per+cfg.Slack); got > cfg.Bulk.Calls {
			t.Errorf("%d processes: %d bulk grants in one window, limit %d", n, got, cfg.Bulk.Calls)
		}
		// Arrivals at the server, what LeadSquared would count: a window over the limit only
		// where a request arrived more than Slack after its grant.
		// Every request that arrived was granted (a grant whose request the end of the run
		// cut off before it was sent never arrives).
		if len(res.arrivals) > len(res.grants) || len(res.bulkArrivals) > len(res.bulkGrants) {
			t.Errorf("%d processes: %d+%d arrivals for %d+%d grants", n, len(res.arrivals), len(res.bulkArrivals), len(res.grants), len(res.bulkGrants))
		}
		for _, a := range append(slices.Clone(res.arrivals), res.bulkArrivals...) {
			if a.grant.UnixMicro() == 0 {
				t.Fatalf("%d processes: a request arrived with no grant", n)
			}
		}
		maxStd, maxBulk := maxInWindow(arrivalTimes(res.arrivals), cfg.Std.Per), maxInWindow(arrivalTimes(res.bulkArrivals), cfg.Bulk.Per)
		stdDelay, stdLate, stdUnexplained := lateness(res.arrivals, cfg.Std.Per, cfg.Slack, cfg.Std.Calls)
		bulkDelay, bulkLate, bulkUnexplained := lateness(res.bulkArrivals, cfg.Bulk.Per, cfg.Slack, cfg.Bulk.Calls)
		if stdUnexplained > 0 {
			t.Errorf("%d processes: %d windows of %s at the server held more than %d standard requests (max %d) with no request in them later than Slack %s",
				n, stdUnexplained, cfg.Std.Per, cfg.Std.Calls, maxStd, cfg.Slack)
		}
		if bulkUnexplained > 0 {
			t.Errorf("%d processes: %d windows at the server held more than %d bulk requests (max %d) with no request in them later than Slack %s",
				n, bulkUnexplained, cfg.Bulk.Calls, maxBulk, cfg.Slack)
		}
		// Every refusal a worker saw is one the server counted over the limit.
		if res.rateLimited > res.excess+res.bulkExcess {
			t.Errorf("%d processes: the workers saw %d rate-limit errors, the server refused %d", n, res.rateLimited, res.excess+res.bulkExcess)
		}
		allowed := float64(cfg.Std.Calls) / cfg.Std.Per.Seconds()
		bulkAllowed := float64(cfg.Bulk.Calls) / cfg.Bulk.Per.Seconds()
		got := rate(arrivalTimes(res.arrivals), cfg.Std.Per)
		bulkGot := rate(arrivalTimes(res.bulkArrivals), cfg.Bulk.Per)
		table = append(table, fmt.Sprintf("%2d procs: standard %3d requests, %5.2f/s of %5.2f/s allowed (%3.0f%%), max %2d in any %s, %d over, max delay %s (%d > Slack) | bulk %3d, %4.2f/s of %4.2f/s (%3.0f%%), max %d, %d over, max delay %s (%d > Slack)",
			n, len(res.arrivals), got, allowed, 100*got/allowed, maxStd, cfg.Std.Per, res.excess, stdDelay.Round(time.Microsecond), stdLate,
			len(res.bulkArrivals), bulkGot, bulkAllowed, 100*bulkGot/bulkAllowed, maxBulk, res.bulkExcess, bulkDelay.Round(time.Microsecond), bulkLate))
	}
	t.Logf("limit %d per %s (bulk %d per %s), Slack %s, %s per run, 3+1 goroutines per process:\n%s",
		cfg.Std.Calls, cfg.Std.Per, cfg.Bulk.Calls, cfg.Bulk.Per, cfg.Slack, *runFor, strings.Join(table, "\n"))
}

// TestLateness checks the explanation rule on arrivals made up by hand.
func TestLateness(t *testing.T) {
	t.Parallel()
	t0 := time.Unix(1000, 0)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	const per, slack, calls = 100 * time.Millisecond, 10 * time.Millisecond, 2
	for _, tc := range []struct {
		name                   string
		as                     []arrival
		maxDelay               time.Duration
		late, unexplainedWants int
	}{
		{"within the limit", []arrival{{ms(0), ms(0)}, {ms(5), ms(2)}, {ms(110), ms(110)}}, 3 * time.Millisecond, 0, 0},
		// Three in 100ms, all on time: the grants themselves broke the limit.
		{"over, nobody late", []arrival{{ms(0), ms(0)}, {ms(5), ms(0)}, {ms(50), ms(45)}}, 5 * time.Millisecond, 0, 1},
		// The third was granted 110ms after the first but arrived 50ms late.
		{"over, one late", []arrival{{ms(0), ms(0)}, {ms(5), ms(0)}, {ms(60), ms(10)}}, 50 * time.Millisecond, 1, 0},
		// Two windows over the limit; the late request is in one of them only.
		{"one explained, one not", []arrival{{ms(0), ms(0)}, {ms(20), ms(20)}, {ms(60), ms(0)}, {ms(300), ms(300)}, {ms(301), ms(301)}, {ms(302), ms(302)}},
			60 * time.Millisecond, 1, 1},
	} {
		d, late, un := lateness(tc.as, per, slack, calls)
		if d != tc.maxDelay || late != tc.late || un != tc.unexplainedWants {
			t.Errorf("%s: lateness = %s, %d late, %d unexplained; want %s, %d, %d", tc.name, d, late, un, tc.maxDelay, tc.late, tc.unexplainedWants)
		}
	}
}

// BenchmarkSharedLimitFairness: 4 worker processes share a Redis limiter of 10 calls per
// second (Slack 30ms), each making 50 GetUserByID calls from 5 goroutines, against a
// server that enforces 10 per second at arrival. It reports the requests the server
// refused (refused), the rate reached as a share of the allowed one (%allowed), the
// distribution of the limiter's waits (wait-mean-ms, wait-p99-ms, wait-max-ms,
// max/mean) and how far apart the processes finished (finish-spread-ms). One run takes
// about 20 s.
func BenchmarkSharedLimitFairness(b *testing.B) {
	rs := startRedis(b)
	cfg := workerConfig{
		AccessKey:  "shared-account-access-key",
		Std:        redislimit.Limit{Calls: 10, Per: time.Second},
		Slack:      30 * time.Millisecond,
		Goroutines: 5,
		Calls:      10,
		RunFor:     2 * time.Minute,
	}
	var refused, share, spread float64
	var waits []time.Duration
	runs := 0
	for b.Loop() {
		res := runWorkers(b, rs, 4, cfg)
		if len(res.errors) > 0 || res.ok != 200 {
			b.Fatalf("%d calls succeeded, want 200; errors: %q", res.ok, res.errors)
		}
		refused += float64(res.excess + res.rateLimited)
		share += rate(arrivalTimes(res.arrivals), cfg.Std.Per) / (float64(cfg.Std.Calls) / cfg.Std.Per.Seconds())
		first, last := slices.MinFunc(res.finished, time.Time.Compare), slices.MaxFunc(res.finished, time.Time.Compare)
		spread += float64(last.Sub(first)) / float64(time.Millisecond)
		waits = append(waits, res.waits...)
		runs++
	}
	r := float64(runs)
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(refused/r, "refused")
	b.ReportMetric(100*share/r, "%allowed")
	b.ReportMetric(spread/r, "finish-spread-ms")
	if len(waits) > 0 {
		slices.Sort(waits)
		var sum time.Duration
		for _, w := range waits {
			sum += w
		}
		ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
		mean := ms(sum) / float64(len(waits))
		b.ReportMetric(mean, "wait-mean-ms")
		b.ReportMetric(ms(waits[(len(waits)*99+99)/100-1]), "wait-p99-ms")
		b.ReportMetric(ms(waits[len(waits)-1]), "wait-max-ms")
		b.ReportMetric(ms(waits[len(waits)-1])/mean, "max/mean")
	}
}
