package leadsquared_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
)

// BenchmarkValidationInterleaved is the A/B the ×1.10 goal of validation is judged on: the
// same call without and with WithRequestValidation and WithResponseValidation, one after the
// other in every iteration (rotating which goes first) over the in-memory transport, so that
// both meet the same machine state. It reports the time ratio validated/client over the run,
// the ratio of the two calls' median times (validated/client-median: a GC pause or a
// preemption on a busy machine lands on one call of a pair, and moves the sums, not the
// medians), and the ratio of allocations per call (testing.AllocsPerRun, before the timed
// loop); ns/op covers the two calls.
func BenchmarkValidationInterleaved(b *testing.B) {
	for _, tc := range overheadCases() {
		b.Run("op="+tc.name, func(b *testing.B) {
			hc := &http.Client{Transport: memTransport{tc.reply}}
			const base = "http://lsq.invalid/v2"
			plain, err := leadsquared.New(base, benchAccessKey, benchSecretKey, leadsquared.WithHTTPClient(hc))
			if err != nil {
				b.Fatal(err)
			}
			validated, err := leadsquared.New(base, benchAccessKey, benchSecretKey, leadsquared.WithHTTPClient(hc),
				leadsquared.WithRequestValidation(), leadsquared.WithResponseValidation())
			if err != nil {
				b.Fatal(err)
			}
			ctx := b.Context()
			calls := [...]func() error{
				func() error { return tc.wrapper(ctx, plain) },
				func() error { return tc.wrapper(ctx, validated) },
			}
			var allocs [len(calls)]float64
			for i, call := range calls {
				allocs[i] = testing.AllocsPerRun(20, func() {
					if err := call(); err != nil {
						b.Fatal(err)
					}
				})
			}
			var times [len(calls)][]time.Duration
			spent := interleaveEach(b, func(j int, d time.Duration) { times[j] = append(times[j], d) }, calls[:]...)
			b.ReportMetric(float64(spent[1])/float64(spent[0]), "validated/client")
			b.ReportMetric(float64(median(times[1]))/float64(median(times[0])), "validated/client-median")
			b.ReportMetric(allocs[1]/allocs[0], "validated/client-allocs")
		})
	}
}

// BenchmarkValidationInMemory is each side of BenchmarkValidationInterleaved alone, for
// its time, bytes and allocations per call (-benchmem).
func BenchmarkValidationInMemory(b *testing.B) {
	for _, tc := range overheadCases() {
		hc := &http.Client{Transport: memTransport{tc.reply}}
		const base = "http://lsq.invalid/v2"
		b.Run("op="+tc.name, func(b *testing.B) {
			for _, validated := range []bool{false, true} {
				name, opts := "impl=client", []leadsquared.Option{leadsquared.WithHTTPClient(hc)}
				if validated {
					name = "impl=validated"
					opts = append(opts, leadsquared.WithRequestValidation(), leadsquared.WithResponseValidation())
				}
				b.Run(name, func(b *testing.B) {
					ctx := b.Context()
					lc, err := leadsquared.New(base, benchAccessKey, benchSecretKey, opts...)
					if err != nil {
						b.Fatal(err)
					}
					if err := tc.wrapper(ctx, lc); err != nil {
						b.Fatal(err)
					}
					b.ReportAllocs()
					for b.Loop() {
						if err := tc.wrapper(ctx, lc); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}

// interleaveEach is interleave, also handing each call's time to each.
func interleaveEach(b *testing.B, each func(call int, d time.Duration), calls ...func() error) []time.Duration {
	b.Helper()
	for _, call := range calls { // warm up: connections, pools, tables
		if err := call(); err != nil {
			b.Fatal(err)
		}
	}
	spent := make([]time.Duration, len(calls))
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		for k := range calls {
			j := (i + k) % len(calls)
			start := time.Now()
			if err := calls[j](); err != nil {
				b.Fatal(err)
			}
			d := time.Since(start)
			spent[j] += d
			each(j, d)
		}
		i++
	}
	return spent
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 1
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
