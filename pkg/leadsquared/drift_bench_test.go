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
