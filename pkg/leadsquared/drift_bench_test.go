package leadsquared_test

import (
	"net/http"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
)

// BenchmarkDriftInMemory is the cost of WithDriftReport: the same call through the wrapper
// without it (impl=client) and with it (impl=drift), over an in-memory transport, on
// GetUserById (20 users, ~4 KB) and a 1,000-user AdvancedSearchUsers. The replies match the
// spec, so nothing is reported: the cost of the walk alone.
func BenchmarkDriftInMemory(b *testing.B) {
	for _, tc := range overheadCases() {
		if tc.name == "CreateUser" {
			continue
		}
		hc := &http.Client{Transport: memTransport{tc.reply}}
		const base = "http://lsq.invalid/v2"
		b.Run("op="+tc.name, func(b *testing.B) {
			for _, drift := range []bool{false, true} {
				name, opts := "impl=client", []leadsquared.Option{leadsquared.WithHTTPClient(hc)}
				reports := 0
				if drift {
					name = "impl=drift"
					opts = append(opts, leadsquared.WithDriftReport(func(leadsquared.DriftReport) { reports++ }))
				}
				b.Run(name, func(b *testing.B) {
					ctx := b.Context()
					lc, err := leadsquared.New(base, benchAccessKey, benchSecretKey, opts...)
					if err != nil {
						b.Fatal(err)
					}
					b.ReportAllocs()
					for b.Loop() {
						if err := tc.wrapper(ctx, lc); err != nil {
							b.Fatal(err)
						}
					}
					if reports != 0 {
						b.Fatalf("%d drift reports on a reply that matches the spec", reports)
					}
				})
			}
		})
	}
}

// BenchmarkDriftInterleaved is the A/B the ×1.10 goal of WithDriftReport is judged on: the
// same call without and with the option, one after the other in every iteration (rotating
// which goes first) over the in-memory transport, so that both meet the same machine state;
// separate benchmarks drift apart on a busy 2-core machine by more than the walk costs. It
// reports the time ratio drift/client over the run; ns/op covers the two calls.
func BenchmarkDriftInterleaved(b *testing.B) {
	for _, tc := range overheadCases() {
		if tc.name == "CreateUser" {
			continue
		}
		b.Run("op="+tc.name, func(b *testing.B) {
			hc := &http.Client{Transport: memTransport{tc.reply}}
			const base = "http://lsq.invalid/v2"
			reports := 0
			plain, err := leadsquared.New(base, benchAccessKey, benchSecretKey, leadsquared.WithHTTPClient(hc))
			if err != nil {
				b.Fatal(err)
			}
			drift, err := leadsquared.New(base, benchAccessKey, benchSecretKey, leadsquared.WithHTTPClient(hc),
				leadsquared.WithDriftReport(func(leadsquared.DriftReport) { reports++ }))
			if err != nil {
				b.Fatal(err)
			}
			ctx := b.Context()
			calls := [...]func() error{
				func() error { return tc.wrapper(ctx, plain) },
				func() error { return tc.wrapper(ctx, drift) },
			}
			spent := interleave(b, calls[:]...)
			if reports != 0 {
				b.Fatalf("%d drift reports on a reply that matches the spec", reports)
			}
			b.ReportMetric(float64(spent[1])/float64(spent[0]), "drift/client")
		})
	}
}
