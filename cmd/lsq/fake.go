package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
)

const fakeLong = `Serves a fake LeadSquared User Management API (package lsqtest) on addr, under /v2, until
interrupted (SIGINT/SIGTERM). It prints the base URL, and the keys it accepts only when it
chose them: without --access-key/--secret-key those are lsq-test-access-key /
lsq-test-secret-key. Keys given to it are never printed. (They are the fake's own keys, the
one place lsq takes keys as flags: never give it a real account's.)

The fake is stateful (users, permission templates, check-ins), validates every request
against the spec and answers like LeadSquared. It starts with one Administrator, the owner
of the keys. Limits are "N in D": D is a duration ("5s", or "200ms" for a test that should
not wait seconds) or "M second(s)"; without --limit
there is no rate limit (LeadSquared's docs show "25 in 5 second(s)").

--fault-rate P makes that share of calls fail at random, to test a program against an
unreliable LeadSquared: each failing call gets one of a 500 before the work, a 503 after it
(the write happened, its answer is lost), a dropped connection before or after the work, or
a 429 with LeadSquared's rate-limit body. --fault-seed makes the sequence repeatable (it is
printed when the fake picks it).

Exit status: 0 stopped by a signal, 1 could not serve, 2 usage error.`

// exitServe is the exit status when the fake cannot serve (e.g. the address is in use).
const exitServe = 1

// fakeOptions are the flags of lsq fake.
type fakeOptions struct {
	addr, accessKey, secretKey  string
	limit, bulkLimit, limitForm string
	maxTemplates                int
	drift                       string
	faultRate                   float64
	faultSeed                   uint64
}

func (a *app) fakeCommand() *cobra.Command {
	var o fakeOptions
	cmd := &cobra.Command{
		Use: `fake [--addr 127.0.0.1:8080] [--access-key K --secret-key S]
           [--limit "25 in 5s"] [--bulk-limit "5 in 5s"] [--limit-form 429|403|200]
           [--fault-rate 0.1 [--fault-seed N]]`,
		DisableFlagsInUseLine: true,
		Short:                 "Serve a fake LeadSquared API on a local port, for testing",
		Long:                  fakeLong,
		Args:                  a.noArgs,
		RunE:                  func(cmd *cobra.Command, args []string) error { return exit(a.runFake(cmd, &o)) },
	}
	f := cmd.Flags()
	f.StringVar(&o.addr, "addr", "127.0.0.1:8080", "address to listen on (port 0 picks a free port)")
	f.StringVar(&o.accessKey, "access-key", "", "access key the fake accepts (default "+lsqtest.DefaultAccessKey+")")
	f.StringVar(&o.secretKey, "secret-key", "", "secret key the fake accepts (default "+lsqtest.DefaultSecretKey+")")
	f.StringVar(&o.limit, "limit", "", `rate limit of the account, e.g. "25 in 5s" or "25 in 5 second(s)" (default none)`)
	f.StringVar(&o.bulkLimit, "bulk-limit", "", `separate rate limit of the bulk calls, e.g. "5 in 5s"`)
	f.StringVar(&o.limitForm, "limit-form", "429", "how a rate-limited call is answered: 429, 403 or 200 (with the error body)")
	f.IntVar(&o.maxTemplates, "max-templates", lsqtest.DefaultMaxTemplates, "how many permission templates the account can hold")
	f.StringVar(&o.drift, "drift", "", `make 200 replies drift from the spec on purpose: "all", or a comma list of extra, types, enums, missing`)
	f.Float64Var(&o.faultRate, "fault-rate", 0, "share of calls (0 to 1) that fail at random: 5xx or a dropped connection, before or after the work, or 429")
	f.Uint64Var(&o.faultSeed, "fault-seed", 0, "seed of --fault-rate's choices, to repeat a run (default: picked and printed)")
	return cmd
}

