package lsqtest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
	"github.com/leadsquared-go/leadsquared-go/pkg/validate"
)

// driftCollector gathers the drift reports of a client, as InjectedDrift for comparison.
type driftCollector struct {
	mu      sync.Mutex
	reports []leadsquared.DriftReport
}

func (dc *driftCollector) add(r leadsquared.DriftReport) {
	dc.mu.Lock()
	defer dc.mu.Unlock()
	dc.reports = append(dc.reports, r)
}

func (dc *driftCollector) found() []string {
	dc.mu.Lock()
	defer dc.mu.Unlock()
	var out []string
	for _, r := range dc.reports {
		out = append(out, fmt.Sprintf("%s %s %s", r.Operation, r.Pointer, r.Kind))
	}
	sort.Strings(out)
	return out
}

func injectedText(ds []lsqtest.InjectedDrift) []string {
	var out []string
	for _, d := range ds {
		out = append(out, fmt.Sprintf("%s %s %s", d.Operation, d.Pointer, d.Kind))
	}
	sort.Strings(out)
	return out
}

// TestDriftReportFindsExactlyWhatWasInjected drives every operation on the fake, keeps the
// first 200 reply of each, drifts it in every way lsqtest can (Drift.Apply) and sends it to a
// client with WithDriftReport: the reports are exactly the injected drifts, operation by
// operation. The same replies undrifted gave no report (newClientOn fails on one).
func TestDriftReportFindsExactlyWhatWasInjected(t *testing.T) {
	t.Parallel()
	srv := lsqtest.MustNewServer(t)
	capture := &replyCapture{}
	qc, vt := newValidatingClient(t)
	vt.capture = capture
	hcc, hvt := newValidatingClient(t)
	hvt.capture = capture
	driveAllOperations(t, srv, newClientOn(t, srv, qc), newClientOn(t, srv, hcc, leadsquared.WithHeaderAuth()))
	if t.Failed() {
		t.FailNow()
	}

	v, err := validate.Default()
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, op := range api.OperationIDs {
		body, ok := capture.replies[op]
		if !ok {
			t.Errorf("%s: no 200 reply recorded", op)
			continue
		}
		drifted, injected, err := lsqtest.AllDrift.Apply(op, body)
		if err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		for _, d := range injected {
			kinds[d.Kind]++
		}
		var dc driftCollector
		canned := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(drifted)
		}))
		c, err := leadsquared.New(canned.URL+"/v2", srv.AccessKey, srv.SecretKey, leadsquared.WithDriftReport(dc.add))
		if err != nil {
			t.Fatal(err)
		}
		o, _ := v.Operation(op)
		req, err := http.NewRequestWithContext(t.Context(), o.Method, canned.URL+"/v2"+o.Path, nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		_ = res.Body.Close()
		canned.Close()
		got, want := dc.found(), injectedText(injected)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s: reports\n  %s\nwant (injected)\n  %s\nreply: %s", op, strings.Join(got, "\n  "), strings.Join(want, "\n  "), drifted)
		}
		for _, r := range dc.reports {
			if r.Kind == leadsquared.DriftEnum && r.EnumValues[lsqtest.DriftEnumValue] == 0 && r.EnumValues["7"] == 0 {
				t.Errorf("%s %s: enum values %v, want the injected one", op, r.Pointer, r.EnumValues)
			}
		}
	}
	for _, k := range []string{"unknown-attribute", "type", "enum", "missing-required"} {
		if kinds[k] == 0 {
			t.Errorf("no %s drift injected over all the operations", k)
		}
	}
	t.Logf("injected and found: %v", kinds)
}

// TestWithDrift: a server made WithDrift drifts its 200 replies, a client's report finds
// what Server.Drifted lists, and the calls still succeed.
func TestWithDrift(t *testing.T) {
	t.Parallel()
	srv := lsqtest.MustNewServer(t, lsqtest.WithDrift(lsqtest.AllDrift))
	var dc driftCollector
	c, err := leadsquared.New(srv.URL, srv.AccessKey, srv.SecretKey, leadsquared.WithDriftReport(dc.add))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if _, err := c.AuthenticateUser(ctx); err != nil {
		t.Fatal(err)
	}
	users, err := c.GetUsers(ctx)
	if err != nil || len(users) == 0 {
		t.Fatalf("GetUsers: %d users, %v", len(users), err)
	}
	if _, err := c.ActivateUser(ctx, api.ActivateUserParams{UserID: srv.OwnerID}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetUserByID(ctx, api.GetUserByIDParams{UserID: srv.OwnerID}); err != nil {
		t.Fatal(err)
	}
	got, want := dc.found(), injectedText(srv.Drifted())
	if len(want) == 0 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("reports\n  %s\nwant (Drifted)\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	if _, err := lsqtest.New(lsqtest.WithDrift(lsqtest.Drift{})); err == nil {
		t.Error("WithDrift(Drift{}): no error")
	}
}
