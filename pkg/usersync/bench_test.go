package usersync_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
	"github.com/leadsquared-go/leadsquared-go/pkg/usersync"
)

// syncScenario is a 1,000-user account and a 1,000-user source of which 100 differ: 40
// renamed, 30 moved to one of 3 teams, 10 given another manager, 10 new, and 10 of the
// account's users (Sales_User) missing from the source, deactivated in the role's scope.
func syncScenario(b *testing.B) (*lsqtest.Server, []usersync.Desired) {
	b.Helper()
	srv, err := lsqtest.New()
	if err != nil {
		b.Fatal(err)
	}
	var src []usersync.Desired
	for i := range 1000 {
		email := fmt.Sprintf("u%04d@example.com", i)
		if _, err := srv.AddUser(lsqtest.User{FirstName: fmt.Sprintf("U%04d", i), LastName: "L", EmailAddress: email, Role: "Sales_User", TeamID: "t0"}); err != nil {
			b.Fatal(err)
		}
		if i >= 990 {
			continue // missing from the source: deactivated
		}
		d := usersync.Desired{Line: i + 2, Email: email, Attrs: map[string]string{"FirstName": fmt.Sprintf("U%04d", i), "LastName": "L", "Role": "Sales_User", "TeamId": "t0"}}
		switch {
		case i < 40:
			d.Attrs["FirstName"] = "Renamed"
		case i < 70:
			d.Attrs["TeamId"] = fmt.Sprintf("t%d", 1+i%3)
		case i < 80:
			d.ManagerEmail = "u0999@example.com"
		}
		src = append(src, d)
	}
	for i := range 10 {
		src = append(src, usersync.Desired{Line: 1000 + i, Email: fmt.Sprintf("new%02d@example.com", i), Attrs: map[string]string{"FirstName": "New", "Role": "Sales_User", "TeamId": "t0"}})
	}
	return srv, src
}

// BenchmarkSync plans and applies the scenario: calls/op is every call (the plan's reads,
// the apply's reads and writes); at 25 calls in 5 s the client's limiter paces them as
// LeadSquared's default limit would (real time: run with -benchtime=1x).
func BenchmarkSync(b *testing.B) {
	for _, tc := range []struct {
		name string
		opts []leadsquared.Option
	}{
		{"unpaced", nil},
		{"rate=25in5s", []leadsquared.Option{leadsquared.WithRateLimit(25, 5*time.Second)}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var calls, writes int
			for b.Loop() {
				b.StopTimer()
				srv, src := syncScenario(b)
				ts := httptest.NewServer(srv.Handler())
				c, err := leadsquared.New(ts.URL+lsqtest.BasePath, lsqtest.DefaultAccessKey, lsqtest.DefaultSecretKey, tc.opts...)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				plan, err := usersync.MakePlan(context.Background(), c, src, usersync.Options{Deactivate: true, Scope: usersync.Scope{Role: "Sales_User"}})
				if err != nil {
					b.Fatal(err)
				}
				res, err := usersync.Apply(context.Background(), c, plan, &usersync.MemJournal{}, usersync.ApplyOptions{})
				if err != nil || res.Failed != 0 || res.Done != 100 {
					b.Fatalf("apply: %+v %v", res, err)
				}
				b.StopTimer()
				calls += len(srv.Requests())
				for _, r := range srv.Requests() {
					if r.OperationID != "AdvancedSearchUsers" && r.OperationID != "AuthenticateUser" {
						writes++
					}
				}
				ts.Close()
				srv.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(calls)/float64(b.N), "calls/op")
			b.ReportMetric(float64(writes)/float64(b.N), "writes/op")
		})
	}
}