func (a *app) runFake(cmd *cobra.Command, o *fakeOptions) int {
	ctx, stdout, stderr := cmd.Context(), a.stdout, a.stderr
	usageErr := func(format string, args ...any) int {
		_ = usageErrorf(cmd, stderr, format, args...)
		return exitUsage
	}
	var opts []lsqtest.Option
	keysGiven := o.accessKey != "" || o.secretKey != ""
	switch {
	case o.accessKey == "" && o.secretKey == "":
	case o.accessKey == "" || o.secretKey == "":
		return usageErr("give both --access-key and --secret-key, or neither")
	default:
		opts = append(opts, lsqtest.WithKeys(o.accessKey, o.secretKey))
	}
	form, err := lsqtest.ParseForm(o.limitForm)
	if err != nil {
		return usageErr("--limit-form: want 429, 403 or 200")
	}
	if o.limit != "" {
		calls, per, err := parseLimit(o.limit)
		if err != nil {
			return usageErr("--limit: %v", err)
		}
		opts = append(opts, lsqtest.WithRateLimit(calls, per, form))
	}
	if o.bulkLimit != "" {
		calls, per, err := parseLimit(o.bulkLimit)
		if err != nil {
			return usageErr("--bulk-limit: %v", err)
		}
		opts = append(opts, lsqtest.WithBulkRateLimit(calls, per))
	}
	opts = append(opts, lsqtest.WithMaxTemplates(o.maxTemplates))
	if o.drift != "" {
		d, err := parseDrift(o.drift)
		if err != nil {
			return usageErr("--drift: %v", err)
		}
		opts = append(opts, lsqtest.WithDrift(d))
	}
	if o.faultRate < 0 || o.faultRate > 1 || math.IsNaN(o.faultRate) {
		return usageErr("--fault-rate: want a share from 0 to 1, e.g. 0.1")
	}
	if cmd.Flags().Changed("fault-seed") && o.faultRate == 0 {
		return usageErr("--fault-seed needs --fault-rate")
	}
	srv, err := lsqtest.New(opts...)
	if err != nil {
		return usageErr("%v", err)
	}
	defer srv.Close()
	handler := srv.Handler()
	if o.faultRate > 0 {
		if !cmd.Flags().Changed("fault-seed") {
			o.faultSeed = rand.Uint64()
		}
		handler = newFaultInjector(srv, o.faultRate, o.faultSeed)
	}

	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		fmt.Fprintf(stderr, "lsq fake: %v\n", err)
		return exitServe
	}
	hs := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()

	fmt.Fprintf(stdout, "lsq fake: serving the LeadSquared API at %s\n", baseURL(ln.Addr()))
	if keysGiven {
		// Keys given on the command line may be real ones: never echo them.
		fmt.Fprintln(stdout, "  access key, secret key: as given (--access-key, --secret-key)")
	} else {
		fmt.Fprintf(stdout, "  access key: %s\n  secret key: %s\n", srv.AccessKey, srv.SecretKey)
	}
	fmt.Fprintf(stdout, "  key owner (Administrator): %s\n", srv.OwnerID)
	if o.limit != "" {
		fmt.Fprintf(stdout, "  rate limit: %s, answered with HTTP %s\n", o.limit, form)
	}
	if o.bulkLimit != "" {
		fmt.Fprintf(stdout, "  bulk rate limit: %s\n", o.bulkLimit)
	}
	if o.faultRate > 0 {
		fmt.Fprintf(stdout, "  faults: %g of calls fail at random (--fault-seed %d)\n", o.faultRate, o.faultSeed)
	}
	fmt.Fprintln(stdout, "Press Ctrl+C to stop.")
	if a.out.Err() != nil {
		// No one was told where the fake is or its keys: serving on is of no use (run says
		// why, and makes it exit status 1).
		_ = hs.Close()
		return exitInvalid
	}

	select {
	case err := <-served:
		fmt.Fprintf(stderr, "lsq fake: %v\n", err)
		return exitServe
	case <-ctx.Done():
	}
	srv.Close() // cut scripted delays short
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		_ = hs.Close()
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "lsq fake: %v\n", err)
		return exitServe
	}
	fmt.Fprintln(stdout, "lsq fake: stopped")
	return exitOK
}

// baseURL is the API's base URL on a listener's address; an unspecified host (":8080")
// is shown as localhost.
func baseURL(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return "http://" + a.String() + lsqtest.BasePath
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port) + lsqtest.BasePath
}

// faultInjector queues a random fault (see [injectedFaults]) in front of a share of the
// calls to the fake.
type faultInjector struct {
	srv  *lsqtest.Server
	rate float64
	mu   sync.Mutex
	rng  *rand.Rand
}

// injectedFaults are the faults of --fault-rate: what an unreliable LeadSquared and the
// network in front of it do to a call.
var injectedFaults = []lsqtest.Fault{
	{Status: http.StatusInternalServerError},
	{Status: http.StatusServiceUnavailable, AfterWork: true},
	{Drop: true},
	{Drop: true, AfterWork: true},
	{Status: http.StatusTooManyRequests},
}

func newFaultInjector(srv *lsqtest.Server, rate float64, seed uint64) *faultInjector {
	return &faultInjector{srv: srv, rate: rate, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

func (fi *faultInjector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fi.mu.Lock()
	if fi.rng.Float64() < fi.rate {
		// "" matches whatever operation comes next: this call, unless a concurrent one
		// takes it first, which is as random. Its arguments are always valid.
		_ = fi.srv.FailNext("", 1, injectedFaults[fi.rng.IntN(len(injectedFaults))])
	}
	fi.mu.Unlock()
	fi.srv.ServeHTTP(w, r)
}

// parseDrift reads --drift: "all", or a comma list of extra, types, enums, missing.
func parseDrift(s string) (lsqtest.Drift, error) {
	var d lsqtest.Drift
	for _, k := range strings.Split(s, ",") {
		switch strings.TrimSpace(k) {
		case "all":
			d = lsqtest.AllDrift
		case "extra":
			d.ExtraAttributes = true
		case "types":
			d.OtherTypes = true
		case "enums":
			d.NewEnumValues = true
		case "missing":
			d.MissingAttributes = true
		default:
			return d, fmt.Errorf("%q: want all, or a comma list of extra, types, enums, missing", k)
		}
	}
	return d, nil
}
